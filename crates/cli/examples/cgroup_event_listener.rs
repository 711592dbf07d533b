//! `cgroup_event_listener` written step by step on the simulated syscall API, next to the C
//! original (`Documentation/cgroups/cgroup_event_listener.c`, 2.6.34), so the two
//! read side by side. The shell's built-in version is `crates/cli/src/commands/listener.rs`.
//!
//! The example boots a kernel, mounts the memory controller on `/sys/fs/cgroup/memory`,
//! makes cgroup `A`, runs the listener's `main` as a process with
//! `argv = ["cgroup_event_listener", "/sys/fs/cgroup/memory/A/memory.usage_in_bytes", "5M"]`,
//! and, each time the listener would sleep in `read(2)`, lets a load process in `A` take one
//! step: fault in 1 MiB more, up to 8 MiB, then give it back 1 MiB at a time, exit, and
//! finally `rmdir A`.
//!
//! ```text
//! cargo run -p cgsim --example cgroup_event_listener
//! ```

use cgsim_cgroupfs::{BootParams, INIT_PID, Kernel, MmapFlags, OpenFlags, W_OK};
use cgsim_ktypes::{Errno, Pid};
use std::process::ExitCode;

const MIB: u64 = 1 << 20;

fn main() -> ExitCode {
    let k = Kernel::boot(BootParams::default());
    setup(&k);
    let mut load = Load::new(&k);

    // int main(int argc, char **argv)
    let argv = [
        "cgroup_event_listener",
        "/sys/fs/cgroup/memory/A/memory.usage_in_bytes",
        "5M",
    ];
    let pid = k.fork(INIT_PID).expect("fork");
    let mut argv1 = argv[1].to_string();

    // cfd = open(argv[1], O_RDONLY);
    let cfd = match k.open(pid, &argv1, OpenFlags::RDONLY, 0) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("Cannot open {argv1}: {}", e.errno.strerror());
            return ExitCode::from(1);
        }
    };

    // snprintf(event_control_path, PATH_MAX, "%s/cgroup.event_control", dirname(argv[1]));
    // glibc's dirname() writes a NUL over the last '/' of argv[1]: from here on, argv[1] is
    // the cgroup directory.
    let dir = cgsim::commands::listener::dirname(&argv1);
    if dir != "." {
        argv1 = dir.clone();
    }
    let event_control_path = format!("{dir}/cgroup.event_control");

    // event_control = open(event_control_path, O_WRONLY);
    let event_control = match k.open(pid, &event_control_path, OpenFlags::WRONLY, 0) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("Cannot open {event_control_path}: {}", e.errno.strerror());
            return ExitCode::from(1);
        }
    };

    // efd = eventfd(0, 0);
    let efd = match k.eventfd(pid, 0, 0) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("eventfd() failed: {}", e.errno.strerror());
            return ExitCode::from(1);
        }
    };

    // snprintf(line, LINE_MAX, "%d %d %s", efd, cfd, argv[2]);
    // write(event_control, line, strlen(line) + 1);   -- the NUL byte goes too
    let line = format!("{} {} {}", efd.0, cfd.0, argv[2]);
    println!("writing {line:?} + NUL to {event_control_path}");
    let mut bytes = line.into_bytes();
    bytes.push(0);
    if let Err(e) = k.write(pid, event_control, &bytes) {
        eprintln!(
            "Cannot write to cgroup.event_control: {}",
            e.errno.strerror()
        );
        return ExitCode::from(1);
    }

    // while (1) {
    loop {
        // ret = read(efd, &result, sizeof(result));
        let mut result = [0u8; 8];
        match k.read(pid, efd, &mut result) {
            Ok(n) => assert_eq!(n, 8),
            // The kernel would put the listener to sleep here. The simulated kernel returns
            // EAGAIN instead: let the rest of the world run, then read again.
            Err(e) if e.errno == Errno::EAGAIN => {
                if !load.step(&k) {
                    eprintln!("the load finished and nothing woke the listener");
                    return ExitCode::from(1);
                }
                continue;
            }
            Err(e) if e.errno == Errno::EINTR => continue,
            Err(e) => {
                eprintln!("Cannot read from eventfd: {}", e.errno.strerror());
                return ExitCode::from(1);
            }
        }

        // ret = access(event_control_path, W_OK);
        match k.access(pid, &event_control_path, W_OK) {
            Err(e) if e.errno == Errno::ENOENT => {
                // puts("The cgroup seems to have removed.");
                println!("The cgroup seems to have removed.");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!(
                    "cgroup.event_control is not accessable any more: {}",
                    e.errno.strerror()
                );
                return ExitCode::from(1);
            }
            // printf("%s %s: crossed\n", argv[1], argv[2]);
            Ok(()) => println!("{argv1} {}: crossed", argv[2]),
        }
    }
}

/// `mkdir -p /sys/fs/cgroup/memory; mount -t cgroup -o memory none ...; mkdir A`.
fn setup(k: &Kernel) {
    for dir in ["/sys", "/sys/fs", "/sys/fs/cgroup", "/sys/fs/cgroup/memory"] {
        let _ = k.mkdir(INIT_PID, dir, 0o755);
    }
    k.mount(
        INIT_PID,
        "none",
        "/sys/fs/cgroup/memory",
        "cgroup",
        false,
        Some("memory"),
    )
    .expect("mount");
    k.mkdir(INIT_PID, "/sys/fs/cgroup/memory/A", 0o755)
        .expect("mkdir A");
}

/// A process in `A` that faults in 1 MiB per step up to 8 MiB, then unmaps 1 MiB per step,
/// exits, and finally removes `A`.
struct Load {
    pid: Pid,
    addr: u64,
    mapped: u64,
    going_up: bool,
    done: bool,
}

impl Load {
    fn new(k: &Kernel) -> Load {
        let pid = k.fork(INIT_PID).expect("fork");
        let tasks = k
            .open(
                INIT_PID,
                "/sys/fs/cgroup/memory/A/tasks",
                OpenFlags::WRONLY,
                0,
            )
            .expect("open tasks");
        k.write(INIT_PID, tasks, pid.to_string().as_bytes())
            .expect("attach the load to A");
        let _ = k.close(INIT_PID, tasks);
        let addr = k
            .mmap_anon(pid, 8 * MIB, MmapFlags::default())
            .expect("mmap");
        Load {
            pid,
            addr,
            mapped: 0,
            going_up: true,
            done: false,
        }
    }

    /// One step of the load; `false` once there is nothing left to do.
    fn step(&mut self, k: &Kernel) -> bool {
        if self.done {
            return false;
        }
        if self.going_up {
            k.touch(self.pid, self.addr + self.mapped, MIB)
                .expect("touch");
            self.mapped += MIB;
            self.going_up = self.mapped < 8 * MIB;
        } else if self.mapped > 0 {
            self.mapped -= MIB;
            k.munmap(self.pid, self.addr + self.mapped, MIB)
                .expect("munmap");
        } else {
            k.exit(self.pid, 0);
            let _ = k.waitpid(INIT_PID, Some(self.pid));
            k.rmdir(INIT_PID, "/sys/fs/cgroup/memory/A")
                .expect("rmdir A");
            self.done = true;
        }
        let usage = read_usage(k);
        println!("load: usage_in_bytes = {usage}");
        true
    }
}

fn read_usage(k: &Kernel) -> String {
    let Ok(fd) = k.open(
        INIT_PID,
        "/sys/fs/cgroup/memory/A/memory.usage_in_bytes",
        OpenFlags::RDONLY,
        0,
    ) else {
        return "(A is gone)".to_string();
    };
    let mut buf = [0u8; 32];
    let n = k.read(INIT_PID, fd, &mut buf).unwrap_or(0);
    let _ = k.close(INIT_PID, fd);
    String::from_utf8_lossy(&buf[..n]).trim().to_string()
}
