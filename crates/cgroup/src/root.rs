//! Hierarchies: `struct cgroupfs_root`, the dummy `rootnode`, mount option parsing, mount
//! (`cgroup_get_sb`), remount, umount (`cgroup_kill_sb`) and `rebind_subsystems`.
//!
//! **Kernel:** `kernel/cgroup.c` 2.6.25 structures with the 2.6.32–2.6.34 option set
//! (`parse_cgroupfs_options`, `cgroup_test_super`, `cgroup_get_sb`, `cgroup_remount`,
//! `cgroup_kill_sb`, `rebind_subsystems`, `cgroup_show_options`; `kernel/cgroup.c` `struct cgroupfs_root`, `rootnode`, `init_css_set`, `cgroup_get_sb`, v2.6.25–v2.6.34).

use crate::arena::ArenaKey;
use crate::cgroup::CgroupId;
use crate::profile::MountOpts;
use cgsim_ktypes::Errno;
use cgsim_ktypes::percpu::smp_processor_id;

/// A hierarchy, named by slab slot and generation. [`RootId::ROOTNODE`] is the dummy hierarchy.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RootId(pub ArenaKey);

impl RootId {
    /// `rootnode`, the dummy hierarchy (always slot 0, generation 1: created first at boot).
    pub const ROOTNODE: RootId = RootId(ArenaKey { slot: 0, gen_: 1 });

    /// Whether this is `rootnode`.
    pub fn is_rootnode(self) -> bool {
        self == RootId::ROOTNODE
    }
}

/// `ROOT_NOPREFIX` (bit 0 of `root->flags`).
pub const ROOT_NOPREFIX: u32 = 1 << 0;
/// `CGRP_ROOT_XATTR` (3.x+): mount option `xattr` (extended attributes on the hierarchy's files;
/// stored and shown, as the simulated filesystem has no xattr calls).
pub const ROOT_XATTR: u32 = 1 << 7;
/// `CGRP_ROOT_CPUSET_V2_MODE` (4.13+): mount option `cpuset_v2_mode` (stored and shown).
pub const ROOT_CPUSET_V2_MODE: u32 = 1 << 8;

/// `struct cgroupfs_root`.
///
/// **Kernel:** `kernel/cgroup.c` 2.6.25, plus `hierarchy_id` and `name` from 2.6.32
/// (`kernel/cgroup.c` `struct cgroupfs_root`, v2.6.25).
/// **Differences:** the superblock is replaced by `mounts`, the number of mount views the VFS
/// holds (the superblock's active references from mounts; child cgroups hold the others, which
/// `number_of_cgroups > 1` stands for). `rootnode.subsys_list` holds the unbound subsystems
/// under every profile (the 2.6.34 rule of `kernel/cgroup.c` `cgroup_init_subsys`; 2.6.25 left it empty), and the `roots` list
/// holds mounted hierarchies only (2.6.29+), newest first.
/// **Locking:** `cgroup_mutex`.
#[doc(alias = "cgroupfs_root")]
#[derive(Clone, Debug)]
pub struct CgroupfsRoot {
    pub(crate) subsys_bits: u64,
    pub(crate) actual_subsys_bits: u64,
    /// Bound subsystem ids, head first (descending id after a mount, `kernel/cgroup.c` `rebind_subsystems`, `cgroup_create`, `cgroup_attach_task`, v2.6.34).
    pub(crate) subsys_list: Vec<usize>,
    pub(crate) top_cgroup: CgroupId,
    pub(crate) number_of_cgroups: usize,
    pub(crate) flags: u32,
    /// The agent's path as the kernel keeps it: bytes (`char release_agent_path[PATH_MAX]`),
    /// never decoded; only `/proc/mounts` and the agent call turn it into text.
    pub(crate) release_agent_path: Vec<u8>,
    pub(crate) hierarchy_id: u32,
    pub(crate) name: String,
    pub(crate) mounts: usize,
}

/// The result of `parse_cgroupfs_options` (`struct cgroup_sb_opts`).
#[doc(alias = "cgroup_sb_opts")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CgroupSbOpts {
    pub subsys_bits: u64,
    pub flags: u32,
    pub release_agent: Option<String>,
    pub name: Option<String>,
    pub none: bool,
    /// `clone_children` (2.6.38+): the top cgroup starts with `cgroup.clone_children` 1.
    pub clone_children: bool,
}

/// What [`CgroupCore::mount`](crate::CgroupCore::mount) did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MountResult {
    /// The hierarchy now visible at the mount point.
    pub root: RootId,
    /// Its top cgroup (the mount point's directory).
    pub top: CgroupId,
    /// `true` if a new hierarchy was created, `false` if an existing one was reused.
    pub new_hierarchy: bool,
}

/// One subsystem as the option parser needs it.
#[derive(Clone, Debug)]
pub(crate) struct SubsysOpt {
    pub(crate) name: &'static str,
    pub(crate) disabled: bool,
}

/// `parse_cgroupfs_options` under `core.mount_opts` (`kernel/cgroup.c`, v2.6.34). `data == None` means no
/// option string at all (→ `all`); `Some("")` is one empty token (→ EINVAL), as `strsep` sees it.
pub(crate) fn parse_cgroupfs_options(
    data: Option<&str>,
    subsys: &[SubsysOpt],
    rules: MountOpts,
) -> Result<CgroupSbOpts, Errno> {
    let enabled_bits: u64 = subsys
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.disabled)
        .fold(0, |b, (i, _)| b | (1u64 << i));
    let mut opts = CgroupSbOpts::default();
    let Some(data) = data else {
        opts.subsys_bits = enabled_bits;
        return Ok(opts);
    };
    let v2_6_32 = rules != MountOpts::V2_6_25;
    let v4 = matches!(rules, MountOpts::V4 | MountOpts::V6_6);
    let v6_6 = rules == MountOpts::V6_6;
    let mut all_ss = false;
    let mut one_ss = false;
    for token in data.split(',') {
        if token.is_empty() {
            return Err(Errno::EINVAL);
        }
        if v2_6_32 && token == "none" {
            opts.none = true;
            continue;
        }
        // The 3.x+ flags (`kernel/cgroup.c` `parse_cgroupfs_options`, v3.10;
        // `kernel/cgroup/cgroup-v1.c` `cgroup1_parse_param`, v6.6).
        if v4 {
            match token {
                "xattr" => {
                    opts.flags |= ROOT_XATTR;
                    continue;
                }
                "clone_children" => {
                    opts.clone_children = true;
                    continue;
                }
                // 4.13+; the 4.19 preset shares 3.10's option set and refuses it.
                "cpuset_v2_mode" if v6_6 => {
                    opts.flags |= ROOT_CPUSET_V2_MODE;
                    continue;
                }
                "favordynmods" if v6_6 => {
                    opts.flags |= crate::dfl::CGRP_ROOT_FAVOR_DYNMODS;
                    continue;
                }
                "nofavordynmods" if v6_6 => {
                    opts.flags &= !crate::dfl::CGRP_ROOT_FAVOR_DYNMODS;
                    continue;
                }
                _ => {}
            }
        }
        if token == "all" {
            if v4 && one_ss {
                return Err(Errno::EINVAL);
            }
            all_ss = true;
            opts.subsys_bits = enabled_bits;
            continue;
        }
        if token == "noprefix" {
            opts.flags |= ROOT_NOPREFIX;
            continue;
        }
        if let Some(path) = token.strip_prefix("release_agent=") {
            if opts.release_agent.is_some() {
                return Err(Errno::EINVAL);
            }
            let mut p = path.to_string();
            truncate_bytes(&mut p, crate::PATH_MAX - 1);
            opts.release_agent = Some(p);
            continue;
        }
        if v2_6_32 && let Some(name) = token.strip_prefix("name=") {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            {
                return Err(Errno::EINVAL);
            }
            if opts.name.is_some() {
                return Err(Errno::EINVAL);
            }
            // 6.6 refuses a long name ("Name too long"); the older parsers truncate it.
            if v6_6 && name.len() > crate::MAX_CGROUP_ROOT_NAMELEN - 1 {
                return Err(Errno::EINVAL);
            }
            let mut n = name.to_string();
            truncate_bytes(&mut n, crate::MAX_CGROUP_ROOT_NAMELEN - 1);
            opts.name = Some(n);
            continue;
        }
        // 6.6's `invalfc` "Unknown subsys name" / "Disabled controller" is EINVAL; the older
        // parsers answer ENOENT.
        let unknown = if v6_6 { Errno::EINVAL } else { Errno::ENOENT };
        match subsys.iter().position(|s| s.name == token) {
            None => return Err(unknown),
            Some(i) if subsys[i].disabled => {
                if v4 {
                    return Err(unknown);
                }
            }
            Some(i) => {
                if v4 && all_ss {
                    return Err(Errno::EINVAL);
                }
                opts.subsys_bits |= 1 << i;
                one_ss = true;
            }
        }
    }
    if v4 && !all_ss && !one_ss && !opts.none && opts.name.is_none() {
        opts.subsys_bits = enabled_bits;
    }
    if !v2_6_32 {
        if opts.subsys_bits == 0 {
            return Err(Errno::EINVAL);
        }
        return Ok(opts);
    }
    // 2.6.31+: noprefix only for cpuset alone.
    if opts.flags & ROOT_NOPREFIX != 0 {
        let cpuset_bit = subsys
            .iter()
            .position(|s| s.name == "cpuset")
            .map_or(0, |i| 1u64 << i);
        if opts.subsys_bits & !cpuset_bit != 0 {
            return Err(Errno::EINVAL);
        }
    }
    if opts.subsys_bits != 0 && opts.none {
        return Err(Errno::EINVAL);
    }
    if opts.subsys_bits == 0 && opts.name.is_none() {
        return Err(Errno::EINVAL);
    }
    Ok(opts)
}

fn truncate_bytes(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

use crate::cgroup::{CGRP_REMOVED, Cgroup};
use crate::core::{CgroupCore, CgroupState};
use crate::subsys::SubsysCallback;
use cgsim_ktypes::{Tracer, trace};

impl<T: Tracer> CgroupCore<T> {
    /// `cgroup_get_sb`: mount a cgroup filesystem with option string `data` (`None` = no `-o` at
    /// all, which means `all`). Reuses an existing hierarchy when `cgroup_test_super` matches
    /// (`kernel/cgroup.c` `cgroup_test_super`, v2.6.34), else builds a new one (`kernel/cgroup.c` `cgroup_get_sb`, v2.6.34): rebind the subsystems (EBUSY if one is bound
    /// elsewhere), link the top cgroup into every css_set, populate the top directory.
    ///
    /// Errors: EINVAL/ENOENT from option parsing (`kernel/cgroup.c` `parse_cgroupfs_options`, v2.6.34), EINVAL for `name=X` alone with no
    /// hierarchy X, EBUSY for a name clash or a subsystem bound to another hierarchy. Every error
    /// leaves the state unchanged. Each successful call counts one mount view; pair it with
    /// [`umount`](Self::umount).
    #[doc(alias = "cgroup_get_sb")]
    pub fn mount(&self, data: Option<&str>) -> Result<MountResult, Errno> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_get_sb");
        // Lock order: cgroup_mutex (taken once; the kernel parses under it too).
        let mut st = self.lock();
        let opts = {
            let _g = trace::func(&*self.tracer, smp_processor_id(), "parse_cgroupfs_options");
            parse_cgroupfs_options(data, &self.subsys_opts(), self.profile.mount_opts)?
        };
        let v2_6_25 = self.profile.mount_opts == MountOpts::V2_6_25;
        // cgroup_root_from_opts (2.6.32+): the new root, and with it a hierarchy id, is allocated
        // before sget looks for an existing hierarchy, whenever subsystems or `none` were named.
        // Kernel: `kernel/cgroup.c` `cgroup_get_sb` → `cgroup_root_from_opts` → `init_root_id`,
        // v2.6.35 (likewise 2.6.32–3.15's `cgroup_mount`). A reused hierarchy or a later EBUSY
        // drops the new root (`cgroup_drop_root`: `ida_remove`), but `next_hierarchy_id` has
        // moved on, so such a mount uses up an id. 2.6.25 had no hierarchy ids: there the id is
        // the simulator's own (diagrams only) and is taken only for a hierarchy that is built.
        // Differences: 3.16+ looks for an existing root before allocating; not modelled.
        // The root's kzalloc (cgroup_root_from_opts; 2.6.25 allocates it unconditionally):
        // only the parsed options exist to drop.
        if (v2_6_25 || opts.subsys_bits != 0 || opts.none)
            && self.kmalloc_fails(&crate::fault::ROOT)
        {
            return Err(Errno::ENOMEM);
        }
        let new_root_id = if !v2_6_25 && (opts.subsys_bits != 0 || opts.none) {
            Some(Self::init_root_id(&mut st))
        } else {
            None
        };
        // sget(): look for a superblock cgroup_test_super accepts (newest first).
        let found = st.roots.iter().copied().find(|&r| {
            let root = st.roots_arena.get(r.0).expect("live root");
            if v2_6_25 {
                root.subsys_bits == opts.subsys_bits && root.flags == opts.flags
            } else {
                if let Some(n) = &opts.name
                    && *n != root.name
                {
                    return false;
                }
                !((opts.subsys_bits != 0 || opts.none) && opts.subsys_bits != root.subsys_bits)
            }
        });
        if let Some(r) = found {
            if let Some(id) = new_root_id {
                st.hierarchy_ids.remove(&id);
            }
            let root = st.roots_arena.get_mut(r.0).expect("live root");
            root.mounts += 1;
            trace::comment(&*self.tracer, smp_processor_id(), || {
                "cgroup_test_super matched: reusing the hierarchy".to_string()
            });
            return Ok(MountResult {
                root: r,
                top: root.top_cgroup,
                new_hierarchy: false,
            });
        }
        // cgroup_root_from_opts: no subsystems and no `none` → no new root (cgroup_set_super EINVAL).
        if !v2_6_25 && opts.subsys_bits == 0 && !opts.none {
            return Err(Errno::EINVAL);
        }
        let name_clash = opts.name.as_ref().is_some_and(|n| {
            st.roots
                .iter()
                .any(|r| st.roots_arena.get(r.0).expect("live").name == *n)
        });
        // rebind_subsystems' EBUSY check, done before the hierarchy is built.
        // 6.6: a controller on the default hierarchy with csses below its root (enabled in the
        // root's cgroup.subtree_control) cannot move either.
        let dfl_busy = if self.profile.has_cgroup2() {
            st.cgroups
                .get(st.dummytop.0)
                .expect("dummytop")
                .subtree_control
        } else {
            0
        };
        let busy = (0..self.subsys.len()).any(|i| {
            opts.subsys_bits & (1 << i) != 0
                && (!st.subsys_root[i].is_rootnode()
                    || dfl_busy & (1 << i) != 0
                    || self.dfl_has_child_css(&st, i))
        });
        // allocate_cg_links(css_set_count) for the new hierarchy, after the name check and
        // before rebind_subsystems: a failure drops the new superblock and its root
        // (drop_new_super → cgroup_drop_root gives the hierarchy id back).
        if !name_clash {
            let count = self.css_set_read().css_set_count;
            if (0..count).any(|_| self.kmalloc_fails(&crate::fault::ROOT_LINKS)) {
                if let Some(id) = new_root_id {
                    st.hierarchy_ids.remove(&id);
                }
                return Err(Errno::ENOMEM);
            }
        }
        if name_clash || busy {
            // drop_new_super → cgroup_kill_sb → cgroup_drop_root: the id goes back to the ida.
            if let Some(id) = new_root_id {
                st.hierarchy_ids.remove(&id);
            }
            return Err(Errno::EBUSY);
        }
        let hierarchy_id = match new_root_id {
            Some(id) => id,
            None => Self::init_root_id(&mut st),
        };
        let dummytop = st.dummytop;
        let root_id = RootId(st.roots_arena.insert(CgroupfsRoot {
            subsys_bits: 0,
            actual_subsys_bits: 0,
            subsys_list: Vec::new(),
            top_cgroup: dummytop,
            number_of_cgroups: 1,
            flags: opts.flags,
            release_agent_path: opts.release_agent.clone().unwrap_or_default().into_bytes(),
            hierarchy_id,
            name: opts.name.clone().unwrap_or_default(),
            mounts: 1,
        }));
        let top_key = st.cgroups.insert(Cgroup::new(
            String::new(),
            None,
            root_id,
            dummytop,
            vec![None; self.subsys.len()],
        ));
        let top = crate::cgroup::CgroupId(top_key);
        st.cgroups.get_mut(top_key).expect("new").top_cgroup = top;
        // `clone_children`: `set_bit(CGRP_CPUSET_CLONE_CHILDREN, &root->top_cgroup.flags)`.
        if opts.clone_children {
            st.cgroups
                .get(top_key)
                .expect("new")
                .shared
                .set_flag(crate::cgroup::CGRP_CLONE_CHILDREN);
        }
        st.roots_arena.get_mut(root_id.0).expect("new").top_cgroup = top;
        {
            // Lock order: cgroup_mutex -> css_set_lock (write). Held across rebind_subsystems
            // and the linking so that fork and exit, which find a css's cgroup through
            // `css->cgroup` without cgroup_mutex, never see a root css already moved to a top
            // cgroup that no css_set links yet.
            let mut cs = self.css_set_write();
            self.rebind_subsystems(&mut st, root_id, opts.subsys_bits)
                .expect("EBUSY was checked before allocation");
            st.roots.insert(0, root_id);
            st.root_count += 1;
            // Link the top cgroup into every existing css_set (`kernel/cgroup.c` `cgroup_get_sb`, v2.6.32).
            let shared = st.cgroups.get(top_key).expect("new").shared.clone();
            let sets: Vec<_> = cs.css_sets.iter().map(|(k, _)| k).collect();
            for k in sets {
                cs.css_sets
                    .get_mut(k)
                    .expect("live")
                    .cg_links
                    .push(crate::css_set::CgCgroupLink { cgrp: top });
                cs.link(top, &shared, crate::css_set::CssSetId(k));
            }
            Self::rehash_css_sets(&mut cs);
        }
        self.populate_dir(&mut st, top);
        Ok(MountResult {
            root: root_id,
            top,
            new_hierarchy: true,
        })
    }

    /// `cgroup_remount` (`kernel/cgroup.c`, v2.6.34): parse, refuse changed flags or name (EINVAL), rebind to the
    /// new subsystem set (EBUSY if a subsystem is bound elsewhere or the hierarchy has children),
    /// re-populate the top directory, then (2.6.34) take a new `release_agent=`. Under the 2.6.25
    /// option rules the agent is copied even when the rebind failed (kernel quirk).
    #[doc(alias = "cgroup_remount")]
    pub fn remount(&self, root: RootId, data: Option<&str>) -> Result<(), Errno> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_remount");
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        if root.is_rootnode() && self.profile.has_cgroup2() {
            // 6.6 `cgroup_reconfigure`: the cgroup2 options replace the root's flags.
            let flags = crate::dfl::parse_cgroup2_options(data)?;
            st.roots_arena.get_mut(root.0).expect("rootnode").flags = flags;
            return Ok(());
        }
        if root.is_rootnode() || st.roots_arena.get(root.0).is_none() {
            return Err(Errno::EINVAL);
        }
        let opts = {
            let _g = trace::func(&*self.tracer, smp_processor_id(), "parse_cgroupfs_options");
            parse_cgroupfs_options(data, &self.subsys_opts(), self.profile.mount_opts)?
        };
        let r = st.roots_arena.get(root.0).expect("checked");
        if opts.flags != r.flags || opts.name.as_ref().is_some_and(|n| *n != r.name) {
            return Err(Errno::EINVAL);
        }
        let res = self.rebind_subsystems(&mut st, root, opts.subsys_bits);
        // Kernel quirk (2.6.25): the agent is copied before the rebind result is looked at.
        let copy_agent = res.is_ok() || self.profile.mount_opts == MountOpts::V2_6_25;
        if copy_agent && let Some(a) = opts.release_agent {
            st.roots_arena
                .get_mut(root.0)
                .expect("live")
                .release_agent_path = a.into_bytes();
        }
        res?;
        let top = st.roots_arena.get(root.0).expect("live").top_cgroup;
        self.populate_dir(&mut st, top);
        Ok(())
    }

    /// Drop one mount view of `root` (`umount`). When it was the last view and the hierarchy has
    /// no child cgroups, the superblock dies: `cgroup_kill_sb` unbinds every subsystem, unlinks
    /// the top cgroup from every css_set and frees the hierarchy; returns `Ok(true)`. Otherwise the
    /// hierarchy lingers (`kernel/cgroup.c` `cgroup_kill_sb`, v2.6.34) and a later matching mount reattaches; returns `Ok(false)`.
    /// A hierarchy with no mount views left dies later, when its last child cgroup is removed.
    /// EINVAL if `root` is not a mounted hierarchy.
    pub fn umount(&self, root: RootId) -> Result<bool, Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        if root.is_rootnode() {
            // cgroup_kill_sb: the default hierarchy is never destroyed.
            let r = st.roots_arena.get_mut(root.0).expect("rootnode");
            if !self.profile.has_cgroup2() || r.mounts == 0 {
                return Err(Errno::EINVAL);
            }
            r.mounts -= 1;
            return Ok(false);
        }
        let r = st.roots_arena.get_mut(root.0).ok_or(Errno::EINVAL)?;
        if r.mounts == 0 {
            return Err(Errno::EINVAL);
        }
        r.mounts -= 1;
        if r.mounts == 0 && r.number_of_cgroups == 1 {
            self.kill_sb(&mut st, root);
            return Ok(true);
        }
        Ok(false)
    }

    /// `init_root_id` (2.6.32+): `ida_get_new_above(&hierarchy_ida, next_hierarchy_id)`, the
    /// lowest free id at or above the cursor; when none is left below the ida's 31-bit limit
    /// (`-ENOSPC`) it starts again from 0 (`ida_get_new`). The cursor then moves to id + 1.
    /// Rootnode holds id 0 for ever, so the wrap-around lands on the lowest freed id ≥ 1.
    /// Kernel: `kernel/cgroup.c` `init_root_id`, v2.6.35.
    fn init_root_id(st: &mut CgroupState<T>) -> u32 {
        const IDA_MAX: u32 = 0x7fff_ffff;
        let free_from = |st: &CgroupState<T>, start: u32| {
            (start.max(1)..=IDA_MAX).find(|h| !st.hierarchy_ids.contains(h))
        };
        let id = free_from(st, st.next_hierarchy_id)
            .or_else(|| free_from(st, 1))
            .expect("the 31-bit ida is never full here");
        st.hierarchy_ids.insert(id);
        st.next_hierarchy_id = id.wrapping_add(1);
        id
    }

    /// `cgroup_kill_sb` (`kernel/cgroup.c`, v2.6.34).
    #[doc(alias = "cgroup_kill_sb")]
    pub(crate) fn kill_sb(&self, st: &mut CgroupState<T>, root: RootId) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_kill_sb");
        // Lock order: cgroup_mutex -> css_set_lock (write), held across rebind_subsystems and
        // the unlinking (see `mount`).
        let mut cs = self.css_set_write();
        self.rebind_subsystems(st, root, 0)
            .expect("a dying hierarchy has no children, so rebind cannot fail");
        let r = st.roots_arena.remove(root.0).expect("live root");
        let top = r.top_cgroup;
        let c = st.cgroups.remove(top.0).expect("live top cgroup");
        // The top cgroup dies: no check_for_release may queue it any more.
        c.shared.set_flag(CGRP_REMOVED);
        for cg in cs.links_of(top).to_vec() {
            let set = cs.css_sets.get_mut(cg.0).expect("linked css_set");
            set.cg_links.retain(|l| l.cgrp != top);
            cs.unlink(top, cg);
        }
        Self::rehash_css_sets(&mut cs);
        drop(cs);
        // Lock order: cgroup_mutex -> release_list_lock.
        self.release_list.lock().retain(|&x| x != top);
        st.roots.retain(|&x| x != root);
        st.root_count -= 1;
        st.hierarchy_ids.remove(&r.hierarchy_id);
    }

    /// `rebind_subsystems(root, final_bits)` (`kernel/cgroup.c`, v2.6.34): EBUSY if an added subsystem is bound
    /// elsewhere or the hierarchy has child cgroups (checked before any change); then, in
    /// ascending id order, move each added subsystem's root css to the top cgroup (head of
    /// `subsys_list`, `bind`) and each removed one back to dummytop.
    pub(crate) fn rebind_subsystems(
        &self,
        st: &mut CgroupState<T>,
        root: RootId,
        final_bits: u64,
    ) -> Result<(), Errno> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "rebind_subsystems");
        let r = st.roots_arena.get(root.0).expect("live root");
        let removed = r.actual_subsys_bits & !final_bits;
        let added = final_bits & !r.actual_subsys_bits;
        let dfl_busy = if self.profile.has_cgroup2() {
            st.cgroups
                .get(st.dummytop.0)
                .expect("dummytop")
                .subtree_control
        } else {
            0
        };
        for i in 0..self.subsys.len() {
            if added & (1 << i) != 0
                && (!st.subsys_root[i].is_rootnode()
                    || dfl_busy & (1 << i) != 0
                    || self.dfl_has_child_css(st, i))
            {
                return Err(Errno::EBUSY);
            }
        }
        if r.number_of_cgroups > 1 {
            return Err(Errno::EBUSY);
        }
        let top = r.top_cgroup;
        let dummytop = st.dummytop;
        for i in 0..self.subsys.len() {
            let bit = 1u64 << i;
            if added & bit != 0 {
                let css = st.cgroups.get(dummytop.0).expect("dummytop").subsys[i]
                    .clone()
                    .expect("dummytop has every css");
                css.set_cgroup(top);
                st.cgroups.get_mut(top.0).expect("top").subsys[i] = Some(css.clone());
                st.roots_arena
                    .get_mut(RootId::ROOTNODE.0)
                    .expect("rootnode")
                    .subsys_list
                    .retain(|&x| x != i);
                st.roots_arena
                    .get_mut(root.0)
                    .expect("live")
                    .subsys_list
                    .insert(0, i);
                st.subsys_root[i] = root;
                {
                    let cx = self.ctx(st, i, top);
                    let _g = self.trace_cb(i, SubsysCallback::Bind);
                    self.subsys[i].bind(&cx, &css);
                }
            } else if removed & bit != 0 {
                let css = st.cgroups.get(top.0).expect("top").subsys[i]
                    .clone()
                    .expect("bound subsystem has a css");
                {
                    let cx = self.ctx(st, i, dummytop);
                    let _g = self.trace_cb(i, SubsysCallback::Bind);
                    self.subsys[i].bind(&cx, &css);
                }
                css.set_cgroup(dummytop);
                st.cgroups.get_mut(top.0).expect("top").subsys[i] = None;
                st.subsys_root[i] = RootId::ROOTNODE;
                st.roots_arena
                    .get_mut(root.0)
                    .expect("live")
                    .subsys_list
                    .retain(|&x| x != i);
                st.roots_arena
                    .get_mut(RootId::ROOTNODE.0)
                    .expect("rootnode")
                    .subsys_list
                    .insert(0, i);
            }
        }
        let r = st.roots_arena.get_mut(root.0).expect("live");
        r.subsys_bits = final_bits;
        r.actual_subsys_bits = final_bits;
        // 6.6: the default hierarchy's root gains or loses the moved controllers' files
        // (`css_populate_dir` / `css_clear_dir` from `rebind_subsystems`).
        if (added | removed) != 0 && self.profile.has_cgroup2() {
            self.populate_dir(st, dummytop);
        }
        Ok(())
    }

    /// 6.6 `rebind_subsystems`: "If @ss has non-root csses attached to it, can't move"
    /// (`css_next_child(NULL, cgroup_css(&ss->root->cgrp, ss))`): a css of subsystem `i` below
    /// the default hierarchy's root, live or dying (a removed cgroup, or a `-name` in
    /// `cgroup.subtree_control`, whose css is still referenced, by a memcg's pages for one).
    /// Only the 6.6 preset has a default hierarchy with cgroups in it.
    fn dfl_has_child_css(&self, st: &CgroupState<T>, i: usize) -> bool {
        if !self.profile.has_cgroup2() {
            return false;
        }
        let dummytop = st.dummytop;
        st.cgroups.iter().any(|(k, c)| {
            k != dummytop.0 && c.root.is_rootnode() && c.subsys.get(i).is_some_and(Option::is_some)
        }) || st
            .dying
            .iter()
            .any(|d| d.root.is_rootnode() && d.subsys == i)
    }

    /// `cgroup_show_options`: the `/proc/mounts` option suffix, e.g. `,cpuacct,cpu` or
    /// `,memory,release_agent=/sbin/agent` (`kernel/cgroup.c` `cgroup_show_options`, v2.6.34). EINVAL for an unknown root.
    #[doc(alias = "cgroup_show_options")]
    pub fn show_options(&self, root: RootId) -> Result<String, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        if root.is_rootnode() {
            if self.profile.has_cgroup2() {
                let flags = st.roots_arena.get(root.0).expect("rootnode").flags;
                return Ok(self.show_dfl_options(flags));
            }
            return Err(Errno::EINVAL);
        }
        let r = st.roots_arena.get(root.0).ok_or(Errno::EINVAL)?;
        let mut s = String::new();
        for i in self.subsys_names_order(r) {
            s.push(',');
            s.push_str(self.subsys[i].name());
        }
        if r.flags & ROOT_NOPREFIX != 0 {
            s.push_str(",noprefix");
        }
        // 3.x+ `cgroup_show_options` / 6.6 `cgroup1_show_options`: the flags after noprefix.
        if r.flags & ROOT_XATTR != 0 {
            s.push_str(",xattr");
        }
        if r.flags & ROOT_CPUSET_V2_MODE != 0 {
            s.push_str(",cpuset_v2_mode");
        }
        if r.flags & crate::dfl::CGRP_ROOT_FAVOR_DYNMODS != 0 {
            s.push_str(",favordynmods");
        }
        let top_clone_children = matches!(self.profile.mount_opts, MountOpts::V4 | MountOpts::V6_6)
            && st
                .cgroups
                .get(r.top_cgroup.0)
                .is_some_and(|c| c.shared.flags() & crate::cgroup::CGRP_CLONE_CHILDREN != 0);
        if !r.release_agent_path.is_empty() {
            s.push_str(",release_agent=");
            // Differences: the kernel prints the bytes (`seq_printf("%s")`); the simulator's
            // mount table is text, so bytes that are not UTF-8 show as U+FFFD here only.
            s.push_str(&String::from_utf8_lossy(&r.release_agent_path));
        }
        if top_clone_children {
            s.push_str(",clone_children");
        }
        if self.profile.mount_opts != MountOpts::V2_6_25 && !r.name.is_empty() {
            s.push_str(",name=");
            s.push_str(&r.name);
        }
        Ok(s)
    }

    /// The order `cgroup_show_options` and `proc_cgroup_show` name a hierarchy's subsystems in:
    /// `root->subsys_list` up to 3.15 (`list_add` at the head, so the last bound comes first:
    /// `cpuacct,cpu`), subsystem id order on 6.6 (`for_each_subsys(ss, ssid)` with the mask:
    /// `cpu,cpuacct`).
    /// Differences: 3.19 and 4.19 print in id order too; their presets keep the list order.
    pub(crate) fn subsys_names_order(&self, r: &CgroupfsRoot) -> Vec<usize> {
        let mut v = r.subsys_list.clone();
        if self.profile.mount_opts == MountOpts::V6_6 {
            v.sort_unstable();
        }
        v
    }

    /// The top cgroup of a hierarchy (the mount point directory). EINVAL for an unknown root.
    pub fn top_cgroup(&self, root: RootId) -> Result<CgroupId, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        Ok(st.roots_arena.get(root.0).ok_or(Errno::EINVAL)?.top_cgroup)
    }

    /// The mounted hierarchies, in the kernel's `roots` list order (newest first).
    pub fn roots(&self) -> Vec<RootId> {
        // Lock order: cgroup_mutex.
        self.lock().roots.clone()
    }

    /// The release agent path of a hierarchy, as stored (bytes; see `release_agent`).
    pub fn release_agent_path(&self, root: RootId) -> Result<Vec<u8>, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        Ok(st
            .roots_arena
            .get(root.0)
            .ok_or(Errno::EINVAL)?
            .release_agent_path
            .clone())
    }

    pub(crate) fn subsys_opts(&self) -> Vec<SubsysOpt> {
        self.subsys
            .iter()
            .zip(&self.disabled)
            .map(|(s, &d)| SubsysOpt {
                name: s.name(),
                disabled: d,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
