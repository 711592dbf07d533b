//! Random operation sequences against a small reference model of the counter (`fs/eventfd.c` `eventfd_read`, `eventfd_write`, `eventfd_signal`, `eventfd_poll`, v2.6.34).

use std::sync::Arc;

use cgsim_eventfd::{EFD_NONBLOCK, EFD_SEMAPHORE, PollMask, eventfd2};
use cgsim_ktypes::Errno;
use proptest::prelude::*;

use crate::record_wakes;

#[derive(Clone, Debug)]
enum Op {
    Read { len: usize },
    Write { len: usize, value: u64 },
    Signal(u64),
}

/// The reference model: the counter and the semaphore flag, with the kernel's rules written
/// in wide arithmetic so they read like the spec.
struct Model {
    count: u64,
    semaphore: bool,
}

/// The largest counter a user write may produce (`fs/eventfd.c` `eventfd_write`, v2.6.34).
const LARGEST_WRITTEN: u128 = u64::MAX as u128 - 1;

/// What one operation returns, and the wake key it produces (if any).
type Outcome = (Result<u64, Errno>, Option<PollMask>);

impl Model {
    fn apply(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Read { len } => {
                if len < 8 {
                    (Err(Errno::EINVAL), None)
                } else if self.count == 0 {
                    (Err(Errno::EAGAIN), None)
                } else {
                    let value = if self.semaphore { 1 } else { self.count };
                    self.count -= value;
                    (Ok(value), Some(PollMask::POLLOUT))
                }
            }
            Op::Write { len, value } => {
                if len < 8 || value == u64::MAX {
                    (Err(Errno::EINVAL), None)
                } else if u128::from(self.count) + u128::from(value) <= LARGEST_WRITTEN {
                    // Kernel quirk: this refuses even a write of 0 once a signal has saturated
                    // the counter at u64::MAX.
                    self.count += value;
                    (Ok(8), Some(PollMask::POLLIN))
                } else {
                    (Err(Errno::EAGAIN), None)
                }
            }
            Op::Signal(n) => {
                let sum = (u128::from(self.count) + u128::from(n)).min(u128::from(u64::MAX));
                let added = sum as u64 - self.count;
                self.count = sum as u64;
                (Ok(added), Some(PollMask::POLLIN))
            }
        }
    }

    fn poll(&self) -> PollMask {
        let mut mask = PollMask::EMPTY;
        if self.count > 0 {
            mask |= PollMask::POLLIN;
        }
        if self.count == u64::MAX {
            mask |= PollMask::POLLERR;
        }
        let mut probe = Model { ..*self };
        if probe.apply(&Op::Write { len: 8, value: 1 }).0.is_ok() {
            mask |= PollMask::POLLOUT;
        }
        mask
    }
}

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..4u64,
        Just(u64::MAX),
        Just(u64::MAX - 1),
        Just(u64::MAX - 2),
        (1..4u64).prop_map(|d| u64::MAX / 2 - d),
        any::<u64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (prop_oneof![3 => Just(8usize), 1 => 0..16usize]).prop_map(|len| Op::Read { len }),
        3 => (prop_oneof![3 => Just(8usize), 1 => 0..16usize], value())
            .prop_map(|(len, value)| Op::Write { len, value }),
        2 => value().prop_map(Op::Signal),
    ]
}

proptest! {
    #[test]
    fn ops_match_model(
        initval in prop_oneof![Just(0u32), Just(1), any::<u32>()],
        semaphore in any::<bool>(),
        ops in prop::collection::vec(op(), 0..40),
    ) {
        let flags = EFD_NONBLOCK | if semaphore { EFD_SEMAPHORE } else { 0 };
        let file = eventfd2(initval, flags).unwrap();
        let ctx = Arc::clone(file.ctx());
        let keys = record_wakes(&ctx);
        let mut model = Model { count: u64::from(initval), semaphore };
        for op in &ops {
            let (expected, key) = model.apply(op);
            let got = match *op {
                Op::Read { len } => {
                    let mut buf = vec![0u8; len];
                    ctx.try_read(&mut buf)
                        .map(|n| {
                            assert_eq!(n, 8);
                            u64::from_ne_bytes(buf[..8].try_into().unwrap())
                        })
                }
                Op::Write { len, value } => {
                    let mut buf = vec![0x5au8; len];
                    let n = len.min(8);
                    buf[..n].copy_from_slice(&value.to_ne_bytes()[..n]);
                    ctx.try_write(&buf).map(|n| n as u64)
                }
                Op::Signal(n) => Ok(ctx.signal(n)),
            };
            prop_assert_eq!(got, expected, "{:?}", op);
            prop_assert_eq!(keys.lock().drain(..).collect::<Vec<_>>(), key.into_iter().collect::<Vec<_>>());
            prop_assert_eq!(ctx.count(), model.count);
            prop_assert_eq!(ctx.poll(), model.poll());
        }
        drop(file);
        prop_assert_eq!(keys.lock().clone(), vec![PollMask::POLLHUP]);
    }
}
