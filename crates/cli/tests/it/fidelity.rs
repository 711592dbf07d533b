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
