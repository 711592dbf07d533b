//! Where `kernel/cgroup.c` (v2.6.35) allocates, as `failslab` sites.
//!
//! **Kernel:** `cgroup_create` (`kzalloc` of the cgroup, then each `subsys->create`'s css),
//! `find_css_set` (`kmalloc` of the css_set, then `allocate_cg_links`: one `cg_cgroup_link` per
//! hierarchy), `cgroup_get_sb` (`cgroup_root_from_opts`' `kzalloc` of the root, then
//! `allocate_cg_links(css_set_count)` for a new hierarchy). Every one is `GFP_KERNEL`, so
//! `failslab` fails them only with `ignore-gfp-wait` cleared.
//! Each caller unwinds as the kernel does: nothing the operation started stays changed.
//!
//! **Differences:** a subsystem's `create` is one allocation here (memcg's `mem_cgroup_alloc`,
//! its per-cpu statistics and per-zone info are three in 2.6.35; any of them failing gives the
//! same ENOMEM with nothing left behind). The sizes are estimates of the x86_64 structures.

use crate::core::CgroupCore;
use cgsim_ktypes::fault::{Site, gfp};
use cgsim_ktypes::{FaultInjection, Tracer};
use std::sync::Arc;

pub(crate) const CGROUP: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "cgroup_mkdir",
        "vfs_mkdir",
        "sys_mkdirat",
        "sys_mkdir",
        "system_call_fastpath",
    ],
    size: 400,
    gfp: gfp::KERNEL,
};

pub(crate) const ROOT: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "cgroup_get_sb",
        "vfs_kern_mount",
        "do_kern_mount",
        "do_mount",
        "sys_mount",
        "system_call_fastpath",
    ],
    size: 4600,
    gfp: gfp::KERNEL,
};

pub(crate) const ROOT_LINKS: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "allocate_cg_links",
        "cgroup_get_sb",
        "vfs_kern_mount",
        "do_kern_mount",
        "do_mount",
        "sys_mount",
        "system_call_fastpath",
    ],
    size: 40,
    gfp: gfp::KERNEL,
};

const ATTACH_TAIL: [&str; 5] = [
    "cgroup_attach_task",
    "cgroup_tasks_write",
    "cgroup_file_write",
    "vfs_write",
    "sys_write",
];

pub(crate) const CSS_SET: Site = Site {
    frames: &[
        "__kmalloc",
        "find_css_set",
        ATTACH_TAIL[0],
        ATTACH_TAIL[1],
        ATTACH_TAIL[2],
        ATTACH_TAIL[3],
        ATTACH_TAIL[4],
        "system_call_fastpath",
    ],
    size: 120,
    gfp: gfp::KERNEL,
};

pub(crate) const CG_LINK: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "allocate_cg_links",
        "find_css_set",
        ATTACH_TAIL[0],
        ATTACH_TAIL[1],
        ATTACH_TAIL[2],
        ATTACH_TAIL[3],
        ATTACH_TAIL[4],
        "system_call_fastpath",
    ],
    size: 40,
    gfp: gfp::KERNEL,
};

/// The css allocation of subsystem `name`'s `create` callback.
pub(crate) fn css_site(name: &str) -> Site {
    const MKDIR: [&str; 5] = [
        "cgroup_mkdir",
        "vfs_mkdir",
        "sys_mkdirat",
        "sys_mkdir",
        "system_call_fastpath",
    ];
    macro_rules! chain {
        ($($f:literal),*) => {
            &[$($f,)* MKDIR[0], MKDIR[1], MKDIR[2], MKDIR[3], MKDIR[4]]
        };
    }
    let frames: &'static [&'static str] = match name {
        "cpuset" => chain!("kmem_cache_alloc_notrace", "cpuset_create"),
        "debug" => chain!("kmem_cache_alloc_notrace", "debug_create"),
        "ns" => chain!("kmem_cache_alloc_notrace", "ns_create"),
        "cpu" => chain!(
            "kmem_cache_alloc_notrace",
            "sched_create_group",
            "cpu_cgroup_create"
        ),
        "cpuacct" => chain!("kmem_cache_alloc_notrace", "cpuacct_create"),
        "memory" => chain!("__kmalloc", "mem_cgroup_alloc", "mem_cgroup_create"),
        _ => chain!("kmem_cache_alloc_notrace"),
    };
    Site {
        frames,
        size: 256,
        gfp: gfp::KERNEL,
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// Share the machine's fault injection with the core (once; later calls are ignored and
    /// return false). Without it nothing in the core ever fails to allocate.
    pub fn set_fault_injection(&self, f: Arc<FaultInjection>) -> bool {
        self.fault.set(f).is_ok()
    }

    /// `kmalloc` at `site` fails (`should_failslab`).
    #[inline]
    pub(crate) fn kmalloc_fails(&self, site: &Site) -> bool {
        self.fault.get().is_some_and(|f| f.should_failslab(site))
    }
}
