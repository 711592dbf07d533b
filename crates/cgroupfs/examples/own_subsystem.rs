//! Your own cgroup subsystem beside the real memory controller, through the `Kernel`.
//!
//! Run with `cargo run -p cgsim-cgroupfs --example own_subsystem`.
//!
//! `attaches` is a subsystem of a few lines: `create` gives each cgroup a counter (the css's
//! private state), `attach` counts the tasks moved in, `populate` adds `attaches.count`, and
//! every callback it overrides is logged. It is registered with `BootParams::with_subsystem`,
//! so the built-in table, with the real `memory` at id 5, stays; one hierarchy mounts both
//! (`mount -t cgroup -o memory,attaches`), and the typed facade drives the files of both.

use cgsim_cgroupfs::prelude::*;
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The per-cgroup state.
#[derive(Default)]
struct Count(AtomicU64);

struct Attaches {
    log: Arc<Mutex<Vec<String>>>,
}

impl Attaches {
    fn log(&self, cx: &SubsysCtx<'_, Ftrace>, what: &str) {
        self.log
            .lock()
            .unwrap()
            .push(format!("attaches_{what} cgroup {}", cx.cgrp));
    }
}

impl CgroupSubsys<Ftrace> for Attaches {
    fn name(&self) -> &'static str {
        "attaches"
    }

    fn create(
        &self,
        cx: &SubsysCtx<'_, Ftrace>,
        _: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        self.log(cx, "create");
        Ok(Arc::new(Count::default()))
    }

    fn destroy(&self, cx: &SubsysCtx<'_, Ftrace>, _: &CssRef) {
        self.log(cx, "destroy");
    }

    fn attach(&self, cx: &SubsysCtx<'_, Ftrace>, css: &CssRef, _: &CssRef, task: TaskRef) {
        self.log(cx, &format!("attach pid {}", task.pid));
        if let Some(c) = css.private::<Count>() {
            c.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn bind(&self, cx: &SubsysCtx<'_, Ftrace>, _: &CssRef) {
        self.log(cx, "bind");
    }

    fn populate(
        &self,
        cx: &SubsysCtx<'_, Ftrace>,
        _: &CssRef,
        dir: &mut PopulateDir<Ftrace>,
    ) -> Result<(), Errno> {
        self.log(cx, "populate");
        dir.add_file(Cftype::new("count").read_u64(|cx| {
            let css = cx.css.as_ref().ok_or(Errno::ENODEV)?;
            let c = css.private::<Count>().ok_or(Errno::ENODEV)?;
            Ok(c.0.load(Ordering::Relaxed))
        }))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let k = Kernel::boot(BootParams::default().with_subsystem(Attaches { log: log.clone() }));
    let show = |what: &str| {
        println!("{what}:");
        for line in log.lock().unwrap().drain(..) {
            println!("    {line}");
        }
    };
    print!(
        "{}",
        String::from_utf8(k.read_file(INIT_PID, "/proc/cgroups")?)?
    );
    show("boot");

    let top = Mount::cgroup("/sys/fs/cgroup/mem")
        .subsystem("memory")
        .subsystem("attaches")
        .create_target()
        .mount(&k, INIT_PID)?;
    show("mount -t cgroup -o memory,attaches cgroup /sys/fs/cgroup/mem");

    let a = top.mkdir("A")?;
    show("mkdir A");
    println!("files of A: {}", a.files()?.join(" "));

    a.memory().set_limit_in_bytes(Bytes(4 << 20))?;
    let worker = k.fork(INIT_PID)?;
    k.execve(worker, "worker")?;
    a.add_task(worker)?;
    show("echo <worker> > A/tasks");

    let addr = k.mmap_anon(worker, 2 << 20, MmapFlags::default())?;
    k.touch(worker, addr, 2 << 20)?;
    let stat = a.memory().stat()?;
    println!(
        "A: attaches.count {}, memory.usage_in_bytes {}, memory.stat rss {:?}, tasks {:?}",
        a.read_u64("attaches.count")?,
        a.memory().usage_in_bytes()?,
        stat.local.rss,
        a.tasks()?
    );

    k.exit(worker, 0);
    k.waitpid(INIT_PID, Some(worker))?;
    top.rmdir("A")?;
    show("exit; rmdir A");
    Ok(())
}
