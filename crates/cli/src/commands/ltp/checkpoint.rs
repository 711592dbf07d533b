//! LTP's checkpoints: `tst_checkpoint wait TIMEOUT ID` and `tst_checkpoint wake TIMEOUT ID
//! NR_WAKE` (`testcases/lib/tst_checkpoint.c` and `lib/tst_checkpoint.c`, LTP 20250530), and
//! the wake side that `memcg_process` runs at start (`TST_CHECKPOINT_WAKE(0)`).
//!
//! **Real tool:** the test library creates one page at `$LTP_IPC_PATH` (`/dev/shm/ltp_ID_PID`)
//! and every helper maps it (`tst_reinit`); checkpoint ID is the futex at index ID. A waiter
//! sleeps in `FUTEX_WAIT` for at most TIMEOUT ms; a waker calls `FUTEX_WAKE` every millisecond
//! until NR_WAKE waiters have been woken in total, or fails with ETIMEDOUT after TIMEOUT ms.
//! Exit status 0 on success, 1 on failure (timeout) or bad arguments (with the usage text).
//! Without `LTP_IPC_PATH` in the environment `tst_reinit` stops the helper with TBROK.
//!
//! **Differences:** the simulated kernel has no futexes, so the page holds tickets instead,
//! written through ordinary reads and writes of the file: word `2*ID` counts the waiters that
//! arrived, word `2*ID+1` the waiters woken. A waiter takes the next ticket and polls every
//! simulated millisecond until it is woken; a waker wakes every pending ticket each
//! millisecond. The observable behaviour (who blocks, for how long, what times out) is the
//! futex protocol's; the page's bytes are not the real library's layout.

use super::{TestRes, tst_print};
use crate::commands::Spawn;
use cgsim_cgroupfs::{Kernel, OpenFlags, Program, Step};
use cgsim_ktypes::Pid;

/// One simulated millisecond, the helpers' polling period (`usleep(1000)`).
pub const MS: u64 = 1_000_000;

/// The ticket words of checkpoint `id` in the page at `path`, as `(arrived, woken)`.
fn read_words(k: &Kernel, pid: Pid, path: &str, id: u32) -> Option<(u32, u32)> {
    let fd = k.open(pid, path, OpenFlags::RDONLY, 0).ok()?;
    let mut page = vec![0u8; 4096];
    let mut got = 0;
    while got < page.len() {
        match k.read(pid, fd, &mut page[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = k.close(pid, fd);
    let at = (id as usize) * 8;
    if at + 8 > got {
        return None;
    }
    let w = |o: usize| u32::from_le_bytes(page[o..o + 4].try_into().expect("4 bytes"));
    Some((w(at), w(at + 4)))
}

/// Store the ticket words of checkpoint `id`.
fn write_words(k: &Kernel, pid: Pid, path: &str, id: u32, words: (u32, u32)) -> bool {
    let Ok(fd) = k.open(pid, path, OpenFlags::RDWR, 0) else {
        return false;
    };
    let mut page = vec![0u8; 4096];
    let mut got = 0;
    while got < page.len() {
        match k.read(pid, fd, &mut page[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = k.close(pid, fd);
    let at = (id as usize) * 8;
    if at + 8 > got {
        return false;
    }
    page[at..at + 4].copy_from_slice(&words.0.to_le_bytes());
    page[at + 4..at + 8].copy_from_slice(&words.1.to_le_bytes());
    let Ok(fd) = k.open(pid, path, OpenFlags::WRONLY, 0) else {
        return false;
    };
    let ok = k.write(pid, fd, &page[..got]).is_ok();
    let _ = k.close(pid, fd);
    ok
}

/// The number of futexes in the page (`tst_max_futexes`); our tickets take two words each.
fn max_id() -> u32 {
    4096 / 8
}

/// The waking side of a checkpoint, as a state machine a program steps: `tst_checkpoint wake`
/// and `memcg_process`'s `TST_CHECKPOINT_WAKE(0)`.
pub struct Waker {
    pub path: String,
    pub id: u32,
    pub nr_wake: u32,
    pub waked: u32,
    pub deadline: u64,
}

/// What a step of a checkpoint operation decided.
pub enum Poll {
    Done,
    Again(Step),
    TimedOut,
}

impl Waker {
    pub fn new(k: &Kernel, path: String, id: u32, nr_wake: u32, timeout_ms: u64) -> Waker {
        Waker {
            path,
            id,
            nr_wake,
            waked: 0,
            deadline: k.clock().now_nanos() + timeout_ms * MS,
        }
    }

    /// `FUTEX_WAKE` of every waiting ticket, until `nr_wake` were woken or the time is up.
    pub fn poll(&mut self, k: &Kernel, pid: Pid) -> Poll {
        if let Some((arrived, woken)) = read_words(k, pid, &self.path, self.id)
            && arrived > woken
        {
            self.waked += arrived - woken;
            write_words(k, pid, &self.path, self.id, (arrived, arrived));
        }
        if self.waked == self.nr_wake {
            return Poll::Done;
        }
        let now = k.clock().now_nanos();
        if now >= self.deadline {
            return Poll::TimedOut;
        }
        Poll::Again(Step::SleepUntil(now + MS))
    }
}

/// The waiting side: takes a ticket, then sleeps until it is woken or the time is up.
pub struct Waiter {
    path: String,
    id: u32,
    ticket: Option<u32>,
    deadline: u64,
}

impl Waiter {
    fn poll(&mut self, k: &Kernel, pid: Pid) -> Poll {
        let Some((arrived, woken)) = read_words(k, pid, &self.path, self.id) else {
            return Poll::TimedOut;
        };
        let ticket = match self.ticket {
            Some(t) => t,
            None => {
                write_words(k, pid, &self.path, self.id, (arrived + 1, woken));
                self.ticket = Some(arrived);
                arrived
            }
        };
        if woken > ticket {
            return Poll::Done;
        }
        let now = k.clock().now_nanos();
        if now >= self.deadline {
            return Poll::TimedOut;
        }
        Poll::Again(Step::SleepUntil(now + MS))
    }
}

enum Op {
    Wait(Waiter),
    Wake(Waker),
    /// `tst_reinit` found no `LTP_IPC_PATH`.
    NoIpc,
}

struct TstCheckpoint {
    op: Option<Op>,
    argv: Vec<String>,
}

const USAGE: &str = "Usage: tst_checkpoint wait TIMEOUT ID\n   or: tst_checkpoint wake TIMEOUT ID NR_WAKE\n       TIMEOUT - timeout in ms\n       ID - checkpoint id\n       NR_WAKE - number of processes to wake up\n";

/// `get_val`: `strtoul` base 10 with the C tool's checks.
fn get_val(name: &str, arg: &str) -> Result<u32, String> {
    let t = arg.trim_start();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<u64>() {
        Ok(v) if v <= u64::from(u32::MAX) => Ok(v as u32),
        _ => Err(format!("ERROR: Invalid {name} '{arg}'\n")),
    }
}

pub(super) fn tst_checkpoint(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let help = |pre: String| Err((format!("{pre}{}", USAGE.trim_end()), 1));
    if argv.len() < 3 {
        return help(String::new());
    }
    match argv[1].as_str() {
        "wait" if argv.len() == 4 => {}
        "wake" if argv.len() == 5 => {
            if let Err(m) = get_val("NR_WAKE", &argv[4]) {
                return help(m);
            }
        }
        "wait" | "wake" => return help(String::new()),
        other => return help(format!("ERROR: Invalid COMMAND '{other}'\n")),
    }
    if let Err(m) = get_val("TIMEOUT", &argv[2]).and_then(|_| get_val("ID", &argv[3])) {
        return help(m);
    }
    // It polls every millisecond until its timeout: a timer the shell may advance the clock to.
    let timeout = u64::from(get_val("TIMEOUT", &argv[2]).unwrap_or(0));
    Ok(Spawn {
        program: Box::new(TstCheckpoint {
            op: None,
            argv: argv.to_vec(),
        }),
        wakes_at: Some(k.clock().now_nanos() + (timeout + 1) * MS),
    })
}

impl Program for TstCheckpoint {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if self.op.is_none() {
            // tst_reinit: the environment names the page.
            let timeout = u64::from(get_val("TIMEOUT", &self.argv[2]).unwrap_or(0));
            let id = get_val("ID", &self.argv[3]).unwrap_or(0);
            self.op = Some(match k.getenv(pid, "LTP_IPC_PATH") {
                None => Op::NoIpc,
                Some(path) if self.argv[1] == "wait" => Op::Wait(Waiter {
                    path,
                    id,
                    ticket: None,
                    deadline: k.clock().now_nanos() + timeout * MS,
                }),
                Some(path) => {
                    let nr = get_val("NR_WAKE", &self.argv[4]).unwrap_or(0);
                    Op::Wake(Waker::new(k, path, id, nr, timeout))
                }
            });
            let id_ok = id < max_id();
            if !id_ok {
                // EOVERFLOW from the library: the helper returns 1.
                return Step::Exit(1);
            }
        }
        let polled = match self.op.as_mut().expect("set above") {
            Op::NoIpc => {
                tst_print(
                    k,
                    pid,
                    "tst_test.c",
                    175,
                    TestRes::Brok,
                    "LTP_IPC_PATH is not defined",
                );
                return Step::Exit(2);
            }
            Op::Wait(w) => w.poll(k, pid),
            Op::Wake(w) => w.poll(k, pid),
        };
        match polled {
            Poll::Done => Step::Exit(0),
            Poll::Again(s) => s,
            Poll::TimedOut => Step::Exit(1),
        }
    }
}
