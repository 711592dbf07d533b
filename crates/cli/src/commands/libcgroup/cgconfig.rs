//! `cgconfigparser` and `cgclear` (libcgroup v0.41 `src/tools/cgconfig.c`,
//! `src/tools/cgclear.c`).

use super::api::{self, DELETE_EMPTY_ONLY, DELETE_RECURSIVE, ECGNONEMPTY, ECGROUPNOTMOUNTED, Lib};
use super::api::{parse_mode, parse_uid_gid};
use super::config::{self, Defaults};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use crate::Shell;
use crate::commands::{Kind, Registry};
use cgsim_cgroupfs::FileType;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgconfigparser",
        "cgconfigparser [-l FILE] [-L DIR] [-t UID:GID] [-a UID:GID] [-d MODE] [-f MODE] [-s MODE]",
        "libcgroup: mount hierarchies and create groups from cgconfig.conf",
        Kind::External(cgconfigparser),
    );
    r.set_help("cgconfigparser", CGCONFIGPARSER_HELP);
    r.add(
        "cgclear",
        "cgclear [-l FILE] [-L DIR] [-e]",
        "libcgroup: remove every group and unmount every hierarchy (or those of FILE)",
        Kind::External(cgclear),
    );
    r.set_help("cgclear", CGCLEAR_HELP);
}

pub const CGCONFIGPARSER_HELP: &str = "\
Usage: cgconfigparser [-h] [-f mode] [-d mode] [-s mode] [-t <tuid>:<tgid>] [-a <agid>:<auid>] [-l FILE] [-L DIR] ...
Parse and load the specified cgroups configuration file
  -a <tuid>:<tgid>\t\tDefault owner of groups files and directories
  -d, --dperm=mode\t\tDefault group directory permissions
  -f, --fperm=mode\t\tDefault group file permissions
  -h, --help\t\t\tDisplay this help
  -l, --load=FILE\t\tParse and load the cgroups configuration file
  -L, --load-directory=DIR\tParse and load the cgroups configuration files from a directory
  -s, --tperm=mode\t\tDefault tasks file permissions
  -t <tuid>:<tgid>\t\tDefault owner of the tasks file
";

pub const CGCLEAR_HELP: &str = "\
Usage: cgclear [-h] [-l FILE] [-L DIR] [-e]
Unload the cgroup filesystem
  -e, --empty\t\t\tRemove only empty cgroups
  -h, --help\t\t\tDisplay this help
  -l, --load=FILE\t\tParse and load the cgroups configuration file
  -L, --load-directory=DIR\tParse and load the cgroups configuration files from a directory
";

/// `cgroup_string_list_add_directory`: the regular files of DIR, sorted; an unreadable
/// directory ends the program with status 1.
fn add_directory(lib: &mut Lib, dir: &str, files: &mut Vec<String>) -> Result<(), i32> {
    match lib.k.readdir(lib.pid, dir) {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .into_iter()
                .filter(|e| e.file_type == FileType::Regular)
                .map(|e| format!("{dir}/{}", e.name))
                .collect();
            names.sort();
            files.extend(names);
            Ok(())
        }
        Err(e) => {
            let msg = format!("{}: cannot open {dir}: {}\n", lib.prog, e.errno.strerror());
            lib.err(&msg);
            Err(1)
        }
    }
}

fn cgconfigparser(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    lib.logger = true;
    // cgconfig.c's usage(1) has the space after the comma in another place.
    let wrong = |lib: &mut Lib| {
        let msg = format!(
            "Wrong input parameters, try {} -h' for more information.\n",
            lib.prog
        );
        lib.err(&msg);
    };
    if argv.len() < 2 {
        wrong(&mut lib);
        return api::status(-1);
    }
    let longs = [
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "load",
            has_arg: HasArg::Required,
            val: 'l' as i32,
        },
        LongOpt {
            name: "load-directory",
            has_arg: HasArg::Required,
            val: 'L' as i32,
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
    let (opts, operands) = getopt_long(argv, "hl:L:t:a:d:f:s:", &longs);
    let mut files: Vec<String> = Vec::new();
    let mut d = Defaults::default();
    let (mut dperm, mut fperm, mut tperm, mut perm_change) = (None, None, None, false);
    for o in opts {
        let (c, arg) = match o {
            Got::Opt(c, arg, _) => (c, arg.unwrap_or_default()),
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                wrong(&mut lib);
                return api::status(-1);
            }
        };
        match char::from_u32(c as u32) {
            Some('h') => {
                let text = CGCONFIGPARSER_HELP.replace("cgconfigparser", &lib.prog);
                lib.out(&text);
                return 0;
            }
            Some('l') => files.push(arg),
            Some('L') => {
                if let Err(st) = add_directory(&mut lib, &arg, &mut files) {
                    return st;
                }
            }
            Some('a') => match parse_uid_gid(&mut lib, &arg) {
                Ok((u, g)) => (d.control_uid, d.control_gid) = (u, g),
                Err(api::Reported) => return api::status(-1),
            },
            Some('t') => match parse_uid_gid(&mut lib, &arg) {
                Ok((u, g)) => (d.tasks_uid, d.tasks_gid) = (u, g),
                Err(api::Reported) => return api::status(-1),
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
    if !operands.is_empty() {
        wrong(&mut lib);
        return api::status(-1);
    }
    if perm_change {
        d.control_dperm = dperm;
        d.control_fperm = fperm;
        d.task_fperm = tperm;
    }
    let mut error = 0;
    for f in &files {
        let ret = config::load_config(&mut lib, f, &d);
        if ret != 0 {
            let msg = format!("{}; error loading {f}: {}\n", lib.prog, lib.strerror(ret));
            lib.err(&msg);
            if error == 0 {
                error = ret;
            }
        }
    }
    api::status(error)
}

fn cgclear(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    let longs = [
        LongOpt {
            name: "load",
            has_arg: HasArg::Required,
            val: 'l' as i32,
        },
        LongOpt {
            name: "load-directory",
            has_arg: HasArg::Required,
            val: 'L' as i32,
        },
        LongOpt {
            name: "only-empty",
            has_arg: HasArg::No,
            val: 'e' as i32,
        },
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
    ];
    let (opts, _operands) = getopt_long(argv, "hl:L:e", &longs);
    let mut flags = DELETE_RECURSIVE;
    let mut unload_all = true;
    let mut files: Vec<String> = Vec::new();
    for o in opts {
        let (c, arg) = match o {
            Got::Opt(c, arg, _) => (c, arg.unwrap_or_default()),
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("-h");
                return 1;
            }
        };
        match char::from_u32(c as u32) {
            Some('e') => flags = DELETE_EMPTY_ONLY,
            Some('l') => {
                unload_all = false;
                files.push(arg);
            }
            Some('L') => {
                unload_all = false;
                if let Err(st) = add_directory(&mut lib, &arg, &mut files) {
                    return st;
                }
            }
            Some('h') => {
                let text = CGCLEAR_HELP.replace("cgclear", &lib.prog);
                lib.out(&text);
                return 0;
            }
            _ => {}
        }
    }
    // report_error: nothing to clear is not an error; the message goes to stdout.
    let report = |lib: &mut Lib, error: i32| {
        if error != 0 && error != ECGROUPNOTMOUNTED {
            let msg = format!("{} failed with {}\n", lib.prog, lib.strerror(error));
            lib.out(&msg);
        }
    };
    let mut error = 0;
    if unload_all {
        error = config::unload_cgroups(&mut lib);
        report(&mut lib, error);
    } else {
        let ret = lib.init();
        if ret != 0 {
            report(&mut lib, ret);
            return 4;
        }
        for f in files.iter().rev() {
            let ret = config::unload_config(&mut lib, f, flags);
            if ret != 0 && ret != ECGNONEMPTY {
                report(&mut lib, ret);
                if error == 0 {
                    error = ret;
                }
            }
        }
    }
    if error != 0 { 3 } else { 0 }
}
