//! The devices, freezer, net_cls and blkio controllers on every `--kernel` preset: one script
//! (`tests/scripts/v1_controllers_presets.sh`) as a snapshot per preset, so the versions'
//! controller lists and files stay side by side.

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

fn run_on(v: KernelVersion) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
    sh.set_echo_input(true);
    let src = include_str!("../scripts/v1_controllers_presets.sh");
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    format!("{text}[exit status {status}]\n")
}

macro_rules! preset {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v));
        }
    };
}

preset!(v1_controllers_2_6_25, KernelVersion::V2_6_25);
preset!(v1_controllers_2_6_35, KernelVersion::V2_6_35);
preset!(v1_controllers_3_10, KernelVersion::V3_10);
preset!(v1_controllers_3_19, KernelVersion::V3_19);
preset!(v1_controllers_4_19, KernelVersion::V4_19);
preset!(v1_controllers_6_6, KernelVersion::V6_6);

/// `cpu.shares` and the v1 CFS bandwidth files (`tests/scripts/cpu_bandwidth_v1.sh`) on a
/// preset without them (2.6.35), with them (3.10) and with burst and idle (6.6).
fn cpu_bw_on(v: KernelVersion) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
    sh.set_echo_input(true);
    let src = include_str!("../scripts/cpu_bandwidth_v1.sh");
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    format!("{text}[exit status {status}]\n")
}

#[test]
fn cpu_bandwidth_v1_2_6_35() {
    insta::assert_snapshot!("cpu_bandwidth_v1_2_6_35", cpu_bw_on(KernelVersion::V2_6_35));
}

#[test]
fn cpu_bandwidth_v1_3_10() {
    insta::assert_snapshot!("cpu_bandwidth_v1_3_10", cpu_bw_on(KernelVersion::V3_10));
}

#[test]
fn cpu_bandwidth_v1_6_6() {
    insta::assert_snapshot!("cpu_bandwidth_v1_6_6", cpu_bw_on(KernelVersion::V6_6));
}
