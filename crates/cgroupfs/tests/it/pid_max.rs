//! `/proc/sys/kernel/pid_max` and the pid allocator it bounds (`kernel/pid.c` `alloc_pidmap`,
//! `kernel/sysctl.c`, `kernel/fork.c` `copy_process`).

use crate::{INIT, cat, echo, errno, user_process};
use cgsim_cgroupfs::{BootParams, Kernel, Signal};
use cgsim_ktypes::{Errno, Pid};

const PATH: &str = "/proc/sys/kernel/pid_max";

fn boot_as(version: &str, pid_max: i32) -> std::sync::Arc<Kernel> {
    Kernel::boot(BootParams {
        pid_max,
        ..BootParams::kernel(version).expect("a preset")
    })
}

/// Kill `pid` (a child of init) and reap it.
fn kill_and_reap(k: &Kernel, pid: Pid) {
    k.kill(INIT, pid, Signal::SIGKILL).expect("kill");
    k.run_until_idle();
    assert_eq!(
        k.waitpid(INIT, Some(pid)).expect("waitpid").map(|(p, _)| p),
        Some(pid)
    );
}

#[test]
fn default_is_32768_and_a_write_raises_it_past_32768() {
    let k = Kernel::boot(BootParams::default());
    assert_eq!(cat(&k, INIT, PATH).unwrap(), "32768\n");
    let ls = k.readdir(INIT, "/proc/sys/kernel").expect("readdir");
    assert!(ls.iter().any(|e| e.name == "pid_max"), "{ls:?}");
    echo(&k, INIT, PATH, "100000\n").expect("write pid_max");
    assert_eq!(cat(&k, INIT, PATH).unwrap(), "100000\n");
    assert_eq!(k.pid_max(), 100_000);
    // Forks go on past the old limit instead of wrapping at 32768.
    let mut last = Pid(0);
    for _ in 0..33_000 {
        let c = k.fork(INIT).expect("fork");
        last = c;
        kill_and_reap(&k, c);
    }
    assert!(last.0 > 32_768, "{last}");
}

#[test]
fn out_of_range_and_malformed_writes_are_einval_and_change_nothing() {
    let k = Kernel::boot(BootParams::default());
    for bad in [
        "300\n",
        "0\n",
        "-1\n",
        "4194305\n",
        "2147483648\n",
        "abc\n",
        "1000x\n",
        "\n",
        "",
    ] {
        assert_eq!(
            errno(echo(&k, INIT, PATH, bad)),
            Some(Errno::EINVAL),
            "{bad:?}"
        );
        assert_eq!(cat(&k, INIT, PATH).unwrap(), "32768\n", "{bad:?}");
    }
    // The ends of the range are accepted: pid_max_min = RESERVED_PIDS + 1, PID_MAX_LIMIT.
    echo(&k, INIT, PATH, "301\n").unwrap();
    assert_eq!(cat(&k, INIT, PATH).unwrap(), "301\n");
    echo(&k, INIT, PATH, "4194304").unwrap();
    assert_eq!(cat(&k, INIT, PATH).unwrap(), "4194304\n");
    echo(&k, INIT, PATH, "0x8000\n").unwrap();
    assert_eq!(cat(&k, INIT, PATH).unwrap(), "32768\n");
}

#[test]
fn only_root_may_write_it() {
    let k = Kernel::boot(BootParams::default());
    let u = user_process(&k, 1000);
    assert_eq!(cat(&k, u, PATH).unwrap(), "32768\n");
    assert_eq!(errno(echo(&k, u, PATH, "40000\n")), Some(Errno::EACCES));
    assert_eq!(k.pid_max(), 32768);
}

#[test]
fn boot_param_is_clamped_to_the_sysctl_range() {
    assert_eq!(boot_as("2.6.35", 100_000).pid_max(), 100_000);
    assert_eq!(boot_as("2.6.35", 5).pid_max(), 301);
    assert_eq!(boot_as("6.6", i32::MAX).pid_max(), 4_194_304);
}

/// Fill pids 2..pid_max, then check the wrap to RESERVED_PIDS and the errno of a full table.
fn fill_and_wrap(version: &str, full: Errno) {
    let k = boot_as(version, 400);
    let mut pids = Vec::new();
    // Pid 1 is init: 2..=399 are free.
    for want in 2..400 {
        let c = k.fork(INIT).expect("fork");
        assert_eq!(c, Pid(want));
        pids.push(c);
    }
    // Every pid below pid_max is in use.
    assert_eq!(errno(k.fork(INIT)), Some(full), "{version}");
    // A pid below RESERVED_PIDS is never handed out again after the wrap; one above is.
    kill_and_reap(&k, Pid(5));
    assert_eq!(
        errno(k.fork(INIT)),
        Some(full),
        "{version}: pid 5 stays unused"
    );
    kill_and_reap(&k, Pid(350));
    kill_and_reap(&k, Pid(300));
    assert_eq!(
        k.fork(INIT).unwrap(),
        Pid(300),
        "{version}: wraps to RESERVED_PIDS"
    );
    assert_eq!(k.fork(INIT).unwrap(), Pid(350), "{version}");
    assert_eq!(errno(k.fork(INIT)), Some(full), "{version}");
    // Lowering pid_max below pids in use keeps them; allocation wraps at the new limit.
    echo(&k, INIT, PATH, "360\n").unwrap();
    kill_and_reap(&k, Pid(398));
    assert_eq!(
        errno(k.fork(INIT)),
        Some(full),
        "{version}: 398 is above pid_max"
    );
    kill_and_reap(&k, Pid(310));
    assert_eq!(k.fork(INIT).unwrap(), Pid(310), "{version}");
    k.check_invariants();
}

#[test]
fn pids_wrap_to_reserved_pids_and_a_full_table_is_enomem_before_4_1() {
    for v in ["2.6.25", "2.6.35", "3.10", "3.19"] {
        fill_and_wrap(v, Errno::ENOMEM);
    }
}

#[test]
fn a_full_table_is_eagain_from_4_1() {
    for v in ["4.19", "6.6"] {
        fill_and_wrap(v, Errno::EAGAIN);
    }
}
