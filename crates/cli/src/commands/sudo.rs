//! `sudo` as sudo 1.9.13p3 behaves for root (the simulated shell's user), which is what blog
//! tutorials prefix their commands with: no password is asked, the command runs as root (or
//! as `-u USER`, a name from `/etc/passwd` or `#UID`, with that user's primary group, or `-g
//! GROUP`).
//!
//! **Follows:** `sudo -h` (its help, exit 0), `-V`, the usage on standard error for no command
//! or a bad option (`sudo: invalid option -- 'x'`, exit 1), `sudo: NAME: command not found`
//! and `sudo: unknown user NAME` (exit 1).
//! **Differences:** no sudoers policy (root may run anything), no logging; the environment is
//! passed unchanged (sudo's `env_reset` would keep only a few variables); `-E`, `-H`, `-n`,
//! `-S`, `-P`, `-k` are accepted and change nothing here; `-i`, `-s`, `-l`, `-e`, `-v`, `-K`,
//! `-b`, `-D`, `-R`, `-T`, `-C`, `-r`, `-t`, `-U`, `-p`, `-A`, `-B`, `-h HOST` and `VAR=value`
//! operands are refused as not simulated.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::{Cred, Pid, Uid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "sudo",
        "sudo [-u USER] [-g GROUP] [-E] COMMAND [ARG]...",
        "run a command as root or another user (sudo 1.9)",
        Kind::Wrapper(sudo),
    );
    r.set_help("sudo", HELP);
}

/// `sudo -h`.
pub const HELP: &str = r#"sudo - execute a command as another user

usage: sudo -h | -K | -k | -V
usage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]
usage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user] [-u user]
            [command [arg ...]]
usage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory] [-g
            group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user]
            [VAR=value] [-i | -s] [command [arg ...]]
usage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory] [-g group]
            [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] file ...

Options:
  -A, --askpass                 use a helper program for password prompting
  -b, --background              run command in the background
  -B, --bell                    ring bell when prompting
  -C, --close-from=num          close all file descriptors >= num
  -D, --chdir=directory         change the working directory before running
                                command
  -E, --preserve-env            preserve user environment when running command
      --preserve-env=list       preserve specific environment variables
  -e, --edit                    edit files instead of running a command
  -g, --group=group             run command as the specified group name or ID
  -H, --set-home                set HOME variable to target user's home dir
  -h, --help                    display help message and exit
  -h, --host=host               run command on host (if supported by plugin)
  -i, --login                   run login shell as the target user; a command
                                may also be specified
  -K, --remove-timestamp        remove timestamp file completely
  -k, --reset-timestamp         invalidate timestamp file
  -l, --list                    list user's privileges or check a specific
                                command; use twice for longer format
  -n, --non-interactive         non-interactive mode, no prompts are used
  -P, --preserve-groups         preserve group vector instead of setting to
                                target's
  -p, --prompt=prompt           use the specified password prompt
  -R, --chroot=directory        change the root directory before running command
  -r, --role=role               create SELinux security context with specified
                                role
  -S, --stdin                   read password from standard input
  -s, --shell                   run shell as the target user; a command may
                                also be specified
  -t, --type=type               create SELinux security context with specified
                                type
  -T, --command-timeout=timeout terminate command after the specified time limit
  -U, --other-user=user         in list mode, display privileges for user
  -u, --user=user               run command (or edit file) as specified user
                                name or ID
  -V, --version                 display version information and exit
  -v, --validate                update user's timestamp without running a
                                command
  --                            stop processing command line arguments
"#;

/// The usage sudo prints on standard error after a bad call.
const USAGE: &str = r#"usage: sudo -h | -K | -k | -V
usage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]
usage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user] [-u user]
            [command [arg ...]]
usage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory] [-g
            group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user]
            [VAR=value] [-i | -s] [command [arg ...]]
usage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory] [-g group]
            [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] file ...
"#;

fn sudo(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    let k = sh.kernel().clone();
    let mut user: Option<String> = None;
    let mut group: Option<String> = None;
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        // Long options with their values.
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "help" => {
                    let _ = sh.out(pid, HELP);
                    return Err(0);
                }
                "version" => {
                    let _ = sh.out(pid, VERSION);
                    return Err(0);
                }
                "user" | "group" => {
                    let v = match val {
                        Some(v) => v,
                        None => {
                            i += 1;
                            match argv.get(i) {
                                Some(v) => v.clone(),
                                None => {
                                    sh.write_err(
                                        pid,
                                        &format!(
                                            "sudo: option '--{name}' requires an argument\n{USAGE}"
                                        ),
                                    );
                                    return Err(1);
                                }
                            }
                        }
                    };
                    if name == "user" {
                        user = Some(v);
                    } else {
                        group = Some(v);
                    }
                }
                "preserve-env" | "set-home" | "non-interactive" | "stdin" | "preserve-groups"
                | "reset-timestamp" => {}
                _ => {
                    sh.write_err(
                        pid,
                        &format!("sudo: option '--{name}' is not simulated by cgsim\n"),
                    );
                    return Err(1);
                }
            }
            i += 1;
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            match c {
                'h' => {
                    let _ = sh.out(pid, HELP);
                    return Err(0);
                }
                'V' => {
                    let _ = sh.out(pid, VERSION);
                    return Err(0);
                }
                'E' | 'H' | 'n' | 'S' | 'P' | 'k' => {}
                'u' | 'g' => {
                    let rest: String = chars[j..].iter().collect();
                    j = chars.len();
                    let v = if rest.is_empty() {
                        i += 1;
                        match argv.get(i) {
                            Some(v) => v.clone(),
                            None => {
                                sh.write_err(
                                    pid,
                                    &format!("sudo: option requires an argument -- '{c}'\n{USAGE}"),
                                );
                                return Err(1);
                            }
                        }
                    } else {
                        rest
                    };
                    if c == 'u' {
                        user = Some(v);
                    } else {
                        group = Some(v);
                    }
                }
                'i' | 's' | 'l' | 'e' | 'v' | 'K' | 'b' | 'D' | 'R' | 'T' | 'C' | 'r' | 't'
                | 'U' | 'p' | 'A' | 'B' => {
                    sh.write_err(
                        pid,
                        &format!("sudo: option '-{c}' is not simulated by cgsim\n"),
                    );
                    return Err(1);
                }
                _ => {
                    sh.write_err(pid, &format!("sudo: invalid option -- '{c}'\n{USAGE}"));
                    return Err(1);
                }
            }
        }
        i += 1;
    }
    let Some(cmd) = argv.get(i) else {
        sh.write_err(pid, USAGE);
        return Err(1);
    };
    if cmd.contains('=') && !cmd.starts_with('/') {
        sh.write_err(pid, "sudo: VAR=value operands are not simulated by cgsim\n");
        return Err(1);
    }
    let mut cred = Cred::ROOT;
    if let Some(u) = &user {
        let pw = match u.strip_prefix('#') {
            Some(n) => n.parse::<u32>().ok().map(|uid| {
                super::nss::getpwuid(&k, pid, uid).map_or((uid, uid), |p| (p.uid, p.gid))
            }),
            None => super::nss::getpwnam(&k, pid, u).map(|p| (p.uid, p.gid)),
        };
        let Some((uid, gid)) = pw else {
            sh.write_err(
                pid,
                &format!(
                    "sudo: unknown user {u}\nsudo: error initializing audit plugin sudoers_audit\n"
                ),
            );
            return Err(1);
        };
        cred = Cred {
            uid: Uid(uid),
            euid: Uid(uid),
            suid: Uid(uid),
            gid,
            egid: gid,
        };
    }
    if let Some(g) = &group {
        let gid = match g.strip_prefix('#') {
            Some(n) => n.parse::<u32>().ok(),
            None => super::nss::getgrnam(&k, pid, g).map(|g| g.gid),
        };
        let Some(gid) = gid else {
            sh.write_err(pid, &format!("sudo: unknown group {g}\n"));
            return Err(1);
        };
        cred.gid = gid;
        cred.egid = gid;
    }
    if sh.registry().kind(cmd).is_none() && !cmd.contains('/') {
        sh.write_err(pid, &format!("sudo: {cmd}: command not found\n"));
        return Err(1);
    }
    if let Err(e) = k.set_cred(pid, cred) {
        sh.write_err(
            pid,
            &format!(
                "sudo: unable to change to runas uid: {}\n",
                e.errno.strerror()
            ),
        );
        return Err(1);
    }
    Ok(argv[i..].to_vec())
}

/// `sudo -V`: its first line (as root the real one goes on with the policy plugin's
/// settings).
const VERSION: &str = "Sudo version 1.9.13p3\n";
