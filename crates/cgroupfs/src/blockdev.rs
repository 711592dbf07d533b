//! The machine's disks as user space sees them: `/dev/sda`, `/sys/block/sda`,
//! `/proc/partitions` (the 6.6 preset; the older presets' machines show no disk). The disk
//! has the two partitions the rest of the simulator already names: `sda1`, the root
//! filesystem (8:1, what `--bind` mounts appear to live on, `hostfs.rs`), and `sda2`, the
//! swap area (`cgsim_memcg::SWAP_DEVICE`), as large as the machine's swap (`--swap`; no `sda2` without swap).
//!
//! **Kernel:** `block/genhd.c` v6.6 (`show_partition`: the `major minor  #blocks  name`
//! header, a blank line, then `%4d  %7d %10llu %pg` per block device, sizes in 1 KiB blocks;
//! `disk_attrs`: `dev`, `size` in 512-byte sectors, `removable`, `ro`), `block/blk-sysfs.c`
//! (`queue/rotational`), `block/elevator.c` (`queue/scheduler`: the active one in brackets).
//! The disk list is the one the `io` controller knows (`cgsim_cgroup::subsys::blk_cgroup::
//! machine_disks`), so `io.max` accepts exactly the devices listed here.
//!
//! **Differences:** no block I/O is simulated: opening `/dev/sda` fails with ENXIO (the node
//! exists for `ls -l`, `stat` and `test -b`), no filesystem lives on the disk, and the page
//! cache's writeback is instant (`io.stat` counts nothing). `/sys/block/sda` is a directory of
//! the root filesystem with a few attribute files, where sysfs has a symlink into
//! `/sys/devices`; the devices controller does not check block nodes (nothing opens them).

use crate::tmpfs::InodeKind;
use cgsim_cgroup::subsys::blk_cgroup::{Disk, machine_disks};
use std::collections::BTreeMap;

/// `GLOBAL_ROOT_GID`'s `disk` group (Debian's gid 6), the owner group of disk nodes (udev).
const DISK_GID: u32 = 6;

impl<T: cgsim_ktypes::Tracer> crate::Kernel<T> {
    /// The machine's disks.
    pub(crate) fn disks(&self) -> &'static [Disk] {
        machine_disks(self.params().kernel.version_triple())
    }

    /// `/proc/partitions` (`show_partition`). `/proc` lists it only on a machine with disks:
    /// a real kernel always has the file, but the older presets keep their `/proc` as it was.
    pub(crate) fn proc_partitions(&self) -> String {
        let mut out = String::from("major minor  #blocks  name\n\n");
        for d in self.disks() {
            let line = |minor: u32, blocks: u64, name: &str| {
                format!("{:4}  {:7} {:10} {name}\n", d.major, minor, blocks)
            };
            out.push_str(&line(d.minor, d.sectors >> 1, d.name));
            for (minor, blocks, name) in self.partitions(d) {
                out.push_str(&line(minor, blocks, &name));
            }
        }
        out
    }

    /// The partitions of `d` as `(minor, size in KiB, name)`: `sda1` from sector 2048 (the
    /// 1 MiB alignment of partitioning tools) up to `sda2`, the swap area, at the end (none
    /// on a machine without swap).
    fn partitions(&self, d: &Disk) -> Vec<(u32, u64, String)> {
        let total = d.sectors >> 1;
        let swap = (self.params().swap.0 >> 10).min(total / 2);
        let root = total.saturating_sub(1024 + swap);
        let mut v = vec![(d.minor + 1, root, format!("{}1", d.name))];
        if swap > 0 {
            v.push((d.minor + 2, swap, format!("{}2", d.name)));
        }
        v
    }
}

/// Creates `/dev/<disk>` and `/sys/block/<disk>` for each disk of the machine.
pub(crate) fn at_boot<T: cgsim_ktypes::Tracer>(k: &crate::Kernel<T>) {
    let disks = k.disks();
    if disks.is_empty() {
        return;
    }
    let parts: Vec<_> = disks.iter().map(|d| k.partitions(d)).collect();
    let mut st = k.lock_state();
    let Some(root) = st.tmpfs.get_mut(&0) else {
        return;
    };
    let r = root.root;
    let (Some(dev), Some(sys)) = (root.lookup(r, "dev"), root.lookup(r, "sys")) else {
        return;
    };
    let dir = || InodeKind::Dir {
        entries: BTreeMap::new(),
    };
    let block = root.create(sys, "block", dir(), 0o755, 0, 0, 0);
    for (d, parts) in disks.iter().zip(parts) {
        root.create(
            dev,
            d.name,
            InodeKind::BlockDev((d.major, d.minor)),
            0o660,
            0,
            DISK_GID,
            0,
        );
        for (minor, _, name) in &parts {
            let node = InodeKind::BlockDev((d.major, *minor));
            root.create(dev, name, node, 0o660, 0, DISK_GID, 0);
        }
        let bd = root.create(block, d.name, dir(), 0o755, 0, 0, 0);
        let queue = root.create(bd, "queue", dir(), 0o755, 0, 0, 0);
        let attrs: [(u64, &str, String); 6] = [
            (bd, "dev", format!("{}:{}\n", d.major, d.minor)),
            (bd, "size", format!("{}\n", d.sectors)),
            (bd, "removable", "0\n".to_string()),
            (bd, "ro", "0\n".to_string()),
            (queue, "rotational", "0\n".to_string()),
            (queue, "scheduler", "[mq-deadline] none\n".to_string()),
        ];
        for (parent, name, text) in attrs {
            let data = text.into_bytes();
            root.create(parent, name, InodeKind::Regular { data }, 0o444, 0, 0, 0);
        }
    }
}
