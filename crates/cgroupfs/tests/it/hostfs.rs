//! `Kernel::bind_host`: a host directory read-only in the VFS (`hostfs.rs`), the
//! environment a process carries (`set_environ`/`getenv`, inherited at fork), and
//! `/proc/PID/stat`.

use super::*;
use cgsim_cgroupfs::HostBind;

fn host_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cgsim-hostfs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("f"), "host\n").unwrap();
    d
}

#[test]
fn bound_directory_reads_and_refuses_every_write_with_erofs() {
    let d = host_dir();
    let k = boot();
    k.bind_host(&HostBind {
        host: d.clone(),
        dir: "/opt/h".into(),
    })
    .unwrap();
    assert_eq!(cat(&k, INIT, "/opt/h/f").unwrap(), "host\n");
    let st = k.stat(INIT, "/opt/h/sub").unwrap();
    assert_eq!(st.fs_magic, 0xef53);
    let erofs = |r: SysResult<()>| assert_eq!(r.unwrap_err().errno, Errno::EROFS);
    erofs(echo(&k, INIT, "/opt/h/f", "x"));
    erofs(echo(&k, INIT, "/opt/h/new", "x"));
    erofs(k.mkdir(INIT, "/opt/h/d", 0o755));
    erofs(k.rmdir(INIT, "/opt/h/sub"));
    erofs(k.unlink(INIT, "/opt/h/f"));
    erofs(k.chmod(INIT, "/opt/h/f", 0o777));
    erofs(k.chown(INIT, "/opt/h/f", Some(1), None));
    // The lookups come first, as in the kernel: an existing name is EEXIST, a missing one ENOENT.
    assert_eq!(
        k.mkdir(INIT, "/opt/h/sub", 0o755).unwrap_err().errno,
        Errno::EEXIST
    );
    assert_eq!(
        k.unlink(INIT, "/opt/h/nope").unwrap_err().errno,
        Errno::ENOENT
    );
    // A remount cannot make it writable.
    k.mount(INIT, "none", "/opt/h", "ext4", true, None).unwrap();
    erofs(echo(&k, INIT, "/opt/h/f", "x"));
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .contains("/dev/sda1 /opt/h ext4 ro,relatime,barrier=1,data=ordered 0 0\n")
    );
    assert_eq!(std::fs::read_to_string(d.join("f")).unwrap(), "host\n");
    assert!(!d.join("new").exists() && !d.join("d").exists());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn environment_is_inherited_at_fork() {
    let k = boot();
    k.set_environ(INIT, vec![("A".into(), "1".into())]).unwrap();
    let c = k.fork(INIT).unwrap();
    assert_eq!(k.getenv(c, "A").as_deref(), Some("1"));
    assert_eq!(k.getenv(c, "B"), None);
    k.set_environ(c, Vec::new()).unwrap();
    assert_eq!(k.getenv(INIT, "A").as_deref(), Some("1"));
}

#[test]
fn proc_pid_stat_has_the_44_fields_of_2_6_35() {
    let k = boot();
    let c = k.fork(INIT).unwrap();
    k.set_comm(c, "my prog").unwrap();
    let s = cat(&k, INIT, &format!("/proc/{}/stat", c.0)).unwrap();
    assert!(s.ends_with('\n'));
    let after_comm = s.split_once(") ").unwrap().1;
    assert_eq!(s.split_once(' ').unwrap().0, c.0.to_string());
    assert!(s.contains("(my prog) S 1 "), "{s}");
    assert_eq!(after_comm.split_whitespace().count() + 2, 44, "{s}");
}
