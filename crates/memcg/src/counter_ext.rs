//! A local adapter over the counters crate: the one operation memcg needs that the `Counter`
//! trait does not name.
//!
//! **Kernel:** `res_counter_uncharge_until(counter, top, val)` (3.x; `kernel/res_counter.c` `res_counter_uncharge`) and the
//! `page_counter_cancel` walk memcg uses to reparent (3.19+; the 6.6 counter with protection too).
//! Moving a charge to a hierarchical parent must lower only the levels below the parent
//! (the parent's counter already holds the page). [`MemCounter::uncharge_until`] is that walk,
//! implemented with `ResCounter::uncharge_until` and `PageCounter::cancel`.

use cgsim_counters::{Counter, PageCounter, ResCounter, ResLock, ResMember, Underflow};
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{Bytes, CpuId, Pages};

/// The counter interface memcg's charge path is generic over.
pub trait MemCounter: Counter {
    /// Uncharge `nr` pages from this level up to, not including, `top` (every level if `None`).
    fn uncharge_until<T: Tracer>(
        &self,
        top: Option<&Self>,
        nr: Pages,
        tracer: &T,
        cpu: CpuId,
    ) -> Result<(), Underflow>;

    /// Store a limit without checking usage (2.6.25–2.6.26 `res_counter_write`, `kernel/res_counter.c` `res_counter_memparse_write_strategy`).
    /// page_counter has no such store; it falls back to the checked `set_limit`.
    fn set_limit_unchecked(&self, limit: Bytes);

    /// Whether a charge of `nr` pages would fit at this level and every ancestor now, read
    /// without taking any lock (the fault fast path's check before it charges, so that a charge
    /// that would fail, and count in `failcnt`, is left to the slow path). Racy by nature: the
    /// charge itself still decides.
    fn fits(&self, nr: Pages) -> bool;

    /// The 6.6 counter with `min`/`low`/`high` behind this one, `None` for the counters
    /// without protection (res_counter, the 3.19 page_counter): what the v2 files and
    /// reclaim's protection checks use.
    fn as_protected(&self) -> Option<&cgsim_counters::ProtectedPageCounter> {
        None
    }
}

impl<L: ResLock> MemCounter for ResCounter<L> {
    fn uncharge_until<T: Tracer>(
        &self,
        top: Option<&Self>,
        nr: Pages,
        tracer: &T,
        cpu: CpuId,
    ) -> Result<(), Underflow> {
        ResCounter::uncharge_until(self, top, nr.to_bytes(), tracer, cpu)
    }

    fn fits(&self, nr: Pages) -> bool {
        let mut c = Some(self);
        while let Some(l) = c {
            let s = l.snapshot();
            if s.usage.saturating_add(nr.to_bytes().0) > s.limit {
                return false;
            }
            c = l.parent();
        }
        true
    }

    fn set_limit_unchecked(&self, limit: Bytes) {
        // res_counter_write stores the parsed number under the lock; a plain decimal parses
        // back to exactly `limit`.
        let _ = self.write(ResMember::Limit, limit.0.to_string().as_bytes(), false);
    }
}

/// The two page_counters (3.19's and 6.6's with protection) share the hierarchy walks: one
/// body, so the walks cannot drift apart.
macro_rules! page_counter_mem_counter {
    ($ty:ty { $($extra:item)* }) => {
        impl MemCounter for $ty {
            fn uncharge_until<T: Tracer>(
                &self,
                top: Option<&Self>,
                nr: Pages,
                _tracer: &T,
                _cpu: CpuId,
            ) -> Result<(), Underflow> {
                let mut first = None;
                let mut c = Some(self);
                while let Some(l) = c {
                    if top.is_some_and(|t| std::ptr::eq(t, l)) {
                        break;
                    }
                    if let Err(u) = l.cancel(nr.0 as i64)
                        && first.is_none()
                    {
                        first = Some(u);
                    }
                    c = Counter::parent(l);
                }
                first.map_or(Ok(()), Err)
            }

            fn fits(&self, nr: Pages) -> bool {
                let mut c = Some(self);
                while let Some(l) = c {
                    if l.read().0.saturating_add(nr.0) > l.max().0 {
                        return false;
                    }
                    c = Counter::parent(l);
                }
                true
            }

            fn set_limit_unchecked(&self, limit: Bytes) {
                let _ = Counter::set_limit(self, limit);
            }

            $($extra)*
        }
    };
}

page_counter_mem_counter!(PageCounter {});

page_counter_mem_counter!(cgsim_counters::ProtectedPageCounter {
    fn as_protected(&self) -> Option<&cgsim_counters::ProtectedPageCounter> {
        Some(self)
    }
});
