//! Creating an eventfd: the flags, the version profile, and the open file that owns the
//! user-space reference.
//!
//! **Kernel:** `sys_eventfd`, `sys_eventfd2`, `eventfd_file_create`, `eventfd_fops.release`
//! in `fs/eventfd.c` (2.6.27 – 2.6.34; `sys_eventfd2`, `eventfd_release`, `include/linux/eventfd.h`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cgsim_ktypes::Errno;

use crate::ctx::EventfdCtx;

/// Reads decrement the counter by one instead of zeroing it (`fs/eventfd.c` `eventfd_read`, 2.6.30+).
pub const EFD_SEMAPHORE: i32 = 1;
/// `O_NONBLOCK` on the file (x86 value, 2.6.27+).
pub const EFD_NONBLOCK: i32 = 0o4000;
/// Close-on-exec on the descriptor (`O_CLOEXEC`, x86 value, 2.6.27+).
pub const EFD_CLOEXEC: i32 = 0o2000000;

/// The eventfd switches of one kernel version.
///
/// `eventfd.semaphore`: whether `EFD_SEMAPHORE` is accepted (2.6.30+; before, it is an
/// unknown flag and `eventfd2` fails with `EINVAL`).
/// `eventfd.pollhup_on_close`: whether closing the last file reference wakes the wait queue
/// with `POLLHUP` (2.6.31+; cgroup event unregistration depends on it, `kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct EventfdProfile {
    pub semaphore: bool,
    pub pollhup_on_close: bool,
}

impl EventfdProfile {
    /// The default profile, 2.6.34 semantics (`fs/eventfd.c`): both switches on.
    pub const SEED: EventfdProfile = EventfdProfile {
        semaphore: true,
        pollhup_on_close: true,
    };
    /// 2.6.27 – 2.6.29: `eventfd2` with `EFD_NONBLOCK`/`EFD_CLOEXEC` only, silent close.
    pub const V2_6_27: EventfdProfile = EventfdProfile {
        semaphore: false,
        pollhup_on_close: false,
    };
    /// 2.6.30: semaphore mode, still a silent close.
    pub const V2_6_30: EventfdProfile = EventfdProfile {
        semaphore: true,
        pollhup_on_close: false,
    };

    /// The flags `eventfd2` accepts (`EFD_FLAGS_SET`).
    #[doc(alias = "EFD_FLAGS_SET")]
    pub fn allowed_flags(self) -> i32 {
        let shared = EFD_CLOEXEC | EFD_NONBLOCK;
        if self.semaphore {
            shared | EFD_SEMAPHORE
        } else {
            shared
        }
    }

    /// Create an eventfd whose counter starts at `initval`.
    ///
    /// **Kernel:** `sys_eventfd2` → `eventfd_file_create` (`fs/eventfd.c`, v2.6.34). A flag bit outside
    /// [`EventfdProfile::allowed_flags`] → `EINVAL`. `EFD_SEMAPHORE` stays with the context;
    /// `EFD_NONBLOCK` and `EFD_CLOEXEC` become file and descriptor flags.
    /// **Differences:** `EMFILE`/`ENFILE` belong to the VFS's descriptor table, which installs
    /// the returned file; `ENOMEM` cannot happen.
    #[doc(alias = "sys_eventfd2")]
    #[doc(alias = "eventfd_file_create")]
    pub fn eventfd2(self, initval: u32, flags: i32) -> Result<EventfdFile, Errno> {
        if flags & !self.allowed_flags() != 0 {
            return Err(Errno::EINVAL);
        }
        let ctx = EventfdCtx::new(
            u64::from(initval),
            flags & EFD_SEMAPHORE,
            self.pollhup_on_close,
        );
        Ok(EventfdFile {
            ctx: Arc::new(ctx),
            nonblock: AtomicBool::new(flags & EFD_NONBLOCK != 0),
            cloexec: flags & EFD_CLOEXEC != 0,
        })
    }

    /// The original syscall: `eventfd2(initval, 0)` (`fs/eventfd.c` `sys_eventfd2`, 2.6.22+).
    #[doc(alias = "sys_eventfd")]
    pub fn eventfd(self, initval: u32) -> Result<EventfdFile, Errno> {
        self.eventfd2(initval, 0)
    }
}

impl Default for EventfdProfile {
    fn default() -> EventfdProfile {
        EventfdProfile::SEED
    }
}

/// [`EventfdProfile::eventfd2`] under the SEED profile.
#[doc(alias = "sys_eventfd2")]
pub fn eventfd2(initval: u32, flags: i32) -> Result<EventfdFile, Errno> {
    EventfdProfile::SEED.eventfd2(initval, flags)
}

/// The user-space side of an eventfd: the anonymous-inode file `[eventfd]`, opened read-write.
///
/// Owning this value is owning the file's one reference to the context. Dropping it (or
/// calling [`EventfdFile::close`]) is the release of the last file reference: the context is
/// woken with `POLLHUP` (profile switch `pollhup_on_close`) and the file's `Arc` is dropped,
/// while kernel-side holders of the context keep it alive.
///
/// **Kernel:** the `struct file` made by `anon_inode_getfile("[eventfd]", &eventfd_fops, ...)`
/// and its `release` operation, `eventfd_release` (`fs/eventfd.c`, v2.6.34).
/// **Differences:** descriptor-level state (the close-on-exec bit, `dup`, `fork` sharing) is the
/// VFS's: it wraps this value in its own reference-counted open-file object, so that the drop
/// happens when the *last* descriptor goes. Because the drop runs wake functions, the VFS should
/// drop it after releasing its own locks (see [`EventfdCtx`]'s **Locking:**).
#[derive(Debug)]
pub struct EventfdFile {
    ctx: Arc<EventfdCtx>,
    /// `O_NONBLOCK` in `f_flags`; `fcntl(F_SETFL)` may change it.
    nonblock: AtomicBool,
    /// `EFD_CLOEXEC` as given at creation, for the descriptor the VFS installs.
    cloexec: bool,
}

impl EventfdFile {
    /// The name of the anonymous inode, as `/proc/PID/fd` links show it (`anon_inode:[eventfd]`).
    pub const NAME: &'static str = "[eventfd]";

    /// The context, for I/O on behalf of this file; clone the `Arc` to keep a kernel-side
    /// reference that outlives the file.
    #[doc(alias = "eventfd_ctx_fileget")]
    pub fn ctx(&self) -> &Arc<EventfdCtx> {
        &self.ctx
    }

    /// Whether the file is `O_NONBLOCK`.
    pub fn nonblock(&self) -> bool {
        self.nonblock.load(Ordering::Relaxed)
    }

    /// `fcntl(F_SETFL)` on `O_NONBLOCK`.
    pub fn set_nonblock(&self, nonblock: bool) {
        self.nonblock.store(nonblock, Ordering::Relaxed);
    }

    /// Whether `EFD_CLOEXEC` was given, i.e. the new descriptor is close-on-exec.
    pub fn cloexec(&self) -> bool {
        self.cloexec
    }

    /// Release the last file reference now (same as dropping).
    #[doc(alias = "eventfd_release")]
    pub fn close(self) {
        drop(self);
    }
}

impl Drop for EventfdFile {
    fn drop(&mut self) {
        self.ctx.release();
    }
}
