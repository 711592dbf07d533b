//! `uname`: the simulated kernel's `uname(2)`, printed as GNU coreutils 9.1 `uname` does.
//!
//! **Tool:** coreutils `src/uname.c` (9.1): the fields print in the fixed order kernel name,
//! node name, release, version, machine, processor, hardware platform, operating system,
//! separated by one space; no option means `-s`; `-a` leaves out `-p` and `-i` when they are
//! `unknown` (as on Linux, where both are); `getopt_long` rules for bundled short options,
//! abbreviated long options and their errors.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "uname",
        "uname [-asnrvmpio]",
        "print the kernel name, release and version (the --kernel preset)",
        Kind::External(uname),
    );
    r.set_help("uname", HELP);
}

/// `uname --help` of coreutils 9.1.
const HELP: &str = r#"Usage: uname [OPTION]...
Print certain system information.  With no OPTION, same as -s.

  -a, --all                print all information, in the following order,
                             except omit -p and -i if unknown:
  -s, --kernel-name        print the kernel name
  -n, --nodename           print the network node hostname
  -r, --kernel-release     print the kernel release
  -v, --kernel-version     print the kernel version
  -m, --machine            print the machine hardware name
  -p, --processor          print the processor type (non-portable)
  -i, --hardware-platform  print the hardware platform (non-portable)
  -o, --operating-system   print the operating system
      --help        display this help and exit
      --version     output version information and exit

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/uname>
or available locally via: info '(coreutils) uname invocation'
"#;

/// `uname --version` of coreutils 9.1.
const VERSION: &str = "uname (GNU coreutils) 9.1\n\
Copyright (C) 2022 Free Software Foundation, Inc.\n\
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n\
This is free software: you are free to change and redistribute it.\n\
There is NO WARRANTY, to the extent permitted by law.\n\
\n\
Written by David MacKenzie.\n";

const PRINT_KERNEL_NAME: u32 = 1;
const PRINT_NODENAME: u32 = 2;
const PRINT_KERNEL_RELEASE: u32 = 4;
const PRINT_KERNEL_VERSION: u32 = 8;
const PRINT_MACHINE: u32 = 16;
const PRINT_PROCESSOR: u32 = 32;
const PRINT_HARDWARE_PLATFORM: u32 = 64;
const PRINT_OPERATING_SYSTEM: u32 = 128;

/// What an option asks for.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Opt {
    Flags(u32),
    Help,
    Version,
}

/// `uname_long_options`, in the table's order (ambiguity messages list them so).
const LONG: [(&str, Opt); 13] = [
    ("all", Opt::Flags(u32::MAX)),
    ("kernel-name", Opt::Flags(PRINT_KERNEL_NAME)),
    ("sysname", Opt::Flags(PRINT_KERNEL_NAME)),
    ("nodename", Opt::Flags(PRINT_NODENAME)),
    ("kernel-release", Opt::Flags(PRINT_KERNEL_RELEASE)),
    ("release", Opt::Flags(PRINT_KERNEL_RELEASE)),
    ("kernel-version", Opt::Flags(PRINT_KERNEL_VERSION)),
    ("machine", Opt::Flags(PRINT_MACHINE)),
    ("processor", Opt::Flags(PRINT_PROCESSOR)),
    ("hardware-platform", Opt::Flags(PRINT_HARDWARE_PLATFORM)),
    ("operating-system", Opt::Flags(PRINT_OPERATING_SYSTEM)),
    ("help", Opt::Help),
    ("version", Opt::Version),
];

fn short(c: char) -> Option<u32> {
    Some(match c {
        'a' => u32::MAX,
        's' => PRINT_KERNEL_NAME,
        'n' => PRINT_NODENAME,
        'r' => PRINT_KERNEL_RELEASE,
        'v' => PRINT_KERNEL_VERSION,
        'm' => PRINT_MACHINE,
        'p' => PRINT_PROCESSOR,
        'i' => PRINT_HARDWARE_PLATFORM,
        'o' => PRINT_OPERATING_SYSTEM,
        _ => return None,
    })
}

/// `getopt_long`'s lookup of `--name[=arg]`: an exact name, or a prefix that names one
/// option (several names of the same option count as one).
fn long_option(arg: &str) -> Result<Opt, String> {
    let (name, value) = match arg.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (arg, None),
    };
    let found = match LONG.iter().find(|(n, _)| *n == name) {
        Some(&(n, o)) => (n, o),
        None => {
            let matches: Vec<&(&str, Opt)> =
                LONG.iter().filter(|(n, _)| n.starts_with(name)).collect();
            match matches.as_slice() {
                [] => return Err(format!("unrecognized option '--{name}'")),
                [first, rest @ ..] if rest.iter().all(|(_, o)| *o == first.1) => (first.0, first.1),
                all => {
                    let list: Vec<String> = all.iter().map(|(n, _)| format!("'--{n}'")).collect();
                    return Err(format!(
                        "option '--{name}' is ambiguous; possibilities: {}",
                        list.join(" ")
                    ));
                }
            }
        }
    };
    if value.is_some() {
        return Err(format!("option '--{}' doesn't allow an argument", found.0));
    }
    Ok(found.1)
}

/// The interactive shell's greeting: which kernel preset is running, and whether switches
/// were changed from it.
pub fn banner(k: &cgsim_cgroupfs::Kernel) -> String {
    let p = k.params();
    let kernel = if p.is_modified() {
        format!(
            "Linux {} (the {} preset with switches changed by --set)",
            p.release(),
            p.kernel
        )
    } else {
        format!("Linux {}", p.release())
    };
    let cgroups = if p.core_profile.has_cgroup2() {
        "cgroup v1 and v2"
    } else {
        "cgroup v1"
    };
    format!(
        "cgsim: a simulated {kernel} with {cgroups}. Type `help` for commands, `exit` to leave."
    )
}

fn usage_error(sh: &mut Shell, pid: Pid, msg: &str) -> i32 {
    sh.write_err(
        pid,
        &format!("uname: {msg}\nTry 'uname --help' for more information.\n"),
    );
    1
}

fn uname(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut toprint = 0u32;
    let mut operands = Vec::new();
    let mut args = argv.iter().skip(1);
    let print_text = |sh: &mut Shell, text: &str| match sh.out(pid, text) {
        Ok(()) => 0,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("uname: write error: {}\n", e.errno.strerror()),
            );
            1
        }
    };
    while let Some(a) = args.next() {
        if a == "--" {
            operands.extend(args.by_ref().cloned());
            break;
        }
        let opts: Vec<Opt> = if let Some(long) = a.strip_prefix("--") {
            match long_option(long) {
                Ok(o) => vec![o],
                Err(msg) => return usage_error(sh, pid, &msg),
            }
        } else if let Some(shorts) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut v = Vec::new();
            for c in shorts.chars() {
                match short(c) {
                    Some(f) => v.push(Opt::Flags(f)),
                    None => return usage_error(sh, pid, &format!("invalid option -- '{c}'")),
                }
            }
            v
        } else {
            // getopt_long permutes operands after the options.
            operands.push(a.clone());
            continue;
        };
        for o in opts {
            match o {
                Opt::Flags(f) => toprint |= f,
                Opt::Help => return print_text(sh, HELP),
                Opt::Version => return print_text(sh, VERSION),
            }
        }
    }
    if let Some(extra) = operands.first() {
        return usage_error(sh, pid, &format!("extra operand '{extra}'"));
    }
    if toprint == 0 {
        toprint = PRINT_KERNEL_NAME;
    }
    let u = sh.kernel().uname();
    let mut fields: Vec<&str> = Vec::new();
    let all = toprint == u32::MAX;
    for (bit, value) in [
        (PRINT_KERNEL_NAME, u.sysname.as_str()),
        (PRINT_NODENAME, u.nodename.as_str()),
        (PRINT_KERNEL_RELEASE, u.release.as_str()),
        (PRINT_KERNEL_VERSION, u.version.as_str()),
        (PRINT_MACHINE, u.machine.as_str()),
        (PRINT_PROCESSOR, "unknown"),
        (PRINT_HARDWARE_PLATFORM, "unknown"),
        (PRINT_OPERATING_SYSTEM, "GNU/Linux"),
    ] {
        if toprint & bit == 0 {
            continue;
        }
        // -a omits -p and -i when they are unknown.
        if all && value == "unknown" {
            continue;
        }
        fields.push(value);
    }
    print_text(sh, &format!("{}\n", fields.join(" ")))
}
