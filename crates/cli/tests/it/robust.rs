//! Robustness: arbitrary text never panics the parser, and random command sequences never
//! panic the shell or break the kernel's invariants (`Kernel::check_invariants`).

use cgsim::Shell;
use cgsim_cgroupfs::BootParams;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(src in "[a-z$(){}'\"\\\\;&|<>#=0-9 \n`!?*-]{0,40}") {
        let _ = cgsim::parse(&src);
    }

    #[test]
    fn syntax_error_lines_are_within_the_script(src in "[a-z'\"$();&|<> \n]{0,30}") {
        if let Err(e) = cgsim::parse(&src) {
            prop_assert!(e.line >= 1 && e.line <= src.lines().count().max(1) + 1, "{e} in {src:?}");
        }
    }
}

/// Commands a tutorial reader might type, in any order.
const VOCABULARY: &[&str] = &[
    "mkdir -p /cg",
    "mount -t cgroup -o cpu,cpuacct none /cg",
    "mount -t cgroup -o memory none /cg",
    "mount -t cgroup -o none,name=x none /cg",
    "umount /cg",
    "mkdir /cg/A",
    "mkdir /cg/A/B",
    "rmdir /cg/A/B",
    "rmdir /cg/A",
    "echo $$ > /cg/A/tasks",
    "echo $$ > /cg/tasks",
    "echo $! > /cg/A/B/tasks",
    "echo 1 > /cg/A/notify_on_release",
    "echo /sbin/agent > /cg/release_agent",
    "sleep 100 &",
    "sleep 1",
    "kill $!",
    "kill -9 $!",
    "wait",
    "cat /cg/A/tasks /proc/self/cgroup /proc/cgroups",
    "ls /cg /cg/A",
    "cd /cg/A",
    "cd /",
    "setpriv --reuid=1000 sh -c 'echo $$ > /cg/tasks'",
    "x=$(cat /cg/tasks) && echo $x",
    "echo $$ > /cg/A/tasks && rmdir /cg/A || echo busy",
    "ps",
    "dot",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_kernel_invariants(picks in proptest::collection::vec(0..VOCABULARY.len(), 1..24)) {
        let mut sh = Shell::new(cgsim::boot(BootParams::default()));
        let script: Vec<&str> = picks.iter().map(|&i| VOCABULARY[i]).collect();
        for line in &script {
            let _ = cgsim::transcript_of(&mut sh, line);
            sh.kernel().check_invariants();
        }
        prop_assert!(sh.exited().is_none(), "nothing in the vocabulary exits: {script:?}");
    }
}
