//! The default hierarchy of the 6.6 switch (`core.cgroup2 = v6_6`; `kernel/cgroup/cgroup.c`,
//! v6.6): the cgroup2 mount, `cgroup.subtree_control` and effective csses, rebinding to v1,
//! and dying csses in `nr_dying_descendants`.

use crate::common::*;
use cgsim_cgroup::subsys_ids::MEMORY;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The core switches of the 6.6 preset that matter here.
fn boot_6_6() -> Core {
    boot_with(CoreProfile {
        cgroup2: Cgroup2::V6_6,
        rmdir_css_refs: cgsim_cgroup::profile::RmdirCssRefs::Ignore,
        ..CoreProfile::default()
    })
}

#[test]
fn cgroup2_needs_the_default_hierarchy() {
    assert_eq!(boot().mount_dfl(None).unwrap_err(), Errno::ENODEV);
    let core = boot_6_6();
    assert_eq!(core.mount_dfl(Some("bogus")).unwrap_err(), Errno::EINVAL);
    let m = core.mount_dfl(Some("nsdelegate")).unwrap();
    assert!(m.root.is_rootnode());
    assert_eq!(core.show_options(m.root).unwrap(), ",nsdelegate");
    assert_eq!(core.proc_pid_cgroup(Pid(1)).unwrap(), "0::/\n");
    let names: Vec<String> = files(&core, m.top).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "cgroup.procs",
            "cgroup.threads",
            "cgroup.controllers",
            "cgroup.subtree_control",
            "cgroup.max.descendants",
            "cgroup.max.depth",
            "cgroup.stat",
            "cpu.stat",
            "cpu.stat.local",
            "io.pressure",
            "memory.pressure",
            "cpu.pressure",
            "cgroup.pressure",
            // cpuset's `dfl_files[]` in the root: only the two without CFTYPE_NOT_ON_ROOT.
            "cpuset.cpus.effective",
            "cpuset.mems.effective"
        ]
    );
    check(&core);
}

#[test]
fn pressure_files_read_zeros_and_check_triggers() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        read(&core, a, "memory.pressure", Pid(1)).unwrap(),
        cgsim_cgroup::psi::PSI_ZEROS
    );
    write(&core, a, "memory.pressure", Pid(1), "some 150000 1000000").unwrap();
    write(&core, a, "io.pressure", Pid(1), "full 1 10000000").unwrap();
    for bad in [
        "some 0 1000000",
        "some 2000000 1000000",
        "full 1 10000001",
        "none 1 2",
        "some 1",
    ] {
        assert_eq!(
            write(&core, a, "cpu.pressure", Pid(1), bad),
            Err(Errno::EINVAL),
            "{bad}"
        );
    }
    // An unprivileged trigger needs a window that is a multiple of 2 s.
    core.fork(Pid(1), Pid(2), Cred::user(1000)).unwrap();
    assert_eq!(
        cgsim_cgroup::psi::parse_trigger("some 1000 1000000", false),
        Err(Errno::EINVAL)
    );
    assert!(cgsim_cgroup::psi::parse_trigger("some 1000 2000000", false).is_ok());
    assert_eq!(read(&core, a, "cgroup.pressure", Pid(1)).unwrap(), "1\n");
    check(&core);
}

#[test]
fn subtree_control_gives_children_their_csses() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    write(&core, a, "cgroup.procs", Pid(1), "2").unwrap();
    assert_eq!(core.task_css(Pid(2), MEMORY).unwrap().cgroup(), m.top);
    assert_eq!(read(&core, a, "cgroup.controllers", Pid(1)).unwrap(), "");
    assert_eq!(
        read(&core, m.top, "cgroup.controllers", Pid(1)).unwrap(),
        "cpuset cpu memory\n"
    );
    // Enabling moves the task to a's new css; a's tasks do not forbid it (the root decides).
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    assert_eq!(core.task_css(Pid(2), MEMORY).unwrap().cgroup(), a);
    assert_eq!(
        read(&core, a, "cgroup.controllers", Pid(1)).unwrap(),
        "memory\n"
    );
    check(&core);
    // a has a task: enabling a domain controller for its children is EBUSY.
    assert_eq!(
        write(&core, a, "cgroup.subtree_control", Pid(1), "+memory"),
        Err(Errno::EBUSY)
    );
    assert_eq!(
        write(&core, a, "cgroup.subtree_control", Pid(1), "+cpu"),
        Err(Errno::ENOENT)
    );
    for bad in ["memory", "+", "+cpuacct", "+memory\t+cpu"] {
        assert_eq!(
            write(&core, m.top, "cgroup.subtree_control", Pid(1), bad),
            Err(Errno::EINVAL),
            "{bad}"
        );
    }
    // Disabling takes the css away and the task back to the root's.
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "-memory").unwrap();
    assert_eq!(core.task_css(Pid(2), MEMORY).unwrap().cgroup(), m.top);
    assert_eq!(core.subtree_control(m.top).unwrap(), 0);
    check(&core);
}

#[test]
fn a_controller_in_use_on_v2_cannot_go_to_v1() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    assert_eq!(core.mount(Some("memory")).unwrap_err(), Errno::EBUSY);
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "-memory").unwrap();
    let v1 = core.mount(Some("memory")).unwrap();
    assert_eq!(
        read(&core, m.top, "cgroup.controllers", Pid(1)).unwrap(),
        "cpuset cpu\n"
    );
    assert_eq!(
        write(&core, m.top, "cgroup.subtree_control", Pid(1), "+memory"),
        Err(Errno::ENOENT)
    );
    assert!(core.umount(v1.root).unwrap());
    assert_eq!(
        read(&core, m.top, "cgroup.controllers", Pid(1)).unwrap(),
        "cpuset cpu memory\n"
    );
    check(&core);
}

#[test]
fn a_referenced_css_keeps_its_cgroup_dying() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    write(&core, a, "cgroup.procs", Pid(1), "2").unwrap();
    let css = core.task_css(Pid(2), MEMORY).unwrap();
    assert_eq!(css.cgroup(), a);
    // A page charged to a memcg pins its css (css_get) past rmdir.
    css.get();
    write(&core, m.top, "cgroup.procs", Pid(1), "2").unwrap();
    core.rmdir(a).unwrap();
    let stat = |core: &Core| read(core, m.top, "cgroup.stat", Pid(1)).unwrap();
    assert_eq!(stat(&core), "nr_descendants 0\nnr_dying_descendants 1\n");
    css.put().unwrap();
    assert_eq!(stat(&core), "nr_descendants 0\nnr_dying_descendants 0\n");
    check(&core);
}

#[test]
fn no_internal_processes_below_the_root() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    let b = core.mkdir(a, "b", 0o755, Cred::ROOT).unwrap();
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    write(&core, a, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    assert_eq!(
        write(&core, a, "cgroup.procs", Pid(1), "2"),
        Err(Errno::EBUSY)
    );
    write(&core, b, "cgroup.procs", Pid(1), "2").unwrap();
    // The root takes processes whatever it enables.
    write(&core, m.top, "cgroup.procs", Pid(1), "2").unwrap();
    // A process of the user may not leave a cgroup whose common ancestor it cannot write.
    core.fork(Pid(1), Pid(3), Cred::user(1000)).unwrap();
    assert_eq!(
        write(&core, b, "cgroup.procs", Pid(3), "3"),
        Err(Errno::EACCES)
    );
    for bad in ["x", "-1", ""] {
        assert_eq!(
            write(&core, b, "cgroup.procs", Pid(1), bad),
            Err(Errno::EINVAL),
            "{bad:?}"
        );
    }
    assert_eq!(
        write(&core, b, "cgroup.procs", Pid(1), "99"),
        Err(Errno::ESRCH)
    );
    check(&core);
}

/// A `memory` subsystem whose objects hold its css without a reference, as memcg's charged
/// pages do (`CgroupSubsys::css_pinned`), counting the frees.
struct PinningMemory {
    pinned: Arc<AtomicBool>,
    freed: Arc<AtomicUsize>,
}

impl CgroupSubsys<Ftrace> for PinningMemory {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn symbol_prefix(&self) -> &'static str {
        "mem_cgroup"
    }

    fn create(
        &self,
        _cx: &SubsysCtx<'_, Ftrace>,
        _css: &CssRef,
    ) -> Result<Arc<dyn std::any::Any + Send + Sync>, Errno> {
        Ok(Arc::new(()))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, Ftrace>, _css: &CssRef) {
        self.freed.fetch_add(1, Ordering::SeqCst);
    }

    fn css_pinned(&self, css: &CssRef) -> bool {
        !css.is_root() && self.pinned.load(Ordering::SeqCst)
    }
}

#[test]
fn a_css_its_subsystem_still_holds_stays_dying_until_let_go() {
    let pinned = Arc::new(AtomicBool::new(true));
    let freed = Arc::new(AtomicUsize::new(0));
    let mut subsys = default_subsystems::<Ftrace>();
    subsys[MEMORY] = Box::new(PinningMemory {
        pinned: Arc::clone(&pinned),
        freed: Arc::clone(&freed),
    });
    let core = CgroupCore::new(
        Arc::new(Ftrace::new()),
        CoreProfile {
            cgroup2: Cgroup2::V6_6,
            rmdir_css_refs: cgsim_cgroup::profile::RmdirCssRefs::Ignore,
            ..CoreProfile::default()
        },
        subsys,
        Pid(1),
        Cred::ROOT,
    );
    let m = core.mount_dfl(None).unwrap();
    write(&core, m.top, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    let p = core.mkdir(m.top, "p", 0o755, Cred::ROOT).unwrap();
    write(&core, p, "cgroup.subtree_control", Pid(1), "+memory").unwrap();
    let a = core.mkdir(p, "a", 0o755, Cred::ROOT).unwrap();
    let stat = |c: CgroupId| read(&core, c, "cgroup.stat", Pid(1)).unwrap();
    core.rmdir(a).unwrap();
    assert_eq!(stat(p), "nr_descendants 0\nnr_dying_descendants 1\n");
    assert_eq!(stat(m.top), "nr_descendants 1\nnr_dying_descendants 1\n");
    assert_eq!(freed.load(Ordering::SeqCst), 0);
    core.rmdir(p).unwrap();
    assert_eq!(stat(m.top), "nr_descendants 0\nnr_dying_descendants 2\n");
    // Let go: the next entry of the core frees both.
    pinned.store(false, Ordering::SeqCst);
    assert_eq!(stat(m.top), "nr_descendants 0\nnr_dying_descendants 0\n");
    assert_eq!(freed.load(Ordering::SeqCst), 2);
    check(&core);
}
