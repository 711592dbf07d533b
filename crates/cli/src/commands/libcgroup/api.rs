//! The parts of libcgroup 0.41's library (`src/api.c`, `src/wrapper.c`) its tools call, over
//! the simulated kernel: `cgroup_init`'s mount table, path building, group creation, deletion,
//! reading and writing of control files, attaching tasks, walking a hierarchy.
//!
//! **Follows:** libcgroup v0.41, `src/api.c`: the same system calls in the same order with the
//! same error mapping (`cg_mkdir_p`, `cg_set_control_value`, `cgroup_fill_cgc`,
//! `cg_delete_cgroup_controller`, ...), because what a learner sees (which files are written,
//! which message appears, the exit status `ret & 0xff`) follows from them. Quirks kept on
//! purpose are marked `libcgroup quirk:`.
//! **Differences:** `cgroup_find_parent` decides "is a mount point" by comparing the path with
//! the mount table instead of `st_dev` (the simulated `stat` has no device number); stdio
//! buffering is modelled as "one `write(2)` per `fflush`/`fclose`", which is what glibc does
//! for these short strings; no namespaces (`namespace` sections) and no templates.

use crate::Shell;
use cgsim_cgroupfs::{FileType, Kernel, OpenFlags};
use cgsim_ktypes::{Errno, Pid, SysError};
use std::sync::Arc;

// libcgroup's error codes (include/libcgroup/error.h, v0.41).
pub const ECGROUPNOTMOUNTED: i32 = 50001;
pub const ECGROUPNOTEXIST: i32 = 50002;
pub const ECGROUPSUBSYSNOTMOUNTED: i32 = 50004;
pub const ECGROUPNOTOWNER: i32 = 50005;
pub const ECGROUPNOTALLOWED: i32 = 50007;
pub const ECGMAXVALUESEXCEEDED: i32 = 50008;
pub const ECGVALUEEXISTS: i32 = 50010;
pub const ECGINVAL: i32 = 50011;
pub const ECGFAIL: i32 = 50013;
pub const ECGROUPNOTINITIALIZED: i32 = 50014;
pub const ECGROUPVALUENOTEXIST: i32 = 50015;
pub const ECGOTHER: i32 = 50016;
pub const ECGMOUNTFAIL: i32 = 50021;
pub const ECGEOF: i32 = 50023;
pub const ECGCONFIGPARSEFAIL: i32 = 50024;
pub const ECGMOUNTNAMESPACE: i32 = 50027;
pub const ECGCANTSETVALUE: i32 = 50029;
pub const ECGNONEMPTY: i32 = 50030;

/// `cgroup_strerror_codes[]` of v0.41, indexed by `code % 50000`.
///
/// libcgroup quirk: the enum skips 50022 but the table does not, so from `ECGEOF` on every
/// code prints its successor's text (`ECGCONFIGPARSEFAIL` prints "Have multiple paths for the
/// same namespace", `ECGCANTSETVALUE` prints "Failed to remove a non-empty group").
const STRERROR: [&str; 30] = [
    "Cgroup is not compiled in",
    "Cgroup is not mounted",
    "Cgroup does not exist",
    "Cgroup has not been created",
    "Cgroup one of the needed subsystems is not mounted",
    "Cgroup, request came in from non owner",
    "Cgroup controllers are bound to different mount points",
    "Cgroup, operation not allowed",
    "Cgroup value set exceeds maximum",
    "Cgroup controller already exists",
    "Cgroup value already exists",
    "Cgroup invalid operation",
    "Cgroup, creation of controller failed",
    "Cgroup operation failed",
    "Cgroup not initialized",
    "Cgroup, requested group parameter does not exist",
    "Cgroup generic error",
    "Cgroup values are not equal",
    "Cgroup controllers are different",
    "Cgroup parsing failed",
    "Cgroup, rules file does not exist",
    "Cgroup mounting failed",
    "End of File or iterator",
    "Failed to parse config file",
    "Have multiple paths for the same namespace",
    "Controller in namespace does not exist",
    "Either mount or namespace keyword has to be specified in the configuration file",
    "This kernel does not support this feature",
    "Value setting does not succeed",
    "Failed to remove a non-empty group",
];

/// `CG_VALUE_MAX`: values are read with one `fread` of at most 99 bytes.
pub const CG_VALUE_MAX: usize = 100;
/// `CG_VALUE_MAX` also caps the number of values per controller.
const CG_VALUES_PER_CONTROLLER: usize = 100;

/// One `cg_mount_table` entry: a controller (or `name=X`) and its mount points.
#[derive(Clone, Debug)]
pub struct MountEntry {
    pub name: String,
    pub paths: Vec<String>,
}

/// One `/proc/cgroups` line (`struct controller_data`).
#[derive(Clone, Debug)]
pub struct ControllerData {
    pub name: String,
    pub hierarchy: i32,
    pub num_cgroups: i32,
    pub enabled: i32,
}

/// `struct control_value`.
#[derive(Clone, Debug)]
pub struct Value {
    pub name: String,
    pub value: String,
    pub dirty: bool,
}

/// `struct cgroup_controller`.
#[derive(Clone, Debug)]
pub struct Controller {
    pub name: String,
    pub values: Vec<Value>,
}

/// `struct cgroup`; `None` stands for `NO_UID_GID` / `NO_PERMS`.
#[derive(Clone, Debug, Default)]
pub struct Cgroup {
    pub name: String,
    pub controllers: Vec<Controller>,
    pub tasks_uid: Option<u32>,
    pub tasks_gid: Option<u32>,
    pub task_fperm: Option<u32>,
    pub control_uid: Option<u32>,
    pub control_gid: Option<u32>,
    pub control_fperm: Option<u32>,
    pub control_dperm: Option<u32>,
}

impl Cgroup {
    /// `cgroup_new_cgroup`.
    pub fn new(name: &str) -> Cgroup {
        Cgroup {
            name: name.to_string(),
            ..Cgroup::default()
        }
    }

    /// `cgroup_add_controller`: `None` for a name the group already has.
    pub fn add_controller(&mut self, name: &str) -> Option<&mut Controller> {
        if self.controllers.iter().any(|c| c.name == name) {
            return None;
        }
        self.controllers.push(Controller {
            name: name.to_string(),
            values: Vec::new(),
        });
        self.controllers.last_mut()
    }

    /// `cgroup_get_controller`.
    pub fn controller(&self, name: &str) -> Option<&Controller> {
        self.controllers.iter().find(|c| c.name == name)
    }
}

impl Controller {
    /// `cgroup_add_value_string`: new values are dirty (written by `cgroup_modify_cgroup`
    /// with errors reported).
    pub fn add_value(&mut self, name: &str, value: &str) -> Result<(), i32> {
        if self.values.len() >= CG_VALUES_PER_CONTROLLER {
            return Err(ECGMAXVALUESEXCEEDED);
        }
        if self.values.iter().any(|v| v.name == name) {
            return Err(ECGVALUEEXISTS);
        }
        self.values.push(Value {
            name: name.to_string(),
            value: value.to_string(),
            dirty: true,
        });
        Ok(())
    }
}

/// `struct cgroup_group_spec`: what `-g controllers:path` names.
#[derive(Clone, Debug)]
pub struct GroupSpec {
    pub controllers: Vec<String>,
    pub path: String,
}

/// `parse_cgroup_spec` (src/tools/tools-common.c): `strtok` at `:` for the controller list
/// and the path (so `cpu:/a:b` names `/a`, and an empty part is "missing"), then at `,`.
pub fn parse_cgroup_spec(arg: &str) -> Option<GroupSpec> {
    let mut parts = arg.split(':').filter(|s| !s.is_empty());
    let ctrls = parts.next()?;
    let path = parts.next()?;
    Some(GroupSpec {
        controllers: ctrls
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        path: path.to_string(),
    })
}

/// One libcgroup-using process: the shell, the pid it runs as, its `argv[0]`, the library's
/// global state (`cg_mount_table`, `last_errno`, whether the default logger is installed).
pub struct Lib<'a> {
    pub sh: &'a mut Shell,
    pub pid: Pid,
    pub k: Arc<Kernel>,
    pub prog: String,
    pub table: Vec<MountEntry>,
    pub initialized: bool,
    pub last_errno: Option<Errno>,
    /// `cgroup_set_default_logger` has run: `cgroup_err` messages go to stdout.
    pub logger: bool,
}

/// What a failed system call leaves in `errno`.
fn errno(e: SysError) -> Errno {
    e.errno
}

impl<'a> Lib<'a> {
    pub fn new(sh: &'a mut Shell, pid: Pid, argv: &[String]) -> Lib<'a> {
        let k = sh.kernel().clone();
        Lib {
            sh,
            pid,
            k,
            prog: argv.first().cloned().unwrap_or_default(),
            table: Vec::new(),
            initialized: false,
            last_errno: None,
            logger: false,
        }
    }

    // ---- output -------------------------------------------------------------------------

    /// `printf` to stdout.
    pub fn out(&mut self, text: &str) {
        let _ = self.sh.out(self.pid, text);
    }

    /// `fprintf(stderr, ...)`.
    pub fn err(&mut self, text: &str) {
        self.sh.write_err(self.pid, text);
    }

    /// `cgroup_err`: the default logger prints errors on stdout (src/log.c), once it is set.
    pub fn log_err(&mut self, text: &str) {
        if self.logger {
            self.out(text);
        }
    }

    /// `cgroup_strerror`.
    pub fn strerror(&self, code: i32) -> String {
        if code == ECGOTHER {
            return self
                .last_errno
                .map_or("Success", Errno::strerror)
                .to_string();
        }
        let i = (code % 50000) as usize;
        STRERROR.get(i).copied().unwrap_or("").to_string()
    }

    /// The usage hint every tool prints after a bad option (`usage(1, argv[0])`).
    pub fn wrong_input(&mut self, how: &str) {
        let text = format!(
            "Wrong input parameters, try {} {how}' for more information.\n",
            self.prog
        );
        self.err(&text);
    }

    // ---- small system-call helpers ------------------------------------------------------

    pub fn read_file(&mut self, path: &str) -> Result<Vec<u8>, Errno> {
        super::super::nss::read_file(&self.k, self.pid, path).map_err(errno)
    }

    /// `fopen(path, "r")` + one `fread(buf, 1, max, f)`: at most `max` bytes; a read error
    /// gives what was read before it (nothing, for a file without a read handler).
    fn read_prefix(&mut self, path: &str, max: usize) -> Result<Vec<u8>, Errno> {
        let fd = self
            .k
            .open(self.pid, path, OpenFlags::RDONLY, 0)
            .map_err(errno)?;
        let mut data = Vec::new();
        let mut buf = vec![0u8; 4096];
        while data.len() < max {
            match self.k.read(self.pid, fd, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        }
        data.truncate(max);
        let _ = self.k.close(self.pid, fd);
        Ok(data)
    }

    /// Open `path` for writing as stdio's `fopen(path, "we")` does: `O_WRONLY|O_CREAT|O_TRUNC`.
    pub fn fopen_w(&mut self, path: &str) -> Result<cgsim_cgroupfs::Fd, Errno> {
        self.k
            .open(self.pid, path, OpenFlags::REDIRECT_TRUNC, 0o666)
            .map_err(errno)
    }

    /// `fprintf(f, "%d", n); fflush(f)`: one write.
    pub fn write_fd(&mut self, fd: cgsim_cgroupfs::Fd, text: &str) -> Result<(), Errno> {
        self.k
            .write(self.pid, fd, text.as_bytes())
            .map(|_| ())
            .map_err(errno)
    }

    pub fn close(&mut self, fd: cgsim_cgroupfs::Fd) {
        let _ = self.k.close(self.pid, fd);
    }

    pub fn is_dir(&self, path: &str) -> bool {
        self.k
            .stat(self.pid, path)
            .is_ok_and(|s| s.file_type == FileType::Directory)
    }

    fn cred(&self) -> cgsim_ktypes::Cred {
        self.k
            .ps()
            .into_iter()
            .find(|p| p.pid == self.pid)
            .map_or(cgsim_ktypes::Cred::ROOT, |p| p.cred)
    }

    // ---- cgroup_init --------------------------------------------------------------------

    /// The controllers of `/proc/cgroups` (`cgroup_get_all_controller_begin/next`).
    pub fn all_controllers(&mut self) -> Result<Vec<ControllerData>, i32> {
        let data = match self.read_file("/proc/cgroups") {
            Ok(d) => d,
            Err(e) => {
                self.last_errno = Some(e);
                return Err(ECGOTHER);
            }
        };
        let text = String::from_utf8_lossy(&data).into_owned();
        let mut out = Vec::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 4 {
                break;
            }
            let num = |s: &str| s.parse::<i32>().ok();
            match (num(f[1]), num(f[2]), num(f[3])) {
                (Some(hierarchy), Some(num_cgroups), Some(enabled)) => out.push(ControllerData {
                    name: f[0].to_string(),
                    hierarchy,
                    num_cgroups,
                    enabled,
                }),
                _ => break,
            }
        }
        Ok(out)
    }

    /// `cgroup_init`: the controllers of `/proc/cgroups` and, for every `cgroup` line of
    /// `/proc/mounts`, each controller named in its options (in `/proc/cgroups` order), then
    /// its `name=` option; a controller seen again adds a mount point to its entry.
    pub fn init(&mut self) -> i32 {
        self.logger = true;
        self.table.clear();
        self.initialized = false;
        let ctrls: Vec<String> = match self.read_file("/proc/cgroups") {
            Ok(d) => String::from_utf8_lossy(&d)
                .lines()
                .skip(1)
                .filter_map(|l| l.split_whitespace().next().map(str::to_string))
                .collect(),
            Err(e) => {
                let msg = format!("Error: cannot open /proc/cgroups: {}\n", e.strerror());
                self.log_err(&msg);
                self.last_errno = Some(e);
                return ECGOTHER;
            }
        };
        let mounts = match self.read_file("/proc/mounts") {
            Ok(d) => String::from_utf8_lossy(&d).into_owned(),
            Err(e) => {
                let msg = format!("Error: cannot open /proc/mounts: {}\n", e.strerror());
                self.log_err(&msg);
                self.last_errno = Some(e);
                return ECGOTHER;
            }
        };
        for line in mounts.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 4 || f[2] != "cgroup" {
                continue;
            }
            let dir = unmangle(f[1]);
            let opts: Vec<&str> = f[3].split(',').collect();
            for c in &ctrls {
                // hasmntopt: an option equal to the name or starting with `name=`.
                if !opts
                    .iter()
                    .any(|o| *o == c || o.starts_with(&format!("{c}=")))
                {
                    continue;
                }
                self.add_mount(c, &dir);
            }
            if let Some(name) = opts
                .iter()
                .find(|o| **o == "name" || o.starts_with("name="))
            {
                self.add_mount(name, &dir);
            }
        }
        if self.table.is_empty() {
            return ECGROUPNOTMOUNTED;
        }
        self.initialized = true;
        0
    }

    fn add_mount(&mut self, name: &str, dir: &str) {
        match self.table.iter_mut().find(|e| e.name == name) {
            Some(e) => e.paths.push(dir.to_string()),
            None => self.table.push(MountEntry {
                name: name.to_string(),
                paths: vec![dir.to_string()],
            }),
        }
    }

    /// `cgroup_test_subsys_mounted`.
    pub fn is_mounted(&self, name: &str) -> bool {
        self.table.iter().any(|e| e.name == name)
    }

    /// `cg_test_mounted_fs`: is any cgroup filesystem in `/proc/mounts`?
    fn any_cgroup_mounted(&mut self) -> bool {
        self.read_file("/proc/mounts").is_ok_and(|d| {
            String::from_utf8_lossy(&d)
                .lines()
                .any(|l| l.split_whitespace().nth(2) == Some("cgroup"))
        })
    }

    /// `cg_build_path`: `MOUNT/` and, with a name, `cg_concat_path` (the name's leading `/`
    /// dropped, a trailing `/` added).
    pub fn build_path(&self, name: Option<&str>, ctrl: &str) -> Option<String> {
        let e = self.table.iter().find(|e| e.name == ctrl)?;
        let base = format!("{}/", e.paths[0]);
        Some(match name {
            None => base,
            Some(n) => concat_path(&base, n),
        })
    }

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

/// `CGFLAG_DELETE_*` (include/libcgroup/groups.h).
pub const DELETE_IGNORE_MIGRATION: u32 = 1;
pub const DELETE_RECURSIVE: u32 = 2;
pub const DELETE_EMPTY_ONLY: u32 = 4;

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

/// `cg_concat_path`.
pub fn concat_path(pref: &str, suf: &str) -> String {
    let tail = suf.strip_prefix('/').unwrap_or(suf);
    if suf.ends_with('/') || (suf.is_empty() && pref.ends_with('/')) {
        format!("{pref}{tail}")
    } else {
        format!("{pref}{tail}/")
    }
}

/// A path with `.`, `..` and repeated or trailing slashes resolved lexically (what comparing
/// `st_dev` of `PATH` and `PATH/..` tells about a mount point, for the simulator's paths).
fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// POSIX `dirname`.
pub fn dirname(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { ".".into() } else { "/".into() };
    }
    match t.rfind('/') {
        None => ".".into(),
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                "/".into()
            } else {
                d.to_string()
            }
        }
    }
}

/// `getmntent`'s unescaping of `\040`-style octal escapes in `/proc/mounts`.
fn unmangle(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len() + 0
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `parse_uid_gid` (tools-common.c): `user:group`, `user`, `:group`; names only (no numbers),
/// looked up in `/etc/passwd` and `/etc/group`. On error prints libcgroup's message.
pub fn parse_uid_gid(lib: &mut Lib, s: &str) -> Result<(Option<u32>, Option<u32>), ()> {
    let (user, group) = if s.starts_with(':') {
        (None, s.split(':').find(|t| !t.is_empty()))
    } else {
        let mut it = s.split(':').filter(|t| !t.is_empty());
        (it.next(), it.next())
    };
    let mut uid = None;
    let mut gid = None;
    if let Some(u) = user {
        match super::super::nss::getpwnam(&lib.k, lib.pid, u) {
            Some(p) => uid = Some(p.uid),
            None => {
                let msg = format!("{}: can't find uid of user {u}.\n", lib.prog);
                lib.err(&msg);
                return Err(());
            }
        }
    }
    if let Some(g) = group {
        match super::super::nss::getgrnam(&lib.k, lib.pid, g) {
            Some(gr) => gid = Some(gr.gid),
            None => {
                let msg = format!("{}: can't find gid of group {g}.\n", lib.prog);
                lib.err(&msg);
                return Err(());
            }
        }
    }
    Ok((uid, gid))
}

/// `parse_mode` (tools-common.c): 3 or 4 octal digits; the error goes to stdout.
pub fn parse_mode(lib: &mut Lib, s: &str) -> Result<u32, ()> {
    if (3..=4).contains(&s.len())
        && let Ok(m) = u32::from_str_radix(s, 8)
    {
        return Ok(m);
    }
    let msg = format!("{} wrong mode format {s}\n", lib.prog);
    lib.out(&msg);
    Err(())
}

/// The exit status a C `return ret;` from `main` gives.
pub fn status(ret: i32) -> i32 {
    ret & 0xff
}
