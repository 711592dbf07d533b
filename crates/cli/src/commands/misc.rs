//! `dmesg`: the simulated kernel log.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "dmesg",
        "dmesg [-c|-C]",
        "print the kernel log (-c: then clear it, -C: clear it)",
        Kind::External(dmesg),
    );
}

/// `dmesg [-c|-C]`: print the log; `-c` prints then clears, `-C` clears.
///
/// **Differences:** the simulated log cannot be cleared, so the shell remembers how much of it
/// was "cleared" and prints only what came after.
fn dmesg(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let (print, clear) = match argv.get(1).map(String::as_str) {
        None => (true, false),
        Some("-c") => (true, true),
        Some("-C") => (false, true),
        Some(x) => {
            sh.write_err(
                pid,
                &format!("dmesg: invalid option -- '{}'\n", x.trim_start_matches('-')),
            );
            return 1;
        }
    };
    let lines = sh.kernel().klog().lines();
    let mut text = String::new();
    if print {
        for line in lines.iter().skip(sh.klog_cleared()) {
            text.push_str(&format!("{line}\n"));
        }
    }
    if clear {
        sh.set_klog_cleared(lines.len());
    }
    match sh.out(pid, &text) {
        Ok(()) => 0,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("dmesg: write error: {}\n", e.errno.strerror()),
            );
            1
        }
    }
}
