//! `--bind` (a host directory read-only inside the simulated filesystem), `tst_cgctl`'s
//! require/cleanup cycle on a kernel with `cgroup.clone_children`, and, when `CGSIM_LTP_DIR`
//! names a checkout of LTP 20250530, its 11 memcg functional scripts run unmodified.

use cgsim::{boot_with_binds, transcript_of};
use cgsim_cgroupfs::{BootParams, HostBind};
use std::path::{Path, PathBuf};

/// A fresh host directory for one test.
fn host_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cgsim-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sub")).unwrap();
    d
}

/// Every file under `d` with its bytes, sorted.
fn snapshot(d: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            let md = std::fs::symlink_metadata(e.path()).unwrap();
            if md.is_dir() {
                stack.push(e.path());
            } else if md.is_file() {
                out.push((e.path(), std::fs::read(e.path()).unwrap()));
            } else {
                out.push((e.path(), Vec::new()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bind_is_read_only_and_never_writes_the_host() {
    let d = host_dir("bind");
    std::fs::write(d.join("f.txt"), "host data\n").unwrap();
    std::fs::write(d.join("sub/run.sh"), "#!/bin/sh\necho \"script $0: $*\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d.join("sub/run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    // A link out of the bound directory (to its parent, which exists on every host).
    std::os::unix::fs::symlink(std::env::temp_dir(), d.join("escape")).unwrap();
    std::os::unix::fs::symlink("f.txt", d.join("inside")).unwrap();
    let before = snapshot(&d);
    let k = boot_with_binds(
        BootParams::default(),
        &[HostBind {
            host: d.clone(),
            dir: "/opt/b".into(),
        }],
    )
    .unwrap();
    let mut sh = cgsim::Shell::new(k);
    let (out, _) = transcript_of(
        &mut sh,
        "ls /opt/b\n\
         cat /opt/b/f.txt /opt/b/inside\n\
         /opt/b/sub/run.sh a b\n\
         PATH=/opt/b/sub:$PATH run.sh c\n\
         echo x > /opt/b/f.txt\n\
         echo x >> /opt/b/f.txt\n\
         echo x > /opt/b/new\n\
         mkdir /opt/b/d\n\
         mkdir /opt/b/sub\n\
         rmdir /opt/b/sub\n\
         rm /opt/b/f.txt\n\
         chmod 777 /opt/b/f.txt\n\
         ls /opt/b/escape\n\
         grep /opt/b /proc/mounts\n\
         mount -o remount /opt/b; echo nope > /opt/b/f.txt\n\
         cat /opt/b/f.txt\n",
    );
    assert_eq!(
        out,
        "f.txt\ninside\nsub\n\
         host data\nhost data\n\
         script /opt/b/sub/run.sh: a b\n\
         script /opt/b/sub/run.sh: c\n\
         cgsim: 5: cannot create /opt/b/f.txt: Read-only file system\n\
         cgsim: 6: cannot create /opt/b/f.txt: Read-only file system\n\
         cgsim: 7: cannot create /opt/b/new: Read-only file system\n\
         mkdir: cannot create directory '/opt/b/d': Read-only file system\n\
         mkdir: cannot create directory '/opt/b/sub': File exists\n\
         rmdir: failed to remove '/opt/b/sub': Read-only file system\n\
         rm: cannot remove '/opt/b/f.txt': Read-only file system\n\
         chmod: changing permissions of '/opt/b/f.txt': Read-only file system\n\
         ls: cannot access '/opt/b/escape': Permission denied\n\
         /dev/sda1 /opt/b ext4 ro,relatime,barrier=1,data=ordered 0 0\n\
         cgsim: 15: cannot create /opt/b/f.txt: Read-only file system\n\
         host data\n"
    );
    assert_eq!(snapshot(&d), before, "the host directory changed");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bind_refuses_a_missing_host_directory() {
    let err = boot_with_binds(
        BootParams::default(),
        &[HostBind {
            host: "/nonexistent/cgsim".into(),
            dir: "/opt/x".into(),
        }],
    )
    .err()
    .unwrap();
    assert_eq!(
        err,
        "--bind /nonexistent/cgsim:/opt/x: No such file or directory"
    );
    assert!(HostBind::parse("relative").is_err());
    assert!(HostBind::parse("/a:relative").is_err());
    assert_eq!(
        HostBind::parse("/a:/opt/a").unwrap(),
        HostBind {
            host: "/a".into(),
            dir: "/opt/a".into()
        }
    );
}

/// `tst_cgctl require` then `cleanup` on a kernel whose cgroups have `cgroup.clone_children`
/// (the 3.10 base files): the state line, the directories made, then everything removed and
/// unmounted.
#[test]
fn tst_cgctl_require_and_cleanup() {
    let mut params = BootParams::default();
    params.core_profile.set("core.base_files", "v3_10").unwrap();
    let mut sh = cgsim::Shell::new(cgsim::boot(params));
    let (out, st) = transcript_of(
        &mut sh,
        "export TMPDIR=/tmp\n\
         S=$(tst_cgctl require memory 42)\n\
         echo \"$S\"\n\
         ls /tmp/cgroup_memory/ltp | grep -v '^[mc]'\n\
         cat /tmp/cgroup_memory/memory.use_hierarchy /tmp/cgroup_memory/ltp/cgroup.clone_children\n\
         sleep 100 &\n\
         echo $! > /tmp/cgroup_memory/ltp/test-42/tasks\n\
         tst_cgctl cleanup \"$S\"; echo \"cleanup: $?\"\n\
         grep -c cgroup_memory /proc/mounts; ls /tmp\n\
         tst_cgctl cleanup 'header'; echo \"empty: $?\"\n\
         tst_cgctl cleanup \"$(printf 'h\\nmemory 1')\"; echo \"malformed: $?\"\n",
    );
    assert_eq!(
        out,
        "tst_cgroup.c:739: TINFO: Could not mount V2 CGroups on /tmp/cgroup_unified: ENODEV (19)\n\
         tst_cgroup.c:791: TINFO: Mounted V1 memory CGroup on /tmp/cgroup_memory\n\
         ctrl_name ver we_require_it mnt_path we_mounted_it ltp_dir.we_created_it test_dir.dir_name\n\
         memory\t1\t1\t/tmp/cgroup_memory\t1\t1\ttest-42\n\
         drain\nnotify_on_release\ntasks\ntest-42\n\
         1\n1\n\
         cleanup: 0\n\
         0\n\
         empty: 0\n\
         tst_cgroup.c:505: TBROK: Incorrect number of vars read from config. Config possibly malformed?\n\
         malformed: 2\n"
    );
    assert_eq!(st, 0);
}

/// Counts from one script's `Summary:` block.
#[derive(Debug, PartialEq, Eq)]
struct Summary {
    pass: u32,
    fail: u32,
    brok: u32,
    conf: u32,
}

fn summary(log: &str) -> Summary {
    let get = |k: &str| {
        log.lines()
            .find_map(|l| l.strip_prefix(k))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(u32::MAX)
    };
    Summary {
        pass: get("passed"),
        fail: get("failed"),
        brok: get("broken"),
        conf: get("skipped"),
    }
}

/// LTP 20250530's memcg functional tests, run as docs/ltp.md shows, when `CGSIM_LTP_DIR`
/// names a checkout (CI has none: LTP is GPL and stays out of the repository). Expected counts
/// are the ones measured on the 3.10 cgroup base files (`cgroup.clone_children`, which LTP's
/// cgroup library needs) with 2.6.35's memory controller and no swap; see docs/ltp.md for why
/// each non-TPASS result is what a real kernel of that version reports.
#[test]
fn ltp_memcg_functional_scripts() {
    let Some(dir) = std::env::var_os("CGSIM_LTP_DIR") else {
        eprintln!("CGSIM_LTP_DIR is not set: LTP's memcg scripts were not run");
        return;
    };
    let expected: [(&str, u32, u32, u32); 11] = [
        ("memcg_failcnt", 3, 0, 0),
        ("memcg_force_empty", 6, 0, 0),
        ("memcg_limit_in_bytes", 18, 0, 0),
        ("memcg_max_usage_in_bytes_test", 10, 0, 0),
        ("memcg_memsw_limit_in_bytes_test", 15, 0, 0),
        ("memcg_move_charge_at_immigrate_test", 16, 0, 0),
        ("memcg_stat_rss", 15, 0, 0),
        // The library leaves the root's use_hierarchy at 1 (it made children), so a test
        // that needs 0 skips, and one that writes 1 below a hierarchical parent gets EINVAL
        // (mem_cgroup_hierarchy_write, v2.6.35).
        ("memcg_stat_test", 7, 0, 1),
        ("memcg_subgroup_charge", 9, 0, 0),
        ("memcg_usage_in_bytes_test", 4, 0, 0),
        ("memcg_use_hierarchy_test", 0, 1, 0),
    ];
    let bin = env!("CARGO_BIN_EXE_cgsim");
    let bind = format!("{}:/opt/ltp", Path::new(&dir).display());
    for (name, pass, brok, conf) in expected {
        let script = format!(
            "export PATH=/opt/ltp/testcases/lib:/opt/ltp/testcases/kernel/controllers:\
             /opt/ltp/testcases/kernel/controllers/memcg/functional:$PATH\n\
             cd /tmp\n{name}.sh\n"
        );
        let mut child = std::process::Command::new(bin)
            .args([
                "--bind",
                &bind,
                "--set",
                "core.base_files=v3_10",
                "--swap",
                "0",
            ])
            .args(["run", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            summary(&log),
            Summary {
                pass,
                fail: 0,
                brok,
                conf
            },
            "{name}:\n{log}"
        );
    }
}
