//! The counter interface the memcg charge path is generic over.
//!
//! **Kernel:** none as such. memcg called `res_counter_*` up to 3.18 and `page_counter_*` from
//! 3.19 on (`kernel/res_counter.c`; `mm/page_counter.c`; `mm/memcontrol.c` `__mem_cgroup_try_charge`, `mem_cgroup_do_charge`, `try_charge`); this trait names what both provide so one charge path can be
//! compiled against either, chosen by the kernel profile, with no dynamic dispatch.
//!
//! Quantities cross the trait in the units of the caller that uses them: the charge path passes
//! `nr_pages` as [`Pages`] (memcg converted to bytes for res_counter, `PAGE_SIZE * nr_pages`), and
//! the control files read and write [`Bytes`] (what `memory.*_in_bytes` prints).

use std::sync::Arc;

use cgsim_ktypes::{Bytes, CpuId, Errno, Pages, Tracer};

/// A hierarchical resource counter: one node per cgroup, linked to its parent.
///
/// Implemented by [`crate::ResCounter`] (spinlock or mutex) and [`crate::PageCounter`].
///
/// **Invariants** (for every node, whenever no charge is in flight; checked by the property
/// tests in `tests/it/model.rs` and by the types' own `check_invariants`):
/// 1. A successful `try_charge` charged every level from the node to the root; a failed one
///    charged none (all-or-nothing), and only the failing level's `failcnt` moved.
/// 2. A level's usage exceeds its limit only through `charge_nofail` or a limit written without a
///    usage check (2.6.25 `res_counter_write`).
pub trait Counter: std::fmt::Debug + Send + Sync + Sized + 'static {
    /// The kernel's name for this counter type, for tables and traces.
    const KERNEL_NAME: &'static str;

    /// Settings that the kernel version decides (unlimited value, write parser).
    type Profile: Copy + Default + Send + Sync + 'static;

    /// `*_init(counter, NULL)`: a root node. `owner` is an opaque tag the caller chooses (memcg
    /// stores its css id); it is how the caller maps a failing level back to its cgroup, as the
    /// kernel's `container_of` does.
    fn new_root(profile: Self::Profile, owner: usize) -> Self;

    /// `*_init(counter, parent)`: a child node; the profile is inherited.
    fn new_child(parent: &Arc<Self>, owner: usize) -> Self;

    /// The parent level, `None` at the root.
    fn parent(&self) -> Option<&Self>;

    /// The tag given at creation.
    fn owner(&self) -> usize;

    /// Charge `nr` pages to this level and every ancestor, all or nothing.
    ///
    /// `Err(level)` names the level whose limit refused the charge (`limit_fail_at`, `fail`).
    fn try_charge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self>;

    /// The charge that cannot fail: every level is charged even past its limit.
    ///
    /// `Err(level)` reports the first level that was over its limit, where the backend checks
    /// (`res_counter_charge_nofail`); `page_counter_charge` checks nothing and always returns `Ok`.
    fn charge_nofail<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self>;

    /// Uncharge `nr` pages from this level and every ancestor.
    ///
    /// An uncharge of more than a level holds is the kernel's `WARN_ON`: it is reported to the
    /// caller (who prints it to the simulated `dmesg`) and never panics.
    fn uncharge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), Underflow>;

    /// Pages that can still be charged to this level before it hits its limit (0 if over).
    #[doc(alias = "res_counter_margin")]
    #[doc(alias = "mem_cgroup_margin")]
    fn margin(&self) -> Pages;

    /// Current usage, as `usage_in_bytes` prints it.
    fn usage(&self) -> Bytes;
    /// Highest usage seen (`max_usage`, `watermark`), as `max_usage_in_bytes` prints it.
    fn max_usage(&self) -> Bytes;
    /// The limit, as `limit_in_bytes` prints it.
    fn limit(&self) -> Bytes;
    /// The soft limit, as `soft_limit_in_bytes` prints it.
    fn soft_limit(&self) -> Bytes;
    /// How many charges this level refused.
    fn failcnt(&self) -> u64;

    /// Parse a write to a limit file with this counter's (and profile's) rules.
    fn parse_limit(&self, buf: &[u8]) -> Result<Bytes, Errno>;

    /// Set the limit; `EBUSY` (and nothing changed) if usage is above it.
    fn set_limit(&self, limit: Bytes) -> Result<(), Errno>;

    /// Set the soft limit (unconditional).
    fn set_soft_limit(&self, limit: Bytes);

    /// `max_usage := usage` (not zero).
    fn reset_max_usage(&self);

    /// `failcnt := 0`.
    fn reset_failcnt(&self);
}

/// What a stock gives back to its counter when it is drained.
///
/// The kernel's `drain_stock` uncharges the cached memcg's `memory` counter (and `memsw` when
/// swap accounting is on); memcg implements this for its own type to drain both.
pub trait StockTarget: Send + Sync + 'static {
    /// Return `nr` pages held by a stock to the counters.
    fn stock_uncharge(&self, nr: Pages) -> Result<(), Underflow>;
}

/// An uncharge of more than a level held: the kernel's `WARN_ON`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Underflow {
    /// `res_counter` or `page_counter`.
    pub counter: &'static str,
    /// The owner tag of the first level that underflowed.
    pub owner: usize,
    /// What that level held before the uncharge (bytes or pages, the counter's unit).
    pub had: i64,
    /// What was uncharged.
    pub nr: u64,
}

impl std::fmt::Display for Underflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WARNING: {} underflow: usage {} uncharge {}",
            self.counter, self.had, self.nr
        )
    }
}

impl std::error::Error for Underflow {}
