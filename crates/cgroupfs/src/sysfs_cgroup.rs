//! `/sys/kernel/cgroup` of the 6.6 preset: the `delegate` and `features` attributes that
//! `cgroup_sysfs_init` registers at boot.
//!
//! **Kernel:** `kernel/cgroup/cgroup.c` v6.6: `delegate_show` lists the files with
//! `CFTYPE_NS_DELEGATABLE` of `cgroup_base_files[]` (`cgroup.procs`, `cgroup.threads`,
//! `cgroup.subtree_control`), none of `cgroup_psi_files[]`, then each subsystem's
//! `dfl_cftypes` with its name as prefix (only memory has some: `memory.oom.group`,
//! `memory.reclaim`); `features_show` names the `cgroup2` mount options a user may rely on
//! (`nsdelegate`, `favordynmods`, `memory_localevents`, `memory_recursiveprot`;
//! `memory_hugetlb_accounting` came in 6.7). Both are `__ATTR_RO` (0444, root's).
//! **Differences:** the simulated `/sys` is a directory of the root filesystem, not sysfs, so
//! the two files are regular files there: root can write to them (sysfs refuses a write to an
//! attribute without a `store` with EACCES), and `ls -l` shows their text's length where sysfs
//! shows 4096 (and a `total` of 8 where sysfs has 0).

use crate::tmpfs::InodeKind;
use std::collections::BTreeMap;

/// `delegate_show`'s text.
pub(crate) const DELEGATE: &str =
    "cgroup.procs\ncgroup.threads\ncgroup.subtree_control\nmemory.oom.group\nmemory.reclaim\n";
/// `features_show`'s text.
pub(crate) const FEATURES: &str =
    "nsdelegate\nfavordynmods\nmemory_localevents\nmemory_recursiveprot\n";

/// Creates `/sys/kernel/cgroup/{delegate,features}` when the preset has the default hierarchy.
pub(crate) fn at_boot<T: cgsim_ktypes::Tracer>(k: &crate::Kernel<T>) {
    if !k.params().core_profile.has_cgroup2() {
        return;
    }
    let mut st = k.lock_state();
    let Some(root) = st.tmpfs.get_mut(&0) else {
        return;
    };
    let r = root.root;
    let Some(sys_kernel) = root
        .lookup(r, "sys")
        .and_then(|sys| root.lookup(sys, "kernel"))
    else {
        return;
    };
    let dir = InodeKind::Dir {
        entries: BTreeMap::new(),
    };
    let cg = root.create(sys_kernel, "cgroup", dir, 0o755, 0, 0, 0);
    for (name, text) in [("delegate", DELEGATE), ("features", FEATURES)] {
        let data = text.as_bytes().to_vec();
        root.create(cg, name, InodeKind::Regular { data }, 0o444, 0, 0, 0);
    }
}
