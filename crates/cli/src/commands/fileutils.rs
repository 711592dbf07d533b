//! coreutils 9.1's `rm` and `stat -f` (what LTP's shell library runs: `rm -r "$TST_TMPDIR"`,
//! `rm $LTP_IPC_PATH`, `stat -f -c '%T' DIR`).
//!
//! **rm [-f] [-r|-R] [-d] FILE...**: `unlink` each file; a directory needs `-r` (removed depth
//! first) or `-d` (empty only); `-f` ignores missing files. Messages as coreutils:
//! `rm: cannot remove 'X': <strerror>`, `rm: cannot remove 'D': Is a directory`,
//! `rm: missing operand`; status 1 when anything failed.
//! **stat -f -c FORMAT FILE...**: `statfs` of the filesystem each FILE is on, printed with
//! FORMAT: `%T` the type name (coreutils' `human_fstype` table: `tmpfs`, `ramfs`, `proc`,
//! `cgroupfs`, `ext2/ext3`), `%t` the magic in hex, `%n` the file name, `%%`.
//! **stat -c FORMAT FILE...**, **stat --printf FORMAT FILE...**: file status, see
//! `stat_file.rs`.
//! **Differences:** `rm` asks no questions (`-i`, and the prompt for write-protected files a
//! terminal would get, are not there); `stat` without a format, and other `-f` format
//! sequences, are refused with a message naming what is missing.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::FileType;
use cgsim_ktypes::{Errno, Pid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "rm",
        "rm [-f] [-r|-R] [-d] FILE...",
        "remove files (and directories with -r)",
        Kind::External(rm),
    );
    r.set_help("rm", RM_HELP);
    r.add(
        "stat",
        "stat [-f] -c FORMAT FILE...",
        "file status (-c '%s %n %U %a %y' ...) or file system status (-f: %T type name, %t magic)",
        Kind::External(stat),
    );
    r.set_help("stat", STAT_HELP);
}

const RM_HELP: &str = "Usage: rm [OPTION]... [FILE]...\nRemove (unlink) the FILE(s).\n\n  -f, --force           ignore nonexistent files and arguments, never prompt\n  -i                    prompt before every removal\n  -I                    prompt once before removing more than three files, or\n                          when removing recursively; less intrusive than -i,\n                          while still giving protection against most mistakes\n      --interactive[=WHEN]  prompt according to WHEN: never, once (-I), or\n                          always (-i); without WHEN, prompt always\n      --one-file-system  when removing a hierarchy recursively, skip any\n                          directory that is on a file system different from\n                          that of the corresponding command line argument\n      --no-preserve-root  do not treat '/' specially\n      --preserve-root[=all]  do not remove '/' (default);\n                              with 'all', reject any command line argument\n                              on a separate device from its parent\n  -r, -R, --recursive   remove directories and their contents recursively\n  -d, --dir             remove empty directories\n  -v, --verbose         explain what is being done\n      --help     display this help and exit\n      --version  output version information and exit\n\nBy default, rm does not remove directories.  Use the --recursive (-r or -R)\noption to remove each listed directory, too, along with all of its contents.\n\nTo remove a file whose name starts with a '-', for example '-foo',\nuse one of these commands:\n  rm -- -foo\n\n  rm ./-foo\n\nNote that if you use rm to remove a file, it might be possible to recover\nsome of its contents, given sufficient expertise and/or time.  For greater\nassurance that the contents are truly unrecoverable, consider using shred(1).\n\nGNU coreutils online help: <https://www.gnu.org/software/coreutils/>\nFull documentation <https://www.gnu.org/software/coreutils/rm>\nor available locally via: info '(coreutils) rm invocation'\n";

const STAT_HELP: &str = "Usage: stat [OPTION]... FILE...\nDisplay file or file system status.\n\nMandatory arguments to long options are mandatory for short options too.\n  -L, --dereference     follow links\n  -f, --file-system     display file system status instead of file status\n      --cached=MODE     specify how to use cached attributes;\n                          useful on remote file systems. See MODE below\n  -c  --format=FORMAT   use the specified FORMAT instead of the default;\n                          output a newline after each use of FORMAT\n      --printf=FORMAT   like --format, but interpret backslash escapes,\n                          and do not output a mandatory trailing newline;\n                          if you want a newline, include \\n in FORMAT\n  -t, --terse           print the information in terse form\n      --help     display this help and exit\n      --version  output version information and exit\n";

/// `rm -r`: depth first.
fn remove_tree(sh: &mut Shell, pid: Pid, path: &str) -> Result<(), (String, Errno)> {
    let k = sh.kernel().clone();
    let entries = k
        .readdir(pid, path)
        .map_err(|e| (path.to_string(), e.errno))?;
    for e in entries {
        let child = format!("{}/{}", path.trim_end_matches('/'), e.name);
        if e.file_type == FileType::Directory {
            remove_tree(sh, pid, &child)?;
        } else {
            k.unlink(pid, &child)
                .map_err(|e| (child.clone(), e.errno))?;
        }
    }
    k.rmdir(pid, path).map_err(|e| (path.to_string(), e.errno))
}

fn rm(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let (mut force, mut recursive, mut dir) = (false, false, false);
    let mut files = Vec::new();
    let mut only_files = false;
    for a in &argv[1..] {
        if only_files || !a.starts_with('-') || a == "-" {
            files.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--" => only_files = true,
            "--force" => force = true,
            "--recursive" => recursive = true,
            "--dir" => dir = true,
            s if s.starts_with("--") => {
                sh.write_err(
                    pid,
                    &format!(
                        "rm: unrecognized option '{s}'\nTry 'rm --help' for more information.\n"
                    ),
                );
                return 1;
            }
            s => {
                for c in s[1..].chars() {
                    match c {
                        'f' => force = true,
                        'r' | 'R' => recursive = true,
                        'd' => dir = true,
                        _ => {
                            sh.write_err(
                                pid,
                                &format!("rm: invalid option -- '{c}'\nTry 'rm --help' for more information.\n"),
                            );
                            return 1;
                        }
                    }
                }
            }
        }
    }
    if files.is_empty() {
        if force {
            return 0;
        }
        sh.write_err(
            pid,
            "rm: missing operand\nTry 'rm --help' for more information.\n",
        );
        return 1;
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for f in files {
        let st = match k.stat(pid, &f) {
            Ok(st) => st,
            Err(e) => {
                if !(force && e.errno == Errno::ENOENT) {
                    sh.write_err(
                        pid,
                        &format!("rm: cannot remove '{f}': {}\n", e.errno.strerror()),
                    );
                    status = 1;
                }
                continue;
            }
        };
        let r = if st.file_type == FileType::Directory {
            if recursive {
                remove_tree(sh, pid, &f)
            } else if dir {
                k.rmdir(pid, &f).map_err(|e| (f.clone(), e.errno))
            } else {
                sh.write_err(pid, &format!("rm: cannot remove '{f}': Is a directory\n"));
                status = 1;
                continue;
            }
        } else {
            k.unlink(pid, &f).map_err(|e| (f.clone(), e.errno))
        };
        if let Err((p, e)) = r {
            sh.write_err(pid, &format!("rm: cannot remove '{p}': {}\n", e.strerror()));
            status = 1;
        }
    }
    status
}

/// coreutils' `human_fstype` for the filesystems the simulated kernel has.
fn fstype_name(magic: u64) -> String {
    match magic {
        0x0102_1994 => "tmpfs".into(),
        0x8584_58f6 => "ramfs".into(),
        0x9fa0 => "proc".into(),
        0x0027_e0eb => "cgroupfs".into(),
        // S_MAGIC_CGROUP2 (coreutils 8.26+), the 6.6 preset's cgroup2.
        0x6367_7270 => "cgroup2fs".into(),
        0x6462_6720 => "debugfs".into(),
        0xef53 => "ext2/ext3".into(),
        m => format!("UNKNOWN (0x{m:x})"),
    }
}

fn stat(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let (mut fs, mut format, mut printf) = (false, None::<String>, false);
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if let Some(f) = a.strip_prefix("--format=") {
            format = Some(f.to_string());
            printf = false;
        } else if let Some(f) = a.strip_prefix("--printf=") {
            format = Some(f.to_string());
            printf = true;
        } else if a == "-f" || a == "--file-system" {
            fs = true;
        } else if a == "-c" || a == "-fc" {
            fs |= a == "-fc";
            let Some(f) = argv.get(i) else {
                sh.write_err(
                    pid,
                    "stat: option requires an argument -- 'c'\nTry 'stat --help' for more information.\n",
                );
                return 1;
            };
            format = Some(f.clone());
            printf = false;
            i += 1;
        } else if a.starts_with('-') && a.len() > 1 {
            let c = a.chars().nth(1).unwrap_or('-');
            sh.write_err(
                pid,
                &format!(
                    "stat: invalid option -- '{c}'\nTry 'stat --help' for more information.\n"
                ),
            );
            return 1;
        } else {
            files.push(a.clone());
        }
    }
    if files.is_empty() {
        sh.write_err(
            pid,
            "stat: missing operand\nTry 'stat --help' for more information.\n",
        );
        return 1;
    }
    let Some(format) = format else {
        sh.write_err(
            pid,
            "stat: cgsim has only 'stat -c FORMAT', 'stat --printf FORMAT' and 'stat -f -c FORMAT'\n",
        );
        return 1;
    };
    if !fs {
        return super::stat_file::stat_files(sh, pid, &format, printf, &files);
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for f in files {
        match k.stat(pid, &f) {
            Ok(st) => {
                let mut out = String::new();
                let mut it = format.chars();
                while let Some(c) = it.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match it.next() {
                        Some('T') => out.push_str(&fstype_name(st.fs_magic)),
                        Some('t') => out.push_str(&format!("{:x}", st.fs_magic)),
                        Some('n') => out.push_str(&f),
                        Some('%') => out.push('%'),
                        Some(o) => {
                            out.push('?');
                            out.push(o);
                        }
                        None => out.push('%'),
                    }
                }
                out.push('\n');
                if sh.out(pid, &out).is_err() {
                    return 1;
                }
            }
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!(
                        "stat: cannot read file system information for '{f}': {}\n",
                        e.errno.strerror()
                    ),
                );
                status = 1;
            }
        }
    }
    status
}
