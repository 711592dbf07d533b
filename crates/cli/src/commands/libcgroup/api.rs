//! The parts of libcgroup 0.41's library (`src/api.c`, `src/wrapper.c`) its tools call, over
//! the simulated kernel: error codes and texts, `struct cgroup`, `cgroup_init`'s mount table,
//! path building, the tools' shared parsing (`-g controllers:path`, `user:group`, modes).
//! What the library does to groups (create, read, write, attach, delete, walk) is in `ops.rs`.
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
pub(super) fn errno(e: SysError) -> Errno {
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
    pub(super) fn read_prefix(&mut self, path: &str, max: usize) -> Result<Vec<u8>, Errno> {
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

    pub(super) fn cred(&self) -> cgsim_ktypes::Cred {
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
    pub(super) fn any_cgroup_mounted(&mut self) -> bool {
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
}

/// `CGFLAG_DELETE_*` (include/libcgroup/groups.h).
pub const DELETE_IGNORE_MIGRATION: u32 = 1;
pub const DELETE_RECURSIVE: u32 = 2;
pub const DELETE_EMPTY_ONLY: u32 = 4;

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
pub(super) fn normalize(p: &str) -> String {
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
            && i + 3 < b.len()
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

/// An error whose message the function has already printed, as the C tools do.
#[derive(Debug)]
pub struct Reported;

/// `parse_uid_gid` (tools-common.c): `user:group`, `user`, `:group`; names only (no numbers),
/// looked up in `/etc/passwd` and `/etc/group`. On error prints libcgroup's message.
pub fn parse_uid_gid(lib: &mut Lib, s: &str) -> Result<(Option<u32>, Option<u32>), Reported> {
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
                return Err(Reported);
            }
        }
    }
    if let Some(g) = group {
        match super::super::nss::getgrnam(&lib.k, lib.pid, g) {
            Some(gr) => gid = Some(gr.gid),
            None => {
                let msg = format!("{}: can't find gid of group {g}.\n", lib.prog);
                lib.err(&msg);
                return Err(Reported);
            }
        }
    }
    Ok((uid, gid))
}

/// `parse_mode` (tools-common.c): 3 or 4 octal digits; the error goes to stdout.
pub fn parse_mode(lib: &mut Lib, s: &str) -> Result<u32, Reported> {
    if (3..=4).contains(&s.len())
        && let Ok(m) = u32::from_str_radix(s, 8)
    {
        return Ok(m);
    }
    let msg = format!("{} wrong mode format {s}\n", lib.prog);
    lib.out(&msg);
    Err(Reported)
}

/// The exit status a C `return ret;` from `main` gives.
pub fn status(ret: i32) -> i32 {
    ret & 0xff
}
