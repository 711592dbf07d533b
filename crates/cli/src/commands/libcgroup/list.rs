//! `lssubsys` and `lscgroup` (libcgroup v0.41 `src/tools/lssubsys.c`, `src/tools/lscgroup.c`).

use super::api::{self, ECGEOF, ECGFAIL, GroupSpec, Lib, parse_cgroup_spec};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use crate::Shell;
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "lssubsys",
        "lssubsys [-a] [-i] [-m] [-M] [CONTROLLER]...",
        "libcgroup: list subsystems, their hierarchies (-i) and mount points (-m)",
        Kind::External(lssubsys),
    );
    r.set_help("lssubsys", LSSUBSYS_HELP);
    r.add(
        "lscgroup",
        "lscgroup [[-g] CONTROLLERS:PATH]...",
        "libcgroup: list cgroups (readdir order: newest first)",
        Kind::External(lscgroup),
    );
    r.set_help("lscgroup", LSCGROUP_HELP);
}

pub const LSSUBSYS_HELP: &str = "\
Usage: lssubsys [-i] [-m] [-M] [controller] [...]
   or: lssubsys [-a] [-i] [-m] [-M]
List information about given controller(s) If no controller is set list information about all mounted controllers.
  -a, --all\t\t\tDisplay information about all controllers (including not mounted ones)
  -h, --help\t\t\tDisplay this help
  -i, --hierarchies\t\tDisplay information about hierarchies
  -m, --mount-points\t\tDisplay mount points
  -M, --all-mount-points\tDisplay all mount points
";

pub const LSCGROUP_HELP: &str = "\
Usage: lscgroup [-h] [[-g] <controllers>:<path>] [...]
List all cgroups
  -g <controllers>:<path>\tControl group to be displayed (-g is optional)
  -h, --help\t\t\tDisplay this help
";

const FL_MOUNT: u32 = 1;
const FL_LIST: u32 = 2;
const FL_ALL: u32 = 4;
const FL_HIERARCHY: u32 = 8;
const FL_MOUNT_ALL: u32 = 16;

fn lssubsys(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    let longs = [
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "mount-points",
            has_arg: HasArg::No,
            val: 'm' as i32,
        },
        LongOpt {
            name: "all-mount-points",
            has_arg: HasArg::No,
            val: 'M' as i32,
        },
        LongOpt {
            name: "all",
            has_arg: HasArg::No,
            val: 'a' as i32,
        },
        LongOpt {
            name: "hierarchies",
            has_arg: HasArg::No,
            val: 'i' as i32,
        },
    ];
    let (opts, operands) = getopt_long(argv, "mMhai", &longs);
    let mut flags = 0;
    for o in opts {
        match o {
            Got::Opt(c, _, _) => match char::from_u32(c as u32) {
                Some('h') => {
                    let text = LSSUBSYS_HELP.replace("lssubsys", &lib.prog);
                    lib.out(&text);
                    return 0;
                }
                Some('m') => flags |= FL_MOUNT,
                Some('M') => flags |= FL_MOUNT | FL_MOUNT_ALL,
                Some('a') => flags |= FL_ALL,
                Some('i') => flags |= FL_HIERARCHY,
                _ => {}
            },
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("-h");
                return api::status(-1);
            }
        }
    }
    let names: Vec<String> = operands;
    if !names.is_empty() {
        flags |= FL_LIST;
    }
    let all = match lib.all_controllers() {
        Ok(a) => a,
        Err(ret) => {
            let msg = format!(
                "cgroup_get_controller_begin/next failed ({})\n",
                lib.strerror(ret)
            );
            lib.err(&msg);
            return api::status(ret);
        }
    };
    // Unmounted controllers are printed while scanning (with -a); hierarchies afterwards, in
    // the order their first controller appears in /proc/cgroups.
    let mut hierarchies: Vec<i32> = Vec::new();
    let mut text = String::new();
    for c in &all {
        if c.hierarchy == 0 && flags & FL_ALL != 0 {
            text.push_str(&format!("{}\n", c.name));
        }
        let listed = names.contains(&c.name);
        if c.hierarchy != 0
            && (flags & FL_ALL != 0 || flags & FL_LIST == 0 || listed)
            && !hierarchies.contains(&c.hierarchy)
        {
            hierarchies.push(c.hierarchy);
        }
    }
    lib.out(&text);
    // print_all_controllers_in_hierarchy calls cgroup_init and ignores its result.
    let _ = lib.init();
    for h in hierarchies {
        let members: Vec<&str> = all
            .iter()
            .filter(|c| c.hierarchy == h)
            .map(|c| c.name.as_str())
            .collect();
        let joined = members.join(",");
        let mut text = String::new();
        if flags & FL_MOUNT == 0 && flags & FL_HIERARCHY == 0 {
            text.push_str(&format!("{joined}\n"));
        }
        if flags & FL_MOUNT == 0 && flags & FL_HIERARCHY != 0 {
            text.push_str(&format!("{joined} {h}\n"));
        }
        if flags & FL_MOUNT != 0 {
            let paths = lib
                .table
                .iter()
                .find(|e| e.name == members[0])
                .map(|e| e.paths.clone())
                .unwrap_or_default();
            let n = if flags & FL_MOUNT_ALL != 0 {
                paths.len()
            } else {
                paths.len().min(1)
            };
            for p in &paths[..n] {
                text.push_str(&format!("{joined} {p}\n"));
            }
        }
        lib.out(&text);
    }
    0
}

/// `trim_filepath`: drop trailing slashes.
fn trim(p: &str) -> &str {
    p.trim_end_matches('/')
}

fn lscgroup(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    let longs = [
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "group",
            has_arg: HasArg::Required,
            val: 'g' as i32,
        },
    ];
    let (opts, operands) = getopt_long(argv, "hg:", &longs);
    let mut list: Vec<GroupSpec> = Vec::new();
    for o in opts {
        match o {
            Got::Opt(c, arg, _) => match char::from_u32(c as u32) {
                Some('h') => {
                    let text = LSCGROUP_HELP.replace("lscgroup", &lib.prog);
                    lib.out(&text);
                    return 0;
                }
                Some('g') => {
                    let arg = arg.unwrap_or_default();
                    match parse_cgroup_spec(&arg) {
                        Some(s) => list.push(s),
                        None => {
                            let msg = format!(
                                "{}: cgroup controller and path parsing failed ({arg})\n",
                                lib.prog
                            );
                            lib.err(&msg);
                            return api::status(-1);
                        }
                    }
                }
                _ => {}
            },
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("-h");
                return 1;
            }
        }
    }
    for a in &operands {
        match parse_cgroup_spec(a) {
            Some(s) => list.push(s),
            None => {
                let msg = format!(
                    "{}: cgroup controller and path parsing failed ({a})\n",
                    lib.prog
                );
                lib.err(&msg);
                return api::status(-1);
            }
        }
    }
    let ret = lib.init();
    if ret != 0 {
        let msg = format!("cgroups can't be listed: {}\n", lib.strerror(ret));
        lib.err(&msg);
        return api::status(ret);
    }
    if list.is_empty() {
        let all = GroupSpec {
            controllers: Vec::new(),
            path: String::new(),
        };
        let ret = print_cgroup(&mut lib, &all, false);
        if ret != 0 {
            let msg = format!("cgroups can't be listed: {}\n", lib.strerror(ret));
            lib.err(&msg);
        }
        return api::status(ret);
    }
    let mut final_ret = 0;
    for spec in &list {
        let ret = print_cgroup(&mut lib, spec, true);
        if ret != 0 {
            final_ret = if ret == ECGEOF { ECGFAIL } else { ret };
            let msg = format!(
                "{}: cannot find group {}..:{}: {}\n",
                lib.prog,
                spec.controllers.first().map_or("(null)", String::as_str),
                spec.path,
                lib.strerror(final_ret)
            );
            lib.err(&msg);
            // The loop goes on only while the result is 0 or ECGEOF ("controller not found").
            if ret != ECGEOF {
                break;
            }
        }
    }
    api::status(final_ret)
}

/// `print_cgroup`: group the mount table's entries by mount point (`cpu,cpuacct`), print the
/// first hierarchy that has a listed controller (or every hierarchy without a list).
fn print_cgroup(lib: &mut Lib, spec: &GroupSpec, listed: bool) -> i32 {
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for e in &lib.table {
        match groups.last_mut() {
            Some((path, _, names)) if *path == e.paths[0] => names.push(e.name.clone()),
            _ => groups.push((e.paths[0].clone(), e.name.clone(), vec![e.name.clone()])),
        }
    }
    let mut printed = false;
    for (_, first, names) in groups {
        let wanted = !listed || names.iter().any(|n| spec.controllers.contains(n));
        if !wanted {
            continue;
        }
        let ret = display_controller_data(lib, &spec.path, &first, &names.join(","));
        if ret != 0 {
            return ret;
        }
        printed = true;
        if listed {
            break;
        }
    }
    if listed && !printed {
        return ECGEOF;
    }
    0
}

/// `display_controller_data`: every directory from the group down, as
/// `controllers:/relative/path`, the relative part cut at the length difference between the
/// group's full path and the path given (so the group itself keeps a trailing `/`).
fn display_controller_data(lib: &mut Lib, input: &str, ctrl: &str, names: &str) -> i32 {
    let dirs = match lib.walk_dirs(ctrl, input) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let Some(root) = lib.build_path(Some(input), ctrl) else {
        return api::ECGOTHER;
    };
    let pref = trim(&root).len().saturating_sub(trim(input).len());
    let mut text = String::new();
    for d in dirs {
        let rel = d.get(pref..).unwrap_or("");
        if rel.starts_with('/') {
            text.push_str(&format!("{names}:{rel}\n"));
        } else {
            text.push_str(&format!("{names}:/{rel}\n"));
        }
    }
    lib.out(&text);
    0
}
