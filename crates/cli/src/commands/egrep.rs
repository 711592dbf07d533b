//! `egrep` and `fgrep`, the wrapper scripts of GNU grep 3.8 (`src/egrep.sh`): a warning on
//! standard error naming the script as it was called (`${0##*/}`), then `exec grep -E` (or
//! `-F`) with every argument.
//!
//! **Follows:** upstream grep 3.8, whose scripts print `egrep: warning: egrep is obsolescent;
//! using grep -E`. `egrep --help` is grep's own help after the warning, as the script passes
//! `--help` on to grep.
//! **Differences:** Debian 12's package drops the warning (a distribution patch); cgsim prints
//! it, as the upstream release does.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "egrep",
        "egrep [OPTION]... PATTERNS [FILE]...",
        "grep -E, with grep 3.8's obsolescence warning",
        Kind::Wrapper(egrep),
    );
    r.add(
        "fgrep",
        "fgrep [OPTION]... PATTERNS [FILE]...",
        "grep -F, with grep 3.8's obsolescence warning",
        Kind::Wrapper(fgrep),
    );
}

fn wrap(sh: &mut Shell, pid: Pid, argv: &[String], option: &str) -> Result<Vec<String>, i32> {
    let cmd = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
    sh.write_err(
        pid,
        &format!("{cmd}: warning: {cmd} is obsolescent; using grep {option}\n"),
    );
    let mut next = vec!["grep".to_string(), option.to_string()];
    next.extend(argv[1..].iter().cloned());
    Ok(next)
}

fn egrep(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    wrap(sh, pid, argv, "-E")
}

fn fgrep(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    wrap(sh, pid, argv, "-F")
}
