//! `/proc/sys/fs/inotify`: `max_queued_events`, `max_user_instances` and `max_user_watches`,
//! the limits `inotify_init1` and `inotify_add_watch` check.
//!
//! **Kernel:** `fs/notify/inotify/inotify_user.c` `inotify_table` (v2.6.35: three `int`s, mode
//! 0644, `proc_dointvec_minmax` with `extra1 = &zero`; v4.11+ the two per-user ones are
//! `init_user_ns.ucount_max[UCOUNT_INOTIFY_INSTANCES]` and `[UCOUNT_INOTIFY_WATCHES]`, same
//! handler and bounds), `inotify_user_setup` (the boot values), `inotify_new_group`
//! (`max_queued_events` is read when an instance is created: `group->max_events`; EMFILE once
//! the user has `max_user_instances` instances), `inotify_new_watch` (ENOSPC once the user has
//! `max_user_watches` watches; `inc_ucount` allows a new one while the count is below the
//! limit, as 2.6.35's `atomic_read(...) >= inotify_max_user_watches` refuses it).
//!
//! - Boot values: `max_queued_events` 16384 and `max_user_instances` 128 on every preset;
//!   `max_user_watches` 8192 up to 5.10, and from 5.11 (commit 92890123749b, "inotify:
//!   Increase default inotify.max_user_watches limit to 1048576") 1% of the low memory
//!   divided by `INOTIFY_WATCH_COST`, clamped to 8192..1048576.
//! - A write is `proc_dointvec_minmax`'s (`sysctl.rs`): one `int` from 0 to `INT_MAX`,
//!   EINVAL otherwise, the value unchanged. Only root can open the files for writing (0644).
//! - Lowering a limit leaves the instances and watches that exist; only new ones are refused.
//!   A lowered `max_queued_events` applies to instances created afterwards.
//! - The per-user counts belong to the real uid up to 4.10 (`get_current_user()`, the
//!   `user_struct` of `cred->user`) and to the effective uid from 4.11 (`inc_ucount(...,
//!   current_euid(), ...)`).
//!
//! **Differences:** `INOTIFY_WATCH_COST` is `sizeof(struct inotify_inode_mark) + 2 *
//! sizeof(struct inode)`, which depends on the kernel's configuration; cgsim takes 1080 bytes
//! (the per-watch cost on 64-bit kernels that the inotify documentation and tools quote), so
//! the 6.6 default follows the machine's memory (`--mem`) but need not match a given
//! distribution kernel's number. No user namespaces: the limits are `init_user_ns`'s.

use crate::KernelVersion;
use crate::state::State;
use crate::sysctl::dointvec_minmax;
use crate::{Kernel, Tracer};
use cgsim_ktypes::{SysError, SysResult};

/// `INOTIFY_WATCHES_MIN`, `INOTIFY_WATCHES_MAX` (5.11+) and the older fixed default.
const WATCHES_MIN: u64 = 8192;
const WATCHES_MAX: u64 = 1_048_576;
/// `INOTIFY_WATCH_COST` as cgsim takes it (see the module docs).
const INOTIFY_WATCH_COST: u64 = 1080;

/// A file of `/proc/sys/fs/inotify` (`max_queued_events`, `max_user_instances`, `max_user_watches`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InotifySysctl {
    QueuedEvents,
    UserInstances,
    UserWatches,
}

impl InotifySysctl {
    /// In `inotify_table` order (`ls` sorts them anyway).
    pub const ALL: [InotifySysctl; 3] = [
        InotifySysctl::UserInstances,
        InotifySysctl::UserWatches,
        InotifySysctl::QueuedEvents,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InotifySysctl::QueuedEvents => "max_queued_events",
            InotifySysctl::UserInstances => "max_user_instances",
            InotifySysctl::UserWatches => "max_user_watches",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl<T: Tracer> Kernel<T> {
    /// The boot value of `f` (`inotify_user_setup`).
    fn inotify_sysctl_default(&self, f: InotifySysctl) -> i32 {
        match f {
            InotifySysctl::QueuedEvents => crate::inotify::MAX_QUEUED_EVENTS as i32,
            InotifySysctl::UserInstances => crate::inotify::MAX_USER_INSTANCES as i32,
            InotifySysctl::UserWatches if self.params.kernel >= KernelVersion::V6_6 => {
                // si_meminfo: totalram - totalhigh (no high memory on x86_64), in pages.
                let pages = self.mem.config().ram.0 / 4096;
                let v = ((pages / 100) << 12) / INOTIFY_WATCH_COST;
                v.clamp(WATCHES_MIN, WATCHES_MAX) as i32
            }
            InotifySysctl::UserWatches => WATCHES_MIN as i32,
        }
    }

    /// The value of `f` now.
    pub(crate) fn inotify_sysctl(&self, st: &State<T>, f: InotifySysctl) -> i32 {
        st.inotify_sysctl[f.index()].unwrap_or_else(|| self.inotify_sysctl_default(f))
    }

    /// The text `cat` reads (`proc_dointvec`: the number and a newline).
    pub(crate) fn inotify_sysctl_text(&self, st: &State<T>, f: InotifySysctl) -> String {
        format!("{}\n", self.inotify_sysctl(st, f))
    }

    /// A write (the open checked the 0644 mode): `proc_dointvec_minmax` from 0.
    pub(crate) fn inotify_sysctl_write(
        &self,
        st: &mut State<T>,
        f: InotifySysctl,
        data: &[u8],
    ) -> SysResult<usize> {
        let (v, used) = dointvec_minmax(data, 0, i32::MAX)
            .map_err(|e| SysError::new(e, "inotify sysctl: not a number in 0..=INT_MAX"))?;
        st.inotify_sysctl[f.index()] = Some(v);
        Ok(used)
    }

    /// The uid the per-user inotify counts belong to (see the module docs).
    pub(crate) fn inotify_counted_uid(&self, cred: &cgsim_ktypes::Cred) -> u32 {
        if self.params.kernel >= KernelVersion::V4_19 {
            cred.euid.0
        } else {
            cred.uid.0
        }
    }
}
