//! The eventfd context: a 64-bit counter, its wait queue, and the read, write, signal and poll
//! rules.
//!
//! **Kernel:** `struct eventfd_ctx`, `eventfd_read`, `eventfd_write`, `eventfd_signal`,
//! `eventfd_poll`, `eventfd_release` in `fs/eventfd.c`, 2.6.34.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cgsim_ktypes::Errno;
use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::poll::PollMask;

/// A wake function hooked onto an eventfd's wait queue, called with the wake-up key.
///
/// **Kernel:** `wait_queue_func_t` plus the `wait_queue_t` it belongs to
/// (`cgroup_event_wake` for cgroup events, `default_wake_function` for a sleeping task).
pub type WakeFn = Box<dyn Fn(PollMask) + Send + Sync>;

/// Names one entry of an eventfd's wait queue, for [`EventfdCtx::remove_wait_queue`].
///
/// Ids are never reused within one context.
#[doc(alias = "wait_queue_t")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WaitQueueId(u64);

/// The eventfd object: a `u64` counter, the semaphore flag and a wait queue.
///
/// Shared as `Arc<EventfdCtx>`: the open file ([`crate::EventfdFile`]) holds one reference and
/// every kernel-side user (a cgroup event registration, `kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34) holds its own, so the context
/// outlives the file exactly as with `eventfd_ctx_get`/`eventfd_ctx_put` (`fs/eventfd.c` `eventfd_release`, v2.6.34).
///
/// The methods come in three flavours:
/// * `try_read` / `try_write` never block and return `EAGAIN` where the kernel would sleep.
///   The simulated VFS calls these; for a blocking file in a simulated process it parks the
///   process and retries after a wake-up (see [`EventfdCtx::add_wait_queue`]).
/// * `read_blocking` / `write_blocking` (and the `_timeout` variants) put the calling *real*
///   thread to sleep, for Rust programs that use the library directly.
/// * `signal` is the kernel-side increment used by notifications; it never blocks.
///
/// **Kernel:** `struct eventfd_ctx` (`fs/eventfd.c`, 2.6.34): `kref`, `wqh`, `count`, `flags`.
///
/// **Differences:** the reference count is the `Arc`'s.
/// Wake functions run *after* the lock is dropped, not under `wqh.lock` as in the kernel (see
/// **Locking:**), and blocked real threads sleep on a `Condvar` rather than as wait-queue entries.
///
/// **Locking:** one mutex stands in for `wqh.lock` and guards the counter and the list of wait
/// entries together, as the kernel's spinlock does. It is a leaf lock: no other lock is taken
/// and no callback is called while it is held.
/// Lock order: any lock the caller holds -> `EventfdCtx` lock (leaf).
/// Wake functions are called with the waker's own locks still held (a memcg signalling a
/// threshold may hold its threshold lock), so a wake function must not take locks that its
/// wakers may hold; like the kernel's `cgroup_event_wake`, it should record the event and defer
/// heavy work. A wake function may call back into this context (`remove_wait_queue`, `poll`,
/// even `signal`: the kernel refuses such recursion from 5.x on, this model allows it).
/// Because the list of wake functions is copied before they are called, a wake-up already in
/// flight on another thread may still call an entry once after `remove_wait_queue` returned; in
/// the single-threaded deterministic simulation this cannot happen.
#[doc(alias = "eventfd_ctx")]
pub struct EventfdCtx {
    /// `wqh.lock` with what it protects.
    wqh: Mutex<WaitQueueHead>,
    /// Real threads sleeping in `read_blocking` / `write_blocking`.
    sleepers: Condvar,
    /// `EFD_SEMAPHORE` or 0: the only flag the context keeps (`fs/eventfd.c` `struct eventfd_ctx`, v2.6.34).
    flags: i32,
    /// Profile switch `eventfd.pollhup_on_close`.
    pollhup_on_close: bool,
}

/// A [`WakeFn`] that a wake-up can copy out of the list before calling it.
type SharedWakeFn = Arc<dyn Fn(PollMask) + Send + Sync>;

/// `ctx->count` and `ctx->wqh` under one lock.
struct WaitQueueHead {
    count: u64,
    /// Wait entries in insertion order; woken newest first (see [`EventfdCtx::add_wait_queue`]).
    entries: Vec<(WaitQueueId, SharedWakeFn)>,
    next_id: u64,
    /// Real threads currently waiting on `sleepers`.
    nr_sleepers: usize,
    /// Set once by `release`.
    released: bool,
}

/// The outcome of one attempt of a blocking operation under the lock.
enum Attempt {
    /// Done: return this many bytes and wake the queue with this key.
    Done(usize, PollMask),
    /// The kernel would sleep.
    WouldBlock,
}

/// Bytes transferred by every successful read or write: one native-endian `u64`.
const EVENTFD_SIZE: usize = std::mem::size_of::<u64>();

impl EventfdCtx {
    /// A new context with `count` and the kept `flags` (`EFD_SEMAPHORE` or 0).
    pub(crate) fn new(count: u64, flags: i32, pollhup_on_close: bool) -> EventfdCtx {
        EventfdCtx {
            wqh: Mutex::new(WaitQueueHead {
                count,
                entries: Vec::new(),
                next_id: 0,
                nr_sleepers: 0,
                released: false,
            }),
            sleepers: Condvar::new(),
            flags,
            pollhup_on_close,
        }
    }

    /// The current counter (`eventfd-count` of `/proc/PID/fdinfo` in 3.8+).
    pub fn count(&self) -> u64 {
        self.wqh.lock().count
    }

    /// The flags the context keeps: `EFD_SEMAPHORE` or 0.
    pub fn flags(&self) -> i32 {
        self.flags
    }

    /// Whether reads decrement by one (`EFD_SEMAPHORE`, `fs/eventfd.c` `eventfd_read`, v2.6.34).
    pub fn is_semaphore(&self) -> bool {
        self.flags & crate::EFD_SEMAPHORE != 0
    }

    /// Whether the last file reference has been closed ([`crate::EventfdFile`] dropped).
    pub fn is_released(&self) -> bool {
        self.wqh.lock().released
    }

    /// Read without sleeping: fill `buf[..8]` with the counter and return 8.
    ///
    /// **Kernel:** `eventfd_read` with `O_NONBLOCK` (`fs/eventfd.c`, v2.6.34).
    /// `buf` shorter than 8 bytes → `EINVAL`, checked first, even when the counter is non-zero.
    /// Counter 0 → `EAGAIN`. Otherwise the value written is the whole counter, which becomes 0,
    /// or 1 in semaphore mode, which decrements it; bytes past the eighth are left alone.
    /// A successful read wakes the wait queue with `POLLOUT`.
    ///
    /// **Differences:** for a blocking file the kernel would sleep where this returns `EAGAIN`;
    /// the caller (the simulated VFS) decides to park the process.
    #[doc(alias = "eventfd_read")]
    pub fn try_read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        check_len(buf.len())?;
        self.block_on(Wait::Never, |head| self.do_read(head, buf))
    }

    /// Read, sleeping the calling thread while the counter is 0 (a blocking `read(2)`).
    ///
    /// **Kernel:** `eventfd_read` without `O_NONBLOCK` (`fs/eventfd.c`, v2.6.34).
    /// **Differences:** there are no signals, so this can only return when the counter becomes
    /// non-zero; use [`EventfdCtx::read_timeout`] when that might never happen.
    pub fn read_blocking(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        check_len(buf.len())?;
        self.block_on(Wait::Forever, |head| self.do_read(head, buf))
    }

    /// [`EventfdCtx::read_blocking`] that gives up after `timeout` with `EINTR`, as a read
    /// interrupted by an `alarm(2)` would, leaving the counter unchanged.
    pub fn read_timeout(&self, buf: &mut [u8], timeout: Duration) -> Result<usize, Errno> {
        check_len(buf.len())?;
        self.block_on(Wait::timeout(timeout), |head| self.do_read(head, buf))
    }

    /// Write without sleeping: add the native-endian `u64` in `buf[..8]` and return 8.
    ///
    /// **Kernel:** `eventfd_write` with `O_NONBLOCK` (`fs/eventfd.c`, v2.6.34), checks in the kernel's order:
    /// `buf` shorter than 8 bytes → `EINVAL`; value `0xffffffffffffffff` → `EINVAL`; a sum that
    /// would exceed `0xfffffffffffffffe` → `EAGAIN`. Bytes past the eighth are ignored.
    /// Every successful write wakes the queue with `POLLIN`, even a write of 0 (waiters recheck
    /// and sleep again).
    ///
    /// **Differences:** as for [`EventfdCtx::try_read`], `EAGAIN` also stands for "would sleep".
    #[doc(alias = "eventfd_write")]
    pub fn try_write(&self, buf: &[u8]) -> Result<usize, Errno> {
        let value = parse_write(buf)?;
        self.block_on(Wait::Never, |head| do_write(head, value))
    }

    /// Write, sleeping the calling thread until a read makes room (a blocking `write(2)`).
    pub fn write_blocking(&self, buf: &[u8]) -> Result<usize, Errno> {
        let value = parse_write(buf)?;
        self.block_on(Wait::Forever, |head| do_write(head, value))
    }

    /// [`EventfdCtx::write_blocking`] that gives up after `timeout` with `EINTR`.
    pub fn write_timeout(&self, buf: &[u8], timeout: Duration) -> Result<usize, Errno> {
        let value = parse_write(buf)?;
        self.block_on(Wait::timeout(timeout), |head| do_write(head, value))
    }

    /// Add `n` to the counter from kernel code, saturating at `u64::MAX`; return the amount
    /// actually added. Never blocks. Wakes the queue with `POLLIN`, even when nothing could be
    /// added.
    ///
    /// **Kernel:** `eventfd_signal(ctx, n)` (`fs/eventfd.c`, v2.6.34), called with `n = 1` by cgroup
    /// notifications. Saturation is how the counter can reach `u64::MAX`, which user writes
    /// never can; `poll` then reports `POLLERR` and a read returns `0xffffffffffffffff`.
    ///
    /// **Differences:** `n` is a `u64` as in 4.9+; in 2.6.34 it is an `int` and a negative `n`
    /// gives `EINVAL`, which callers in this simulator never pass.
    #[doc(alias = "eventfd_signal")]
    pub fn signal(&self, n: u64) -> u64 {
        let mut head = self.wqh.lock();
        let added = n.min(u64::MAX - head.count);
        head.count += added;
        self.wake(head, PollMask::POLLIN);
        added
    }

    /// The readiness mask: `POLLIN` if the counter is non-zero, `POLLERR` if it is `u64::MAX`,
    /// `POLLOUT` if a write of 1 would succeed (counter below `u64::MAX - 1`).
    ///
    /// **Kernel:** `eventfd_poll` (`fs/eventfd.c`, v2.6.34). `POLLHUP` is never part of the mask.
    /// **Differences:** the kernel's `poll_wait` registration is a separate call here,
    /// [`EventfdCtx::add_wait_queue`].
    #[doc(alias = "eventfd_poll")]
    pub fn poll(&self) -> PollMask {
        poll_mask(self.wqh.lock().count)
    }

    /// Hook `func` onto the wait queue; it is called with the key of every wake-up until
    /// [`EventfdCtx::remove_wait_queue`]: `POLLIN` after a write or signal, `POLLOUT` after a
    /// read, `POLLHUP` when the last file reference is closed.
    ///
    /// **Kernel:** `add_wait_queue` on `ctx->wqh`, as done by `poll_wait` from
    /// `cgroup_event_ptable_queue_proc` (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34).
    /// Entries are added at the head of the list and a wake-up walks it from the head, so the
    /// most recently added entry is called first.
    /// **Differences:** the key is always passed; see the type-level **Locking:** paragraph for
    /// when the function runs.
    pub fn add_wait_queue(&self, func: WakeFn) -> WaitQueueId {
        let mut head = self.wqh.lock();
        let id = WaitQueueId(head.next_id);
        head.next_id += 1;
        head.entries.push((id, Arc::from(func)));
        id
    }

    /// Unhook a wait entry; return whether it was still on the queue.
    ///
    /// **Kernel:** `remove_wait_queue` (`kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34).
    pub fn remove_wait_queue(&self, id: WaitQueueId) -> bool {
        let mut head = self.wqh.lock();
        let before = head.entries.len();
        head.entries.retain(|(entry, _)| *entry != id);
        head.entries.len() != before
    }

    /// Whether anyone waits: a wait entry or a sleeping thread.
    #[doc(alias = "waitqueue_active")]
    pub fn has_waiters(&self) -> bool {
        let head = self.wqh.lock();
        !head.entries.is_empty() || head.nr_sleepers > 0
    }

    /// Number of real threads sleeping in a blocking read or write.
    pub fn nr_sleepers(&self) -> usize {
        self.wqh.lock().nr_sleepers
    }

    /// The last file reference is gone: wake the queue with `POLLHUP` (profile switch
    /// `eventfd.pollhup_on_close`, 2.6.31+). Kernel-side references keep the context alive.
    ///
    /// **Kernel:** `eventfd_release` (`fs/eventfd.c`, v2.6.34; `kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34).
    pub(crate) fn release(&self) {
        let mut head = self.wqh.lock();
        head.released = true;
        if self.pollhup_on_close {
            self.wake(head, PollMask::POLLHUP);
        }
    }

    /// One read attempt under the lock.
    ///
    /// **Kernel:** `eventfd_ctx_do_read` (later kernels' name for the same step).
    fn do_read(&self, head: &mut WaitQueueHead, buf: &mut [u8]) -> Attempt {
        if head.count == 0 {
            return Attempt::WouldBlock;
        }
        let value = if self.is_semaphore() { 1 } else { head.count };
        head.count -= value;
        buf[..EVENTFD_SIZE].copy_from_slice(&value.to_ne_bytes());
        Attempt::Done(EVENTFD_SIZE, PollMask::POLLOUT)
    }

    /// Retry `attempt` under the lock until it is done, sleeping on the condvar in between as
    /// `wait` allows. The condition is checked before the deadline after every wake-up, as the
    /// kernel checks the counter before `signal_pending`.
    fn block_on(
        &self,
        wait: Wait,
        mut attempt: impl FnMut(&mut WaitQueueHead) -> Attempt,
    ) -> Result<usize, Errno> {
        let mut head = self.wqh.lock();
        loop {
            if let Attempt::Done(n, key) = attempt(&mut head) {
                self.wake(head, key);
                return Ok(n);
            }
            let deadline = match wait {
                Wait::Never => return Err(Errno::EAGAIN),
                Wait::Forever => None,
                Wait::Until(d) if Instant::now() >= d => return Err(Errno::EINTR),
                Wait::Until(d) => Some(d),
            };
            head.nr_sleepers += 1;
            match deadline {
                Some(d) => {
                    self.sleepers.wait_until(&mut head, d);
                }
                None => self.sleepers.wait(&mut head),
            }
            head.nr_sleepers -= 1;
        }
    }

    /// Wake the queue with `key`: blocked real threads recheck, and every wait entry's
    /// function is called (newest first) after the lock is dropped.
    ///
    /// **Kernel:** `wake_up_locked_poll` / `wake_up_poll` on `ctx->wqh`.
    fn wake(&self, head: MutexGuard<'_, WaitQueueHead>, key: PollMask) {
        if head.nr_sleepers > 0 {
            self.sleepers.notify_all();
        }
        if head.entries.is_empty() {
            return;
        }
        let funcs: Vec<_> = head
            .entries
            .iter()
            .rev()
            .map(|(_, f)| Arc::clone(f))
            .collect();
        drop(head);
        // Lock order: the ctx lock is released before any wake function runs.
        for func in funcs {
            func(key);
        }
    }
}

impl std::fmt::Debug for EventfdCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head = self.wqh.lock();
        f.debug_struct("EventfdCtx")
            .field("count", &head.count)
            .field("flags", &self.flags)
            .field("nr_wait_entries", &head.entries.len())
            .field("nr_sleepers", &head.nr_sleepers)
            .field("released", &head.released)
            .finish()
    }
}

/// The readiness of a counter (`fs/eventfd.c` `eventfd_poll`, v2.6.34).
fn poll_mask(count: u64) -> PollMask {
    let mut mask = PollMask::EMPTY;
    if count > 0 {
        mask |= PollMask::POLLIN;
    }
    if count == u64::MAX {
        mask |= PollMask::POLLERR;
    }
    if count < u64::MAX - 1 {
        mask |= PollMask::POLLOUT;
    }
    mask
}

/// Reads and writes move exactly one `u64`; a shorter buffer is `EINVAL` (`fs/eventfd.c` `eventfd_read`, `eventfd_write`, v2.6.34).
fn check_len(len: usize) -> Result<(), Errno> {
    if len < EVENTFD_SIZE {
        Err(Errno::EINVAL)
    } else {
        Ok(())
    }
}

/// The value of a write, with the checks the kernel makes before taking the lock (`fs/eventfd.c` `eventfd_write`, v2.6.34).
fn parse_write(buf: &[u8]) -> Result<u64, Errno> {
    check_len(buf.len())?;
    let mut bytes = [0; EVENTFD_SIZE];
    bytes.copy_from_slice(&buf[..EVENTFD_SIZE]);
    let value = u64::from_ne_bytes(bytes);
    if value == u64::MAX {
        return Err(Errno::EINVAL);
    }
    Ok(value)
}

/// One write attempt under the lock: room means `count + value <= u64::MAX - 1`.
fn do_write(head: &mut WaitQueueHead, value: u64) -> Attempt {
    // Kernel quirk: the test is `ULLONG_MAX - count > value`, so even a write of 0 would block
    // when a signal saturated the counter.
    if u64::MAX - head.count > value {
        head.count += value;
        Attempt::Done(EVENTFD_SIZE, PollMask::POLLIN)
    } else {
        Attempt::WouldBlock
    }
}

/// How long a blocked operation may sleep.
#[derive(Copy, Clone)]
enum Wait {
    /// `O_NONBLOCK`: `EAGAIN` instead of sleeping.
    Never,
    /// Until the operation can complete.
    Forever,
    /// Until then, then `EINTR`.
    Until(Instant),
}

impl Wait {
    /// `now + timeout`, or forever when that is beyond what `Instant` can represent.
    fn timeout(timeout: Duration) -> Wait {
        Instant::now()
            .checked_add(timeout)
            .map_or(Wait::Forever, Wait::Until)
    }
}
