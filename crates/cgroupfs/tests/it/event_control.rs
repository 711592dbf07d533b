//! `cgroup.event_control` (`kernel/cgroup.c` `cgroup_write_event_control`, `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34) with a user-written subsystem, `probe`, registered at
//! boot through `BootParams::subsystems` — also the example of registering your own subsystem.

use super::*;
use cgsim_cgroup::{
    CallbackSet, CftEvents, Cftype, CgroupId, CgroupSubsys, CssRef, PopulateDir, SubsysCallback,
    SubsysCtx, default_subsystems,
};
use cgsim_cgroupfs::{BootParams, EFD_NONBLOCK};
use cgsim_eventfd::EventfdCtx;
use cgsim_ktypes::trace::Ftrace;
use parking_lot::Mutex;
use std::any::Any;

type Registrations = Arc<Mutex<Vec<(CgroupId, Arc<dyn Any + Send + Sync>)>>>;

/// A subsystem with `probe.level` (supports events) and `probe.fire` (a trigger that signals
/// every eventfd registered on the cgroup).
struct Probe {
    regs: Registrations,
}

struct ProbeEvents {
    regs: Registrations,
}

impl CftEvents for ProbeEvents {
    fn register_event(
        &self,
        cgrp: CgroupId,
        _css: Option<&CssRef>,
        eventfd: Arc<dyn Any + Send + Sync>,
        args: &str,
    ) -> Result<(), Errno> {
        if args == "bad" {
            return Err(Errno::EINVAL);
        }
        self.regs.lock().push((cgrp, eventfd));
        Ok(())
    }

    fn unregister_event(
        &self,
        _cgrp: CgroupId,
        _css: Option<&CssRef>,
        eventfd: &Arc<dyn Any + Send + Sync>,
    ) {
        self.regs.lock().retain(|(_, e)| !Arc::ptr_eq(e, eventfd));
    }
}

impl CgroupSubsys<Ftrace> for Probe {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    fn create(
        &self,
        _cx: &SubsysCtx<'_, Ftrace>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        Ok(Arc::new(()))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, Ftrace>, _css: &CssRef) {}

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, Ftrace>,
        _css: &CssRef,
        dir: &mut PopulateDir<Ftrace>,
    ) -> Result<(), Errno> {
        let regs = Arc::clone(&self.regs);
        dir.add_file(
            Cftype::new("level")
                .read_u64(|_| Ok(0))
                .with_events(Arc::new(ProbeEvents {
                    regs: Arc::clone(&self.regs),
                })),
        )?;
        dir.add_file(Cftype::new("fire").trigger(move |cx| {
            for (c, e) in regs.lock().iter() {
                if *c == cx.cgrp {
                    Arc::clone(e)
                        .downcast::<EventfdCtx>()
                        .expect("an eventfd")
                        .signal(1);
                }
            }
            Ok(())
        }))
    }
}

const CG: &str = "/sys/fs/cgroup/probe";

fn boot_with_probe(same_cgroup_check: bool) -> (Arc<Kernel>, Registrations) {
    let regs: Registrations = Arc::default();
    let mut subsystems = default_subsystems();
    subsystems.push(Box::new(Probe {
        regs: Arc::clone(&regs),
    }));
    let k = Kernel::boot(BootParams {
        subsystems: Some(subsystems),
        event_control_same_cgroup_check: same_cgroup_check,
        ..BootParams::default()
    });
    k.mkdir(INIT, CG, 0o755).unwrap();
    k.mount(INIT, "cgroup", CG, "cgroup", false, Some("probe"))
        .unwrap();
    k.mkdir(INIT, &format!("{CG}/A"), 0o755).unwrap();
    k.mkdir(INIT, &format!("{CG}/B"), 0o755).unwrap();
    (k, regs)
}

fn read_count(k: &Kernel, pid: Pid, fd: Fd) -> SysResult<u64> {
    let mut buf = [0u8; 8];
    k.read(pid, fd, &mut buf)?;
    Ok(u64::from_ne_bytes(buf))
}

#[test]
fn registration_errors_follow_the_kernel_order() {
    let (k, regs) = boot_with_probe(true);
    let efd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap().0;
    let cfd = k
        .open(INIT, &format!("{CG}/A/probe.level"), OpenFlags::RDONLY, 0)
        .unwrap()
        .0;
    let cfd_b = k
        .open(INIT, &format!("{CG}/B/probe.level"), OpenFlags::RDONLY, 0)
        .unwrap()
        .0;
    let tasks = k
        .open(INIT, &format!("{CG}/A/tasks"), OpenFlags::RDONLY, 0)
        .unwrap()
        .0;
    let tmp = k
        .open(INIT, "/tmp/x", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap()
        .0;
    let ec = format!("{CG}/A/cgroup.event_control");
    let cases = [
        (format!("99 {cfd}"), Some(Errno::EBADF)),
        (format!("{cfd} {cfd}"), Some(Errno::EINVAL)),
        (format!("{efd} 99"), Some(Errno::EBADF)),
        (format!("{efd} {tmp}"), Some(Errno::EINVAL)),
        (format!("{efd} {cfd_b}"), Some(Errno::EINVAL)),
        (format!("{efd} {tasks}"), Some(Errno::EINVAL)),
        (format!("{efd} {cfd} bad"), Some(Errno::EINVAL)),
        ("x".to_string(), Some(Errno::EINVAL)),
        (format!("{efd}  {cfd}"), Some(Errno::EINVAL)),
        (format!("{efd} {cfd} 5"), None),
    ];
    for (data, want) in cases {
        assert_eq!(errno(echo(&k, INIT, &ec, &data)), want, "{data:?}");
    }
    assert_eq!((k.nr_cgroup_events(), regs.lock().len()), (1, 1));
    // A user cannot name a control file it may not read (cgroup.event_control is 0222).
    let u = user_process(&k, 1000);
    let uefd = k.eventfd(u, 0, EFD_NONBLOCK).unwrap().0;
    let uec = k.open(u, &ec, OpenFlags::WRONLY, 0).unwrap();
    let data = format!("{uefd} {}", uec.0);
    assert_eq!(errno(k.write(u, uec, data.as_bytes())), Some(Errno::EACCES));
    k.check_invariants();
}

#[test]
fn notification_close_and_rmdir() {
    let (k, regs) = boot_with_probe(true);
    let ec = format!("{CG}/A/cgroup.event_control");
    let efd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap();
    let cfd = k
        .open(INIT, &format!("{CG}/A/probe.level"), OpenFlags::RDONLY, 0)
        .unwrap();
    echo(&k, INIT, &ec, &format!("{} {} 1", efd.0, cfd.0)).unwrap();
    assert_eq!(errno(read_count(&k, INIT, efd)), Some(Errno::EAGAIN));
    echo(&k, INIT, &format!("{CG}/A/probe.fire"), "").unwrap();
    assert_eq!(read_count(&k, INIT, efd).unwrap(), 1);
    // Closing the eventfd (its only fd) unregisters the event.
    k.close(INIT, efd).unwrap();
    assert_eq!((k.nr_cgroup_events(), regs.lock().len()), (0, 0));
    // rmdir signals each event once, after the directory is gone, and unregisters it.
    let efd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap();
    echo(&k, INIT, &ec, &format!("{} {} 1", efd.0, cfd.0)).unwrap();
    k.close(INIT, cfd).unwrap();
    k.rmdir(INIT, &format!("{CG}/A")).unwrap();
    assert_eq!(read_count(&k, INIT, efd).unwrap(), 1);
    assert_eq!(
        errno(k.access(INIT, &ec, cgsim_cgroupfs::W_OK)),
        Some(Errno::ENOENT)
    );
    assert_eq!((k.nr_cgroup_events(), regs.lock().len()), (0, 0));
    k.check_invariants();
}

#[test]
fn kernel_2_6_34_registers_against_the_written_cgroup() {
    // Kernel quirk (2.6.34, no same-cgroup check): B's file registered through A's
    // cgroup.event_control lands on A.
    let (k, regs) = boot_with_probe(false);
    let efd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap();
    let cfd_b = k
        .open(INIT, &format!("{CG}/B/probe.level"), OpenFlags::RDONLY, 0)
        .unwrap();
    echo(
        &k,
        INIT,
        &format!("{CG}/A/cgroup.event_control"),
        &format!("{} {}", efd.0, cfd_b.0),
    )
    .unwrap();
    echo(&k, INIT, &format!("{CG}/B/probe.fire"), "").unwrap();
    assert_eq!(errno(read_count(&k, INIT, efd)), Some(Errno::EAGAIN));
    echo(&k, INIT, &format!("{CG}/A/probe.fire"), "").unwrap();
    assert_eq!(read_count(&k, INIT, efd).unwrap(), 1);
    assert_eq!(regs.lock().len(), 1);
}

#[test]
fn user_subsystem_shows_in_proc_cgroups() {
    let (k, _) = boot_with_probe(true);
    let pc = cat(&k, INIT, "/proc/cgroups").unwrap();
    assert!(pc.ends_with("probe\t1\t3\t1\n"), "{pc}");
    let files: Vec<String> = k
        .readdir(INIT, &format!("{CG}/A"))
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(
        files.contains(&"probe.level".to_string()) && files.contains(&"probe.fire".to_string())
    );
    assert_eq!(
        k.stat(INIT, &format!("{CG}/A/probe.fire")).unwrap().mode,
        0o200
    );
}
