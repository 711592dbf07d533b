//! A user-written cgroup subsystem that logs every callback, registered next to the built-in ones.
//!
//! Run with `cargo run -p cgsim-cgroup --example logging_subsys`.
//!
//! It shows the three things a subsystem does:
//! 1. `create` returns its per-cgroup state object, which the core keeps in the css's `private`
//!    slot (`container_of`: `css.private::<Counter>()`);
//! 2. `populate` adds control files (`<name>.events` here, a `read_u64` of that state);
//! 3. it overrides the callbacks it wants; the core calls every callback method in the kernel's
//!    order (list order = descending subsystem id for create/populate/attach/..., ascending id for
//!    fork/exit and bind), the trait's defaults doing nothing. `callbacks()` only says which ones
//!    get trace lines (the kernel's non-NULL pointers).

use cgsim_cgroup::{
    CallbackSet, Cftype, CgroupCore, CgroupId, CgroupSubsys, CoreProfile, CssRef, PopulateDir,
    SubsysCallback, SubsysCtx, TaskRef, default_subsystems,
};
use cgsim_ktypes::{Cred, Errno, NoTrace, Pid, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One logged callback: subsystem name, callback, the cgroup it was about.
pub type LogEntry = (&'static str, SubsysCallback, CgroupId);

/// The per-cgroup state: how many callbacks hit this cgroup.
#[derive(Debug, Default)]
pub struct Counter {
    pub events: AtomicU64,
}

/// A subsystem that records every callback into a shared log.
pub struct LoggingSubsys {
    pub name: &'static str,
    pub log: Arc<Mutex<Vec<LogEntry>>>,
    /// Make `can_attach` fail with this errno (to show `cancel_attach`).
    pub refuse_attach: Option<Errno>,
    /// Make `create` fail with this errno (to show the mkdir unwind).
    pub refuse_create: Option<Errno>,
}

impl LoggingSubsys {
    pub fn new(name: &'static str, log: Arc<Mutex<Vec<LogEntry>>>) -> LoggingSubsys {
        LoggingSubsys {
            name,
            log,
            refuse_attach: None,
            refuse_create: None,
        }
    }

    fn record(&self, cb: SubsysCallback, cgrp: CgroupId, css: Option<&CssRef>) {
        self.log.lock().push((self.name, cb, cgrp));
        if let Some(c) = css.and_then(|css| css.private::<Counter>()) {
            c.events.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl<T: Tracer> CgroupSubsys<T> for LoggingSubsys {
    fn name(&self) -> &'static str {
        self.name
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::ALL
    }

    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        self.record(SubsysCallback::Create, cx.cgrp, None);
        match self.refuse_create {
            Some(e) if cx.parent.is_some() => Err(e),
            _ => Ok(Arc::new(Counter::default())),
        }
    }

    fn pre_destroy(&self, cx: &SubsysCtx<'_, T>, css: &CssRef) -> Result<(), Errno> {
        self.record(SubsysCallback::PreDestroy, cx.cgrp, Some(css));
        Ok(())
    }

    fn destroy(&self, cx: &SubsysCtx<'_, T>, css: &CssRef) {
        self.record(SubsysCallback::Destroy, cx.cgrp, Some(css));
    }

    fn can_attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) -> Result<(), Errno> {
        self.record(SubsysCallback::CanAttach, cx.cgrp, Some(css));
        match self.refuse_attach {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn cancel_attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) {
        self.record(SubsysCallback::CancelAttach, cx.cgrp, Some(css));
    }

    fn attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _old: &CssRef, _task: TaskRef) {
        self.record(SubsysCallback::Attach, cx.cgrp, Some(css));
    }

    fn fork(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) {
        self.record(SubsysCallback::Fork, cx.cgrp, Some(css));
    }

    fn exit(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) {
        self.record(SubsysCallback::Exit, cx.cgrp, Some(css));
    }

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        self.record(SubsysCallback::Populate, cx.cgrp, Some(css));
        dir.add_file(Cftype::new("events").read_u64(|cx| {
            let c = cx
                .css
                .as_ref()
                .and_then(|css| css.private::<Counter>())
                .ok_or(Errno::ENODEV)?;
            Ok(c.events.load(Ordering::Relaxed))
        }))
    }

    fn bind(&self, cx: &SubsysCtx<'_, T>, css: &CssRef) {
        self.record(SubsysCallback::Bind, cx.cgrp, Some(css));
    }
}

#[allow(dead_code)]
fn main() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut subsystems = default_subsystems::<NoTrace>();
    subsystems.push(Box::new(LoggingSubsys::new("logger", log.clone())));
    let core = CgroupCore::new(
        Arc::new(NoTrace),
        CoreProfile::default(),
        subsystems,
        Pid(1),
        Cred::ROOT,
    );
    // Print what each operation called, resolving cgroup paths right away.
    let show = |what: &str| {
        println!("{what}:");
        for (name, cb, cgrp) in log.lock().drain(..) {
            let path = core.cgroup_path(cgrp).unwrap_or_else(|_| "(gone)".into());
            println!("    {name}_{} {cgrp} {path}", cb.field_name());
        }
    };
    show("boot");
    let m = core.mount(Some("logger,cpu")).expect("mount");
    show("mount -o logger,cpu");
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).expect("mkdir");
    show("mkdir A");
    core.attach_task(a, Pid(1)).expect("attach");
    show("echo 1 > A/tasks");
    core.fork(Pid(1), Pid(2), Cred::ROOT).expect("fork");
    show("fork 2");
    core.exit(Pid(2)).expect("exit");
    show("exit 2");
    core.attach_task(m.top, Pid(1)).expect("attach back");
    show("echo 1 > tasks");
    core.rmdir(a).expect("rmdir");
    show("rmdir A");
    let of = core
        .open(m.top, "logger.events", true, false)
        .expect("open");
    let text = core.read_all(&of, Pid(1)).expect("read");
    print!("cat logger.events: {}", String::from_utf8_lossy(&text));
}
