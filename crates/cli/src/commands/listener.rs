//! `cgroup_event_listener`: the kernel's reference notification listener as a simulated
//! program.
//!
//! **Kernel:** `Documentation/cgroups/cgroup_event_listener.c` (2.6.34, the SEED profile's
//! version; `Documentation/cgroups/cgroup_event_listener.c`, v2.6.34). Usage: `cgroup_event_listener <path-to-control-file> <args>`, e.g.
//! `cgroup_event_listener /sys/fs/cgroup/memory/A/memory.usage_in_bytes 5M &`.
//!
//! The steps are the C program's, each on a simulated syscall:
//! 1. `cfd = open(argv[1], O_RDONLY)`;
//! 2. `dirname(argv[1])` — in place, as glibc does, so `argv[1]` is the directory from now on —
//!    and `event_control_path = <dir>/cgroup.event_control`;
//! 3. `event_control = open(event_control_path, O_WRONLY)`;
//! 4. `efd = eventfd(0, 0)`;
//! 5. `write(event_control, "<efd> <cfd> <argv[2]>", strlen + 1)`: the NUL byte is written too;
//! 6. loop: a blocking `read(efd)` of 8 bytes; then `access(event_control_path, W_OK)`:
//!    `ENOENT` prints `The cgroup seems to have removed.` and exits 0, another error exits 1,
//!    success prints `<argv[1]> <argv[2]>: crossed` — one line per read, whatever the count.
//!
//! Messages and exit statuses are the 2.6.34 ones: every error goes to stderr and exits 1
//! (the original's status is `ret != 0`; its uninitialised-status case is taken as 1).
//! **Differences:** the blocking read is the scheduler's `Step::WaitReadable`; stdout is
//! written line by line (what a terminal shows; the C program's stdout is fully buffered when
//! redirected, so its lines could appear late in a pipe).

use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{Fd, Kernel, OpenFlags, PATH_MAX, Program, Step, W_OK};
use cgsim_ktypes::{Errno, Pid, SysError};

/// `USAGE_STR` of the 2.6.34 listener (without its newline).
pub const USAGE: &str = "Usage: cgroup_event_listener <path-to-control-file> <args>";

/// `LINE_MAX`: the size of the buffer the registration line is formatted into.
pub const LINE_MAX: usize = 2048;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgroup_event_listener",
        "cgroup_event_listener <path-to-control-file> <args>",
        "register an eventfd on a control file through cgroup.event_control and print \
         `<dir> <args>: crossed` per notification (run it with &)",
        Kind::Program(cgroup_event_listener),
    );
}

fn cgroup_event_listener(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    if argv.len() != 3 {
        return Err((USAGE.to_string(), 1));
    }
    Ok(Spawn {
        program: Box::new(Listener::new(&argv[1], &argv[2])),
        wakes_at: None,
    })
}

/// glibc `dirname(3)`: the directory part of `path`, `"."` when it has no slash. Trailing
/// slashes are ignored; the root stays `"/"`.
pub fn dirname(path: &str) -> String {
    if !path.contains('/') {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        None => ".".to_string(),
        Some(i) => {
            let head = trimmed[..i].trim_end_matches('/');
            if head.is_empty() {
                "/".to_string()
            } else {
                head.to_string()
            }
        }
    }
}

/// Where the listener is in its `main`.
enum State {
    /// Steps 1–5 still to do.
    Start,
    /// Step 6: the read loop on `efd`.
    Reading { efd: Fd },
}

/// The listener's variables (`argv`, `event_control_path`) and where it is.
pub struct Listener {
    /// `argv[1]`: the control file, then (after `dirname`) its directory.
    argv1: String,
    argv2: String,
    event_control_path: String,
    state: State,
}

impl Listener {
    pub fn new(control_file: &str, args: &str) -> Listener {
        Listener {
            argv1: control_file.to_string(),
            argv2: args.to_string(),
            event_control_path: String::new(),
            state: State::Start,
        }
    }

    /// Steps 1–5: open, dirname, open `cgroup.event_control`, eventfd, the write.
    /// `Err(status)` after printing the error.
    fn start(&mut self, k: &Kernel, pid: Pid) -> Result<Fd, i32> {
        let cfd = k
            .open(pid, &self.argv1, OpenFlags::RDONLY, 0)
            .map_err(|e| {
                let msg = format!("Cannot open {}: {}\n", self.argv1, strerror(&e));
                stderr(k, pid, &msg)
            })?;
        let dir = dirname(&self.argv1);
        if dir != "." {
            // dirname wrote a NUL over the last slash of argv[1].
            self.argv1 = dir.clone();
        }
        self.event_control_path = format!("{dir}/cgroup.event_control");
        if self.event_control_path.len() >= PATH_MAX {
            return Err(stderr(k, pid, "Path to cgroup.event_control is too long\n"));
        }
        let event_control = k
            .open(pid, &self.event_control_path, OpenFlags::WRONLY, 0)
            .map_err(|e| {
                let msg = format!(
                    "Cannot open {}: {}\n",
                    self.event_control_path,
                    strerror(&e)
                );
                stderr(k, pid, &msg)
            })?;
        let efd = k
            .eventfd(pid, 0, 0)
            .map_err(|e| perror(k, pid, "eventfd() failed", &e))?;
        let line = format!("{} {} {}", efd.0, cfd.0, self.argv2);
        if line.len() >= LINE_MAX {
            return Err(stderr(k, pid, "Arguments string is too long\n"));
        }
        let mut bytes = line.into_bytes();
        bytes.push(0);
        k.write(pid, event_control, &bytes)
            .map_err(|e| perror(k, pid, "Cannot write to cgroup.event_control", &e))?;
        Ok(efd)
    }

    /// Step 6 until the read would block.
    fn read_loop(&mut self, k: &Kernel, pid: Pid, efd: Fd) -> Step {
        loop {
            let mut buf = [0u8; 8];
            match k.read(pid, efd, &mut buf) {
                Ok(n) => {
                    assert_eq!(n, 8, "an eventfd read returns 8 bytes");
                }
                Err(e) if e.errno == Errno::EAGAIN => return Step::WaitReadable(efd),
                Err(e) if e.errno == Errno::EINTR => continue,
                Err(e) => return Step::Exit(perror(k, pid, "Cannot read from eventfd", &e)),
            }
            match k.access(pid, &self.event_control_path, W_OK) {
                Err(e) if e.errno == Errno::ENOENT => {
                    let _ = k.write(pid, Fd(1), b"The cgroup seems to have removed.\n");
                    return Step::Exit(0);
                }
                Err(e) => {
                    return Step::Exit(perror(
                        k,
                        pid,
                        "cgroup.event_control is not accessable any more",
                        &e,
                    ));
                }
                Ok(()) => {
                    let line = format!("{} {}: crossed\n", self.argv1, self.argv2);
                    let _ = k.write(pid, Fd(1), line.as_bytes());
                }
            }
        }
    }
}

impl Program for Listener {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let efd = match self.state {
            State::Start => match self.start(k, pid) {
                Ok(efd) => {
                    self.state = State::Reading { efd };
                    efd
                }
                Err(status) => return Step::Exit(status),
            },
            State::Reading { efd } => efd,
        };
        self.read_loop(k, pid, efd)
    }
}

fn strerror(e: &SysError) -> &'static str {
    e.errno.strerror()
}

/// Write `text` to stderr; the exit status that follows (1).
fn stderr(k: &Kernel, pid: Pid, text: &str) -> i32 {
    let _ = k.write(pid, Fd(2), text.as_bytes());
    1
}

/// `perror(what)`: `<what>: <strerror>` on stderr; the exit status that follows (1).
fn perror(k: &Kernel, pid: Pid, what: &str, e: &SysError) -> i32 {
    stderr(k, pid, &format!("{what}: {}\n", strerror(e)))
}

#[cfg(test)]
mod tests {
    use super::dirname;

    #[test]
    fn dirname_like_glibc() {
        for (path, dir) in [
            (
                "/sys/fs/cgroup/memory/A/memory.usage_in_bytes",
                "/sys/fs/cgroup/memory/A",
            ),
            ("memory.pressure_level", "."),
            ("A/memory.oom_control", "A"),
            ("/memory.oom_control", "/"),
            ("/a//b", "/a"),
            ("/a/b/", "/a"),
            ("/", "/"),
            ("a/", "."),
        ] {
            assert_eq!(dirname(path), dir, "{path}");
        }
    }
}
