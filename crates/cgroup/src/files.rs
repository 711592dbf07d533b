//! The cgroup control-file interface: base files, directory population, open/read/write.
//!
//! **Kernel:** `kernel/cgroup.c` `files[]`, `cft_release_agent`, `cgroup_populate_dir`,
//! `cgroup_add_file`, `cgroup_file_open`, `cgroup_file_read`, `cgroup_file_write`,
//! `cgroup_write_X64`, `cgroup_write_string`, `cgroup_tasks_open` (2.6.34; `kernel/cgroup.c` `cgroup_populate_dir`, `cgroup_file_read`, `cgroup_file_write`).

use crate::cftype::Cftype;
use crate::cgroup::CgroupId;
use cgsim_ktypes::percpu::smp_processor_id;
use std::sync::Arc;

/// The core's own control files (`files[]` and `cft_release_agent` in kernel/cgroup.c).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BaseFile {
    /// `tasks` (0644): read the task ids, write one pid to attach it.
    Tasks,
    /// `cgroup.procs` (0444, 2.6.32): read the thread-group ids.
    Procs,
    /// `notify_on_release` (0644).
    NotifyOnRelease,
    /// `releasable` (2.6.24–2.6.25 only).
    Releasable,
    /// `cgroup.event_control` (0222, 2.6.34).
    EventControl,
    /// `release_agent` (top cgroup only).
    ReleaseAgent,
    /// `cgroup.clone_children` (3.x profile).
    CloneChildren,
    /// `cgroup.sane_behavior` (3.10 profile, top cgroup only).
    SaneBehavior,
    /// `cgroup.type` (default hierarchy, not on the root; 6.6 `cgroup_base_files[]` like the
    /// rest below).
    Type,
    /// `cgroup.threads` (default hierarchy).
    Threads,
    /// `cgroup.controllers` (default hierarchy).
    Controllers,
    /// `cgroup.subtree_control` (default hierarchy).
    SubtreeControl,
    /// `cgroup.events` (default hierarchy, not on the root).
    Events,
    /// `cgroup.max.descendants` (default hierarchy).
    MaxDescendants,
    /// `cgroup.max.depth` (default hierarchy).
    MaxDepth,
    /// `cgroup.stat` (default hierarchy).
    Stat,
    /// `cgroup.freeze` (default hierarchy, not on the root).
    Freeze,
    /// `cgroup.kill` (default hierarchy, not on the root; write-only).
    Kill,
    /// `cpu.stat` (default hierarchy: a core file, whatever controllers are enabled).
    CpuStat,
    /// `cpu.stat.local` (default hierarchy, 6.6).
    CpuStatLocal,
    /// `io.pressure`, `memory.pressure`, `cpu.pressure` (default hierarchy, `CONFIG_PSI`).
    Pressure(crate::psi::PsiRes),
    /// `cgroup.pressure` (6.1+): whether PSI accounting is on for the cgroup.
    CgroupPressure,
}

impl BaseFile {
    /// The file name.
    pub fn name(self) -> &'static str {
        match self {
            BaseFile::Tasks => "tasks",
            BaseFile::Procs => "cgroup.procs",
            BaseFile::NotifyOnRelease => "notify_on_release",
            BaseFile::Releasable => "releasable",
            BaseFile::EventControl => "cgroup.event_control",
            BaseFile::ReleaseAgent => "release_agent",
            BaseFile::CloneChildren => "cgroup.clone_children",
            BaseFile::SaneBehavior => "cgroup.sane_behavior",
            BaseFile::Type => "cgroup.type",
            BaseFile::Threads => "cgroup.threads",
            BaseFile::Controllers => "cgroup.controllers",
            BaseFile::SubtreeControl => "cgroup.subtree_control",
            BaseFile::Events => "cgroup.events",
            BaseFile::MaxDescendants => "cgroup.max.descendants",
            BaseFile::MaxDepth => "cgroup.max.depth",
            BaseFile::Stat => "cgroup.stat",
            BaseFile::Freeze => "cgroup.freeze",
            BaseFile::Kill => "cgroup.kill",
            BaseFile::CpuStat => "cpu.stat",
            BaseFile::CpuStatLocal => "cpu.stat.local",
            BaseFile::Pressure(r) => r.file(),
            BaseFile::CgroupPressure => "cgroup.pressure",
        }
    }
}

/// What a control file is.
pub enum FileKind<T: cgsim_ktypes::Tracer> {
    /// One of the core's base files.
    Base(BaseFile),
    /// A subsystem's cftype.
    Subsys {
        subsys_id: usize,
        cft: Arc<Cftype<T>>,
    },
}

impl<T: cgsim_ktypes::Tracer> Clone for FileKind<T> {
    fn clone(&self) -> Self {
        match self {
            FileKind::Base(b) => FileKind::Base(*b),
            FileKind::Subsys { subsys_id, cft } => FileKind::Subsys {
                subsys_id: *subsys_id,
                cft: cft.clone(),
            },
        }
    }
}

/// A control file in a cgroup directory (the dentry + inode the kernel creates).
pub(crate) struct CgroupFile<T: cgsim_ktypes::Tracer> {
    pub(crate) name: String,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) kind: FileKind<T>,
}

/// `stat`-level facts about a control file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// Full name, with the `<subsys>.` prefix where it applies.
    pub name: String,
    /// Permission bits (`kernel/cgroup.c` `cgroup_file_mode`, v2.6.34).
    pub mode: u32,
    /// Owner (the task that created the directory; root for a top cgroup).
    pub uid: u32,
    pub gid: u32,
    /// The subsystem that added it (`None` for base files).
    pub subsys_id: Option<usize>,
}

/// `stat`-level facts about a cgroup directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirInfo {
    pub cgrp: CgroupId,
    pub name: String,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// What a name in a cgroup directory is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dentry {
    /// A child cgroup.
    Dir(DirInfo),
    /// A control file.
    File(FileInfo),
}

impl Dentry {
    /// The entry's name.
    pub fn name(&self) -> &str {
        match self {
            Dentry::Dir(d) => &d.name,
            Dentry::File(f) => &f.name,
        }
    }
}

/// An open control file (`struct file` on a cgroup file plus its private data).
///
/// `tasks` and `cgroup.procs` opened for reading carry the snapshot taken at open (`kernel/cgroup.c` `cgroup_pidlist_start`, v2.6.34),
/// so later membership changes do not show through this handle.
pub struct OpenFile<T: cgsim_ktypes::Tracer> {
    pub(crate) cgrp: CgroupId,
    pub(crate) name: String,
    pub(crate) kind: FileKind<T>,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    pub(crate) snapshot: Option<Vec<u8>>,
    /// `file->f_cred`: the opener's credentials, which 6.6's `__cgroup_procs_write` checks the
    /// migration against (`override_creds(of->file->f_cred)`) instead of the writer's, so an
    /// inherited fd carries its opener's rights. `None` (a caller that gave none): the writer's.
    pub(crate) f_cred: Option<cgsim_ktypes::Cred>,
}

impl<T: cgsim_ktypes::Tracer> OpenFile<T> {
    /// Record the opener's credentials (`file->f_cred`).
    pub fn with_opener_cred(mut self, cred: cgsim_ktypes::Cred) -> Self {
        self.f_cred = Some(cred);
        self
    }

    /// The cgroup whose directory holds the file.
    pub fn cgroup(&self) -> CgroupId {
        self.cgrp
    }

    /// The file name as opened.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which file this is.
    pub fn kind(&self) -> &FileKind<T> {
        &self.kind
    }

    /// Opened for reading.
    pub fn readable(&self) -> bool {
        self.readable
    }

    /// Opened for writing.
    pub fn writable(&self) -> bool {
        self.writable
    }
}

use crate::PATH_MAX;
use crate::cftype::{
    CFTYPE_NO_PREFIX, CFTYPE_NOT_ON_ROOT, CFTYPE_ONLY_ON_ROOT, CftCtx, CftEvents, CftRead, CftWrite,
};
use crate::cgroup::{CGRP_CLONE_CHILDREN, CGRP_NOTIFY_ON_RELEASE, CGRP_RELEASABLE};
use crate::core::{CgroupCore, CgroupState};
use crate::event_control::{EventControlRequest, parse_event_control};
use crate::profile::{BaseFiles, TasksWriteParse};
use crate::root::ROOT_NOPREFIX;
use crate::subsys::{PopulateDir, SubsysCallback};
use cgsim_ktypes::parse::{simple_strtoull, strip_trailing, strstrip, until_nul};
use cgsim_ktypes::{Errno, Pid, Tracer, trace};

impl<T: Tracer> CgroupCore<T> {
    /// `cgroup_populate_dir` (`kernel/cgroup.c`, v2.6.34): clear the directory's files, add the base files, then
    /// `release_agent` (top cgroup only), then each bound subsystem's files (`populate`, list
    /// order; an error stops the remaining subsystems, the directory stays half-filled).
    #[doc(alias = "cgroup_populate_dir")]
    pub(crate) fn populate_dir(&self, st: &mut CgroupState<T>, cgrp: CgroupId) {
        let c = st.cgroups.get(cgrp.0).expect("live");
        let (uid, gid, is_top, root) = (c.uid, c.gid, c.parent.is_none(), c.root);
        if self.on_dfl_root(root) {
            self.populate_dfl_dir(st, cgrp);
            return;
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_populate_dir");
        let old_mode = self.profile.base_files == BaseFiles::V2_6_25;
        let mut base = match self.profile.base_files {
            BaseFiles::V2_6_25 => vec![
                BaseFile::Tasks,
                BaseFile::NotifyOnRelease,
                BaseFile::Releasable,
            ],
            BaseFiles::V2_6_34 => vec![
                BaseFile::Tasks,
                BaseFile::Procs,
                BaseFile::NotifyOnRelease,
                BaseFile::EventControl,
            ],
            BaseFiles::V3_10 => vec![
                BaseFile::Tasks,
                BaseFile::Procs,
                BaseFile::NotifyOnRelease,
                BaseFile::EventControl,
                BaseFile::CloneChildren,
            ],
        };
        if is_top {
            base.push(BaseFile::ReleaseAgent);
            if self.profile.base_files == BaseFiles::V3_10 {
                base.push(BaseFile::SaneBehavior);
            }
        }
        let mut files: Vec<CgroupFile<T>> = base
            .into_iter()
            .map(|b| CgroupFile {
                name: b.name().to_string(),
                // `cgroup.procs` is writable from 3.0 (`cgroup_procs_write`, 3.10;
                // `cgroup1_procs_write`, 6.6): read-only in 2.6.34/2.6.35 (a TODO there).
                mode: if old_mode || (b == BaseFile::Procs && self.procs_writable_v1()) {
                    0o644
                } else {
                    base_mode(b)
                },
                uid,
                gid,
                kind: FileKind::Base(b),
            })
            .collect();
        let r = st.roots_arena.get(root.0).expect("live root");
        let noprefix = r.flags & ROOT_NOPREFIX != 0;
        let list = r.subsys_list.clone();
        for i in list {
            let Some(css) = st.cgroups.get(cgrp.0).expect("live").subsys[i].clone() else {
                continue;
            };
            let mut dir = PopulateDir { files: Vec::new() };
            let res = {
                let cx = self.ctx(st, i, cgrp);
                let _g = self.trace_cb(i, SubsysCallback::Populate);
                self.subsys[i].populate(&cx, &css, &mut dir)
            };
            let mut failed = res.is_err();
            for cft in dir.files {
                // cgroup_addrm_files: the root-only and not-on-root flags.
                if (cft.flags & CFTYPE_NOT_ON_ROOT != 0 && is_top)
                    || (cft.flags & CFTYPE_ONLY_ON_ROOT != 0 && !is_top)
                {
                    continue;
                }
                let name = if noprefix || cft.flags & CFTYPE_NO_PREFIX != 0 {
                    cft.name.clone()
                } else {
                    format!("{}.{}", self.subsys[i].name(), cft.name)
                };
                // cgroup_create_file: an existing name is EEXIST and ends this populate.
                if files.iter().any(|f| f.name == name) {
                    failed = true;
                    break;
                }
                files.push(CgroupFile {
                    name,
                    mode: if old_mode { 0o644 } else { cft.file_mode() },
                    uid,
                    gid,
                    kind: FileKind::Subsys { subsys_id: i, cft },
                });
            }
            if failed {
                break;
            }
        }
        st.cgroups.get_mut(cgrp.0).expect("live").files = files;
    }

    /// `cgroup_populate_dir` on the default hierarchy (6.6 `css_populate_dir` of the cgroup's
    /// self css, then of each of its csses in ascending id): `cgroup_base_files[]` without the
    /// `CFTYPE_NOT_ON_ROOT` ones in the root, then each controller's `dfl_cftypes` with the
    /// `<controller>.` prefix, honouring the cftype flags. Files are owned by the directory's
    /// creator, with `cgroup_file_mode`'s modes (the kernel's `cgroup_kn_set_ugid`).
    fn populate_dfl_dir(&self, st: &mut CgroupState<T>, cgrp: CgroupId) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "css_populate_dir");
        let c = st.cgroups.get(cgrp.0).expect("live");
        let (uid, gid, is_top) = (c.uid, c.gid, c.parent.is_none());
        let base = [
            (BaseFile::Type, true),
            (BaseFile::Procs, false),
            (BaseFile::Threads, false),
            (BaseFile::Controllers, false),
            (BaseFile::SubtreeControl, false),
            (BaseFile::Events, true),
            (BaseFile::MaxDescendants, false),
            (BaseFile::MaxDepth, false),
            (BaseFile::Stat, false),
            (BaseFile::Freeze, true),
            (BaseFile::Kill, true),
            (BaseFile::CpuStat, false),
            (BaseFile::CpuStatLocal, false),
            // cgroup_psi_files[], created after the base files in every cgroup.
            (BaseFile::Pressure(crate::psi::PsiRes::Io), false),
            (BaseFile::Pressure(crate::psi::PsiRes::Memory), false),
            (BaseFile::Pressure(crate::psi::PsiRes::Cpu), false),
            (BaseFile::CgroupPressure, false),
        ];
        let psi_disabled = c.psi_disabled();
        let mut files: Vec<CgroupFile<T>> = base
            .into_iter()
            .filter(|&(_, not_on_root)| !(is_top && not_on_root))
            // A cgroup whose PSI accounting is off keeps its pressure files hidden.
            .filter(|&(b, _)| !(psi_disabled && matches!(b, BaseFile::Pressure(_))))
            .map(|(b, _)| CgroupFile {
                name: b.name().to_string(),
                mode: dfl_mode(b),
                uid,
                gid,
                kind: FileKind::Base(b),
            })
            .collect();
        // dummytop keeps every css; only those of controllers on the default hierarchy count.
        let dfl = Self::dfl_subsys_mask(st);
        for i in 0..self.subsys.len() {
            if !self.subsys[i].on_dfl() || self.disabled[i] || dfl & (1 << i) == 0 {
                continue;
            }
            let Some(css) = st.cgroups.get(cgrp.0).expect("live").subsys[i].clone() else {
                continue;
            };
            let mut dir = PopulateDir { files: Vec::new() };
            let res = {
                let cx = self.ctx(st, i, cgrp);
                let _g = self.trace_cb(i, SubsysCallback::Populate);
                self.subsys[i].populate(&cx, &css, &mut dir)
            };
            for cft in dir.files {
                if (cft.flags & CFTYPE_NOT_ON_ROOT != 0 && is_top)
                    || (cft.flags & CFTYPE_ONLY_ON_ROOT != 0 && !is_top)
                {
                    continue;
                }
                let name = if cft.flags & CFTYPE_NO_PREFIX != 0 {
                    cft.name.clone()
                } else {
                    format!("{}.{}", self.subsys[i].dfl_name(), cft.name)
                };
                if files.iter().any(|f| f.name == name) {
                    break;
                }
                files.push(CgroupFile {
                    name,
                    mode: cft.file_mode(),
                    uid,
                    gid,
                    kind: FileKind::Subsys { subsys_id: i, cft },
                });
            }
            if res.is_err() {
                break;
            }
        }
        st.cgroups.get_mut(cgrp.0).expect("live").files = files;
    }

    /// `cgroup_file_open`: open control file `name` of `cgrp` (ENOENT if the cgroup is stale or
    /// has no such file). `tasks`/`cgroup.procs` opened for reading take their snapshot now
    /// (`cgroup_pidlist_start`, `kernel/cgroup.c`, v2.6.34). Permission bits are the VFS's business.
    #[doc(alias = "cgroup_file_open")]
    pub fn open(
        &self,
        cgrp: CgroupId,
        name: &str,
        readable: bool,
        writable: bool,
    ) -> Result<OpenFile<T>, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENOENT)?;
        let f = c
            .files
            .iter()
            .find(|f| f.name == name)
            .ok_or(Errno::ENOENT)?;
        // 6.6's cgroup files are kernfs files: `kernfs_fop_open` refuses a read open of a file
        // without a read operation, or a write open of one without a write operation, whatever
        // the opener's privileges (EACCES).
        if self.profile.has_cgroup2()
            && ((readable && f.mode & 0o444 == 0) || (writable && f.mode & 0o222 == 0))
        {
            return Err(Errno::EACCES);
        }
        let snapshot = match f.kind {
            // A threaded cgroup's `cgroup.procs` fails at the read (`cgroup_procs_start`).
            FileKind::Base(BaseFile::Procs) if readable && Self::is_threaded(&st, cgrp) => None,
            FileKind::Base(BaseFile::Tasks | BaseFile::Procs | BaseFile::Threads) if readable => {
                // A thread root's `cgroup.procs` lists the processes of its whole threaded
                // subtree (`CSS_TASK_ITER_THREADED`); `cgroup.threads` the cgroup's own.
                let mut cgrps = vec![cgrp];
                if matches!(f.kind, FileKind::Base(BaseFile::Procs)) {
                    let mut k = 0;
                    while k < cgrps.len() {
                        let c = st.cgroups.get(cgrps[k].0).expect("live");
                        cgrps.extend(
                            c.children
                                .iter()
                                .copied()
                                .filter(|&ch| Self::is_threaded(&st, ch)),
                        );
                        k += 1;
                    }
                }
                // `tasks` and `cgroup.threads` list thread ids, `cgroup.procs` thread-group ids
                // (v1: of every thread; the default hierarchy: of the leaders).
                let kind = match f.kind {
                    FileKind::Base(BaseFile::Procs) if self.on_dfl_root(c.root) => {
                        crate::thread_group::PidList::ProcsDfl
                    }
                    FileKind::Base(BaseFile::Procs) => crate::thread_group::PidList::ProcsV1,
                    _ => crate::thread_group::PidList::Threads,
                };
                Some(self.pidlist_text(&st, &cgrps, kind))
            }
            _ => None,
        };
        Ok(OpenFile {
            cgrp,
            name: name.to_string(),
            kind: f.kind.clone(),
            readable,
            writable,
            snapshot,
            f_cred: None,
        })
    }

    /// `cgroup_file_read` / `cgroup_seqfile_show`: read at `offset` into `buf` on behalf of
    /// `reader`; returns the byte count (0 at EOF). The content is regenerated on every call
    /// (numeric files do the same in the kernel; seq files would keep the first rendering).
    /// EBADF if not opened for reading, ENODEV if the cgroup was removed (except for a
    /// `tasks`/`cgroup.procs` snapshot), EINVAL if the file has no read handler.
    /// **Differences:** the kernel's seq-file reads (`read_map`, `read_seq_string`) do not check
    /// for removal and keep working on an fd opened before rmdir (the open file pins the dentry);
    /// here every non-snapshot read of a removed cgroup is ENODEV, because `destroy` ran at rmdir.
    #[doc(alias = "cgroup_file_read")]
    pub fn read(
        &self,
        of: &OpenFile<T>,
        reader: Pid,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, Errno> {
        let content = self.read_all(of, reader)?;
        let start = (offset.min(content.len() as u64)) as usize;
        let n = buf.len().min(content.len() - start);
        buf[..n].copy_from_slice(&content[start..start + n]);
        Ok(n)
    }

    /// The whole content a read from offset 0 would see (same errors as [`read`](Self::read)).
    pub fn read_all(&self, of: &OpenFile<T>, reader: Pid) -> Result<Vec<u8>, Errno> {
        if !of.readable {
            return Err(Errno::EBADF);
        }
        if let Some(s) = &of.snapshot {
            return Ok(s.clone());
        }
        if let FileKind::Base(BaseFile::Pressure(res)) = of.kind {
            {
                // Lock order: cgroup_mutex (released before the hook runs).
                let st = self.lock();
                let c = st.cgroups.get(of.cgrp.0).ok_or(Errno::ENODEV)?;
                // A hidden pressure file (`cgroup.pressure` 0) is a deactivated kernfs node:
                // `kernfs_fop_read_iter` cannot get an active reference (ENODEV).
                if c.is_removed() || c.psi_disabled() {
                    return Err(Errno::ENODEV);
                }
            }
            // Lock order: pressure hook lock alone (read, cloned, released).
            let hook = self.pressure.read().clone();
            return Ok(hook.show(of.cgrp, res).into_bytes());
        }
        let (css, cred) = {
            // Lock order: cgroup_mutex.
            let st = self.lock();
            let c = st.cgroups.get(of.cgrp.0).ok_or(Errno::ENODEV)?;
            if c.is_removed() {
                return Err(Errno::ENODEV);
            }
            // Lock order: cgroup_mutex -> css_set_lock (read).
            let cred = self.task_cred_locked(reader);
            match &of.kind {
                FileKind::Base(b) => return self.read_base(&st, of.cgrp, *b),
                FileKind::Subsys { subsys_id, .. } => (c.subsys[*subsys_id].clone(), cred),
            }
        };
        let FileKind::Subsys { cft, .. } = &of.kind else {
            unreachable!("base files returned above")
        };
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_file_read");
        let cx = CftCtx {
            core: self,
            tracer: &self.tracer,
            cpu: smp_processor_id(),
            cgrp: of.cgrp,
            css,
            private: cft.private,
            caller: reader,
            cred,
        };
        let text = match &cft.read {
            None => return Err(Errno::EINVAL),
            Some(CftRead::U64(f)) => format!("{}\n", f(&cx)?),
            Some(CftRead::S64(f)) => format!("{}\n", f(&cx)?),
            Some(CftRead::Map(f)) => f(&cx)?
                .into_iter()
                .map(|(k, v)| format!("{k} {v}\n"))
                .collect(),
            Some(CftRead::SeqString(f)) => f(&cx)?,
        };
        Ok(text.into_bytes())
    }

    fn read_base(
        &self,
        st: &CgroupState<T>,
        cgrp: CgroupId,
        b: BaseFile,
    ) -> Result<Vec<u8>, Errno> {
        let c = st.cgroups.get(cgrp.0).expect("checked");
        let flag = |f: u32| format!("{}\n", u64::from(c.flags() & f != 0)).into_bytes();
        match b {
            BaseFile::NotifyOnRelease => Ok(flag(CGRP_NOTIFY_ON_RELEASE)),
            BaseFile::Releasable => Ok(flag(CGRP_RELEASABLE)),
            BaseFile::CloneChildren => Ok(flag(CGRP_CLONE_CHILDREN)),
            BaseFile::SaneBehavior => Ok(b"0\n".to_vec()),
            BaseFile::ReleaseAgent => {
                let r = st.roots_arena.get(c.root.0).expect("live root");
                // cgroup_release_agent_show: seq_puts of the stored bytes, then '\n'.
                let mut out = r.release_agent_path.clone();
                out.push(b'\n');
                Ok(out)
            }
            // `cgroup_procs_start`: the processes of a threaded subtree belong to its domain.
            BaseFile::Procs if Self::is_threaded(st, cgrp) => Err(Errno::EOPNOTSUPP),
            // Opened write-only: no snapshot; the pidlist read needs FMODE_READ.
            BaseFile::Tasks | BaseFile::Procs => Err(Errno::EBADF),
            BaseFile::EventControl => Err(Errno::EINVAL),
            _ => self.read_dfl_base(st, cgrp, b),
        }
    }

    /// `cgroup_file_write` (`kernel/cgroup.c` `cgroup_write_X64`, v2.6.34): one call = one handler invocation; returns
    /// `data.len()` on success. `writer`'s credentials are the ones given at fork/`set_cred`.
    /// EBADF if not opened for writing; ENODEV if the cgroup was removed; E2BIG/EINVAL by the
    /// buffer rules; whatever the handler returns (ESRCH, EACCES, ... for `tasks`).
    #[doc(alias = "cgroup_file_write")]
    pub fn write(&self, of: &OpenFile<T>, writer: Pid, data: &[u8]) -> Result<usize, Errno> {
        if !of.writable {
            return Err(Errno::EBADF);
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_file_write");
        let (css, cred) = {
            // Lock order: cgroup_mutex.
            let st = self.lock();
            let c = st.cgroups.get(of.cgrp.0).ok_or(Errno::ENODEV)?;
            if c.is_removed() {
                return Err(Errno::ENODEV);
            }
            // Lock order: cgroup_mutex -> css_set_lock (read).
            let cred = self.task_cred_locked(writer);
            let css = match &of.kind {
                FileKind::Base(_) => None,
                FileKind::Subsys { subsys_id, .. } => c.subsys[*subsys_id].clone(),
            };
            (css, cred)
        };
        match &of.kind {
            FileKind::Base(b) => self.write_base(of.cgrp, *b, writer, of.f_cred, data)?,
            FileKind::Subsys { cft, .. } => {
                let cx = CftCtx {
                    core: self,
                    tracer: &self.tracer,
                    cpu: smp_processor_id(),
                    cgrp: of.cgrp,
                    css,
                    private: cft.private,
                    caller: writer,
                    cred,
                };
                match &cft.write {
                    None => return Err(Errno::EINVAL),
                    Some(CftWrite::Raw(f)) => return f(&cx, data),
                    Some(CftWrite::U64(f)) => f(&cx, parse_u64_write(data)?)?,
                    Some(CftWrite::S64(f)) => f(&cx, parse_s64_write(data)?)?,
                    Some(CftWrite::String(f)) => {
                        let s = cgsim_ktypes::parse::write_string_buffer(data, cft.max_write_len)?;
                        f(&cx, &String::from_utf8_lossy(s))?
                    }
                    Some(CftWrite::Trigger(f)) => f(&cx)?,
                }
            }
        }
        Ok(data.len())
    }

    fn write_base(
        &self,
        cgrp: CgroupId,
        b: BaseFile,
        writer: Pid,
        f_cred: Option<cgsim_ktypes::Cred>,
        data: &[u8],
    ) -> Result<(), Errno> {
        match b {
            BaseFile::Tasks => {
                let pid = match self.profile.tasks_write_parse {
                    // Kernel quirk: the u64 is tested against 0, then truncated to pid_t by
                    // find_task_by_vpid, so "4294967297" names pid 1.
                    TasksWriteParse::U64Einval => {
                        let v = parse_u64_write(data)?;
                        (v != 0).then_some(Pid(v as u32 as i32))
                    }
                    TasksWriteParse::SscanfEio => {
                        if data.len() >= PATH_MAX {
                            return Err(Errno::E2BIG);
                        }
                        let v = sscanf_pid(strip_trailing(until_nul(data))).ok_or(Errno::EIO)?;
                        (v != 0).then_some(Pid(v))
                    }
                };
                self.attach_task_by_pid_raw(cgrp, writer, pid)
            }
            BaseFile::NotifyOnRelease | BaseFile::CloneChildren => {
                let v = match self.profile.tasks_write_parse {
                    TasksWriteParse::U64Einval => parse_u64_write(data)?,
                    // 2.6.25: base-10 strtoul that ignores trailing garbage.
                    TasksWriteParse::SscanfEio => simple_strtoull(strstrip(until_nul(data)), 10).0,
                };
                // Lock order: cgroup_mutex.
                let st = self.lock();
                let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
                let bit = if b == BaseFile::NotifyOnRelease {
                    c.shared.clear_flag(CGRP_RELEASABLE);
                    CGRP_NOTIFY_ON_RELEASE
                } else {
                    CGRP_CLONE_CHILDREN
                };
                if v != 0 {
                    c.shared.set_flag(bit);
                } else {
                    c.shared.clear_flag(bit);
                }
                Ok(())
            }
            BaseFile::ReleaseAgent => {
                let s = if self.profile.base_files == BaseFiles::V2_6_25 {
                    if data.len() >= PATH_MAX {
                        return Err(Errno::E2BIG);
                    }
                    strip_trailing(until_nul(data))
                } else {
                    cgsim_ktypes::parse::write_string_buffer(data, Some(PATH_MAX))?
                };
                // cgroup_release_agent_write (2.6.35): strcpy of the stripped C string, so the
                // bytes are kept as written (no decoding).
                let path = s.to_vec();
                // Lock order: cgroup_mutex.
                let mut st = self.lock();
                let root = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?.root;
                st.roots_arena
                    .get_mut(root.0)
                    .expect("live")
                    .release_agent_path = path;
                Ok(())
            }
            BaseFile::EventControl => {
                let s = cgsim_ktypes::parse::write_string_buffer(data, None)?;
                let (efd, cfd, args) = parse_event_control(&String::from_utf8_lossy(s))?;
                let req = EventControlRequest {
                    writer,
                    cgrp,
                    efd,
                    cfd,
                    args,
                };
                // Lock order: event_control hook only (cgroup_mutex is not held).
                let hook = self.event_control.read().clone();
                hook.register(&req)
            }
            BaseFile::Procs if self.on_dfl_root(self.root_of(cgrp)?) => {
                self.write_procs_dfl(cgrp, writer, f_cred, data, true)
            }
            // 3.10 `cgroup_procs_write`, 6.6 `cgroup1_procs_write`: the whole thread group,
            // with the tasks file's rules.
            BaseFile::Procs if self.procs_writable_v1() => {
                let v = parse_u64_write(data)?;
                self.attach_task_by_pid_group(
                    cgrp,
                    writer,
                    (v != 0).then_some(Pid(v as u32 as i32)),
                    true,
                )
            }
            BaseFile::Procs | BaseFile::Releasable | BaseFile::SaneBehavior => Err(Errno::EINVAL),
            _ => self.write_dfl_base(cgrp, b, writer, f_cred, data),
        }
    }

    /// The event hooks of control file `name` in `cgrp` and the file's css, for an
    /// [`EventControl`](crate::EventControl) implementation. ENOENT if there is no such file,
    /// EINVAL if it does not support events (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34).
    pub fn cftype_events(
        &self,
        cgrp: CgroupId,
        name: &str,
    ) -> Result<(Option<crate::css::CssRef>, std::sync::Arc<dyn CftEvents>), Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENOENT)?;
        let f = c
            .files
            .iter()
            .find(|f| f.name == name)
            .ok_or(Errno::ENOENT)?;
        match &f.kind {
            FileKind::Subsys { subsys_id, cft } => match &cft.events {
                Some(ev) => Ok((c.subsys[*subsys_id].clone(), ev.clone())),
                None => Err(Errno::EINVAL),
            },
            FileKind::Base(_) => Err(Errno::EINVAL),
        }
    }
}

/// Explicit and computed modes of the base files under 2.6.34 (`kernel/cgroup.c` `cgroup_file_mode`).
fn base_mode(b: BaseFile) -> u32 {
    match b {
        BaseFile::Tasks
        | BaseFile::NotifyOnRelease
        | BaseFile::ReleaseAgent
        | BaseFile::CloneChildren
        | BaseFile::Releasable => 0o644,
        BaseFile::Procs | BaseFile::SaneBehavior => 0o444,
        BaseFile::EventControl => 0o222,
        _ => dfl_mode(b),
    }
}

/// `cgroup_file_mode` of the default hierarchy's base files (v6.6): 0444 for a file with a
/// `seq_show` only, 0644 with a `write` too, 0200 for the write-only `cgroup.kill`.
pub(crate) fn dfl_mode(b: BaseFile) -> u32 {
    match b {
        BaseFile::Controllers
        | BaseFile::Events
        | BaseFile::Stat
        | BaseFile::CpuStat
        | BaseFile::CpuStatLocal => 0o444,
        BaseFile::Kill => 0o200,
        _ => 0o644,
    }
}

/// `write_u64` parsing (`cgroup_write_X64`): see [`cgsim_ktypes::parse::write_u64_buffer`];
/// the memory controller's `write_u64` files use the same function.
pub fn parse_u64_write(data: &[u8]) -> Result<u64, Errno> {
    cgsim_ktypes::parse::write_u64_buffer(data)
}

/// `write_s64` parsing (`cgroup_write_X64`): see [`cgsim_ktypes::parse::write_s64_buffer`].
pub fn parse_s64_write(data: &[u8]) -> Result<i64, Errno> {
    cgsim_ktypes::parse::write_s64_buffer(data)
}

/// 2.6.25's `sscanf(buf, "%d", &pid)`: skip whitespace, optional sign, decimal digits.
fn sscanf_pid(s: &[u8]) -> Option<i32> {
    let s = strstrip(s);
    let (neg, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !rest.first().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    let (v, _) = simple_strtoull(rest, 10);
    let v = v as i32;
    Some(if neg { v.wrapping_neg() } else { v })
}

#[cfg(test)]
mod tests;
