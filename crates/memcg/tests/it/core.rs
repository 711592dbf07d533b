//! The memory subsystem registered with the cgroup core: mount, mkdir, control files through
//! `cgroup_file_write`, attach through `tasks`, rmdir reparenting (`kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, `cgroup_create`, `attach_task_by_pid`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_write`, v2.6.34).

use crate::*;
use cgsim_cgroup::{CgroupCore, CoreProfile};
use cgsim_ktypes::{Bytes, Cred, Errno};
use cgsim_memcg::subsys::{css_memcg, memory_subsystems};

fn cat(
    core: &CgroupCore<NoTrace>,
    cg: cgsim_cgroup::CgroupId,
    name: &str,
) -> Result<String, Errno> {
    let of = core.open(cg, name, true, false)?;
    Ok(String::from_utf8(core.read_all(&of, Pid(1))?).unwrap())
}

fn echo(
    core: &CgroupCore<NoTrace>,
    cg: cgsim_cgroup::CgroupId,
    name: &str,
    s: &str,
) -> Result<usize, Errno> {
    let of = core.open(cg, name, false, true)?;
    core.write(&of, Pid(1), s.as_bytes())
}

#[test]
fn mount_mkdir_limit_attach_rmdir() {
    let m = boot(64, 16);
    let core = CgroupCore::new(
        Arc::new(NoTrace),
        CoreProfile::default(),
        memory_subsystems(Arc::clone(&m)),
        Pid(1),
        Cred::ROOT,
    );
    let mnt = core.mount(Some("memory")).unwrap();
    let top = mnt.top;
    assert_eq!(
        cat(&core, top, "memory.limit_in_bytes").unwrap(),
        "9223372036854775807\n"
    );
    assert_eq!(
        echo(&core, top, "memory.limit_in_bytes", "4M"),
        Err(Errno::EINVAL)
    );
    let a = core.mkdir(top, "A", 0o755, Cred::ROOT).unwrap();
    let css = core.cgroup_css(a, 5).unwrap().unwrap();
    let id = css_memcg(&css).unwrap();
    assert_eq!(m.parent(id), Some(MemcgId::ROOT));
    assert_eq!(echo(&core, a, "memory.limit_in_bytes", "4M\n"), Ok(3));
    assert_eq!(cat(&core, a, "memory.limit_in_bytes").unwrap(), "4194304\n");
    assert_eq!(
        echo(&core, a, "memory.limit_in_bytes", "abc"),
        Err(Errno::EINVAL)
    );
    assert_eq!(cat(&core, a, "memory.force_empty"), Err(Errno::EINVAL));
    // A task moves in through `tasks`, faults memory, and is charged to A.
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    m.fork_mm(Pid(1), Pid(10)).unwrap();
    m.exec_mm(Pid(10), "usemem", CPU).unwrap();
    echo(&core, a, "tasks", "10").unwrap();
    assert_eq!(m.task_memcg(Pid(10)), id);
    let addr = m.mmap_anon(Pid(10), Bytes(MIB)).unwrap();
    m.touch(Pid(10), addr, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(cat(&core, a, "memory.usage_in_bytes").unwrap(), "1048576\n");
    assert!(
        cat(&core, a, "memory.stat")
            .unwrap()
            .starts_with("cache 0\nrss 1048576\n")
    );
    assert_eq!(
        cat(&core, a, "memory.oom_control").unwrap(),
        "oom_kill_disable 0\nunder_oom 0\n"
    );
    // rmdir with the task inside fails; after moving it out, the charges go to the root.
    assert_eq!(core.rmdir(a), Err(Errno::EBUSY));
    echo(&core, top, "tasks", "10").unwrap();
    core.rmdir(a).unwrap();
    assert!(!m.exists(id));
    assert_eq!(
        m.read_file(MemcgId::ROOT, "stat").unwrap().lines().nth(1),
        Some("rss 1048576")
    );
    m.check_invariants();
}
