//! Text commands tutorials reach for: `grep` and `wc`, on files or on a pipe
//! (`mount | grep cgroup`, `cat tasks | wc -l`).
//!
//! `grep` matches fixed strings (what tutorials search for: `cgroup`, `memory`, `rss`), not
//! regular expressions; its exit statuses are grep's (0 a line matched, 1 none did, 2 an
//! error).

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{Fd, OpenFlags};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "grep",
        "grep [-v] [-i] [-c] [-q] [-w] PATTERN [FILE]...",
        "print lines containing PATTERN (a fixed string), e.g. grep cgroup /proc/mounts",
        Kind::External(grep),
    );
    r.add(
        "wc",
        "wc [-l] [-w] [-c] [FILE]...",
        "count lines, words and bytes, e.g. wc -l tasks",
        Kind::External(wc),
    );
}

/// Read a whole file (or standard input for `-`) through the kernel, one `read(2)` at a time.
pub(crate) fn read_all(sh: &mut Shell, pid: Pid, cmd: &str, path: &str) -> Option<Vec<u8>> {
    let k = sh.kernel().clone();
    let (fd, close) = if path == "-" {
        (Fd(0), false)
    } else {
        match k.open(pid, path, OpenFlags::RDONLY, 0) {
            Ok(fd) => (fd, true),
            Err(e) => {
                sh.write_err(pid, &format!("{cmd}: {path}: {}\n", e.errno.strerror()));
                return None;
            }
        }
    };
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let mut ok = true;
    loop {
        match k.read(pid, fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            // The console's standard input has nothing to read.
            Err(e) if path == "-" && e.errno == cgsim_ktypes::Errno::EAGAIN => break,
            Err(e) => {
                sh.write_err(pid, &format!("{cmd}: {path}: {}\n", e.errno.strerror()));
                ok = false;
                break;
            }
        }
    }
    if close {
        let _ = k.close(pid, fd);
    }
    ok.then_some(data)
}

/// Split `argv[1..]` into single-letter flags and operands (`--` ends the flags).
fn flags_and_operands<'a>(
    sh: &mut Shell,
    pid: Pid,
    cmd: &str,
    argv: &'a [String],
    allowed: &str,
) -> Option<(String, Vec<&'a String>)> {
    let mut flags = String::new();
    let mut ops = Vec::new();
    let mut only_ops = false;
    for a in &argv[1..] {
        if only_ops || !a.starts_with('-') || a == "-" {
            ops.push(a);
        } else if a == "--" {
            only_ops = true;
        } else {
            for c in a[1..].chars() {
                if !allowed.contains(c) {
                    sh.write_err(pid, &format!("{cmd}: invalid option -- '{c}'\n"));
                    return None;
                }
                flags.push(c);
            }
        }
    }
    Some((flags, ops))
}

fn grep(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let Some((flags, ops)) = flags_and_operands(sh, pid, "grep", argv, "vicqw") else {
        return 2;
    };
    let Some((pattern, files)) = ops.split_first() else {
        sh.write_err(pid, "Usage: grep [OPTION]... PATTERNS [FILE]...\n");
        return 2;
    };
    let (invert, icase, count, quiet, word) = (
        flags.contains('v'),
        flags.contains('i'),
        flags.contains('c'),
        flags.contains('q'),
        flags.contains('w'),
    );
    let needle = if icase {
        pattern.to_lowercase()
    } else {
        pattern.to_string()
    };
    let files: Vec<String> = if files.is_empty() {
        vec!["-".to_string()]
    } else {
        files.iter().map(|f| f.to_string()).collect()
    };
    let many = files.len() > 1;
    let (mut matched_any, mut error) = (false, false);
    for f in &files {
        let Some(data) = read_all(sh, pid, "grep", f) else {
            error = true;
            continue;
        };
        let text = String::from_utf8_lossy(&data);
        let mut n = 0;
        let mut out = String::new();
        for line in text.lines() {
            let hay = if icase {
                line.to_lowercase()
            } else {
                line.to_string()
            };
            let hit = if word {
                contains_word(&hay, &needle)
            } else {
                hay.contains(&needle)
            };
            if hit != invert {
                n += 1;
                if !count && !quiet {
                    if many {
                        out.push_str(f);
                        out.push(':');
                    }
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        if count && !quiet {
            out = if many {
                format!("{f}:{n}\n")
            } else {
                format!("{n}\n")
            };
        }
        matched_any |= n > 0;
        if !out.is_empty() && sh.out(pid, &out).is_err() {
            return 2;
        }
        if quiet && matched_any {
            return 0;
        }
    }
    match (matched_any, error) {
        (_, true) if !quiet || !matched_any => 2,
        (true, _) => 0,
        (false, _) => 1,
    }
}

/// `grep -w`: the match must not touch a word character on either side.
fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    hay.match_indices(needle).any(|(i, m)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + m.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

fn wc(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let Some((flags, ops)) = flags_and_operands(sh, pid, "wc", argv, "lwc") else {
        return 1;
    };
    let all = flags.is_empty();
    let files: Vec<String> = if ops.is_empty() {
        vec!["-".to_string()]
    } else {
        ops.iter().map(|f| f.to_string()).collect()
    };
    let mut status = 0;
    let mut total = (0, 0, 0);
    let mut rows = Vec::new();
    for f in &files {
        let Some(data) = read_all(sh, pid, "wc", f) else {
            status = 1;
            continue;
        };
        let lines = data.iter().filter(|&&b| b == b'\n').count();
        let words = String::from_utf8_lossy(&data).split_whitespace().count();
        let bytes = data.len();
        total = (total.0 + lines, total.1 + words, total.2 + bytes);
        rows.push((
            (lines, words, bytes),
            if f == "-" { String::new() } else { f.clone() },
        ));
    }
    if files.len() > 1 {
        rows.push((total, "total".to_string()));
    }
    let mut out = String::new();
    for ((l, w, c), name) in rows {
        let mut cols = Vec::new();
        if all || flags.contains('l') {
            cols.push(l);
        }
        if all || flags.contains('w') {
            cols.push(w);
        }
        if all || flags.contains('c') {
            cols.push(c);
        }
        // coreutils pads every column to the widest count when more than one is printed.
        let width = if cols.len() > 1 || files.len() > 1 {
            cols.iter()
                .map(|n| n.to_string().len())
                .max()
                .unwrap_or(1)
                .max(1)
        } else {
            1
        };
        let mut line: Vec<String> = cols.iter().map(|n| format!("{n:>width$}")).collect();
        if !name.is_empty() {
            line.push(name);
        }
        out.push_str(&line.join(" "));
        out.push('\n');
    }
    if sh.out(pid, &out).is_err() {
        return 1;
    }
    status
}
