//! Callback order with the example logging subsystem (`kernel/cgroup.c` `rebind_subsystems`, `cgroup_create`, `cgroup_attach_task`, v2.6.34; `include/linux/cgroup.h` `struct cgroup_subsys`, v2.6.34).

#[allow(dead_code)]
#[path = "../../examples/logging_subsys.rs"]
mod logging_subsys;

use crate::common::*;
use SubsysCallback::*;
use logging_subsys::{LogEntry, LoggingSubsys};
use parking_lot::Mutex;
use std::sync::Arc;

/// Boot with the six defaults plus `loga` (id 6) and `logb` (id 7) sharing one log.
fn boot_logged(
    tweak: impl FnOnce(&mut LoggingSubsys, &mut LoggingSubsys),
) -> (Core, Arc<Mutex<Vec<LogEntry>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut a = LoggingSubsys::new("loga", log.clone());
    let mut b = LoggingSubsys::new("logb", log.clone());
    tweak(&mut a, &mut b);
    let mut subsystems = default_subsystems();
    subsystems.push(Box::new(a));
    subsystems.push(Box::new(b));
    let core = CgroupCore::new(
        Arc::new(Ftrace::new()),
        CoreProfile::default(),
        subsystems,
        Pid(1),
        Cred::ROOT,
    );
    (core, log)
}

fn take(log: &Mutex<Vec<LogEntry>>) -> Vec<(&'static str, SubsysCallback)> {
    std::mem::take(&mut *log.lock())
        .into_iter()
        .map(|(n, cb, _)| (n, cb))
        .collect()
}

#[test]
fn boot_creates_in_ascending_id_order() {
    let (core, log) = boot_logged(|_, _| {});
    assert_eq!(take(&log), [("loga", Create), ("logb", Create)]);
    assert!(core.snapshot().need_forkexit_callback);
}

#[test]
fn lifecycle_order() {
    let (core, log) = boot_logged(|_, _| {});
    take(&log);
    let m = core.mount(Some("loga,logb")).unwrap();
    // bind ascending inside rebind_subsystems, populate in list order (descending id).
    assert_eq!(
        take(&log),
        [
            ("loga", Bind),
            ("logb", Bind),
            ("logb", Populate),
            ("loga", Populate)
        ]
    );
    assert_eq!(core.snapshot().root(m.root).unwrap().subsys_list, [7, 6]);
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        take(&log),
        [
            ("logb", Create),
            ("loga", Create),
            ("logb", Populate),
            ("loga", Populate)
        ]
    );
    assert_eq!(
        files(&core, a)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with("log"))
            .collect::<Vec<_>>(),
        ["logb.events", "loga.events"]
    );
    core.attach_task(a, Pid(1)).unwrap();
    assert_eq!(
        take(&log),
        [
            ("logb", CanAttach),
            ("loga", CanAttach),
            ("logb", Attach),
            ("loga", Attach)
        ]
    );
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    assert_eq!(take(&log), [("loga", Fork), ("logb", Fork)], "ascending id");
    core.exit(Pid(2)).unwrap();
    assert_eq!(take(&log), [("loga", Exit), ("logb", Exit)], "ascending id");
    core.attach_task(m.top, Pid(1)).unwrap();
    take(&log);
    core.rmdir(a).unwrap();
    assert_eq!(
        take(&log),
        [
            ("logb", PreDestroy),
            ("loga", PreDestroy),
            ("logb", Destroy),
            ("loga", Destroy)
        ]
    );
    assert_eq!(core.umount(m.root), Ok(true));
    assert_eq!(take(&log), [("loga", Bind), ("logb", Bind)]);
    check(&core);
}

#[test]
fn cancel_attach_undoes_the_earlier_successes() {
    let (core, log) = boot_logged(|a, _| a.refuse_attach = Some(Errno::EPERM));
    let m = core.mount(Some("loga,logb")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    take(&log);
    let before = core.snapshot();
    assert_eq!(core.attach_task(a, Pid(1)), Err(Errno::EPERM));
    assert_eq!(
        take(&log),
        [
            ("logb", CanAttach),
            ("loga", CanAttach),
            ("logb", CancelAttach)
        ]
    );
    assert_eq!(core.snapshot(), before);
}

#[test]
fn create_failure_unwinds_with_destroy() {
    let (core, log) = boot_logged(|a, _| a.refuse_create = Some(Errno::ENOMEM));
    let m = core.mount(Some("loga,logb")).unwrap();
    take(&log);
    let before = core.snapshot();
    assert_eq!(
        core.mkdir(m.top, "A", 0o755, Cred::ROOT),
        Err(Errno::ENOMEM)
    );
    assert_eq!(
        take(&log),
        [("logb", Create), ("loga", Create), ("logb", Destroy)]
    );
    assert_eq!(core.snapshot(), before);
    check(&core);
}

#[test]
fn subsystem_state_is_reachable_from_the_css() {
    let (core, _log) = boot_logged(|_, _| {});
    let m = core.mount(Some("loga")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    core.attach_task(a, Pid(1)).unwrap();
    let css = core.task_css(Pid(1), 6).unwrap();
    let counter = css
        .private::<logging_subsys::Counter>()
        .expect("container_of");
    // create does not count; populate, can_attach and attach did.
    assert_eq!(counter.events.load(std::sync::atomic::Ordering::Relaxed), 3);
    assert_eq!(read(&core, a, "loga.events", Pid(1)).unwrap(), "3\n");
}

#[test]
fn callback_trace_names() {
    let (core, _log) = boot_logged(|_, _| {});
    let m = core.mount(Some("memory,cpuset")).unwrap();
    core.tracer().set_on(true);
    core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    let text = cgsim_ktypes::trace::render_function_graph(&core.tracer().take());
    let pos = |f: &str| {
        text.find(f)
            .unwrap_or_else(|| panic!("{f} missing in\n{text}"))
    };
    assert!(pos("cgroup_mkdir") < pos("cgroup_create"));
    assert!(
        pos("mem_cgroup_create") < pos("cpuset_create"),
        "descending id"
    );
    assert!(pos("cpuset_create") < pos("cgroup_populate_dir"));
    assert!(pos("cgroup_populate_dir") < pos("cpuset_populate"));
}

/// A subsystem that overrides every callback but declares none of the optional ones in
/// `callbacks()`: the core still calls them (the trait decides), and traces only the declared
/// `create`/`destroy`.
struct Undeclared(LoggingSubsys);

impl CgroupSubsys<Ftrace> for Undeclared {
    fn name(&self) -> &'static str {
        "quiet"
    }
    fn create(
        &self,
        cx: &SubsysCtx<'_, Ftrace>,
        css: &CssRef,
    ) -> Result<Arc<dyn std::any::Any + Send + Sync>, Errno> {
        self.0.create(cx, css)
    }
    fn destroy(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef) {
        self.0.destroy(cx, css)
    }
    fn pre_destroy(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef) -> Result<(), Errno> {
        self.0.pre_destroy(cx, css)
    }
    fn can_attach(
        &self,
        cx: &SubsysCtx<'_, Ftrace>,
        css: &CssRef,
        task: TaskRef,
    ) -> Result<(), Errno> {
        self.0.can_attach(cx, css, task)
    }
    fn attach(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef, old: &CssRef, task: TaskRef) {
        self.0.attach(cx, css, old, task)
    }
    fn fork(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef, task: TaskRef) {
        self.0.fork(cx, css, task)
    }
    fn exit(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef, task: TaskRef) {
        self.0.exit(cx, css, task)
    }
    fn populate(
        &self,
        cx: &SubsysCtx<'_, Ftrace>,
        css: &CssRef,
        dir: &mut PopulateDir<Ftrace>,
    ) -> Result<(), Errno> {
        self.0.populate(cx, css, dir)
    }
    fn bind(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef) {
        self.0.bind(cx, css)
    }
}

#[test]
fn overridden_callbacks_run_without_being_declared_and_only_declared_ones_are_traced() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut subsystems = default_subsystems();
    subsystems.push(Box::new(Undeclared(LoggingSubsys::new(
        "quiet",
        log.clone(),
    ))));
    let core = CgroupCore::new(
        Arc::new(Ftrace::new()),
        CoreProfile::default(),
        subsystems,
        Pid(1),
        Cred::ROOT,
    );
    // No subsystem declares fork/exit: the kernel's flag is off, the callbacks run anyway.
    assert!(!core.snapshot().need_forkexit_callback);
    take(&log);
    core.tracer().set_on(true);
    let m = core.mount(Some("quiet")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    core.attach_task(a, Pid(2)).unwrap();
    core.exit(Pid(2)).unwrap();
    core.release_task(Pid(2)).unwrap();
    core.rmdir(a).unwrap();
    assert_eq!(
        take(&log),
        [
            ("quiet", Bind),
            ("quiet", Populate),
            ("quiet", Create),
            ("quiet", Populate),
            ("quiet", Fork),
            ("quiet", CanAttach),
            ("quiet", Attach),
            ("quiet", Exit),
            ("quiet", PreDestroy),
            ("quiet", Destroy),
        ]
    );
    let text = cgsim_ktypes::trace::render_function_graph(&core.tracer().take());
    assert!(text.contains("quiet_create"), "{text}");
    assert!(text.contains("quiet_destroy"), "{text}");
    for undeclared in [
        "quiet_bind",
        "quiet_populate",
        "quiet_fork",
        "quiet_attach",
        "quiet_exit",
    ] {
        assert!(!text.contains(undeclared), "{undeclared} traced:\n{text}");
    }
    check(&core);
}
