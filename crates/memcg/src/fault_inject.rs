//! Where the memory side allocates, as `fail_page_alloc` and `failslab` sites.
//!
//! **Kernel:** `mm/page_alloc.c` `should_fail_alloc_page` at the top of `__alloc_pages_nodemask`
//! (a failed check returns NULL at once: no reclaim, no OOM kill there), `mm/memory.c`
//! `do_anonymous_page` / `do_wp_page` / `do_swap_page` and `mm/shmem.c` `shmem_getpage` (a NULL
//! page ends the fault in `VM_FAULT_OOM`), `arch/x86/mm/fault.c` `mm_fault_error` →
//! `mm/oom_kill.c` `pagefault_out_of_memory` (the global OOM killer, then the fault is retried),
//! `mm/filemap.c` `grab_cache_page_write_begin` (a page-cache page for `write(2)`: ENOMEM),
//! `mm/memcontrol.c` `mem_cgroup_usage_register_event` (the new threshold array, after the
//! crossed thresholds were signalled) and `mem_cgroup_oom_register_event` (the list entry), all
//! v2.6.35; `mm/swap_state.c` `add_to_swap` (the swap cache's radix-tree node: on failure
//! the slot is freed and the page stays in memory, activated).
//!
//! **Differences:** a retried fault whose page allocation keeps failing loops in the kernel
//! until the OOM killer picks the faulting task; here the fault gives up with ENOMEM when the
//! OOM killer found nothing to kill (the kernel would spin). A page-cache read fails the same
//! way as a write (the kernel's `page_cache_read` also returns ENOMEM). The kernel allocates
//! a swap-cache radix-tree node only when its per-CPU preload pool ran low; here every
//! swap-out asks (under a steady failure the kernel's pool stays short, so it fails likewise).

use crate::counter_ext::MemCounter;
use crate::machine::{FaultError, MemoryMachine, World};
use cgsim_ktypes::fault::{Site, gfp};
use cgsim_ktypes::{CpuId, Errno, FaultInjection, Pid, Tracer};
use std::sync::Arc;

const PAGE_FAULT: Site = Site {
    frames: &[
        "alloc_pages_current",
        "do_anonymous_page",
        "handle_mm_fault",
        "do_page_fault",
        "page_fault",
    ],
    size: 0,
    gfp: gfp::HIGHUSER_MOVABLE,
};

const PAGE_CACHE: Site = Site {
    frames: &[
        "__page_cache_alloc",
        "grab_cache_page_write_begin",
        "generic_file_buffered_write",
        "__generic_file_aio_write",
        "generic_file_aio_write",
        "do_sync_write",
        "vfs_write",
        "sys_write",
        "system_call_fastpath",
    ],
    size: 0,
    gfp: gfp::HIGHUSER_MOVABLE,
};

/// The swap cache's radix-tree node in `add_to_swap` (reached from reclaim).
const SWAP_CACHE_NODE: Site = Site {
    frames: &[
        "kmem_cache_alloc",
        "radix_tree_preload",
        "add_to_swap_cache",
        "add_to_swap",
        "shrink_page_list",
        "shrink_inactive_list",
        "shrink_zone",
        "do_try_to_free_pages",
        "try_to_free_mem_cgroup_pages",
    ],
    size: 560,
    gfp: gfp::HIGH | gfp::NOMEMALLOC | gfp::NOWARN,
};

const EVENT_TAIL: [&str; 5] = [
    "cgroup_write_event_control",
    "cgroup_file_write",
    "vfs_write",
    "sys_write",
    "system_call_fastpath",
];

/// `mem_cgroup_usage_register_event`'s new array of `entries` thresholds.
pub(crate) fn threshold_ary_site(entries: usize) -> Site {
    Site {
        frames: &[
            "__kmalloc",
            "mem_cgroup_usage_register_event",
            EVENT_TAIL[0],
            EVENT_TAIL[1],
            EVENT_TAIL[2],
            EVENT_TAIL[3],
            EVENT_TAIL[4],
        ],
        size: 16 + 16 * entries,
        gfp: gfp::KERNEL,
    }
}

/// `mem_cgroup_oom_register_event`'s `struct mem_cgroup_eventfd_list`.
pub(crate) const OOM_EVENT: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "mem_cgroup_oom_register_event",
        EVENT_TAIL[0],
        EVENT_TAIL[1],
        EVENT_TAIL[2],
        EVENT_TAIL[3],
        EVENT_TAIL[4],
    ],
    size: 24,
    gfp: gfp::KERNEL,
};

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Share the machine's fault injection with the memory side: page allocations in faults
    /// and the page cache, and the notification registrations, ask it from now on.
    pub fn set_fault_injection(&self, f: Arc<FaultInjection>) {
        self.lock().host.fault = Some(f);
    }

    /// The shared fault injection, if any (taken before the events' own lock: the world lock
    /// comes first in the lock order).
    pub(crate) fn fault_injection(&self) -> Option<Arc<FaultInjection>> {
        self.lock().host.fault.clone()
    }
}

impl<C: MemCounter> World<C> {
    /// `alloc_pages` in a user fault: on an injected failure the fault ends in `VM_FAULT_OOM`,
    /// `pagefault_out_of_memory` runs the global OOM killer, and the fault is retried.
    pub(crate) fn fail_page_alloc_in_fault<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
    ) -> Result<(), FaultError> {
        loop {
            let Some(f) = &self.host.fault else {
                return Ok(());
            };
            if !f.should_fail_alloc_page(&PAGE_FAULT) {
                return Ok(());
            }
            let _f = cgsim_ktypes::trace::func(t, cpu, "pagefault_out_of_memory");
            let killed = self.global_oom(t, cpu, pid);
            if self.tasks.get(&pid).is_none_or(|t| t.memdie) {
                return Err(FaultError::OomKilled);
            }
            if !killed {
                return Err(FaultError::Errno(Errno::ENOMEM));
            }
        }
    }

    /// `add_to_swap` → `add_to_swap_cache`'s radix-tree node (`__GFP_HIGH | __GFP_NOMEMALLOC |
    /// __GFP_NOWARN`: it cannot sleep, so `ignore-gfp-wait` does not spare it). On failure the
    /// slot goes back (`swapcache_free`) and the page is activated instead of swapped out.
    pub(crate) fn add_to_swap_fails(&self) -> bool {
        self.host
            .fault
            .as_ref()
            .is_some_and(|f| f.should_failslab(&SWAP_CACHE_NODE))
    }

    /// `__page_cache_alloc` for `read(2)`/`write(2)`: an injected failure is ENOMEM.
    pub(crate) fn fail_page_alloc_in_cache(&self) -> Result<(), FaultError> {
        match &self.host.fault {
            Some(f) if f.should_fail_alloc_page(&PAGE_CACHE) => {
                Err(FaultError::Errno(Errno::ENOMEM))
            }
            _ => Ok(()),
        }
    }
}
