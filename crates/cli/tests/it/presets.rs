//! The `--kernel` presets: the same script on each, as a snapshot, and per preset the release
//! `uname -r` reads back and one behaviour that tells it from its neighbours.

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

/// Run `src` with its input echoed on a kernel booted as `v`, without swap.
fn run_on(v: KernelVersion, src: &str) -> String {
    let p = BootParams {
        swap: cgsim_ktypes::Bytes(0),
        ..BootParams::for_kernel(v)
    };
    let mut sh = Shell::new(cgsim::boot(p));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    format!("{text}[exit status {status}]\n")
}

/// The output of one command line on a fresh kernel booted as `v`.
fn output_on(v: KernelVersion, src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
    cgsim::transcript_of(&mut sh, src).0
}

const SCRIPT: &str = include_str!("../scripts/kernel_preset.sh");

macro_rules! preset {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v, SCRIPT));
        }
    };
}

preset!(kernel_2_6_25, KernelVersion::V2_6_25);
preset!(kernel_2_6_35, KernelVersion::V2_6_35);
preset!(kernel_3_10, KernelVersion::V3_10);
preset!(kernel_3_19, KernelVersion::V3_19);
preset!(kernel_4_19, KernelVersion::V4_19);
preset!(kernel_6_6, KernelVersion::V6_6);

/// `scripts/userland.sh`: mount, umount and ps as each preset's distribution ships them
/// (`crates/cli/src/commands/userland.rs`).
const USERLAND: &str = include_str!("../scripts/userland.sh");

macro_rules! userland {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v, USERLAND));
        }
    };
}

userland!(userland_2_6_25, KernelVersion::V2_6_25);
userland!(userland_2_6_35, KernelVersion::V2_6_35);
userland!(userland_3_10, KernelVersion::V3_10);
userland!(userland_3_19, KernelVersion::V3_19);
userland!(userland_4_19, KernelVersion::V4_19);
userland!(userland_6_6, KernelVersion::V6_6);

/// `scripts/ps.sh` and `scripts/ps_width.sh` on 4.19, whose `ps` is procps-ng 4.0.2 (the
/// transcript tests run them on the default preset's procps 3.2.8).
#[test]
fn ps_procps_ng_4_19() {
    insta::assert_snapshot!(
        "ps_procps_ng_4_19",
        run_on(KernelVersion::V4_19, include_str!("../scripts/ps.sh"))
    );
}

#[test]
fn ps_width_procps_ng_4_19() {
    insta::assert_snapshot!(
        "ps_width_procps_ng_4_19",
        run_on(KernelVersion::V4_19, include_str!("../scripts/ps_width.sh"))
    );
}

#[test]
fn uname_r_reads_back_each_preset() {
    for (v, release) in [
        (KernelVersion::V2_6_25, "2.6.25\n"),
        (KernelVersion::V2_6_35, "2.6.35\n"),
        (KernelVersion::V3_10, "3.10.0\n"),
        (KernelVersion::V3_19, "3.19.0\n"),
        (KernelVersion::V4_19, "4.19.0\n"),
        (KernelVersion::V6_6, "6.6.0\n"),
    ] {
        assert_eq!(output_on(v, "uname -r"), release, "{v}");
        assert_eq!(
            output_on(v, "cat /proc/sys/kernel/osrelease"),
            release,
            "{v}"
        );
    }
    let mut p: BootParams = BootParams::default();
    p.set("memcg.stock_pages", "0").unwrap();
    let mut sh = Shell::new(cgsim::boot(p));
    assert_eq!(
        cgsim::transcript_of(&mut sh, "uname -r").0,
        "2.6.35-modified\n"
    );
}

/// One behaviour per preset that its neighbours do not share.
#[test]
fn each_preset_differs_from_its_neighbours() {
    let mount = "mkdir /cg; mount -t cgroup -o memory none /cg; mkdir /cg/a; ";
    // 2.6.25: `tasks` is parsed with sscanf("%d"): no number is EIO (2.6.27+: EINVAL), and
    // there is no cgroup.event_control or memsw.
    let bad_tasks = format!("{mount}echo x > /cg/a/tasks");
    assert!(
        output_on(KernelVersion::V2_6_25, &bad_tasks).contains("Input/output error"),
        "2.6.25"
    );
    assert!(
        output_on(KernelVersion::V2_6_35, &bad_tasks).contains("Invalid argument"),
        "2.6.35"
    );
    // 2.6.35 has memory.oom_control but no memory.pressure_level (3.10).
    let ls = format!("{mount}ls /cg/a");
    let l2625 = output_on(KernelVersion::V2_6_25, &ls);
    let l2635 = output_on(KernelVersion::V2_6_35, &ls);
    let l310 = output_on(KernelVersion::V3_10, &ls);
    assert!(!l2625.contains("memory.oom_control") && !l2625.contains("cgroup.event_control"));
    assert!(l2635.contains("memory.oom_control") && !l2635.contains("memory.pressure_level"));
    assert!(l310.contains("memory.pressure_level"));
    // 3.10 keeps the hierarchy restriction on memory.swappiness; 3.19 dropped it.
    let swappiness = "mkdir /cg; mount -t cgroup -o memory none /cg; \
         echo 1 > /cg/memory.use_hierarchy; mkdir /cg/b; \
         echo 10 > /cg/b/memory.swappiness; echo $?";
    assert!(output_on(KernelVersion::V3_10, swappiness).ends_with("1\n"));
    assert!(output_on(KernelVersion::V3_19, swappiness).ends_with("0\n"));
    // 4.19 adds the oom_kill counter to memory.oom_control (4.13+).
    let oom = format!("{mount}cat /cg/a/memory.oom_control");
    assert!(!output_on(KernelVersion::V3_19, &oom).contains("oom_kill "));
    assert!(output_on(KernelVersion::V4_19, &oom).contains("oom_kill 0"));
}

/// /proc/PID/oom_adj and oom_score on 2.6.35; oom_score_adj only from 2.6.36 (3.10 here),
/// where oom_adj is translated to and from it and its first write logs a deprecation warning.
#[test]
fn oom_adj_and_oom_score() {
    let src = "\
memhold 1M &
p=$!
cat /proc/$p/oom_adj /proc/$p/oom_score
echo 3 > /proc/$p/oom_adj
cat /proc/$p/oom_adj /proc/$p/oom_score
echo -17 > /proc/$p/oom_adj
cat /proc/$p/oom_score
echo -18 > /proc/$p/oom_adj
echo 16 > /proc/$p/oom_adj
echo abc > /proc/$p/oom_adj
cat /proc/$p/oom_adj
cat /proc/$p/oom_score_adj
setpriv --reuid=1000 sh -c 'echo 5 > /proc/$$/oom_adj; echo 2 > /proc/$$/oom_adj; cat /proc/$$/oom_adj'
kill $p
dmesg | grep oom_adj
";
    insta::assert_snapshot!("oom_adj_2_6_35", run_on(KernelVersion::V2_6_35, src));
    insta::assert_snapshot!("oom_adj_3_10", run_on(KernelVersion::V3_10, src));
}

/// The binary's `--kernel VERSION`, before or after the subcommand, with `--set` on top; an
/// unknown version is refused with the list of the valid ones.
#[test]
fn kernel_flag_of_the_binary() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cgsim"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the cgsim binary runs");
        // A refused `--kernel` exits before reading the script, so a broken pipe is fine here.
        let _ = child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(b"uname -r\n");
        let out = child.wait_with_output().expect("cgsim exits");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run(&["run", "-"]).1, "2.6.35\n");
    assert_eq!(run(&["--kernel", "3.10", "run", "-"]).1, "3.10.0\n");
    assert_eq!(run(&["run", "--kernel", "4.19", "-"]).1, "4.19.0\n");
    assert_eq!(
        run(&[
            "run",
            "-",
            "--kernel=2.6.25",
            "--set",
            "core.tasks_write_parse=u64_einval"
        ])
        .1,
        "2.6.25-modified\n"
    );
    let (code, out, err) = run(&["--kernel", "2.6.36", "run", "-"]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(
        err.contains(
            "unknown kernel version '2.6.36' (valid: 2.6.25, 2.6.35, 3.10, 3.19, 4.19, 6.6)"
        ),
        "{err}"
    );
}

/// The interactive shell's greeting names the preset, and says when switches were changed.
#[test]
fn banner_names_the_preset() {
    let k = cgsim::boot(BootParams::default());
    assert_eq!(
        cgsim::commands::uname::banner(&k),
        "cgsim: a simulated Linux 2.6.35 with cgroup v1. Type `help` for commands, `exit` to leave."
    );
    let mut p: BootParams = BootParams::kernel("3.19").unwrap();
    p.set("vmpressure", "off").unwrap();
    assert_eq!(
        cgsim::commands::uname::banner(&cgsim::boot(p)),
        "cgsim: a simulated Linux 3.19.0-modified (the 3.19 preset with switches changed by \
         --set) with cgroup v1. Type `help` for commands, `exit` to leave."
    );
}

/// The counter backend follows the preset: res_counter (bytes, limits rounded up to a page,
/// unlimited `RES_COUNTER_MAX`) up to 3.18, page_counter (pages, limits rounded down,
/// unlimited `PAGE_COUNTER_MAX` pages) from 3.19, in the files and in the OOM report.
#[test]
fn page_counter_from_3_19() {
    let src = include_str!("../scripts/page_counter.sh");
    let t2635 = run_on(KernelVersion::V2_6_35, src);
    let t319 = run_on(KernelVersion::V3_19, src);
    let t419 = run_on(KernelVersion::V4_19, src);
    assert!(t2635.contains("\n9223372036854775807\n"), "{t2635}");
    assert!(t319.contains("\n9223372036854771712\n"), "{t319}");
    assert!(!t319.contains("9223372036854775807\n"), "{t319}");
    insta::assert_snapshot!("page_counter_2_6_35", t2635);
    insta::assert_snapshot!("page_counter_3_19", t319);
    insta::assert_snapshot!("page_counter_4_19", t419);
    // Each preset boots its own counter (4.19's profile must not select the 6.6 counter).
    let k = |v| cgsim::boot(BootParams::for_kernel(v));
    assert!(k(KernelVersion::V3_10).memory().as_res_counter().is_some());
    assert!(k(KernelVersion::V3_19).memory().as_page_counter().is_some());
    assert!(k(KernelVersion::V4_19).memory().as_page_counter().is_some());
    assert!(k(KernelVersion::V6_6).memory().as_protected().is_some());
    let mut p: BootParams = BootParams::for_kernel(KernelVersion::V3_19);
    p.set("counter", "res_counter").unwrap();
    assert!(p.is_modified());
    let mut sh = Shell::new(cgsim::boot(p));
    let out = cgsim::transcript_of(
        &mut sh,
        "mkdir /cg; mount -t cgroup -o memory none /cg; cat /cg/memory.limit_in_bytes",
    )
    .0;
    assert_eq!(out, "9223372036854775807\n");
}

/// The memcg OOM report of 3.19 in a hierarchy, line for line (`scripts/oom_report_3_19.sh`).
#[test]
fn oom_report_3_19() {
    insta::assert_snapshot!(
        "oom_report_3_19",
        run_on(
            KernelVersion::V3_19,
            include_str!("../scripts/oom_report_3_19.sh")
        )
    );
}

/// `scripts/attach_exiting.sh`: a `tasks` / v1 `cgroup.procs` write of an exiting task (the
/// zombie leader of `threads -x 2`) and of a thread already in the cgroup, per preset
/// (`core.attach_exiting`, docs/profiles.md): ESRCH on 2.6.35, 3.10's `continue` moving the
/// next thread of the group, 3.19+ moving nothing.
const ATTACH_EXITING: &str = include_str!("../scripts/attach_exiting.sh");

macro_rules! attach_exiting {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v, ATTACH_EXITING));
        }
    };
}

attach_exiting!(attach_exiting_2_6_35, KernelVersion::V2_6_35);
attach_exiting!(attach_exiting_3_10, KernelVersion::V3_10);
attach_exiting!(attach_exiting_3_19, KernelVersion::V3_19);
attach_exiting!(attach_exiting_6_6, KernelVersion::V6_6);

/// `scripts/memcg_dying_v1.sh`: 2.6.35 moves a removed memcg's charges to the parent
/// (`mem_cgroup_pre_destroy`); 3.19 and 4.19 keep them on the dying memcg
/// (`mem_cgroup_css_offline`, `memcg.offline`), and their `force_empty` only reclaims.
macro_rules! memcg_dying_v1 {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(
                stringify!($name),
                run_on($v, include_str!("../scripts/memcg_dying_v1.sh"))
            );
        }
    };
}

/// `scripts/trace_fault_preset.sh`: a fault's charge and the munmap's uncharge in each
/// preset's function names (`KernelVersion::trace_symbols`).
const TRACE_FAULT: &str = include_str!("../scripts/trace_fault_preset.sh");

macro_rules! trace_fault {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v, TRACE_FAULT));
        }
    };
}

memcg_dying_v1!(memcg_dying_v1_2_6_35, KernelVersion::V2_6_35);
memcg_dying_v1!(memcg_dying_v1_3_19, KernelVersion::V3_19);
memcg_dying_v1!(memcg_dying_v1_4_19, KernelVersion::V4_19);

trace_fault!(trace_fault_2_6_35, KernelVersion::V2_6_35);
trace_fault!(trace_fault_3_10, KernelVersion::V3_10);
trace_fault!(trace_fault_3_19, KernelVersion::V3_19);
trace_fault!(trace_fault_4_19, KernelVersion::V4_19);
trace_fault!(trace_fault_6_6, KernelVersion::V6_6);
