//! `stat -c FORMAT` / `stat --printf FORMAT` of files (coreutils 9.1 `src/stat.c`
//! `print_stat`), the half of `stat` that `fileutils.rs`' `stat -f` does not cover.
//!
//! **Real tool:** each `%` directive is one field of the file's `statx`: `%n` name, `%N`
//! quoted name, `%s` size, `%b` blocks of `%B` (512) bytes, `%o` I/O block (4096), `%f` raw
//! mode in hex, `%a` permission bits in octal, `%A` as `ls -l` shows them, `%F` the file type
//! in words (`regular empty file` for a regular file of size 0), `%h` links, `%i` inode,
//! `%u`/`%U` owner id and name (`UNKNOWN` without a passwd entry), `%g`/`%G` the group's,
//! `%t`/`%T` a device's major and minor in hex, `%x %y %z` access, modify and change time as
//! `%Y-%m-%d %H:%M:%S.%N %z`, `%X %Y %Z` the same in seconds since the epoch, `%w`/`%W` birth
//! time (`-` and `0`: 2.6.35 has no birth time), `%%`; an unknown directive prints `?`.
//! `-c` ends each file's line with a newline; `--printf` does not and reads backslash escapes.
//! A missing file: `stat: cannot statx 'F': <strerror>`, status 1.
//! **Differences:** the device fields (`%d`, `%D`, `%m`) and the SELinux context (`%C`) are
//! refused with a message, since the simulated kernel gives its filesystems no device
//! numbers; `stat FILE` without a format likewise.

use crate::Shell;
use cgsim_cgroupfs::{FileType, Stat};
use cgsim_ktypes::Pid;

/// What the directive `c` of `format` prints for `st`, or `Err(c)` for a refused one.
fn directive(sh: &mut Shell, pid: Pid, c: char, name: &str, st: &Stat) -> Result<String, char> {
    let k = sh.kernel().clone();
    let time = |ns: u64| {
        use super::coreutils::date::{BOOT_EPOCH, strftime};
        let secs = BOOT_EPOCH + (ns / 1_000_000_000) as i64;
        (
            strftime("%Y-%m-%d %H:%M:%S.%N %z", secs, (ns % 1_000_000_000) as u32),
            secs.to_string(),
        )
    };
    let (major, minor) = st.rdev.unwrap_or((0, 0));
    let type_bits = match st.file_type {
        FileType::Directory => 0o040000,
        FileType::Regular => 0o100000,
        FileType::CharDevice => 0o020000,
        FileType::BlockDevice => 0o060000,
        FileType::Symlink => 0o120000,
        FileType::Anon => 0,
    };
    Ok(match c {
        'n' => name.to_string(),
        'N' => format!("'{name}'"),
        's' => st.size.to_string(),
        // tmpfs keeps a regular file's data in whole pages; nothing else has blocks.
        'b' => {
            if st.file_type == FileType::Regular && st.fs_magic != 0x0027_e0eb {
                (st.size.div_ceil(4096) * 8).to_string()
            } else {
                "0".to_string()
            }
        }
        'B' => "512".to_string(),
        'o' => "4096".to_string(),
        'f' => format!("{:x}", type_bits | st.mode),
        'a' => format!("{:o}", st.mode & 0o7777),
        'A' => super::fs::mode_string(st),
        'F' => match st.file_type {
            FileType::Directory => "directory",
            FileType::Regular if st.size == 0 => "regular empty file",
            FileType::Regular => "regular file",
            FileType::CharDevice => "character special file",
            FileType::BlockDevice => "block special file",
            FileType::Symlink => "symbolic link",
            FileType::Anon => "weird file",
        }
        .to_string(),
        'h' => st.nlink.to_string(),
        'i' => st.ino.to_string(),
        'u' => st.uid.to_string(),
        'U' => super::nss::user_name(&k, pid, st.uid),
        'g' => st.gid.to_string(),
        'G' => super::nss::group_name(&k, pid, st.gid),
        't' => format!("{major:x}"),
        'T' => format!("{minor:x}"),
        'x' => time(st.atime).0,
        'X' => time(st.atime).1,
        'y' => time(st.mtime).0,
        'Y' => time(st.mtime).1,
        'z' => time(st.ctime).0,
        'Z' => time(st.ctime).1,
        'w' => "-".to_string(),
        'W' => "0".to_string(),
        'd' | 'D' | 'm' | 'C' => return Err(c),
        _ => "?".to_string(),
    })
}

/// Expand `format` for one file; `Err(c)` names a refused directive.
fn expand(sh: &mut Shell, pid: Pid, format: &str, name: &str, st: &Stat) -> Result<String, char> {
    let mut out = String::new();
    let mut it = format.chars().peekable();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('%') => out.push('%'),
            Some(d) => out.push_str(&directive(sh, pid, d, name, st)?),
            // A lone `%` at the end is printed as it is.
            None => out.push('%'),
        }
    }
    Ok(out)
}

/// `--printf`'s backslash escapes (coreutils `print_esc_char`, the common ones).
fn unescape(format: &str) -> String {
    let mut out = String::new();
    let mut it = format.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('a') => out.push('\x07'),
            Some('r') => out.push('\r'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `stat -c FORMAT FILE...` (`printf: false`) or `stat --printf FORMAT FILE...`.
pub(crate) fn stat_files(
    sh: &mut Shell,
    pid: Pid,
    format: &str,
    printf: bool,
    files: &[String],
) -> i32 {
    let format = if printf {
        unescape(format)
    } else {
        format!("{format}\n")
    };
    let k = sh.kernel().clone();
    let mut status = 0;
    for f in files {
        match k.stat(pid, f) {
            Ok(st) => match expand(sh, pid, &format, f, &st) {
                Ok(text) => {
                    if sh.out(pid, &text).is_err() {
                        return 1;
                    }
                }
                Err(c) => {
                    sh.write_err(
                        pid,
                        &format!("stat: '%{c}' is not simulated by cgsim (no device numbers)\n"),
                    );
                    return 1;
                }
            },
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!("stat: cannot statx '{f}': {}\n", e.errno.strerror()),
                );
                status = 1;
            }
        }
    }
    status
}
