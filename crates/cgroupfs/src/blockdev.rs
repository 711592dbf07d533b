//! The machine's disks as user space sees them: `/dev/sda`, `/sys/block/sda`,
//! `/proc/partitions` (the 6.6 preset; the older presets' machines have no disk).
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
            out.push_str(&format!(
                "{:4}  {:7} {:10} {}\n",
                d.major,
                d.minor,
                d.sectors >> 1,
                d.name
            ));
        }
        out
    }
}

/// Creates `/dev/<disk>` and `/sys/block/<disk>` for each disk of the machine.
pub(crate) fn at_boot<T: cgsim_ktypes::Tracer>(k: &crate::Kernel<T>) {
    let disks = k.disks();
    if disks.is_empty() {
        return;
    }
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
    for d in disks {
        root.create(
            dev,
            d.name,
            InodeKind::BlockDev((d.major, d.minor)),
            0o660,
            0,
            DISK_GID,
            0,
        );
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
