//! The `core.*` switches: `Default` is Linux 2.6.34–2.6.35's cgroup core (the
//! `cgsim_cgroupfs::KernelVersion` presets set all of them).
//!
//! **Kernel:** none; each switch selects the behaviour of a kernel version range.

/// `core.base_files`: which base control files every cgroup directory gets (`kernel/cgroup.c` `files[]`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum BaseFiles {
    /// 2.6.24–2.6.25: `tasks`, `notify_on_release`, `releasable`; every file mode 0644.
    V2_6_25,
    /// 2.6.34–2.6.36: `tasks`, `cgroup.procs`, `notify_on_release`, `cgroup.event_control`.
    #[default]
    V2_6_34,
    /// 3.10: the 2.6.34 set plus `cgroup.clone_children`, and `cgroup.sane_behavior` in the top cgroup.
    V3_10,
}

/// `core.tasks_write_parse`: how a write to `tasks` is parsed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum TasksWriteParse {
    /// 2.6.25–2.6.26: `sscanf("%d")`, no number → EIO, trailing text ignored.
    SscanfEio,
    /// 2.6.27+: write_u64 rules, garbage → EINVAL.
    #[default]
    U64Einval,
}

/// `core.mount_opts`: the mount option set (`parse_cgroupfs_options`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MountOpts {
    /// 2.6.25: subsystems, `all`, `noprefix`, `release_agent=`; reuse iff bits and flags match.
    V2_6_25,
    /// 2.6.32–2.6.3x: adds `none`, `name=`, the cpuset-only `noprefix` rule (2.6.31) and the
    /// 2.6.32 reuse test.
    #[default]
    V2_6_32,
    /// 3.10/4.x: `all` is the default whenever no subsystem, `none` or `name=` was given; `all`
    /// mixed with subsystem names → EINVAL; a disabled subsystem's name → ENOENT; `xattr` and
    /// `clone_children` flags (3.x).
    V4,
    /// 6.6 (`cgroup1_parse_param`, `check_cgroupfs_options`): 4.x's rules through the
    /// `fs_context` parser, so an unknown or disabled subsystem name is EINVAL, plus
    /// `cpuset_v2_mode` (4.13+) and `favordynmods`/`nofavordynmods`; a name longer than 63
    /// bytes is EINVAL; the names in `/proc/mounts` and `/proc/PID/cgroup` are in
    /// subsystem id order (`for_each_subsys`, as since 3.16).
    V6_6,
}

/// `core.proc_cgroups_hier_column`: the second column of `/proc/cgroups` and the first field of
/// `/proc/<pid>/cgroup`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ProcHierColumn {
    /// ≤ 2.6.31: the hierarchy's `subsys_bits`.
    SubsysBits,
    /// 2.6.32+: `hierarchy_id`.
    #[default]
    HierarchyId,
}

/// `core.proc_cgroups_columns`: the columns of `/proc/cgroups` (`proc_cgroupstats_show`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ProcCgroupsColumns {
    /// 2.6.24–2.6.25: `#subsys_name`, `hierarchy`, `num_cgroups`.
    V2_6_25,
    /// 2.6.26+ (2.6.35): an `enabled` column too (added with the `cgroup_disable=` boot option).
    #[default]
    V2_6_26,
}

/// `core.rmdir_css_refs`: what rmdir does when a css still has references.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum RmdirCssRefs {
    /// 2.6.25: EBUSY (also `Default`, the simplest reading of the 2.6.30–3.7 wait).
    #[default]
    Ebusy,
    /// 2.6.30–3.7: sleep until the references go. The simulator has no asynchronous holders that
    /// could drop them while rmdir sleeps, so this returns EBUSY too (documented simplification).
    Wait,
    /// 3.8+: references do not block rmdir.
    Ignore,
}

/// `core.css_refcnt_base`: the value of an unreferenced css's `refcnt`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum CssRefcntBase {
    /// ≤ 2.6.28: refcnt starts at 0.
    Zero,
    /// 2.6.29+: refcnt starts at 1.
    #[default]
    One,
}

impl CssRefcntBase {
    /// The refcnt of a css nobody references.
    pub fn value(self) -> i64 {
        match self {
            CssRefcntBase::Zero => 0,
            CssRefcntBase::One => 1,
        }
    }
}

/// `core.cgroup2`: whether the kernel has the default hierarchy (`cgroup2`, the unified
/// hierarchy of `kernel/cgroup/cgroup.c` `cgrp_dfl_root`, v6.6).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Cgroup2 {
    /// ≤ 4.4: no `cgroup2` filesystem (`mount -t cgroup2` is ENODEV); `rootnode` is the dummy
    /// hierarchy that holds the unbound subsystems.
    #[default]
    Off,
    /// 6.6: `rootnode` is `cgrp_dfl_root`, mountable as `cgroup2`, with the v2 interface files
    /// (`cgroup_base_files[]`), `cgroup.subtree_control` and the no-internal-process rule.
    V6_6,
}

/// `core.attach_exiting`: what a write to `tasks` or a v1 `cgroup.procs` does with a task that
/// is exiting (`PF_EXITING`: a zombie, or a thread on its way out).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum AttachExiting {
    /// 2.6.24–3.9: `attach_task_by_pid` refuses it with ESRCH (`!tsk || tsk->flags &
    /// PF_EXITING`, v2.6.35).
    #[default]
    Esrch,
    /// 3.10 (3.10.4): no check in `attach_task_by_pid`; `cgroup_attach_task`'s loop skips an
    /// exiting task, and one already in the cgroup, with `continue`, which in a
    /// `do { } while_each_thread()` loop also skips the `if (!threadgroup) break;`, so a `tasks`
    /// write goes on to the next thread of the group and moves the first one it can (and
    /// returns 0 when there is none).
    Skip3_10,
    /// 3.19+ (`cgroup_migrate`, 3.19.8; `cgroup_migrate_add_task`, 4.19 and 6.6): an exiting
    /// task, or one already there, is skipped (`goto next`) and the write returns 0.
    Skip,
}

/// `devices.model`: the device controller's rules (`security/device_cgroup.c`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum DevicesModel {
    /// 2.6.26–3.7: a whitelist (`a *:* rwm` in a top cgroup), `devcgroup_can_attach`.
    #[default]
    Whitelist,
    /// 3.8–3.18 as in 3.10.4: a default behaviour plus exceptions (`may_access`), still with
    /// `devcgroup_can_attach`.
    Exceptions3_10,
    /// 3.19+ (3.19.8, 4.19): `verify_new_ex` with `match_exception_partial`,
    /// `parent_allows_removal`, no `can_attach`.
    Exceptions3_19,
}

impl DevicesModel {
    /// Whether `devcgroup_can_attach` exists (2.6.26 until its removal before 3.19).
    pub fn has_can_attach(self) -> bool {
        self != DevicesModel::Exceptions3_19
    }
}

/// Every `core.*` switch. `Default` is the 2.6.34–2.6.35 core with `rmdir_css_refs = ebusy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreProfile {
    pub base_files: BaseFiles,
    pub tasks_write_parse: TasksWriteParse,
    pub mount_opts: MountOpts,
    pub proc_cgroups_hier_column: ProcHierColumn,
    pub proc_cgroups_columns: ProcCgroupsColumns,
    pub rmdir_css_refs: RmdirCssRefs,
    pub css_refcnt_base: CssRefcntBase,
    /// The default hierarchy (`cgroup2`), 6.6.
    pub cgroup2: Cgroup2,
    /// Boot option `cgroup_disable=<name>[,...]` (2.6.26+): these subsystems are registered but
    /// disabled (`enabled` column 0 in `/proc/cgroups`, ignored by mount).
    pub cgroup_disable: Vec<String>,
    /// `devices.model`: the device controller's rules (its own switch name, as its own file).
    pub devices: DevicesModel,
    /// `core.attach_exiting`: a `tasks` / v1 `cgroup.procs` write of an exiting task.
    pub attach_exiting: AttachExiting,
}

impl CoreProfile {
    /// Whether the default hierarchy exists (`core.cgroup2` is not `off`).
    pub fn has_cgroup2(&self) -> bool {
        self.cgroup2 != Cgroup2::Off
    }

    /// The 2.6.25 behaviour for every switch.
    pub fn v2_6_25() -> CoreProfile {
        CoreProfile {
            base_files: BaseFiles::V2_6_25,
            tasks_write_parse: TasksWriteParse::SscanfEio,
            mount_opts: MountOpts::V2_6_25,
            proc_cgroups_hier_column: ProcHierColumn::SubsysBits,
            proc_cgroups_columns: ProcCgroupsColumns::V2_6_25,
            rmdir_css_refs: RmdirCssRefs::Ebusy,
            css_refcnt_base: CssRefcntBase::Zero,
            cgroup2: Cgroup2::Off,
            cgroup_disable: Vec::new(),
            devices: DevicesModel::Whitelist,
            attach_exiting: AttachExiting::Esrch,
        }
    }

    /// Set one switch by its spec name and value (`core.mount_opts`, `v2_6_25`), as the shell's
    /// `profile set` command does. Unknown names or values → EINVAL.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), cgsim_ktypes::Errno> {
        use cgsim_ktypes::Errno::EINVAL;
        match (name, value) {
            ("core.base_files", "v2_6_25") => self.base_files = BaseFiles::V2_6_25,
            ("core.base_files", "v2_6_34") => self.base_files = BaseFiles::V2_6_34,
            ("core.base_files", "v3_10") => self.base_files = BaseFiles::V3_10,
            ("core.tasks_write_parse", "sscanf_eio") => {
                self.tasks_write_parse = TasksWriteParse::SscanfEio
            }
            ("core.tasks_write_parse", "u64_einval") => {
                self.tasks_write_parse = TasksWriteParse::U64Einval
            }
            ("core.mount_opts", "v2_6_25") => self.mount_opts = MountOpts::V2_6_25,
            ("core.mount_opts", "v2_6_32") => self.mount_opts = MountOpts::V2_6_32,
            ("core.mount_opts", "v4") => self.mount_opts = MountOpts::V4,
            ("core.mount_opts", "v6_6") => self.mount_opts = MountOpts::V6_6,
            ("core.proc_cgroups_hier_column", "subsys_bits") => {
                self.proc_cgroups_hier_column = ProcHierColumn::SubsysBits
            }
            ("core.proc_cgroups_hier_column", "hierarchy_id") => {
                self.proc_cgroups_hier_column = ProcHierColumn::HierarchyId
            }
            ("core.proc_cgroups_columns", "v2_6_25") => {
                self.proc_cgroups_columns = ProcCgroupsColumns::V2_6_25
            }
            ("core.proc_cgroups_columns", "v2_6_26") => {
                self.proc_cgroups_columns = ProcCgroupsColumns::V2_6_26
            }
            ("core.rmdir_css_refs", "ebusy") => self.rmdir_css_refs = RmdirCssRefs::Ebusy,
            ("core.rmdir_css_refs", "wait") => self.rmdir_css_refs = RmdirCssRefs::Wait,
            ("core.rmdir_css_refs", "ignore") => self.rmdir_css_refs = RmdirCssRefs::Ignore,
            ("core.css_refcnt_base", "0") => self.css_refcnt_base = CssRefcntBase::Zero,
            ("core.css_refcnt_base", "1") => self.css_refcnt_base = CssRefcntBase::One,
            ("core.cgroup2", "off") => self.cgroup2 = Cgroup2::Off,
            ("core.cgroup2", "v6_6") => self.cgroup2 = Cgroup2::V6_6,
            ("core.attach_exiting", "esrch") => self.attach_exiting = AttachExiting::Esrch,
            ("core.attach_exiting", "skip_3_10") => self.attach_exiting = AttachExiting::Skip3_10,
            ("core.attach_exiting", "skip") => self.attach_exiting = AttachExiting::Skip,
            ("devices.model", "whitelist") => self.devices = DevicesModel::Whitelist,
            ("devices.model", "exceptions_3_10") => self.devices = DevicesModel::Exceptions3_10,
            ("devices.model", "exceptions_3_19") => self.devices = DevicesModel::Exceptions3_19,
            _ => return Err(EINVAL),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
