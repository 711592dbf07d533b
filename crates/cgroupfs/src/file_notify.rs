//! `cgroup_file_notify`'s rate limit: at most one `kernfs_notify` per cgroup file every
//! `CGROUP_FILE_NOTIFY_MIN_INTV` jiffies, a notification that comes sooner being deferred to
//! the file's timer.
//!
//! **Kernel:** `kernel/cgroup/cgroup.c` (v6.6) `cgroup_file_notify`: with `last` the jiffies of
//! the file's last notification (`cfile->notified_at`) and `next = last +
//! CGROUP_FILE_NOTIFY_MIN_INTV` (`DIV_ROUND_UP(HZ, 100)`: 3 jiffies, 12 ms, at the simulated
//! `HZ` of 250), a call while `time_in_range(jiffies, last, next)` only brings the file's timer
//! forward to `next` (`timer_reduce`); any other call notifies at once and sets `notified_at`.
//! The timer (`cgroup_file_notify_timer`) calls `cgroup_file_notify` again: at `next` itself
//! the time is still in range and the timer is re-armed for `next`, already past, so it fires
//! at the following tick, `next + 1`, and notifies then. Pollers (`kernfs_generic_poll`:
//! `of->event` against the open node's event count) and inotify watches (`kernfs_notify_workfn`,
//! `FS_MODIFY`) see one event per `kernfs_notify`.
//!
//! **Differences:** the simulator finds that a notifying file changed by comparing its text with
//! the text at its last notification when somebody looks (a read, a poll, the scheduler asking
//! whether a waiting reader can run; see `inotify.rs`), so the change is dated at that look, not
//! at the moment the memory controller or the core counted it; a file nobody has looked at yet
//! has no `notified_at` (the kernel's first notification is never deferred either, the
//! initial `notified_at` being 0, far behind `INITIAL_JIFFIES`). A change and its change back
//! between two looks are not seen.

use cgsim_cgroup::CgroupId;
use cgsim_cgroup::psi_group::{HZ, NSEC_PER_JIFFY};
use std::collections::BTreeMap;

/// `CGROUP_FILE_NOTIFY_MIN_INTV`: `DIV_ROUND_UP(HZ, 100)` jiffies ("let's not notify more than
/// 100 times per second").
pub const CGROUP_FILE_NOTIFY_MIN_INTV: u64 = HZ.div_ceil(100);

/// The notification state of one cgroup file (`struct cgroup_file`'s `notified_at` and
/// `notify_timer`), with the text it had at its last notification.
#[derive(Debug, Default)]
struct CgroupFile {
    /// `cfile->notified_at`, in jiffies; `None` before the first notification.
    notified_at: Option<u64>,
    /// `cfile->notify_timer`'s expiry while it is pending.
    timer: Option<u64>,
    /// `kernfs_notify` calls so far (the open node's `event` count).
    events: u64,
    /// The file's text at its last notification (or when first looked at).
    text: Vec<u8>,
}

/// Every notifying cgroup file somebody has looked at, by cgroup (`K`: a [`CgroupId`]) and
/// file name.
#[derive(Debug)]
pub(crate) struct FileNotifyTable<K = CgroupId> {
    files: BTreeMap<(K, String), CgroupFile>,
}

impl<K> Default for FileNotifyTable<K> {
    fn default() -> Self {
        FileNotifyTable {
            files: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy> FileNotifyTable<K> {
    /// The file `name` of `cgrp` reads `text` at `now_ns`: run its timer if it expired, notify
    /// (or defer) if the text changed since the last notification, and return the number of
    /// notifications so far, which a watcher compares with the count it last reported.
    pub(crate) fn look(&mut self, cgrp: K, name: &str, text: Vec<u8>, now_ns: u64) -> u64 {
        let jiffies = now_ns / NSEC_PER_JIFFY;
        let f = match self.files.get_mut(&(cgrp, name.to_string())) {
            Some(f) => f,
            None => {
                // First look: the current text is the reference; nothing to notify yet.
                self.files.insert(
                    (cgrp, name.to_string()),
                    CgroupFile {
                        text,
                        ..CgroupFile::default()
                    },
                );
                return 0;
            }
        };
        // `cgroup_file_notify_timer`: the timer armed for `next` fires there, finds the time
        // still in range, re-arms for `next` and notifies at the tick after.
        if let Some(next) = f.timer
            && jiffies > next
        {
            f.timer = None;
            f.events += 1;
            f.notified_at = Some(next + 1);
            f.text = text.clone();
        }
        if text != f.text {
            match f.notified_at {
                Some(last) if (last..=last + CGROUP_FILE_NOTIFY_MIN_INTV).contains(&jiffies) => {
                    // `timer_reduce(&cfile->notify_timer, next)`.
                    let next = last + CGROUP_FILE_NOTIFY_MIN_INTV;
                    f.timer = Some(f.timer.map_or(next, |t| t.min(next)));
                }
                _ => {
                    f.events += 1;
                    f.notified_at = Some(jiffies);
                    f.text = text;
                }
            }
        }
        f.events
    }

    /// The cgroup is gone (`cfile->kn` cleared, the timer deleted): forget its files.
    pub(crate) fn forget(&mut self, cgrp: K, name: &str) {
        self.files.remove(&(cgrp, name.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const J: u64 = NSEC_PER_JIFFY;

    #[test]
    fn a_second_change_within_the_interval_is_deferred_to_the_timer() {
        assert_eq!(CGROUP_FILE_NOTIFY_MIN_INTV, 3, "HZ 250");
        let mut t = FileNotifyTable::<u32>::default();
        let c = 1;
        assert_eq!(t.look(c, "memory.events", b"max 0".to_vec(), 100 * J), 0);
        // A change notifies at once.
        assert_eq!(t.look(c, "memory.events", b"max 1".to_vec(), 100 * J), 1);
        // The next one, 1 jiffy later, waits for the timer (armed for jiffy 103)...
        assert_eq!(t.look(c, "memory.events", b"max 2".to_vec(), 101 * J), 1);
        assert_eq!(t.look(c, "memory.events", b"max 3".to_vec(), 103 * J), 1);
        // ... which notifies at jiffy 104, once for both changes.
        assert_eq!(t.look(c, "memory.events", b"max 3".to_vec(), 104 * J), 2);
        assert_eq!(t.look(c, "memory.events", b"max 3".to_vec(), 200 * J), 2);
        // After the interval a change notifies at once again.
        assert_eq!(t.look(c, "memory.events", b"max 4".to_vec(), 200 * J), 3);
    }
}
