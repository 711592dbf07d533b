//! The `memcg.*` and `thresholds.*` switches; `Default` is Linux 2.6.35.
//!
//! **Kernel:** none; each switch selects the behaviour of a kernel version range.
//! The counter backend (`memcg.counter`) is not a field: it is the type parameter `C` of
//! [`MemoryMachine`](crate::MemoryMachine) (`SpinResCounter` for 2.6.25–3.18, `PageCounter` for 3.19+; the Kernel uses the former),
//! so the charge path is compiled for one backend and calls its counters without dynamic dispatch.

use cgsim_ktypes::Errno;

/// `memcg.charge_algo`: the charge loop (`mm/memcontrol.c`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ChargeAlgo {
    /// 2.6.25 `mem_cgroup_charge_common`: one counter, reclaim returns 0/1, OOM on the sixth
    /// unproductive round and the charge fails.
    V2_6_25,
    /// 2.6.34–2.6.35 `__mem_cgroup_try_charge`: hierarchical counters, res then memsw,
    /// optional stock, `mem_over_limit`, hierarchical reclaim, 5 retries, then OOM handling.
    #[default]
    V2_6_34,
    /// 3.19+/4.x `try_charge` order: memsw is tried before memory; the rest of
    /// the loop is the 2.6.34 one (documented simplification).
    V4X,
}

/// `memcg.oom_model`: how a charge at the limit ends in an OOM kill or wait.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OomModel {
    /// 2.6.25: kill a victim and fail the charge; the fault then kills the faulting task too.
    KillAndFail2_6_25,
    /// 2.6.34 `mem_cgroup_handle_oom`: no `oom_control` file, so no
    /// `oom_kill_disable`, `under_oom` or OOM notification; the task that owns the OOM (no
    /// overlapping one in the subtree) kills a victim, then every waiter retries its charge.
    HandleOom2_6_34,
    /// 2.6.35–3.11 `mem_cgroup_handle_oom`: subtree OOM lock, `under_oom`, `oom_kill_disable`
    /// makes tasks wait in the charge path.
    #[default]
    OomControlChargeWait,
    /// 3.12+ (and 3.10.y) `mem_cgroup_oom` + `mem_cgroup_oom_synchronize`: only a
    /// user page fault handles the OOM (kill, or wait with `oom_kill_disable`), at the end of
    /// the fault; any other charge at the limit (the page cache of `read(2)`/`write(2)`,
    /// `mlock`'s population) fails with ENOMEM, killing no one.
    OomControlFaultEnd,
    /// 4.x `mem_cgroup_oom`: kill from the charge path, the OOM lock only gates the
    /// notification; no victim → the charge is forced past the limit; `oom_kill_disable` makes
    /// a user page fault wait and fails any other charge with ENOMEM.
    V4,
}

/// `memcg.badness`: how the OOM killer scores a task (`mm/oom_kill.c`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Badness {
    /// 2.6.25–2.6.35 `badness()` (the 2.6.35 default): the mm's `total_vm`, plus half of each
    /// child's with its own mm, divided by 4 for `CAP_SYS_ADMIN`/`CAP_SYS_RESOURCE` and by 4
    /// again for `CAP_SYS_RAWIO` (a root task has all three), then shifted by `oom_adj`
    /// (`oomkilladj` in 2.6.25). CPU time, run time and nice are not modelled (the simulated CPU
    /// time is kept by the Kernel, not by this task table; see `oom.rs`).
    #[default]
    TotalVm2_6_25,
    /// 2.6.36+ `oom_badness()`: rss + page tables + swap entries, plus
    /// `oom_score_adj * totalpages / 1000`.
    Rss2_6_36,
}

/// `memcg.oom_root_bonus`: what `oom_badness` takes off a `CAP_SYS_ADMIN` (root) task.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum RootBonus {
    /// 4.17+: nothing.
    #[default]
    None,
    /// 3.5–3.13: `adj -= 30` before `adj *= totalpages / 1000` (3% of the limit).
    Adj30,
    /// 3.14–4.16: `points -= points * 3 / 100` (3% of the task's own usage).
    Pct3,
}

/// `memcg.oom_report`: which kernel's lines the OOM killer writes to the kernel log
/// (`dump_header`, `mem_cgroup_print_oom_info`, `oom_kill_process`, `__oom_kill_task`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OomReport {
    /// 2.6.25: `invoked oom-killer: ... oomkilladj=`, the stack dump, `kill process ... or a
    /// child`, `Killed process N (comm)`.
    V2_6_25,
    /// 2.6.35: `oom_adj=`, the cpuset line, `Pid: N, comm: ...` stack dump, `Task in ...`, the
    /// `memory:` and `memory+swap:` lines, `kill process ... or a child`, `Killed process ...
    /// vsz:..., anon-rss:..., file-rss:...`.
    #[default]
    V2_6_35,
    /// 3.10: `oom_score_adj=`, `CPU: N PID: N Comm: ...`, the `kmem:` line, `Memory cgroup
    /// stats for ...`, the task dump, `Kill process ... or sacrifice child`, `Killed process ...
    /// total-vm:...`.
    V3_10,
    /// 4.19: `gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null)`, the task dump with
    /// `pgtables_bytes`, `shmem-rss` in the `Killed process` line, then the `oom_reaper` line.
    V4_19,
    /// 6.6: `gfp_mask=0xcc0(GFP_KERNEL), order=0`, the `<TASK>` stack dump, `memory:` then
    /// `swap:` (v2) or `memory+swap:`/`kmem:` (v1), `Memory cgroup stats for /X:` with the
    /// `memory.stat` lines, the task dump, the `oom-kill:constraint=...` summary and
    /// `Memory cgroup out of memory: Killed process ... UID:.. pgtables:..kB oom_score_adj:..`;
    /// no `Kill process ... or sacrifice child` line and no child sacrificed.
    V6_6,
}

/// `memcg.offline`: what happens to a memcg's charges when its css goes offline (rmdir).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OfflineCharges {
    /// 2.6.25–3.18: `pre_destroy`/`css_offline` moves every charge to the parent
    /// (`mem_cgroup_force_empty`, 3.x `mem_cgroup_reparent_charges`) and the memcg is freed
    /// with the cgroup.
    #[default]
    Reparent,
    /// 3.19 (`mm: memcontrol: continue cache reclaim from offlined groups`, commit b2052564e66d,
    /// v3.19-rc1): the charges stay where they are, each charged page holding a css reference
    /// (`try_charge`'s `css_get_many`, `uncharge_batch`'s `css_put_many`) and each swap entry
    /// the memcg id, so the removed memcg stays dying until its last page and swap entry are
    /// gone, its pages in its ancestors' usage and reclaimed by their reclaim. 3.19's
    /// `mem_cgroup_css_offline` only drops the event registrations and vmpressure listeners
    /// (it does not drain the per-CPU stock: the pages the stock holds keep the css too), and
    /// `memory.force_empty` only reclaims: no EBUSY for tasks or children, no stock drain,
    /// nothing moved to the parent (`mm/memcontrol.c` `mem_cgroup_css_offline`,
    /// `mem_cgroup_force_empty`, v3.19.8).
    Keep3_19,
    /// 4.19: as 3.19, and `memory.force_empty` drains the memcg's per-CPU stocks before it
    /// reclaims (`drain_all_stock` in `mem_cgroup_force_empty`, v4.19); `css_offline` still
    /// drains nothing.
    Keep4_19,
    /// 6.6: as 4.19, and `mem_cgroup_css_offline` also drains the per-CPU stocks
    /// (`drain_all_stock`, `mm/memcontrol.c` v6.6); see `docs/memcg-v2.md`.
    Keep6_6,
}

impl OfflineCharges {
    /// Whether a removed memcg keeps its charges (3.19+) instead of moving them to its parent.
    pub fn keeps(self) -> bool {
        self != OfflineCharges::Reparent
    }
}

/// `memcg.memsw_account`: when the memory+swap counter (`memcg->memsw`) is charged, given swap
/// accounting (`memcg.swap_accounting`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MemswAccount {
    /// Always (every preset without a default hierarchy: the memory controller is always on a
    /// v1 hierarchy or on none).
    #[default]
    Always,
    /// 6.6 `do_memsw_account()` (`mm/memcontrol.c`): `!cgroup_subsys_on_dfl(memory_cgrp_subsys)`,
    /// so only while the memory controller is bound to a v1 hierarchy. On the default
    /// hierarchy (where it sits from boot until a v1 mount takes it, and again once that
    /// hierarchy is gone) `try_charge_memcg`, `uncharge_batch` and the stock charge
    /// `memcg->memory` alone, swap-out charges `memcg->swap` (`__mem_cgroup_try_charge_swap`)
    /// and freeing the entry uncharges it (`__mem_cgroup_uncharge_swap`). Since 6.1 ("mm:
    /// memcontrol: deprecate swapaccounting=0 mode") nothing else decides it: `swapaccount=0`
    /// only warns and `cgroup_memory_noswap` is gone.
    NotOnDfl,
}

/// `thresholds.check`: when `memcg_check_events` runs the threshold check.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ThresholdCheck {
    /// After every page event: exact and deterministic, for teaching.
    EveryEvent,
    /// 2.6.34–2.6.35 `memcg_check_events`: when the memcg's page-event counter is a multiple of 128
    /// (`THRESHOLDS_EVENTS_THRESH`).
    #[default]
    Ratelimited2_6_34,
    /// ≈2.6.39/3.x: when the counter passes the memcg's `next` target, which then moves 128
    /// events ahead (the 1st event, then every 129th).
    Ratelimited3x,
}

/// Every `memcg.*` switch. `Default` is the crate's test profile; [`MemcgProfile::v2_6_35`] is
/// Linux 2.6.35.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemcgProfile {
    pub charge_algo: ChargeAlgo,
    /// `memcg.stock_pages`: 0 (≤2.6.32), 32 (2.6.33–6.0) or 64 (6.1+).
    pub stock_pages: u64,
    /// `memcg.root_charged`: false (2.6.32+) skips the root's counters.
    pub root_charged: bool,
    /// `memcg.limit_resize`: true = 2.6.27+ retry loop with EBUSY; false = 2.6.25 direct
    /// store (a limit below usage is accepted).
    pub limit_resize_retry: bool,
    /// `memcg.swap_accounting`: the memsw counter and `memory.memsw.*` files (2.6.29+ with swap accounting).
    pub swap_accounting: bool,
    /// `memcg.memsw_account`: whether memsw is charged on the default hierarchy too.
    pub memsw_account: MemswAccount,
    /// `memcg.new_anon_lru`: `inactive` (5.9+) puts a new anonymous page (fault, copy-on-write
    /// copy, swap-in) on the inactive anon list, `active` (before) on the active one.
    pub new_anon_inactive: bool,
    pub oom_model: OomModel,
    pub badness: Badness,
    /// `memcg.oom_control_hier_restriction` (2.6.35–3.18: on).
    pub oom_control_hier_restriction: bool,
    /// `memcg.swappiness_hier_restriction` (2.6.29–3.18: on).
    pub swappiness_hier_restriction: bool,
    /// `memcg.oom_kill_line`: the `oom_kill <n>` line of `oom_control` (4.13+).
    pub oom_kill_line: bool,
    /// `vm_swappiness`, the global default (60).
    pub vm_swappiness: u64,
    /// `thresholds.check`.
    pub thresholds_check: ThresholdCheck,
    /// `thresholds.register_cmp`: true = `le` (3.x), false = `lt_2_6_34` (2.6.34–2.6.35
    /// `mem_cgroup_usage_register_event` counts thresholds strictly below usage).
    pub thresholds_register_le: bool,
    /// `thresholds.walk_ancestors`: 2.6.34–2.6.35 check the charged memcg only; later kernels its
    /// ancestors too.
    pub thresholds_walk_ancestors: bool,
    /// `vmpressure`: `off` (before 3.10) or `v3_10`: the `memory.pressure_level` file and its
    /// notifications. `v4_11_modes` is not modelled.
    pub vmpressure: bool,
    /// `memcg.oom_report`: the kernel log lines of an OOM kill.
    pub oom_report: OomReport,
    /// `memcg.oom_root_bonus` (with the `rss_2_6_36` badness).
    pub oom_root_bonus: RootBonus,
    /// `init_utsname()->release` as the OOM report's stack dump prints it (`2.6.35`); set by
    /// the kernel's preset, not a switch.
    pub uts_release: String,
    /// `memcg.hierarchy`: `always` (5.10+: every memcg is hierarchical, `memory.use_hierarchy`
    /// reads 1 and refuses 0 with EINVAL) or `optional` (before).
    pub hierarchy_always: bool,
    /// `memcg.offline`: reparent the charges at rmdir, or keep them on the dying memcg.
    pub offline: OfflineCharges,
}

impl Default for MemcgProfile {
    /// The memcg crate's test profile: the 2.6.35 memory controller without the per-CPU charge
    /// stock (so usage counts single pages), with the 2.6.36 `oom_badness` and the later
    /// threshold rules. It is no kernel: the kernel presets (`cgsim_cgroupfs::KernelVersion`)
    /// build their profiles with [`MemcgProfile::v2_6_35`] and friends.
    fn default() -> Self {
        MemcgProfile {
            charge_algo: ChargeAlgo::V2_6_34,
            stock_pages: 0,
            root_charged: false,
            limit_resize_retry: true,
            swap_accounting: true,
            memsw_account: MemswAccount::Always,
            new_anon_inactive: false,
            oom_model: OomModel::OomControlChargeWait,
            badness: Badness::Rss2_6_36,
            oom_control_hier_restriction: true,
            swappiness_hier_restriction: true,
            oom_kill_line: false,
            vm_swappiness: 60,
            thresholds_check: ThresholdCheck::Ratelimited2_6_34,
            thresholds_register_le: true,
            thresholds_walk_ancestors: true,
            vmpressure: false,
            oom_report: OomReport::V3_10,
            oom_root_bonus: RootBonus::None,
            uts_release: "3.10.0".to_string(),
            hierarchy_always: false,
            offline: OfflineCharges::Reparent,
        }
    }
}

impl MemcgProfile {
    /// Set one switch by its spec name (`memcg.stock_pages`, `32`), as `profile set` does.
    /// Unknown names or values → EINVAL. `memcg.counter` is chosen by the machine's type.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), Errno> {
        let on_off = |v: &str| match v {
            "on" | "true" => Ok(true),
            "off" | "false" => Ok(false),
            _ => Err(Errno::EINVAL),
        };
        match name {
            "memcg.charge_algo" => {
                self.charge_algo = match value {
                    "v2_6_25" => ChargeAlgo::V2_6_25,
                    "v2_6_29" | "v2_6_34" | "v3_x" => ChargeAlgo::V2_6_34,
                    "v4_x" => ChargeAlgo::V4X,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.stock_pages" => {
                self.stock_pages = match value {
                    "0" => 0,
                    "32" => 32,
                    "64" => 64,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.root_charged" => self.root_charged = on_off(value)?,
            "memcg.limit_resize" => {
                self.limit_resize_retry = match value {
                    "direct" => false,
                    "retry_ebusy" => true,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.swap_accounting" => self.swap_accounting = on_off(value)?,
            "memcg.new_anon_lru" => {
                self.new_anon_inactive = match value {
                    "active" => false,
                    "inactive" => true,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.memsw_account" => {
                self.memsw_account = match value {
                    "always" => MemswAccount::Always,
                    "not_on_dfl" => MemswAccount::NotOnDfl,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.oom_model" => {
                self.oom_model = match value {
                    "kill_and_fail_2_6_25" => OomModel::KillAndFail2_6_25,
                    "handle_oom_2_6_34" => OomModel::HandleOom2_6_34,
                    "oom_control_charge_wait" => OomModel::OomControlChargeWait,
                    "oom_control_fault_end" => OomModel::OomControlFaultEnd,
                    "v4_oom" => OomModel::V4,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.badness" => {
                self.badness = match value {
                    "total_vm_2_6_25" | "total_vm_2_6_35" => Badness::TotalVm2_6_25,
                    "rss_2_6_36" => Badness::Rss2_6_36,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.oom_control_hier_restriction" => {
                self.oom_control_hier_restriction = on_off(value)?
            }
            "memcg.swappiness_hier_restriction" => {
                self.swappiness_hier_restriction = on_off(value)?
            }
            "memcg.oom_kill_line" => self.oom_kill_line = on_off(value)?,
            "memcg.oom_report" => {
                self.oom_report = match value {
                    "v2_6_25" => OomReport::V2_6_25,
                    "v2_6_35" => OomReport::V2_6_35,
                    "v3_10" => OomReport::V3_10,
                    "v4_19" => OomReport::V4_19,
                    "v6_6" => OomReport::V6_6,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.oom_root_bonus" => {
                self.oom_root_bonus = match value {
                    "none" => RootBonus::None,
                    "adj_30" => RootBonus::Adj30,
                    "pct_3" => RootBonus::Pct3,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "thresholds.check" => {
                self.thresholds_check = match value {
                    "every_event" => ThresholdCheck::EveryEvent,
                    "ratelimited_2_6_34" => ThresholdCheck::Ratelimited2_6_34,
                    "ratelimited_3x" => ThresholdCheck::Ratelimited3x,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "thresholds.register_cmp" => {
                self.thresholds_register_le = match value {
                    "le" => true,
                    "lt_2_6_34" => false,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "thresholds.walk_ancestors" => self.thresholds_walk_ancestors = on_off(value)?,
            "memcg.hierarchy" => {
                self.hierarchy_always = match value {
                    "always" => true,
                    "optional" => false,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "memcg.offline" => {
                self.offline = match value {
                    "reparent" => OfflineCharges::Reparent,
                    "keep_3_19" => OfflineCharges::Keep3_19,
                    "keep_4_19" => OfflineCharges::Keep4_19,
                    "keep_6_6" => OfflineCharges::Keep6_6,
                    _ => return Err(Errno::EINVAL),
                }
            }
            "vmpressure" => {
                self.vmpressure = match value {
                    "off" => false,
                    "v3_10" => true,
                    _ => return Err(Errno::EINVAL),
                }
            }
            _ => return Err(Errno::EINVAL),
        }
        Ok(())
    }

    /// Linux 2.6.35's memory controller (`mm/memcontrol.c`, `mm/oom_kill.c` v2.6.35).
    pub fn v2_6_35() -> MemcgProfile {
        MemcgProfile {
            charge_algo: ChargeAlgo::V2_6_34,
            // `__mem_cgroup_try_charge` charges `CHARGE_SIZE` (32 pages) at a time and keeps
            // the rest in the per-CPU stock (`consume_stock`/`refill_stock`, 2.6.33+).
            stock_pages: 32,
            root_charged: false,
            limit_resize_retry: true,
            swap_accounting: true,
            memsw_account: MemswAccount::Always,
            new_anon_inactive: false,
            oom_model: OomModel::OomControlChargeWait,
            badness: Badness::TotalVm2_6_25,
            oom_control_hier_restriction: true,
            swappiness_hier_restriction: true,
            oom_kill_line: false,
            vm_swappiness: 60,
            // `memcg_check_events`: `THRESHOLDS_EVENTS_THRESH` 7, once in 128 events.
            thresholds_check: ThresholdCheck::Ratelimited2_6_34,
            // `mem_cgroup_usage_register_event` counts thresholds strictly below usage, and
            // `memcg_check_events` checks the charged memcg only (no ancestor walk).
            thresholds_register_le: false,
            thresholds_walk_ancestors: false,
            vmpressure: false,
            oom_report: OomReport::V2_6_35,
            oom_root_bonus: RootBonus::None,
            uts_release: "2.6.35".to_string(),
            hierarchy_always: false,
            offline: OfflineCharges::Reparent,
        }
    }

    /// Linux 6.6's memory controller (`mm/memcontrol.c`, `mm/oom_kill.c` v6.6) as far as the
    /// switches go: the 4.x charge loop and OOM path (`try_charge_memcg`, `mem_cgroup_oom`
    /// from the charge path), the charge batch of 64 pages (`MEMCG_CHARGE_BATCH`, 6.1+),
    /// always hierarchical (5.10+), `oom_kill` in `memory.oom_control`, vmpressure. The v2
    /// files and protections come with the 6.6 counter (`ProtectedPageCounter`); the OOM
    /// report is 6.6's (`OomReport::V6_6`).
    pub fn v6_6() -> MemcgProfile {
        MemcgProfile {
            charge_algo: ChargeAlgo::V4X,
            stock_pages: 64,
            oom_model: OomModel::V4,
            badness: Badness::Rss2_6_36,
            oom_control_hier_restriction: false,
            swappiness_hier_restriction: false,
            oom_kill_line: true,
            thresholds_check: ThresholdCheck::Ratelimited3x,
            thresholds_register_le: true,
            thresholds_walk_ancestors: true,
            vmpressure: true,
            oom_report: OomReport::V6_6,
            oom_root_bonus: RootBonus::None,
            uts_release: "6.6.0".to_string(),
            hierarchy_always: true,
            // `mem_cgroup_css_offline` (v6.6) moves no page: a removed memcg with charges
            // stays dying until they are gone.
            offline: OfflineCharges::Keep6_6,
            // `do_memsw_account()`: no memory+swap counter while memory is on the default
            // hierarchy.
            memsw_account: MemswAccount::NotOnDfl,
            // 5.9+: `folio_add_lru_vma` adds a new anonymous folio to the inactive list.
            new_anon_inactive: true,
            ..MemcgProfile::v2_6_35()
        }
    }

    /// The 2.6.25 memory controller: single counter loop, kill-and-fail OOM, total_vm badness,
    /// root charged, direct limit store.
    pub fn v2_6_25() -> MemcgProfile {
        MemcgProfile {
            charge_algo: ChargeAlgo::V2_6_25,
            root_charged: true,
            limit_resize_retry: false,
            swap_accounting: false,
            oom_model: OomModel::KillAndFail2_6_25,
            badness: Badness::TotalVm2_6_25,
            oom_report: OomReport::V2_6_25,
            uts_release: "2.6.25".to_string(),
            // No per-CPU stock before 2.6.33; the switches of later mechanisms (thresholds,
            // oom_control) keep 2.6.35's values and have no effect.
            stock_pages: 0,
            ..MemcgProfile::v2_6_35()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_switches() {
        let mut p = MemcgProfile::default();
        assert_eq!(p.stock_pages, 0);
        p.set("memcg.stock_pages", "32").unwrap();
        assert_eq!(p.stock_pages, 32);
        assert_eq!(p.set("memcg.stock_pages", "7"), Err(Errno::EINVAL));
        assert_eq!(p.set("memcg.bogus", "1"), Err(Errno::EINVAL));
        p.set("memcg.swap_accounting", "off").unwrap();
        assert!(!p.swap_accounting);
        assert_eq!(p.thresholds_check, ThresholdCheck::Ratelimited2_6_34);
        p.set("thresholds.check", "every_event").unwrap();
        assert_eq!(p.thresholds_check, ThresholdCheck::EveryEvent);
        assert_eq!(p.set("thresholds.check", "often"), Err(Errno::EINVAL));
    }
}
