//! Host directories bound read-only into the simulated filesystem (`cgsim --bind HOST:DIR`).
//!
//! **Kernel:** what `mount --bind HOST DIR` followed by `mount -o remount,ro,bind DIR` gives on
//! v2.6.35: `fs/namespace.c` `do_loopback` clones the mount of the host's filesystem with the
//! bound directory as its root, and `MNT_READONLY` on the clone makes `mnt_want_write` fail
//! every write through it with EROFS (`open` for writing or `O_CREAT`, `mkdir`, `rmdir`,
//! `unlink`, `chmod`, `chown`), after the lookups that come first (`mkdir` of a name that
//! exists is still EEXIST). `/proc/mounts` shows the clone as `show_vfsmnt` does: the device
//! and type of the filesystem it was cloned from, `ro` and the mount's `relatime`, then that
//! filesystem's own options; `/proc/PID/mountinfo` shows the bound directory as the mount's
//! root. The simulated machine's disk is `/dev/sda` (`sda2` is its swap), so the host
//! directory appears to live on `/dev/sda1`, an ext4 filesystem mounted as a 2.6.35-era
//! distribution mounts its root (`rw,relatime,barrier=1,data=ordered`, device `8:1`).
//!
//! This is the one place the simulated kernel reads the host, and it only reads: the inode
//! source is the host directory tree, looked up by relative path each time (`lookup`, `stat`,
//! `readdir`), and a regular file's bytes are read when it is opened.
//! Bounds: a file larger than [`HOST_MAX_FILE`] cannot be opened (EFBIG); a symbolic link is
//! followed only when its target stays inside the bound directory, otherwise the name is
//! refused with EACCES and left out of `readdir`; anything but directories and regular files
//! (devices, sockets, fifos) is refused the same way.
//!
//! **Differences:** the files are owned by root whatever their host owner (host user ids mean
//! nothing inside the machine); their pages are not in the simulated page cache, so reading
//! them charges no memory cgroup; every inode's times are the time of the bind, not the host's
//! (link counts are the host's); symbolic links are followed, never shown as
//! links; a change on the host is seen at the next lookup.

use crate::mount::{Mount, Super, add_mount, mnt};
use crate::namei::{Attr, Node};
use crate::state::State;
use crate::task::INIT_PID;
use crate::{DirEntry, FileType, Kernel};
use cgsim_ktypes::{Errno, SysError, SysResult, Tracer};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The largest host file that can be opened (16 MiB); larger ones fail with EFBIG.
pub const HOST_MAX_FILE: u64 = 16 << 20;

/// `EXT4_SUPER_MAGIC`, what `statfs` reports for the bound directory's filesystem.
pub const EXT4_SUPER_MAGIC: u64 = 0xef53;

/// The device the bound directories appear to live on.
pub const HOST_SOURCE: &str = "/dev/sda1";
/// Its `(major, minor)`: the first partition of the first SCSI disk.
pub const HOST_DEV: (u32, u32) = (8, 1);
/// Its filesystem type.
pub const HOST_FSTYPE: &str = "ext4";
/// `ext4_show_options` for a default mount, as a 2.6.35-era distribution's root shows it.
pub const HOST_FS_OPTIONS: &str = ",barrier=1,data=ordered";

/// One `--bind HOST:DIR` request: the host directory and where it appears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostBind {
    /// The host directory (made absolute and free of symlinks when bound).
    pub host: PathBuf,
    /// The absolute path inside the simulated filesystem; missing directories are created.
    pub dir: String,
}

impl HostBind {
    /// Parse `HOST:DIR` as the command line gives it (DIR must be absolute).
    pub fn parse(arg: &str) -> Result<HostBind, String> {
        let Some((host, dir)) = arg.rsplit_once(':') else {
            return Err(format!("--bind {arg}: expected HOSTDIR:SIMDIR"));
        };
        if host.is_empty() || !dir.starts_with('/') {
            return Err(format!(
                "--bind {arg}: expected HOSTDIR:SIMDIR with an absolute SIMDIR"
            ));
        }
        Ok(HostBind {
            host: PathBuf::from(host),
            dir: dir.to_string(),
        })
    }
}

/// One bound host directory.
#[derive(Clone, Debug)]
pub struct HostFs {
    /// The canonical host path of the bound directory.
    pub root: PathBuf,
    /// When the directory was bound (nanoseconds since boot): the atime, mtime and ctime of
    /// every inode under it, since the host's own times would show the host's clock, which the
    /// simulated machine never reads.
    pub bound_at: u64,
}

fn refused(why: &'static str) -> SysError {
    SysError::new(Errno::EACCES, why)
}

fn io_errno(e: &std::io::Error) -> SysError {
    match e.kind() {
        std::io::ErrorKind::NotFound => SysError::new(Errno::ENOENT, "no such host file"),
        std::io::ErrorKind::PermissionDenied => refused("the host refused the read"),
        _ => SysError::new(Errno::EIO, "host read failed"),
    }
}

impl HostFs {
    /// Bind `host`: it must be a directory; its canonical path becomes the root.
    pub fn new(host: &Path) -> std::io::Result<HostFs> {
        let root = std::fs::canonicalize(host)?;
        if !std::fs::metadata(&root)?.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a directory",
            ));
        }
        Ok(HostFs { root, bound_at: 0 })
    }

    /// The host path of `rel` with every symlink resolved, refused if it leaves the root.
    fn resolve(&self, rel: &str) -> SysResult<(PathBuf, std::fs::Metadata)> {
        let p = if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        };
        let real = std::fs::canonicalize(&p).map_err(|e| io_errno(&e))?;
        if !real.starts_with(&self.root) {
            return Err(refused("symlink leaves the bound directory"));
        }
        let md = std::fs::metadata(&real).map_err(|e| io_errno(&e))?;
        if !md.is_dir() && !md.is_file() {
            return Err(refused("not a directory or a regular file"));
        }
        Ok((real, md))
    }

    /// `stat` of `rel`.
    pub fn attr(&self, rel: &str) -> SysResult<Attr> {
        let (_, md) = self.resolve(rel)?;
        Ok(Attr {
            file_type: if md.is_dir() {
                FileType::Directory
            } else {
                FileType::Regular
            },
            mode: md.permissions().mode() & 0o7777,
            uid: 0,
            gid: 0,
            size: md.len(),
            ino: ino_of(rel),
            magic: EXT4_SUPER_MAGIC,
            rdev: None,
            nlink: u32::try_from(std::os::unix::fs::MetadataExt::nlink(&md)).unwrap_or(u32::MAX),
            atime: self.bound_at,
            mtime: self.bound_at,
            ctime: self.bound_at,
        })
    }

    /// The child `name` of directory `rel`, as a relative path.
    pub fn lookup(&self, rel: &str, name: &str) -> SysResult<String> {
        let child = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        self.resolve(&child)?;
        Ok(child)
    }

    /// The entries of directory `rel`, sorted by name; refused names are left out.
    pub fn readdir(&self, rel: &str) -> SysResult<Vec<DirEntry>> {
        let (real, _) = self.resolve(rel)?;
        let mut names: Vec<String> = std::fs::read_dir(&real)
            .map_err(|e| io_errno(&e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names
            .into_iter()
            .filter_map(|name| {
                let child = self.lookup(rel, &name).ok()?;
                let a = self.attr(&child).ok()?;
                Some(DirEntry {
                    name,
                    file_type: a.file_type,
                })
            })
            .collect())
    }

    /// The bytes of regular file `rel`, read at `open`.
    pub fn read(&self, rel: &str) -> SysResult<Vec<u8>> {
        let (real, md) = self.resolve(rel)?;
        if md.len() > HOST_MAX_FILE {
            return Err(SysError::new(
                Errno::EFBIG,
                "host file larger than the bind limit",
            ));
        }
        let data = std::fs::read(&real).map_err(|e| io_errno(&e))?;
        if data.len() as u64 > HOST_MAX_FILE {
            return Err(SysError::new(
                Errno::EFBIG,
                "host file larger than the bind limit",
            ));
        }
        Ok(data)
    }
}

/// A stable inode number for a relative path (FNV-1a), so `ls -i` is the same on every run
/// and every host; 2 for the root, as ext4's root inode.
fn ino_of(rel: &str) -> u64 {
    if rel.is_empty() {
        return 2;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rel.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Keep it in ext4's 32-bit inode range, clear of the reserved inodes below 11.
    (h % 0xffff_0000) + 11
}

/// `mnt_want_write`'s answer for a read-only mount.
pub fn erofs() -> SysError {
    SysError::new(Errno::EROFS, "mount is read-only")
}

impl<T: Tracer> Kernel<T> {
    /// Bind host directory `bind.host` read-only at `bind.dir` (what `mount --bind` then
    /// `mount -o remount,ro,bind` would give), creating the missing directories of `bind.dir`
    /// as root with mode 0755. Errors: the host directory cannot be read or is not a directory
    /// (ENOENT/ENOTDIR), or `bind.dir` cannot be made (the `mkdir` errno).
    pub fn bind_host(&self, bind: &HostBind) -> SysResult<()> {
        let mut fs = HostFs::new(&bind.host).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SysError::new(Errno::ENOENT, "no such host directory"),
            _ => SysError::new(Errno::ENOTDIR, "host path is not a readable directory"),
        })?;
        fs.bound_at = self.clock.now_nanos();
        let mut path = String::new();
        for comp in bind.dir.split('/').filter(|c| !c.is_empty()) {
            path.push('/');
            path.push_str(comp);
            match self.sys_mkdir(INIT_PID, &path, 0o755) {
                Ok(()) => {}
                Err(e) if e.errno == Errno::EEXIST => {}
                Err(e) => return Err(e),
            }
        }
        let mut st = self.lock_state();
        let w = self.walk(&st, INIT_PID, &bind.dir, true)?;
        if !self.attr(&st, w.node())?.is_dir() {
            return Err(SysError::new(
                Errno::ENOTDIR,
                "bind target is not a directory",
            ));
        }
        let id = st.hostfs.len() as u32;
        st.hostfs.push(fs);
        add_mount(
            &mut st,
            Mount {
                id: 0,
                mountpoint: Some((w.mnt(), w.node().clone())),
                root: Node::Host {
                    fs: id,
                    rel: String::new(),
                },
                sb: Super::Host(id),
                source: HOST_SOURCE.into(),
                dir: w.path(),
                fstype: HOST_FSTYPE.into(),
                options: HOST_FS_OPTIONS.into(),
                mnt_flags: mnt::RELATIME | mnt::READONLY,
                sb_flags: 0,
                dev: HOST_DEV,
                seq: 0,
            },
        );
        Ok(())
    }

    /// `mnt_want_write`: EROFS when `mnt` is mounted read-only.
    pub(crate) fn mnt_want_write(&self, st: &State<T>, mnt: u64) -> SysResult<()> {
        match st.mounts.get(&mnt) {
            Some(m) if m.mnt_flags & mnt::READONLY != 0 => Err(erofs()),
            _ => Ok(()),
        }
    }
}
