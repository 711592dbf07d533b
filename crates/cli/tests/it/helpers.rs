//! Small helpers of the commands, through tables of inputs and expected outputs.

use cgsim::commands::builtins::parse_signal;
use cgsim::commands::fs::mode_string;
use cgsim::commands::process::parse_interval;
use cgsim::shell::interp::comm_of;
use cgsim_cgroupfs::{FileType, Signal, Stat};

#[test]
fn sleep_intervals() {
    let s = 1_000_000_000u64;
    let cases: &[(&str, Option<u64>)] = &[
        ("1", Some(s)),
        ("1.5", Some(3 * s / 2)),
        ("2s", Some(2 * s)),
        ("2m", Some(120 * s)),
        ("1h", Some(3600 * s)),
        ("1d", Some(86400 * s)),
        ("0", Some(0)),
        ("", None),
        ("x", None),
        ("-1", None),
        ("1x", None),
        ("s", None),
    ];
    for &(text, want) in cases {
        assert_eq!(parse_interval(text), want, "{text:?}");
    }
}

#[test]
fn signal_names() {
    let cases: &[(&str, Option<Signal>)] = &[
        ("9", Some(Signal::SIGKILL)),
        ("KILL", Some(Signal::SIGKILL)),
        ("SIGKILL", Some(Signal::SIGKILL)),
        ("term", Some(Signal::SIGTERM)),
        ("USR1", Some(Signal::SIGUSR1)),
        ("0", None),
        ("65", None),
        ("BOGUS", None),
    ];
    for &(text, want) in cases {
        assert_eq!(parse_signal(text), want, "{text:?}");
    }
}

#[test]
fn ls_mode_strings() {
    let stat = |file_type, mode| Stat {
        file_type,
        mode,
        uid: 0,
        gid: 0,
        size: 0,
        ino: 1,
        fs_magic: 0x27e0eb,
        rdev: None,
        nlink: 1,
        atime: 0,
        mtime: 0,
        ctime: 0,
    };
    let cases = [
        (FileType::Directory, 0o755, "drwxr-xr-x"),
        (FileType::Regular, 0o644, "-rw-r--r--"),
        (FileType::Regular, 0o444, "-r--r--r--"),
        (FileType::Regular, 0o222, "--w--w--w-"),
        (FileType::CharDevice, 0o666, "crw-rw-rw-"),
    ];
    for (t, m, want) in cases {
        assert_eq!(mode_string(&stat(t, m)), want);
    }
}

#[test]
fn comm_is_the_basename_cut_to_15_bytes() {
    assert_eq!(comm_of("/bin/cat"), "cat");
    assert_eq!(comm_of("cgroup_event_listener"), "cgroup_event_li");
    assert_eq!(comm_of("sleep"), "sleep");
}
