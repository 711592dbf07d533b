//! The default hierarchy (`cgroup2`) of the 6.6 preset: transcripts of
//! `tests/scripts/cgroup2_*.sh` on a kernel booted as Linux 6.6, and the older presets, which
//! have no `cgroup2` filesystem.

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

/// Run `src` with its input echoed on a fresh 6.6 kernel; the invariants must hold after it.
fn run_6_6(src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(KernelVersion::V6_6)));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    format!("{text}[exit status {status}]\n")
}

macro_rules! v2_script {
    ($name:ident) => {
        #[test]
        fn $name() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/scripts/",
                stringify!($name),
                ".sh"
            );
            let src = std::fs::read_to_string(path).expect(path);
            insta::assert_snapshot!(stringify!($name), run_6_6(&src));
        }
    };
}

v2_script!(cgroup2_basics);
v2_script!(memcg_v2_selftests);

/// Kernels before the default hierarchy refuse the filesystem type: `mount(2)` is ENODEV and
/// util-linux says `unknown filesystem type 'cgroup2'`.
#[test]
fn older_presets_have_no_cgroup2() {
    for v in KernelVersion::ALL {
        let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
        let (text, status) =
            cgsim::transcript_of(&mut sh, "mkdir /c2\nmount -t cgroup2 none /c2\n");
        if v == KernelVersion::V6_6 {
            assert_eq!((text.as_str(), status), ("", 0), "{v}");
        } else {
            assert_eq!(
                text,
                "mount: /c2: unknown filesystem type 'cgroup2'.\n       dmesg(1) may have more \
                 information after failed mount system call.\n",
                "{v}"
            );
            assert_eq!(status, 32, "{v}");
        }
    }
}

/// `docs/memcg-v2-walkthrough.sh` on 6.6, so the walkthrough cannot rot.
#[test]
fn memcg_v2_walkthrough() {
    let src = include_str!("../../../../docs/memcg-v2-walkthrough.sh");
    insta::assert_snapshot!("memcg_v2_walkthrough", run_6_6(src));
}
