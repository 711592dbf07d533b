//! Kernel-fidelity checks through the shell, where a learner sees them: each names the kernel
//! function (v2.6.35) whose behaviour it pins down.

fn run(src: &str) -> String {
    let (text, _) = cgsim::run_transcript(src);
    text
}

/// The trace shows each memory-subsystem callback once, under the core's call site, with its
/// own children: 2.6.35's `cgroup_create` calls `ss->create` (`mem_cgroup_create`),
/// `cgroup_rmdir` calls `ss->pre_destroy` (`mem_cgroup_pre_destroy` → `mem_cgroup_force_empty`),
/// `cgroup_diput` calls `ss->destroy` (`mem_cgroup_destroy`), and `cgroup_attach_task` calls
/// `ss->attach`, which for memory is `mem_cgroup_move_task` (`mem_cgroup_subsys.attach`).
#[test]
fn memcg_callbacks_are_traced_once() {
    let out = run("mkdir /cg\n\
         mount -t cgroup -o memory none /cg\n\
         trace on\n\
         mkdir /cg/A\n\
         echo $$ > /cg/A/tasks\n\
         echo $$ > /cg/tasks\n\
         rmdir /cg/A\n\
         trace off\n");
    // The function column of each trace line (after the `|`).
    let lines: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once('|').map(|(_, f)| f.trim()))
        .collect();
    for name in [
        "mem_cgroup_create",
        "mem_cgroup_pre_destroy",
        "mem_cgroup_destroy",
        "mem_cgroup_move_task",
    ] {
        let open = format!("{name}() {{");
        let leaf = format!("{name}();");
        let uses = lines.iter().filter(|&&l| l == open || l == leaf).count();
        let calls = if name == "mem_cgroup_move_task" { 2 } else { 1 };
        assert_eq!(uses, calls, "{name} in:\n{out}");
    }
    assert!(!out.contains("mem_cgroup_attach"), "{out}");
    // pre_destroy's real child.
    let i = lines
        .iter()
        .position(|&l| l == "mem_cgroup_pre_destroy() {")
        .expect(&out);
    assert_eq!(lines[i + 1], "mem_cgroup_force_empty();", "{out}");
}

/// LTP memcg_regression test 4 ("turn off swap, and swapoff will be killed"): swapoff runs in a
/// memcg that cannot take the swapped pages back. 2.6.35's `sys_swapoff` sets `PF_OOM_ORIGIN`
/// around `try_to_unuse`; the charge of a page coming back (`mem_cgroup_try_charge_swapin`)
/// hits the limit, reclaim cannot swap (the area is no longer `SWP_WRITEOK`), and the memcg
/// OOM killer's `badness` gives the `PF_OOM_ORIGIN` task `ULONG_MAX`: swapoff is the victim,
/// not the task that owns the memory. The dying task's charge is bypassed, `try_to_unuse` sees
/// the signal and stops (EINTR), the area is put back on the swap list with its priority, and
/// the process dies of SIGKILL before it can print anything.
#[test]
fn swapoff_is_the_memcg_oom_killers_victim() {
    let out = run("mkdir /cg\n\
         mount -t cgroup -o memory none /cg\n\
         mkdir /cg/0\n\
         echo $$ > /cg/0/tasks\n\
         memcg_process --mmap-anon -s 4194304 &\n\
         pid=$!\n\
         sleep 1\n\
         kill -USR1 $pid\n\
         sleep 1\n\
         echo 1M > /cg/0/memory.limit_in_bytes\n\
         swapoff -a\n\
         echo status $?\n\
         cat /proc/swaps\n\
         dmesg | grep 'Killed process' | grep -c swapoff\n\
         dmesg | grep -c '(memcg_process)'\n\
         ps | grep -c memcg_process\n");
    assert!(out.contains("Killed\nstatus 137\n"), "{out}");
    assert!(!out.contains("swapoff failed"), "{out}");
    // The area is back on, priority -1 (least_priority++ at removal, then --least_priority).
    let swaps: Vec<&str> = out.lines().filter(|l| l.starts_with("/dev/sda2")).collect();
    assert_eq!(swaps.len(), 1, "{out}");
    assert!(swaps[0].ends_with("\t-1"), "{out}");
    // swapoff was killed once; the task that owns the memory was not touched.
    assert!(out.ends_with("\n1\n0\n1\n"), "{out}");
}

/// A console that is a terminal (`TIOCGWINSZ` answers, as in the interactive shell): ps cuts
/// its last command column at the terminal's width (procps `set_screen_size`), `COLUMNS`
/// overrides the terminal, `-w` widens to 132; with no size the console is not a terminal
/// and lines are whole.
#[test]
fn ps_cuts_at_the_terminal_width() {
    use cgsim::Shell;
    use cgsim_cgroupfs::BootParams;
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let src = "sleep 1000 &\nps -o pid,args -p $!\n";
    sh.kernel().set_console_winsize(Some((12, 24)));
    let (text, _) = cgsim::transcript_of(&mut sh, src);
    assert_eq!(text, "  PID COMMAND\n    3 sleep \n");
    let (text, _) = cgsim::transcript_of(&mut sh, "COLUMNS=14 ps -o pid,args -p 3\n");
    assert_eq!(text, "  PID COMMAND\n    3 sleep 10\n");
    let (text, _) = cgsim::transcript_of(&mut sh, "ps -w -o pid,args -p 3\n");
    assert_eq!(text, "  PID COMMAND\n    3 sleep 1000\n");
    sh.kernel().set_console_winsize(None);
    let (text, _) = cgsim::transcript_of(&mut sh, "ps -o pid,args -p 3\n");
    assert_eq!(text, "  PID COMMAND\n    3 sleep 1000\n");
    // A redirected standard output is not the terminal.
    sh.kernel().set_console_winsize(Some((12, 24)));
    let (text, _) = cgsim::transcript_of(&mut sh, "ps -o pid,args -p 3 > /tmp/ps\ncat /tmp/ps\n");
    assert_eq!(text, "  PID COMMAND\n    3 sleep 1000\n");
}
