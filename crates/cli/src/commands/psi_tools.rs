//! `psi_listener` and `events_listener`: the cgroup v2 ways of being told about memory
//! trouble, as simulated programs (run them with `&`, like `cgroup_event_listener`).
//!
//! **Kernel:** `psi_listener` is the example program of `Documentation/accounting/psi.rst`
//! (v6.6, "Userspace monitor usage example"): open a pressure file `O_RDWR|O_NONBLOCK`, write
//! a trigger with its NUL byte, print `waiting for events...`, then `poll(POLLPRI)` forever,
//! printing `event triggered!` for each event, `got POLLERR, event source is gone` (exit 0) when
//! the file goes away, and its other messages on standard output as the example's `printf`s do.
//! The example hard-codes `/proc/pressure/memory` and `some 150000 1000000`; here they are the
//! defaults of two optional operands. `events_listener` is cgsim's own: it watches a file that
//! `cgroup_file_notify` modifies (`cgroup.events`, `memory.events`, `memory.events.local`,
//! `memory.swap.events`) the way `Documentation/admin-guide/cgroup-v2.rst` describes it
//! ("a value change in this file generates a file modified event"): `poll(POLLPRI)`, then
//! `lseek(0)` and `read`, printing the file's text at start and after each modification, and
//! exits 0 once the cgroup is removed (the read fails with ENODEV).
//!
//! **Differences:** stdout is written line by line; a poll wakes at the next scheduling point
//! after the event (see `cgsim_cgroupfs::psi`).

use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::psi::{POLLERR, POLLPRI};
use cgsim_cgroupfs::{Fd, Kernel, OpenFlags, Program, Step};
use cgsim_ktypes::{Errno, Pid};

/// `psi_listener`'s usage line.
pub const PSI_USAGE: &str = "Usage: psi_listener [PRESSURE_FILE [TRIGGER]]";
/// `events_listener`'s usage line.
pub const EVENTS_USAGE: &str = "Usage: events_listener FILE";

const PSI_HELP: &str = "\
Usage: psi_listener [PRESSURE_FILE [TRIGGER]]
Write a PSI trigger to PRESSURE_FILE and print a line for each event, as the
example program of the kernel's Documentation/accounting/psi.rst does.

  PRESSURE_FILE  /proc/pressure/memory by default, or a cgroup's memory.pressure,
                 io.pressure or cpu.pressure
  TRIGGER        \"some|full STALL_US WINDOW_US\", by default \"some 150000 1000000\"
                 (an event when tasks stalled 150 ms within a 1 s window)
      --help     display this help and exit

Run it in the background: psi_listener /sys/fs/cgroup/A/memory.pressure &
";

const EVENTS_HELP: &str = "\
Usage: events_listener FILE
Print FILE, then print it again each time the kernel notifies a modification
(poll with POLLPRI, then read it again from the start). FILE is a cgroup v2
events file: cgroup.events, memory.events, memory.events.local or
memory.swap.events. Exits when the cgroup is removed.

      --help     display this help and exit

Run it in the background: events_listener /sys/fs/cgroup/A/memory.events &
";

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "psi_listener",
        "psi_listener [PRESSURE_FILE [TRIGGER]]",
        "write a PSI trigger to a pressure file and print `event triggered!` per event \
         (run it with &)",
        Kind::Program(psi_listener),
    );
    r.set_help("psi_listener", PSI_HELP);
    r.add(
        "events_listener",
        "events_listener FILE",
        "print a cgroup events file each time it is modified (run it with &)",
        Kind::Program(events_listener),
    );
    r.set_help("events_listener", EVENTS_HELP);
}

/// An operand that looks like an option is a usage error (the tools take none but `--help`).
fn check_operands(
    argv: &[String],
    max: usize,
    min: usize,
    usage: &str,
) -> Result<(), (String, i32)> {
    let ops = &argv[1..];
    if let Some(o) = ops.iter().find(|a| a.starts_with('-') && a.len() > 1) {
        let name = &argv[0];
        let msg = if o.starts_with("--") {
            format!("{name}: unrecognized option '{o}'\n{usage}")
        } else {
            format!("{name}: invalid option -- '{}'\n{usage}", &o[1..2])
        };
        return Err((msg, 1));
    }
    if ops.len() > max || ops.len() < min {
        return Err((usage.to_string(), 1));
    }
    Ok(())
}

fn psi_listener(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    check_operands(argv, 2, 0, PSI_USAGE)?;
    let path = argv
        .get(1)
        .cloned()
        .unwrap_or_else(|| "/proc/pressure/memory".to_string());
    let trig = argv
        .get(2)
        .cloned()
        .unwrap_or_else(|| "some 150000 1000000".to_string());
    Ok(Spawn {
        program: Box::new(PsiListener {
            path,
            trig,
            fd: None,
        }),
        wakes_at: None,
    })
}

fn events_listener(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    check_operands(argv, 1, 1, EVENTS_USAGE)?;
    Ok(Spawn {
        program: Box::new(EventsListener {
            path: argv[1].clone(),
            fd: None,
        }),
        wakes_at: None,
    })
}

fn out(k: &Kernel, pid: Pid, text: &str) {
    let _ = k.write(pid, Fd(1), text.as_bytes());
}

/// The psi.rst example program.
pub struct PsiListener {
    path: String,
    trig: String,
    fd: Option<Fd>,
}

impl Program for PsiListener {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let fd = match self.fd {
            Some(fd) => fd,
            None => {
                let flags = OpenFlags {
                    nonblock: true,
                    ..OpenFlags::RDWR
                };
                let fd = match k.open(pid, &self.path, flags, 0) {
                    Ok(fd) => fd,
                    Err(e) => {
                        out(
                            k,
                            pid,
                            &format!("{} open error: {}\n", self.path, e.errno.strerror()),
                        );
                        return Step::Exit(1);
                    }
                };
                // write(fds.fd, trig, strlen(trig) + 1): the NUL byte too.
                let mut buf = self.trig.clone().into_bytes();
                buf.push(0);
                if let Err(e) = k.write(pid, fd, &buf) {
                    out(
                        k,
                        pid,
                        &format!("{} write error: {}\n", self.path, e.errno.strerror()),
                    );
                    return Step::Exit(1);
                }
                out(k, pid, "waiting for events...\n");
                self.fd = Some(fd);
                fd
            }
        };
        loop {
            let revents = match k.poll(pid, fd, POLLPRI) {
                Ok(r) => r,
                Err(e) if e.errno == Errno::EINTR => continue,
                Err(e) => {
                    out(k, pid, &format!("poll error: {}\n", e.errno.strerror()));
                    return Step::Exit(1);
                }
            };
            if revents == 0 {
                return Step::WaitPri(fd);
            }
            if revents & POLLERR != 0 {
                out(k, pid, "got POLLERR, event source is gone\n");
                return Step::Exit(0);
            }
            if revents & POLLPRI != 0 {
                out(k, pid, "event triggered!\n");
            } else {
                out(k, pid, &format!("unknown event received: 0x{revents:x}\n"));
                return Step::Exit(1);
            }
        }
    }
}

/// A poller of a cgroup events file.
pub struct EventsListener {
    path: String,
    fd: Option<Fd>,
}

impl EventsListener {
    /// `lseek(fd, 0)` and read the whole file; `Err` with the errno of a failed read.
    fn read_all(k: &Kernel, pid: Pid, fd: Fd) -> Result<Vec<u8>, Errno> {
        k.lseek_set(pid, fd, 0).map_err(|e| e.errno)?;
        let mut text = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match k.read(pid, fd, &mut buf) {
                Ok(0) => return Ok(text),
                Ok(n) => text.extend_from_slice(&buf[..n]),
                Err(e) => return Err(e.errno),
            }
        }
    }
}

impl Program for EventsListener {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let fd = match self.fd {
            Some(fd) => fd,
            None => {
                let fd = match k.open(pid, &self.path, OpenFlags::RDONLY, 0) {
                    Ok(fd) => fd,
                    Err(e) => {
                        let msg = format!(
                            "events_listener: cannot open {}: {}\n",
                            self.path,
                            e.errno.strerror()
                        );
                        let _ = k.write(pid, Fd(2), msg.as_bytes());
                        return Step::Exit(1);
                    }
                };
                match Self::read_all(k, pid, fd) {
                    Ok(text) => {
                        let _ = k.write(pid, Fd(1), &text);
                    }
                    Err(e) => {
                        let msg = format!("events_listener: {}: {}\n", self.path, e.strerror());
                        let _ = k.write(pid, Fd(2), msg.as_bytes());
                        return Step::Exit(1);
                    }
                }
                self.fd = Some(fd);
                fd
            }
        };
        loop {
            match k.poll(pid, fd, POLLPRI) {
                Ok(0) => return Step::WaitPri(fd),
                Ok(_) => {}
                Err(e) if e.errno == Errno::EINTR => continue,
                Err(e) => {
                    let msg = format!("events_listener: poll: {}\n", e.errno.strerror());
                    let _ = k.write(pid, Fd(2), msg.as_bytes());
                    return Step::Exit(1);
                }
            }
            // kernfs reports POLLERR|POLLPRI both for a modification and for a removed file:
            // the read tells them apart.
            match Self::read_all(k, pid, fd) {
                Ok(text) => {
                    let _ = k.write(pid, Fd(1), &text);
                }
                Err(Errno::ENODEV) => {
                    out(k, pid, &format!("{}: the cgroup was removed\n", self.path));
                    return Step::Exit(0);
                }
                Err(e) => {
                    let msg = format!("events_listener: {}: {}\n", self.path, e.strerror());
                    let _ = k.write(pid, Fd(2), msg.as_bytes());
                    return Step::Exit(1);
                }
            }
        }
    }
}
