//! `cgcreate` and `cgdelete` (libcgroup v0.41 `src/tools/cgcreate.c`, `src/tools/cgdelete.c`).

use super::api::{
    self, Cgroup, DELETE_RECURSIVE, ECGFAIL, ECGINVAL, GroupSpec, Lib, parse_cgroup_spec,
    parse_mode, parse_uid_gid,
};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use crate::Shell;
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgcreate",
        "cgcreate [-t UID:GID] [-a UID:GID] [-d MODE] [-f MODE] [-s MODE] -g CONTROLLERS:PATH...",
        "libcgroup: create cgroups in every hierarchy of the listed controllers",
        Kind::External(cgcreate),
    );
    r.set_help("cgcreate", CGCREATE_HELP);
    r.add(
        "cgdelete",
        "cgdelete [-r] [[-g] CONTROLLERS:PATH]...",
        "libcgroup: remove cgroups (tasks move to the parent; -r: subgroups too)",
        Kind::External(cgdelete),
    );
    r.set_help("cgdelete", CGDELETE_HELP);
}

pub const CGCREATE_HELP: &str = "\
Usage: cgcreate [-h] [-f mode] [-d mode] [-s mode] [-t <tuid>:<tgid>] [-a <agid>:<auid>] -g <controllers>:<path> [-g ...]
Create control group(s)
  -a <tuid>:<tgid>\t\tOwner of the group and all its files
  -d, --dperm=mode\t\tGroup directory permissions
  -f, --fperm=mode\t\tGroup file permissions
  -g <controllers>:<path>\tControl group which should be added
  -h, --help\t\t\tDisplay this help
  -s, --tperm=mode\t\tTasks file permissions
  -t <tuid>:<tgid>\t\tOwner of the tasks file
";

pub const CGDELETE_HELP: &str = "\
Usage: cgdelete [-h] [-r] [[-g] <controllers>:<path>] ...
Remove control group(s)
  -g <controllers>:<path>\tControl group to be removed (-g is optional)
  -h, --help\t\t\tDisplay this help
  -r, --recursive\t\tRecursively remove all subgroups
";

fn cgcreate(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    if argv.len() < 2 {
        lib.wrong_input("-h");
        return api::status(-1);
    }
    let longs = [
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "task",
            has_arg: HasArg::Required,
            val: 't' as i32,
        },
        LongOpt {
            name: "admin",
            has_arg: HasArg::Required,
            val: 'a' as i32,
        },
        LongOpt {
            name: "",
            has_arg: HasArg::Required,
            val: 'g' as i32,
        },
        LongOpt {
            name: "dperm",
            has_arg: HasArg::Required,
            val: 'd' as i32,
        },
        LongOpt {
            name: "fperm",
            has_arg: HasArg::Required,
            val: 'f' as i32,
        },
        LongOpt {
            name: "tperm",
            has_arg: HasArg::Required,
            val: 's' as i32,
        },
    ];
    let (opts, operands) = getopt_long(argv, "a:t:g:hd:f:s:", &longs);
    let (mut tuid, mut tgid, mut auid, mut agid) = (None, None, None, None);
    let (mut dperm, mut fperm, mut tperm) = (None, None, None);
    let mut perm_change = false;
    let mut list: Vec<GroupSpec> = Vec::new();
    for o in opts {
        let (c, arg, next) = match o {
            Got::Opt(c, arg, next) => (c, arg.unwrap_or_default(), next),
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("-h");
                return api::status(-1);
            }
        };
        match char::from_u32(c as u32) {
            Some('h') => {
                let text = CGCREATE_HELP.replace("cgcreate", &lib.prog);
                lib.out(&text);
                return 0;
            }
            // libcgroup quirk: a user or group that does not resolve prints the message and
            // exits with status 0 (`ret` is still 0 at `goto err`).
            Some('a') => match parse_uid_gid(&mut lib, &arg) {
                Ok((u, g)) => (auid, agid) = (u, g),
                Err(api::Reported) => return 0,
            },
            Some('t') => match parse_uid_gid(&mut lib, &arg) {
                Ok((u, g)) => (tuid, tgid) = (u, g),
                Err(api::Reported) => return 0,
            },
            Some('g') => match parse_cgroup_spec(&arg) {
                Some(s) => list.push(s),
                None => {
                    // The message shows argv[optind], the element after the option, not
                    // the argument that failed; "(null)" at the end of argv.
                    let msg = format!(
                        "{}: cgroup controller and pathparsing failed ({})\n",
                        lib.prog,
                        next.as_deref().unwrap_or("(null)")
                    );
                    lib.err(&msg);
                    return api::status(-1);
                }
            },
            Some(m @ ('d' | 'f' | 's')) => {
                perm_change = true;
                let Ok(mode) = parse_mode(&mut lib, &arg) else {
                    return api::status(-1);
                };
                match m {
                    'd' => dperm = Some(mode),
                    'f' => fperm = Some(mode),
                    _ => tperm = Some(mode),
                }
            }
            _ => {}
        }
    }
    if let Some(extra) = operands.first() {
        let msg = format!("{}: wrong arguments ({extra})\n", lib.prog);
        lib.err(&msg);
        return api::status(-1);
    }
    let ret = lib.init();
    if ret != 0 {
        let msg = format!(
            "{}: libcgroup initialization failed: {}\n",
            lib.prog,
            lib.strerror(ret)
        );
        lib.err(&msg);
        return api::status(ret);
    }
    for spec in &list {
        let mut cg = Cgroup::new(&spec.path);
        cg.tasks_uid = tuid;
        cg.tasks_gid = tgid;
        cg.control_uid = auid;
        cg.control_gid = agid;
        for c in &spec.controllers {
            if cg.add_controller(c).is_none() {
                let msg = format!("{}: controller {c} can't be add\n", lib.prog);
                lib.err(&msg);
                return api::status(ECGINVAL);
            }
        }
        if perm_change {
            cg.control_dperm = dperm;
            cg.control_fperm = fperm;
            cg.task_fperm = tperm;
        }
        let ret = lib.create_cgroup(&cg, false);
        if ret != 0 {
            let msg = format!(
                "{}: can't create cgroup {}: {}\n",
                lib.prog,
                cg.name,
                lib.strerror(ret)
            );
            lib.err(&msg);
            return api::status(ret);
        }
    }
    0
}

fn cgdelete(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    // cgdelete initializes the library before it looks at its options.
    let ret = lib.init();
    if ret != 0 {
        let msg = format!(
            "{}: libcgroup initialization failed: {}\n",
            lib.prog,
            lib.strerror(ret)
        );
        lib.err(&msg);
        return api::status(ret);
    }
    let longs = [
        LongOpt {
            name: "recursive",
            has_arg: HasArg::No,
            val: 'r' as i32,
        },
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
    let (opts, operands) = getopt_long(argv, "rhg:", &longs);
    let mut flags = 0;
    let mut list: Vec<GroupSpec> = Vec::new();
    for o in opts {
        match o {
            Got::Opt(c, arg, _) => match char::from_u32(c as u32) {
                Some('r') => flags |= DELETE_RECURSIVE,
                Some('h') => {
                    let text = CGDELETE_HELP.replace("cgdelete", &lib.prog);
                    lib.out(&text);
                    return 0;
                }
                Some('g') => {
                    let arg = arg.unwrap_or_default();
                    match parse_cgroup_spec(&arg) {
                        Some(s) => list.push(s),
                        None => {
                            let msg = format!("{}: error parsing cgroup '{arg}'\n", lib.prog);
                            lib.err(&msg);
                            return api::status(-1);
                        }
                    }
                }
                _ => {}
            },
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("--help");
                return api::status(-1);
            }
        }
    }
    for a in &operands {
        match parse_cgroup_spec(a) {
            Some(s) => list.push(s),
            None => {
                let msg = format!("{}: error parsing cgroup '{a}'\n", lib.prog);
                lib.err(&msg);
                return api::status(-1);
            }
        }
    }
    let mut final_ret = 0;
    for spec in &list {
        let mut cg = Cgroup::new(&spec.path);
        for c in &spec.controllers {
            if cg.add_controller(c).is_none() {
                let msg = format!("{}: controller {c} can't be added\n", lib.prog);
                lib.err(&msg);
                return api::status(ECGFAIL);
            }
        }
        let ret = lib.delete_cgroup_ext(&cg, flags);
        if ret != 0 {
            let msg = format!(
                "{}: cannot remove group '{}': {}\n",
                lib.prog,
                cg.name,
                lib.strerror(ret)
            );
            lib.err(&msg);
            final_ret = ret;
        }
    }
    api::status(final_ret)
}
