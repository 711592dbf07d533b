//! Mount, remount, umount and the /proc files (`kernel/cgroup.c` `cgroup_get_sb`, `rebind_subsystems`, `proc_cgroup_show`, `proc_cgroupstats_show`, v2.6.34).

use crate::common::*;

#[test]
fn mount_memory_gives_the_seed_files() {
    // `kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, v2.6.34 (the memory.* files come with the real memcg; the placeholder adds none).
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    assert!(m.new_hierarchy);
    assert_eq!(
        files(&core, m.top),
        [
            ("tasks".to_string(), 0o644),
            ("cgroup.procs".to_string(), 0o444),
            ("notify_on_release".to_string(), 0o644),
            ("cgroup.event_control".to_string(), 0o222),
            ("release_agent".to_string(), 0o644),
        ]
    );
    assert_eq!(
        read(&core, m.top, "notify_on_release", Pid(1)).unwrap(),
        "0\n"
    );
    assert_eq!(read(&core, m.top, "release_agent", Pid(1)).unwrap(), "\n");
    assert_eq!(read(&core, m.top, "tasks", Pid(1)).unwrap(), "1\n");
    check(&core);
}

#[test]
fn second_mounts() {
    // `kernel/cgroup.c` `cgroup_test_super`, `rebind_subsystems`, v2.6.34.
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    let again = core.mount(Some("memory")).unwrap();
    assert_eq!((again.root, again.new_hierarchy), (m.root, false));
    assert_eq!(core.mount(Some("memory,cpu")), Err(Errno::EBUSY));
    assert_eq!(core.mount(Some("bogus")), Err(Errno::ENOENT));
    assert_eq!(core.mount(Some("memory,,cpu")), Err(Errno::EINVAL));
    assert_eq!(core.mount(Some("noprefix,memory")), Err(Errno::EINVAL));
    let before = core.snapshot();
    assert_eq!(core.mount(Some("cpu,memory")), Err(Errno::EBUSY));
    assert_eq!(core.snapshot(), before, "a failed mount changes nothing");
    let cpu = core.mount(Some("cpu,cpuacct")).unwrap();
    assert!(cpu.new_hierarchy);
    assert_ne!(cpu.root, m.root);
    check(&core);
}

#[test]
fn subsys_list_is_descending_and_options_show_it() {
    let core = boot();
    let m = core
        .mount(Some("cpu,cpuacct,release_agent=/sbin/agent"))
        .unwrap();
    let snap = core.snapshot();
    assert_eq!(snap.root(m.root).unwrap().subsys_list, [4, 3]);
    assert_eq!(
        core.show_options(m.root).unwrap(),
        ",cpuacct,cpu,release_agent=/sbin/agent"
    );
    let c = core.mount(Some("cpuset,noprefix")).unwrap();
    assert_eq!(core.show_options(c.root).unwrap(), ",cpuset,noprefix");
    assert!(files(&core, c.top).iter().any(|(n, _)| n == "cpus"));
    let n = core.mount(Some("none,name=foo")).unwrap();
    assert_eq!(core.show_options(n.root).unwrap(), ",name=foo");
    check(&core);
}

#[test]
fn named_hierarchies() {
    let core = boot();
    assert_eq!(
        core.mount(Some("name=x")),
        Err(Errno::EINVAL),
        "no hierarchy x to attach to"
    );
    let x = core.mount(Some("none,name=x")).unwrap();
    assert_eq!(core.mount(Some("name=x")).unwrap().root, x.root);
    assert_eq!(
        core.mount(Some("memory,name=x")),
        Err(Errno::EBUSY),
        "name clash"
    );
    let m = core.mount(Some("memory,name=m")).unwrap();
    assert_eq!(core.mount(Some("memory")).unwrap().root, m.root);
    assert_eq!(
        core.proc_pid_cgroup(Pid(1)).unwrap(),
        format!(
            "{}:memory,name=m:/\n{}:name=x:/\n",
            core.hierarchy_id(m.root).unwrap(),
            core.hierarchy_id(x.root).unwrap()
        )
    );
    check(&core);
}

#[test]
fn proc_cgroups_formats() {
    let core = boot();
    let m = core.mount(Some("cpu,cpuacct")).unwrap();
    core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    let want = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n\
                cpuset\t0\t1\t1\n\
                debug\t0\t1\t1\n\
                ns\t0\t1\t1\n\
                cpu\t1\t2\t1\n\
                cpuacct\t1\t2\t1\n\
                memory\t0\t1\t1\n";
    assert_eq!(core.proc_cgroups(), want);
    assert_eq!(core.proc_pid_cgroup(Pid(1)).unwrap(), "1:cpuacct,cpu:/\n");
    assert_eq!(core.proc_pid_cgroup(Pid(99)), Err(Errno::ESRCH));

    let old = boot_with(CoreProfile::v2_6_25());
    let m = old.mount(Some("cpu,cpuacct")).unwrap();
    let a = old.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    old.attach_task(a, Pid(1)).unwrap();
    // 2.6.25's proc_cgroupstats_show: three columns, the hierarchy as its subsys_bits; the
    // `enabled` column came with `cgroup_disable=` in 2.6.26.
    assert_eq!(
        old.proc_cgroups(),
        "#subsys_name\thierarchy\tnum_cgroups\n\
         cpuset\t0\t1\n\
         debug\t0\t1\n\
         ns\t0\t1\n\
         cpu\t24\t2\n\
         cpuacct\t24\t2\n\
         memory\t0\t1\n"
    );
    assert_eq!(old.proc_pid_cgroup(Pid(1)).unwrap(), "24:cpuacct,cpu:/A\n");
}

#[test]
fn disabled_subsystem() {
    let p = CoreProfile {
        cgroup_disable: vec!["memory".to_string()],
        ..CoreProfile::default()
    };
    let core = boot_with(p);
    assert!(core.proc_cgroups().ends_with("memory\t0\t1\t0\n"));
    // Silently ignored (2.6.34), so only cpu is bound.
    let m = core.mount(Some("cpu,memory")).unwrap();
    assert_eq!(core.show_options(m.root).unwrap(), ",cpu");
}

#[test]
fn remount_rules() {
    // `kernel/cgroup.c` `cgroup_remount`, `rebind_subsystems`, v2.6.34.
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    assert_eq!(
        core.remount(m.root, Some("cpu,noprefix")),
        Err(Errno::EINVAL)
    );
    assert_eq!(core.remount(m.root, Some("cpu,name=z")), Err(Errno::EINVAL));
    core.remount(m.root, Some("cpu,cpuacct,release_agent=/x"))
        .unwrap();
    assert_eq!(
        core.show_options(m.root).unwrap(),
        ",cpuacct,cpu,release_agent=/x"
    );
    assert!(
        files(&core, m.top)
            .iter()
            .any(|(n, _)| n == "cpuacct.usage")
    );
    core.remount(m.root, Some("cpuacct")).unwrap();
    assert_eq!(
        core.show_options(m.root).unwrap(),
        ",cpuacct,release_agent=/x"
    );
    assert!(!files(&core, m.top).iter().any(|(n, _)| n == "cpu.shares"));
    // A later remount adds at the head of subsys_list.
    core.remount(m.root, Some("cpuacct,cpuset")).unwrap();
    assert_eq!(core.snapshot().root(m.root).unwrap().subsys_list, [0, 4]);
    core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        core.remount(m.root, Some("cpuacct,cpuset")),
        Err(Errno::EBUSY),
        "children"
    );
    // 2.6.34: the agent is not copied when the rebind fails.
    assert_eq!(
        core.remount(m.root, Some("cpuacct,release_agent=/y")),
        Err(Errno::EBUSY)
    );
    assert_eq!(core.release_agent_path(m.root).unwrap(), b"/x");
    check(&core);
}

#[test]
fn umount_lingers_while_children_exist() {
    // `kernel/cgroup.c` `cgroup_kill_sb`, v2.6.34.
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(core.umount(m.root), Ok(false));
    assert_eq!(core.roots(), [m.root], "the hierarchy lingers");
    assert_eq!(
        core.mount(Some("memory,cpu")),
        Err(Errno::EBUSY),
        "memory is still bound"
    );
    let again = core.mount(Some("memory")).unwrap();
    assert_eq!((again.root, again.new_hierarchy), (m.root, false));
    assert_eq!(dirs(&core, again.top), ["A"]);
    assert_eq!(core.umount(m.root), Ok(false));
    core.rmdir(a).unwrap();
    assert!(
        core.roots().is_empty(),
        "the last child's removal killed the superblock"
    );
    let snap = core.snapshot();
    assert_eq!(snap.root_count, 1);
    assert_eq!(snap.subsys[5].root, RootId::ROOTNODE);
    assert_eq!(core.umount(m.root), Err(Errno::EINVAL));
    check(&core);
}

#[test]
fn umount_kills_an_empty_hierarchy() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let _second_view = core.mount(Some("cpu")).unwrap();
    assert_eq!(core.umount(m.root), Ok(false), "another view remains");
    assert_eq!(core.umount(m.root), Ok(true));
    let snap = core.snapshot();
    assert_eq!((snap.root_count, snap.css_set_count), (1, 1));
    assert_eq!(snap.css_sets[0].links, [snap.dummytop]);
    assert_eq!(core.top_cgroup(m.root), Err(Errno::EINVAL));
    check(&core);
}

#[test]
fn mount_trace_reads_like_ftrace() {
    let core = boot();
    core.tracer().set_on(true);
    core.mount(Some("cpu,cpuacct")).unwrap();
    let text = cgsim_ktypes::trace::render_function_graph(&core.tracer().take());
    let funcs: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split('|').nth(1))
        .map(|l| {
            l.trim()
                .trim_end_matches(['{', ';', ' '])
                .trim_end_matches("()")
        })
        .filter(|l| !l.is_empty() && *l != "}")
        .collect();
    assert_eq!(
        funcs,
        [
            "cgroup_get_sb",
            "parse_cgroupfs_options",
            "rebind_subsystems",
            "cgroup_populate_dir",
            "cpuacct_populate",
            "cpu_cgroup_populate",
        ]
    );
}

#[test]
fn v2_6_25_mount_rules() {
    // `kernel/cgroup.c` `cgroup_test_super` under 2.6.25: reuse needs identical bits AND flags.
    let core = boot_with(CoreProfile::v2_6_25());
    let m = core.mount(Some("memory")).unwrap();
    assert_eq!(core.mount(Some("memory,noprefix")), Err(Errno::EBUSY));
    assert_eq!(core.mount(Some("memory")).unwrap().root, m.root);
    assert_eq!(core.mount(Some("none")), Err(Errno::ENOENT));
    // Kernel quirk (2.6.25): a failed remount still copies release_agent=.
    core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(
        core.remount(m.root, Some("memory,release_agent=/x")),
        Err(Errno::EBUSY)
    );
    assert_eq!(core.release_agent_path(m.root).unwrap(), b"/x");
    assert_eq!(
        core.show_options(m.root).unwrap(),
        ",memory,release_agent=/x"
    );
    assert_eq!(core.show_options(RootId::ROOTNODE), Err(Errno::EINVAL));
}

/// Kernel (2.6.35 `cgroup_get_sb`): `cgroup_root_from_opts` allocates the new root and its id
/// (`init_root_id`: `ida_get_new_above(&hierarchy_ida, next_hierarchy_id)`, then
/// `next_hierarchy_id = id + 1`) before `sget` looks for an existing hierarchy. A mount that
/// reuses a hierarchy, or fails with EBUSY, frees the id again but the cursor has moved on, and
/// a freed lower id is never handed out again while higher ones are free.
#[test]
fn hierarchy_ids_advance_past_failed_and_reused_mounts() {
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    assert_eq!(core.hierarchy_id(m.root).unwrap(), 1);
    // Reuse: id 2 is allocated, then dropped.
    assert_eq!(core.mount(Some("memory")).unwrap().root, m.root);
    // EBUSY (memory is bound to hierarchy 1): id 3 is allocated, then dropped.
    assert_eq!(core.mount(Some("memory,cpu")), Err(Errno::EBUSY));
    // Option errors come before the allocation: no id is used.
    assert_eq!(core.mount(Some("bogus")), Err(Errno::ENOENT));
    // `name=x` alone with no hierarchy x: cgroup_root_from_opts returns NULL, no id.
    assert_eq!(core.mount(Some("name=x")), Err(Errno::EINVAL));
    let c = core.mount(Some("cpu")).unwrap();
    assert_eq!(core.hierarchy_id(c.root).unwrap(), 4);
    // Freeing hierarchy 1 (both mount views) does not make the next mount reuse id 1.
    assert!(!core.umount(m.root).unwrap());
    assert!(core.umount(m.root).unwrap());
    let m2 = core.mount(Some("memory")).unwrap();
    assert_eq!(core.hierarchy_id(m2.root).unwrap(), 5);
    assert_eq!(
        core.proc_cgroups()
            .lines()
            .find(|l| l.starts_with("memory\t"))
            .unwrap(),
        "memory\t5\t1\t1"
    );
    assert_eq!(
        core.proc_pid_cgroup(Pid(1)).unwrap(),
        "5:memory:/\n4:cpu:/\n"
    );
    check(&core);
}
