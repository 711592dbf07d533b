//! debianutils' `which`: print where `PATH` finds each command.
//!
//! **Follows:** debianutils `which` (the `/bin/sh` script of debianutils 4.x-5.x, installed as
//! `/bin/which` here; see `bin.rs`): options are read by the shell's `getopts a` (`-a` prints
//! every match, not only the first; `--` ends the options; any other letter makes dash's
//! getopts print `Illegal option -X` on standard error, then the script prints `Usage:
//! /bin/which [-a] args` on standard output and exits 2). A NAME containing a `/` is printed if
//! it is a regular file (`test -f`, following symbolic links) that is executable (`test -x`);
//! otherwise each element of `$PATH`, split at `:`, is tried as `ELEMENT/NAME` (an empty
//! element means `.`, and a `PATH` ending in one `:` gets a second so that the trailing empty
//! element counts, as the script arranges). The status is 0 if every NAME was found, 1 if one
//! was not or no NAME was given.
//! **Differences:** none known: the simulated commands are found because every command of the
//! table has its file in a binary directory (`bin.rs`), and shell builtins without a file
//! (`cd`, `export`) are not found, as with the real script.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{FileType, X_OK};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    // debianutils' which has no --help: `which --help` is an illegal option there too.
    r.add(
        "which",
        "which [-a] NAME...",
        "print the first (-a: every) file PATH finds for each NAME (debianutils)",
        Kind::External(which),
    );
}

fn which(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut all = false;
    let mut i = 1;
    // getopts: options until the first operand, `-` or `--`.
    while let Some(a) = argv.get(i) {
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        for c in a[1..].chars() {
            if c == 'a' {
                all = true;
            } else {
                sh.write_err(pid, &format!("Illegal option -{c}\n"));
                let _ = sh.out(pid, "Usage: /bin/which [-a] args\n");
                return 2;
            }
        }
        i += 1;
    }
    let names = &argv[i..];
    let mut status = if names.is_empty() { 1 } else { 0 };
    let mut path = sh.var("PATH").unwrap_or("").to_string();
    // `case $PATH in (*[!:]:) PATH="$PATH:" ;; esac`
    if path.ends_with(':') && !path.ends_with("::") && path.len() > 1 {
        path.push(':');
    }
    // Field splitting with IFS=':' drops a final empty field, keeps inner ones.
    let mut elements: Vec<&str> = path.split(':').collect();
    if elements.last() == Some(&"") {
        elements.pop();
    }
    let mut out = String::new();
    for name in names {
        let mut found = false;
        if name.contains('/') {
            if is_executable_file(sh, pid, name) {
                out.push_str(&format!("{name}\n"));
                found = true;
            }
        } else {
            for e in &elements {
                let dir = if e.is_empty() { "." } else { e };
                let candidate = format!("{dir}/{name}");
                if is_executable_file(sh, pid, &candidate) {
                    out.push_str(&format!("{candidate}\n"));
                    found = true;
                    if !all {
                        break;
                    }
                }
            }
        }
        if !found {
            status = 1;
        }
    }
    if sh.out(pid, &out).is_err() {
        return 1;
    }
    status
}

/// `[ -f PATH ] && [ -x PATH ]`.
fn is_executable_file(sh: &Shell, pid: Pid, path: &str) -> bool {
    let k = sh.kernel();
    k.stat(pid, path)
        .is_ok_and(|s| s.file_type == FileType::Regular)
        && k.access(pid, path, X_OK).is_ok()
}
