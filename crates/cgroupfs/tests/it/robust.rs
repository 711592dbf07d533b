//! Random syscalls with hostile arguments across every filesystem: nothing panics, and the VFS,
//! process-table and core invariants hold after every call (STYLE §5: bad input gets an errno).

use super::*;
use cgsim_cgroupfs::Signal;
use cgsim_ktypes::Cred;
use proptest::prelude::*;

const PATHS: [&str; 22] = [
    "/",
    "/tmp",
    "/tmp/a",
    "/tmp/a/b",
    "/proc",
    "/proc/self",
    "/proc/self/status",
    "/proc/1/cgroup",
    "/cg",
    "/cg/A",
    "/cg/A/B",
    "/cg/A/tasks",
    "/cg/tasks",
    "/cg/notify_on_release",
    "/cg/release_agent",
    "/cg/A/notify_on_release",
    "/dev/null",
    "/sys/fs/cgroup",
    "..",
    ".",
    "A",
    "tasks",
];
const DATA: [&str; 8] = ["0", "1", "x", "", "/sbin/agent", "2", "3 4", "999999"];
const OPTS: [&str; 6] = [
    "memory",
    "cpu,cpuacct",
    "bogus",
    "memory,,cpu",
    "name=x,none",
    "all",
];

#[derive(Clone, Debug)]
enum Op {
    Mkdir(usize, usize),
    Rmdir(usize, usize),
    Unlink(usize, usize),
    Open(usize, usize, u8),
    Read(usize, i32),
    Write(usize, i32, usize),
    Close(usize, i32),
    Dup2(usize, i32, i32),
    Chdir(usize, usize),
    Fork(usize),
    Exit(usize),
    Kill(usize, usize, i32),
    Wait(usize),
    Mount(usize, usize, usize, bool),
    Umount(usize, usize),
    Eventfd(usize, i32),
    Readdir(usize, usize),
    User(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0usize..8;
    let path = 0..PATHS.len();
    let fd = -1i32..8;
    prop_oneof![
        (p.clone(), path.clone()).prop_map(|(a, b)| Op::Mkdir(a, b)),
        (p.clone(), path.clone()).prop_map(|(a, b)| Op::Rmdir(a, b)),
        (p.clone(), path.clone()).prop_map(|(a, b)| Op::Unlink(a, b)),
        (p.clone(), path.clone(), any::<u8>()).prop_map(|(a, b, f)| Op::Open(a, b, f)),
        (p.clone(), fd.clone()).prop_map(|(a, b)| Op::Read(a, b)),
        (p.clone(), fd.clone(), 0..DATA.len()).prop_map(|(a, b, d)| Op::Write(a, b, d)),
        (p.clone(), fd.clone()).prop_map(|(a, b)| Op::Close(a, b)),
        (p.clone(), fd.clone(), fd.clone()).prop_map(|(a, b, c)| Op::Dup2(a, b, c)),
        (p.clone(), path.clone()).prop_map(|(a, b)| Op::Chdir(a, b)),
        p.clone().prop_map(Op::Fork),
        p.clone().prop_map(Op::Exit),
        (p.clone(), p.clone(), -1i32..20).prop_map(|(a, b, s)| Op::Kill(a, b, s)),
        p.clone().prop_map(Op::Wait),
        (p.clone(), path.clone(), 0..OPTS.len(), any::<bool>())
            .prop_map(|(a, b, o, r)| Op::Mount(a, b, o, r)),
        (p.clone(), path.clone()).prop_map(|(a, b)| Op::Umount(a, b)),
        (p.clone(), -1i32..4).prop_map(|(a, f)| Op::Eventfd(a, f)),
        (p.clone(), path.clone()).prop_map(|(a, b)| Op::Readdir(a, b)),
        p.prop_map(Op::User),
    ]
}

fn run(k: &Kernel, op: &Op) {
    let pids: Vec<Pid> = k.ps().into_iter().map(|p| p.pid).collect();
    let pid = |i: usize| pids[i % pids.len()];
    let flags = |f: u8| OpenFlags {
        read: f & 1 != 0,
        write: f & 2 != 0,
        create: f & 4 != 0,
        truncate: f & 8 != 0,
        append: f & 16 != 0,
        excl: f & 32 != 0,
        nonblock: f & 64 != 0,
        directory: f & 128 != 0,
        cloexec: false,
    };
    let _ = match *op {
        Op::Mkdir(p, a) => ok(k.mkdir(pid(p), PATHS[a], 0o755)),
        Op::Rmdir(p, a) => ok(k.rmdir(pid(p), PATHS[a])),
        Op::Unlink(p, a) => ok(k.unlink(pid(p), PATHS[a])),
        Op::Open(p, a, f) => ok(k.open(pid(p), PATHS[a], flags(f), 0o644)),
        Op::Read(p, fd) => ok(k.read(pid(p), Fd(fd), &mut [0u8; 16])),
        Op::Write(p, fd, d) => ok(k.write(pid(p), Fd(fd), DATA[d].as_bytes())),
        Op::Close(p, fd) => ok(k.close(pid(p), Fd(fd))),
        Op::Dup2(p, a, b) => ok(k.dup2(pid(p), Fd(a), Fd(b))),
        Op::Chdir(p, a) => ok(k.chdir(pid(p), PATHS[a])),
        Op::Fork(p) => ok(k.fork(pid(p))),
        Op::Exit(p) => {
            k.exit(pid(p), 3);
            Ok(())
        }
        Op::Kill(a, b, s) => ok(k.kill(pid(a), pid(b), Signal(s))),
        Op::Wait(p) => ok(k.waitpid(pid(p), None)),
        Op::Mount(p, a, o, r) => ok(k.mount(pid(p), "none", PATHS[a], "cgroup", r, Some(OPTS[o]))),
        Op::Umount(p, a) => ok(k.umount(pid(p), PATHS[a])),
        Op::Eventfd(p, f) => ok(k.eventfd(pid(p), 1, f)),
        Op::Readdir(p, a) => ok(k.readdir(pid(p), PATHS[a])),
        Op::User(p) => ok(k.set_cred(pid(p), Cred::user(1000))),
    };
}

/// Forget the value of a syscall: only panics and invariants matter here.
fn ok<X>(r: SysResult<X>) -> SysResult<()> {
    r.map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_syscalls_keep_invariants(ops in prop::collection::vec(op(), 1..60)) {
        let k = boot();
        k.mkdir(INIT, "/cg", 0o755).unwrap();
        k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory")).unwrap();
        for op in &ops {
            run(&k, op);
            k.run_until_idle();
            k.check_invariants();
        }
        // Everything can still be torn down.
        for p in k.ps().into_iter().map(|p| p.pid).filter(|p| *p != INIT) {
            k.exit(p, 0);
        }
        while let Ok(Some(_)) = k.waitpid(INIT, None) {}
        k.check_invariants();
    }
}
