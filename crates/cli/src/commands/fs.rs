//! File commands: `ls`, `cat`, `mkdir`, `rmdir`, `chmod`, `chown`, with coreutils' messages and
//! statuses.
//!
//! Each runs as its own forked process, so `cat /proc/self/cgroup` shows cat's cgroups and
//! `cat tasks` lists cat's own pid, as on Linux.

use super::text::{Input, report_read_error};
use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{FileType, Stat};
use cgsim_ktypes::{Pid, SysError};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "ls",
        "ls [-l] [-a] [-d] [--full-time] [PATH]...",
        "list directory contents",
        Kind::External(ls),
    );
    r.add("cat", "cat [FILE]...", "print files", Kind::External(cat));
    r.add(
        "mkdir",
        "mkdir [-p] [-m MODE] DIR...",
        "create directories (cgroup_create)",
        Kind::External(mkdir),
    );
    r.add(
        "rmdir",
        "rmdir DIR...",
        "remove empty directories (cgroup_rmdir)",
        Kind::External(rmdir),
    );
    r.add(
        "chmod",
        "chmod [-R] MODE FILE...",
        "change permission bits (octal MODE), e.g. to let a user write a cgroup's tasks file",
        Kind::External(chmod),
    );
    r.add(
        "chown",
        "chown [-R] USER[:GROUP] FILE...",
        "change owner (names from /etc/passwd and /etc/group, or numbers), e.g. to delegate a cgroup subtree",
        Kind::External(chown),
    );
}

/// Write to stdout, reporting `NAME: write error: ...` once.
fn put(sh: &mut Shell, pid: Pid, name: &str, text: &str) -> bool {
    match sh.out(pid, text) {
        Ok(()) => true,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("{name}: write error: {}\n", e.errno.strerror()),
            );
            false
        }
    }
}

fn strerror(e: SysError) -> &'static str {
    e.errno.strerror()
}

// ---- cat ------------------------------------------------------------------------------------

fn cat(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let files: Vec<String> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        vec!["-".to_string()]
    };
    let k = sh.kernel().clone();
    let mut status = 0;
    for f in files {
        let input = match Input::open(sh, pid, &f, false) {
            Ok(i) => i,
            Err(e) => {
                report_read_error(sh, pid, "cat", &f, e);
                status = 1;
                continue;
            }
        };
        let fd = input.fd;
        let mut buf = vec![0u8; 4096];
        loop {
            match k.read(pid, fd, &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Err(e) = k.write(pid, cgsim_cgroupfs::Fd(1), &buf[..n]) {
                        // A write that raised SIGPIPE ended cat: it prints nothing.
                        if k.task_alive(pid) {
                            sh.write_err(pid, &format!("cat: write error: {}\n", strerror(e)));
                        }
                        status = 1;
                        break;
                    }
                }
                Err(e) => {
                    // Standard input of the simulated console has nothing to read.
                    if !(f == "-" && e.errno == cgsim_ktypes::Errno::EAGAIN) {
                        sh.write_err(pid, &format!("cat: {f}: {}\n", strerror(e)));
                        status = 1;
                    }
                    break;
                }
            }
        }
        input.close(sh, pid);
    }
    status
}

// ---- ls -------------------------------------------------------------------------------------

#[derive(Default)]
struct LsOpts {
    long: bool,
    /// `--full-time`: `-l` with the full date.
    full_time: bool,
    all: bool,
    dir_itself: bool,
}

/// `drwxr-xr-x` from a stat.
pub fn mode_string(st: &Stat) -> String {
    let t = match st.file_type {
        FileType::Directory => 'd',
        FileType::Regular => '-',
        FileType::CharDevice => 'c',
        FileType::BlockDevice => 'b',
        FileType::Symlink => 'l',
        FileType::Anon => '?',
    };
    let mut s = String::from(t);
    // gnulib filemode.c: set-user-ID, set-group-ID and sticky show in the execute slots, lower
    // case when the execute bit is also set.
    for (shift, special, lower, upper) in [
        (6, 0o4000, 's', 'S'),
        (3, 0o2000, 's', 'S'),
        (0, 0o1000, 't', 'T'),
    ] {
        let bits = (st.mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(match (bits & 1 != 0, st.mode & special != 0) {
            (true, true) => lower,
            (false, true) => upper,
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// One `ls -l` row before its columns are padded: owner and group are names from
/// `/etc/passwd` and `/etc/group` when they have an entry, numbers otherwise (coreutils).
struct LongRow {
    mode: String,
    links: String,
    owner: String,
    group: String,
    /// The size, or a device's `(major, minor)`.
    size: Result<String, (String, String)>,
    date: String,
    name: String,
}

/// Half of coreutils' average Gregorian year (31556952 s / 2): `ls -l` shows the year instead
/// of the time of day for files older than this (`src/ls.c` `print_long_format`).
const SIX_MONTHS_NS: i128 = 31_556_952 / 2 * 1_000_000_000;

/// The date column of `ls -l` for `mtime` (nanoseconds since boot) when the clock reads `now`.
///
/// **Real tool:** coreutils 9.1 `src/ls.c`: `%b %e %H:%M` when the time is less than six
/// months old and not in the future, `%b %e  %Y` otherwise; `--full-time` prints
/// `%Y-%m-%d %H:%M:%S.%N %z`.
/// **Differences:** ls re-reads the clock when a time is ahead of it, so on a real machine a
/// file written the moment before is in the past; the simulated clock can read exactly the
/// file's time, which counts as recent here.
fn ls_date(mtime: u64, now: u64, full: bool) -> String {
    use super::coreutils::date::{BOOT_EPOCH, strftime};
    let secs = BOOT_EPOCH + (mtime / 1_000_000_000) as i64;
    let ns = (mtime % 1_000_000_000) as u32;
    if full {
        return strftime("%Y-%m-%d %H:%M:%S.%N %z", secs, ns);
    }
    let age = i128::from(now) - i128::from(mtime);
    if (0..SIX_MONTHS_NS).contains(&age) {
        strftime("%b %e %H:%M", secs, ns)
    } else {
        strftime("%b %e  %Y", secs, ns)
    }
}

fn long_row(k: &cgsim_cgroupfs::Kernel, pid: Pid, st: &Stat, name: &str, full: bool) -> LongRow {
    // A device node shows `major, minor` where a file shows its size.
    let size = match st.rdev {
        Some((major, minor)) => Err((major.to_string(), minor.to_string())),
        None => Ok(st.size.to_string()),
    };
    LongRow {
        mode: mode_string(st),
        links: st.nlink.to_string(),
        owner: super::nss::user_name(k, pid, st.uid),
        group: super::nss::group_name(k, pid, st.gid),
        size,
        date: ls_date(st.mtime, k.clock().now_nanos(), full),
        name: name.to_string(),
    }
}

/// Format rows as coreutils 9.1 `ls -l` does (`src/ls.c` `print_long_format`): the link
/// count right-aligned, owner and group left-aligned, and the size right-aligned, each to the
/// widest in the listing; a device's `major, minor` with each number right-aligned to the
/// widest major and minor, the pair right-aligned in the size column.
fn format_long(rows: &[LongRow]) -> String {
    let w = |f: &dyn Fn(&LongRow) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let lw = w(&|r| r.links.len());
    let ow = w(&|r| r.owner.len());
    let gw = w(&|r| r.group.len());
    let majw = w(&|r| r.size.as_ref().err().map_or(0, |d| d.0.len()));
    let minw = w(&|r| r.size.as_ref().err().map_or(0, |d| d.1.len()));
    let devw = if rows.iter().any(|r| r.size.is_err()) {
        majw + 2 + minw
    } else {
        0
    };
    let sw = w(&|r| r.size.as_ref().map_or(0, |s| s.len())).max(devw);
    rows.iter()
        .map(|r| {
            let size = match &r.size {
                Ok(s) => format!("{s:>sw$}"),
                Err((maj, min)) => {
                    let majw = majw + sw - devw;
                    format!("{maj:>majw$}, {min:>minw$}")
                }
            };
            format!(
                "{} {:>lw$} {:<ow$} {:<gw$} {} {} {}\n",
                r.mode, r.links, r.owner, r.group, size, r.date, r.name
            )
        })
        .collect()
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn ls(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut o = LsOpts::default();
    let mut paths = Vec::new();
    for a in &argv[1..] {
        if a == "--full-time" {
            o.long = true;
            o.full_time = true;
        } else if a.len() > 1 && a.starts_with('-') {
            for c in a[1..].chars() {
                match c {
                    'l' => o.long = true,
                    'a' => o.all = true,
                    'd' => o.dir_itself = true,
                    '1' => {}
                    _ => {
                        sh.write_err(pid, &format!("ls: invalid option -- '{c}'\n"));
                        return 2;
                    }
                }
            }
        } else {
            paths.push(a.clone());
        }
    }
    if paths.is_empty() {
        paths.push(".".to_string());
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in &paths {
        match k.stat(pid, p) {
            Ok(st) if st.file_type == FileType::Directory && !o.dir_itself => dirs.push(p.clone()),
            Ok(st) => files.push((p.clone(), st)),
            Err(e) => {
                sh.write_err(pid, &format!("ls: cannot access '{p}': {}\n", strerror(e)));
                status = 2;
            }
        }
    }
    let mut text = String::new();
    if o.long {
        let rows: Vec<LongRow> = files
            .iter()
            .map(|(p, st)| long_row(&k, pid, st, p, o.full_time))
            .collect();
        text.push_str(&format_long(&rows));
    } else {
        for (p, _) in &files {
            text.push_str(&format!("{p}\n"));
        }
    }
    let headers = files.len() + dirs.len() > 1 || status != 0 && !dirs.is_empty();
    for (i, d) in dirs.iter().enumerate() {
        if headers {
            if i > 0 || !files.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("{d}:\n"));
        }
        let entries = match k.readdir(pid, d) {
            Ok(e) => e,
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!("ls: cannot open directory '{d}': {}\n", strerror(e)),
                );
                status = 2;
                continue;
            }
        };
        let mut names: Vec<String> = Vec::new();
        if o.all {
            names.push(".".to_string());
            names.push("..".to_string());
        }
        // readdir order is the filesystem's (newest first on cgroupfs, as dcache_readdir
        // walks d_subdirs); ls sorts by name, byte order in the C locale.
        let mut sorted: Vec<String> = entries.into_iter().map(|e| e.name).collect();
        sorted.sort();
        names.extend(sorted);
        if o.long {
            let mut rows = Vec::new();
            // `total` counts 1 KiB blocks: whole pages of regular files (tmpfs keeps data in
            // pages); directories and cgroup or /proc files take none.
            let mut blocks = 0;
            for n in &names {
                match k.stat(pid, &join(d, n)) {
                    Ok(st) => {
                        if st.file_type == FileType::Regular {
                            blocks += st.size.div_ceil(4096) * 4;
                        }
                        rows.push(long_row(&k, pid, &st, n, o.full_time));
                    }
                    Err(e) => {
                        sh.write_err(
                            pid,
                            &format!("ls: cannot access '{}': {}\n", join(d, n), strerror(e)),
                        );
                        status = 1;
                    }
                }
            }
            text.push_str(&format!("total {blocks}\n"));
            text.push_str(&format_long(&rows));
        } else {
            for n in &names {
                text.push_str(n);
                text.push('\n');
            }
        }
    }
    if !put(sh, pid, "ls", &text) {
        return 2;
    }
    status
}

// ---- mkdir / rmdir ----------------------------------------------------------------------------

fn mkdir(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut parents = false;
    let mut mode = 0o755;
    let mut dirs = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        match a.as_str() {
            "-p" | "--parents" => parents = true,
            "-m" => {
                i += 1;
                match argv.get(i).and_then(|m| u32::from_str_radix(m, 8).ok()) {
                    Some(m) if m <= 0o7777 => mode = m,
                    _ => {
                        sh.write_err(pid, "mkdir: invalid mode\n");
                        return 1;
                    }
                }
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                sh.write_err(pid, &format!("mkdir: invalid option -- '{}'\n", &a[1..]));
                return 1;
            }
            _ => dirs.push(a.clone()),
        }
        i += 1;
    }
    if dirs.is_empty() {
        sh.write_err(
            pid,
            "mkdir: missing operand\nTry 'mkdir --help' for more information.\n",
        );
        return 1;
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for d in dirs {
        let result = if parents {
            mkdir_parents(&k, pid, &d, mode)
        } else {
            k.mkdir(pid, &d, mode)
        };
        if let Err(e) = result {
            sh.write_err(
                pid,
                &format!("mkdir: cannot create directory '{d}': {}\n", strerror(e)),
            );
            status = 1;
        }
    }
    status
}

/// `mkdir -p`: create each missing component; an existing directory is fine.
fn mkdir_parents(
    k: &cgsim_cgroupfs::Kernel,
    pid: Pid,
    path: &str,
    mode: u32,
) -> Result<(), SysError> {
    let mut prefix = String::new();
    if path.starts_with('/') {
        prefix.push('/');
    }
    for comp in path.split('/').filter(|c| !c.is_empty()) {
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        prefix.push_str(comp);
        match k.mkdir(pid, &prefix, mode) {
            Ok(()) => {}
            Err(e) if e.errno == cgsim_ktypes::Errno::EEXIST => {
                let st = k.stat(pid, &prefix)?;
                if st.file_type != FileType::Directory {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn rmdir(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    if argv.len() < 2 {
        sh.write_err(
            pid,
            "rmdir: missing operand\nTry 'rmdir --help' for more information.\n",
        );
        return 1;
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for d in &argv[1..] {
        if let Err(e) = k.rmdir(pid, d) {
            sh.write_err(
                pid,
                &format!("rmdir: failed to remove '{d}': {}\n", strerror(e)),
            );
            status = 1;
        }
    }
    status
}

// ---- chmod / chown ----------------------------------------------------------------------------

/// Split `-R` from the operands.
fn recursive_flag(argv: &[String]) -> (bool, Vec<&String>) {
    let recursive = argv[1..].iter().any(|a| a == "-R");
    (recursive, argv[1..].iter().filter(|a| *a != "-R").collect())
}

/// `PATH` and, with `-R`, everything below it, parents first (as `chmod -R` walks).
fn walk_tree(sh: &Shell, pid: Pid, path: &str, recursive: bool, out: &mut Vec<String>) {
    out.push(path.to_string());
    if !recursive {
        return;
    }
    let k = sh.kernel().clone();
    if !k
        .stat(pid, path)
        .is_ok_and(|st| st.file_type == FileType::Directory)
    {
        return;
    }
    if let Ok(entries) = k.readdir(pid, path) {
        for e in entries {
            walk_tree(
                sh,
                pid,
                &format!("{}/{}", path.trim_end_matches('/'), e.name),
                true,
                out,
            );
        }
    }
}

fn chmod(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let (recursive, ops) = recursive_flag(argv);
    let (Some(mode), files) = (ops.first(), ops.get(1..).unwrap_or_default()) else {
        sh.write_err(
            pid,
            "chmod: missing operand\nTry 'chmod --help' for more information.\n",
        );
        return 1;
    };
    let text = mode.as_str();
    // Octal or symbolic (`+x`, `u=rwx,go-w`), as coreutils' `mode_compile` reads it.
    let Some(mode) = super::modechange::compile(text) else {
        sh.write_err(
            pid,
            &format!("chmod: invalid mode: '{text}'\nTry 'chmod --help' for more information.\n"),
        );
        return 1;
    };
    if files.is_empty() {
        sh.write_err(
            pid,
            &format!(
                "chmod: missing operand after '{text}'\nTry 'chmod --help' for more information.\n"
            ),
        );
        return 1;
    }
    let k = sh.kernel().clone();
    // umask(2) can only be read by setting it: set it back at once.
    let umask = k.umask(pid, 0o022).unwrap_or(0o022);
    let _ = k.umask(pid, umask);
    let mut status = 0;
    for f in files {
        let mut paths = Vec::new();
        walk_tree(sh, pid, f, recursive, &mut paths);
        for p in paths {
            let (old, is_dir) = k.stat(pid, &p).map_or((0, false), |st| {
                (st.mode, st.file_type == FileType::Directory)
            });
            let mode = super::modechange::adjust(&mode, old, is_dir, umask);
            if let Err(e) = k.chmod(pid, &p, mode) {
                let msg = format!("chmod: changing permissions of '{p}': {}\n", strerror(e));
                sh.write_err(pid, &msg);
                status = 1;
            }
        }
    }
    status
}

/// coreutils `parse_user_spec`: `USER[:GROUP]`, `:GROUP`, `USER:` (the user's login group);
/// names go through `/etc/passwd` and `/etc/group` first, then a decimal number is taken as an
/// id. `USER.GROUP` is accepted with coreutils' warning when no user has the dotted name.
/// On error returns coreutils' message (`invalid user: 'x'`).
fn parse_user_spec(
    sh: &mut Shell,
    pid: Pid,
    spec: &str,
) -> Result<(Option<u32>, Option<u32>), String> {
    let k = sh.kernel().clone();
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => match spec.split_once('.') {
            Some((u, g)) if super::nss::getpwnam(&k, pid, spec).is_none() => {
                sh.write_err(
                    pid,
                    &format!("chown: warning: '.' should be ':': '{spec}'\n"),
                );
                (u, Some(g))
            }
            _ => (spec, None),
        },
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let mut uid = None;
    let mut gid = None;
    if !user.is_empty() {
        match super::nss::getpwnam(&k, pid, user) {
            Some(pw) => {
                uid = Some(pw.uid);
                // `USER:` means the user's login group.
                if group == Some("") {
                    gid = Some(pw.gid);
                }
            }
            None => match number(user) {
                Some(n) => uid = Some(n),
                None => return Err(format!("invalid user: '{spec}'")),
            },
        }
    }
    if let Some(g) = group.filter(|g| !g.is_empty()) {
        match super::nss::getgrnam(&k, pid, g) {
            Some(gr) => gid = Some(gr.gid),
            None => match number(g) {
                Some(n) => gid = Some(n),
                None => return Err(format!("invalid group: '{spec}'")),
            },
        }
    }
    Ok((uid, gid))
}

fn chown(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let (recursive, ops) = recursive_flag(argv);
    let (Some(spec), files) = (ops.first(), ops.get(1..).unwrap_or_default()) else {
        sh.write_err(
            pid,
            "chown: missing operand\nTry 'chown --help' for more information.\n",
        );
        return 1;
    };
    if files.is_empty() {
        sh.write_err(
            pid,
            &format!(
                "chown: missing operand after '{spec}'\nTry 'chown --help' for more information.\n"
            ),
        );
        return 1;
    }
    let (uid, gid) = match parse_user_spec(sh, pid, spec) {
        Ok(ids) => ids,
        Err(msg) => {
            sh.write_err(pid, &format!("chown: {msg}\n"));
            return 1;
        }
    };
    let k = sh.kernel().clone();
    let mut status = 0;
    for f in files {
        let mut paths = Vec::new();
        walk_tree(sh, pid, f, recursive, &mut paths);
        for p in paths {
            if let Err(e) = k.chown(pid, &p, uid, gid) {
                sh.write_err(
                    pid,
                    &format!("chown: changing ownership of '{p}': {}\n", strerror(e)),
                );
                status = 1;
            }
        }
    }
    status
}
