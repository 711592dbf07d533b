//! An in-memory filesystem: directories, regular files with content, and device nodes.
//!
//! **Kernel:** `mm/shmem.c` (tmpfs) and `fs/ramfs` (the boot `rootfs`), 2.6.25. The simulator uses
//! one implementation for both; only the magic number in `statfs` differs.
//! **Differences:** no hard links, no symlinks, no size limits, no timestamps.
//! **Invariants:**
//! 1. every directory entry names an inode that exists, and every inode except the root is named
//!    by exactly one entry (its `parent`'s);
//! 2. inode numbers are never reused within one tmpfs, so a stale number cannot name a new file.

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

/// What an inode holds.
#[derive(Clone, Debug)]
pub enum InodeKind {
    Dir { entries: BTreeMap<String, u64> },
    Regular { data: Vec<u8> },
    CharDev(Device),
}

/// One tmpfs inode.
#[derive(Clone, Debug)]
pub struct Inode {
    pub ino: u64,
    pub parent: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
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
            _ => None,
        }
    }

    pub fn file_type(&self) -> FileType {
        match self.kind {
            InodeKind::Dir { .. } => FileType::Directory,
            InodeKind::Regular { .. } => FileType::Regular,
            InodeKind::CharDev(_) => FileType::CharDevice,
        }
    }

    pub fn size(&self) -> u64 {
        match &self.kind {
            InodeKind::Dir { entries } => entries.len() as u64,
            InodeKind::Regular { data } => data.len() as u64,
            InodeKind::CharDev(_) => 0,
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
}

impl Tmpfs {
    /// Bytes of regular-file data the filesystem holds (`sbinfo->used_blocks`, in bytes).
    pub fn data_bytes(&self) -> u64 {
        self.inodes.values().map(Inode::data_len).sum()
    }

    /// A new filesystem whose root directory has `mode` and is owned by root.
    pub fn new(magic: u64, mode: u32) -> Tmpfs {
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
    /// directory. Returns the new inode number.
    pub fn create(
        &mut self,
        dir: u64,
        name: &str,
        kind: InodeKind,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> u64 {
        let ino = self.next_ino;
        self.next_ino += 1;
        self.inodes.insert(
            ino,
            Inode {
                ino,
                parent: dir,
                mode,
                uid,
                gid,
                kind,
            },
        );
        match self.inodes.get_mut(&dir).map(|i| &mut i.kind) {
            Some(InodeKind::Dir { entries }) => {
                entries.insert(name.to_string(), ino);
            }
            _ => panic!("tmpfs: create in a non-directory (simulator bug)"),
        }
        ino
    }

    /// Remove the entry `name` from `dir` and free its inode (no hard links, so no link count).
    pub fn remove(&mut self, dir: u64, name: &str) {
        let ino = match self.inodes.get_mut(&dir).map(|i| &mut i.kind) {
            Some(InodeKind::Dir { entries }) => entries.remove(name),
            _ => None,
        };
        if let Some(ino) = ino {
            self.inodes.remove(&ino);
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
    }
}
