//! `Kernel` is shared between threads, and traces read like ftrace's function_graph.

use super::*;
use cgsim_ktypes::trace::{Ftrace, NoTrace, render_function_graph};

#[test]
fn kernel_is_send_and_sync() {
    fn assert_send_sync<X: Send + Sync>() {}
    assert_send_sync::<Kernel<Ftrace>>();
    assert_send_sync::<Kernel<NoTrace>>();
}

#[test]
fn threads_make_syscalls_concurrently() {
    let k = boot();
    k.mkdir(INIT, "/sys/fs/cgroup/cpu", 0o755).unwrap();
    k.mount(
        INIT,
        "cgroup",
        "/sys/fs/cgroup/cpu",
        "cgroup",
        false,
        Some("cpu"),
    )
    .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let k = Arc::clone(&k);
            std::thread::spawn(move || {
                let me = k.fork(INIT).unwrap();
                let dir = format!("/sys/fs/cgroup/cpu/t{t}");
                k.mkdir(me, &dir, 0o755).unwrap();
                for _ in 0..20 {
                    echo(&k, me, &format!("{dir}/tasks"), "0").unwrap();
                    echo(&k, me, "/sys/fs/cgroup/cpu/tasks", "0").unwrap();
                    let c = k.fork(me).unwrap();
                    k.exit(c, 0);
                    k.waitpid(me, Some(c)).unwrap();
                }
                k.rmdir(me, &dir).unwrap();
                me
            })
        })
        .collect();
    let pids: Vec<Pid> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let tasks = cat(&k, INIT, "/sys/fs/cgroup/cpu/tasks").unwrap();
    for p in pids {
        assert!(
            tasks.lines().any(|l| l == p.to_string()),
            "{p} back in the top cgroup"
        );
    }
    assert!(
        k.readdir(INIT, "/sys/fs/cgroup/cpu")
            .unwrap()
            .iter()
            .all(|e| !e.name.starts_with('t') || e.name == "tasks")
    );
    k.check_invariants();
}

#[test]
fn mount_traces_into_the_core() {
    let k = boot();
    k.tracer().set_on(true);
    k.mkdir(INIT, "/sys/fs/cgroup/memory", 0o755).unwrap();
    k.mount(
        INIT,
        "cgroup",
        "/sys/fs/cgroup/memory",
        "cgroup",
        false,
        Some("memory"),
    )
    .unwrap();
    echo(&k, INIT, "/sys/fs/cgroup/memory/notify_on_release", "1").unwrap();
    let graph = render_function_graph(&k.tracer().take());
    let calls: Vec<&str> = graph
        .lines()
        .map(|l| l.split('|').nth(1).unwrap_or("").trim())
        .collect();
    let pos = |f: &str| {
        calls
            .iter()
            .position(|c| c.starts_with(f))
            .unwrap_or_else(|| panic!("{f} in\n{graph}"))
    };
    assert!(pos("vfs_mkdir") < pos("do_mount() {"));
    assert!(pos("do_mount() {") < pos("cgroup_get_sb() {"));
    assert!(pos("vfs_write() {") < pos("cgroup_file_write"));
}
