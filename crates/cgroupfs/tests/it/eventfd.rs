//! eventfd through file descriptors (`fs/eventfd.c` `eventfd_read`, `eventfd_write`, v2.6.34).

use super::*;
use cgsim_cgroupfs::{EFD_NONBLOCK, EFD_SEMAPHORE};

fn read_u64(k: &Kernel, pid: Pid, fd: Fd) -> SysResult<u64> {
    let mut buf = [0u8; 8];
    k.read(pid, fd, &mut buf)?;
    Ok(u64::from_ne_bytes(buf))
}

fn write_u64(k: &Kernel, pid: Pid, fd: Fd, v: u64) -> SysResult<usize> {
    k.write(pid, fd, &v.to_ne_bytes())
}

#[test]
fn scenario_15_3_12() {
    let k = boot();
    let fd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap();
    assert_eq!(errno(read_u64(&k, INIT, fd)), Some(Errno::EAGAIN));
    write_u64(&k, INIT, fd, 3).unwrap();
    write_u64(&k, INIT, fd, 4).unwrap();
    assert_eq!(read_u64(&k, INIT, fd).unwrap(), 7);
    assert_eq!(errno(k.read(INIT, fd, &mut [0u8; 4])), Some(Errno::EINVAL));
    assert_eq!(
        errno(write_u64(&k, INIT, fd, u64::MAX)),
        Some(Errno::EINVAL)
    );
    let sem = k.eventfd(INIT, 3, EFD_SEMAPHORE | EFD_NONBLOCK).unwrap();
    for _ in 0..3 {
        assert_eq!(read_u64(&k, INIT, sem).unwrap(), 1);
    }
    assert_eq!(errno(read_u64(&k, INIT, sem)), Some(Errno::EAGAIN));
    assert_eq!(errno(k.eventfd(INIT, 0, 0x4)), Some(Errno::EINVAL));
    k.check_invariants();
}

#[test]
fn shared_across_fork_and_closed_last() {
    let k = boot();
    let fd = k.eventfd(INIT, 0, 0).unwrap();
    let c = k.fork(INIT).unwrap();
    write_u64(&k, c, fd, 5).unwrap();
    k.close(c, fd).unwrap();
    assert_eq!(read_u64(&k, INIT, fd).unwrap(), 5, "same eventfd in both");
    // A blocking eventfd with count 0 reports EAGAIN to the caller (a Program then waits).
    assert_eq!(errno(read_u64(&k, INIT, fd)), Some(Errno::EAGAIN));
    k.close(INIT, fd).unwrap();
    assert_eq!(errno(read_u64(&k, INIT, fd)), Some(Errno::EBADF));
    k.check_invariants();
}
