//! The rules of `fs/eventfd.c` (v2.6.34), one table or scenario each.

use std::sync::Arc;

use cgsim_eventfd::{
    EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE, EventfdFile, EventfdProfile, PollMask, eventfd2,
};
use cgsim_ktypes::Errno;
use parking_lot::Mutex;

use crate::{read_u64, record_wakes, write_u64};

const MAX: u64 = u64::MAX;

/// `fs/eventfd.c` `sys_eventfd2`, v2.6.34: which flag words `eventfd2` accepts under which profile, and where the flags go.
#[test]
fn eventfd2_flags() {
    let seed = EventfdProfile::SEED;
    let old = EventfdProfile::V2_6_27;
    let all = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC;
    // (profile, flags, accepted)
    let cases = [
        (seed, 0, true),
        (seed, EFD_SEMAPHORE, true),
        (seed, EFD_NONBLOCK, true),
        (seed, EFD_CLOEXEC, true),
        (seed, all, true),
        (seed, 2, false),
        (seed, all | 0o100, false),
        (seed, -1, false),
        (seed, i32::MIN, false),
        (old, EFD_NONBLOCK | EFD_CLOEXEC, true),
        (old, EFD_SEMAPHORE, false),
        (EventfdProfile::V2_6_30, EFD_SEMAPHORE, true),
    ];
    for (profile, flags, accepted) in cases {
        match profile.eventfd2(7, flags) {
            Ok(file) => {
                assert!(accepted, "{profile:?} accepted {flags:#o}");
                assert_eq!(file.nonblock(), flags & EFD_NONBLOCK != 0);
                assert_eq!(file.cloexec(), flags & EFD_CLOEXEC != 0);
                assert_eq!(file.ctx().is_semaphore(), flags & EFD_SEMAPHORE != 0);
                assert_eq!(file.ctx().flags(), flags & EFD_SEMAPHORE);
                assert_eq!(file.ctx().count(), 7);
            }
            Err(e) => {
                assert!(!accepted, "{profile:?} refused {flags:#o}");
                assert_eq!(e, Errno::EINVAL);
            }
        }
    }
    // The whole u32 range is a valid initial value, and `eventfd(initval)` is flags 0.
    let file = seed.eventfd(u32::MAX).unwrap();
    assert_eq!(file.ctx().count(), u64::from(u32::MAX));
    assert!(!file.nonblock() && !file.cloexec() && !file.ctx().is_semaphore());
    assert_eq!(EventfdProfile::default(), seed);
}

/// `fs/eventfd.c`, v2.6.34, step by step, through the file's non-blocking flag as the VFS would use it.
#[test]
fn acceptance_15_3_12() {
    let file = eventfd2(0, EFD_NONBLOCK).unwrap();
    assert!(file.nonblock());
    let ctx = file.ctx();
    assert_eq!(read_u64(ctx), Err(Errno::EAGAIN));
    assert_eq!(write_u64(ctx, 3), Ok(8));
    assert_eq!(write_u64(ctx, 4), Ok(8));
    assert_eq!(read_u64(ctx), Ok(7));
    assert_eq!(ctx.try_read(&mut [0u8; 4]), Err(Errno::EINVAL));
    assert_eq!(write_u64(ctx, MAX), Err(Errno::EINVAL));
    assert_eq!(ctx.count(), 0);

    let sem = eventfd2(3, EFD_SEMAPHORE | EFD_NONBLOCK).unwrap();
    let reads: Vec<_> = (0..4).map(|_| read_u64(sem.ctx())).collect();
    assert_eq!(reads, [Ok(1), Ok(1), Ok(1), Err(Errno::EAGAIN)]);
}

/// `fs/eventfd.c` `eventfd_read`, `eventfd_write`, v2.6.34: the length check comes first and leaves the counter alone; bytes past the
/// eighth are ignored by writes and untouched by reads.
#[test]
fn buffer_lengths() {
    let file = eventfd2(5, 0).unwrap();
    let ctx = file.ctx();
    for len in 0..8 {
        assert_eq!(
            ctx.try_read(&mut vec![0; len]),
            Err(Errno::EINVAL),
            "read len {len}"
        );
        // All-ones bytes: the length check wins, same errno either way, state unchanged.
        assert_eq!(
            ctx.try_write(&vec![0xff; len]),
            Err(Errno::EINVAL),
            "write len {len}"
        );
        assert_eq!(ctx.count(), 5);
    }
    let mut long = [0xaau8; 12];
    long[..8].copy_from_slice(&2u64.to_ne_bytes());
    assert_eq!(ctx.try_write(&long), Ok(8));
    assert_eq!(ctx.count(), 7);
    let mut out = [0xaau8; 16];
    assert_eq!(ctx.try_read(&mut out), Ok(8));
    assert_eq!(u64::from_ne_bytes(out[..8].try_into().unwrap()), 7);
    assert_eq!(out[8..], [0xaa; 8]);
}

/// `fs/eventfd.c` `eventfd_write`, v2.6.34: the room rule `count + v <= u64::MAX - 1`, at its edge.
#[test]
fn write_overflow_edge() {
    let file = eventfd2(0, EFD_NONBLOCK).unwrap();
    let ctx = file.ctx();
    assert_eq!(write_u64(ctx, MAX - 2), Ok(8));
    assert_eq!(write_u64(ctx, 2), Err(Errno::EAGAIN));
    assert_eq!(write_u64(ctx, 1), Ok(8));
    assert_eq!(ctx.count(), MAX - 1);
    assert_eq!(write_u64(ctx, 1), Err(Errno::EAGAIN));
    assert_eq!(write_u64(ctx, 0), Ok(8));
    assert_eq!(ctx.count(), MAX - 1);
    assert_eq!(read_u64(ctx), Ok(MAX - 1));
    assert_eq!(write_u64(ctx, MAX - 1), Ok(8));
}

/// `fs/eventfd.c` `eventfd_signal`, v2.6.34: the kernel-side signal saturates, reports what it added, and lets a read return
/// all ones, which no user write can produce.
#[test]
fn signal_saturates() {
    let file = eventfd2(0, EFD_NONBLOCK).unwrap();
    let ctx = file.ctx();
    assert_eq!(ctx.signal(0), 0);
    assert_eq!(ctx.signal(1), 1);
    assert_eq!(write_u64(ctx, MAX - 3), Ok(8));
    assert_eq!(ctx.signal(5), 2);
    assert_eq!(ctx.count(), MAX);
    assert_eq!(ctx.signal(1), 0);
    assert_eq!(ctx.poll(), PollMask::POLLIN | PollMask::POLLERR);
    // Kernel quirk: even a write of 0 finds no room at u64::MAX.
    assert_eq!(write_u64(ctx, 0), Err(Errno::EAGAIN));
    assert_eq!(read_u64(ctx), Ok(MAX));
    assert_eq!(ctx.count(), 0);
}

/// `fs/eventfd.c` `eventfd_poll`, v2.6.34: readiness for counters at the interesting values.
#[test]
fn poll_bits() {
    let (pin, pout, perr) = (PollMask::POLLIN, PollMask::POLLOUT, PollMask::POLLERR);
    let cases = [
        (0, pout),
        (1, pin | pout),
        (MAX - 2, pin | pout),
        (MAX - 1, pin),
        (MAX, pin | perr),
    ];
    for (count, mask) in cases {
        let file = eventfd2(0, 0).unwrap();
        file.ctx().signal(count);
        assert_eq!(file.ctx().poll(), mask, "count {count}");
        assert!(!file.ctx().poll().contains(PollMask::POLLHUP));
    }
    assert_eq!((pin | perr).to_string(), "POLLIN|POLLERR");
    assert_eq!(PollMask::EMPTY.to_string(), "0");
    assert_eq!(
        PollMask::from_bits(0x10 | 0x1000).to_string(),
        "POLLHUP|0x1000"
    );
}

/// Wake keys: `POLLIN` after writes and signals, `POLLOUT` after reads, nothing after a
/// failure; entries are called newest first and stop after removal.
#[test]
fn wake_keys() {
    let file = eventfd2(0, EFD_NONBLOCK).unwrap();
    let ctx = file.ctx();
    let order = Arc::new(Mutex::new(Vec::new()));
    let ids: Vec<_> = (0..3)
        .map(|i| {
            let order = Arc::clone(&order);
            ctx.add_wait_queue(Box::new(move |_| order.lock().push(i)))
        })
        .collect();
    let keys = record_wakes(ctx);
    assert!(ctx.has_waiters());

    assert_eq!(read_u64(ctx), Err(Errno::EAGAIN));
    assert_eq!(write_u64(ctx, MAX), Err(Errno::EINVAL));
    assert_eq!(ctx.try_read(&mut [0; 7]), Err(Errno::EINVAL));
    assert!(keys.lock().is_empty());

    write_u64(ctx, 0).unwrap();
    write_u64(ctx, 2).unwrap();
    read_u64(ctx).unwrap();
    ctx.signal(0);
    let (pin, pout) = (PollMask::POLLIN, PollMask::POLLOUT);
    assert_eq!(*keys.lock(), [pin, pin, pout, pin]);
    assert_eq!(order.lock()[..3], [2, 1, 0]);

    order.lock().clear();
    assert!(ctx.remove_wait_queue(ids[1]));
    assert!(!ctx.remove_wait_queue(ids[1]));
    ctx.signal(1);
    assert_eq!(*order.lock(), [2, 0]);
}

/// `fs/eventfd.c` `eventfd_release`, v2.6.34; `kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34: closing the file wakes every entry with `POLLHUP`; a kernel-side reference
/// keeps the context usable. A wake function may call back into the context, as a cgroup
/// event unregistering itself does.
#[test]
fn pollhup_on_release() {
    let file = eventfd2(0, 0).unwrap();
    let ctx = Arc::clone(file.ctx());
    let keys = record_wakes(&ctx);
    let id_slot = Arc::new(Mutex::new(None));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let id = ctx.add_wait_queue(Box::new({
        let (ctx, id_slot, seen) = (Arc::clone(&ctx), Arc::clone(&id_slot), Arc::clone(&seen));
        move |key| {
            if key.contains(PollMask::POLLHUP) {
                let id = id_slot.lock().take().unwrap();
                seen.lock().push((ctx.remove_wait_queue(id), ctx.poll()));
            }
        }
    }));
    *id_slot.lock() = Some(id);
    assert!(!ctx.is_released());
    assert_eq!(Arc::strong_count(&ctx), 3);

    file.close();
    assert!(ctx.is_released());
    assert_eq!(*keys.lock(), [PollMask::POLLHUP]);
    assert_eq!(*seen.lock(), [(true, PollMask::POLLOUT)]);
    // The wake function held the last but one reference; the test's own is left.
    assert_eq!(Arc::strong_count(&ctx), 1);
    // Kernel quirk: signalling a closed eventfd is harmless (3.14+ removal work does it).
    assert_eq!(ctx.signal(1), 1);
    assert_eq!(*keys.lock(), [PollMask::POLLHUP, PollMask::POLLIN]);
}

/// Profile switch `eventfd.pollhup_on_close = off` (before 2.6.31): closing is silent.
#[test]
fn silent_close_before_2_6_31() {
    let file: EventfdFile = EventfdProfile::V2_6_30.eventfd(0).unwrap();
    let ctx = Arc::clone(file.ctx());
    let keys = record_wakes(&ctx);
    drop(file);
    assert!(ctx.is_released());
    assert!(keys.lock().is_empty());
}

/// `fcntl(F_SETFL, O_NONBLOCK)` changes the file flag only; the context does not depend on it.
#[test]
fn set_nonblock() {
    let file = eventfd2(0, 0).unwrap();
    assert!(!file.nonblock());
    file.set_nonblock(true);
    assert!(file.nonblock());
    assert_eq!(EventfdFile::NAME, "[eventfd]");
}
