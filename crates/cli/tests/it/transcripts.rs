//! Transcript tests: each script runs on a freshly booted kernel with its input echoed
//! (`$ command`), and what a terminal would show is compared with an insta snapshot.
//!
//! Scripts live in `crates/cli/tests/scripts/` (one scenario each, headed by the spec section
//! it checks) and `docs/tour.sh`, so the documentation cannot rot.

use cgsim::Shell;
use cgsim_cgroupfs::BootParams;

fn run(src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    // The memcg OOM killer's report (the `invoked oom-killer` line and the stack dump at
    // KERN_WARNING, the kill lines at KERN_ERR) is expected where a script provokes it;
    // anything else at warning level or worse is a failure.
    let oom_report = |t: &str| {
        t.contains(" invoked oom-killer: ")
            || t.starts_with("Pid: ")
            || t.starts_with("CPU: ")
            || t == "Call Trace:"
            || t.starts_with(" [<")
            || t.starts_with("Memory cgroup out of memory: ")
            || t.starts_with("Killed process ")
            || t.starts_with("oom_kill_process: ")
    };
    let warnings: Vec<_> = sh
        .kernel()
        .klog()
        .warnings()
        .into_iter()
        .filter(|l| !oom_report(&l.text))
        .collect();
    assert!(
        warnings.is_empty(),
        "the kernel logged warnings:\n{warnings:?}\ntranscript:\n{text}"
    );
    format!("{text}[exit status {status}]\n")
}

macro_rules! script {
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
            insta::assert_snapshot!(stringify!($name), run(&src));
        }
    };
}

script!(users_etc);
script!(libcgroup_list);
script!(libcgroup_groups);
script!(libcgroup_values);
script!(libcgroup_tasks);
script!(libcgroup_cgconfig);
script!(rhel6_libcgroup);
script!(mount_defaults);
script!(mount_errors);
script!(attach);
script!(threads_v1);
script!(mkdir_rmdir);
script!(release_agent);
script!(shell_language);
script!(processes);
script!(set_e);
script!(hierarchy_ids);
script!(blank_writes);
script!(cpuset_writes);
script!(memcg_move_stats);
script!(trace_mount);
script!(trace_attach);
script!(trace_cpu);
script!(dot_small);
script!(vfs_errors);
script!(memcg_files);
script!(memcg_ltp);
script!(memcg_oom);
script!(oom_report_names);
script!(oom_ratelimit);
script!(memcg_cow);
script!(memcg_swap);
script!(memcg_oom_control);
script!(oom_wait_fatal_signal);
script!(ps_width);
script!(rhel6_service_cgconfig);
script!(rhel6_cgred);
script!(blog_sudo_libcgroup);
script!(kernel_memory_txt);
script!(cputime);
script!(touch_pidof);
script!(memcg_dd);
script!(trace_fault);
script!(delegation);
script!(dot_events);
script!(text_commands);
script!(pipelines);
script!(mount_listing);
script!(tee_which);
script!(memhog);
script!(stress);
script!(blog_stress);
script!(help_options);
script!(ps);
script!(utils_text);
script!(utils_sed);
script!(utils_awk);
script!(utils_bc);
script!(utils_awk_errors);
script!(sh_pipelines_concurrent);
script!(sh_jobs_wait);
script!(utils_find);
script!(utils_system);
script!(sh_control);
script!(sh_expand);
script!(sh_builtins);
script!(sh_redirect);
script!(sh_options);
script!(sh_scripts);
script!(sh_errors);
script!(ltp_helpers);
script!(sh_cgroups);
script!(sh_test);
script!(sh_read);
script!(sh_concurrent_stages);
script!(sh_streaming_filters);
script!(sh_threaded_edges);
script!(proc_shmmax);
script!(awk_streaming_rs);

#[test]
fn tour() {
    insta::assert_snapshot!("tour", run(cgsim::tour::TOUR));
}

/// `docs/memory-tour.sh`, and the diagram of its final state: the memory css drawn as the
/// `mem_cgroup` around it, with its counters and the `res.parent` edge of `H/child`.
#[test]
fn memory_tour() {
    insta::assert_snapshot!("memory_tour", run(cgsim::tour::MEMORY_TOUR));
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    cgsim::transcript_of(&mut sh, cgsim::tour::MEMORY_TOUR);
    let dot = cgsim::dot::view_dot(
        sh.kernel(),
        cgsim::dot::View::Css,
        &cgsim::dot::ViewOpts::default(),
    )
    .expect("dot");
    assert!(dot.contains("res.parent (use_hierarchy"), "{dot}");
    insta::assert_snapshot!("memory_tour_dot", dot);
}

#[test]
fn syntax_error_stops_the_script_with_status_2() {
    let (text, status) = cgsim::run_transcript("echo one\necho two\necho 'three\necho four\n");
    assert_eq!(status, 2);
    assert_eq!(
        text,
        "one\ntwo\ncgsim: 5: Syntax error: Unterminated quoted string\n"
    );
}

#[test]
fn run_exits_with_the_last_status() {
    assert_eq!(cgsim::run_transcript("true\nfalse").1, 1);
    assert_eq!(cgsim::run_transcript("false\ntrue").1, 0);
    assert_eq!(cgsim::run_transcript("exit 3\necho not reached").1, 3);
    assert_eq!(cgsim::run_transcript("nosuchcommand").1, 127);
}

#[test]
fn same_script_same_transcript() {
    let src = cgsim::tour::TOUR;
    assert_eq!(run(src), run(src));
}

#[test]
fn help_lists_every_command() {
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let names: Vec<&str> = sh.registry().iter().map(|c| c.name).collect();
    let (text, status) = cgsim::transcript_of(&mut sh, "help");
    assert_eq!(status, 0);
    for name in names {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} missing from help:\n{text}"
        );
    }
}

/// `cgsim --set SWITCH=VALUE` selects another kernel version's behaviour (docs/profiles.md).
#[test]
fn set_switch_selects_the_2_6_25_tasks_parser() {
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
        // A refused `--set` exits before reading the script, so a broken pipe is fine here.
        let _ = child.stdin.take().expect("piped stdin").write_all(
            b"mkdir /cg\nmount -t cgroup -o cpu none /cg\nmkdir /cg/A\necho x > /cg/A/tasks\n",
        );
        let out = child.wait_with_output().expect("cgsim exits");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["run", "-"]);
    assert_eq!(code, Some(1));
    assert!(err.ends_with("write error: Invalid argument\n"), "{err}");
    let (code, err) = run(&["--set", "core.tasks_write_parse=sscanf_eio", "run", "-"]);
    assert_eq!(code, Some(1));
    assert!(err.ends_with("write error: Input/output error\n"), "{err}");
    let (code, err) = run(&["--set", "core.tasks_write_parse=bogus", "run", "-"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown switch or value"), "{err}");
}
script!(taskset);
script!(fault_injection);
script!(tools_bash_su_nohup);
script!(tools_useradd);
script!(tutorial_cgroups_txt);
script!(tutorial_blog_scripts);
script!(cgred_foreground);
script!(rhel6_default_cgconfig);
script!(subsys_devices);
script!(subsys_freezer);
script!(subsys_net_cls_blkio);
script!(pid_max);
script!(rhel6_guide_ch2);
script!(rhel6_guide_ch4);
script!(sleep_operands);
script!(ls_dates);
script!(grep_options);
script!(cpuacct_files);
script!(wait_signaled);
script!(timeout_shell_code);
script!(bg_pipeline_pid);
script!(exec_in_child);
script!(zombie_cgroup);
