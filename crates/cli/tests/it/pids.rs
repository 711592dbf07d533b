//! The pids controller on v1 (`tests/scripts/pids_v1.sh` on the 4.19 and 6.6 presets, which
//! have it; `pids_v2.sh` runs from `cgroup2.rs`), and the controller list of every preset
//! (`/proc/cgroups`, `include/linux/cgroup_subsys.h` order).

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

fn run_on(v: KernelVersion, src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    let warnings = sh.kernel().klog().warnings();
    assert!(
        warnings.is_empty(),
        "the kernel logged warnings: {warnings:?}"
    );
    format!("{text}[exit status {status}]\n")
}

const PIDS_V1: &str = include_str!("../scripts/pids_v1.sh");

#[test]
fn pids_v1_4_19() {
    insta::assert_snapshot!("pids_v1_4_19", run_on(KernelVersion::V4_19, PIDS_V1));
}

/// 6.6's v1 pids hierarchy behaves as 4.19's: the same transcript.
#[test]
fn pids_v1_6_6() {
    assert_eq!(
        run_on(KernelVersion::V6_6, PIDS_V1),
        run_on(KernelVersion::V4_19, PIDS_V1)
    );
}

/// Before 4.3 there is no pids controller: `mount -o pids` fails as `parse_cgroupfs_options`
/// does for an unknown name.
#[test]
fn no_pids_before_4_3() {
    insta::assert_snapshot!(
        "pids_none_3_19",
        run_on(
            KernelVersion::V3_19,
            "mkdir -p /cg\nmount -t cgroup -o pids none /cg\ngrep pids /proc/cgroups\n"
        )
    );
}

const PROC_CGROUPS: &str = "cat /proc/cgroups\n";

macro_rules! proc_cgroups {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v, PROC_CGROUPS));
        }
    };
}

proc_cgroups!(proc_cgroups_2_6_25, KernelVersion::V2_6_25);
proc_cgroups!(proc_cgroups_2_6_35, KernelVersion::V2_6_35);
proc_cgroups!(proc_cgroups_3_10, KernelVersion::V3_10);
proc_cgroups!(proc_cgroups_3_19, KernelVersion::V3_19);
proc_cgroups!(proc_cgroups_4_19, KernelVersion::V4_19);
proc_cgroups!(proc_cgroups_6_6, KernelVersion::V6_6);
