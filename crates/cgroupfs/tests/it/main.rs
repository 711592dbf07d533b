//! Integration tests of the simulated VFS and syscall API, driven only through `Kernel`.
//!
//! One binary for the whole crate (fewer link steps). Each module covers one area; tables of
//! (operation, path, expected errno) keep the cases readable as data.

mod cgroup;
mod concurrency;
mod event_control;
mod eventfd;
mod facade;
mod fault;
mod fsnotify;
mod hostfs;
mod inotify;
mod lockdep;
mod memory;
mod model;
mod percpu;
mod pid_max;
mod process;
mod procfs;
mod procmodel;
mod psi;
mod robust;
mod sched;
mod swap_fail;
mod threads;
mod tmpfs_total;
mod vfs;

use cgsim_cgroupfs::{Fd, Kernel, OpenFlags};
use cgsim_ktypes::{Errno, Pid, SysResult};
use std::sync::Arc;

pub const INIT: Pid = Pid(1);

/// A kernel with a small machine (16 MiB RAM, 4 MiB swap): the property tests check the memory
/// controller's invariants, which walk every page frame, after every step. It is 2.6.35
/// without the per-CPU charge stock (`--set memcg.stock_pages=0`), so usage counts single
/// pages and returns to 0 when everything is freed.
pub fn boot() -> Arc<Kernel> {
    let mut p = cgsim_cgroupfs::BootParams {
        ram: cgsim_ktypes::Bytes(16 << 20),
        swap: cgsim_ktypes::Bytes(4 << 20),
        ..Default::default()
    };
    p.set("memcg.stock_pages", "0").expect("a switch");
    Kernel::boot(p)
}

/// [`boot`]'s machine as Linux 3.10 (which has `oom_score_adj`), with its stock.
pub fn boot_3_10() -> Arc<Kernel> {
    Kernel::boot(cgsim_cgroupfs::BootParams {
        ram: cgsim_ktypes::Bytes(16 << 20),
        swap: cgsim_ktypes::Bytes(4 << 20),
        ..cgsim_cgroupfs::BootParams::kernel("3.10").expect("a preset")
    })
}

/// Linux 6.6 with `cgroup2` mounted at `/sys/fs/cgroup` and the memory controller enabled for
/// the root's children (`/tmp` exists too).
pub fn boot_cgroup2() -> Arc<Kernel> {
    let k = Kernel::boot(cgsim_cgroupfs::BootParams::kernel("6.6").expect("a preset"));
    for d in ["/sys", "/sys/fs", "/sys/fs/cgroup", "/tmp"] {
        let _ = k.mkdir(INIT, d, 0o755);
    }
    k.mount(INIT, "none", "/sys/fs/cgroup", "cgroup2", false, None)
        .unwrap();
    echo(&k, INIT, "/sys/fs/cgroup/cgroup.subtree_control", "+memory").unwrap();
    k
}

/// [`boot_cgroup2`] with a child cgroup `/sys/fs/cgroup/A`.
pub fn boot_6_6() -> Arc<Kernel> {
    let k = boot_cgroup2();
    k.mkdir(INIT, "/sys/fs/cgroup/A", 0o755).unwrap();
    k
}

/// `cat path` as `pid` ([`Kernel::read_file`]).
pub fn cat(k: &Kernel, pid: Pid, path: &str) -> SysResult<String> {
    Ok(String::from_utf8(k.read_file(pid, path)?).expect("utf8"))
}

/// Read `fd` to end of file in 7-byte chunks (short reads of the kernel's seq_file buffers).
pub fn read_all(k: &Kernel, pid: Pid, fd: Fd) -> SysResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 7];
    loop {
        let n = k.read(pid, fd, &mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// `echo data > path` as `pid` ([`Kernel::write_file`]: one open with
/// `O_WRONLY|O_CREAT|O_TRUNC`, one write).
pub fn echo(k: &Kernel, pid: Pid, path: &str, data: &str) -> SysResult<()> {
    k.write_file(pid, path, data.as_bytes())
}

/// The errno of a result, or `None` for success.
pub fn errno<T>(r: SysResult<T>) -> Option<Errno> {
    r.err().map(|e| e.errno)
}

/// A child of init running as `uid` (non-root when `uid != 0`).
pub fn user_process(k: &Kernel, uid: u32) -> Pid {
    let pid = k.fork(INIT).expect("fork");
    k.set_cred(pid, cgsim_ktypes::Cred::user(uid))
        .expect("set_cred");
    pid
}
