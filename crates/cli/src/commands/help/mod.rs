//! `--help`, `--version` and option checking for every command, as the real tools do them.
//!
//! Before an external command, wrapper or program runs, [`preflight`] reads its arguments the
//! way the real tool's `getopt_long` (glibc 2.36) would and
//!
//! * prints the command's `--help` text to standard output and exits 0 when `--help` is among
//!   its options (coreutils, grep, util-linux and procps all do this, wherever the option is,
//!   as glibc permutes options before operands);
//! * prints `--version` as the real tool's first version line and exits 0;
//! * rejects what the real tool rejects, with glibc's message (`invalid option -- 'x'`,
//!   `unrecognized option '--x'`, `option requires an argument -- 'm'`, `option '--parents'
//!   doesn't allow an argument`, `option '--h' is ambiguous; possibilities: ...`) followed by
//!   the tool's hint (`Try 'ls --help' for more information.`, grep's usage line, procps
//!   free's whole usage) and the tool's usage-error status (`ls` 2, `swapoff` 16, most 1);
//! * refuses, without pretending, an option the real tool has but cgsim does not simulate
//!   (`ls: option '-h' is not simulated by cgsim`, same status);
//! * hands the command a normalized argv: option clusters split (`-la` → `-l -a`), long options
//!   and their unique abbreviations turned into their short form where one exists
//!   (`--parents` → `-p`, `--mode=755` → `-m 755`) or spelled in full (`--kilo`), arguments as
//!   separate words, then the operands (after a `--` when one starts with `-`).
//!
//! The tables follow the tools of Debian 12: GNU coreutils 9.1, GNU grep 3.8, util-linux
//! 2.38.1 and procps-ng 4.0.2, whose option sets were read from each tool's `--help` and
//! checked option by option against the installed binaries.
//!
//! **Differences:** the help texts keep the real tools' layout, usage lines and option
//! spellings but are cgsim's own words and list only the options cgsim simulates (the tools'
//! texts are GPL-licensed and describe options that would do nothing here). Shell builtins get
//! no `--help`, as in dash, whose builtins have none (`cd --help` is `cd: Illegal option --`);
//! `help CMD` describes them instead.

mod texts;
mod tools;

pub use texts::HELP;
pub use tools::TOOLS;

use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::Pid;

/// Which project a tool comes from: decides the error hint and the version line.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Family {
    Coreutils,
    Grep,
    UtilLinux,
    /// procps-ng's `free`: usage errors print the whole help to standard error.
    ProcpsFree,
}

/// How the real tool reads its options.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Order {
    /// GNU's default: options may follow operands.
    Permute,
    /// `+` in the option string (`setpriv`): options end at the first operand, which is the
    /// program to run with its own arguments.
    RequireOrder,
}

/// The real tool's options and what cgsim simulates of them.
pub struct Tool {
    pub name: &'static str,
    pub family: Family,
    pub order: Order,
    /// The real tool's short options in getopt syntax (`m:pvZ`).
    pub short: &'static str,
    /// The real tool's long options: `name`, `name=` (required argument) or `name?`
    /// (optional argument), then `/c` when the short option `c` is the same option.
    pub long: &'static [&'static str],
    /// The short options cgsim simulates.
    pub sim_short: &'static str,
    /// The long-only options cgsim simulates (long options with a short form follow it).
    pub sim_long: &'static [&'static str],
    /// Exit status of a usage error.
    pub status: i32,
    /// `-NUM` is an option of its own (`head -5`, `tail -3`, `grep -2`): kept whole.
    pub numbers: bool,
}

/// The table entry of `name`.
pub fn tool(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Give every existing command its `--help` text. Runs after the families have registered;
/// a command another family has removed or renamed is skipped.
pub(crate) fn register(r: &mut Registry) {
    for (name, text) in HELP {
        if r.get(name).is_some_and(|c| c.name == *name) {
            r.set_help(name, text);
        }
    }
}

/// The commands whose own parser is the only one: `mount` and `umount` call [`getopt`]
/// themselves with the table of the preset's userland (`mount.rs`: util-linux-ng 2.17.2,
/// 2.23.2 or 2.38.1), `ps` parses procps's three option syntaxes itself (`ps.rs`); each prints
/// its own help (procps 3.2.8's or procps-ng's for `ps --help`), version and usage errors.
pub const OWN_GETOPT: &[&str] = &["mount", "umount", "ps", "inotifywait", "inotifywatch"];

/// What [`preflight`] decided.
pub enum Preflight {
    /// Run the command with this (normalized) argv.
    Run(Vec<String>),
    /// The command is done (help printed, or a usage error): exit with this status.
    Exit(i32),
}

/// Check and normalize `argv` for the command it names, printing `--help`/`--version` or the
/// real tool's usage error as `pid`. Builtins are not checked (dash's builtins have no
/// `--help`).
pub fn preflight(sh: &mut Shell, pid: Pid, argv: &[String]) -> Preflight {
    let Some(cmd) = sh.registry().get(&argv[0]).cloned() else {
        return Preflight::Run(argv.to_vec());
    };
    if matches!(cmd.kind, Kind::Builtin(_)) {
        return Preflight::Run(argv.to_vec());
    }
    // Commands that read their own options with [`getopt`] (their option table depends on the
    // preset's userland): nothing is checked twice.
    if OWN_GETOPT.contains(&cmd.name) {
        return Preflight::Run(argv.to_vec());
    }
    let Some(t) = tool(cmd.name) else {
        // No option table (libcgroup's tools, the simulator's own programs): `CMD --help`
        // alone prints the help; the command's own parser reads every other form.
        return match (cmd.help, argv) {
            (Some(help), [_, only]) if only == "--help" => {
                Preflight::Exit(print(sh, pid, cmd.name, help))
            }
            _ => Preflight::Run(argv.to_vec()),
        };
    };
    match getopt(t, argv) {
        Ok(Parsed::Help) => {
            let help = cmd.help.unwrap_or("");
            Preflight::Exit(print(sh, pid, cmd.name, help))
        }
        Ok(Parsed::Version) => Preflight::Exit(print(sh, pid, cmd.name, &version(t))),
        Ok(Parsed::Args(v)) => Preflight::Run(v),
        Err(OptError::NotSimulated(opt)) => {
            sh.write_err(
                pid,
                &format!("{}: option '{opt}' is not simulated by cgsim\n", argv[0]),
            );
            Preflight::Exit(t.status)
        }
        Err(e) => {
            // glibc's getopt names the program as it was typed (`/bin/ls: invalid option`);
            // coreutils' hint does too, util-linux's uses the short name.
            let mut msg = format!("{}: {}\n", argv[0], e.message());
            match t.family {
                Family::Coreutils => {
                    msg.push_str(&format!("Try '{} --help' for more information.\n", argv[0]))
                }
                Family::UtilLinux => {
                    msg.push_str(&format!("Try '{} --help' for more information.\n", t.name))
                }
                Family::Grep => msg.push_str(
                    "Usage: grep [OPTION]... PATTERNS [FILE]...\n\
                     Try 'grep --help' for more information.\n",
                ),
                Family::ProcpsFree => msg.push_str(cmd.help.unwrap_or("")),
            }
            sh.write_err(pid, &msg);
            Preflight::Exit(t.status)
        }
    }
}

fn print(sh: &mut Shell, pid: Pid, name: &str, text: &str) -> i32 {
    match sh.out(pid, text) {
        Ok(()) => 0,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("{name}: write error: {}\n", e.errno.strerror()),
            );
            1
        }
    }
}

/// The first line of the real tool's `--version`.
fn version(t: &Tool) -> String {
    match t.family {
        Family::Coreutils => format!("{} (GNU coreutils) 9.1\n", t.name),
        Family::Grep => "grep (GNU grep) 3.8\n".to_string(),
        Family::UtilLinux if matches!(t.name, "mount" | "umount") => format!(
            "{} from util-linux 2.38.1 (libmount 2.38.1: selinux, smack, btrfs, verity, \
             namespaces, assert, debug)\n",
            t.name
        ),
        Family::UtilLinux => format!("{} from util-linux 2.38.1\n", t.name),
        Family::ProcpsFree => format!("{} from procps-ng 4.0.2\n", t.name),
    }
}

/// What getopt made of the arguments.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Help,
    Version,
    Args(Vec<String>),
}

/// A usage error, worded as glibc's getopt words it.
#[derive(Debug, PartialEq, Eq)]
pub enum OptError {
    Invalid(char),
    Unrecognized(String),
    NeedsArg(char),
    LongNeedsArg(String),
    LongNoArg(String),
    Ambiguous(String, Vec<String>),
    NotSimulated(String),
}

impl OptError {
    /// glibc's wording of the error (without the program name).
    pub fn message(&self) -> String {
        match self {
            OptError::Invalid(c) => format!("invalid option -- '{c}'"),
            OptError::Unrecognized(a) => format!("unrecognized option '{a}'"),
            OptError::NeedsArg(c) => format!("option requires an argument -- '{c}'"),
            OptError::LongNeedsArg(n) => format!("option '--{n}' requires an argument"),
            OptError::LongNoArg(n) => format!("option '--{n}' doesn't allow an argument"),
            OptError::Ambiguous(a, all) => {
                let list: Vec<String> = all.iter().map(|n| format!("'--{n}'")).collect();
                format!(
                    "option '{a}' is ambiguous; possibilities: {}",
                    list.join(" ")
                )
            }
            OptError::NotSimulated(o) => format!("option '{o}' is not simulated by cgsim"),
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum HasArg {
    No,
    Required,
    Optional,
}

/// One long option of a table entry: name, argument, short form.
fn long_opt(spec: &str) -> (&str, HasArg, Option<char>) {
    let (body, short) = match spec.split_once('/') {
        Some((b, s)) => (b, s.chars().next()),
        None => (spec, None),
    };
    if let Some(n) = body.strip_suffix('=') {
        (n, HasArg::Required, short)
    } else if let Some(n) = body.strip_suffix('?') {
        (n, HasArg::Optional, short)
    } else {
        (body, HasArg::No, short)
    }
}

/// How the short option `c` takes an argument, or `None` when the tool has no `-c`.
fn short_opt(t: &Tool, c: char) -> Option<HasArg> {
    if c == ':' || c == '+' {
        return None;
    }
    let s = t.short;
    let i = s.find(c)?;
    let rest = &s[i + c.len_utf8()..];
    Some(if rest.starts_with("::") {
        HasArg::Optional
    } else if rest.starts_with(':') {
        HasArg::Required
    } else {
        HasArg::No
    })
}

/// glibc's `getopt_long` over `argv` for the tool `t`, then cgsim's simulated-option check.
pub fn getopt(t: &Tool, argv: &[String]) -> Result<Parsed, OptError> {
    let mut opts: Vec<String> = Vec::new();
    let mut operands: Vec<String> = Vec::new();
    let mut i = 1;
    let mut help = false;
    let mut version = false;
    // The first problem the real tool would report; `--help` earlier on the line wins.
    let mut not_simulated: Option<String> = None;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        if a == "--" {
            operands.extend(argv[i..].iter().cloned());
            break;
        }
        // chmod reads `-w`, `-rwx`, `-022` as a MODE operand, not as options.
        if !a.starts_with('-') || a == "-" || (t.name == "chmod" && is_chmod_mode(a)) {
            operands.push(a.to_string());
            if t.order == Order::RequireOrder {
                operands.extend(argv[i..].iter().cloned());
                break;
            }
            continue;
        }
        if t.numbers && a[1..].starts_with(|c: char| c.is_ascii_digit()) {
            if !t.sim_short.contains('0') {
                not_simulated.get_or_insert_with(|| a.to_string());
            }
            opts.push(a.to_string());
            continue;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let table: Vec<(&str, HasArg, Option<char>)> =
                t.long.iter().map(|s| long_opt(s)).collect();
            let exact = table.iter().find(|(n, ..)| *n == name);
            let found = match exact {
                Some(o) => *o,
                None => {
                    let mut matches: Vec<&(&str, HasArg, Option<char>)> =
                        table.iter().filter(|(n, ..)| n.starts_with(name)).collect();
                    // Two names for one option (`--silent`/`--quiet`, grep's `--color` and
                    // `--colour`) are not ambiguous: glibc compares what the entries do.
                    let first = matches.first().map(|m| (m.1, m.2));
                    fn spellings(n: &str) -> &str {
                        if n == "colour" { "color" } else { n }
                    }
                    let one_long = matches.first().map(|m| spellings(m.0));
                    let same = matches.iter().all(|m| {
                        Some((m.1, m.2)) == first
                            && (m.2.is_some() || Some(spellings(m.0)) == one_long)
                    });
                    match matches.len() {
                        0 => return Err(OptError::Unrecognized(a.to_string())),
                        1 => *matches[0],
                        _ if same => *matches[0],
                        _ => {
                            matches.dedup_by(|x, y| x.0 == y.0);
                            return Err(OptError::Ambiguous(
                                a.to_string(),
                                matches.iter().map(|m| m.0.to_string()).collect(),
                            ));
                        }
                    }
                }
            };
            let (full, has_arg, short) = found;
            let arg = match (has_arg, value) {
                (HasArg::No, Some(_)) => return Err(OptError::LongNoArg(full.to_string())),
                (HasArg::No, None) => None,
                (HasArg::Required, Some(v)) => Some(v.to_string()),
                (HasArg::Required, None) => match argv.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => return Err(OptError::LongNeedsArg(full.to_string())),
                },
                (HasArg::Optional, v) => v.map(str::to_string),
            };
            match (full, short) {
                ("help", _) => {
                    if not_simulated.is_none() {
                        help = true;
                        break;
                    }
                }
                ("version", _) => {
                    if not_simulated.is_none() {
                        version = true;
                        break;
                    }
                }
                (_, Some(c)) => {
                    if !t.sim_short.contains(c) {
                        not_simulated.get_or_insert_with(|| format!("--{full}"));
                    }
                    opts.push(format!("-{c}"));
                    opts.extend(arg);
                }
                (_, None) => {
                    if !t.sim_long.contains(&full) {
                        not_simulated.get_or_insert_with(|| format!("--{full}"));
                    }
                    opts.push(match arg {
                        Some(v) => format!("--{full}={v}"),
                        None => format!("--{full}"),
                    });
                }
            }
            continue;
        }
        // A cluster of short options.
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            let Some(has_arg) = short_opt(t, c) else {
                return Err(OptError::Invalid(c));
            };
            let arg = match has_arg {
                HasArg::No => None,
                HasArg::Optional => {
                    let rest: String = chars[j..].iter().collect();
                    j = chars.len();
                    (!rest.is_empty()).then_some(rest)
                }
                HasArg::Required => {
                    let rest: String = chars[j..].iter().collect();
                    j = chars.len();
                    if !rest.is_empty() {
                        Some(rest)
                    } else if let Some(v) = argv.get(i) {
                        i += 1;
                        Some(v.clone())
                    } else {
                        return Err(OptError::NeedsArg(c));
                    }
                }
            };
            // util-linux's and procps's `-h`/`-V` are help and version.
            let long_of_c = t
                .long
                .iter()
                .map(|s| long_opt(s))
                .find(|(_, _, s)| *s == Some(c))
                .map(|(n, ..)| n);
            match long_of_c {
                Some("help") if not_simulated.is_none() => {
                    help = true;
                    break;
                }
                Some("version") if not_simulated.is_none() => {
                    version = true;
                    break;
                }
                _ => {}
            }
            if !t.sim_short.contains(c) {
                not_simulated.get_or_insert_with(|| format!("-{c}"));
            }
            opts.push(format!("-{c}"));
            opts.extend(arg);
        }
        if help || version {
            break;
        }
    }
    if help {
        return Ok(Parsed::Help);
    }
    if version {
        return Ok(Parsed::Version);
    }
    if let Some(o) = not_simulated {
        return Err(OptError::NotSimulated(o));
    }
    let mut out = vec![argv[0].clone()];
    out.extend(opts);
    // Only the commands whose own parsers know `--` get one; the others take every word
    // after the options as an operand already.
    let knows_dashdash = matches!(t.name, "grep" | "head" | "tail" | "wc");
    if knows_dashdash && operands.iter().any(|o| o.starts_with('-') && o != "-") {
        out.push("--".to_string());
    }
    out.extend(operands);
    Ok(Parsed::Args(out))
}

/// A symbolic or octal chmod mode that starts with `-` (`-w`, `-rwx`, `-x,u+w`, `-022`).
fn is_chmod_mode(a: &str) -> bool {
    a.len() > 1
        && a[1..]
            .chars()
            .all(|c| "rwxXstugoa0123456789,+=-".contains(c))
}

/// `help CMD...`: one command's help, or its usage and summary when it has no `--help`
/// (builtins). Returns the status (1 when a name is unknown, as bash's `help`).
pub fn help_for(sh: &mut Shell, names: &[String]) -> i32 {
    let pid = sh.cur();
    let mut status = 0;
    for n in names {
        let text = match sh.registry().get(n) {
            Some(c) => match c.help {
                Some(h) => h.to_string(),
                None => format!("{}: {}\n    {}.\n", c.name, c.usage, c.summary),
            },
            None => {
                sh.sh_error(pid, &format!("help: no help topics match '{n}'"));
                status = 1;
                continue;
            }
        };
        if let Err(e) = sh.out(pid, &text) {
            sh.sh_error(pid, &format!("help: write error: {}", e.errno.strerror()));
            return 1;
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn run(name: &str, v: &[&str]) -> Result<Parsed, OptError> {
        let mut a = vec![name];
        a.extend_from_slice(v);
        getopt(tool(name).unwrap(), &args(&a))
    }

    #[test]
    fn clusters_split_and_long_options_become_short_ones() {
        assert_eq!(
            run("ls", &["-la", "/cg", "--all"]),
            Ok(Parsed::Args(args(&["ls", "-l", "-a", "-a", "/cg"])))
        );
        assert_eq!(
            run("mkdir", &["--par", "--mode=700", "x", "-m755"]),
            Ok(Parsed::Args(args(&[
                "mkdir", "-p", "-m", "700", "-m", "755", "x"
            ])))
        );
        assert_eq!(
            run("head", &["-5", "f", "-n", "2"]),
            Ok(Parsed::Args(args(&["head", "-5", "-n", "2", "f"])))
        );
        assert_eq!(
            run("setpriv", &["--reuid=1000", "cat", "-x"]),
            Ok(Parsed::Args(args(&[
                "setpriv",
                "--reuid=1000",
                "cat",
                "-x"
            ])))
        );
    }

    #[test]
    fn glibc_errors() {
        assert_eq!(run("cat", &["-x"]), Err(OptError::Invalid('x')));
        assert_eq!(
            run("mkdir", &["--bogus"]),
            Err(OptError::Unrecognized("--bogus".into()))
        );
        assert_eq!(run("mkdir", &["-m"]), Err(OptError::NeedsArg('m')));
        assert_eq!(
            run("mkdir", &["--par=x"]),
            Err(OptError::LongNoArg("parents".into()))
        );
        assert_eq!(
            run("mkdir", &["--mode"]),
            Err(OptError::LongNeedsArg("mode".into()))
        );
        let Err(OptError::Ambiguous(a, all)) = run("ls", &["--h"]) else {
            panic!("ls --h is ambiguous");
        };
        assert_eq!(a, "--h");
        assert!(all.contains(&"help".to_string()) && all.contains(&"hide".to_string()));
        // `--qui` names `--quiet` only; `--sil`/`--qui` and grep's `--colo` are one option.
        assert_eq!(
            run("grep", &["--colo", "x"]),
            Err(OptError::NotSimulated("--color".into()))
        );
        assert_eq!(
            run("head", &["--qui", "f"]),
            Ok(Parsed::Args(args(&["head", "-q", "f"])))
        );
    }

    #[test]
    fn help_wins_over_everything_after_it_and_operands_before_it() {
        assert_eq!(run("ls", &["/x", "--help", "-y"]), Ok(Parsed::Help));
        assert_eq!(run("mount", &["-h"]), Ok(Parsed::Help));
        assert_eq!(run("ls", &["-y", "--help"]), Err(OptError::Invalid('y')));
        assert_eq!(run("free", &["-V"]), Ok(Parsed::Version));
        // After `--`, `--help` is an operand.
        assert_eq!(
            run("head", &["--", "--help"]),
            Ok(Parsed::Args(args(&["head", "--", "--help"])))
        );
        // setpriv stops at the program: `--help` belongs to it.
        assert_eq!(
            run("setpriv", &["--reuid=1", "ls", "--help"]),
            Ok(Parsed::Args(args(&[
                "setpriv",
                "--reuid=1",
                "ls",
                "--help"
            ])))
        );
    }

    #[test]
    fn real_options_cgsim_lacks_are_refused_by_name() {
        assert_eq!(run("ls", &["-h"]), Err(OptError::NotSimulated("-h".into())));
        assert_eq!(
            run("cat", &["--number"]),
            Err(OptError::NotSimulated("--number".into()))
        );
    }

    #[test]
    fn every_table_entry_has_a_help_text_and_parses() {
        for t in TOOLS {
            assert!(
                HELP.iter().any(|(n, _)| *n == t.name),
                "{} has no help",
                t.name
            );
            for l in t.long {
                let (n, _, s) = long_opt(l);
                assert!(!n.is_empty());
                if let Some(c) = s {
                    assert!(short_opt(t, c).is_some(), "{}: -{c} of --{n}", t.name);
                }
            }
            for c in t.sim_short.chars() {
                assert!(short_opt(t, c).is_some(), "{}: simulated -{c}", t.name);
            }
        }
    }
}
