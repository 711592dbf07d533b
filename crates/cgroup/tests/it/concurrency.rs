//! The core shared between threads: `cgroup_mutex`, `css_set_lock` and `release_list_lock`
//! (`kernel/cgroup.c` `cgroup_mutex`, `css_set_lock`, `cgroup_fork`, `cgroup_post_fork`, v2.6.25). Iteration counts are bounded and nothing is timed; a blocked
//! callback waits on a channel with a generous timeout so a regression fails instead of hanging.

use crate::common::*;
use parking_lot::Mutex;
use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

/// A subsystem with `fork` and `exit` callbacks that checks the context it is given (built
/// without `cgroup_mutex`) and counts the calls.
#[derive(Default)]
struct ForkExitCounter {
    forks: AtomicUsize,
    exits: AtomicUsize,
    bad_ctx: AtomicUsize,
}

impl ForkExitCounter {
    fn check<T: cgsim_ktypes::Tracer>(&self, cx: &SubsysCtx<'_, T>, css: &CssRef) {
        let parent_ok = match (cx.parent_css, cx.parent) {
            (Some(p), Some(parent)) => p.cgroup() == parent,
            (None, None) => true,
            _ => false,
        };
        // A root css moves between dummytop and a hierarchy's top when a mount or the last
        // umount rebinds the subsystem (`rebind_subsystems`, kernel/cgroup.c v2.6.25), and fork
        // and exit callbacks run without `cgroup_mutex`, so by the time this runs the css may
        // already belong to the other root. Only a top cgroup (no parent) can see that.
        let rebound_root = cx.parent.is_none() && cx.parent_css.is_none();
        if (cx.cgrp != css.cgroup() && !rebound_root) || !parent_ok {
            self.bad_ctx.fetch_add(1, Ordering::Relaxed);
        }
    }
}

struct Shared(std::sync::Arc<ForkExitCounter>);

impl<T: cgsim_ktypes::Tracer> CgroupSubsys<T> for Shared {
    fn name(&self) -> &'static str {
        "forkexit"
    }
    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
            .with(SubsysCallback::Fork)
            .with(SubsysCallback::Exit)
    }
    fn create(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<std::sync::Arc<dyn Any + Send + Sync>, Errno> {
        Ok(std::sync::Arc::new(()))
    }
    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}
    fn fork(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) {
        self.0.check(cx, css);
        self.0.forks.fetch_add(1, Ordering::Relaxed);
    }
    fn exit(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) {
        self.0.check(cx, css);
        self.0.exits.fetch_add(1, Ordering::Relaxed);
    }
}

type NoTraceCore = CgroupCore<cgsim_ktypes::trace::NoTrace>;

fn boot_counted() -> (NoTraceCore, std::sync::Arc<ForkExitCounter>) {
    let counter = std::sync::Arc::new(ForkExitCounter::default());
    let mut subsystems = default_subsystems();
    subsystems.push(Box::new(Shared(counter.clone())));
    let core = CgroupCore::new(
        std::sync::Arc::new(cgsim_ktypes::trace::NoTrace),
        CoreProfile::default(),
        subsystems,
        Pid(1),
        Cred::ROOT,
    );
    (core, counter)
}

const WORKERS: i32 = 2;
const FORKS_PER_WORKER: i32 = 150;
const ROUNDS: usize = 40;

#[test]
fn fork_and_exit_race_mount_mkdir_attach_rmdir() {
    let (core, counter) = boot_counted();
    let structural_errors = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..WORKERS {
            let core = &core;
            s.spawn(move || {
                let base = 1_000_000 * (w + 1);
                for k in 0..FORKS_PER_WORKER {
                    let child = Pid(base + 2 * k);
                    let grandchild = Pid(base + 2 * k + 1);
                    core.fork(Pid(1), child, Cred::ROOT).unwrap();
                    core.fork(child, grandchild, Cred::ROOT).unwrap();
                    if k % 3 == 0 {
                        core.set_exiting(grandchild).unwrap();
                    }
                    core.exit(grandchild).unwrap();
                    core.exit(child).unwrap();
                    assert_eq!(core.exit(child), Err(Errno::ESRCH));
                    core.release_task(grandchild).unwrap();
                    core.release_task(child).unwrap();
                }
            });
        }
        let core = &core;
        let structural_errors = &structural_errors;
        s.spawn(move || {
            let opts = ["cpu,forkexit", "memory", "none,name=named"];
            for round in 0..ROUNDS {
                let data = opts[round % opts.len()];
                let m = core.mount(Some(data)).unwrap();
                write_nt(core, m.top, "release_agent", "/sbin/agent").unwrap();
                let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT);
                let a = match a {
                    Ok(a) => a,
                    Err(Errno::EEXIST) => match core.lookup(m.top, "a").unwrap() {
                        Dentry::Dir(d) => d.cgrp,
                        Dentry::File(_) => unreachable!("a is a directory"),
                    },
                    Err(e) => panic!("mkdir: {e:?}"),
                };
                write_nt(core, a, "notify_on_release", "1").unwrap();
                // Move whatever worker tasks exist into `a`, and init too; racing exits give
                // ESRCH, which is the only error allowed.
                for pid in core.tasks() {
                    match core.attach_task(a, pid) {
                        Ok(()) | Err(Errno::ESRCH) => {}
                        Err(e) => structural_errors
                            .lock()
                            .push(format!("attach {pid}: {e:?}")),
                    }
                }
                core.attach_task(m.top, Pid(1)).unwrap();
                if let Err(e) = core.check_invariants() {
                    structural_errors.lock().push(format!("round {round}: {e}"));
                }
                let _ = core.drain_release_agent();
                match core.rmdir(a) {
                    Ok(()) | Err(Errno::EBUSY) => {}
                    Err(e) => structural_errors.lock().push(format!("rmdir: {e:?}")),
                }
                core.umount(m.root).unwrap();
            }
        });
    });
    assert_eq!(structural_errors.lock().as_slice(), &[] as &[String]);
    core.check_invariants().unwrap();
    // Every worker task is gone; the invariants hold and the callbacks saw consistent contexts.
    assert_eq!(core.tasks(), vec![Pid(1)]);
    let n = (WORKERS * FORKS_PER_WORKER * 2) as usize;
    assert_eq!(counter.forks.load(Ordering::Relaxed), n);
    assert_eq!(counter.exits.load(Ordering::Relaxed), n);
    assert_eq!(counter.bad_ctx.load(Ordering::Relaxed), 0);
    // Only init is left on a task list.
    let snap = core.snapshot();
    let listed: Vec<Pid> = snap.css_sets.iter().flat_map(|s| s.tasks.clone()).collect();
    assert_eq!(listed, [Pid(1)]);
}

/// `echo -n data > cgrp/name` as init on a `NoTrace` core.
fn write_nt(core: &NoTraceCore, cgrp: CgroupId, name: &str, data: &str) -> Result<usize, Errno> {
    let of = core.open(cgrp, name, false, true)?;
    core.write(&of, Pid(1), data.as_bytes())
}

/// A subsystem whose `create` (called by mkdir with `cgroup_mutex` held) blocks, once armed,
/// until the test says the fork and exit are done.
struct Blocker {
    armed: AtomicBool,
    entered: Mutex<Sender<()>>,
    release: Mutex<Receiver<()>>,
    timed_out: AtomicBool,
}

struct BlockerRef(std::sync::Arc<Blocker>);

impl<T: cgsim_ktypes::Tracer> CgroupSubsys<T> for BlockerRef {
    fn name(&self) -> &'static str {
        "blocker"
    }
    fn create(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<std::sync::Arc<dyn Any + Send + Sync>, Errno> {
        let b = &self.0;
        if b.armed.swap(false, Ordering::AcqRel) {
            b.entered.lock().send(()).unwrap();
            if b.release
                .lock()
                .recv_timeout(Duration::from_secs(30))
                .is_err()
            {
                b.timed_out.store(true, Ordering::Release);
            }
        }
        Ok(std::sync::Arc::new(()))
    }
    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}
}

#[test]
fn fork_and_exit_do_not_take_cgroup_mutex() {
    let (entered_tx, entered_rx) = channel();
    let (release_tx, release_rx) = channel();
    let blocker = std::sync::Arc::new(Blocker {
        armed: AtomicBool::new(false),
        entered: Mutex::new(entered_tx),
        release: Mutex::new(release_rx),
        timed_out: AtomicBool::new(false),
    });
    let mut subsystems = default_subsystems();
    subsystems.push(Box::new(BlockerRef(blocker.clone())));
    let core = CgroupCore::new(
        std::sync::Arc::new(Ftrace::new()),
        CoreProfile::default(),
        subsystems,
        Pid(1),
        Cred::ROOT,
    );
    let m = core.mount(Some("blocker")).unwrap();
    write(&core, m.top, "release_agent", Pid(1), "/sbin/agent").unwrap();
    let r = core.mkdir(m.top, "r", 0o755, Cred::ROOT).unwrap();
    write(&core, r, "notify_on_release", Pid(1), "1").unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    core.attach_task(r, Pid(2)).unwrap();
    blocker.armed.store(true, Ordering::Release);
    std::thread::scope(|s| {
        let core = &core;
        let mkdir = s.spawn(move || core.mkdir(m.top, "b", 0o755, Cred::ROOT));
        // mkdir now holds cgroup_mutex inside the blocked create callback.
        entered_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("mkdir reached create");
        core.fork(Pid(2), Pid(3), Cred::ROOT).unwrap();
        core.exit(Pid(3)).unwrap();
        // The last task of r exits: put_css_set_taskexit sets RELEASABLE and queues r on
        // release_list, all without cgroup_mutex.
        core.exit(Pid(2)).unwrap();
        release_tx.send(()).unwrap();
        mkdir.join().unwrap().unwrap();
    });
    assert!(
        !blocker.timed_out.load(Ordering::Acquire),
        "fork or exit waited for cgroup_mutex"
    );
    assert_ne!(core.cgroup_flags(r).unwrap() & CGRP_RELEASABLE, 0);
    let calls = core.drain_release_agent();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].argv, ["/sbin/agent", "/r"]);
    core.check_invariants().unwrap();
}
