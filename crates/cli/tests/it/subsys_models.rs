//! The v1 controllers' version-dependent rules, one script run on several `--kernel` presets:
//! the devices controller's models (`devices.model`, docs/profiles.md: the 3.8+ default
//! behaviour plus exceptions on 3.10 (3.10.4's rules) and 4.19 (3.19+'s), and
//! `devcgroup_can_attach` on 2.6.35 and 3.10, gone in 4.19; 2.6.35's whitelist is
//! `transcripts::subsys_devices`), the freezer's FREEZING state on 2.6.35 and 3.10, and
//! cpuset's files on 2.6.25, 2.6.35 and 3.10.

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

fn run_on(v: KernelVersion, src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    format!("{text}[exit status {status}]\n")
}

macro_rules! preset {
    ($name:ident, $v:expr, $script:literal) => {
        #[test]
        fn $name() {
            let src = include_str!(concat!("../scripts/", $script, ".sh"));
            insta::assert_snapshot!(stringify!($name), run_on($v, src));
        }
    };
}

preset!(
    devices_exceptions_3_10,
    KernelVersion::V3_10,
    "devices_exceptions"
);
preset!(
    devices_exceptions_4_19,
    KernelVersion::V4_19,
    "devices_exceptions"
);
preset!(
    devices_can_attach_2_6_35,
    KernelVersion::V2_6_35,
    "devices_can_attach"
);
preset!(
    devices_can_attach_3_10,
    KernelVersion::V3_10,
    "devices_can_attach"
);
preset!(
    devices_can_attach_4_19,
    KernelVersion::V4_19,
    "devices_can_attach"
);
preset!(
    freezer_freezing_2_6_35,
    KernelVersion::V2_6_35,
    "freezer_freezing"
);
preset!(
    freezer_freezing_3_10,
    KernelVersion::V3_10,
    "freezer_freezing"
);
preset!(cpuset_files_2_6_35, KernelVersion::V2_6_35, "cpuset_files");
preset!(cpuset_files_3_10, KernelVersion::V3_10, "cpuset_files");
preset!(
    cpuset_files_2_6_25,
    KernelVersion::V2_6_25,
    "cpuset_files_2_6_25"
);
preset!(
    devices_exceptions_6_6,
    KernelVersion::V6_6,
    "devices_exceptions"
);
