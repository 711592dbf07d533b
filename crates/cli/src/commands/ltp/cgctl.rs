//! `tst_cgctl require CTRL PID | cleanup CONFIG | print | help` (LTP 20250530,
//! `testcases/lib/tst_cgctl.c`), doing what LTP's C cgroup library (`lib/tst_cgroup.c`) does.
//!
//! **Real tool:** `require` scans `/proc/self/mounts` for cgroup mounts (`tst_cg_scan`); when
//! the controller is not mounted it tries cgroup2 on `$TMPDIR/cgroup_unified`, then a v1
//! hierarchy of that controller alone on `$TMPDIR/cgroup_CTRL` (writing 1 to the new memory
//! root's `memory.use_hierarchy`), then makes `ltp/` (mode 0777, umask 0), writes 1 to
//! `ltp/cgroup.clone_children` (v1), makes `ltp/drain/` and `ltp/test-PID/`, and prints the
//! state (`tst_cg_print_config`): a header line, then one tab-separated line per known
//! controller, `name version we_require_it mount we_mounted_it ltp_created test_dir`.
//! `cleanup` reads that state back (`tst_cg_load_config`), moves the tasks of the test
//! directory to `drain` and those of `drain` to the root, removes what it made, and unmounts
//! and removes what it mounted. Messages are the library's `FILE:LINE: TTYPE: ...` lines on
//! standard error; a `tst_brk` exits with the result type (TBROK 2, TCONF 32).
//!
//! On a `cgroup2` mount the controllers are those of its root's `cgroup.controllers` (the V2
//! root, version 2 in the state): `require` writes `+CTRL` to the root's and to `ltp/`'s
//! `cgroup.subtree_control` instead of `cgroup.clone_children`, `cleanup` drains through
//! `cgroup.procs` and, when it mounted the hierarchy, writes `-CTRL` to the root for every
//! controller there before unmounting. So on the 6.6 preset, with nothing mounted, memory is
//! used on the unified hierarchy and `memcg_lib.sh` skips its v1-only tests (TCONF), as on a
//! real 6.6 machine.
//!
//! **Kernel:** 2.6.35 has no cgroup2 (`mount` fails with ENODEV, so the library says `Could not
//! mount V2 CGroups`) and no `cgroup.clone_children` (added in 2.6.38): on it the library stops
//! with TBROK at that write, as it does on a real 2.6.35 machine.
//!
//! **Differences:** the file descriptor numbers in messages are counted as the C library
//! leaves them open (`setmntent` streams are never closed); `umount2(MNT_DETACH)` is a plain
//! `umount` (the simulated kernel has no lazy unmount); an unknown controller name gets the
//! library's `'NAME' controller is unknown to LTP` TBROK, where 20250530's `tst_cg_require`
//! reads through the NULL it found first and the real helper dies with SIGSEGV.

use super::{TestRes, terrno, tst_print};
use crate::Shell;
use crate::commands::{Kind, Registry};
use cgsim_cgroupfs::{Fd, Kernel, OpenFlags};
use cgsim_ktypes::{Errno, Pid};

pub(super) fn register(r: &mut Registry) {
    r.add(
        "tst_cgctl",
        "tst_cgctl require CTRL PID | cleanup CONFIG | print | help",
        "LTP: set up and clean up the cgroups a test uses",
        Kind::External(tst_cgctl),
    );
    r.set_help("tst_cgctl", USAGE);
}

const USAGE: &str = "Usage: tst_cgctl require [controller] [test_pid]\n\tcleanup [config (output of tst_cg_print_config)]\n\tprint\n\thelp\n";

const CGSC: &str = "cgroup.subtree_control";

const HEADER: &str =
    "ctrl_name ver we_require_it mnt_path we_mounted_it ltp_dir.we_created_it test_dir.dir_name";

/// `controllers[]` in its order (index 0, `cgroup`, is never printed).
const CTRLS: [&str; 18] = [
    "memory",
    "cpu",
    "cpuset",
    "dmem",
    "io",
    "pids",
    "hugetlb",
    "cpuacct",
    "devices",
    "freezer",
    "net_cls",
    "net_prio",
    "blkio",
    "misc",
    "perf_event",
    "debug",
    "rdma",
    "base",
];

/// One hierarchy (`struct cgroup_root`).
#[derive(Clone, Debug, Default)]
struct Root {
    ver: u32,
    mnt_path: String,
    /// The fd numbers of the root's and of `ltp/`'s `O_PATH` opens (for messages).
    mnt_fd: i32,
    ltp_fd: i32,
    ctrls: Vec<usize>,
    we_mounted_it: bool,
    mnt_we_created: bool,
    ltp_created: Option<bool>,
    drain_created: bool,
    test_dir: Option<String>,
}

/// The library's state in one helper run.
struct Lib<'a> {
    k: &'a Kernel,
    pid: Pid,
    roots: Vec<Root>,
    /// `ctrl_root` per controller index of [`CTRLS`].
    ctrl_root: [Option<usize>; 18],
    we_require_it: [bool; 18],
    /// The next fd number the C library would get (its streams and `O_PATH` fds stay open).
    next_fd: i32,
}

/// `tst_brk`: the message, then the exit status.
struct Brk(i32);

/// `cgroup_find_ctrl`: the leading `[_a-z]` run, compared as a prefix.
fn find_ctrl(name: &str) -> Option<usize> {
    let l = name
        .bytes()
        .take_while(|c| *c == b'_' || c.is_ascii_lowercase())
        .count();
    if l < name.len() && !name[l..].starts_with('\n') {
        return None;
    }
    CTRLS
        .iter()
        .position(|c| c.as_bytes().starts_with(&name.as_bytes()[..l]) && l > 0 && c.len() >= l)
        .filter(|&i| CTRLS[i].as_bytes()[..l] == name.as_bytes()[..l])
}

impl<'a> Lib<'a> {
    fn new(k: &'a Kernel, pid: Pid) -> Lib<'a> {
        Lib {
            k,
            pid,
            roots: Vec::new(),
            ctrl_root: [None; 18],
            we_require_it: [false; 18],
            next_fd: 3,
        }
    }

    fn res(&self, line: u32, res: TestRes, msg: &str) {
        tst_print(self.k, self.pid, "tst_cgroup.c", line, res, msg);
    }

    fn brk(&self, line: u32, res: TestRes, msg: &str) -> Brk {
        self.res(line, res, msg);
        Brk(res as i32)
    }

    fn read(&self, path: &str) -> Option<String> {
        let fd = self.k.open(self.pid, path, OpenFlags::RDONLY, 0).ok()?;
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = self.k.read(self.pid, fd, &mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        let _ = self.k.close(self.pid, fd);
        Some(String::from_utf8_lossy(&out).into_owned())
    }

    fn write(&self, path: &str, data: &str) -> Result<(), Errno> {
        let fd = self
            .k
            .open(self.pid, path, OpenFlags::WRONLY, 0)
            .map_err(|e| e.errno)?;
        let r = self.k.write(self.pid, fd, data.as_bytes());
        let _ = self.k.close(self.pid, fd);
        r.map(|_| ()).map_err(|e| e.errno)
    }

    /// `tst_cg_scan`: every `cgroup` and `cgroup2` mount of `/proc/self/mounts`
    /// (`cgroup_root_scan`). A `cgroup2` mount's controllers are the words of its root's
    /// `cgroup.controllers`; the first one makes the V2 root and later ones with the same
    /// controllers are discarded. A `cgroup` mount's controllers are its mount options.
    fn scan(&mut self) {
        // setmntent's stream is never closed.
        self.next_fd += 1;
        let mounts = self.read("/proc/self/mounts").unwrap_or_default();
        for line in mounts.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            if f.len() < 4 || !f[2].starts_with("cgroup") {
                continue;
            }
            let mnt_path = f[1].replace("\\040", " ");
            if f[2] != "cgroup" {
                let Some(list) = self.read(&format!("{mnt_path}/cgroup.controllers")) else {
                    continue;
                };
                let ctrls: Vec<usize> = list.split(' ').filter_map(find_ctrl).collect();
                if self.roots.iter().any(|r| r.ver == 2) {
                    continue;
                }
                self.add_root(2, mnt_path, ctrls);
                continue;
            }
            let ctrls: Vec<usize> = f[3].split(',').filter_map(find_ctrl).collect();
            if ctrls.is_empty() {
                continue;
            }
            if self.roots.iter().any(|r| r.ver == 1 && r.ctrls == ctrls) {
                continue;
            }
            self.add_root(1, mnt_path, ctrls);
        }
    }

    /// The `backref` half of `cgroup_root_scan`: record the root and point its controllers at it.
    fn add_root(&mut self, ver: u32, mnt_path: String, ctrls: Vec<usize>) {
        // The root's O_PATH fd stays open.
        let mnt_fd = self.next_fd;
        self.next_fd += 1;
        let idx = self.roots.len();
        self.roots.push(Root {
            ver,
            mnt_path,
            mnt_fd,
            ctrls: ctrls.clone(),
            ..Root::default()
        });
        for c in ctrls {
            self.ctrl_root[c] = Some(idx);
        }
    }

    /// `for_each_root`: the V2 root (`roots[0]`) first, then the V1 roots in the order found.
    fn roots_in_order(&self) -> Vec<Root> {
        let mut v: Vec<Root> = self.roots.iter().filter(|r| r.ver == 2).cloned().collect();
        v.extend(self.roots.iter().filter(|r| r.ver == 1).cloned());
        v
    }

    /// `SAFE_FILE_PRINTFAT(dir_fd, name, ...)` at `line` of `tst_cgroup.c`: TBROK with the
    /// message of `safe_file_vprintfat` for the open or the write that failed.
    fn safe_printfat(
        &self,
        line: u32,
        (dir, fd): (&str, i32),
        name: &str,
        (fmt, text): (&str, &str),
    ) -> Result<(), Brk> {
        let path = format!("{dir}/{name}");
        let f = match self.k.open(self.pid, &path, OpenFlags::WRONLY, 0) {
            Ok(f) => f,
            Err(e) => {
                return Err(self.brk(
                    line,
                    TestRes::Brok,
                    &format!("openat({fd}<{dir}>, '{name}', O_WRONLY){}", terrno(e.errno)),
                ));
            }
        };
        let r = self.k.write(self.pid, f, text.as_bytes());
        let _ = self.k.close(self.pid, f);
        r.map(|_| ()).map_err(|e| {
            self.brk(
                line,
                TestRes::Brok,
                &format!(
                    "vdprintf({fd}<{dir}>, '{name}', '{fmt}'<{text}>){}",
                    terrno(e.errno)
                ),
            )
        })
    }

    fn tmpdir(&self, sh: &Shell) -> String {
        // getenv("TMPDIR"): the variables the shell exported, else the library's TEMPDIR.
        sh.environ()
            .into_iter()
            .find(|(n, _)| n == "TMPDIR")
            .map_or_else(|| "/tmp".to_string(), |(_, v)| v)
    }

    /// `cgroup_mount_v2`: on the 6.6 preset the mount succeeds and the scan records the V2
    /// root; the older presets have no cgroup2, so there it ends with ENODEV.
    fn mount_v2(&mut self, sh: &Shell) -> Result<(), Brk> {
        let path = format!("{}/cgroup_unified", self.tmpdir(sh));
        let made = match self.k.mkdir(self.pid, &path, 0o777) {
            Ok(()) => true,
            Err(e) if e.errno == Errno::EEXIST => false,
            Err(e) if e.errno == Errno::EACCES => {
                self.res(
                    715,
                    TestRes::Info,
                    &format!(
                        "Lack permission to make {path}, premake it or run as root{}",
                        terrno(e.errno)
                    ),
                );
                return Ok(());
            }
            Err(e) => {
                return Err(self.brk(
                    721,
                    TestRes::Brok,
                    &format!("mkdir({path}, 0777){}", terrno(e.errno)),
                ));
            }
        };
        let mut r = self.k.mount(
            self.pid,
            "cgroup2",
            &path,
            "cgroup2",
            false,
            Some("memory_recursiveprot"),
        );
        if matches!(&r, Err(e) if e.errno == Errno::EINVAL) {
            r = self
                .k
                .mount(self.pid, "cgroup2", &path, "cgroup2", false, None);
        }
        match r {
            Ok(()) => {
                self.res(733, TestRes::Info, &format!("Mounted V2 CGroups on {path}"));
                self.scan();
                if let Some(root) = self.roots.iter_mut().find(|r| r.ver == 2) {
                    root.we_mounted_it = true;
                    root.mnt_we_created = made;
                }
            }
            Err(e) => {
                self.res(
                    739,
                    TestRes::Info,
                    &format!("Could not mount V2 CGroups on {path}{}", terrno(e.errno)),
                );
                if made {
                    self.rmdir(743, &path, false)?;
                }
            }
        }
        Ok(())
    }

    /// `cgroup_mount_v1`.
    fn mount_v1(&mut self, sh: &Shell, c: usize) -> Result<(), Brk> {
        let name = CTRLS[c];
        let path = format!("{}/cgroup_{name}", self.tmpdir(sh));
        let made = match self.k.mkdir(self.pid, &path, 0o777) {
            Ok(()) => true,
            Err(e) if e.errno == Errno::EEXIST => false,
            Err(e) if e.errno == Errno::EACCES => {
                self.res(
                    771,
                    TestRes::Info,
                    &format!(
                        "Lack permission to make {path}, premake it or run as root{}",
                        terrno(e.errno)
                    ),
                );
                return Ok(());
            }
            Err(e) => {
                return Err(self.brk(
                    777,
                    TestRes::Brok,
                    &format!("mkdir({path}, 0777){}", terrno(e.errno)),
                ));
            }
        };
        if let Err(e) = self
            .k
            .mount(self.pid, name, &path, "cgroup", false, Some(name))
        {
            self.res(
                783,
                TestRes::Info,
                &format!("Could not mount V1 CGroup on {path}{}", terrno(e.errno)),
            );
            if made {
                let _ = self.k.rmdir(self.pid, &path);
            }
            return Ok(());
        }
        self.res(
            791,
            TestRes::Info,
            &format!("Mounted V1 {name} CGroup on {path}"),
        );
        self.scan();
        let Some(r) = self.ctrl_root[c] else {
            return Ok(());
        };
        self.roots[r].we_mounted_it = true;
        self.roots[r].mnt_we_created = made;
        if name == "memory" {
            let f = format!("{path}/memory.use_hierarchy");
            if let Err(e) = self.write(&f, "1") {
                let fd = self.next_fd - 1;
                return Err(self.brk(
                    800,
                    TestRes::Brok,
                    &format!(
                        "openat({fd}<{path}>, 'memory.use_hierarchy', O_WRONLY){}",
                        terrno(e)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `cgroup_dir_mk`: `mkdirat(parent, name, 0777)` with umask 0, EEXIST accepted; the
    /// directory's `O_PATH` fd stays open. Returns whether it was made.
    fn dir_mk(&mut self, parent: &str, name: &str) -> Result<bool, Brk> {
        let path = format!("{parent}/{name}");
        let made = match self.k.mkdir(self.pid, &path, 0o777) {
            Ok(()) => {
                let _ = self.k.chmod(self.pid, &path, 0o777);
                true
            }
            Err(e) if e.errno == Errno::EEXIST => false,
            Err(e) if e.errno == Errno::EACCES => {
                return Err(self.brk(
                    402,
                    TestRes::Conf,
                    &format!(
                        "Lack permission to make '{parent}/{name}'; premake it or run as root{}",
                        terrno(e.errno)
                    ),
                ));
            }
            Err(e) if e.errno == Errno::EROFS => {
                return Err(self.brk(
                    406,
                    TestRes::Conf,
                    &format!("'{parent}/{name}' must not be read-only{}", terrno(e.errno)),
                ));
            }
            Err(e) => {
                let fd = self.next_fd - 1;
                return Err(self.brk(
                    409,
                    TestRes::Brok,
                    &format!("mkdirat({fd}<{parent}>, '{name}', 0777){}", terrno(e.errno)),
                ));
            }
        };
        self.next_fd += 1;
        Ok(made)
    }

    /// `tst_cg_require`.
    fn require(&mut self, sh: &Shell, name: &str, test_pid: i64) -> Result<(), Brk> {
        let l = name
            .bytes()
            .take_while(|c| *c == b'_' || c.is_ascii_lowercase())
            .count();
        if let Some(c) = name[l..].chars().next()
            && c != '\n'
        {
            return Err(self.brk(
                470,
                TestRes::Brok,
                &format!("Unexpected char in {name}: {c}"),
            ));
        }
        let Some(c) = find_ctrl(name) else {
            return Err(self.brk(
                860,
                TestRes::Brok,
                &format!("'{name}' controller is unknown to LTP"),
            ));
        };
        let base = CTRLS[c] == "base";
        if base {
            return Err(self.brk(
                857,
                TestRes::Conf,
                "Base control only support needs_ver TST_CG_V2!",
            ));
        }
        self.we_require_it[c] = true;
        if self.ctrl_root[c].is_none() {
            self.scan();
        }
        if self.ctrl_root[c].is_none() {
            self.mount_v2(sh)?;
        }
        if self.ctrl_root[c].is_none() {
            self.mount_v1(sh, c)?;
        }
        let Some(r) = self.ctrl_root[c] else {
            return Err(self.brk(
                891,
                TestRes::Conf,
                &format!("'{}' controller required, but not available", CTRLS[c]),
            ));
        };
        let mnt = self.roots[r].mnt_path.clone();
        let ltp = format!("{mnt}/ltp");
        let on_v2 = self.roots[r].ver == 2;
        let plus = format!("+{}", CTRLS[c]);
        if on_v2 {
            // The root's subtree_control: checked only when the library mounted the hierarchy.
            if self.roots[r].we_mounted_it {
                let root_dir = (mnt.as_str(), self.roots[r].mnt_fd);
                self.safe_printfat(918, root_dir, CGSC, ("+%s", &plus))?;
            } else {
                let _ = self.write(&format!("{mnt}/{CGSC}"), &plus);
            }
        }
        if self.roots[r].ltp_created.is_none() {
            self.roots[r].ltp_fd = self.next_fd;
            let made = self.dir_mk(&mnt, "ltp")?;
            self.roots[r].ltp_created = Some(made);
        }
        if on_v2 {
            let ltp_dir = (ltp.as_str(), self.roots[r].ltp_fd);
            self.safe_printfat(933, ltp_dir, CGSC, ("+%s", &plus))?;
        } else if let Err(e) = self.write(&format!("{ltp}/cgroup.clone_children"), "1") {
            let fd = self.next_fd - 1;
            return Err(self.brk(
                936,
                TestRes::Brok,
                &format!(
                    "openat({fd}<{ltp}>, 'cgroup.clone_children', O_WRONLY){}",
                    terrno(e)
                ),
            ));
        }
        if CTRLS[c] == "cpuset" && !on_v2 {
            for f in ["cpuset.mems", "cpuset.cpus"] {
                let v = self.read(&format!("{mnt}/{f}")).unwrap_or_default();
                let _ = self.write(&format!("{ltp}/{f}"), &v);
            }
        }
        let drain = self.dir_mk(&ltp, "drain")?;
        self.roots[r].drain_created = drain;
        let test = format!("test-{test_pid}");
        self.dir_mk(&ltp, &test)?;
        self.roots[r].test_dir = Some(test);
        Ok(())
    }

    /// `tst_cg_print_config`.
    fn print_config(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for (c, name) in CTRLS.iter().enumerate() {
            let Some(r) = self.ctrl_root[c] else { continue };
            let root = &self.roots[r];
            out.push_str(&format!(
                "{name}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                root.ver,
                i32::from(self.we_require_it[c]),
                root.mnt_path,
                i32::from(root.we_mounted_it),
                i32::from(root.ltp_created == Some(true)),
                root.test_dir.as_deref().unwrap_or("NULL"),
            ));
        }
        out
    }

    /// `tst_cg_load_config`.
    fn load_config(&mut self, config: &str) -> Result<(), Brk> {
        for line in config.split('\n').filter(|l| !l.is_empty()).skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let num = |s: &str| s.parse::<i64>().ok();
            if f.len() < 7 || num(f[1]).is_none() || num(f[2]).is_none() {
                return Err(self.brk(
                    505,
                    TestRes::Brok,
                    "Incorrect number of vars read from config. Config possibly malformed?",
                ));
            }
            let Some(c) = find_ctrl(f[0]) else {
                return Err(self.brk(
                    509,
                    TestRes::Brok,
                    "Could not find ctrl from config. Ctrls changing between calls?",
                ));
            };
            self.we_require_it[c] = num(f[2]) != Some(0);
            let Some(r) = self.roots.iter().position(|r| r.mnt_path == f[3]) else {
                return Err(self.brk(
                    515,
                    TestRes::Brok,
                    "Could not find root from config. Config possibly malformed?",
                ));
            };
            if num(f[4]).unwrap_or(0) != 0 {
                self.roots[r].we_mounted_it = true;
            }
            let mnt = self.roots[r].mnt_path.clone();
            let ltp = format!("{mnt}/ltp");
            if self.roots[r].ltp_created.is_none() {
                self.dir_mk(&mnt, "ltp")?;
                self.dir_mk(&ltp, "drain")?;
                let created = num(f[5]).unwrap_or(0) != 0;
                self.roots[r].ltp_created = Some(created);
                self.roots[r].drain_created = created;
            }
            if self.roots[r].test_dir.is_none() && f[6] != "NULL" {
                self.dir_mk(&ltp, f[6])?;
                self.roots[r].test_dir = Some(f[6].to_string());
            }
        }
        Ok(())
    }

    /// `cgroup_drain`: every task of `from` into `to` (`tasks` on V1, `cgroup.procs` on V2).
    fn drain(&self, ver: u32, from: &str, to: &str) -> Result<(), Brk> {
        let file = if ver == 1 { "tasks" } else { "cgroup.procs" };
        let Some(list) = self.read(&format!("{from}/{file}")) else {
            return Ok(());
        };
        let Ok(fd) = self
            .k
            .open(self.pid, &format!("{to}/{file}"), OpenFlags::WRONLY, 0)
        else {
            return Ok(());
        };
        for tok in list.split('\n').filter(|t| !t.is_empty()) {
            if let Err(e) = self.k.write(self.pid, fd, tok.as_bytes()) {
                let _ = self.k.close(self.pid, fd);
                return Err(self.brk(
                    977,
                    TestRes::Brok,
                    &format!("Failed to drain {tok}{}", terrno(e.errno)),
                ));
            }
        }
        let _ = self.k.close(self.pid, fd);
        Ok(())
    }

    /// `SAFE_RMDIR(path)` (`rmdir(PATH) failed`), or with `dir` and `name`,
    /// `SAFE_UNLINKAT(dir_fd, name, AT_REMOVEDIR)`. The fd number in that message is the
    /// directory's `O_PATH` fd, which the library opened after its two `setmntent` streams.
    fn rmdir(&self, line: u32, path: &str, at: bool) -> Result<(), Brk> {
        self.k.rmdir(self.pid, path).map_err(|e| {
            let msg = match path.rsplit_once('/') {
                Some((dir, name)) if at => {
                    let fd = self.next_fd - 1;
                    format!("unlinkat({fd}<{dir}>, '{name}', AT_REMOVEDIR)")
                }
                _ => format!("rmdir({path}) failed"),
            };
            self.brk(line, TestRes::Brok, &format!("{msg}{}", terrno(e.errno)))
        })
    }

    /// `tst_cg_cleanup`.
    fn cleanup(&mut self) -> Result<(), Brk> {
        for r in self.roots_in_order() {
            let Some(test) = &r.test_dir else { continue };
            let ltp = format!("{}/ltp", r.mnt_path);
            self.drain(r.ver, &format!("{ltp}/{test}"), &format!("{ltp}/drain"))?;
            self.rmdir(1043, &format!("{ltp}/{test}"), true)?;
        }
        for r in self.roots_in_order() {
            if r.ltp_created != Some(true) {
                continue;
            }
            let ltp = format!("{}/ltp", r.mnt_path);
            self.drain(r.ver, &format!("{ltp}/drain"), &r.mnt_path)?;
            self.rmdir(1055, &format!("{ltp}/drain"), true)?;
            self.rmdir(1060, &ltp, true)?;
        }
        // Every controller of a V2 root the library mounted is disabled in the root again,
        // required or not.
        for (c, name) in CTRLS.iter().enumerate() {
            let Some(r) = self.ctrl_root[c] else { continue };
            let root = &self.roots[r];
            if root.ver != 2 || !root.we_mounted_it || *name == "base" {
                continue;
            }
            let root_dir = (root.mnt_path.as_str(), root.mnt_fd);
            self.safe_printfat(800, root_dir, CGSC, ("-%s", &format!("-{name}")))?;
        }
        for r in self.roots_in_order() {
            if !r.we_mounted_it {
                continue;
            }
            if self.k.umount(self.pid, &r.mnt_path).is_err() {
                continue;
            }
            self.rmdir(1085, &r.mnt_path, false)?;
        }
        Ok(())
    }
}

fn tst_cgctl(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let usage = |sh: &mut Shell| sh.write_err(pid, USAGE);
    let Some(cmd) = argv.get(1).cloned() else {
        usage(sh);
        return 1;
    };
    let argc_err = |sh: &mut Shell| {
        sh.write_err(
            pid,
            &format!("tst_cgctl: Invalid number of arguments given for command '{cmd}'\n"),
        );
        sh.write_err(pid, USAGE);
        1
    };
    let k = sh.kernel().clone();
    let mut lib = Lib::new(&k, pid);
    let r = match cmd.as_str() {
        "require" => {
            if argv.len() != 4 {
                return argc_err(sh);
            }
            let test_pid = crate::commands::memory::atoi(&argv[3]);
            if test_pid == 0 {
                sh.write_err(
                    pid,
                    &format!("tst_cgctl: Invalid test_pid '{}' given\n", argv[3]),
                );
                usage(sh);
                return 1;
            }
            lib.require(sh, &argv[2], test_pid)
                .map(|()| lib.print_config())
        }
        "cleanup" => {
            if argv.len() != 3 {
                return argc_err(sh);
            }
            lib.scan();
            lib.load_config(&argv[2])
                .and_then(|()| lib.cleanup())
                .map(|()| String::new())
        }
        "print" => {
            lib.scan();
            Ok(lib.print_config())
        }
        "help" => {
            usage(sh);
            return 0;
        }
        other => {
            sh.write_err(
                pid,
                &format!("tst_cgctl: Unknown command '{other}' given\n"),
            );
            usage(sh);
            return 1;
        }
    };
    match r {
        Ok(text) => {
            let _ = k.write(pid, Fd(1), text.as_bytes());
            0
        }
        Err(Brk(status)) => status,
    }
}

#[cfg(test)]
mod tests {
    use super::find_ctrl;

    #[test]
    fn find_ctrl_matches_the_leading_name_as_the_c_library_does() {
        assert_eq!(find_ctrl("memory"), Some(0));
        assert_eq!(find_ctrl("cpuacct"), Some(7));
        assert_eq!(find_ctrl("rw"), None);
        assert_eq!(find_ctrl("name=x"), None);
        assert_eq!(find_ctrl("relatime"), None);
    }
}
