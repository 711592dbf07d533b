//! Real threads sleeping in blocking reads and writes and being woken (`fs/eventfd.c` `eventfd_read`, `eventfd_write`, v2.6.34).
//!
//! Every blocking call uses a generous timeout, so a bug shows up as `EINTR`, never as a hang.
//! Nothing here measures time.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use cgsim_eventfd::{EFD_SEMAPHORE, EventfdCtx, eventfd2};
use cgsim_ktypes::Errno;

use crate::{read_u64, write_u64};

const GENEROUS: Duration = Duration::from_secs(60);

/// Spin until `n` threads sleep on `ctx` or one of `handles` has finished (then the join
/// reports what went wrong).
fn until_sleeping<T>(ctx: &EventfdCtx, n: usize, handles: &[thread::JoinHandle<T>]) {
    while ctx.nr_sleepers() < n && !handles.iter().any(|h| h.is_finished()) {
        thread::yield_now();
    }
}

fn spawn_reader(ctx: &Arc<EventfdCtx>) -> thread::JoinHandle<Result<u64, Errno>> {
    let ctx = Arc::clone(ctx);
    thread::spawn(move || {
        let mut buf = [0u8; 8];
        ctx.read_timeout(&mut buf, GENEROUS)?;
        Ok(u64::from_ne_bytes(buf))
    })
}

#[test]
fn signal_wakes_blocked_reader() {
    let file = eventfd2(0, 0).unwrap();
    let ctx = Arc::clone(file.ctx());
    let reader = spawn_reader(&ctx);
    until_sleeping(&ctx, 1, std::slice::from_ref(&reader));
    assert_eq!(ctx.signal(1), 1);
    assert_eq!(reader.join().unwrap(), Ok(1));
    assert_eq!(ctx.count(), 0);
    assert_eq!(ctx.nr_sleepers(), 0);
}

#[test]
fn read_makes_room_for_blocked_writer() {
    let file = eventfd2(0, 0).unwrap();
    let ctx = Arc::clone(file.ctx());
    write_u64(&ctx, u64::MAX - 1).unwrap();
    let writer = thread::spawn({
        let ctx = Arc::clone(&ctx);
        move || ctx.write_timeout(&5u64.to_ne_bytes(), GENEROUS)
    });
    until_sleeping(&ctx, 1, std::slice::from_ref(&writer));
    assert_eq!(read_u64(&ctx), Ok(u64::MAX - 1));
    assert_eq!(writer.join().unwrap(), Ok(8));
    assert_eq!(ctx.count(), 5);
}

/// Two semaphore readers asleep; one signal of 2 lets each take 1.
#[test]
fn semaphore_readers_share_a_signal() {
    let file = eventfd2(0, EFD_SEMAPHORE).unwrap();
    let ctx = Arc::clone(file.ctx());
    let readers = [spawn_reader(&ctx), spawn_reader(&ctx)];
    until_sleeping(&ctx, 2, &readers);
    assert_eq!(ctx.signal(2), 2);
    for reader in readers {
        assert_eq!(reader.join().unwrap(), Ok(1));
    }
    assert_eq!(ctx.count(), 0);
}

/// Nothing to wait for: the call returns at once without sleeping.
#[test]
fn blocking_calls_that_need_not_block() {
    let file = eventfd2(3, 0).unwrap();
    let ctx = file.ctx();
    let mut buf = [0u8; 8];
    assert_eq!(ctx.read_blocking(&mut buf), Ok(8));
    assert_eq!(u64::from_ne_bytes(buf), 3);
    assert_eq!(ctx.write_blocking(&9u64.to_ne_bytes()), Ok(8));
    assert_eq!(ctx.read_blocking(&mut [0u8; 4]), Err(Errno::EINVAL));
    assert_eq!(
        ctx.write_blocking(&u64::MAX.to_ne_bytes()),
        Err(Errno::EINVAL)
    );
    assert_eq!(ctx.count(), 9);
}

/// A timed-out wait is an interrupted call: `EINTR`, counter unchanged.
#[test]
fn timeout_is_eintr() {
    let file = eventfd2(0, 0).unwrap();
    let ctx = file.ctx();
    let mut buf = [0u8; 8];
    assert_eq!(
        ctx.read_timeout(&mut buf, Duration::from_millis(1)),
        Err(Errno::EINTR)
    );
    ctx.signal(u64::MAX);
    let one = 1u64.to_ne_bytes();
    assert_eq!(ctx.write_timeout(&one, Duration::ZERO), Err(Errno::EINTR));
    assert_eq!(ctx.count(), u64::MAX);
    assert_eq!(ctx.nr_sleepers(), 0);
}

/// Many signallers, one reader: every increment is read exactly once.
#[test]
fn concurrent_signals_add_up() {
    const THREADS: u64 = 4;
    const EACH: u64 = 200;
    let file = eventfd2(0, 0).unwrap();
    let ctx = Arc::clone(file.ctx());
    let signallers: Vec<_> = (0..THREADS)
        .map(|_| {
            let ctx = Arc::clone(&ctx);
            thread::spawn(move || (0..EACH).map(|_| ctx.signal(1)).sum::<u64>())
        })
        .collect();
    let mut total = 0;
    while total < THREADS * EACH {
        let mut buf = [0u8; 8];
        assert_eq!(ctx.read_timeout(&mut buf, GENEROUS), Ok(8));
        total += u64::from_ne_bytes(buf);
    }
    let added: u64 = signallers.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(added, THREADS * EACH);
    assert_eq!(total, added);
    assert_eq!(ctx.count(), 0);
}
