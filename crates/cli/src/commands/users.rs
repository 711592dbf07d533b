//! `id` and `whoami` (GNU coreutils), with names from `/etc/passwd` and `/etc/group`.
//!
//! **Follows:** coreutils 9.x `src/id.c` and `src/whoami.c`: `uid=0(root) gid=0(root)
//! groups=0(root)`, `euid=`/`egid=` only when they differ from the real ids, a number without
//! `(name)` when the database has no entry, `id USER` for another user (login group plus the
//! groups of `/etc/group` that list the user).
//! **Differences:** simulated processes carry no supplementary groups, so a process's `groups=`
//! lists its real and effective group only; no `-Z`/`-z`/`-a`.

use super::nss;
use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::{Cred, Pid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "id",
        "id [-u|-g|-G] [-n] [-r] [USER]",
        "print user and group ids (names from /etc/passwd and /etc/group)",
        Kind::External(id),
    );
    r.set_help("id", ID_HELP);
    r.add(
        "whoami",
        "whoami",
        "print the effective user's name",
        Kind::External(whoami),
    );
    r.set_help("whoami", WHOAMI_HELP);
}

const ID_HELP: &str = "\
Usage: id [OPTION]... [USER]...
Print user and group information for each specified USER,
or (when USER omitted) for the current process.

  -a             ignore, for compatibility with other versions
  -Z, --context  print only the security context of the process
  -g, --group    print only the effective group ID
  -G, --groups   print all group IDs
  -n, --name     print a name instead of a number, for -ugG
  -r, --real     print the real ID instead of the effective ID, with -ugG
  -u, --user     print only the effective user ID
  -z, --zero     delimit entries with NUL characters, not whitespace;
                   not permitted in default format
      --help        display this help and exit
      --version     output version information and exit

Without any OPTION, print some useful set of identified information.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/id>
or available locally via: info '(coreutils) id invocation'
";

const WHOAMI_HELP: &str = "\
Usage: whoami [OPTION]...
Print the user name associated with the current effective user ID.
Same as id -un.

      --help        display this help and exit
      --version     output version information and exit

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/whoami>
or available locally via: info '(coreutils) whoami invocation'
";

fn cred_of(sh: &Shell, pid: Pid) -> Cred {
    sh.kernel()
        .ps()
        .into_iter()
        .find(|p| p.pid == pid)
        .map_or(Cred::ROOT, |p| p.cred)
}

fn try_help(sh: &mut Shell, pid: Pid, cmd: &str, msg: &str) -> i32 {
    sh.write_err(
        pid,
        &format!("{cmd}: {msg}\nTry '{cmd} --help' for more information.\n"),
    );
    1
}

/// Which ids `id` prints about one user or the process.
struct Ids {
    uid: u32,
    gid: u32,
    euid: u32,
    egid: u32,
    /// Group ids after the real and effective group, in order, without repeats.
    groups: Vec<u32>,
}

fn id(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let (mut only_u, mut only_g, mut only_gs, mut names, mut real) =
        (false, false, false, false, false);
    let mut users = Vec::new();
    let mut opts_done = false;
    for a in &argv[1..] {
        if opts_done || !a.starts_with('-') || a == "-" {
            users.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--" => opts_done = true,
            "--user" => only_u = true,
            "--group" => only_g = true,
            "--groups" => only_gs = true,
            "--name" => names = true,
            "--real" => real = true,
            _ if a.starts_with("--") => {
                return try_help(sh, pid, "id", &format!("unrecognized option '{a}'"));
            }
            _ => {
                for c in a[1..].chars() {
                    match c {
                        'u' => only_u = true,
                        'g' => only_g = true,
                        'G' => only_gs = true,
                        'n' => names = true,
                        'r' => real = true,
                        'a' => {}
                        _ => {
                            return try_help(sh, pid, "id", &format!("invalid option -- '{c}'"));
                        }
                    }
                }
            }
        }
    }
    let nchoices = [only_u, only_g, only_gs].iter().filter(|b| **b).count();
    if nchoices > 1 {
        sh.write_err(pid, "id: cannot print \"only\" of more than one choice\n");
        return 1;
    }
    if nchoices == 0 && (names || real) {
        sh.write_err(
            pid,
            "id: cannot print only names or real IDs in default format\n",
        );
        return 1;
    }
    let k = sh.kernel().clone();
    let mut targets: Vec<Ids> = Vec::new();
    if users.is_empty() {
        let c = cred_of(sh, pid);
        let mut groups = Vec::new();
        for g in [c.gid, c.egid] {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        targets.push(Ids {
            uid: c.uid.0,
            gid: c.gid,
            euid: c.euid.0,
            egid: c.egid,
            groups,
        });
    }
    let mut status = 0;
    for u in &users {
        // coreutils tries the name first, then a number (`id 0` is root).
        let pw = nss::getpwnam(&k, pid, u).or_else(|| {
            u.parse::<u32>()
                .ok()
                .and_then(|n| nss::getpwuid(&k, pid, n))
        });
        let Some(pw) = pw else {
            sh.write_err(pid, &format!("id: '{u}': no such user\n"));
            status = 1;
            continue;
        };
        let mut groups = vec![pw.gid];
        groups.extend(member_groups(sh, pid, &pw.name, pw.gid));
        targets.push(Ids {
            uid: pw.uid,
            gid: pw.gid,
            euid: pw.uid,
            egid: pw.gid,
            groups,
        });
    }
    let user =
        |n: u32| nss::getpwuid(&k, pid, n).map_or(n.to_string(), |p| format!("{n}({})", p.name));
    let group =
        |n: u32| nss::getgrgid(&k, pid, n).map_or(n.to_string(), |g| format!("{n}({})", g.name));
    let uname = |n: u32| nss::getpwuid(&k, pid, n).map(|p| p.name);
    let gname = |n: u32| nss::getgrgid(&k, pid, n).map(|g| g.name);
    let mut text = String::new();
    for t in &targets {
        if only_u || only_g || only_gs {
            let ids: Vec<(u32, bool)> = if only_u {
                vec![(if real { t.uid } else { t.euid }, true)]
            } else if only_g {
                vec![(if real { t.gid } else { t.egid }, false)]
            } else {
                t.groups.iter().map(|g| (*g, false)).collect()
            };
            let mut words = Vec::new();
            for (n, is_user) in ids {
                if names {
                    let name = if is_user { uname(n) } else { gname(n) };
                    match name {
                        Some(name) => words.push(name),
                        None => {
                            let what = if is_user { "user" } else { "group" };
                            sh.write_err(pid, &format!("id: cannot find name for {what} ID {n}\n"));
                            status = 1;
                            words.push(n.to_string());
                        }
                    }
                } else {
                    words.push(n.to_string());
                }
            }
            text.push_str(&words.join(" "));
            text.push('\n');
            continue;
        }
        text.push_str(&format!("uid={} gid={}", user(t.uid), group(t.gid)));
        if t.euid != t.uid {
            text.push_str(&format!(" euid={}", user(t.euid)));
        }
        if t.egid != t.gid {
            text.push_str(&format!(" egid={}", group(t.egid)));
        }
        let gs: Vec<String> = t.groups.iter().map(|g| group(*g)).collect();
        text.push_str(&format!(" groups={}\n", gs.join(",")));
    }
    if sh.out(pid, &text).is_err() {
        return 1;
    }
    status
}

/// The groups of `/etc/group` whose member list names `user`, other than `login_gid`, in file
/// order (what `getgrouplist` returns after the login group).
fn member_groups(sh: &Shell, pid: Pid, user: &str, login_gid: u32) -> Vec<u32> {
    let k = sh.kernel().clone();
    let Ok(data) = nss::read_file(&k, pid, "/etc/group") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in String::from_utf8_lossy(&data).lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 4 {
            continue;
        }
        let Ok(gid) = f[2].parse::<u32>() else {
            continue;
        };
        if gid != login_gid && !out.contains(&gid) && f[3].split(',').any(|m| m == user) {
            out.push(gid);
        }
    }
    out
}

fn whoami(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    if let Some(a) = argv.get(1) {
        let msg = if a.starts_with("--") && a.len() > 2 {
            format!("unrecognized option '{a}'")
        } else if a.starts_with('-') && a.len() > 1 {
            format!("invalid option -- '{}'", &a[1..2])
        } else {
            format!("extra operand '{a}'")
        };
        return try_help(sh, pid, "whoami", &msg);
    }
    let euid = cred_of(sh, pid).euid.0;
    let k = sh.kernel().clone();
    match nss::getpwuid(&k, pid, euid) {
        Some(p) => {
            if sh.out(pid, &format!("{}\n", p.name)).is_err() {
                return 1;
            }
            0
        }
        None => {
            sh.write_err(
                pid,
                &format!("whoami: cannot find name for user ID {euid}\n"),
            );
            1
        }
    }
}
