//! The boot-time `/etc` of the root filesystem: `passwd`, `group`, and libcgroup's
//! `cgconfig.conf` and `cgsnapshot_blacklist.conf`.
//!
//! **Kernel:** none; the kernel knows only numbers. These files are what a minimal Debian
//! installs (base-passwd's `passwd.master` and `group.master`, with `x` in the password field
//! as shadow-utils writes it) so that user space (`id`, `ls -l`, `chown user:group`, libcgroup's
//! `cgcreate -t`/`-a` and `cgconfig.conf` `perm` blocks) can resolve names.
//! The files are ordinary root-owned 0644 files on the root filesystem: a script may append a
//! user with `echo 'alice:x:1000:1000::/home/alice:/bin/sh' >> /etc/passwd`.

use crate::tmpfs::{InodeKind, Tmpfs};
use std::collections::BTreeMap;

/// `/etc/passwd` at boot.
pub const PASSWD: &str = "\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
";

/// `/etc/group` at boot.
pub const GROUP: &str = "\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
cdrom:x:24:
floppy:x:25:
tape:x:26:
sudo:x:27:
audio:x:29:
dip:x:30:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:
plugdev:x:46:
staff:x:50:
games:x:60:
users:x:100:
cgred:x:499:
nogroup:x:65534:
";

/// `/etc/cgconfig.conf` at boot: nothing configured, as libcgroup's package installs it
/// (every line a comment), so `cgconfigparser -l /etc/cgconfig.conf` succeeds and does nothing.
pub const CGCONFIG_CONF: &str = "\
#
# libcgroup configuration file, read by cgconfigparser -l /etc/cgconfig.conf
# (the cgconfig service). See cgconfig.conf(5) for the format:
#
#   mount { <controller> = <path>; ... }
#   group <name> { [perm { task { uid = ...; gid = ...; } admin { ... } }]
#                  <controller> { <file> = <value>; ... } ... }
#
";

/// `/etc/cgsnapshot_blacklist.conf` as libcgroup 0.41 installs it: `cgsnapshot` leaves out
/// `memory.oom_control` (writing its whole text back would not parse).
pub const CGSNAPSHOT_BLACKLIST: &str = "\
# variables cgsnapshot does not print, one per line

# memory
memory.oom_control
";

/// `/etc/cgrules.conf` as libcgroup's package installs it: no rules, only how to write them
/// (`cgrules.conf(5)`); `cgrulesengd`, `cgexec` and `cgclassify` read it.
pub const CGRULES_CONF: &str = "\
# /etc/cgrules.conf: rules for cgrulesengd, cgexec and cgclassify (see cgrules.conf(5)).
# One rule per line:
#<user>[:<process>]\t<controllers>\t<destination>
# e.g.
#@student\tcpu,memory\tusergroup/student/
#peter\t\tcpu\t\ttest1/
#%\t\tmemory\t\ttest2/
";

/// `/etc/sysconfig/cgconfig`: whether `service cgconfig start` makes the default group.
pub const SYSCONFIG_CGCONFIG: &str = "\
# The cgconfig service can create a default group (sysdefault, or the destination of the
# '*' rule of /etc/cgrules.conf) in every mounted hierarchy and move every process there.
CREATE_DEFAULT=yes
";

/// `/etc/sysconfig/cgred.conf`: the options `service cgred start` gives `cgrulesengd`.
pub const SYSCONFIG_CGRED: &str = "\
# Options of the CGroup Rules Engine Daemon (cgrulesengd), read by the cgred service.
CONFIG_FILE=\"/etc/cgrules.conf\"
#LOG_FILE=\"/var/log/cgrulesengd.log\"
NODAEMON=\"\"
SOCKET_USER=\"\"
SOCKET_GROUP=\"cgred\"
LOG=\"\"
";

/// Create `/etc` (0755) and its files (0644, owned by root) under the root directory `r`.
pub(crate) fn populate(root: &mut Tmpfs, r: u64) {
    let etc = root.create(
        r,
        "etc",
        InodeKind::Dir {
            entries: BTreeMap::new(),
        },
        0o755,
        0,
        0,
        0,
    );
    for (name, text) in [
        ("passwd", PASSWD),
        ("group", GROUP),
        ("cgconfig.conf", CGCONFIG_CONF),
        ("cgsnapshot_blacklist.conf", CGSNAPSHOT_BLACKLIST),
        ("cgrules.conf", CGRULES_CONF),
    ] {
        let data = text.as_bytes().to_vec();
        root.create(etc, name, InodeKind::Regular { data }, 0o644, 0, 0, 0);
    }
    let sysconfig = root.create(
        etc,
        "sysconfig",
        InodeKind::Dir {
            entries: BTreeMap::new(),
        },
        0o755,
        0,
        0,
        0,
    );
    for (name, text) in [
        ("cgconfig", SYSCONFIG_CGCONFIG),
        ("cgred.conf", SYSCONFIG_CGRED),
    ] {
        let data = text.as_bytes().to_vec();
        root.create(sysconfig, name, InodeKind::Regular { data }, 0o644, 0, 0, 0);
    }
}

/// Read the `/etc` files once as init (not `cgrules.conf` and `sysconfig/`, which only the
/// services read), so their pages sit in the page cache charged to the
/// root memcg from boot on, as on a running system where they were read long before any
/// cgroup was made: a later `ls -l` or `id` in a memcg finds them cached and charges nothing.
pub(crate) fn cache_at_boot<T: cgsim_ktypes::Tracer>(k: &crate::Kernel<T>) {
    for name in [
        "passwd",
        "group",
        "cgconfig.conf",
        "cgsnapshot_blacklist.conf",
    ] {
        let path = format!("/etc/{name}");
        let Ok(fd) = k.open(crate::task::INIT_PID, &path, crate::OpenFlags::RDONLY, 0) else {
            continue;
        };
        let mut buf = [0u8; 4096];
        while k
            .read(crate::task::INIT_PID, fd, &mut buf)
            .is_ok_and(|n| n > 0)
        {}
        let _ = k.close(crate::task::INIT_PID, fd);
    }
}

/// What RHEL 6, the userland of the 2.6 presets, has on its root filesystem besides `/etc`:
/// the directory `/cgroup` (0755, root), which its libcgroup package owns (`%dir /cgroup`) and
/// the Resource Management Guide mounts hierarchies under, and `/etc/mtab`, the regular file
/// util-linux-ng 2.17's mount(8) keeps (`SPEC DIR TYPE OPTS 0 0` per mount, with the options
/// mount(8) was given: `rw`, not the kernel's `relatime`), here listing the boot mounts of
/// `/proc/mounts`. The 3.x and later presets follow RHEL 7 and Debian, whose `/etc/mtab` is a
/// symbolic link to the kernel's table and who mount cgroups under `/sys/fs/cgroup`: they get
/// neither.
pub(crate) fn rhel6_at_boot<T: cgsim_ktypes::Tracer>(k: &crate::Kernel<T>) {
    if k.params().kernel >= crate::KernelVersion::V3_10 {
        return;
    }
    let init = crate::task::INIT_PID;
    let _ = k.mkdir(init, "/cgroup", 0o755);
    let Ok(fd) = k.open(init, "/proc/mounts", crate::OpenFlags::RDONLY, 0) else {
        return;
    };
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = k.read(init, fd, &mut buf) {
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    let _ = k.close(init, fd);
    let mtab: String = String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let ro = f.get(3)?.split(',').any(|o| o == "ro");
            Some(format!(
                "{} {} {} {} 0 0\n",
                f.first()?,
                f.get(1)?,
                f.get(2)?,
                if ro { "ro" } else { "rw" }
            ))
        })
        .collect();
    if let Ok(fd) = k.open(init, "/etc/mtab", crate::OpenFlags::REDIRECT_TRUNC, 0o644) {
        let _ = k.write(init, fd, mtab.as_bytes());
        let _ = k.close(init, fd);
    }
}
