//! tmpfs's running total of file data (`mm/shmem.c`, 2.6.35's `sbinfo->free_blocks`): writes,
//! truncations and unlinks keep it equal to the sum of the files' sizes (invariant 3 of
//! `tmpfs.rs`, checked by `Kernel::check_invariants`), and the `size=50%` limit it feeds
//! behaves as the per-write sum did: a write that does not fit is short, the next is ENOSPC.

use crate::{INIT, errno};
use cgsim_cgroupfs::{BootParams, Kernel, OpenFlags};
use cgsim_ktypes::{Bytes, Errno};
use proptest::prelude::*;
use std::sync::Arc;

const KIB: u64 = 1024;
/// The simulated machine's RAM: a tmpfs holds at most half of it.
const RAM: u64 = 16 << 20;
const CAP: u64 = RAM / 2;
const FILES: usize = 4;

#[derive(Clone, Debug)]
enum Op {
    /// `> file` and `len` bytes (`O_TRUNC`).
    Trunc(usize, u64),
    /// `>> file` and `len` bytes.
    Append(usize, u64),
    /// `len` bytes over the start of an existing file (`O_WRONLY`, position 0).
    Overwrite(usize, u64),
    Unlink(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let file = 0..FILES;
    let len = prop_oneof![0..8 * KIB, 1024 * KIB..3 * 1024 * KIB];
    prop_oneof![
        (file.clone(), len.clone()).prop_map(|(f, l)| Op::Trunc(f, l)),
        (file.clone(), len.clone()).prop_map(|(f, l)| Op::Append(f, l)),
        (file.clone(), len).prop_map(|(f, l)| Op::Overwrite(f, l)),
        file.prop_map(Op::Unlink),
    ]
}

fn boot_with_tmpfs() -> Arc<Kernel> {
    let k = Kernel::boot(BootParams {
        ram: Bytes(RAM),
        swap: Bytes(4 << 20),
        ..BootParams::default()
    });
    k.mkdir(INIT, "/t", 0o755).unwrap();
    k.mount(INIT, "none", "/t", "tmpfs", false, None).unwrap();
    k
}

/// Open, write `len` bytes once, close: the bytes written, or the errno.
fn write_once(k: &Kernel, path: &str, flags: OpenFlags, len: u64) -> Result<u64, Errno> {
    let fd = k.open(INIT, path, flags, 0o644).map_err(|e| e.errno)?;
    let r = k.write(INIT, fd, &vec![b'x'; len as usize]);
    k.close(INIT, fd).unwrap();
    r.map(|n| n as u64).map_err(|e| e.errno)
}

/// What the filesystem should answer, from the sizes alone: the growth that fits under
/// `CAP`, a short write, or ENOSPC when nothing fits and something was asked.
fn expect(total: u64, size: u64, pos: u64, len: u64) -> Result<u64, Errno> {
    let growth = (pos + len).saturating_sub(size);
    let free = CAP.saturating_sub(total);
    let cut = growth.saturating_sub(free).min(len);
    if len > 0 && cut == len {
        Err(Errno::ENOSPC)
    } else {
        Ok(len - cut)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random writes, truncations and unlinks on one tmpfs: every result is what the sizes
    /// predict, the sizes are what `stat` reports, and the running total equals the sum
    /// (`check_invariants`) after every operation.
    #[test]
    fn running_total_matches_the_sum(ops in prop::collection::vec(op(), 1..16)) {
        let k = boot_with_tmpfs();
        let mut sizes: [Option<u64>; FILES] = [None; FILES];
        for op in &ops {
            let total: u64 = sizes.iter().flatten().sum();
            match *op {
                Op::Trunc(f, len) => {
                    let path = format!("/t/f{f}");
                    let got = write_once(&k, &path, OpenFlags::REDIRECT_TRUNC, len);
                    // O_TRUNC frees the file's data before the write asks for room.
                    let want = expect(total - sizes[f].unwrap_or(0), 0, 0, len);
                    prop_assert_eq!(got, want, "{:?}", op);
                    sizes[f] = Some(want.unwrap_or(0));
                }
                Op::Append(f, len) => {
                    let path = format!("/t/f{f}");
                    let got = write_once(&k, &path, OpenFlags::REDIRECT_APPEND, len);
                    let size = sizes[f].unwrap_or(0);
                    let want = expect(total, size, size, len);
                    prop_assert_eq!(got, want, "{:?}", op);
                    sizes[f] = Some(size + want.unwrap_or(0));
                }
                Op::Overwrite(f, len) => {
                    let path = format!("/t/f{f}");
                    let got = write_once(&k, &path, OpenFlags::WRONLY, len);
                    match sizes[f] {
                        None => prop_assert_eq!(got, Err(Errno::ENOENT), "{:?}", op),
                        Some(size) => {
                            let want = expect(total, size, 0, len);
                            prop_assert_eq!(got, want, "{:?}", op);
                            sizes[f] = Some(size.max(want.unwrap_or(0)));
                        }
                    }
                }
                Op::Unlink(f) => {
                    let r = k.unlink(INIT, &format!("/t/f{f}"));
                    prop_assert_eq!(r.is_ok(), sizes[f].is_some(), "{:?}", op);
                    sizes[f] = None;
                }
            }
            for (f, size) in sizes.iter().enumerate() {
                let st = k.stat(INIT, &format!("/t/f{f}"));
                prop_assert_eq!(st.ok().map(|s| s.size), *size, "f{} after {:?}", f, op);
            }
            k.check_invariants();
        }
    }
}

/// Unlinking a file gives its room back at once (the simulated unlink frees the inode).
#[test]
fn unlink_frees_room() {
    let k = boot_with_tmpfs();
    let mib = 1 << 20;
    assert_eq!(
        write_once(&k, "/t/a", OpenFlags::REDIRECT_TRUNC, 6 * mib),
        Ok(6 * mib)
    );
    assert_eq!(
        write_once(&k, "/t/b", OpenFlags::REDIRECT_TRUNC, 4 * mib),
        Ok(2 * mib)
    );
    assert_eq!(
        write_once(&k, "/t/c", OpenFlags::REDIRECT_TRUNC, 1),
        Err(Errno::ENOSPC)
    );
    k.unlink(INIT, "/t/a").unwrap();
    assert_eq!(
        write_once(&k, "/t/c", OpenFlags::REDIRECT_TRUNC, 5 * mib),
        Ok(5 * mib)
    );
    assert_eq!(errno(k.unlink(INIT, "/t/a")), Some(Errno::ENOENT));
    k.check_invariants();
}
