//! `cgsnapshot` (libcgroup v0.41 `src/tools/cgsnapshot.c`): the current hierarchies and groups
//! as a `cgconfig.conf`.
//!
//! **Follows:** the mount section lists every mounted controller in `/proc/cgroups` order; then
//! per hierarchy (controllers sharing a mount point together) every group below the root in
//! readdir order (newest first), with a `perm` block when the directory or its tasks file is
//! not owned by root, and per controller the values that are writable in the root group and not
//! blacklisted (`/etc/cgsnapshot_blacklist.conf`, or `-b`), quoted; values are cut at 99 bytes
//! as `cgroup_get_cgroup` reads them. Warnings about variables on neither list go to stderr,
//! for the first group of each hierarchy only, unless `-s`.

use super::api::{self, Cgroup, Lib};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use crate::Shell;
use crate::commands::nss;
use crate::commands::{Kind, Registry};
use cgsim_cgroupfs::OpenFlags;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgsnapshot",
        "cgsnapshot [-s] [-t] [-b FILE] [-w FILE] [-f FILE] [CONTROLLER]...",
        "libcgroup: print the current cgroup configuration as cgconfig.conf",
        Kind::External(cgsnapshot),
    );
    r.set_help("cgsnapshot", CGSNAPSHOT_HELP);
}

pub const CGSNAPSHOT_HELP: &str = "\
Usage: cgsnapshot [-h] [-s] [-b FILE] [-w FILE] [-f FILE] [controller] [...]
Generate the configuration file for given controllers
  -b, --blacklist=FILE\t\tSet the blacklist configuration file (default /etc/cgsnapshot_blacklist.conf)
  -f, --file=FILE\t\tRedirect the output to output_file
  -h, --help\t\t\tDisplay this help
  -s, --silent\t\t\tIgnore all warnings
  -t, --strict\t\t\tDon't show variables which are not on the whitelist
  -w, --whitelist=FILE\t\tSet the whitelist configuration file (don't used by default)
";

const BLACKLIST_CONF: &str = "/etc/cgsnapshot_blacklist.conf";

struct Snap<'a, 'b> {
    lib: &'a mut Lib<'b>,
    silent: bool,
    strict: bool,
    black: Vec<String>,
    white: Vec<String>,
    /// Where the configuration goes: stdout, or the `-f` file's descriptor.
    out: Option<cgsim_cgroupfs::Fd>,
}

impl Snap<'_, '_> {
    fn put(&mut self, text: &str) {
        match self.out {
            None => self.lib.out(text),
            Some(fd) => {
                let _ = self.lib.write_fd(fd, text);
            }
        }
    }
}

/// `load_list`: the first word of every line that is not blank or a `#` comment.
fn load_list(lib: &mut Lib, path: &str) -> Result<Vec<String>, ()> {
    match lib.read_file(path) {
        Ok(d) => Ok(String::from_utf8_lossy(&d)
            .lines()
            .filter_map(|l| {
                let t = l.trim_start_matches([' ', '\n']);
                if t.starts_with('#') {
                    return None;
                }
                t.split_whitespace().next().map(str::to_string)
            })
            .collect()),
        Err(e) => {
            let msg = format!("ERROR: Failed to open file {path}: {}\n", e.strerror());
            lib.err(&msg);
            Err(())
        }
    }
}

fn cgsnapshot(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    let longs = [
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "silent",
            has_arg: HasArg::No,
            val: 's' as i32,
        },
        LongOpt {
            name: "blacklist",
            has_arg: HasArg::Required,
            val: 'b' as i32,
        },
        LongOpt {
            name: "whitelist",
            has_arg: HasArg::Required,
            val: 'w' as i32,
        },
        LongOpt {
            name: "strict",
            has_arg: HasArg::No,
            val: 't' as i32,
        },
        LongOpt {
            name: "file",
            has_arg: HasArg::Required,
            val: 'f' as i32,
        },
    ];
    let (opts, wanted) = getopt_long(argv, "hsb:w:tf:", &longs);
    let (mut silent, mut strict) = (false, false);
    let mut bl_file = BLACKLIST_CONF.to_string();
    let mut wl_file: Option<String> = None;
    let mut out = None;
    for o in opts {
        let (c, arg) = match o {
            Got::Opt(c, arg, _) => (c, arg.unwrap_or_default()),
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("-h");
                return api::status(-1);
            }
        };
        match char::from_u32(c as u32) {
            Some('h') => {
                let text =
                    CGSNAPSHOT_HELP.replace("cgsnapshot [-h]", &format!("{} [-h]", lib.prog));
                lib.out(&text);
                return 0;
            }
            Some('s') => silent = true,
            Some('t') => strict = true,
            Some('b') => bl_file = arg,
            Some('w') => wl_file = Some(arg),
            Some('f') => match lib.k.open(lib.pid, &arg, OpenFlags::REDIRECT_TRUNC, 0o666) {
                Ok(fd) => out = Some(fd),
                Err(_) => {
                    let msg = format!("{}: Failed to open file {arg}\n", lib.prog);
                    lib.err(&msg);
                    return api::status(api::ECGOTHER);
                }
            },
            _ => {}
        }
    }
    let ret = run(
        &mut lib,
        silent,
        strict,
        &bl_file,
        wl_file.as_deref(),
        out,
        &wanted,
    );
    if let Some(fd) = out {
        lib.close(fd);
    }
    api::status(ret)
}

fn run(
    lib: &mut Lib,
    silent: bool,
    strict: bool,
    bl_file: &str,
    wl_file: Option<&str>,
    out: Option<cgsim_cgroupfs::Fd>,
    wanted: &[String],
) -> i32 {
    let Ok(black) = load_list(lib, bl_file) else {
        return 1;
    };
    let white = match wl_file {
        Some(f) => match load_list(lib, f) {
            Ok(w) => w,
            Err(()) => return 1,
        },
        None => Vec::new(),
    };
    let mut s = Snap {
        lib,
        silent,
        strict,
        black,
        white,
        out,
    };
    s.put("# Configuration file generated by cgsnapshot\n");
    let ret = s.lib.init();
    if ret != 0 {
        return ret;
    }
    // The mount section.
    let mut text = String::from("mount {\n");
    let all = s.lib.all_controllers().unwrap_or_default();
    let listed = |n: &str| wanted.is_empty() || wanted.iter().any(|w| w == n);
    for c in all.iter().filter(|c| c.hierarchy != 0) {
        if !listed(&c.name) {
            continue;
        }
        match s.lib.table.iter().find(|e| e.name == c.name) {
            Some(e) => {
                for p in &e.paths {
                    text.push_str(&format!("\t{} = {p};\n", c.name));
                }
            }
            None if !silent => {
                let msg = format!("ERROR: {} hierarchy not mounted\n", c.name);
                s.lib.err(&msg);
            }
            None => {}
        }
    }
    let named: Vec<_> = s
        .lib
        .table
        .iter()
        .filter(|e| e.name.starts_with("name="))
        .cloned()
        .collect();
    for e in named {
        if listed(&e.name) {
            for p in &e.paths {
                text.push_str(&format!("\t\"{}\" = {p};\n", e.name));
            }
        }
    }
    text.push_str("}\n\n");
    s.put(&text);
    // The groups, per hierarchy.
    let mut hier: Vec<(String, Vec<String>)> = Vec::new();
    for e in &s.lib.table {
        match hier.last_mut() {
            Some((p, names)) if *p == e.paths[0] => names.push(e.name.clone()),
            _ => hier.push((e.paths[0].clone(), vec![e.name.clone()])),
        }
    }
    let mut ret = 0;
    for (_, ctrls) in hier {
        if !wanted.is_empty() && !ctrls.iter().any(|c| wanted.contains(c)) {
            continue;
        }
        ret = display_controller_data(&mut s, &ctrls);
    }
    ret
}

fn display_controller_data(s: &mut Snap, ctrls: &[String]) -> i32 {
    let dirs = match s.lib.walk_dirs(&ctrls[0], "/") {
        Ok(d) => d,
        Err(e) => return e,
    };
    let Some(root) = dirs.first().cloned() else {
        return 0;
    };
    let prefix = root.len();
    let mut first = true;
    for d in dirs.iter().skip(1) {
        let name = d.get(prefix..).unwrap_or("").to_string();
        let mut cg = Cgroup::new(&name);
        let ret = s.lib.get_cgroup(&mut cg);
        if ret != 0 {
            let msg = format!("cannot read group '{name}': {}\n", s.lib.strerror(ret));
            s.lib.out(&msg);
            return ret;
        }
        display_cgroup_data(s, &cg, ctrls, d, &root, first);
        first = false;
    }
    0
}

fn display_cgroup_data(
    s: &mut Snap,
    cg: &Cgroup,
    ctrls: &[String],
    path: &str,
    root: &str,
    first: bool,
) {
    s.put(&format!("group {} {{\n", cg.name));
    if display_permissions(s, path).is_err() {
        return;
    }
    for c in ctrls {
        let Some(ctrl) = cg.controller(c) else {
            let msg = format!("cannot find controller '{c}' in group '{}'\n", cg.name);
            s.lib.out(&msg);
            continue;
        };
        if c.starts_with("name=") {
            s.put(&format!("\t\"{c}\" {{\n"));
        } else {
            s.put(&format!("\t{c} {{\n"));
        }
        for v in &ctrl.values {
            // Only what is writable in the root group can be configured.
            let var_path = format!("{}/{}", root.trim_end_matches('/'), v.name);
            if let Ok(st) = s.lib.k.stat(s.lib.pid, &var_path)
                && st.mode & 0o200 == 0
                && v.name != "devices.list"
            {
                continue;
            }
            if s.black.contains(&v.name) {
                continue;
            }
            let white = s.white.contains(&v.name);
            if !white && s.strict {
                continue;
            }
            if !white && !s.silent && first {
                let msg = format!(
                    "WARNING: variable {} is neither blacklisted nor whitelisted\n",
                    v.name
                );
                s.lib.err(&msg);
            }
            let mut name = v.name.as_str();
            if name == "devices.deny" || name == "devices.allow" {
                continue;
            }
            if name == "devices.list" {
                name = "devices.allow";
                s.put("\t\tdevices.deny=\"a *:* rwm\";\n");
            }
            s.put(&format!("\t\t{name}=\"{}\";\n", v.value));
        }
        s.put("\t}\n");
    }
    s.put("}\n\n");
}

/// `display_permissions`: a `perm` block when the group or its tasks file is not root's.
fn display_permissions(s: &mut Snap, path: &str) -> Result<(), ()> {
    let k = s.lib.k.clone();
    let pid = s.lib.pid;
    let Ok(a) = k.stat(pid, path) else {
        s.lib
            .err(&format!("ERROR: can't read statistics about {path}\n"));
        return Err(());
    };
    let tasks = format!("{path}/tasks");
    let Ok(t) = k.stat(pid, &tasks) else {
        s.lib
            .err(&format!("ERROR: can't read statistics about {tasks}\n"));
        return Err(());
    };
    if a.uid == 0 && a.gid == 0 && t.uid == 0 && t.gid == 0 {
        return Ok(());
    }
    s.put("\tperm {\n");
    let block = |s: &mut Snap, what: &str, uid: u32, gid: u32| -> Result<(), ()> {
        let Some(pw) = nss::getpwuid(&k, pid, uid) else {
            s.lib.err(&format!("ERROR: can't get {uid} user name\n"));
            return Err(());
        };
        let Some(gr) = nss::getgrgid(&k, pid, gid) else {
            s.lib.err(&format!("ERROR: can't get {gid} group name\n"));
            return Err(());
        };
        s.put(&format!(
            "\t\t{what} {{\n\t\t\tuid = {};\n\t\t\tgid = {};\n\t\t}}\n",
            pw.name, gr.name
        ));
        Ok(())
    };
    block(s, "admin", a.uid, a.gid)?;
    block(s, "task", t.uid, t.gid)?;
    s.put("\t}\n");
    Ok(())
}
