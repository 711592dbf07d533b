//! A typed facade over the syscall API, in the spirit of the `cgroups-rs` crate: a handle on a
//! cgroup directory whose methods are named after its control files.
//!
//! Everything here is plain file I/O through [`Kernel`] (`open`, `read`, `write`, `close`,
//! `mkdir`, `rmdir`, `mount`) as the calling process, so every rule the raw API enforces
//! (permissions, errnos, one `write(2)` per handler call) holds unchanged; the raw API stays
//! underneath for fidelity tests. What the facade adds is parsing: numbers, `memory.stat` as a
//! [`MemoryStat`], `memory.oom_control` as an [`OomControl`], `tasks` as pids.
//!
//! Kernel: the control files are `kernel/cgroup.c`'s `files[]` (`tasks`, `cgroup.procs`,
//! `notify_on_release`) and `mm/memcontrol.c`'s `mem_cgroup_files[]` (v2.6.35); their text
//! formats are `cgroup_tasks_show`, `mem_control_stat_show` and `mem_cgroup_oom_control_read`.
//!
//! Differences: none in behaviour; a failed parse of a file the simulator wrote would be a
//! simulator bug and is reported as `EIO`.

use crate::{Kernel, ms};
use cgsim_ktypes::{Bytes, Errno, Pid, SysError, SysResult, Tracer};

/// `mount(source, target, fstype, flags, data)` spelled as a builder instead of six positional
/// arguments. [`Mount::cgroup`] and [`Mount::tmpfs`] fill in the source and type.
///
/// ```
/// use cgsim_cgroupfs::prelude::*;
///
/// let k = Kernel::boot(BootParams::default());
/// let cg = Mount::cgroup("/sys/fs/cgroup/memory")
///     .subsystem("memory")
///     .create_target()
///     .mount(&k, INIT_PID)
///     .unwrap();
/// assert_eq!(cg.path(), "/sys/fs/cgroup/memory");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    source: String,
    target: String,
    fstype: String,
    flags: u64,
    options: Vec<String>,
    create_target: bool,
}

impl Mount {
    /// `mount -t FSTYPE SOURCE TARGET`.
    pub fn new(source: &str, target: &str, fstype: &str) -> Mount {
        Mount {
            source: source.to_string(),
            target: target.to_string(),
            fstype: fstype.to_string(),
            flags: 0,
            options: Vec::new(),
            create_target: false,
        }
    }

    /// `mount -t cgroup cgroup TARGET` (add subsystems with [`subsystem`](Self::subsystem); none
    /// binds every subsystem not mounted elsewhere, as `cgroup_get_sb` does).
    pub fn cgroup(target: &str) -> Mount {
        Mount::new("cgroup", target, "cgroup")
    }

    /// `mount -t tmpfs tmpfs TARGET`.
    pub fn tmpfs(target: &str) -> Mount {
        Mount::new("tmpfs", target, "tmpfs")
    }

    /// Add a subsystem name to the `-o` data (`memory`, `cpuset`, or your own).
    pub fn subsystem(self, name: &str) -> Mount {
        self.option(name)
    }

    /// Add one comma-separated `-o` option as the filesystem parses it (`noprefix`,
    /// `release_agent=/sbin/x`, `name=foo`, `size=1M`).
    pub fn option(mut self, opt: &str) -> Mount {
        self.options.push(opt.to_string());
        self
    }

    /// `MS_*` flags ([`ms`]) as mount(8) passes them after taking `nosuid`, `noatime`, ... out
    /// of `-o`.
    pub fn flags(mut self, flags: u64) -> Mount {
        self.flags |= flags;
        self
    }

    /// `mount -o remount,...` (`MS_REMOUNT`).
    pub fn remount(self) -> Mount {
        self.flags(ms::REMOUNT)
    }

    /// `mkdir -p TARGET` first, as a tutorial's `mkdir /cg; mount ... /cg` does.
    pub fn create_target(mut self) -> Mount {
        self.create_target = true;
        self
    }

    /// The `data` argument of `mount(2)`: the options joined by commas, `None` without any.
    pub fn data(&self) -> Option<String> {
        (!self.options.is_empty()).then(|| self.options.join(","))
    }

    /// Call `mount(2)` as `pid` and return the hierarchy's top cgroup.
    pub fn mount<'k, T: Tracer>(&self, k: &'k Kernel<T>, pid: Pid) -> SysResult<Cgroup<'k, T>> {
        if self.create_target {
            mkdir_p(k, pid, &self.target)?;
        }
        let data = self.data();
        k.mount_flags(
            pid,
            &self.source,
            &self.target,
            &self.fstype,
            self.flags,
            data.as_deref(),
        )?;
        Ok(Cgroup {
            k,
            pid,
            path: self.target.trim_end_matches('/').to_string(),
        })
    }
}

fn mkdir_p<T: Tracer>(k: &Kernel<T>, pid: Pid, path: &str) -> SysResult<()> {
    let mut at = String::new();
    for comp in path.split('/').filter(|c| !c.is_empty()) {
        at.push('/');
        at.push_str(comp);
        match k.mkdir(pid, &at, 0o755) {
            Err(e) if e.errno == Errno::EEXIST => {}
            r => r?,
        }
    }
    Ok(())
}

fn eio(why: &'static str) -> SysError {
    SysError::new(Errno::EIO, why)
}

fn parse_u64(text: &str) -> SysResult<u64> {
    text.trim()
        .parse()
        .map_err(|_| eio("control file is not a number"))
}

/// A cgroup directory, used as the process `pid` (init unless [`as_pid`](Self::as_pid) says
/// otherwise). Holds a path, not a reference: a removed cgroup's handle fails with the errno
/// the kernel gives for its path (`ENOENT`).
#[derive(Clone)]
pub struct Cgroup<'k, T: Tracer> {
    k: &'k Kernel<T>,
    pid: Pid,
    path: String,
}

impl<T: Tracer> std::fmt::Debug for Cgroup<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cgroup")
            .field("pid", &self.pid)
            .field("path", &self.path)
            .finish()
    }
}

impl<T: Tracer> Kernel<T> {
    /// A handle on the cgroup directory `path`, used as init: `ENOENT` if it does not exist,
    /// `ENOTDIR` if it is not a directory, `EINVAL` if it is not on a cgroup filesystem.
    pub fn cgroup(&self, path: &str) -> SysResult<Cgroup<'_, T>> {
        Cgroup::open(self, crate::INIT_PID, path)
    }
}

impl<'k, T: Tracer> Cgroup<'k, T> {
    /// A handle on `path` used as `pid` (see [`Kernel::cgroup`] for the errors).
    pub fn open(k: &'k Kernel<T>, pid: Pid, path: &str) -> SysResult<Cgroup<'k, T>> {
        let st = k.stat(pid, path)?;
        if st.file_type != crate::FileType::Directory {
            return Err(SysError::new(Errno::ENOTDIR, "not a directory"));
        }
        if st.fs_magic != crate::CGROUP_SUPER_MAGIC {
            return Err(SysError::new(Errno::EINVAL, "not on a cgroup filesystem"));
        }
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        Ok(Cgroup {
            k,
            pid,
            path: path.to_string(),
        })
    }

    /// The same cgroup used as another process (for permission checks on delegated subtrees).
    pub fn as_pid(&self, pid: Pid) -> Cgroup<'k, T> {
        Cgroup {
            k: self.k,
            pid,
            path: self.path.clone(),
        }
    }

    /// The directory's path as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The kernel the handle works on.
    pub fn kernel(&self) -> &'k Kernel<T> {
        self.k
    }

    fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.path)
    }

    /// The whole text of the control file `name` (`cat`).
    pub fn read(&self, name: &str) -> SysResult<String> {
        let data = self.k.read_file(self.pid, &self.file(name))?;
        String::from_utf8(data).map_err(|_| eio("control file is not UTF-8"))
    }

    /// A control file holding one number.
    pub fn read_u64(&self, name: &str) -> SysResult<u64> {
        parse_u64(&self.read(name)?)
    }

    /// Write `value` to the control file `name` in one `write(2)` (`echo value > name`, without
    /// the newline: the kernel's parsers strip it anyway).
    pub fn write(&self, name: &str, value: &str) -> SysResult<()> {
        self.k
            .write_file(self.pid, &self.file(name), value.as_bytes())
    }

    /// `mkdir NAME` in this cgroup: the child's handle.
    pub fn mkdir(&self, name: &str) -> SysResult<Cgroup<'k, T>> {
        let path = self.file(name);
        self.k.mkdir(self.pid, &path, 0o755)?;
        Ok(Cgroup {
            k: self.k,
            pid: self.pid,
            path,
        })
    }

    /// `rmdir NAME` in this cgroup (`EBUSY` while it has tasks or children).
    pub fn rmdir(&self, name: &str) -> SysResult<()> {
        self.k.rmdir(self.pid, &self.file(name))
    }

    /// A handle on the existing child `name`.
    pub fn child(&self, name: &str) -> SysResult<Cgroup<'k, T>> {
        Cgroup::open(self.k, self.pid, &self.file(name))
    }

    /// The names of the child cgroups, sorted.
    pub fn children(&self) -> SysResult<Vec<String>> {
        Ok(self
            .k
            .readdir(self.pid, &self.path)?
            .into_iter()
            .filter(|e| e.file_type == crate::FileType::Directory)
            .map(|e| e.name)
            .collect())
    }

    /// The control files, sorted.
    pub fn files(&self) -> SysResult<Vec<String>> {
        Ok(self
            .k
            .readdir(self.pid, &self.path)?
            .into_iter()
            .filter(|e| e.file_type != crate::FileType::Directory)
            .map(|e| e.name)
            .collect())
    }

    /// `echo PID > tasks`: attach a task (`cgroup_attach_task`).
    pub fn add_task(&self, task: Pid) -> SysResult<()> {
        self.write("tasks", &task.to_string())
    }

    /// `tasks`: the attached tasks in the order the kernel lists them (sorted).
    pub fn tasks(&self) -> SysResult<Vec<Pid>> {
        parse_pids(&self.read("tasks")?)
    }

    /// `cgroup.procs`: the thread-group ids (2.6.32+; `ENOENT` where the preset lacks it).
    pub fn procs(&self) -> SysResult<Vec<Pid>> {
        parse_pids(&self.read("cgroup.procs")?)
    }

    /// `notify_on_release`.
    pub fn notify_on_release(&self) -> SysResult<bool> {
        Ok(self.read_u64("notify_on_release")? != 0)
    }

    /// `echo 0|1 > notify_on_release`.
    pub fn set_notify_on_release(&self, on: bool) -> SysResult<()> {
        self.write("notify_on_release", if on { "1" } else { "0" })
    }

    /// The `memory.*` files of this cgroup.
    pub fn memory(&self) -> MemoryController<'_, 'k, T> {
        MemoryController { cg: self }
    }
}

fn parse_pids(text: &str) -> SysResult<Vec<Pid>> {
    text.lines()
        .map(|l| {
            l.trim()
                .parse()
                .map(Pid)
                .map_err(|_| eio("pid list is not numbers"))
        })
        .collect()
}

/// The `memory.*` control files of one cgroup (`mm/memcontrol.c` `mem_cgroup_files[]`).
/// Each method names the file it reads or writes.
#[derive(Clone, Copy)]
pub struct MemoryController<'c, 'k, T: Tracer> {
    cg: &'c Cgroup<'k, T>,
}

impl<T: Tracer> MemoryController<'_, '_, T> {
    fn get(&self, file: &str) -> SysResult<u64> {
        self.cg.read_u64(file)
    }

    /// `memory.limit_in_bytes`.
    pub fn limit_in_bytes(&self) -> SysResult<Bytes> {
        self.get("memory.limit_in_bytes").map(Bytes)
    }

    /// `echo N > memory.limit_in_bytes` (`EBUSY` below the usage when reclaim cannot make room,
    /// `EINVAL` above `memory.memsw.limit_in_bytes`).
    pub fn set_limit_in_bytes(&self, limit: Bytes) -> SysResult<()> {
        self.cg.write("memory.limit_in_bytes", &limit.0.to_string())
    }

    /// `memory.usage_in_bytes`.
    pub fn usage_in_bytes(&self) -> SysResult<Bytes> {
        self.get("memory.usage_in_bytes").map(Bytes)
    }

    /// `memory.max_usage_in_bytes`.
    pub fn max_usage_in_bytes(&self) -> SysResult<Bytes> {
        self.get("memory.max_usage_in_bytes").map(Bytes)
    }

    /// `echo 0 > memory.max_usage_in_bytes`: the watermark restarts at the usage.
    pub fn reset_max_usage_in_bytes(&self) -> SysResult<()> {
        self.cg.write("memory.max_usage_in_bytes", "0")
    }

    /// `memory.failcnt`.
    pub fn failcnt(&self) -> SysResult<u64> {
        self.get("memory.failcnt")
    }

    /// `echo 0 > memory.failcnt`.
    pub fn reset_failcnt(&self) -> SysResult<()> {
        self.cg.write("memory.failcnt", "0")
    }

    /// `memory.memsw.limit_in_bytes` (`ENOENT` without swap accounting).
    pub fn memsw_limit_in_bytes(&self) -> SysResult<Bytes> {
        self.get("memory.memsw.limit_in_bytes").map(Bytes)
    }

    /// `echo N > memory.memsw.limit_in_bytes`.
    pub fn set_memsw_limit_in_bytes(&self, limit: Bytes) -> SysResult<()> {
        self.cg
            .write("memory.memsw.limit_in_bytes", &limit.0.to_string())
    }

    /// `memory.memsw.usage_in_bytes`.
    pub fn memsw_usage_in_bytes(&self) -> SysResult<Bytes> {
        self.get("memory.memsw.usage_in_bytes").map(Bytes)
    }

    /// `memory.memsw.max_usage_in_bytes`.
    pub fn memsw_max_usage_in_bytes(&self) -> SysResult<Bytes> {
        self.get("memory.memsw.max_usage_in_bytes").map(Bytes)
    }

    /// `memory.memsw.failcnt`.
    pub fn memsw_failcnt(&self) -> SysResult<u64> {
        self.get("memory.memsw.failcnt")
    }

    /// `memory.use_hierarchy`.
    pub fn use_hierarchy(&self) -> SysResult<bool> {
        Ok(self.get("memory.use_hierarchy")? != 0)
    }

    /// `echo 0|1 > memory.use_hierarchy` (`EBUSY` once the cgroup has children).
    pub fn set_use_hierarchy(&self, on: bool) -> SysResult<()> {
        self.cg
            .write("memory.use_hierarchy", if on { "1" } else { "0" })
    }

    /// `memory.swappiness`.
    pub fn swappiness(&self) -> SysResult<u64> {
        self.get("memory.swappiness")
    }

    /// `echo N > memory.swappiness`.
    pub fn set_swappiness(&self, v: u64) -> SysResult<()> {
        self.cg.write("memory.swappiness", &v.to_string())
    }

    /// `echo 0 > memory.force_empty`: reclaim or move every page to the parent.
    pub fn force_empty(&self) -> SysResult<()> {
        self.cg.write("memory.force_empty", "0")
    }

    /// `memory.stat` (`mem_control_stat_show`).
    pub fn stat(&self) -> SysResult<MemoryStat> {
        MemoryStat::parse(&self.cg.read("memory.stat")?)
            .ok_or_else(|| eio("memory.stat is not key-value lines"))
    }

    /// `memory.oom_control` (2.6.35+; `ENOENT` on earlier presets).
    pub fn oom_control(&self) -> SysResult<OomControl> {
        OomControl::parse(&self.cg.read("memory.oom_control")?)
            .ok_or_else(|| eio("memory.oom_control has an unexpected format"))
    }

    /// `echo 0|1 > memory.oom_control`: `oom_kill_disable`.
    pub fn set_oom_kill_disable(&self, disable: bool) -> SysResult<()> {
        self.cg
            .write("memory.oom_control", if disable { "1" } else { "0" })
    }
}

/// One level's counts in `memory.stat`, in bytes except the `pgpg*` event counts. Keys a preset
/// does not print are `None` (2.6.25 prints only `cache`, `rss`, `active`, `inactive`; `swap`
/// needs swap accounting).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStatCounts {
    pub cache: Option<u64>,
    pub rss: Option<u64>,
    pub mapped_file: Option<u64>,
    pub pgpgin: Option<u64>,
    pub pgpgout: Option<u64>,
    pub swap: Option<u64>,
    pub inactive_anon: Option<u64>,
    pub active_anon: Option<u64>,
    pub inactive_file: Option<u64>,
    pub active_file: Option<u64>,
    pub unevictable: Option<u64>,
    /// 2.6.25's single `active` line.
    pub active: Option<u64>,
    /// 2.6.25's single `inactive` line.
    pub inactive: Option<u64>,
}

impl MemoryStatCounts {
    fn slot(&mut self, key: &str) -> Option<&mut Option<u64>> {
        Some(match key {
            "cache" => &mut self.cache,
            "rss" => &mut self.rss,
            "mapped_file" => &mut self.mapped_file,
            "pgpgin" => &mut self.pgpgin,
            "pgpgout" => &mut self.pgpgout,
            "swap" => &mut self.swap,
            "inactive_anon" => &mut self.inactive_anon,
            "active_anon" => &mut self.active_anon,
            "inactive_file" => &mut self.inactive_file,
            "active_file" => &mut self.active_file,
            "unevictable" => &mut self.unevictable,
            "active" => &mut self.active,
            "inactive" => &mut self.inactive,
            _ => return None,
        })
    }
}

/// `memory.stat` as a struct: this cgroup's counts, the hierarchy's (`total_*`), the
/// hierarchical limits, and every line in file order (keys a later preset adds included).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStat {
    /// The cgroup's own counts.
    pub local: MemoryStatCounts,
    /// The `total_*` lines: the cgroup and its descendants.
    pub total: MemoryStatCounts,
    /// `hierarchical_memory_limit` (2.6.30+).
    pub hierarchical_memory_limit: Option<u64>,
    /// `hierarchical_memsw_limit` (with swap accounting).
    pub hierarchical_memsw_limit: Option<u64>,
    /// Every `key value` line, in the kernel's order.
    pub lines: Vec<(String, u64)>,
}

impl MemoryStat {
    /// Parse the text of `memory.stat`; `None` if a line is not `key number`.
    pub fn parse(text: &str) -> Option<MemoryStat> {
        let mut s = MemoryStat::default();
        for line in text.lines() {
            let (key, val) = line.split_once(' ')?;
            let val: u64 = val.trim().parse().ok()?;
            s.lines.push((key.to_string(), val));
            match key {
                "hierarchical_memory_limit" => s.hierarchical_memory_limit = Some(val),
                "hierarchical_memsw_limit" => s.hierarchical_memsw_limit = Some(val),
                _ => {
                    let slot = match key.strip_prefix("total_") {
                        Some(k) => s.total.slot(k),
                        None => s.local.slot(key),
                    };
                    if let Some(slot) = slot {
                        *slot = Some(val);
                    }
                }
            }
        }
        Some(s)
    }

    /// The value of any line by its key (`"total_rss"`, or a key this struct has no field for).
    pub fn get(&self, key: &str) -> Option<u64> {
        self.lines.iter().find(|(k, _)| k == key).map(|&(_, v)| v)
    }
}

/// `memory.oom_control` (`mem_cgroup_oom_control_read`, v2.6.35).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct OomControl {
    /// The OOM killer is disabled: tasks that hit the limit sleep until memory is available.
    pub oom_kill_disable: bool,
    /// A task of this cgroup waits on its OOM wait queue now.
    pub under_oom: bool,
    /// `oom_kill` (4.13+): how many tasks the OOM killer killed here.
    pub oom_kill: Option<u64>,
}

impl OomControl {
    /// Parse the text of `memory.oom_control`; `None` without both 2.6.35 lines.
    pub fn parse(text: &str) -> Option<OomControl> {
        let (mut disable, mut under, mut kills) = (None, None, None);
        for line in text.lines() {
            let (key, val) = line.split_once(' ')?;
            let val: u64 = val.trim().parse().ok()?;
            match key {
                "oom_kill_disable" => disable = Some(val != 0),
                "under_oom" => under = Some(val != 0),
                "oom_kill" => kills = Some(val),
                _ => {}
            }
        }
        Some(OomControl {
            oom_kill_disable: disable?,
            under_oom: under?,
            oom_kill: kills,
        })
    }
}
