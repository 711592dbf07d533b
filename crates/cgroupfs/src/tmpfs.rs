//! An in-memory filesystem: directories, regular files with content, and device nodes.
//!
//! **Kernel:** `mm/shmem.c` (tmpfs) and `fs/ramfs` (the boot `rootfs`), 2.6.25. The simulator uses
//! one implementation for both; only the magic number in `statfs` differs.
//! The filesystem keeps a running total of its file data, as 2.6.35's `shmem_sb_info` keeps
//! `free_blocks` (pages left of `max_blocks`, under `stat_lock`; 2.6.36 made it the
//! `used_blocks` percpu_counter): every change to a file's data goes through [`Tmpfs::write`],
//! [`Tmpfs::truncate`], [`Tmpfs::create`] or [`Tmpfs::remove`], which update the total, so the
//! `size=` check of a write costs O(1) instead of a walk over every file.
//! Timestamps follow `mm/shmem.c` (2.6.35) and `fs/libfs.c`: a new inode's atime, mtime and
//! ctime are the creation time (`shmem_get_inode`, `CURRENT_TIME`); creating or removing an
//! entry sets the directory's mtime and ctime (`shmem_mknod`, `shmem_unlink`); a write sets the
//! file's mtime and ctime (`file_update_time`), as does an `O_TRUNC` open (`do_truncate` with
//! `ATTR_MTIME|ATTR_CTIME`); chmod and chown set ctime. A tmpfs directory's size is
//! `BOGO_DIRENT_SIZE` (20) per entry plus 40 (`shmem_get_inode` starts it at two entries); a
//! ramfs (`rootfs`) directory's is 0 (`ramfs_get_inode` leaves `i_size` alone).
//! Times are nanoseconds since boot on the simulated clock.
//! **Differences:** no hard links, no symlinks, reads do not update atime; the total counts bytes of file
//! data, where the kernel counts pages (each data page, and 2.6.35's swap-vector index pages,
//! is a block), and there is no inode limit (`free_inodes`); an unlinked file's data is freed
//! at the unlink, not at the last close.
//! **Invariants:**
//! 1. every directory entry names an inode that exists, and every inode except the root is named
//!    by exactly one entry (its `parent`'s);
//! 2. inode numbers are never reused within one tmpfs, so a stale number cannot name a new file;
//! 3. the running total of file data equals the sum of the regular files' sizes.

use crate::FileType;
use std::collections::BTreeMap;

/// `RAMFS_MAGIC`, the `rootfs` magic.
pub const RAMFS_MAGIC: u64 = 0x8584_58f6;
/// `TMPFS_MAGIC`.
pub const TMPFS_MAGIC: u64 = 0x0102_1994;

/// A character device the simulator implements.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Device {
    /// `/dev/null` (major 1, minor 3): reads are at EOF, writes vanish.
    Null,
    /// `/dev/zero` (major 1, minor 5): reads fill the buffer with zeros, writes vanish.
    Zero,
    /// `/dev/console` (major 5, minor 1): the console the shell prints.
    Console,
}

/// What an inode holds (`BlockDev`: `(major, minor)` of a disk of the machine, `blockdev.rs`).
#[derive(Clone, Debug)]
pub enum InodeKind {
    Dir { entries: BTreeMap<String, u64> },
    Regular { data: Vec<u8> },
    CharDev(Device),
    BlockDev((u32, u32)),
}

/// One tmpfs inode.
#[derive(Clone, Debug)]
pub struct Inode {
    pub ino: u64,
    pub parent: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// `i_atime`, `i_mtime`, `i_ctime`: nanoseconds since boot.
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
    pub kind: InodeKind,
}

impl Device {
    /// `(major, minor)`, `st_rdev`.
    pub fn numbers(self) -> (u32, u32) {
        match self {
            Device::Null => (1, 3),
            Device::Zero => (1, 5),
            Device::Console => (5, 1),
        }
    }
}

impl Inode {
    /// `i_size` of a regular file (0 for anything else).
    pub fn data_len(&self) -> u64 {
        match &self.kind {
            InodeKind::Regular { data } => data.len() as u64,
            _ => 0,
        }
    }

    /// `st_rdev` of a device node.
    pub fn rdev(&self) -> Option<(u32, u32)> {
        match self.kind {
            InodeKind::CharDev(d) => Some(d.numbers()),
            InodeKind::BlockDev(n) => Some(n),
            _ => None,
        }
    }

    pub fn file_type(&self) -> FileType {
        match self.kind {
            InodeKind::Dir { .. } => FileType::Directory,
            InodeKind::Regular { .. } => FileType::Regular,
            InodeKind::CharDev(_) => FileType::CharDevice,
            InodeKind::BlockDev(_) => FileType::BlockDevice,
        }
    }

    /// `i_size`: a directory's follows `magic` (see the module docs).
    pub fn size(&self, magic: u64) -> u64 {
        match &self.kind {
            InodeKind::Dir { .. } if magic == RAMFS_MAGIC => 0,
            InodeKind::Dir { entries } => 40 + 20 * entries.len() as u64,
            InodeKind::Regular { data } => data.len() as u64,
            InodeKind::CharDev(_) | InodeKind::BlockDev(_) => 0,
        }
    }
}

/// One tmpfs superblock.
#[doc(alias = "shmem_sb_info")]
#[derive(Clone, Debug)]
pub struct Tmpfs {
    pub magic: u64,
    pub root: u64,
    inodes: BTreeMap<u64, Inode>,
    next_ino: u64,
    /// Bytes of regular-file data (`max_blocks - free_blocks`, in bytes): see the module docs.
    data_bytes: u64,
}

impl Tmpfs {
    /// Bytes of regular-file data the filesystem holds (the running total; O(1)).
    #[doc(alias = "used_blocks")]
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// The same total summed over every file (O(files)): what invariant 3 compares with.
    pub fn summed_data_bytes(&self) -> u64 {
        self.inodes.values().map(Inode::data_len).sum()
    }

    /// Write `src` at `pos` of regular file `ino`, zero-filling a hole, and count the growth;
    /// the file's mtime and ctime become `now`. A non-regular or missing inode is left alone.
    pub fn write(&mut self, ino: u64, pos: usize, src: &[u8], now: u64) {
        if let Some(Inode {
            kind: InodeKind::Regular { data },
            mtime,
            ctime,
            ..
        }) = self.inodes.get_mut(&ino)
        {
            *mtime = now;
            *ctime = now;
            let before = data.len() as u64;
            crate::file::write_at(data, pos, src);
            self.data_bytes += data.len() as u64 - before;
        }
    }

    /// Truncate regular file `ino` to size 0 (`O_TRUNC`), uncounting its data; its mtime and
    /// ctime become `now`.
    pub fn truncate(&mut self, ino: u64, now: u64) {
        if let Some(Inode {
            kind: InodeKind::Regular { data },
            mtime,
            ctime,
            ..
        }) = self.inodes.get_mut(&ino)
        {
            *mtime = now;
            *ctime = now;
            self.data_bytes -= data.len() as u64;
            data.clear();
        }
    }

    /// A new filesystem whose root directory has `mode`, is owned by root and was made at
    /// `now`.
    pub fn new(magic: u64, mode: u32, now: u64) -> Tmpfs {
        let root = 1;
        let mut inodes = BTreeMap::new();
        inodes.insert(
            root,
            Inode {
                ino: root,
                parent: root,
                mode,
                uid: 0,
                gid: 0,
                atime: now,
                mtime: now,
                ctime: now,
                kind: InodeKind::Dir {
                    entries: BTreeMap::new(),
                },
            },
        );
        Tmpfs {
            magic,
            root,
            inodes,
            next_ino: 2,
            data_bytes: 0,
        }
    }

    pub fn get(&self, ino: u64) -> Option<&Inode> {
        self.inodes.get(&ino)
    }

    pub fn get_mut(&mut self, ino: u64) -> Option<&mut Inode> {
        self.inodes.get_mut(&ino)
    }

    /// The inode named `name` in directory `dir`.
    pub fn lookup(&self, dir: u64, name: &str) -> Option<u64> {
        match &self.inodes.get(&dir)?.kind {
            InodeKind::Dir { entries } => entries.get(name).copied(),
            _ => None,
        }
    }

    /// `i_nlink`: 2 plus the subdirectories for a directory, 1 otherwise.
    pub fn nlink(&self, ino: u64) -> u32 {
        match self.inodes.get(&ino).map(|i| &i.kind) {
            Some(InodeKind::Dir { entries }) => {
                2 + entries
                    .values()
                    .filter(|c| {
                        matches!(
                            self.inodes.get(c).map(|i| &i.kind),
                            Some(InodeKind::Dir { .. })
                        )
                    })
                    .count() as u32
            }
            _ => 1,
        }
    }

    /// The entries of directory `dir`, sorted by name.
    pub fn entries(&self, dir: u64) -> Vec<(String, u64)> {
        match self.inodes.get(&dir).map(|i| &i.kind) {
            Some(InodeKind::Dir { entries }) => {
                entries.iter().map(|(n, &i)| (n.clone(), i)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Create `name` in `dir`; the caller has checked that the name is free and `dir` is a
    /// directory. The inode's times and the directory's mtime and ctime become `now`. Returns
    /// the new inode number.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        &mut self,
        dir: u64,
        name: &str,
        kind: InodeKind,
        mode: u32,
        uid: u32,
        gid: u32,
        now: u64,
    ) -> u64 {
        let ino = self.next_ino;
        self.next_ino += 1;
        if let InodeKind::Regular { data } = &kind {
            self.data_bytes += data.len() as u64;
        }
        self.inodes.insert(
            ino,
            Inode {
                ino,
                parent: dir,
                mode,
                uid,
                gid,
                atime: now,
                mtime: now,
                ctime: now,
                kind,
            },
        );
        match self.inodes.get_mut(&dir) {
            Some(Inode {
                kind: InodeKind::Dir { entries },
                mtime,
                ctime,
                ..
            }) => {
                entries.insert(name.to_string(), ino);
                *mtime = now;
                *ctime = now;
            }
            _ => panic!("tmpfs: create in a non-directory (simulator bug)"),
        }
        ino
    }

    /// Remove the entry `name` from `dir` and free its inode (no hard links, so no link count);
    /// the directory's mtime and ctime become `now`.
    pub fn remove(&mut self, dir: u64, name: &str, now: u64) {
        let ino = match self.inodes.get_mut(&dir) {
            Some(Inode {
                kind: InodeKind::Dir { entries },
                mtime,
                ctime,
                ..
            }) => {
                *mtime = now;
                *ctime = now;
                entries.remove(name)
            }
            _ => None,
        };
        if let Some(inode) = ino.and_then(|ino| self.inodes.remove(&ino)) {
            self.data_bytes -= inode.data_len();
        }
    }

    /// Check the invariants in this module's header.
    pub fn check_invariants(&self) {
        let mut named = BTreeMap::new();
        for inode in self.inodes.values() {
            if let InodeKind::Dir { entries } = &inode.kind {
                for (name, &child) in entries {
                    let c = self.inodes.get(&child).unwrap_or_else(|| {
                        panic!("tmpfs: entry {name} names a missing inode {child}")
                    });
                    assert_eq!(c.parent, inode.ino, "tmpfs: parent of {name}");
                    *named.entry(child).or_insert(0) += 1;
                }
            }
        }
        for &ino in self.inodes.keys() {
            let n = named.get(&ino).copied().unwrap_or(0);
            assert_eq!(
                n,
                usize::from(ino != self.root),
                "tmpfs: inode {ino} named {n} times"
            );
            assert!(ino < self.next_ino);
        }
        assert_eq!(
            self.data_bytes,
            self.summed_data_bytes(),
            "tmpfs: running total of file data"
        );
    }
}
