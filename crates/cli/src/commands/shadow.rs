//! `useradd`, `groupadd`, `userdel` and `groupdel` as shadow-utils 4.13 (Debian 12's `passwd`
//! package) behave on a system configured as Debian 12 ships it (`/etc/login.defs`: `UID_MIN`
//! 1000, `UID_MAX` 60000, `SYS_UID_MIN` 100, `SYS_UID_MAX` 999, the same for GIDs,
//! `USERGROUPS_ENAB yes`, `UMASK 022`; `/etc/default/useradd`: `SHELL=/bin/sh`, home under
//! `/home`).
//!
//! **Follows:** `src/useradd.c`, `src/groupadd.c`, `src/userdel.c`, `src/groupdel.c`: the
//! lines they append to (or remove from) the simulated `/etc/passwd` and `/etc/group`, and to
//! `/etc/shadow` and `/etc/gshadow` when those exist (the password field of `/etc/passwd` is
//! `x` then, `!` otherwise); a new user's id is one more than the highest in
//! `UID_MIN..=UID_MAX` (a system account, `-r`, the highest free id at or below
//! `SYS_UID_MAX`); the user's own group (`USERGROUPS_ENAB`) takes the same number when it is
//! free; `-G` adds the user to each group's member list; `-m` creates the home directory
//! (mode 0755, owned by the user). The messages and exit statuses are theirs: `useradd: user
//! 'x' already exists` (9), `UID N is not unique` (4), `group 'g' does not exist` (6), an
//! invalid name or id (3), the usage for a bad option (2), `userdel: user 'x' does not exist`
//! (6), `userdel: user x is currently used by process N` (8), `groupdel: cannot remove the
//! primary group of user 'x'` (8).
//!
//! **Differences:** there is no `/etc/skel` to copy into a new home directory, and no mail
//! spool (`userdel -r` says it is not found, as on a system without one); no lastlog,
//! faillog, subuid/subgid or nscd; the files are rewritten in place, without the `-` backup
//! copies or lock files. `-D`, `-e`, `-f`, `-k`, `-K`, `-R`, `-P`, `-Z`, `-F` and
//! `--btrfs-subvolume-home` are refused as not simulated.

use super::getopt::{self, Arg, Opt, l, sl};
use super::{Kind, Registry, nss};
use crate::Shell;
use cgsim_cgroupfs::{FileType, Kernel, OpenFlags};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "useradd",
        "useradd [-m] [-u UID] [-g GROUP] [-G GROUPS] [-s SHELL] [-d HOME] [-r] LOGIN",
        "add a user to /etc/passwd (shadow-utils 4.13)",
        Kind::External(useradd),
    );
    r.set_help("useradd", USERADD_HELP);
    r.add(
        "groupadd",
        "groupadd [-g GID] [-f] [-r] GROUP",
        "add a group to /etc/group (shadow-utils 4.13)",
        Kind::External(groupadd),
    );
    r.set_help("groupadd", GROUPADD_HELP);
    r.add(
        "userdel",
        "userdel [-r] [-f] LOGIN",
        "remove a user from /etc/passwd (shadow-utils 4.13)",
        Kind::External(userdel),
    );
    r.set_help("userdel", USERDEL_HELP);
    r.add(
        "groupdel",
        "groupdel [-f] GROUP",
        "remove a group from /etc/group (shadow-utils 4.13)",
        Kind::External(groupdel),
    );
    r.set_help("groupdel", GROUPDEL_HELP);
}

pub const USERADD_HELP: &str = "Usage: useradd [options] LOGIN
       useradd -D
       useradd -D [options]

Options:
      --badname                 do not check for bad names
  -b, --base-dir BASE_DIR       base directory for the home directory of the
                                new account
      --btrfs-subvolume-home    use BTRFS subvolume for home directory
  -c, --comment COMMENT         GECOS field of the new account
  -d, --home-dir HOME_DIR       home directory of the new account
  -D, --defaults                print or change default useradd configuration
  -e, --expiredate EXPIRE_DATE  expiration date of the new account
  -f, --inactive INACTIVE       password inactivity period of the new account
  -F, --add-subids-for-system   add entries to sub[ud]id even when adding a system user
  -g, --gid GROUP               name or ID of the primary group of the new
                                account
  -G, --groups GROUPS           list of supplementary groups of the new
                                account
  -h, --help                    display this help message and exit
  -k, --skel SKEL_DIR           use this alternative skeleton directory
  -K, --key KEY=VALUE           override /etc/login.defs defaults
  -l, --no-log-init             do not add the user to the lastlog and
                                faillog databases
  -m, --create-home             create the user's home directory
  -M, --no-create-home          do not create the user's home directory
  -N, --no-user-group           do not create a group with the same name as
                                the user
  -o, --non-unique              allow to create users with duplicate
                                (non-unique) UID
  -p, --password PASSWORD       encrypted password of the new account
  -r, --system                  create a system account
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -s, --shell SHELL             login shell of the new account
  -u, --uid UID                 user ID of the new account
  -U, --user-group              create a group with the same name as the user
  -Z, --selinux-user SEUSER     use a specific SEUSER for the SELinux user mapping

";

pub const GROUPADD_HELP: &str = "Usage: groupadd [options] GROUP

Options:
  -f, --force                   exit successfully if the group already exists,
                                and cancel -g if the GID is already used
  -g, --gid GID                 use GID for the new group
  -h, --help                    display this help message and exit
  -K, --key KEY=VALUE           override /etc/login.defs defaults
  -o, --non-unique              allow to create groups with duplicate
                                (non-unique) GID
  -p, --password PASSWORD       use this encrypted password for the new group
  -r, --system                  create a system account
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DI        directory prefix
  -U, --users USERS             list of user members of this group

";

pub const USERDEL_HELP: &str = "Usage: userdel [options] LOGIN

Options:
  -f, --force                   force some actions that would fail otherwise
                                e.g. removal of user still logged in
                                or files, even if not owned by the user
  -h, --help                    display this help message and exit
  -r, --remove                  remove home directory and mail spool
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -Z, --selinux-user            remove any SELinux user mapping for the user

";

pub const GROUPDEL_HELP: &str = "Usage: groupdel [options] GROUP

Options:
  -h, --help                    display this help message and exit
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -f, --force                   delete group even if it is the primary group of a user

";

/// `E_USAGE`, `E_BAD_ARG`, `E_UID_IN_USE`/`E_GID_IN_USE`, `E_NOTFOUND`, `E_NAME_IN_USE`.
const E_USAGE: i32 = 2;
const E_BAD_ARG: i32 = 3;
const E_IN_USE: i32 = 4;
const E_NOTFOUND: i32 = 6;
const E_NAME_IN_USE: i32 = 9;

const UID_MIN: u32 = 1000;
const UID_MAX: u32 = 60000;
const SYS_MIN: u32 = 100;
const SYS_MAX: u32 = 999;

/// Parse with shadow-utils' getopt_long; a bad option prints glibc's message and the usage
/// on standard error (status 2); `-h` prints the usage on standard output.
fn parse(
    sh: &mut Shell,
    pid: Pid,
    argv: &[String],
    opts: &[Opt],
    help: &str,
) -> Result<getopt::Parsed, i32> {
    let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]).to_string();
    match getopt::parse(&argv[1..], opts, false) {
        Ok(p) if p.has("h") => {
            let _ = sh.out(pid, help);
            Err(0)
        }
        Ok(p) => Ok(p),
        Err(m) => {
            sh.write_err(pid, &format!("{name}: {m}\n{help}"));
            Err(E_USAGE)
        }
    }
}

/// Refuse the options cgsim does not simulate.
fn refuse(sh: &mut Shell, pid: Pid, tool: &str, p: &getopt::Parsed, keys: &[&str]) -> bool {
    for &k in keys {
        if p.has(k) {
            let o = if k.len() == 1 {
                format!("-{k}")
            } else {
                format!("--{k}")
            };
            sh.write_err(
                pid,
                &format!("{tool}: option '{o}' is not simulated by cgsim\n"),
            );
            return true;
        }
    }
    false
}

/// `is_valid_user_name`/`is_valid_group_name` (4.13, without `--badname`): a lower-case
/// letter or `_`, then lower-case letters, digits, `_`, `-` or `.`, an optional final `$`; at
/// most 32 characters.
fn valid_name(n: &str) -> bool {
    let body = n.strip_suffix('$').unwrap_or(n);
    let mut cs = body.chars();
    n.len() <= 32
        && cs
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'))
}

/// A database file's lines (empty when it does not exist).
fn lines(k: &Kernel, pid: Pid, path: &str) -> Option<Vec<String>> {
    nss::read_file(k, pid, path).ok().map(|d| {
        String::from_utf8_lossy(&d)
            .lines()
            .map(String::from)
            .collect()
    })
}

/// Rewrite a database file with `lines`.
fn write_lines(k: &Kernel, pid: Pid, path: &str, lines: &[String]) -> Result<(), String> {
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    let fd = k
        .open(pid, path, OpenFlags::REDIRECT_TRUNC, 0o644)
        .map_err(|e| e.errno.strerror().to_string())?;
    let r = k.write(pid, fd, text.as_bytes());
    let _ = k.close(pid, fd);
    r.map(|_| ()).map_err(|e| e.errno.strerror().to_string())
}

/// Field `i` of a `:`-separated line.
fn field(line: &str, i: usize) -> Option<&str> {
    line.split(':').nth(i)
}

fn ids(lines: &[String], i: usize) -> Vec<u32> {
    lines
        .iter()
        .filter_map(|l| field(l, i)?.parse().ok())
        .collect()
}

/// `find_new_uid`/`find_new_gid`: `want` if free, else one more than the highest id in the
/// normal range (a system account: the highest free id at or below `SYS_MAX`).
fn new_id(used: &[u32], system: bool, want: Option<u32>) -> Option<u32> {
    if let Some(w) = want
        && !used.contains(&w)
        && (if system {
            (SYS_MIN..=SYS_MAX).contains(&w)
        } else {
            (UID_MIN..=UID_MAX).contains(&w)
        })
    {
        return Some(w);
    }
    if system {
        (SYS_MIN..=SYS_MAX).rev().find(|i| !used.contains(i))
    } else {
        let top = used
            .iter()
            .filter(|&&i| (UID_MIN..=UID_MAX).contains(&i))
            .max()
            .map_or(UID_MIN, |m| m + 1);
        (top..=UID_MAX)
            .find(|i| !used.contains(i))
            .or_else(|| (UID_MIN..=UID_MAX).find(|i| !used.contains(i)))
    }
}

/// Days since the epoch on the simulated clock (the shadow file's last-change field).
fn today(k: &Kernel) -> i64 {
    let secs = super::coreutils::date::BOOT_EPOCH + (k.clock().now_nanos() / 1_000_000_000) as i64;
    secs / 86400
}

/// The "cannot lock" failure of a caller who may not write the files.
fn lock_failed(sh: &mut Shell, pid: Pid, tool: &str, path: &str) -> i32 {
    sh.write_err(
        pid,
        &format!("{tool}: Permission denied.\n{tool}: cannot lock {path}; try again later.\n"),
    );
    1
}

fn useradd(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        l("badname", Arg::No),
        sl('b', "base-dir", Arg::Required),
        l("btrfs-subvolume-home", Arg::No),
        sl('c', "comment", Arg::Required),
        sl('d', "home-dir", Arg::Required),
        sl('D', "defaults", Arg::No),
        sl('e', "expiredate", Arg::Required),
        sl('f', "inactive", Arg::Required),
        sl('F', "add-subids-for-system", Arg::No),
        sl('g', "gid", Arg::Required),
        sl('G', "groups", Arg::Required),
        sl('h', "help", Arg::No),
        sl('k', "skel", Arg::Required),
        sl('K', "key", Arg::Required),
        sl('l', "no-log-init", Arg::No),
        sl('m', "create-home", Arg::No),
        sl('M', "no-create-home", Arg::No),
        sl('N', "no-user-group", Arg::No),
        sl('o', "non-unique", Arg::No),
        sl('p', "password", Arg::Required),
        sl('r', "system", Arg::No),
        sl('R', "root", Arg::Required),
        sl('P', "prefix", Arg::Required),
        sl('s', "shell", Arg::Required),
        sl('u', "uid", Arg::Required),
        sl('U', "user-group", Arg::No),
        sl('Z', "selinux-user", Arg::Required),
    ];
    let p = match parse(sh, pid, argv, &opts, USERADD_HELP) {
        Ok(p) => p,
        Err(st) => return st,
    };
    let not_simulated = [
        "D",
        "e",
        "f",
        "F",
        "k",
        "K",
        "R",
        "P",
        "Z",
        "btrfs-subvolume-home",
    ];
    if refuse(sh, pid, "useradd", &p, &not_simulated) {
        return E_USAGE;
    }
    let [name] = p.operands.as_slice() else {
        sh.write_err(pid, USERADD_HELP);
        return E_USAGE;
    };
    let k = sh.kernel().clone();
    if !p.has("badname") && !valid_name(name) {
        sh.write_err(
            pid,
            &format!("useradd: invalid user name '{name}': use --badname to ignore\n"),
        );
        return E_BAD_ARG;
    }
    let uid_arg = match p.last("u") {
        Some(u) => match u.parse::<u32>() {
            Ok(v) if v != u32::MAX => Some(v),
            _ => {
                sh.write_err(pid, &format!("useradd: invalid user ID '{u}'\n"));
                return E_BAD_ARG;
            }
        },
        None => None,
    };
    // The group named by -g (name or number) and those of -G.
    let group_of = |g: &str| {
        nss::getgrnam(&k, pid, g).or_else(|| g.parse().ok().and_then(|n| nss::getgrgid(&k, pid, n)))
    };
    let gid_arg = match p.last("g") {
        Some(g) => match group_of(g) {
            Some(gr) => Some(gr.gid),
            None => {
                sh.write_err(pid, &format!("useradd: group '{g}' does not exist\n"));
                return E_NOTFOUND;
            }
        },
        None => None,
    };
    let mut extra = Vec::new();
    if let Some(list) = p.last("G") {
        for g in list.split(',').filter(|g| !g.is_empty()) {
            match group_of(g) {
                Some(gr) => extra.push(gr.name),
                None => {
                    sh.write_err(pid, &format!("useradd: group '{g}' does not exist\n"));
                    return E_NOTFOUND;
                }
            }
        }
    }
    let Some(mut passwd) = lines(&k, pid, "/etc/passwd") else {
        return lock_failed(sh, pid, "useradd", "/etc/passwd");
    };
    let mut group = lines(&k, pid, "/etc/group").unwrap_or_default();
    if passwd.iter().any(|l| field(l, 0) == Some(name)) {
        sh.write_err(pid, &format!("useradd: user '{name}' already exists\n"));
        return E_NAME_IN_USE;
    }
    let system = p.has("r");
    let used_uids = ids(&passwd, 2);
    let uid = match uid_arg {
        Some(u) if used_uids.contains(&u) && !p.has("o") => {
            sh.write_err(pid, &format!("useradd: UID {u} is not unique\n"));
            return E_IN_USE;
        }
        Some(u) => u,
        None => match new_id(&used_uids, system, None) {
            Some(u) => u,
            None => {
                sh.write_err(pid, "useradd: can't create user\n");
                return 4;
            }
        },
    };
    // USERGROUPS_ENAB: a group named after the user unless -g or -N.
    let user_group = gid_arg.is_none() && (!p.has("N") || p.has("U"));
    let gid = match gid_arg {
        Some(g) => g,
        None if user_group => {
            if group.iter().any(|l| field(l, 0) == Some(name)) {
                sh.write_err(
                    pid,
                    &format!(
                        "useradd: group {name} exists - if you want to add this user to that \
                         group, use -g.\n"
                    ),
                );
                return E_NAME_IN_USE;
            }
            match new_id(&ids(&group, 2), system, Some(uid)) {
                Some(g) => g,
                None => {
                    sh.write_err(pid, "useradd: can't create group\n");
                    return 4;
                }
            }
        }
        // -N: /etc/default/useradd's GROUP, 100 (users).
        None => 100,
    };
    let base = p.last("b").unwrap_or("/home");
    let home = p
        .last("d")
        .map(String::from)
        .unwrap_or_else(|| format!("{}/{name}", base.trim_end_matches('/')));
    let shell = p.last("s").unwrap_or("/bin/sh").to_string();
    let comment = p.last("c").unwrap_or("");
    let shadow = lines(&k, pid, "/etc/shadow");
    let gshadow = lines(&k, pid, "/etc/gshadow");
    let pw_field = if shadow.is_some() {
        "x".to_string()
    } else {
        p.last("p").unwrap_or("!").to_string()
    };
    if !shell.is_empty() && k.stat(pid, &shell).is_err() {
        sh.write_err(
            pid,
            &format!("useradd: Warning: missing or non-executable shell '{shell}'\n"),
        );
    }
    passwd.push(format!(
        "{name}:{pw_field}:{uid}:{gid}:{comment}:{home}:{shell}"
    ));
    if write_lines(&k, pid, "/etc/passwd", &passwd).is_err() {
        return lock_failed(sh, pid, "useradd", "/etc/passwd");
    }
    if let Some(mut s) = shadow {
        s.push(format!(
            "{name}:{}:{}:0:99999:7:::",
            p.last("p").unwrap_or("!"),
            today(&k)
        ));
        let _ = write_lines(&k, pid, "/etc/shadow", &s);
    }
    for l in group.iter_mut() {
        if let Some(g) = field(l, 0)
            && extra.iter().any(|e| e == g)
        {
            let sep = if l.ends_with(':') { "" } else { "," };
            l.push_str(&format!("{sep}{name}"));
        }
    }
    if user_group {
        let gpw = if gshadow.is_some() { "x" } else { "!" };
        group.push(format!("{name}:{gpw}:{gid}:"));
    }
    let _ = write_lines(&k, pid, "/etc/group", &group);
    if let Some(mut gs) = gshadow {
        for l in gs.iter_mut() {
            if let Some(g) = field(l, 0)
                && extra.iter().any(|e| e == g)
            {
                let sep = if l.ends_with(':') { "" } else { "," };
                l.push_str(&format!("{sep}{name}"));
            }
        }
        if user_group {
            gs.push(format!("{name}:!::"));
        }
        let _ = write_lines(&k, pid, "/etc/gshadow", &gs);
    }
    // CREATE_HOME is not set in Debian's login.defs: only -m creates the directory.
    if p.has("m") && !p.has("M") {
        if k.stat(pid, &home).is_ok() {
            sh.write_err(
                pid,
                &format!(
                    "useradd: warning: the home directory {home} already exists.\n\
                     useradd: Not copying any file from skel directory into it.\n"
                ),
            );
        } else {
            let parent = home.rsplit_once('/').map_or("", |(d, _)| d);
            if !parent.is_empty() && k.stat(pid, parent).is_err() {
                let _ = k.mkdir(pid, parent, 0o755);
            }
            match k.mkdir(pid, &home, 0o755) {
                Ok(()) => {
                    let _ = k.chmod(pid, &home, 0o755);
                    let _ = k.chown(pid, &home, Some(uid), Some(gid));
                }
                Err(e) => {
                    sh.write_err(
                        pid,
                        &format!(
                            "useradd: cannot create directory {home}: {}\n",
                            e.errno.strerror()
                        ),
                    );
                    return 12;
                }
            }
        }
    }
    0
}

fn groupadd(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('f', "force", Arg::No),
        sl('g', "gid", Arg::Required),
        sl('h', "help", Arg::No),
        sl('K', "key", Arg::Required),
        sl('o', "non-unique", Arg::No),
        sl('p', "password", Arg::Required),
        sl('r', "system", Arg::No),
        sl('R', "root", Arg::Required),
        sl('P', "prefix", Arg::Required),
        sl('U', "users", Arg::Required),
    ];
    let p = match parse(sh, pid, argv, &opts, GROUPADD_HELP) {
        Ok(p) => p,
        Err(st) => return st,
    };
    if refuse(sh, pid, "groupadd", &p, &["K", "R", "P"]) {
        return E_USAGE;
    }
    let [name] = p.operands.as_slice() else {
        sh.write_err(pid, GROUPADD_HELP);
        return E_USAGE;
    };
    if !valid_name(name) {
        sh.write_err(
            pid,
            &format!("groupadd: '{name}' is not a valid group name\n"),
        );
        return E_BAD_ARG;
    }
    let mut gid_arg = match p.last("g") {
        Some(g) => match g.parse::<u32>() {
            Ok(v) if v != u32::MAX => Some(v),
            _ => {
                sh.write_err(pid, &format!("groupadd: invalid group ID '{g}'\n"));
                return E_BAD_ARG;
            }
        },
        None => None,
    };
    let k = sh.kernel().clone();
    let Some(mut group) = lines(&k, pid, "/etc/group") else {
        return lock_failed(sh, pid, "groupadd", "/etc/group");
    };
    if group.iter().any(|l| field(l, 0) == Some(name)) {
        if p.has("f") {
            return 0;
        }
        sh.write_err(pid, &format!("groupadd: group '{name}' already exists\n"));
        return E_NAME_IN_USE;
    }
    let used = ids(&group, 2);
    if let Some(g) = gid_arg
        && used.contains(&g)
        && !p.has("o")
    {
        if p.has("f") {
            gid_arg = None;
        } else {
            sh.write_err(pid, &format!("groupadd: GID '{g}' already exists\n"));
            return E_IN_USE;
        }
    }
    let gid = match gid_arg {
        Some(g) => g,
        None => match new_id(&used, p.has("r"), None) {
            Some(g) => g,
            None => {
                sh.write_err(
                    pid,
                    "groupadd: Can't get unique GID (no more available GIDs)\n",
                );
                return E_IN_USE;
            }
        },
    };
    let members = p.last("U").unwrap_or("");
    let gshadow = lines(&k, pid, "/etc/gshadow");
    let gpw = if gshadow.is_some() {
        "x".to_string()
    } else {
        p.last("p").unwrap_or("x").to_string()
    };
    group.push(format!("{name}:{gpw}:{gid}:{members}"));
    if write_lines(&k, pid, "/etc/group", &group).is_err() {
        return lock_failed(sh, pid, "groupadd", "/etc/group");
    }
    if let Some(mut gs) = gshadow {
        gs.push(format!("{name}:{}::{members}", p.last("p").unwrap_or("!")));
        let _ = write_lines(&k, pid, "/etc/gshadow", &gs);
    }
    0
}

/// Remove `name` from the member list (field 3) of every line.
fn drop_member(lines: &mut [String], idx: usize, name: &str) {
    for l in lines.iter_mut() {
        let mut f: Vec<String> = l.split(':').map(String::from).collect();
        if let Some(m) = f.get_mut(idx) {
            let kept: Vec<&str> = m
                .split(',')
                .filter(|x| !x.is_empty() && *x != name)
                .collect();
            *m = kept.join(",");
            *l = f.join(":");
        }
    }
}

/// `rm -rf DIR` for `userdel -r`.
fn remove_tree(k: &Kernel, pid: Pid, dir: &str) {
    if let Ok(entries) = k.readdir(pid, dir) {
        for e in entries {
            if e.name == "." || e.name == ".." {
                continue;
            }
            let p = format!("{dir}/{}", e.name);
            if e.file_type == FileType::Directory {
                remove_tree(k, pid, &p);
            } else {
                let _ = k.unlink(pid, &p);
            }
        }
    }
    let _ = k.rmdir(pid, dir);
}

fn userdel(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('f', "force", Arg::No),
        sl('h', "help", Arg::No),
        sl('r', "remove", Arg::No),
        sl('R', "root", Arg::Required),
        sl('P', "prefix", Arg::Required),
        sl('Z', "selinux-user", Arg::No),
    ];
    let p = match parse(sh, pid, argv, &opts, USERDEL_HELP) {
        Ok(p) => p,
        Err(st) => return st,
    };
    if refuse(sh, pid, "userdel", &p, &["R", "P", "Z"]) {
        return E_USAGE;
    }
    let [name] = p.operands.as_slice() else {
        sh.write_err(pid, USERDEL_HELP);
        return E_USAGE;
    };
    let k = sh.kernel().clone();
    let Some(mut passwd) = lines(&k, pid, "/etc/passwd") else {
        return lock_failed(sh, pid, "userdel", "/etc/passwd");
    };
    let Some(pw) = nss::getpwnam(&k, pid, name) else {
        sh.write_err(pid, &format!("userdel: user '{name}' does not exist\n"));
        return E_NOTFOUND;
    };
    // `user_busy`: a live process of the user's uid.
    if !p.has("f")
        && let Some(busy) = k
            .ps()
            .into_iter()
            .find(|x| x.cred.uid.0 == pw.uid && x.state != cgsim_cgroupfs::ProcState::Zombie)
    {
        sh.write_err(
            pid,
            &format!(
                "userdel: user {name} is currently used by process {}\n",
                busy.pid
            ),
        );
        return 8;
    }
    passwd.retain(|l| field(l, 0) != Some(name));
    if write_lines(&k, pid, "/etc/passwd", &passwd).is_err() {
        return lock_failed(sh, pid, "userdel", "/etc/passwd");
    }
    if let Some(mut s) = lines(&k, pid, "/etc/shadow") {
        s.retain(|l| field(l, 0) != Some(name));
        let _ = write_lines(&k, pid, "/etc/shadow", &s);
    }
    // The user's own group goes too when it is the user's primary group, has no other
    // members, and no other user has it as primary group (`remove_usergroup`).
    let mut group = lines(&k, pid, "/etc/group").unwrap_or_default();
    drop_member(&mut group, 3, name);
    let other_primary = passwd
        .iter()
        .any(|l| field(l, 3).and_then(|g| g.parse::<u32>().ok()) == Some(pw.gid));
    let own = |l: &String| {
        field(l, 0) == Some(name)
            && field(l, 2).and_then(|g| g.parse::<u32>().ok()) == Some(pw.gid)
            && field(l, 3).is_none_or(str::is_empty)
    };
    let remove_group = !other_primary && group.iter().any(own);
    if remove_group {
        group.retain(|l| !own(l));
    }
    let _ = write_lines(&k, pid, "/etc/group", &group);
    if let Some(mut gs) = lines(&k, pid, "/etc/gshadow") {
        drop_member(&mut gs, 3, name);
        if remove_group {
            gs.retain(|l| field(l, 0) != Some(name));
        }
        let _ = write_lines(&k, pid, "/etc/gshadow", &gs);
    }
    if p.has("r") {
        sh.write_err(
            pid,
            &format!("userdel: {name} mail spool (/var/mail/{name}) not found\n"),
        );
        if k.stat(pid, &pw.dir).is_ok() {
            remove_tree(&k, pid, &pw.dir);
        } else {
            sh.write_err(
                pid,
                &format!("userdel: {name} home directory ({}) not found\n", pw.dir),
            );
        }
    }
    0
}

fn groupdel(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('h', "help", Arg::No),
        sl('R', "root", Arg::Required),
        sl('P', "prefix", Arg::Required),
        sl('f', "force", Arg::No),
    ];
    let p = match parse(sh, pid, argv, &opts, GROUPDEL_HELP) {
        Ok(p) => p,
        Err(st) => return st,
    };
    if refuse(sh, pid, "groupdel", &p, &["R", "P"]) {
        return E_USAGE;
    }
    let [name] = p.operands.as_slice() else {
        sh.write_err(pid, GROUPDEL_HELP);
        return E_USAGE;
    };
    let k = sh.kernel().clone();
    let Some(mut group) = lines(&k, pid, "/etc/group") else {
        return lock_failed(sh, pid, "groupdel", "/etc/group");
    };
    let Some(gr) = nss::getgrnam(&k, pid, name) else {
        sh.write_err(pid, &format!("groupdel: group '{name}' does not exist\n"));
        return E_NOTFOUND;
    };
    if !p.has("f")
        && let Some(user) = lines(&k, pid, "/etc/passwd")
            .unwrap_or_default()
            .iter()
            .find(|l| field(l, 3).and_then(|g| g.parse::<u32>().ok()) == Some(gr.gid))
            .and_then(|l| field(l, 0).map(String::from))
    {
        sh.write_err(
            pid,
            &format!("groupdel: cannot remove the primary group of user '{user}'\n"),
        );
        return 8;
    }
    group.retain(|l| field(l, 0) != Some(name));
    if write_lines(&k, pid, "/etc/group", &group).is_err() {
        return lock_failed(sh, pid, "groupdel", "/etc/group");
    }
    if let Some(mut gs) = lines(&k, pid, "/etc/gshadow") {
        gs.retain(|l| field(l, 0) != Some(name));
        let _ = write_lines(&k, pid, "/etc/gshadow", &gs);
    }
    0
}
