//! The synthesized `/proc` filesystem.
//!
//! **Kernel:** `fs/proc/base.c` (`/proc/<pid>`, `/proc/self`, `proc_cgroup_show`),
//! `fs/proc/array.c` `proc_pid_status` (the `Name`..`Gid` lines), `fs/proc/root.c`,
//! `kernel/cgroup.c` `proc_cgroupstats_show` (`/proc/cgroups`) and `fs/namespace.c`
//! `show_vfsmnt` (`/proc/mounts`, `/proc/PID/mounts`) and `show_mountinfo`
//! (`/proc/PID/mountinfo`, v2.6.35; see `mount.rs`).
//! **Differences:** only the files the cgroup tutorials read exist: `/proc/cgroups`,
//! `/proc/filesystems` (the types the simulator mounts: no sysfs, bdev, devtmpfs, ...),
//! `/proc/meminfo`, `/proc/mounts`, `/proc/swaps`, `/proc/version`, `/proc/self`,
//! `/proc/sys/kernel/{hostname,osrelease,ostype,pid_max,shmmax,version}` (`shmmax` and
//! `pid_max` read-write, `sysctl.rs`), and per pid `cgroup`, `cmdline`, `comm`,
//! `mounts`, `mountinfo`, `oom_adj` (read-write), `oom_score`, `oom_score_adj` (read-write, 2.6.36+ presets) and
//! `status` (its first lines and the `Vm*` lines, see `meminfo.rs`; the OOM files in
//! `oom_proc.rs`), and `task/TID/` with the same files for each thread of the group
//! (`proc_task_lookup`; `/proc` itself lists thread-group leaders only, `proc_pid_readdir`,
//! while `/proc/TID` of any thread is found by name, `proc_pid_lookup`).
//! Directory listings are sorted by name like every readdir of the simulator.
//! Every /proc inode shows time 0 (boot) and a directory 2 links: the kernel stamps a /proc
//! inode with `CURRENT_TIME` when it is first looked up (`proc_pid_make_inode`,
//! `proc_get_inode`) and counts subdirectories in a directory's links.

use crate::namei::{Attr, Node};
use crate::state::State;
use crate::task::Task;
use crate::{DirEntry, FileType, Kernel, ProcState};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

/// `PROC_SUPER_MAGIC`.
pub const PROC_SUPER_MAGIC: u64 = 0x9fa0;

/// An inode of `/proc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcNode {
    Root,
    /// The `/proc/self` symlink (followed during lookup to the caller's pid directory).
    SelfLink,
    Cgroups,
    Meminfo,
    Mounts,
    Swaps,
    /// `/proc/partitions` (`block/genhd.c`, on a machine with disks: `blockdev.rs`).
    Partitions,
    /// `/proc/version` (`linux_banner`).
    Version,
    /// `/proc/filesystems` (`fs/filesystems.c` `filesystems_proc_show`).
    Filesystems,
    /// `/proc/uptime` (`fs/proc/uptime.c`): the clock and the CPUs' idle time.
    Uptime,
    /// `/proc/sys`, `/proc/sys/kernel` and a file of it (`kernel/utsname_sysctl.c`).
    SysDir,
    SysKernelDir,
    SysKernel(UtsFile),
    /// `/proc/sys/fs`, `/proc/sys/fs/inotify` and its limits (`inotify_sysctl.rs`).
    SysFsDir,
    SysFsInotifyDir,
    SysFsInotify(crate::inotify_sysctl::InotifySysctl),
    PidDir(Pid),
    PidFile(Pid, PidFile),
    /// `/proc/PID/task` (`proc_task_inode_operations`): a directory per thread of the group.
    TaskDir(Pid),
    /// `/proc/PID/task/TID` (group leader, thread): the thread's own files, as in `/proc/TID`.
    TidDir(Pid, Pid),
    /// `/proc/PID/task/TID/stat` (`proc_tid_stat`: `do_task_stat` without `whole`, the
    /// thread's own times), where `/proc/TID/stat` is `proc_tgid_stat` (the group's).
    TidStat(Pid),
    /// `/proc/pressure` (6.6, `CONFIG_PSI`) and its `io`, `memory`, `cpu` (`psi_system`).
    PressureDir,
    Pressure(cgsim_cgroup::psi::PsiRes),
}

/// A file in `/proc/<pid>`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PidFile {
    Cgroup,
    Comm,
    Status,
    OomScoreAdj,
    /// `/proc/PID/mounts` (`show_vfsmnt`, as `/proc/mounts`).
    Mounts,
    /// `/proc/PID/mountinfo` (`show_mountinfo`).
    Mountinfo,
    /// `/proc/PID/stat` (`do_task_stat`).
    Stat,
    OomAdj,
    OomScore,
    /// `/proc/PID/make-it-fail` (`CONFIG_FAULT_INJECTION`, `fs/proc/base.c`).
    MakeItFail,
    /// `/proc/PID/cmdline` (`proc_pid_cmdline`): the arguments of the last exec.
    Cmdline,
}

/// A file of `/proc/sys/kernel`: the ones `uname` also reports, and `shmmax`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UtsFile {
    Hostname,
    Osrelease,
    Ostype,
    Version,
    /// `kernel.shmmax` (`ipc/ipc_sysctl.c`), read-write by root: see `sysctl.rs`.
    Shmmax,
    /// `kernel.pid_max` (`kernel/sysctl.c`), read-write: see `sysctl.rs`.
    PidMax,
}

impl UtsFile {
    const ALL: [UtsFile; 6] = [
        UtsFile::Hostname,
        UtsFile::Osrelease,
        UtsFile::Ostype,
        UtsFile::Version,
        UtsFile::Shmmax,
        UtsFile::PidMax,
    ];

    fn name(self) -> &'static str {
        match self {
            UtsFile::Hostname => "hostname",
            UtsFile::Osrelease => "osrelease",
            UtsFile::Ostype => "ostype",
            UtsFile::Version => "version",
            UtsFile::Shmmax => "shmmax",
            UtsFile::PidMax => "pid_max",
        }
    }
}

impl PidFile {
    const ALL: [PidFile; 11] = [
        PidFile::Cgroup,
        PidFile::Comm,
        PidFile::Status,
        PidFile::OomScoreAdj,
        PidFile::Mounts,
        PidFile::Mountinfo,
        PidFile::OomAdj,
        PidFile::OomScore,
        PidFile::Stat,
        PidFile::MakeItFail,
        PidFile::Cmdline,
    ];

    fn name(self) -> &'static str {
        match self {
            PidFile::Cgroup => "cgroup",
            PidFile::Comm => "comm",
            PidFile::Status => "status",
            PidFile::OomScoreAdj => "oom_score_adj",
            PidFile::Mounts => "mounts",
            PidFile::Mountinfo => "mountinfo",
            PidFile::OomAdj => "oom_adj",
            PidFile::OomScore => "oom_score",
            PidFile::Stat => "stat",
            PidFile::MakeItFail => "make-it-fail",
            PidFile::Cmdline => "cmdline",
        }
    }
}

/// The `State<T>:` text of `/proc/<pid>/status` (`task_state_array`).
pub fn state_text(s: ProcState) -> &'static str {
    match s {
        ProcState::Running => "R (running)",
        ProcState::Sleeping => "S (sleeping)",
        ProcState::Uninterruptible => "D (disk sleep)",
        ProcState::Zombie => "Z (zombie)",
    }
}

/// The first lines of `/proc/<pid>/status`, as `proc_pid_status` prints them.
#[doc(alias = "proc_pid_status")]
pub fn status_text(t: &Task, state: ProcState) -> String {
    let c = &t.cred;
    format!(
        "Name:\t{}\nState:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\nTracerPid:\t0\n\
         Uid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\n",
        t.comm,
        state_text(state),
        t.tgid,
        t.pid,
        if t.pid.0 == 1 { 0 } else { t.ppid.0 },
        c.uid.0,
        c.euid.0,
        c.suid.0,
        c.euid.0,
        c.gid,
        c.egid,
        c.egid,
        c.egid,
    )
}

fn ino_of(n: &ProcNode) -> u64 {
    match n {
        ProcNode::Root => 1,
        ProcNode::SelfLink => 2,
        ProcNode::Cgroups => 3,
        ProcNode::Mounts => 4,
        ProcNode::Meminfo => 5,
        ProcNode::Swaps => 6,
        ProcNode::Version => 7,
        ProcNode::Filesystems => 25,
        ProcNode::Uptime => 24,
        ProcNode::Partitions => 26,
        ProcNode::SysDir => 8,
        ProcNode::SysKernelDir => 9,
        ProcNode::SysKernel(f) => 10 + *f as u64,
        ProcNode::SysFsDir => 26,
        ProcNode::SysFsInotifyDir => 27,
        ProcNode::SysFsInotify(f) => 28 + *f as u64,
        ProcNode::PressureDir => 20,
        ProcNode::Pressure(r) => 21 + *r as u64,
        // Room for 15 files per pid directory.
        ProcNode::PidDir(p) => 0x1000 + (p.0 as u64) * 16,
        ProcNode::PidFile(p, f) => 0x1000 + (p.0 as u64) * 16 + 1 + *f as u64,
        ProcNode::TaskDir(p) => 0x1000 + (p.0 as u64) * 16 + 15,
        ProcNode::TidDir(_, t) => (1 << 40) + (t.0 as u64) * 16,
        ProcNode::TidStat(t) => (1 << 40) + (t.0 as u64) * 16 + 1 + PidFile::Stat as u64,
    }
}

impl<T: Tracer> Kernel<T> {
    fn proc_task<'a>(&self, st: &'a State<T>, pid: Pid) -> SysResult<&'a Task> {
        st.tasks
            .get(&pid)
            .ok_or(SysError::new(Errno::ENOENT, "process gone"))
    }

    pub(crate) fn proc_attr(&self, st: &State<T>, n: &ProcNode) -> SysResult<Attr> {
        let (file_type, mode, uid, gid) = match n {
            ProcNode::Root => (FileType::Directory, 0o555, 0, 0),
            ProcNode::SelfLink => (FileType::Symlink, 0o777, 0, 0),
            ProcNode::Cgroups
            | ProcNode::Mounts
            | ProcNode::Meminfo
            | ProcNode::Swaps
            | ProcNode::Partitions
            | ProcNode::Version
            | ProcNode::Uptime
            | ProcNode::Filesystems => (FileType::Regular, 0o444, 0, 0),
            ProcNode::SysDir
            | ProcNode::SysKernelDir
            | ProcNode::SysFsDir
            | ProcNode::SysFsInotifyDir => (FileType::Directory, 0o555, 0, 0),
            ProcNode::SysFsInotify(_) => (FileType::Regular, 0o644, 0, 0),
            ProcNode::SysKernel(UtsFile::Hostname | UtsFile::PidMax | UtsFile::Shmmax) => {
                (FileType::Regular, 0o644, 0, 0)
            }
            ProcNode::SysKernel(_) => (FileType::Regular, 0o444, 0, 0),
            ProcNode::PidFile(p, PidFile::OomScoreAdj | PidFile::OomAdj | PidFile::MakeItFail) => {
                let t = self.proc_task(st, *p)?;
                (FileType::Regular, 0o644, t.cred.euid.0, t.cred.egid)
            }
            ProcNode::PidDir(p) | ProcNode::TaskDir(p) | ProcNode::TidDir(_, p) => {
                let t = self.proc_task(st, *p)?;
                (FileType::Directory, 0o555, t.cred.euid.0, t.cred.egid)
            }
            ProcNode::PidFile(p, _) | ProcNode::TidStat(p) => {
                let t = self.proc_task(st, *p)?;
                (FileType::Regular, 0o444, t.cred.euid.0, t.cred.egid)
            }
            // psi_proc_init (6.6): the files are 0666 since unprivileged users may write
            // triggers with 2 s windows.
            ProcNode::PressureDir => (FileType::Directory, 0o555, 0, 0),
            ProcNode::Pressure(_) => (FileType::Regular, 0o666, 0, 0),
        };
        Ok(Attr {
            file_type,
            mode,
            uid,
            gid,
            size: 0,
            ino: ino_of(n),
            magic: PROC_SUPER_MAGIC,
            rdev: None,
            // Time 0 and two links for a directory: see the module docs.
            nlink: if file_type == FileType::Directory {
                2
            } else {
                1
            },
            atime: 0,
            mtime: 0,
            ctime: 0,
        })
    }

    pub(crate) fn proc_lookup(
        &self,
        st: &State<T>,
        _caller: Pid,
        n: &ProcNode,
        name: &str,
    ) -> SysResult<Node> {
        let enoent = SysError::new(Errno::ENOENT, "no such /proc entry");
        let found = match n {
            ProcNode::Root => match name {
                "self" => ProcNode::SelfLink,
                "cgroups" => ProcNode::Cgroups,
                "meminfo" => ProcNode::Meminfo,
                "mounts" => ProcNode::Mounts,
                "swaps" => ProcNode::Swaps,
                "partitions" if !self.disks().is_empty() => ProcNode::Partitions,
                "version" => ProcNode::Version,
                "filesystems" => ProcNode::Filesystems,
                "uptime" => ProcNode::Uptime,
                "sys" => ProcNode::SysDir,
                "pressure" if self.params.kernel >= crate::KernelVersion::V6_6 => {
                    ProcNode::PressureDir
                }
                _ => {
                    let pid = name
                        .parse::<i32>()
                        .ok()
                        .filter(|p| *p > 0 && name == p.to_string())
                        .map(Pid)
                        .ok_or(enoent)?;
                    self.proc_task(st, pid)?;
                    ProcNode::PidDir(pid)
                }
            },
            ProcNode::PidDir(p) if name == "task" => {
                self.proc_task(st, *p)?;
                ProcNode::TaskDir(*p)
            }
            ProcNode::TidDir(_, p) if name == "stat" => {
                self.proc_task(st, *p)?;
                ProcNode::TidStat(*p)
            }
            ProcNode::PidDir(p) | ProcNode::TidDir(_, p) => {
                self.proc_task(st, *p)?;
                let f = PidFile::ALL
                    .into_iter()
                    .find(|&f| f.name() == name && self.proc_pid_file_exists(f))
                    .ok_or(enoent)?;
                ProcNode::PidFile(*p, f)
            }
            // proc_task_lookup: a thread of the same group.
            ProcNode::TaskDir(p) => {
                let members = Self::group_members(st, *p).ok_or(enoent)?;
                let tid = name
                    .parse::<i32>()
                    .ok()
                    .filter(|t| name == t.to_string())
                    .map(Pid)
                    .filter(|t| members.contains(t))
                    .ok_or(enoent)?;
                ProcNode::TidDir(*p, tid)
            }
            ProcNode::PressureDir => ProcNode::Pressure(match name {
                "io" => cgsim_cgroup::psi::PsiRes::Io,
                "memory" => cgsim_cgroup::psi::PsiRes::Memory,
                "cpu" => cgsim_cgroup::psi::PsiRes::Cpu,
                _ => return Err(enoent),
            }),
            ProcNode::SysDir if name == "kernel" => ProcNode::SysKernelDir,
            ProcNode::SysDir if name == "fs" => ProcNode::SysFsDir,
            ProcNode::SysDir => return Err(enoent),
            ProcNode::SysFsDir if name == "inotify" => ProcNode::SysFsInotifyDir,
            ProcNode::SysFsDir => return Err(enoent),
            ProcNode::SysFsInotifyDir => ProcNode::SysFsInotify(
                crate::inotify_sysctl::InotifySysctl::ALL
                    .into_iter()
                    .find(|f| f.name() == name)
                    .ok_or(enoent)?,
            ),
            ProcNode::SysKernelDir => ProcNode::SysKernel(
                UtsFile::ALL
                    .into_iter()
                    .find(|f| f.name() == name)
                    .ok_or(enoent)?,
            ),
            _ => return Err(SysError::new(Errno::ENOTDIR, "not a directory")),
        };
        Ok(Node::Proc(found))
    }

    pub(crate) fn proc_readdir(&self, st: &State<T>, n: &ProcNode) -> SysResult<Vec<DirEntry>> {
        let entry = |name: &str, file_type| DirEntry {
            name: name.to_string(),
            file_type,
        };
        let mut out = match n {
            ProcNode::Root => {
                let mut v = vec![
                    entry("cgroups", FileType::Regular),
                    entry("filesystems", FileType::Regular),
                    entry("meminfo", FileType::Regular),
                    entry("mounts", FileType::Regular),
                    entry("self", FileType::Symlink),
                    entry("swaps", FileType::Regular),
                    entry("sys", FileType::Directory),
                    entry("uptime", FileType::Regular),
                    entry("version", FileType::Regular),
                ];
                if self.params.kernel >= crate::KernelVersion::V6_6 {
                    v.push(entry("pressure", FileType::Directory));
                }
                if !self.disks().is_empty() {
                    v.push(entry("partitions", FileType::Regular));
                }
                // proc_pid_readdir lists thread-group leaders; a thread's directory is found
                // by name only.
                v.extend(
                    st.tasks
                        .values()
                        .filter(|t| t.tgid == t.pid)
                        .map(|t| entry(&t.pid.0.to_string(), FileType::Directory)),
                );
                v
            }
            ProcNode::PidDir(p) | ProcNode::TidDir(_, p) => {
                self.proc_task(st, *p)?;
                let mut v: Vec<DirEntry> = PidFile::ALL
                    .into_iter()
                    .filter(|&f| self.proc_pid_file_exists(f))
                    .map(|f| entry(f.name(), FileType::Regular))
                    .collect();
                if matches!(n, ProcNode::PidDir(_)) {
                    v.push(entry("task", FileType::Directory));
                }
                v
            }
            ProcNode::TaskDir(p) => Self::group_members(st, *p)
                .ok_or(SysError::new(Errno::ENOENT, "process gone"))?
                .into_iter()
                .map(|t| entry(&t.0.to_string(), FileType::Directory))
                .collect(),
            ProcNode::SysDir => vec![
                entry("fs", FileType::Directory),
                entry("kernel", FileType::Directory),
            ],
            ProcNode::SysFsDir => vec![entry("inotify", FileType::Directory)],
            ProcNode::SysFsInotifyDir => crate::inotify_sysctl::InotifySysctl::ALL
                .into_iter()
                .map(|f| entry(f.name(), FileType::Regular))
                .collect(),
            ProcNode::PressureDir => ["cpu", "io", "memory"]
                .map(|n| entry(n, FileType::Regular))
                .to_vec(),
            ProcNode::SysKernelDir => UtsFile::ALL
                .into_iter()
                .map(|f| entry(f.name(), FileType::Regular))
                .collect(),
            _ => return Err(SysError::new(Errno::ENOTDIR, "not a directory")),
        };
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// `/proc/filesystems`: the filesystem types the simulated kernel registers, in the order
    /// its boot registers them (`init_rootfs` in `mnt_init`, `proc_root_init` and `cgroup_init`
    /// in `start_kernel`, 6.6's `cgroup2` right after `cgroup`, then debugfs's `core_initcall`
    /// and tmpfs's `module_init`), each `nodev` as none needs a block device
    /// (`filesystems_proc_show`).
    fn proc_filesystems(&self) -> String {
        let mut types = vec!["rootfs", "proc", "cgroup"];
        if self.params.core_profile.has_cgroup2() {
            types.push("cgroup2");
        }
        types.extend(["debugfs", "tmpfs"]);
        types.iter().map(|t| format!("nodev\t{t}\n")).collect()
    }

    /// The text of a `/proc` file at open time.
    pub(crate) fn proc_content(&self, st: &State<T>, n: &ProcNode) -> SysResult<Vec<u8>> {
        let text = match n {
            ProcNode::Cgroups => self.cg_proc_cgroups(),
            ProcNode::Mounts => self.proc_mounts(st),
            ProcNode::Meminfo => self.sys_meminfo().render(),
            ProcNode::Swaps => self.proc_swaps(),
            ProcNode::Partitions => self.proc_partitions(),
            ProcNode::Version => self.params.linux_banner(),
            ProcNode::Filesystems => self.proc_filesystems(),
            ProcNode::Uptime => self.proc_uptime(),
            ProcNode::Pressure(res) => self.proc_pressure(*res),
            ProcNode::SysKernel(UtsFile::PidMax) => self.pid_max_text(st),
            ProcNode::SysKernel(UtsFile::Shmmax) => format!("{}\n", self.shmmax(st)),
            ProcNode::SysFsInotify(f) => self.inotify_sysctl_text(st, *f),
            ProcNode::SysKernel(f) => {
                let u = self.uname();
                let v = match f {
                    UtsFile::Shmmax => unreachable!("handled above"),
                    UtsFile::Hostname => u.nodename,
                    UtsFile::Osrelease => u.release,
                    UtsFile::Ostype => u.sysname,
                    UtsFile::Version => u.version,
                    UtsFile::PidMax => unreachable!("handled above"),
                };
                format!("{v}\n")
            }
            ProcNode::PidFile(p, PidFile::OomAdj) => self.proc_oom_adj_text(st, *p)?,
            ProcNode::PidFile(p, PidFile::OomScore) => {
                self.proc_task(st, *p)?;
                self.proc_oom_score_text(*p)
            }
            ProcNode::TidStat(p) => {
                let t = self.proc_task(st, *p)?;
                let nr = Self::group_members(st, *p).map_or(1, |g| g.len());
                self.proc_pid_stat(t, nr, self.cputime.task_times(*p))
            }
            ProcNode::PidFile(p, f) => {
                let t = self.proc_task(st, *p)?;
                match f {
                    PidFile::Status if t.is_zombie() => status_text(t, self.task_proc_state(t)),
                    PidFile::Status => {
                        status_text(t, self.task_proc_state(t)) + &self.proc_status_vm(*p)
                    }
                    PidFile::OomScoreAdj => format!("{}\n", t.oom_score_adj),
                    PidFile::Comm => format!("{}\n", t.comm),
                    PidFile::Cgroup => self.cg_proc_pid_cgroup(*p),
                    PidFile::Mounts => self.proc_mounts(st),
                    PidFile::Mountinfo => self.proc_mountinfo(st),
                    PidFile::OomAdj | PidFile::OomScore => unreachable!("handled above"),
                    PidFile::Stat => {
                        let members = Self::group_members(st, *p).unwrap_or_default();
                        // do_task_stat(whole): a thread group's times are its live threads'
                        // and its exited threads' (`sig->utime`, `sig->stime`).
                        let (mut utime, mut stime) = (0, 0);
                        for m in &members {
                            let (u, s) = self.cputime.task_times(*m);
                            utime += u;
                            stime += s;
                        }
                        if let Some(l) = members.first() {
                            let (u, s) = self.cputime.dead_threads_times(*l);
                            utime += u;
                            stime += s;
                        }
                        self.proc_pid_stat(t, members.len().max(1), (utime, stime))
                    }
                    PidFile::MakeItFail => format!("{}\n", t.make_it_fail),
                    // proc_pid_cmdline copies the argument area of the task's mm: every
                    // argument ends with a NUL; a zombie has no mm, so the file is empty.
                    PidFile::Cmdline if t.is_zombie() => String::new(),
                    PidFile::Cmdline => t.cmdline.iter().map(|a| format!("{a}\0")).collect(),
                }
            }
            _ => return Err(SysError::new(Errno::EISDIR, "is a directory")),
        };
        Ok(text.into_bytes())
    }
}

impl<T: Tracer> Kernel<T> {
    /// `/proc/PID/stat` as `do_task_stat` (`fs/proc/array.c`, v2.6.35) prints it: 44 fields,
    /// `pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
    /// utime stime cutime cstime priority nice num_threads 0 start_time vsize rss rsslim ...`.
    /// **Differences:** every process is its own process group and session leader with no
    /// terminal; fault counts are 0; `utime`/`stime` are the simulated CPU time
    /// (`cputime.rs`) of the whole thread group (`whole`: the live threads' and
    /// `signal`'s of the exited ones), `cutime`/`cstime` the reaped children's,
    /// `vsize` and `rss` come from the task's mm, and the address-space layout fields are 0.
    fn proc_pid_stat(&self, t: &Task, num_threads: usize, times: (u64, u64)) -> String {
        let state = match self.task_proc_state(t) {
            ProcState::Running => 'R',
            ProcState::Sleeping => 'S',
            ProcState::Uninterruptible => 'D',
            ProcState::Zombie => 'Z',
        };
        let (vsize, rss) = self
            .mem
            .task_mm_counts(t.pid)
            .map_or((0, 0), |(anon, file, _, _, total_vm)| {
                (total_vm * 4096, anon + file)
            });
        let pid = t.pid.0;
        let mut f: Vec<String> = vec![
            pid.to_string(),
            format!("({})", t.comm),
            state.to_string(),
            t.ppid.0.to_string(),
            pid.to_string(),
            pid.to_string(),
        ];
        // tty_nr tpgid flags minflt cminflt majflt cmajflt
        f.extend(["0", "-1", "4202752", "0", "0", "0", "0"].map(String::from));
        // utime stime (clock ticks, `cputime_to_clock_t`) cutime cstime
        let (utime, stime) = times;
        let ticks = |ns: u64| ns / (1_000_000_000 / crate::cputime::USER_HZ);
        let (cutime, cstime) = self.cputime.children_times(t.pid);
        f.extend([utime, stime, cutime, cstime].map(|ns| ticks(ns).to_string()));
        // priority nice num_threads itrealvalue(0) start_time
        f.extend(["20".to_string(), "0".to_string(), num_threads.to_string()]);
        f.extend(["0", "0"].map(String::from));
        f.push(vsize.to_string());
        f.push(rss.to_string());
        // rsslim (RLIM_INFINITY)
        f.push(u64::MAX.to_string());
        // startcode endcode startstack kstkesp kstkeip signal blocked sigignore sigcatch wchan
        // nswap cnswap exit_signal processor rt_priority policy delayacct_blkio_ticks
        // guest_time cguest_time
        f.extend(
            [
                "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "17", "0", "0", "0",
                "0", "0", "0",
            ]
            .map(String::from),
        );
        f.join(" ") + "\n"
    }
}
