//! `cgget` and `cgset` (libcgroup v0.41 `src/tools/cgget.c`, `src/tools/cgset.c`).

use super::api::{self, Cgroup, GroupSpec, Lib, parse_cgroup_spec};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use crate::Shell;
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgget",
        "cgget [-nv] [-r NAME] [-g CONTROLLERS] [-a] PATH... | cgget -g CONTROLLERS:PATH",
        "libcgroup: print a cgroup's parameters (files in readdir order)",
        Kind::External(cgget),
    );
    r.set_help("cgget", CGGET_HELP);
    r.add(
        "cgset",
        "cgset -r NAME=VALUE... PATH... | cgset --copy-from SOURCE PATH...",
        "libcgroup: write cgroup parameters",
        Kind::External(cgset),
    );
    r.set_help("cgset", CGSET_HELP);
}

pub const CGGET_HELP: &str = "\
Usage: cgget [-nv] [-r <name>] [-g <controllers>] [-a] <path> ...
   or: cgget [-nv] [-r <name>] -g <controllers>:<path> ...
Print parameter(s) of given group(s).
  -a, --all\t\t\tPrint info about all relevant controllers
  -g <controllers>\t\tController which info should be displayed
  -g <controllers>:<path>\tControl group which info should be displayed
  -h, --help\t\t\tDisplay this help
  -n\t\t\t\tDo not print headers
  -r, --variable  <name>\tDefine parameter to display
  -v, --values-only\t\tPrint only values, not parameter names
";

pub const CGSET_HELP: &str = "\
Usage: cgset [-r <name=value>] <cgroup_path> ...
   or: cgset --copy-from <source_cgroup_path> <cgroup_path> ...
Set the parameters of given cgroup(s)
  -r, --variable <name>\t\t\tDefine parameter to set
  --copy-from <source_cgroup_path>\tControl group whose parameters will be copied
";

const MODE_SHOW_HEADERS: u32 = 1;
const MODE_SHOW_NAMES: u32 = 2;
const MODE_SHOW_ALL_CONTROLLERS: u32 = 4;

/// `display_record`: `name: ` then the value as fgets returns it, a line that follows a
/// complete line indented with a tab; an empty file prints an empty line.
fn display_record(lib: &mut Lib, name: &str, ctrl: &str, group: &str, mode: u32) -> i32 {
    let mut text = String::new();
    if mode & MODE_SHOW_NAMES != 0 {
        text.push_str(&format!("{name}: "));
    }
    let ret = match lib.read_value_chunks(ctrl, group, name) {
        Ok(chunks) if chunks.is_empty() => {
            text.push('\n');
            0
        }
        Ok(chunks) => {
            let mut indent = false;
            for c in &chunks {
                if indent {
                    text.push('\t');
                }
                text.push_str(c);
                indent = c.ends_with('\n');
            }
            0
        }
        Err(e) => e,
    };
    lib.out(&text);
    if ret != 0 {
        let msg = format!("variable file read failed {}\n", lib.strerror(ret));
        lib.err(&msg);
    }
    ret
}

fn display_name_values(lib: &mut Lib, names: &[String], group: &str, mode: u32) -> i32 {
    let mut cg = Cgroup::new(group);
    let ret = lib.get_cgroup(&mut cg);
    if ret != 0 {
        let msg = format!(
            "{}: cannot read group '{group}': {}\n",
            lib.prog,
            lib.strerror(ret)
        );
        lib.err(&msg);
        return ret;
    }
    for n in names {
        let Some((ctrl, _)) = n.split_once('.') else {
            // libcgroup quirk: this message ends without a newline.
            let msg = format!("{}: error parsing parameter name\n '{n}'", lib.prog);
            lib.err(&msg);
            return -1;
        };
        if cg.controller(ctrl).is_none() {
            let msg = format!(
                "{}: cannot find controller '{ctrl}' in group '{group}'\n",
                lib.prog
            );
            lib.err(&msg);
            return -1;
        }
        let ret = display_record(lib, n, ctrl, group, mode);
        if ret != 0 {
            return ret;
        }
    }
    0
}

fn display_controller_values(lib: &mut Lib, ctrls: &[String], group: &str, mode: u32) -> i32 {
    let mut cg = Cgroup::new(group);
    let ret = lib.get_cgroup(&mut cg);
    if ret != 0 && mode & MODE_SHOW_ALL_CONTROLLERS == 0 {
        let msg = format!(
            "{}: cannot read group '{group}': {}\n",
            lib.prog,
            lib.strerror(ret)
        );
        lib.err(&msg);
    }
    let mut result = 0;
    for c in ctrls {
        let Some(ctrl) = cg.controller(c).cloned() else {
            if mode & MODE_SHOW_ALL_CONTROLLERS == 0 {
                let msg = format!(
                    "{}: cannot find controller '{c}' in group '{group}'\n",
                    lib.prog
                );
                lib.err(&msg);
                result = -1;
            }
            continue;
        };
        for v in &ctrl.values {
            let ret = display_record(lib, &v.name, &ctrl.name, group, mode);
            if ret != 0 {
                return ret;
            }
        }
    }
    result
}

fn display_values(lib: &mut Lib, ctrls: &[String], group: &str, names: &[String], mode: u32) {
    if mode & MODE_SHOW_HEADERS != 0 {
        lib.out(&format!("{group}:\n"));
    }
    if !names.is_empty() {
        display_name_values(lib, names, group, mode);
    }
    if !ctrls.is_empty() {
        display_controller_values(lib, ctrls, group, mode);
    }
    if mode & MODE_SHOW_HEADERS != 0 {
        lib.out("\n");
    }
}

#[derive(PartialEq, Eq)]
enum GroupMode {
    NotSet,
    Group,
    List,
}

fn cgget(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    if argv.len() < 2 {
        lib.wrong_input("-h");
        return 1;
    }
    let longs = [
        LongOpt {
            name: "variable",
            has_arg: HasArg::Required,
            val: 'r' as i32,
        },
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "all",
            has_arg: HasArg::No,
            val: 'a' as i32,
        },
        LongOpt {
            name: "values-only",
            has_arg: HasArg::No,
            val: 'v' as i32,
        },
    ];
    let (opts, operands) = getopt_long(argv, "r:hnvg:a", &longs);
    let mut mode = MODE_SHOW_NAMES | MODE_SHOW_HEADERS;
    let mut names: Vec<String> = Vec::new();
    let mut ctrls: Vec<String> = Vec::new();
    let mut list: Vec<GroupSpec> = Vec::new();
    let mut needed = GroupMode::NotSet;
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
                let text = CGGET_HELP.replace("cgget", &lib.prog);
                lib.out(&text);
                return 0;
            }
            Some('n') => mode &= !MODE_SHOW_HEADERS,
            Some('v') => mode &= !MODE_SHOW_NAMES,
            Some('r') => names.push(arg),
            Some('g') if !arg.contains(':') => {
                if needed == GroupMode::List {
                    lib.wrong_input("-h");
                    return api::status(-1);
                }
                needed = GroupMode::Group;
                ctrls.push(arg);
            }
            Some('g') => {
                if needed == GroupMode::Group {
                    lib.wrong_input("-h");
                    return api::status(-1);
                }
                needed = GroupMode::List;
                match parse_cgroup_spec(&arg) {
                    Some(s) => list.push(s),
                    None => {
                        // libcgroup quirk: returns `ret` (-1) from main's error path,
                        // whose value there is `result`, still 0.
                        let msg = format!(
                            "{}: cgroup controller/path parsing failed ({})\n",
                            lib.prog,
                            next.as_deref().unwrap_or("(null)")
                        );
                        lib.err(&msg);
                        return 0;
                    }
                }
            }
            Some('a') => {
                if needed == GroupMode::List {
                    lib.wrong_input("-h");
                    return api::status(-1);
                }
                needed = GroupMode::Group;
                mode |= MODE_SHOW_ALL_CONTROLLERS;
            }
            _ => {}
        }
    }
    if (needed == GroupMode::List && !operands.is_empty())
        || (needed != GroupMode::List && operands.is_empty())
    {
        lib.wrong_input("-h");
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
    if mode & MODE_SHOW_ALL_CONTROLLERS != 0
        || (ctrls.is_empty() && names.is_empty() && list.is_empty())
    {
        let all: Vec<String> = lib.table.iter().map(|e| e.name.clone()).collect();
        ctrls.extend(all);
    }
    for spec in &list {
        display_values(&mut lib, &spec.controllers, &spec.path, &names, mode);
    }
    for group in &operands {
        display_values(&mut lib, &ctrls, group, &names, mode);
    }
    // libcgroup quirk: main returns `result`, which only option and initialization errors
    // set; a group that cannot be read still exits 0.
    0
}

const COPY_FROM: i32 = 128;

fn cgset(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    if argv.len() < 2 {
        let msg = format!(
            "Usage is {} -r <name=value> <relative path to cgroup>\n",
            lib.prog
        );
        lib.err(&msg);
        return api::status(-1);
    }
    let longs = [
        LongOpt {
            name: "rule",
            has_arg: HasArg::Required,
            val: 'r' as i32,
        },
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "copy-from",
            has_arg: HasArg::Required,
            val: COPY_FROM,
        },
    ];
    let (opts, operands) = getopt_long(argv, "r:h", &longs);
    let (mut rules, mut copy) = (false, false);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut src_path = String::new();
    for o in opts {
        let (c, arg) = match o {
            Got::Opt(c, arg, _) => (c, arg.unwrap_or_default()),
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("--help");
                return api::status(-1);
            }
        };
        if c == COPY_FROM {
            if rules || copy {
                lib.wrong_input("--help");
                return api::status(-1);
            }
            copy = true;
            src_path = arg;
            continue;
        }
        match char::from_u32(c as u32) {
            Some('h') => {
                let text = CGSET_HELP.replace("cgset", &lib.prog);
                lib.out(&text);
                return 0;
            }
            Some('r') => {
                if copy {
                    lib.wrong_input("--help");
                    return api::status(-1);
                }
                rules = true;
                // strtok(optarg, "=") twice: leading '=' are skipped, the first '=' after
                // the name becomes the end of the name (so the message shows only the name).
                let mut toks = arg.split('=').filter(|t| !t.is_empty());
                let name = toks.next();
                let value = toks.next();
                match (name, value) {
                    (Some(n), Some(v)) => pairs.push((n.to_string(), v.to_string())),
                    (Some(n), None) => {
                        let shown = if arg.trim_start_matches('=').len() > n.len() {
                            &arg[..arg.find(n).unwrap_or(0) + n.len()]
                        } else {
                            arg.as_str()
                        };
                        let msg = format!("{}: wrong parameter of option -r: {shown}\n", lib.prog);
                        lib.err(&msg);
                        return api::status(-1);
                    }
                    (None, _) => {
                        let msg = format!("{}: wrong parameter of option -r: {arg}\n", lib.prog);
                        lib.err(&msg);
                        return api::status(-1);
                    }
                }
            }
            _ => {}
        }
    }
    if operands.is_empty() {
        let msg = format!("{}: no cgroup specified\n", lib.prog);
        lib.err(&msg);
        return api::status(-1);
    }
    if !rules && !copy {
        let msg = format!("{}: no name-value pair was set\n", lib.prog);
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
    // libcgroup quirk: a bad pair or an unreadable source group exits with status 0 (`ret`
    // still holds cgroup_init's 0).
    let src = if rules {
        let mut src = Cgroup::new("tmp");
        for (n, v) in &pairs {
            let Some((ctrl, _)) = n.split_once('.') else {
                lib.err(&format!("wrong -r  parameter ({n}={v})\n"));
                return 0;
            };
            if src.controller(ctrl).is_none() {
                src.add_controller(ctrl);
            }
            let c = src
                .controllers
                .iter_mut()
                .find(|c| c.name == ctrl)
                .expect("added above");
            if c.add_value(n, v).is_err() {
                lib.err(&format!("name-value pair {n}={v} can't be set\n"));
                return 0;
            }
        }
        src
    } else {
        let mut src = Cgroup::new(&src_path);
        let ret = lib.get_cgroup(&mut src);
        if ret != 0 {
            let msg = format!("cgroup {src_path} error: {} \n", lib.strerror(ret));
            lib.err(&msg);
            return 0;
        }
        src
    };
    for group in &operands {
        let mut cg = Cgroup::new(group);
        cg.controllers = src.controllers.clone();
        // libcgroup quirk: cgroup_copy_cgroup copies names and values but not the dirty flags
        // (fixed upstream in 2020, commit 903673ee), so cgroup_modify_cgroup treats every
        // failed write as ignorable: a bad value or a group that does not exist is skipped
        // silently and cgset exits 0.
        for c in &mut cg.controllers {
            for v in &mut c.values {
                v.dirty = false;
            }
        }
        let ret = lib.modify_cgroup(&mut cg);
        if ret != 0 {
            let msg = format!("{}: the group can't be modified\n", lib.prog);
            lib.err(&msg);
            return api::status(ret);
        }
    }
    0
}
