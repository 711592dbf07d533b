//! The v1 control files `memory.*` with the kernel's read and write formats and errors.
//!
//! **Kernel:** `mm/memcontrol.c` `mem_cgroup_files[]`, `memsw_cgroup_files[]`,
//! `mem_cgroup_read`, `mem_cgroup_write`, `mem_cgroup_reset`, `mem_control_stat_show`,
//! `mem_cgroup_hierarchy_write`, `mem_cgroup_swappiness_write`,
//! `mem_cgroup_move_charge_write`, `mem_cgroup_oom_control_read/write`,
//! `mem_cgroup_force_empty_write`, `mem_cgroup_resize_limit`, `mem_cgroup_resize_memsw_limit`
//! (2.6.34 file list plus 2.6.35 `oom_control`, `mm/memcontrol.c` `mem_cgroup_files`).
//!
//! Handlers come in the kernel's typed shapes (`read_u64`, `read_map`, `write_string`,
//! `write_u64`, `trigger`) so the cgroup core's dispatch (`cgroup_file_write`) applies its own
//! rules around them; [`MemoryMachine::write_file`] reproduces that dispatch for callers without
//! the core (tests, the reference examples).

use crate::charge::MEM_CGROUP_RECLAIM_RETRIES;
use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::memcontrol::MemcgId;
use crate::memcontrol::MemcgSlot;
use crate::page::LruList;
use crate::profile::{ChargeAlgo, MemcgProfile, OomModel};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SHIFT, PAGE_SIZE};

/// One `memory.*` control file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemFile {
    UsageInBytes,
    MaxUsageInBytes,
    LimitInBytes,
    SoftLimitInBytes,
    Failcnt,
    Stat,
    ForceEmpty,
    UseHierarchy,
    Swappiness,
    MoveChargeAtImmigrate,
    OomControl,
    MemswUsageInBytes,
    MemswMaxUsageInBytes,
    MemswLimitInBytes,
    MemswFailcnt,
    /// `memory.pressure_level` (3.10, switch `vmpressure`): events only, no read or write.
    PressureLevel,
}

/// The read handler shape of a file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReadKind {
    None,
    U64,
    Map,
}

/// The write handler shape of a file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WriteKind {
    None,
    String,
    U64,
    Trigger,
}

impl MemFile {
    /// The files of the profile in creation order (`mm/memcontrol.c` `mem_cgroup_files`: the 2.6.34 list, `oom_control`
    /// after `move_charge_at_immigrate`, then the memsw group when swap accounting is on).
    pub fn list(swap_accounting: bool) -> Vec<MemFile> {
        use MemFile::*;
        let mut v = vec![
            UsageInBytes,
            MaxUsageInBytes,
            LimitInBytes,
            SoftLimitInBytes,
            Failcnt,
            Stat,
            ForceEmpty,
            UseHierarchy,
            Swappiness,
            MoveChargeAtImmigrate,
            OomControl,
        ];
        if swap_accounting {
            v.extend([
                MemswUsageInBytes,
                MemswMaxUsageInBytes,
                MemswLimitInBytes,
                MemswFailcnt,
            ]);
        }
        v
    }

    /// The files of `profile` in creation order: the 2.6.25 set (`usage_in_bytes`,
    /// `limit_in_bytes`, `failcnt`, `force_empty`, `stat`) when the profile's charge loop is
    /// 2.6.25's, else [`list`](Self::list).
    pub fn list_for(profile: &MemcgProfile) -> Vec<MemFile> {
        if profile.charge_algo == ChargeAlgo::V2_6_25 {
            vec![
                MemFile::UsageInBytes,
                MemFile::LimitInBytes,
                MemFile::Failcnt,
                MemFile::ForceEmpty,
                MemFile::Stat,
            ]
        } else {
            let mut v = MemFile::list(profile.swap_accounting);
            if profile.oom_model == OomModel::HandleOom2_6_34 {
                // oom_control came with 2.6.35.
                v.retain(|&f| f != MemFile::OomControl);
            }
            if profile.vmpressure {
                // 3.10 creates it right after oom_control.
                let at = v
                    .iter()
                    .position(|&f| f == MemFile::OomControl)
                    .map_or(v.len(), |i| i + 1);
                v.insert(at, MemFile::PressureLevel);
            }
            v
        }
    }

    /// The write handler kind in `profile`: 2.6.25's `failcnt` cannot be reset.
    pub fn write_kind_in(self, profile: &MemcgProfile) -> WriteKind {
        if profile.charge_algo == ChargeAlgo::V2_6_25 && self == MemFile::Failcnt {
            WriteKind::None
        } else {
            self.write_kind()
        }
    }

    /// The name without the `memory.` prefix.
    pub fn name(self) -> &'static str {
        use MemFile::*;
        match self {
            UsageInBytes => "usage_in_bytes",
            MaxUsageInBytes => "max_usage_in_bytes",
            LimitInBytes => "limit_in_bytes",
            SoftLimitInBytes => "soft_limit_in_bytes",
            Failcnt => "failcnt",
            Stat => "stat",
            ForceEmpty => "force_empty",
            UseHierarchy => "use_hierarchy",
            Swappiness => "swappiness",
            MoveChargeAtImmigrate => "move_charge_at_immigrate",
            OomControl => "oom_control",
            MemswUsageInBytes => "memsw.usage_in_bytes",
            MemswMaxUsageInBytes => "memsw.max_usage_in_bytes",
            MemswLimitInBytes => "memsw.limit_in_bytes",
            MemswFailcnt => "memsw.failcnt",
            PressureLevel => "pressure_level",
        }
    }

    /// The file with this name (without prefix).
    pub fn from_name(name: &str) -> Option<MemFile> {
        MemFile::list(true).into_iter().find(|f| f.name() == name)
    }

    /// Whether the file works on the memsw counter (`_MEMSW` in `cft->private`).
    pub fn is_memsw(self) -> bool {
        matches!(
            self,
            MemFile::MemswUsageInBytes
                | MemFile::MemswMaxUsageInBytes
                | MemFile::MemswLimitInBytes
                | MemFile::MemswFailcnt
        )
    }

    /// The read handler kind (`read_u64` or `read_map`; `force_empty` has none → EINVAL).
    pub fn read_kind(self) -> ReadKind {
        match self {
            MemFile::ForceEmpty | MemFile::PressureLevel => ReadKind::None,
            MemFile::Stat | MemFile::OomControl => ReadKind::Map,
            _ => ReadKind::U64,
        }
    }

    /// The write handler kind.
    pub fn write_kind(self) -> WriteKind {
        use MemFile::*;
        match self {
            UsageInBytes | MemswUsageInBytes | Stat | PressureLevel => WriteKind::None,
            LimitInBytes | SoftLimitInBytes | MemswLimitInBytes => WriteKind::String,
            MaxUsageInBytes | Failcnt | ForceEmpty | MemswMaxUsageInBytes | MemswFailcnt => {
                WriteKind::Trigger
            }
            UseHierarchy | Swappiness | MoveChargeAtImmigrate | OomControl => WriteKind::U64,
        }
    }

    /// Whether `usage_in_bytes`-style event registration applies (thresholds, OOM notifier).
    pub fn has_events(self) -> bool {
        matches!(
            self,
            MemFile::UsageInBytes
                | MemFile::MemswUsageInBytes
                | MemFile::OomControl
                | MemFile::PressureLevel
        )
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// `read_u64` handler (`mem_cgroup_read`, `mem_cgroup_hierarchy_read`, ...).
    pub fn read_u64(&self, id: MemcgId, file: MemFile) -> Result<u64, Errno> {
        let w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let m = w.mc(s);
        let counter = |memsw: bool| {
            if memsw {
                m.counters.memsw.as_deref().ok_or(Errno::EINVAL)
            } else {
                Ok(&*m.counters.res)
            }
        };
        use MemFile::*;
        Ok(match file {
            UsageInBytes => w.usage_bytes(s, false).0,
            MemswUsageInBytes => {
                counter(true)?;
                w.usage_bytes(s, true).0
            }
            MaxUsageInBytes | MemswMaxUsageInBytes => counter(file.is_memsw())?.max_usage().0,
            LimitInBytes | MemswLimitInBytes => counter(file.is_memsw())?.limit().0,
            SoftLimitInBytes => m.counters.res.soft_limit().0,
            Failcnt | MemswFailcnt => counter(file.is_memsw())?.failcnt(),
            UseHierarchy => m.use_hierarchy as u64,
            Swappiness => w.get_swappiness(s),
            MoveChargeAtImmigrate => m.move_charge_at_immigrate,
            Stat | OomControl | ForceEmpty | PressureLevel => return Err(Errno::EINVAL),
        })
    }

    /// `read_map` handler: `stat` (`mem_control_stat_show`) and `oom_control`.
    pub fn read_map(&self, id: MemcgId, file: MemFile) -> Result<Vec<(String, u64)>, Errno> {
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        match file {
            MemFile::Stat => {
                // Pagevecs are flushed so that the LRU lines add up to cache + rss.
                w.lru_add_drain_all();
                Ok(w.stat_map(s))
            }
            MemFile::OomControl => {
                let m = w.mc(s);
                let mut v = vec![
                    ("oom_kill_disable".to_string(), m.oom_kill_disable as u64),
                    ("under_oom".to_string(), (m.under_oom > 0) as u64),
                ];
                if w.profile.oom_kill_line {
                    v.push(("oom_kill".to_string(), m.oom_kill));
                }
                Ok(v)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// `write_string` handler: `limit_in_bytes`, `memsw.limit_in_bytes`, `soft_limit_in_bytes`
    /// (`mem_cgroup_write`). `buf` is already whitespace-stripped by the core.
    /// Runs on [`smp_processor_id`] (the boot CPU unless the caller entered one with
    /// [`run_on`](cgsim_ktypes::percpu::run_on)); [`write_string_on`](Self::write_string_on)
    /// names the CPU.
    #[doc(alias = "mem_cgroup_write")]
    pub fn write_string(&self, id: MemcgId, file: MemFile, buf: &str) -> Result<(), Errno> {
        self.write_string_on(smp_processor_id(), id, file, buf)
    }

    /// [`write_string`](Self::write_string) by a task on `cpu`: a limit write's reclaim
    /// (`mem_cgroup_resize_limit` → `mem_cgroup_hierarchical_reclaim`) runs in the writer's
    /// context, so it drains and refills `cpu`'s pagevecs and charge stock.
    pub fn write_string_on(
        &self,
        cpu: CpuId,
        id: MemcgId,
        file: MemFile,
        buf: &str,
    ) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        match file {
            MemFile::LimitInBytes | MemFile::MemswLimitInBytes => {
                // 2.6.32+: the root's limit cannot be set.
                if !w.charges_counters(s) {
                    return Err(Errno::EINVAL);
                }
                let val = w.mc(s).counters.res.parse_limit(buf.as_bytes())?;
                if file.is_memsw() {
                    if w.mc(s).counters.memsw.is_none() {
                        return Err(Errno::EINVAL);
                    }
                    w.mem_cgroup_resize_limit(t, cpu, s, val, true)
                } else {
                    w.mem_cgroup_resize_limit(t, cpu, s, val, false)
                }
            }
            MemFile::SoftLimitInBytes => {
                let val = w.mc(s).counters.res.parse_limit(buf.as_bytes())?;
                w.mc(s).counters.res.set_soft_limit(val);
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// `write_u64` handler: `use_hierarchy`, `swappiness`, `move_charge_at_immigrate`,
    /// `oom_control`.
    pub fn write_u64(&self, id: MemcgId, file: MemFile, val: u64) -> Result<(), Errno> {
        self.write_u64_on(smp_processor_id(), id, file, val)
    }

    /// [`write_u64`](Self::write_u64) by a task on `cpu` (an `oom_control` write's
    /// `memcg_oom_recover` runs there).
    pub fn write_u64_on(
        &self,
        cpu: CpuId,
        id: MemcgId,
        file: MemFile,
        val: u64,
    ) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let parent = w.mc(s).parent;
        let parent_hier = parent.is_some_and(|p| w.mc(p).use_hierarchy);
        let has_children = !w.mc(s).children.is_empty();
        match file {
            // mem_cgroup_hierarchy_write (2.6.34).
            MemFile::UseHierarchy => {
                // 5.10+: non-hierarchical mode is gone; 1 is accepted and changes nothing.
                if w.profile.hierarchy_always {
                    if val == 1 {
                        return Ok(());
                    }
                    w.printk_once_nonhier();
                    return Err(Errno::EINVAL);
                }
                if parent_hier || val > 1 {
                    return Err(Errno::EINVAL);
                }
                if has_children {
                    return Err(Errno::EBUSY);
                }
                w.mc_mut(s).use_hierarchy = val == 1;
                Ok(())
            }
            // mem_cgroup_swappiness_write (2.6.29–3.18).
            MemFile::Swappiness => {
                if val > 100 || parent.is_none() {
                    return Err(Errno::EINVAL);
                }
                if w.profile.swappiness_hier_restriction
                    && (parent_hier || (w.mc(s).use_hierarchy && has_children))
                {
                    return Err(Errno::EINVAL);
                }
                w.mc_mut(s).swappiness = val;
                Ok(())
            }
            // mem_cgroup_move_charge_write (2.6.35: bits 0 and 1).
            MemFile::MoveChargeAtImmigrate => {
                if val >= 4 {
                    return Err(Errno::EINVAL);
                }
                w.mc_mut(s).move_charge_at_immigrate = val;
                Ok(())
            }
            // mem_cgroup_oom_control_write (2.6.35–3.18).
            MemFile::OomControl => {
                if parent.is_none() || val > 1 {
                    return Err(Errno::EINVAL);
                }
                if w.profile.oom_control_hier_restriction
                    && (parent_hier || (w.mc(s).use_hierarchy && has_children))
                {
                    return Err(Errno::EINVAL);
                }
                w.mc_mut(s).oom_kill_disable = val == 1;
                if val == 0 {
                    w.memcg_oom_recover(t, cpu, s);
                }
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// `trigger` handler: `max_usage_in_bytes` and `failcnt` resets (`mem_cgroup_reset`),
    /// `force_empty` (`mem_cgroup_force_empty_write`).
    pub fn trigger(&self, id: MemcgId, file: MemFile) -> Result<(), Errno> {
        self.trigger_on(smp_processor_id(), id, file)
    }

    /// [`trigger`](Self::trigger) by a task on `cpu`: `force_empty`'s reclaim and
    /// `lru_add_drain` run in the writer's context, on `cpu`.
    pub fn trigger_on(&self, cpu: CpuId, id: MemcgId, file: MemFile) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let m = w.mc(s);
        let counter = |memsw: bool| {
            if memsw {
                m.counters.memsw.as_deref().ok_or(Errno::EINVAL)
            } else {
                Ok(&*m.counters.res)
            }
        };
        match file {
            MemFile::MaxUsageInBytes | MemFile::MemswMaxUsageInBytes => {
                counter(file.is_memsw())?.reset_max_usage();
                Ok(())
            }
            MemFile::Failcnt | MemFile::MemswFailcnt => {
                counter(file.is_memsw())?.reset_failcnt();
                Ok(())
            }
            MemFile::ForceEmpty => w.mem_cgroup_force_empty(t, cpu, s),
            _ => Err(Errno::EINVAL),
        }
    }

    /// Read a file as `cat` shows it (the core's `cgroup_file_read` formats).
    /// EINVAL for a file without a read handler; ENOENT for an unknown name or a memsw file
    /// without swap accounting.
    pub fn read_file(&self, id: MemcgId, name: &str) -> Result<String, Errno> {
        let file = self.file(name)?;
        match file.read_kind() {
            ReadKind::None => Err(Errno::EINVAL),
            ReadKind::U64 => Ok(format!("{}\n", self.read_u64(id, file)?)),
            ReadKind::Map => Ok(self
                .read_map(id, file)?
                .into_iter()
                .map(|(k, v)| format!("{k} {v}\n"))
                .collect()),
        }
    }

    /// Write a file as `echo` does, with the core's dispatch rules (`kernel/cgroup.c` `cgroup_file_write`, `cgroup_write_X64`, v2.6.34): `write_u64`
    /// (zero-length → EINVAL, ≥ 64 bytes → E2BIG, stripped, leftovers → EINVAL, blank → 0), `write_string` (≥ 64 bytes →
    /// E2BIG, stripped), `trigger` (content ignored). Returns the byte count.
    pub fn write_file(&self, id: MemcgId, name: &str, data: &[u8]) -> Result<usize, Errno> {
        let file = self.file(name)?;
        let profile = self.profile();
        match file.write_kind_in(&profile) {
            WriteKind::None => Err(Errno::EINVAL),
            WriteKind::Trigger => self.trigger(id, file).map(|()| data.len()),
            WriteKind::String => {
                // The core's own buffer rule (cgroup_write_string).
                let s = cgsim_ktypes::parse::write_string_buffer(data, None)?;
                let s = std::str::from_utf8(s).map_err(|_| Errno::EINVAL)?;
                self.write_string(id, file, s).map(|()| data.len())
            }
            WriteKind::U64 => {
                // The core's own parser (cgroup_write_X64): a blank write is 0, only a
                // zero-length one is EINVAL.
                let v = cgsim_ktypes::parse::write_u64_buffer(data)?;
                self.write_u64(id, file, v).map(|()| data.len())
            }
        }
    }

    fn file(&self, name: &str) -> Result<MemFile, Errno> {
        let file = MemFile::from_name(name).ok_or(Errno::ENOENT)?;
        if !MemFile::list_for(&self.lock().profile).contains(&file) {
            return Err(Errno::ENOENT);
        }
        Ok(file)
    }
}

impl<C: MemCounter> World<C> {
    /// `mem_control_stat_show` (2.6.34 keys, `mm/memcontrol.c`).
    pub(crate) fn stat_map(&self, s: MemcgSlot) -> Vec<(String, u64)> {
        if self.profile.charge_algo == ChargeAlgo::V2_6_25 {
            // 2.6.25: cache, rss, active, inactive (`mm/memcontrol.c` `mem_control_stat_show`).
            let m = self.mc(s);
            let pg = |n: i64| n.max(0) as u64 * PAGE_SIZE;
            let lru = m.lru.lock();
            let l = |x: LruList| lru.len(x) * PAGE_SIZE;
            return vec![
                ("cache".to_string(), pg(m.stat.cache)),
                ("rss".to_string(), pg(m.stat.rss)),
                (
                    "active".to_string(),
                    l(LruList::ActiveAnon) + l(LruList::ActiveFile),
                ),
                (
                    "inactive".to_string(),
                    l(LruList::InactiveAnon) + l(LruList::InactiveFile) + l(LruList::Unevictable),
                ),
            ];
        }
        let swap = self.profile.swap_accounting;
        let local = |w: &World<C>, x: MemcgSlot| -> Vec<(&'static str, u64)> {
            let m = w.mc(x);
            let st = m.stat;
            let pg = |n: i64| n.max(0) as u64 * PAGE_SIZE;
            let mut v = vec![
                ("cache", pg(st.cache)),
                ("rss", pg(st.rss)),
                ("mapped_file", pg(st.mapped_file)),
                ("pgpgin", st.pgpgin),
                ("pgpgout", st.pgpgout),
            ];
            if swap {
                v.push(("swap", pg(st.swap)));
            }
            for l in LruList::ALL {
                v.push((l.stat_name(), m.lru.lock().len(l) * PAGE_SIZE));
            }
            v
        };
        let mut out: Vec<(String, u64)> = local(self, s)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let (lim, memsw_lim) = self.hierarchical_limits(s);
        out.push(("hierarchical_memory_limit".to_string(), lim.0));
        if swap {
            out.push(("hierarchical_memsw_limit".to_string(), memsw_lim.0));
        }
        let mut totals: Vec<(&'static str, u64)> = local(self, s);
        for x in self.hierarchy_members(s).into_iter().skip(1) {
            for (acc, (_, v)) in totals.iter_mut().zip(local(self, x)) {
                acc.1 += v;
            }
        }
        out.extend(totals.into_iter().map(|(k, v)| (format!("total_{k}"), v)));
        out
    }

    /// `memcg_get_hierarchical_limit`: the smallest limits walking up while `use_hierarchy`.
    pub(crate) fn hierarchical_limits(&self, s: MemcgSlot) -> (Bytes, Bytes) {
        let m = self.mc(s);
        let memsw = |x: &crate::memcontrol::MemCgroup<C>| {
            x.counters
                .memsw
                .as_ref()
                .map_or(Bytes(u64::MAX), |c| c.limit())
        };
        let mut lim = m.counters.res.limit();
        let mut mlim = memsw(m);
        if m.use_hierarchy {
            let mut p = m.parent;
            while let Some(x) = p {
                let pm = self.mc(x);
                if !pm.use_hierarchy {
                    break;
                }
                lim = lim.min(pm.counters.res.limit());
                mlim = mlim.min(memsw(pm));
                p = pm.parent;
            }
        }
        (lim, mlim)
    }

    /// `mem_cgroup_resize_limit` / `mem_cgroup_resize_memsw_limit` (2.6.30+, `mm/memcontrol.c` `mem_cgroup_write`).
    pub(crate) fn mem_cgroup_resize_limit<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
        val: Bytes,
        memsw: bool,
    ) -> Result<(), Errno> {
        let _f = trace::func(
            t,
            cpu,
            if memsw {
                "mem_cgroup_resize_memsw_limit"
            } else {
                "mem_cgroup_resize_limit"
            },
        );
        let counters = std::sync::Arc::clone(&self.mc(s).counters);
        let res = &*counters.res;
        let target: &C = if memsw {
            counters.memsw.as_deref().expect("checked by caller")
        } else {
            res
        };
        let old_limit = target.limit();
        let mut retry_count = MEM_CGROUP_RECLAIM_RETRIES as usize * self.hierarchy_members(s).len();
        let mut oldusage = target.usage();
        let mut ret = Err(Errno::EBUSY);
        while retry_count > 0 {
            if let Some(msw) = counters.memsw.as_deref() {
                // The memory limit must not exceed the memsw limit.
                let bad = if memsw {
                    val < res.limit()
                } else {
                    msw.limit() < val
                };
                if bad {
                    return Err(Errno::EINVAL);
                }
            }
            match target.set_limit(val) {
                Ok(()) => {
                    let eq = counters
                        .memsw
                        .as_deref()
                        .is_some_and(|m| m.limit() == res.limit());
                    self.mc_mut(s).memsw_is_minimum = eq;
                    ret = Ok(());
                    break;
                }
                Err(e) => ret = Err(e),
            }
            if !self.profile.limit_resize_retry {
                // 2.6.25–2.6.26: the value is stored with no check against usage.
                target.set_limit_unchecked(val);
                ret = Ok(());
                break;
            }
            self.mem_cgroup_hierarchical_reclaim(t, cpu, s, memsw, true);
            let cur = target.usage();
            if cur >= oldusage {
                retry_count -= 1;
            } else {
                oldusage = cur;
            }
        }
        if ret.is_ok() && val > old_limit {
            self.memcg_oom_recover(t, cpu, s);
        }
        ret
    }

    /// `mem_cgroup_force_empty(mem, free_all = true)` (2.6.29–2.6.3x, `mm/memcontrol.c`): reclaim until
    /// empty or 5 unproductive passes, then move what is left to the parent.
    pub(crate) fn mem_cgroup_force_empty<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
    ) -> Result<(), Errno> {
        let _f = trace::func(t, cpu, "mem_cgroup_force_empty");
        if self.profile.offline.keeps() {
            return self.mem_cgroup_force_empty_reclaim(t, cpu, s);
        }
        let m = self.mc(s);
        if m.nr_tasks > 0 || !m.children.is_empty() {
            return Err(Errno::EBUSY);
        }
        if self.profile.charge_algo == ChargeAlgo::V2_6_25 {
            self.force_empty_drop(t, cpu, s);
            return Ok(());
        }
        if m.parent.is_none() {
            return Err(Errno::EINVAL);
        }
        self.drain_all_stock(s);
        let mut nr_retries = MEM_CGROUP_RECLAIM_RETRIES;
        while nr_retries > 0 && (self.mc(s).stat.cache + self.mc(s).stat.rss) > 0 {
            let sw = self.get_swappiness(s);
            if self.try_to_free_mem_cgroup_pages(t, cpu, s, false, sw) == 0 {
                nr_retries -= 1;
            }
        }
        self.force_empty_move_account(t, cpu, s);
        Ok(())
    }

    /// 3.19+'s `mem_cgroup_force_empty` (`mm/memcontrol.c` v3.19.8, v4.19): reclaim only. No
    /// EBUSY for tasks or children and nothing moved to the parent (a removed memcg keeps what
    /// is left, `memcg.offline`); the loop runs while the memory counter is not zero and stops
    /// after 5 passes that reclaim nothing. 4.19 drains the memcg's per-CPU stocks first; 3.19
    /// does not, so the pages a stock holds stay charged. EINVAL for the root
    /// (`mem_cgroup_force_empty_write`).
    /// **Differences:** the kernel's `congestion_wait(BLK_RW_ASYNC, HZ/10)` after an
    /// unproductive pass does not sleep on the simulated clock.
    fn mem_cgroup_force_empty_reclaim<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
    ) -> Result<(), Errno> {
        if self.mc(s).parent.is_none() {
            return Err(Errno::EINVAL);
        }
        if self.profile.offline != crate::profile::OfflineCharges::Keep3_19 {
            self.drain_all_stock(s);
        }
        let mut nr_retries = MEM_CGROUP_RECLAIM_RETRIES;
        while nr_retries > 0 && self.mc(s).counters.res.usage().0 > 0 {
            let sw = self.get_swappiness(s);
            if self.try_to_free_mem_cgroup_pages(t, cpu, s, false, sw) == 0 {
                nr_retries -= 1;
            }
        }
        Ok(())
    }
}

/// Pages in bytes, for callers formatting sizes.
pub fn pages_to_bytes(pages: u64) -> u64 {
    pages << PAGE_SHIFT
}
