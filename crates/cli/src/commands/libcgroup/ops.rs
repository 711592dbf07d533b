//! What libcgroup 0.41's library does to groups (`src/api.c`): `cgroup_create_cgroup`,
//! `cgroup_get_cgroup`, `cgroup_read_value_*`, `cgroup_modify_cgroup`,
//! `cgroup_attach_task_pid`, `cgroup_change_cgroup_path`, `cgroup_delete_cgroup_ext` and the
//! fts walks under them, as system calls on the simulated kernel.
//!
//! **Follows:** the same calls in the same order with the same error mapping as v0.41; quirks
//! kept on purpose are marked `libcgroup quirk:`.
//! **Differences:** `cgroup_find_parent` decides "is a mount point" by comparing the path with
//! the mount table instead of `st_dev` (the simulated `stat` has no device number); stdio
//! buffering is modelled as "one `write(2)` per `fflush`/`fclose`", which is what glibc does
//! for these short strings.

use super::api::*;
use cgsim_cgroupfs::{FileType, OpenFlags};
use cgsim_ktypes::Errno;

impl Lib<'_> {
    // ---- creating groups ----------------------------------------------------------------

    /// `cg_mkdir_p`: create every component with mode 0775.
    fn mkdir_p(&mut self, path: &str) -> i32 {
        let bytes = path.as_bytes();
        let mut i = 0;
        loop {
            while i < bytes.len() && bytes[i] == b'/' {
                i += 1;
            }
            if i >= bytes.len() {
                return 0;
            }
            while i < bytes.len() && bytes[i] != b'/' {
                i += 1;
            }
            let prefix = &path[..i];
            if let Err(e) = self.k.mkdir(self.pid, prefix, 0o775) {
                match e.errno {
                    Errno::EEXIST => {}
                    Errno::EPERM => return ECGROUPNOTOWNER,
                    _ => {
                        if self.k.stat(self.pid, prefix).is_err() {
                            return ECGROUPNOTALLOWED;
                        }
                    }
                }
            }
            if i >= bytes.len() {
                return 0;
            }
        }
    }

    /// `cg_set_control_value`: `fopen(path, "r+")`, `fprintf`, `fclose` (one write).
    pub fn set_control_value(&mut self, path: &str, val: &str) -> i32 {
        if !self.any_cgroup_mounted() {
            return ECGROUPNOTMOUNTED;
        }
        let fd = match self.k.open(self.pid, path, OpenFlags::RDWR, 0) {
            Ok(fd) => fd,
            Err(e) if e.errno == Errno::EPERM => {
                // libcgroup quirk: it means to look at the group's tasks file but appends
                // "/tasks" to the control file's own path (the `path_dir_end = '\0'` bug), so
                // the probe fails with ENOTDIR and the answer is always "not allowed".
                return ECGROUPNOTALLOWED;
            }
            Err(_) => return ECGROUPVALUENOTEXIST,
        };
        let mut ret = 0;
        if !val.is_empty()
            && let Err(e) = self.k.write(self.pid, fd, val.as_bytes())
        {
            self.last_errno = Some(e.errno);
            ret = ECGOTHER;
        }
        let _ = self.k.close(self.pid, fd);
        ret
    }

    /// Every path under `root` in fts order (pre-order, readdir order), directories flagged.
    fn fts(&mut self, root: &str) -> Vec<FtsEnt> {
        let mut out = Vec::new();
        let Ok(st) = self.k.stat(self.pid, root) else {
            out.push(FtsEnt {
                path: root.to_string(),
                level: 0,
                kind: FtsKind::NoStat,
            });
            return out;
        };
        if st.file_type != FileType::Directory {
            out.push(FtsEnt {
                path: root.to_string(),
                level: 0,
                kind: FtsKind::File,
            });
            return out;
        }
        self.fts_dir(root, 0, &mut out);
        out
    }

    fn fts_dir(&mut self, path: &str, level: usize, out: &mut Vec<FtsEnt>) {
        out.push(FtsEnt {
            path: path.to_string(),
            level,
            kind: FtsKind::PreDir,
        });
        let entries = self.k.readdir(self.pid, path).unwrap_or_default();
        let stem = path.strip_suffix('/').unwrap_or(path);
        for e in entries {
            let child = format!("{stem}/{}", e.name);
            if e.file_type == FileType::Directory {
                self.fts_dir(&child, level + 1, out);
            } else {
                out.push(FtsEnt {
                    path: child,
                    level: level + 1,
                    kind: FtsKind::File,
                });
            }
        }
        out.push(FtsEnt {
            path: path.to_string(),
            level,
            kind: FtsKind::PostDir,
        });
    }

    /// `cg_chown_recursive`: every entry, a missing id becoming the caller's own
    /// (`getuid()`/`getgid()`).
    fn chown_recursive(&mut self, root: &str, uid: Option<u32>, gid: Option<u32>) -> i32 {
        let c = self.cred();
        let (uid, gid) = (uid.unwrap_or(c.uid.0), gid.unwrap_or(c.gid));
        let mut ret = 0;
        for e in self.fts(root) {
            if e.kind == FtsKind::NoStat {
                continue;
            }
            ret = match self.k.chown(self.pid, &e.path, Some(uid), Some(gid)) {
                Ok(()) => 0,
                Err(err) => {
                    self.last_errno = Some(err.errno);
                    ECGOTHER
                }
            };
        }
        ret
    }

    /// `cg_chmod_path` with `owner_is_umask`: the owner's bits bound the group's and others'.
    fn chmod_path(&mut self, path: &str, mode: u32, owner_is_umask: bool) -> i32 {
        let mut mask = 0o7777;
        if owner_is_umask {
            let Ok(st) = self.k.stat(self.pid, path) else {
                return ECGOTHER;
            };
            let u = st.mode & 0o700;
            mask = u | (u >> 3) | (u >> 6) | 0o7000;
        }
        match self.k.chmod(self.pid, path, mode & mask) {
            Ok(()) => 0,
            Err(e) => {
                self.last_errno = Some(e.errno);
                ECGOTHER
            }
        }
    }

    /// `cg_chmod_recursive_controller` with `owner_is_umask` set, skipping files named `tasks`.
    fn chmod_recursive(&mut self, root: &str, dperm: Option<u32>, fperm: Option<u32>) -> i32 {
        let mut final_ret = 0;
        for e in self.fts(root) {
            if e.path.rsplit('/').next() == Some("tasks") {
                continue;
            }
            let perm = match e.kind {
                FtsKind::PreDir | FtsKind::PostDir => dperm,
                FtsKind::File => fperm,
                FtsKind::NoStat => None,
            };
            if let Some(m) = perm
                && self.chmod_path(&e.path, m, true) != 0
            {
                final_ret = ECGOTHER;
            }
        }
        final_ret
    }

    /// `cgroup_create_cgroup`.
    pub fn create_cgroup(&mut self, cg: &Cgroup, ignore_ownership: bool) -> i32 {
        if !self.initialized {
            return ECGROUPNOTINITIALIZED;
        }
        for c in &cg.controllers {
            if !self.is_mounted(&c.name) {
                return ECGROUPSUBSYSNOTMOUNTED;
            }
        }
        let mut retval = 0;
        for c in &cg.controllers {
            let Some(base) = self.build_path(Some(&cg.name), &c.name) else {
                continue;
            };
            if !self.any_cgroup_mounted() {
                return ECGROUPNOTMOUNTED;
            }
            let error = self.mkdir_p(&base);
            if error != 0 {
                return error;
            }
            if !ignore_ownership {
                let mut error = self.chown_recursive(&base, cg.control_uid, cg.control_gid);
                if error == 0 {
                    error = self.chmod_recursive(&base, cg.control_dperm, cg.control_fperm);
                }
                if error != 0 {
                    return error;
                }
            }
            for v in &c.values {
                let path = format!("{base}{}", v.name);
                let error = self.set_control_value(&path, &v.value);
                if error != 0 {
                    let msg = format!("Error: failed to set {path}: {}\n", self.strerror(error));
                    self.log_err(&msg);
                    retval = ECGCANTSETVALUE;
                }
            }
            if !ignore_ownership {
                let path = format!("{base}/tasks");
                let u = self.cred();
                let uid = cg.tasks_uid.unwrap_or(u.uid.0);
                let gid = cg.tasks_gid.unwrap_or(u.gid);
                let mut error = match self.k.chown(self.pid, &path, Some(uid), Some(gid)) {
                    Ok(()) => 0,
                    Err(e) => {
                        self.last_errno = Some(e.errno);
                        ECGOTHER
                    }
                };
                if error == 0
                    && let Some(m) = cg.task_fperm
                {
                    error = self.chmod_path(&path, m, true);
                }
                if error != 0 {
                    return ECGOTHER;
                }
            }
        }
        retval
    }

    // ---- reading groups -----------------------------------------------------------------

    /// `cgroup_get_cgroup`: for every mounted controller whose hierarchy has the group, the
    /// readable `CONTROLLER.*` files in readdir order, values cut to 99 bytes with one
    /// trailing newline removed; owners from the tasks file and the last other file.
    pub fn get_cgroup(&mut self, cg: &mut Cgroup) -> i32 {
        if !self.initialized {
            return ECGROUPNOTINITIALIZED;
        }
        let table = self.table.clone();
        for e in &table {
            let Some(root) = self.build_path(None, &e.name) else {
                continue;
            };
            let probe = format!("{root}{}", cg.name);
            if self.k.access(self.pid, &probe, 0).is_err() {
                continue;
            }
            let Some(path) = self.build_path(Some(&cg.name), &e.name) else {
                continue;
            };
            match self.k.stat(self.pid, &format!("{path}/tasks")) {
                Ok(st) => {
                    cg.tasks_uid = Some(st.uid);
                    cg.tasks_gid = Some(st.gid);
                }
                Err(err) => {
                    self.last_errno = Some(err.errno);
                    cg.controllers.clear();
                    return ECGOTHER;
                }
            }
            if cg.add_controller(&e.name).is_none() {
                cg.controllers.clear();
                return ECGINVAL;
            }
            let entries = match self.k.readdir(self.pid, &path) {
                Ok(v) => v,
                Err(err) => {
                    self.last_errno = Some(err.errno);
                    cg.controllers.clear();
                    return ECGOTHER;
                }
            };
            for d in entries {
                if d.file_type != FileType::Regular {
                    continue;
                }
                let fpath = format!("{path}{}", d.name);
                let Ok(st) = self.k.stat(self.pid, &fpath) else {
                    cg.controllers.clear();
                    return ECGFAIL;
                };
                if d.name != "tasks" {
                    cg.control_uid = Some(st.uid);
                    cg.control_gid = Some(st.gid);
                }
                let mut toks = d.name.split('.').filter(|t| !t.is_empty());
                let (Some(first), Some(_)) = (toks.next(), toks.next()) else {
                    continue;
                };
                if first != e.name {
                    continue;
                }
                let Ok(raw) = self.read_prefix(&fpath, CG_VALUE_MAX - 1) else {
                    continue;
                };
                let mut value = String::from_utf8_lossy(&raw).into_owned();
                if value.ends_with('\n') {
                    value.pop();
                }
                let ctrl = cg.controllers.last_mut().expect("just added");
                if ctrl.add_value(&d.name, &value).is_err() {
                    cg.controllers.clear();
                    return ECGFAIL;
                }
                for v in &mut ctrl.values {
                    v.dirty = false;
                }
            }
        }
        if cg.controllers.is_empty() {
            return ECGROUPNOTEXIST;
        }
        0
    }

    /// `cgroup_read_value_begin/next` as `cgget` uses them: the file's lines as `fgets` with
    /// a 100-byte buffer returns them (pieces of at most 99 bytes). `Err` when the file does
    /// not open.
    pub fn read_value_chunks(
        &mut self,
        ctrl: &str,
        group: &str,
        name: &str,
    ) -> Result<Vec<String>, i32> {
        let Some(dir) = self.build_path(Some(group), ctrl) else {
            return Err(ECGOTHER);
        };
        let path = format!("{dir}/{name}");
        let fd = match self.k.open(self.pid, &path, OpenFlags::RDONLY, 0) {
            Ok(fd) => fd,
            Err(e) => {
                self.last_errno = Some(e.errno);
                return Err(ECGOTHER);
            }
        };
        let mut data = Vec::new();
        let mut buf = vec![0u8; 4096];
        loop {
            match self.k.read(self.pid, fd, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        }
        let _ = self.k.close(self.pid, fd);
        let text = String::from_utf8_lossy(&data).into_owned();
        let mut chunks = Vec::new();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let mut cut = line_end.min(CG_VALUE_MAX - 1);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            chunks.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
        Ok(chunks)
    }

    // ---- writing values -----------------------------------------------------------------

    /// `cgroup_modify_cgroup`: write every value; a failure on a value the caller set (dirty)
    /// stops with its error, one read back from the group (clean) is skipped.
    pub fn modify_cgroup(&mut self, cg: &mut Cgroup) -> i32 {
        if !self.initialized {
            return ECGROUPNOTINITIALIZED;
        }
        for c in &cg.controllers {
            if !self.is_mounted(&c.name) {
                return ECGROUPSUBSYSNOTMOUNTED;
            }
        }
        let name = cg.name.clone();
        for ci in 0..cg.controllers.len() {
            let Some(base) = self.build_path(Some(&name), &cg.controllers[ci].name) else {
                continue;
            };
            for vi in 0..cg.controllers[ci].values.len() {
                let v = cg.controllers[ci].values[vi].clone();
                let error = self.set_control_value(&format!("{base}{}", v.name), &v.value);
                if error != 0 && !v.dirty {
                    continue;
                }
                if error != 0 {
                    return error;
                }
                cg.controllers[ci].values[vi].dirty = false;
            }
        }
        0
    }

    // ---- tasks --------------------------------------------------------------------------

    /// `cgroup_attach_task_pid` for a group with controllers.
    pub fn attach_task_pid(&mut self, cg: &Cgroup, tid: i32) -> i32 {
        if !self.initialized {
            return ECGROUPNOTINITIALIZED;
        }
        for c in &cg.controllers {
            if !self.is_mounted(&c.name) {
                return ECGROUPSUBSYSNOTMOUNTED;
            }
        }
        for c in &cg.controllers {
            let Some(dir) = self.build_path(Some(&cg.name), &c.name) else {
                continue;
            };
            let path = format!("{dir}/tasks");
            let fd = match self.fopen_w(&path) {
                Ok(fd) => fd,
                Err(Errno::EPERM) => return ECGROUPNOTOWNER,
                Err(Errno::ENOENT) => return ECGROUPNOTEXIST,
                Err(_) => return ECGROUPNOTALLOWED,
            };
            let r = self.write_fd(fd, &tid.to_string());
            self.close(fd);
            if let Err(e) = r {
                self.last_errno = Some(e);
                return ECGOTHER;
            }
        }
        0
    }

    /// `cgroup_change_cgroup_path`: `cg_prepare_cgroup` (`*` means every mounted controller)
    /// then attach.
    pub fn change_cgroup_path(&mut self, dest: &str, pid: i32, ctrls: &[String]) -> i32 {
        if !self.initialized {
            return ECGROUPNOTINITIALIZED;
        }
        let mut cg = Cgroup::new(dest);
        for c in ctrls {
            if c == "*" {
                let names: Vec<String> = self.table.iter().map(|e| e.name.clone()).collect();
                for n in names {
                    if cg.add_controller(&n).is_none() {
                        return ECGROUPNOTALLOWED;
                    }
                }
                break;
            }
            if cg.add_controller(c).is_none() {
                return ECGROUPNOTALLOWED;
            }
        }
        self.attach_task_pid(&cg, pid)
    }

    // ---- deleting groups ----------------------------------------------------------------

    /// `cgroup_find_parent`: `Ok(None)` for the root of a hierarchy.
    fn find_parent(&mut self, name: &str, ctrl: &str) -> Result<Option<String>, i32> {
        let Some(child) = self.build_path(Some(name), ctrl) else {
            return Err(ECGFAIL);
        };
        if let Err(e) = self.k.stat(self.pid, &child) {
            self.last_errno = Some(e.errno);
            return Err(ECGOTHER);
        }
        if let Err(e) = self.k.stat(self.pid, &format!("{child}/..")) {
            self.last_errno = Some(e.errno);
            return Err(ECGOTHER);
        }
        let mount = self
            .table
            .iter()
            .find(|e| e.name == ctrl)
            .map(|e| e.paths[0].clone());
        if mount.is_some_and(|m| normalize(&child) == normalize(&m)) {
            return Ok(None);
        }
        let parent = dirname(name);
        if name.is_empty() || parent == name {
            return Ok(None);
        }
        Ok(Some(parent))
    }

    /// `cg_delete_cgroup_controller`: move the group's tasks to `target` (one write per pid),
    /// then `rmdir`.
    fn delete_controller(
        &mut self,
        name: &str,
        ctrl: &str,
        target: Option<cgsim_cgroupfs::Fd>,
        flags: u32,
    ) -> i32 {
        if flags & DELETE_EMPTY_ONLY == 0 {
            let Some(dir) = self.build_path(Some(name), ctrl) else {
                return ECGROUPSUBSYSNOTMOUNTED;
            };
            let path = format!("{dir}tasks");
            let mut ret = 0;
            match self.read_file(&path) {
                Ok(data) => {
                    let text = String::from_utf8_lossy(&data).into_owned();
                    for pid in text.split_whitespace() {
                        let Some(fd) = target else { break };
                        if let Err(e) = self.write_fd(fd, pid) {
                            self.last_errno = Some(e);
                            ret = ECGOTHER;
                            break;
                        }
                    }
                }
                Err(Errno::ENOENT) => {}
                Err(e) => {
                    let msg = format!("Error: cannot open {path}: {}\n", e.strerror());
                    self.log_err(&msg);
                    self.last_errno = Some(e);
                    ret = ECGOTHER;
                }
            }
            if ret != 0 && flags & DELETE_IGNORE_MIGRATION == 0 {
                return ret;
            }
        }
        let Some(path) = self.build_path(Some(name), ctrl) else {
            return ECGROUPSUBSYSNOTMOUNTED;
        };
        match self.k.rmdir(self.pid, &path) {
            Ok(()) => 0,
            Err(e) if e.errno == Errno::ENOENT => 0,
            Err(e) if flags & DELETE_EMPTY_ONLY != 0 && e.errno == Errno::EBUSY => ECGNONEMPTY,
            Err(e) => {
                self.last_errno = Some(e.errno);
                ECGOTHER
            }
        }
    }

    /// `cg_delete_cgroup_controller_recursive`: the subgroups depth first (children before
    /// parents, readdir order), then the group itself when `delete_root`.
    fn delete_controller_recursive(
        &mut self,
        name: &str,
        ctrl: &str,
        target: Option<cgsim_cgroupfs::Fd>,
        flags: u32,
        delete_root: bool,
    ) -> i32 {
        let Some(root) = self.build_path(Some(name), ctrl) else {
            return ECGOTHER;
        };
        let ents = self.fts(&root);
        let group_len = ents.first().map_or(0, |e| e.path.len());
        for e in ents.iter().skip(1) {
            if e.kind == FtsKind::PostDir && e.level > 0 {
                let rel = e.path.get(group_len..).unwrap_or("");
                let child = format!("{name}/{rel}");
                let ret = self.delete_controller(&child, ctrl, target, flags);
                if ret != 0 {
                    return ret;
                }
            }
        }
        if delete_root {
            return self.delete_controller(name, ctrl, target, flags);
        }
        0
    }

    /// `cgroup_delete_cgroup_ext`.
    pub fn delete_cgroup_ext(&mut self, cg: &Cgroup, flags: u32) -> i32 {
        if !self.initialized {
            return ECGROUPNOTINITIALIZED;
        }
        if flags & DELETE_RECURSIVE != 0 && flags & DELETE_EMPTY_ONLY != 0 {
            return ECGINVAL;
        }
        for c in &cg.controllers {
            if !self.is_mounted(&c.name) {
                return ECGROUPSUBSYSNOTMOUNTED;
            }
        }
        let (mut first_error, mut first_errno) = (0, None);
        for c in &cg.controllers {
            let mut parent_name = None;
            let mut delete_group = true;
            if flags & DELETE_EMPTY_ONLY == 0 {
                match self.find_parent(&cg.name, &c.name) {
                    Err(ret) => {
                        if first_error == 0 {
                            first_errno = self.last_errno;
                            first_error = ret;
                        }
                        continue;
                    }
                    Ok(None) => {
                        if flags & DELETE_RECURSIVE != 0 {
                            parent_name = Some(".".to_string());
                            delete_group = false;
                        } else {
                            continue;
                        }
                    }
                    Ok(Some(p)) => parent_name = Some(p),
                }
            }
            let mut target = None;
            if let Some(p) = &parent_name {
                let Some(dir) = self.build_path(Some(p), &c.name) else {
                    if first_error == 0 {
                        first_error = ECGFAIL;
                    }
                    continue;
                };
                match self.fopen_w(&format!("{dir}/tasks")) {
                    Ok(fd) => target = Some(fd),
                    Err(e) => {
                        if first_error == 0 {
                            first_errno = Some(e);
                            first_error = ECGOTHER;
                        }
                        continue;
                    }
                }
            }
            let ret = if flags & DELETE_RECURSIVE != 0 {
                self.delete_controller_recursive(&cg.name, &c.name, target, flags, delete_group)
            } else {
                self.delete_controller(&cg.name, &c.name, target, flags)
            };
            if let Some(fd) = target {
                self.close(fd);
            }
            if ret != 0 && first_error == 0 && (ret != ECGNONEMPTY || first_error == ECGNONEMPTY) {
                first_errno = self.last_errno;
                first_error = ret;
            }
        }
        if first_errno.is_some() {
            self.last_errno = first_errno;
        }
        first_error
    }

    // ---- walking ------------------------------------------------------------------------

    /// `cgroup_walk_tree_begin/next` with `CGROUP_WALK_TYPE_PRE_DIR`: the directories under
    /// (and including) the group, pre-order, readdir order; `Err` when the controller is not
    /// mounted.
    pub fn walk_dirs(&mut self, ctrl: &str, base: &str) -> Result<Vec<String>, i32> {
        let Some(full) = self.build_path(Some(base), ctrl) else {
            return Err(ECGOTHER);
        };
        Ok(self
            .fts(&full)
            .into_iter()
            .filter(|e| e.kind == FtsKind::PreDir)
            .map(|e| e.path)
            .collect())
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum FtsKind {
    PreDir,
    PostDir,
    File,
    NoStat,
}

struct FtsEnt {
    path: String,
    level: usize,
    kind: FtsKind,
}
