//! `/etc/cgrules.conf`: libcgroup v0.41's classification rules (`src/api.c`
//! `cgroup_parse_rules`, `cgroup_find_matching_rule`, `cgroup_find_matching_rule_uid_gid`,
//! `cgroup_change_cgroup_flags`), used by `cgclassify` and `cgexec` without `-g` and by the
//! `cgrulesengd` daemon.
//!
//! A rule is `USER[:PROCESS] CONTROLLERS DESTINATION`: USER is a user name, `@GROUP` (a group
//! by primary gid or membership), `*` (everyone) or `%` (one more destination for the rule
//! above); PROCESS matches the process name or its last path component; CONTROLLERS is a comma
//! list (`*` is every mounted controller); DESTINATION may use `%u`/`%U` (user name/uid),
//! `%g`/`%G`, `%p`/`%P` (process name/pid). The first rule that matches wins, with the `%`
//! lines under it. A line is cut at `#`; a user or group that does not exist skips its rule
//! (and its `%` lines) without a message; a line without three fields is a parse error.
//!
//! **Follows:** the two ways 0.41 reads the file: the tools parse it for one process and stop
//! at the first matching rule (`cache == false`), the daemon caches every rule and matches
//! later (`CGFLAG_USECACHE`); with the quirk that a group rule that did not match leaves its
//! group in force for the membership test of the next line.
//! **Differences:** a template destination (one with `%`) whose group is missing is created
//! with `mkdir` in every controller's hierarchy (0.41's `cgroup_create_template_group`, which
//! would first look for a `template` section of `cgconfig.conf`; cgsim parses those sections
//! and ignores them).

use crate::commands::nss;
use cgsim_cgroupfs::Kernel;
use cgsim_ktypes::Pid;

/// `CGRULES_CONF_FILE`.
pub const CGRULES_CONF: &str = "/etc/cgrules.conf";

/// `CGRULE_INVALID`: `(uid_t) -1`.
const INVALID: u32 = u32::MAX;
/// `CGRULE_WILD`: `(uid_t) -2`.
const WILD: u32 = u32::MAX - 1;

/// `ECGROUPPARSEFAIL` (`ECGRULESPARSEFAIL`).
pub const ECGROUPPARSEFAIL: i32 = 50019;

/// `struct cgroup_rule`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub username: String,
    uid: u32,
    gid: u32,
    pub procname: Option<String>,
    pub controllers: Vec<String>,
    pub destination: String,
}

/// What the rule file says about one process.
#[derive(Debug)]
pub enum Parsed {
    /// The rules to apply, in order (the matching one and its `%` lines); empty when none
    /// matched.
    Rules(Vec<Rule>),
    /// The file could not be parsed: `ECGROUPPARSEFAIL`, after this message (`cgroup_err`).
    Error(String),
}

/// Split a `sscanf("%s%s%s")` line into at most three words.
fn words(line: &str) -> Vec<&str> {
    line.split_ascii_whitespace().take(3).collect()
}

/// `cgroup_parse_rules(cache, muid, mgid, mprocname)`. With `cache` every rule is returned
/// (for [`find_matching_rule`]); without, only the first matching rule and its `%` lines.
/// A missing file gives no rules (0.41 logs a warning, which is not printed).
pub fn parse_rules(
    k: &Kernel,
    pid: Pid,
    cache: bool,
    muid: u32,
    mgid: u32,
    mprocname: Option<&str>,
) -> Parsed {
    let Ok(data) = nss::read_file(k, pid, CGRULES_CONF) else {
        return Parsed::Rules(Vec::new());
    };
    let text = String::from_utf8_lossy(&data);
    let mut out: Vec<Rule> = Vec::new();
    let (mut uid, mut gid) = (INVALID, INVALID);
    let mut grp: Option<nss::Group> = None;
    let mut skipped = false;
    let mut matched = false;
    for (n, raw) in text.lines().enumerate() {
        let linenum = n + 1;
        // cg_skip_unused_charactors_in_rule: cut at '#', skip leading blanks.
        let line = raw.split('#').next().unwrap_or("");
        let itr = line.trim_start_matches([' ', '\t']);
        if itr.is_empty() {
            continue;
        }
        if skipped && itr.starts_with('%') {
            // "Warning: skipped child of invalid rule" (warning level: not printed).
            continue;
        }
        skipped = false;
        let w = words(itr);
        if w.len() != 3 {
            return Parsed::Error(format!(
                "Error: failed to parse configuration file on line {linenum}\n"
            ));
        }
        let (key, controllers, destination) = (w[0], w[1], w[2]);
        let (user, procname) = match key.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (key, None),
        };
        if !cache && matched && !user.starts_with('%') {
            return Parsed::Rules(out);
        }
        if let Some(g) = user.strip_prefix('@') {
            match nss::getgrnam(k, pid, g) {
                Some(g) => {
                    uid = INVALID;
                    gid = g.gid;
                    grp = Some(g);
                }
                None => {
                    skipped = true;
                    continue;
                }
            }
        } else if user.starts_with('*') {
            uid = WILD;
            gid = WILD;
        } else if !itr.starts_with('%') {
            match nss::getpwnam(k, pid, user) {
                Some(p) => {
                    uid = p.uid;
                    gid = INVALID;
                }
                None => {
                    skipped = true;
                    continue;
                }
            }
        }
        // libcgroup quirk: `grp` is only cleared once a rule is added, so a group rule that
        // was passed over still counts for the membership test of the next line.
        if let Some(g) = &grp
            && muid != INVALID
        {
            let Some(pw) = nss::getpwuid(k, pid, muid) else {
                continue;
            };
            if g.members.contains(&pw.name) {
                matched = true;
            }
        }
        if uid == muid || gid == mgid || uid == WILD {
            matched = true;
        }
        let procname = procname.filter(|p| !p.is_empty());
        if !cache {
            if !matched {
                continue;
            }
            if let Some(p) = procname {
                let ok = mprocname.is_some_and(|m| m == p || basename(m) == p);
                if !ok {
                    uid = INVALID;
                    gid = INVALID;
                    matched = false;
                    continue;
                }
            }
        }
        let ctrls: Vec<String> = controllers
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        if ctrls.is_empty() {
            return Parsed::Error(format!(
                "Error: failed to parse controllers on line {linenum}\n"
            ));
        }
        out.push(Rule {
            username: user.to_string(),
            uid,
            gid,
            procname: procname.map(str::to_string),
            controllers: ctrls,
            destination: destination.to_string(),
        });
        grp = None;
    }
    if !cache && !matched {
        return Parsed::Rules(Vec::new());
    }
    Parsed::Rules(out)
}

/// `cgroup_basename`: the last path component.
fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// `cgroup_find_matching_rule_uid_gid` + `cgroup_find_matching_rule` over the cached rules:
/// the index of the first rule for this user whose process name (if any) matches.
pub fn find_matching_rule(
    k: &Kernel,
    pid: Pid,
    rules: &[Rule],
    uid: u32,
    gid: u32,
    procname: Option<&str>,
) -> Option<usize> {
    let mut i = 0;
    while i < rules.len() {
        let r = &rules[i];
        let hit = if r.username.starts_with('%') {
            false
        } else if (r.uid == WILD && r.gid == WILD) || r.uid == uid || r.gid == gid {
            true
        } else if let Some(g) = r.username.strip_prefix('@') {
            match (nss::getgrnam(k, pid, g), nss::getpwuid(k, pid, uid)) {
                (Some(g), Some(u)) => g.members.contains(&u.name),
                _ => false,
            }
        } else {
            false
        };
        if hit {
            match (procname, &r.procname) {
                (None, _) | (_, None) => return Some(i),
                (Some(p), Some(rp)) if rp == p || rp == basename(p) => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// The rule at `at` and the `%` lines that follow it (`cgroup_change_cgroup_flags`'s loop).
pub fn with_continuations(rules: &[Rule], at: usize) -> Vec<Rule> {
    let mut out = vec![rules[at].clone()];
    out.extend(
        rules[at + 1..]
            .iter()
            .take_while(|r| r.username.starts_with('%'))
            .cloned(),
    );
    out
}

/// The destination with its `%` variables replaced (`cgroup_change_cgroup_flags`); `\x`
/// stands for `x`.
pub fn expand_destination(
    k: &Kernel,
    me: Pid,
    dest: &str,
    uid: u32,
    gid: u32,
    procname: Option<&str>,
    target: i32,
) -> String {
    let mut out = String::new();
    let mut it = dest.chars();
    while let Some(c) = it.next() {
        match c {
            '%' => match it.next() {
                Some('U') => out.push_str(&uid.to_string()),
                Some('u') => out.push_str(&nss::user_name(k, me, uid)),
                Some('G') => out.push_str(&gid.to_string()),
                Some('g') => out.push_str(&nss::group_name(k, me, gid)),
                Some('P') => out.push_str(&target.to_string()),
                Some('p') => match procname {
                    Some(p) => out.push_str(p),
                    None => out.push_str(&target.to_string()),
                },
                // Nothing written: the '%' and the character stay.
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            },
            '\\' => {
                if let Some(n) = it.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `cgroup_get_uid_gid_from_procfs` and `cgroup_get_procname_from_procfs`: the effective uid
/// and gid (the second fields of `Uid:` and `Gid:` in `/proc/PID/status`) and the name
/// (`Name:`; `/proc/PID/exe` does not exist in cgsim, and 0.41 then keeps the status name).
pub fn proc_ids(k: &Kernel, me: Pid, target: i32) -> Option<(u32, u32, String)> {
    let data = nss::read_file(k, me, &format!("/proc/{target}/status")).ok()?;
    let text = String::from_utf8_lossy(&data);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    };
    let name = field("Name:")?.first()?.clone();
    let euid = field("Uid:")?.get(1)?.parse().ok()?;
    let egid = field("Gid:")?.get(1)?.parse().ok()?;
    Some((euid, egid, name))
}

/// The mount point of every mounted cgroup controller, in `/proc/cgroups` order as
/// `cgroup_init` records them (the first mount of each).
pub fn mount_table(k: &Kernel, me: Pid) -> Vec<(String, String)> {
    let cgroups = nss::read_file(k, me, "/proc/cgroups").unwrap_or_default();
    let mounts = nss::read_file(k, me, "/proc/mounts").unwrap_or_default();
    let mounts = String::from_utf8_lossy(&mounts);
    let mut out = Vec::new();
    for l in String::from_utf8_lossy(&cgroups).lines() {
        let Some(name) = l.split_whitespace().next().filter(|n| !n.starts_with('#')) else {
            continue;
        };
        let found = mounts.lines().find_map(|m| {
            let f: Vec<&str> = m.split_whitespace().collect();
            (f.len() >= 4 && f[2] == "cgroup" && f[3].split(',').any(|o| o == name))
                .then(|| f[1].to_string())
        });
        if let Some(mnt) = found {
            out.push((name.to_string(), mnt));
        }
    }
    out
}

/// `cgroup_change_cgroup_path` for a caller without the tools' library state (the daemon):
/// write `target` into `tasks` of DEST in each controller's hierarchy (`*`: every mounted
/// one); a missing template group is made first. The error is 0.41's code.
pub fn move_to(k: &Kernel, me: Pid, rule: &Rule, dest: &str, target: i32) -> i32 {
    let table = mount_table(k, me);
    let names: Vec<String> = if rule.controllers.iter().any(|c| c == "*") {
        table.iter().map(|(n, _)| n.clone()).collect()
    } else {
        rule.controllers.clone()
    };
    let template = dest != rule.destination;
    for n in names {
        let Some((_, mnt)) = table.iter().find(|(t, _)| *t == n) else {
            return super::api::ECGROUPSUBSYSNOTMOUNTED;
        };
        let dir = format!("{mnt}/{}", dest.trim_matches('/'));
        if template && k.stat(me, &dir).is_err() {
            let mut path = mnt.clone();
            for part in dest.split('/').filter(|p| !p.is_empty()) {
                path = format!("{path}/{part}");
                let _ = k.mkdir(me, &path, 0o775);
            }
        }
        let tasks = format!("{dir}/tasks");
        let fd = match k.open(me, &tasks, cgsim_cgroupfs::OpenFlags::WRONLY, 0) {
            Ok(fd) => fd,
            Err(_) => return super::api::ECGROUPNOTEXIST,
        };
        let r = k.write(me, fd, target.to_string().as_bytes());
        let _ = k.close(me, fd);
        if r.is_err() {
            return super::api::ECGOTHER;
        }
    }
    0
}

/// `cgroup_print_rules_config`: the cached rules as the daemon prints them to its log at
/// `LOG_INFO` and above.
pub fn print_rules_config(rules: &[Rule]) -> String {
    if rules.is_empty() {
        return "The rules table is empty.\n\n".to_string();
    }
    let id = |v: u32| match v {
        WILD => "any".to_string(),
        INVALID => "N/A".to_string(),
        v => (v as i32).to_string(),
    };
    let mut out = String::new();
    for r in rules {
        out.push_str(&format!("Rule: {}", r.username));
        if let Some(p) = &r.procname {
            out.push_str(&format!(":{p}"));
        }
        out.push('\n');
        out.push_str(&format!("  UID: {}\n  GID: {}\n", id(r.uid), id(r.gid)));
        out.push_str(&format!("  DEST: {}\n  CONTROLLERS:\n", r.destination));
        for c in &r.controllers {
            out.push_str(&format!("    {c}\n"));
        }
        out.push('\n');
    }
    out
}
