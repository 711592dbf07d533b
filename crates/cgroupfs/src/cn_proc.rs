//! The process events connector: `drivers/connector/cn_proc.c` (v2.6.35), which tells a
//! listener on the `NETLINK_CONNECTOR` socket bound to `CN_IDX_PROC` about every fork, exec,
//! uid or gid change and exit (`proc_fork_connector` from `copy_process`,
//! `proc_exec_connector` from `search_binary_handler`, `proc_id_connector` from
//! `commit_creds` when the real or effective id changes, `proc_exit_connector` from
//! `do_exit`). libcgroup's `cgrulesengd` listens to it to move processes by its rules.
//!
//! **Differences:** the socket is a byte stream read like a pipe, and each `struct
//! proc_event` is one text line: `fork PARENT CHILD`, `exec PID`, `uid PID RUID EUID`, `gid
//! PID RGID EGID`, `exit PID`. Listening needs no capability (2.6.35 checks none either; the
//! `CAP_NET_ADMIN` check came in 3.x). Events are queued for every listener without bound.
//! A listener (the daemon, on another CPU in a real machine) handles the events of a fork,
//! exec or id change before the process that caused them goes on
//! ([`Kernel::cn_proc_run_listeners`]), so a rules daemon has moved a process before it
//! runs its first instruction: deterministic where the real race usually ends that way.

use crate::file::{FileKind, OpenFile};
use crate::pipe::PipeEnd;
use crate::state::State;
use crate::{Fd, Kernel};
use cgsim_ktypes::{Cred, Pid, SysResult, Tracer};

/// One `struct proc_event` (`include/linux/cn_proc.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcEvent {
    /// `PROC_EVENT_FORK`: parent, child.
    Fork(Pid, Pid),
    /// `PROC_EVENT_EXEC`.
    Exec(Pid),
    /// `PROC_EVENT_UID`: pid, ruid, euid.
    Uid(Pid, u32, u32),
    /// `PROC_EVENT_GID`: pid, rgid, egid.
    Gid(Pid, u32, u32),
    /// `PROC_EVENT_EXIT`.
    Exit(Pid),
}

impl ProcEvent {
    /// The event as the simulated socket carries it (one line).
    pub fn line(&self) -> String {
        match self {
            ProcEvent::Fork(p, c) => format!("fork {p} {c}\n"),
            ProcEvent::Exec(p) => format!("exec {p}\n"),
            ProcEvent::Uid(p, r, e) => format!("uid {p} {r} {e}\n"),
            ProcEvent::Gid(p, r, e) => format!("gid {p} {r} {e}\n"),
            ProcEvent::Exit(p) => format!("exit {p}\n"),
        }
    }

    /// Parse one line of [`ProcEvent::line`].
    pub fn parse(line: &str) -> Option<ProcEvent> {
        let w: Vec<&str> = line.split_whitespace().collect();
        let n = |i: usize| w.get(i).and_then(|s| s.parse::<i64>().ok());
        let pid = |i: usize| n(i).map(|v| Pid(v as i32));
        match *w.first()? {
            "fork" => Some(ProcEvent::Fork(pid(1)?, pid(2)?)),
            "exec" => Some(ProcEvent::Exec(pid(1)?)),
            "uid" => Some(ProcEvent::Uid(pid(1)?, n(2)? as u32, n(3)? as u32)),
            "gid" => Some(ProcEvent::Gid(pid(1)?, n(2)? as u32, n(3)? as u32)),
            "exit" => Some(ProcEvent::Exit(pid(1)?)),
            _ => None,
        }
    }
}

impl<T: Tracer> Kernel<T> {
    /// Step every listener that has events to read, until none has (see the header).
    pub(crate) fn cn_proc_run_listeners(&self) {
        let pids: Vec<Pid> = self.lock_state().cn_proc.iter().map(|(p, _)| *p).collect();
        for pid in pids {
            for _ in 0..crate::sched::MAX_ROUNDS {
                if !self.sched_run_one_if_ready(pid) {
                    break;
                }
            }
        }
    }

    /// `socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)`, `bind` to `CN_IDX_PROC` and
    /// `PROC_CN_MCAST_LISTEN`: an fd from which `pid` reads the process events from now on.
    pub fn cn_proc_listen(&self, pid: Pid) -> SysResult<Fd> {
        let mut st = self.lock_state();
        self.live_cred(&st, pid)?;
        let (r, w) = PipeEnd::pair();
        let fd = self.install_fd(
            &mut st,
            pid,
            OpenFile::new(FileKind::Pipe(r), true, false),
            false,
        );
        if fd.is_ok() {
            st.cn_proc.push((pid, w));
        }
        self.unlock(st);
        fd
    }
}

/// `cn_netlink_send` of one event to every listener; a listener whose socket is closed is
/// forgotten (`PROC_CN_MCAST_IGNORE` or the socket's release).
pub(crate) fn proc_event<T: Tracer>(st: &mut State<T>, ev: ProcEvent) {
    if st.cn_proc.is_empty() {
        return;
    }
    let line = ev.line();
    st.cn_proc
        .retain(|(_, w)| w.write(line.as_bytes(), false).is_ok());
}

/// `proc_id_connector` from `commit_creds`: a uid event when the real or effective uid
/// changes, a gid event when the real or effective gid does.
pub(crate) fn proc_id_events<T: Tracer>(st: &mut State<T>, pid: Pid, old: &Cred, new: &Cred) {
    if old.uid != new.uid || old.euid != new.euid {
        proc_event(st, ProcEvent::Uid(pid, new.uid.0, new.euid.0));
    }
    if old.gid != new.gid || old.egid != new.egid {
        proc_event(st, ProcEvent::Gid(pid, new.gid, new.egid));
    }
}
