//! The Linux eventfd object: a 64-bit counter that user space reads and writes and the kernel
//! signals, with blocking, poll readiness and the hang-up seen when the last user closes it.
//!
//! **Kernel:** `fs/eventfd.c` and `include/linux/eventfd.h`, 2.6.34 behaviour by default
//! (`fs/eventfd.c`; `include/linux/eventfd.h` `EFD_SEMAPHORE`), with profile switches for 2.6.27 – 2.6.31
//! ([`EventfdProfile`]).
//! This crate knows nothing about cgroups: memcg notifications call [`EventfdCtx::signal`] and
//! cgroup event registrations hook a wake function onto the context
//! ([`EventfdCtx::add_wait_queue`]) to learn about `POLLHUP`.
//!
//! * [`eventfd2`] / [`EventfdProfile::eventfd2`] validate the flags and return an
//!   [`EventfdFile`], the user-space reference whose drop is the kernel's `eventfd_release`.
//! * [`EventfdCtx`] (shared as `Arc`) holds the counter. `try_read` / `try_write` never block
//!   (for the simulated VFS and its deterministic scheduler); `read_blocking` /
//!   `write_blocking` / `*_timeout` sleep a real thread.
//!
//! A real thread blocked in a read is woken by a kernel-side signal:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use cgsim_eventfd::{eventfd2, EventfdCtx, PollMask};
//!
//! let file = eventfd2(0, 0).unwrap();
//! let ctx: Arc<EventfdCtx> = Arc::clone(file.ctx()); // what a cgroup event registration keeps
//! let reader = std::thread::spawn({
//!     let ctx = Arc::clone(&ctx);
//!     move || {
//!         let mut buf = [0u8; 8];
//!         // A generous timeout, so a bug cannot hang the test; EINTR would report it.
//!         ctx.read_timeout(&mut buf, Duration::from_secs(60)).map(|_| u64::from_ne_bytes(buf))
//!     }
//! });
//! assert_eq!(ctx.signal(1), 1); // eventfd_signal(ctx, 1)
//! assert_eq!(reader.join().unwrap(), Ok(1));
//! assert_eq!(ctx.poll(), PollMask::POLLOUT); // counter back to 0
//! ```

#![forbid(unsafe_code)]

mod ctx;
mod file;
mod poll;

pub use ctx::{EventfdCtx, WaitQueueId, WakeFn};
pub use file::{EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE, EventfdFile, EventfdProfile, eventfd2};
pub use poll::PollMask;
