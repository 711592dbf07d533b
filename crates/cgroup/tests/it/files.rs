//! Control-file I/O rules (`kernel/cgroup.c` `cgroup_populate_dir`, `cgroup_file_read`, `cgroup_file_write`, `cgroup_write_event_control`, v2.6.34).

use crate::common::*;
use std::sync::Arc;

#[test]
fn removed_cgroup_files_are_enodev() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    let r = core.open(a, "cpu.shares", true, true).unwrap();
    let t = core.open(a, "tasks", true, true).unwrap();
    core.rmdir(a).unwrap();
    assert_eq!(core.read_all(&r, Pid(1)), Err(Errno::ENODEV));
    assert_eq!(core.write(&r, Pid(1), b"5"), Err(Errno::ENODEV));
    assert_eq!(core.write(&t, Pid(1), b"1"), Err(Errno::ENODEV));
    assert_eq!(
        core.read_all(&t, Pid(1)).unwrap(),
        b"",
        "the open-time snapshot stays readable"
    );
    assert_eq!(
        core.open(a, "tasks", true, false).err(),
        Some(Errno::ENOENT)
    );
}

#[test]
fn handlers_and_dispatch() {
    let core = boot();
    let m = core.mount(Some("cpu,cpuacct")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(read(&core, a, "cpu.shares", Pid(1)).unwrap(), "1024\n");
    assert_eq!(write(&core, a, "cpu.shares", Pid(1), "1\n"), Ok(2));
    assert_eq!(
        read(&core, a, "cpu.shares", Pid(1)).unwrap(),
        "2\n",
        "clamped to MIN_SHARES"
    );
    assert_eq!(
        write(&core, m.top, "cpu.shares", Pid(1), "100"),
        Err(Errno::EINVAL),
        "root group"
    );
    assert_eq!(
        write(&core, a, "cpu.shares", Pid(1), "abc"),
        Err(Errno::EINVAL)
    );
    assert_eq!(write(&core, a, "cpuacct.usage", Pid(1), "0"), Ok(1));
    assert_eq!(
        write(&core, a, "cpuacct.usage", Pid(1), "5"),
        Err(Errno::EINVAL)
    );
    // No write handler → EINVAL; no read handler → EINVAL; wrong open mode → EBADF.
    assert_eq!(
        write(&core, a, "cgroup.procs", Pid(1), "1"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        read(&core, a, "cgroup.event_control", Pid(1)),
        Err(Errno::EINVAL)
    );
    let ro = core.open(a, "cpu.shares", true, false).unwrap();
    assert_eq!(core.write(&ro, Pid(1), b"5"), Err(Errno::EBADF));
    // Reads honour the offset.
    let mut buf = [0u8; 16];
    assert_eq!(core.read(&ro, Pid(1), 1, &mut buf), Ok(1));
    assert_eq!(&buf[..1], b"\n");
    assert_eq!(core.read(&ro, Pid(1), 2, &mut buf), Ok(0));
}

#[test]
fn notify_on_release_and_release_agent_files() {
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    write(&core, m.top, "notify_on_release", Pid(1), "1").unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        read(&core, a, "notify_on_release", Pid(1)).unwrap(),
        "1\n",
        "inherited"
    );
    assert_eq!(
        write(&core, a, "notify_on_release", Pid(1), "2x"),
        Err(Errno::EINVAL)
    );
    write(&core, a, "notify_on_release", Pid(1), "0").unwrap();
    assert_eq!(read(&core, a, "notify_on_release", Pid(1)).unwrap(), "0\n");
    assert_eq!(
        core.lookup(a, "release_agent"),
        Err(Errno::ENOENT),
        "top only"
    );
    write(&core, m.top, "release_agent", Pid(1), "  /sbin/agent \n").unwrap();
    assert_eq!(
        read(&core, m.top, "release_agent", Pid(1)).unwrap(),
        "/sbin/agent\n"
    );
    let long = "a".repeat(4096);
    assert_eq!(
        write(&core, m.top, "release_agent", Pid(1), &long),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        core.show_options(m.root).unwrap(),
        ",memory,release_agent=/sbin/agent"
    );
}

struct Recorder(parking_lot::Mutex<Vec<EventControlRequest>>);

impl EventControl for Recorder {
    fn register(&self, req: &EventControlRequest) -> Result<(), Errno> {
        self.0.lock().push(req.clone());
        Ok(())
    }
}

#[test]
fn event_control_parses_then_asks_the_hook() {
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    // The default hook: no eventfd support yet.
    assert_eq!(
        write(&core, a, "cgroup.event_control", Pid(1), "3 4 5M"),
        Err(Errno::EINVAL)
    );
    let rec = Arc::new(Recorder(parking_lot::Mutex::new(Vec::new())));
    core.set_event_control(rec.clone());
    assert_eq!(
        write(&core, a, "cgroup.event_control", Pid(1), "3 4 5M\n"),
        Ok(7)
    );
    assert_eq!(
        write(&core, a, "cgroup.event_control", Pid(1), "3x4"),
        Err(Errno::EINVAL)
    );
    let long = format!("3 4 {}", "9".repeat(59));
    assert_eq!(
        write(&core, a, "cgroup.event_control", Pid(1), &long),
        Err(Errno::E2BIG)
    );
    let reqs = rec.0.lock();
    assert_eq!(
        *reqs,
        [EventControlRequest {
            writer: Pid(1),
            cgrp: a,
            efd: 3,
            cfd: 4,
            args: "5M".to_string()
        }]
    );
    assert_eq!(core.cftype_events(a, "tasks").err(), Some(Errno::EINVAL));
}

#[test]
fn v3_10_base_files() {
    let p = CoreProfile {
        base_files: cgsim_cgroup::profile::BaseFiles::V3_10,
        ..CoreProfile::default()
    };
    let core = boot_with(p);
    let m = core.mount(Some("cpuacct")).unwrap();
    let names: Vec<String> = files(&core, m.top).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "tasks",
            "cgroup.procs",
            "notify_on_release",
            "cgroup.event_control",
            "cgroup.clone_children",
            "release_agent",
            "cgroup.sane_behavior",
            "cpuacct.usage"
        ]
    );
    write(&core, m.top, "cgroup.clone_children", Pid(1), "1").unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        read(&core, a, "cgroup.clone_children", Pid(1)).unwrap(),
        "1\n"
    );
}

/// Kernel (2.6.35 `cgroup_write_X64`): only a zero-length write is EINVAL. `echo > file` writes
/// "\n", which `strstrip` empties; `simple_strtoull("")` is 0 with nothing left over, so the
/// handler gets 0: `tasks` attaches the writer (pid 0 = current in `attach_task_by_pid`),
/// `notify_on_release` clears, `cpu.shares` clamps to `MIN_SHARES`, `cpuacct.usage` resets.
#[test]
fn blank_writes_to_numeric_files_write_zero() {
    let core = boot();
    let m = core.mount(Some("cpu,cpuacct")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    assert_eq!(write(&core, a, "tasks", Pid(2), "\n"), Ok(1));
    assert_eq!(tasks(&core, a), [2]);
    assert_eq!(write(&core, a, "tasks", Pid(2), ""), Err(Errno::EINVAL));
    assert_eq!(write(&core, a, "notify_on_release", Pid(1), "1"), Ok(1));
    assert_eq!(write(&core, a, "notify_on_release", Pid(1), " \n"), Ok(2));
    assert_eq!(read(&core, a, "notify_on_release", Pid(1)).unwrap(), "0\n");
    assert_eq!(write(&core, a, "cpu.shares", Pid(1), "\n"), Ok(1));
    assert_eq!(read(&core, a, "cpu.shares", Pid(1)).unwrap(), "2\n");
    assert_eq!(write(&core, a, "cpuacct.usage", Pid(1), "\n"), Ok(1));
    check(&core);
}

/// Kernel (2.6.35 `cgroup_release_agent_write` / `_show`): the path is a C string copied
/// byte for byte (`strcpy`) after `cgroup_write_string`'s `strstrip`, whose `isspace` is
/// `lib/ctype.c`'s, where 0xA0 is a space. Bytes that are not UTF-8 read back unchanged.
#[test]
fn release_agent_keeps_bytes() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let raw = |core: &Core| {
        let of = core.open(m.top, "release_agent", true, false).unwrap();
        core.read_all(&of, Pid(1)).unwrap()
    };
    let of = core.open(m.top, "release_agent", false, true).unwrap();
    assert_eq!(core.write(&of, Pid(1), b"/sbin/x\xa0"), Ok(8));
    assert_eq!(raw(&core), b"/sbin/x\n");
    assert_eq!(core.write(&of, Pid(1), b"\xa0/sbin/\xff\xfe\n"), Ok(10));
    assert_eq!(raw(&core), b"/sbin/\xff\xfe\n");
    check(&core);
}

/// Kernel (2.6.35 `kernel/cpuset.c` `cpuset_write_resmask` → `update_cpumask` /
/// `update_nodemask`): the top cpuset is read-only (EACCES before the buffer is parsed); an
/// empty buffer clears; `cpulist_parse` errors (EINVAL, ERANGE past `nr_cpumask_bits`); CPUs
/// that exist in the mask but are not active are EINVAL; then `validate_change`: a child that
/// would not be a subset of its parent is EACCES, a mask that would not cover a child's is
/// EBUSY, and a cpuset with tasks cannot be emptied (ENOSPC).
#[test]
fn cpuset_writes_as_2_6_35() {
    let core = boot();
    let m = core.mount(Some("cpuset")).unwrap();
    for data in ["0", "garbage", "+1", ""] {
        assert_eq!(
            write(&core, m.top, "cpuset.cpus", Pid(1), data),
            Err(Errno::EACCES),
            "top cpus {data:?}"
        );
        assert_eq!(
            write(&core, m.top, "cpuset.mems", Pid(1), data),
            Err(Errno::EACCES),
            "top mems {data:?}"
        );
    }
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(write(&core, a, "cpuset.cpus", Pid(1), "0,\n"), Ok(3));
    assert_eq!(read(&core, a, "cpuset.cpus", Pid(1)).unwrap(), "0\n");
    assert_eq!(
        write(&core, a, "cpuset.cpus", Pid(1), "+1"),
        Err(Errno::EINVAL)
    );
    // Two CPUs online out of NR_CPUS = 64: 2..63 exist but are not active, 64+ are out of range.
    assert_eq!(
        write(&core, a, "cpuset.cpus", Pid(1), "5"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        write(&core, a, "cpuset.cpus", Pid(1), "64"),
        Err(Errno::ERANGE)
    );
    // One memory node online out of MAX_NUMNODES = 64.
    assert_eq!(
        write(&core, a, "cpuset.mems", Pid(1), "1"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        write(&core, a, "cpuset.mems", Pid(1), "64"),
        Err(Errno::ERANGE)
    );
    assert_eq!(write(&core, a, "cpuset.mems", Pid(1), "0"), Ok(1));
    assert_eq!(read(&core, a, "cpuset.cpus", Pid(1)).unwrap(), "0\n");
    // validate_change.
    let b = core.mkdir(a, "B", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        write(&core, b, "cpuset.cpus", Pid(1), "1"),
        Err(Errno::EACCES),
        "not a subset of the parent"
    );
    assert_eq!(write(&core, b, "cpuset.cpus", Pid(1), "0"), Ok(1));
    assert_eq!(
        write(&core, a, "cpuset.cpus", Pid(1), "1"),
        Err(Errno::EBUSY)
    );
    assert_eq!(write(&core, b, "cpuset.mems", Pid(1), "0"), Ok(1));
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    assert_eq!(write(&core, b, "tasks", Pid(1), "2"), Ok(1));
    assert_eq!(
        write(&core, b, "cpuset.cpus", Pid(1), "\n"),
        Err(Errno::ENOSPC)
    );
    assert_eq!(
        write(&core, b, "cpuset.mems", Pid(1), ""),
        Err(Errno::ENOSPC)
    );
    assert_eq!(read(&core, b, "cpuset.cpus", Pid(1)).unwrap(), "0\n");
    check(&core);
}
