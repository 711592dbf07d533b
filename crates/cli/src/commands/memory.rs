//! Memory commands: `memcg_process` (the Linux Test Project's tool), the teaching programs
//! `memhold` and `pagecache`, `free`, `swapon` and `swapoff`. numactl's `memhog` is in
//! `memhog.rs`, `stress` in `stress.rs`.
//!
//! **memcg_process** follows LTP 20250530's `testcases/kernel/controllers/memcg/functional/
//! memcg_process.c`: options `--mmap-anon`, `--mmap-file` (a shared mapping of `/dev/zero`),
//! `--mmap-lock1` (`MAP_LOCKED`), `--mmap-lock2` (`mmap` then `mlock`, which faults the pages
//! in; EAGAIN from `mlock` exits 2), `--shm` (`shmget(ftok("/dev/null", KEY), ...)` with the
//! key id of `-k`/`--key`, default 0, `shmat`), `-s`/`--size SIZE`
//! (bytes, `strtoul` with nothing left over, else `memcg_process: wrong -s argument!`);
//! every SIGUSR1 toggles between allocating (each selected kind, every page touched) and
//! freeing (`munmap`, `shmdt`); SIGINT ends it with status 0. At start it wakes LTP checkpoint
//! 0 (`tst_reinit(); TST_CHECKPOINT_WAKE(0)`, see `ltp/checkpoint.rs`). It prints nothing on
//! success; a failed call prints `err(3)`'s `memcg_process: <what> failed: <strerror>` and
//! exits 1; an unknown option gets getopt_long's line and `memcg_process: unknown option: ?`.
//! **Differences:** without `LTP_IPC_PATH` in its environment (run by hand) it skips the
//! checkpoint, where the real program stops with TBROK; `--hugepage` is not there (the
//! simulated kernel has no hugetlbfs); the shm segment is removed (`IPC_RMID`) when it is
//! freed, as LTP releases before 20250530 did, not right after `shmat`: a process killed with
//! the segment attached leaves it (and its charge) behind, which `docs/memory-tour.sh` shows.
//! A page fault that must wait for the memcg OOM killer (`oom_kill_disable`)
//! leaves the program in state D; it retries when woken. A fault that fails outright (no victim
//! left) ends it with SIGBUS instead of the kernel's `VM_FAULT_OOM` handling.

use super::text::{Input, ReadError, report_read_error};
use super::{Kind, Registry, Spawn};
use crate::Shell;
use cgsim_cgroupfs::{Fd, Kernel, MmapFlags, Program, Signal, Step};
use cgsim_ktypes::parse::{MemparseSuffixes, memparse};
use cgsim_ktypes::{Errno, Pid, SysError};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "memcg_process",
        "memcg_process [--mmap-anon] [--mmap-file] [--mmap-lock1] [--mmap-lock2] [--shm [-k KEY]] -s SIZE",
        "LTP's memcg test process: each SIGUSR1 allocates (touching every page) or frees; SIGINT exits",
        Kind::Program(memcg_process),
    );
    r.add(
        "memhold",
        "memhold [-l] [-f] SIZE",
        "cgsim's teaching program: map SIZE (K/M/G) of anonymous memory, touch it (-l: mlock it; -f: then fork a child sharing it copy-on-write), then hold it until killed; SIGUSR1 writes every page again",
        Kind::Program(memhold),
    );
    r.set_help("memhold", MEMHOLD_HELP);
    r.add(
        "pagecache",
        "pagecache FILE...",
        "read FILEs into the page cache (charged as cache), printing nothing",
        Kind::External(pagecache),
    );
    r.add(
        "free",
        "free [-b|-k|-m|-g|-h] [-t]",
        "show RAM and swap (procps layout, from /proc/meminfo; KiB unless -b/-m/-g/-h; -t: a Total line)",
        Kind::External(free),
    );
    r.add(
        "swapon",
        "swapon [-a] [-s] [DEVICE...]",
        "enable the machine's swap area (/dev/sda2; -a: every area), or -s: print /proc/swaps",
        Kind::External(swapon),
    );
    r.add(
        "swapoff",
        "swapoff [-a] [DEVICE...]",
        "bring every swapped page back into memory and disable the swap area (-a: every area)",
        Kind::External(swapoff),
    );
}

/// Write `text` to the program's stderr (fd 2), ignoring failures.
pub(super) fn stderr(k: &Kernel, pid: Pid, text: &str) {
    let _ = k.write(pid, Fd(2), text.as_bytes());
}

/// `perror(what)`.
fn perror(k: &Kernel, pid: Pid, what: &str, e: &SysError) {
    let prog = k
        .ps()
        .into_iter()
        .find(|p| p.pid == pid)
        .map_or_else(|| "memcg_process".to_string(), |p| p.comm);
    stderr(
        k,
        pid,
        &format!("{prog}: {what} failed: {}\n", e.errno.strerror()),
    );
}

/// What a fault's failure means for a program: wait (retry later) or stop.
enum FaultStop {
    /// State D on the memcg OOM wait queue, or killed: return `Step::Yield`; the kernel keeps
    /// the task asleep, or it is gone.
    Retry,
    /// The fault failed (no victim to kill): the process gets SIGBUS.
    Fail,
}

fn fault_stop(k: &Kernel, pid: Pid, e: &SysError) -> FaultStop {
    if e.errno == Errno::EINTR {
        FaultStop::Retry
    } else {
        let _ = k.send_sig(pid, Signal(7));
        FaultStop::Fail
    }
}

// ---- memcg_process ----------------------------------------------------------------------------

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum MemKind {
    Anon,
    File,
    Lock1,
    Lock2,
    Shm,
}

impl MemKind {
    /// What `err(3)` names when the mapping fails, and when `munmap` fails.
    fn what(self) -> (&'static str, &'static str) {
        match self {
            MemKind::Anon => ("mmap(anonymous)", "munmap(anonymous)"),
            MemKind::File => ("mmap(file)", "munmap(file)"),
            MemKind::Lock1 => ("mmap(lock)", "munmap(lock)"),
            MemKind::Lock2 => ("mmap", "munmap"),
            MemKind::Shm => ("shmget()", "shmdt()"),
        }
    }
}

/// One allocation: where it is mapped and how far touching got.
#[derive(Copy, Clone, Debug)]
struct Region {
    kind: MemKind,
    addr: Option<u64>,
    shmid: Option<i32>,
    /// `mlock` done (lock2).
    locked: bool,
    touched: bool,
}

struct MemcgProcess {
    kinds: Vec<MemKind>,
    size: u64,
    key: i32,
    /// SIGUSR1s not acted on yet.
    toggles: u32,
    allocated: bool,
    /// The allocation in progress or done, one region per kind.
    regions: Vec<Region>,
    exit: bool,
    /// `tst_reinit(); TST_CHECKPOINT_WAKE(0);` at start: `None` before it ran, then the waker
    /// until the test's `tst_checkpoint wait 10000 0` was woken.
    start: Option<Option<crate::commands::ltp::checkpoint::Waker>>,
}

impl MemcgProcess {
    /// Allocate every kind, resuming where an OOM wait stopped. `Ok(true)` when done.
    fn allocate(&mut self, k: &Kernel, pid: Pid) -> Result<bool, i32> {
        if self.regions.is_empty() {
            self.regions = self
                .kinds
                .iter()
                .map(|&kind| Region {
                    kind,
                    addr: None,
                    shmid: None,
                    locked: false,
                    touched: false,
                })
                .collect();
        }
        for i in 0..self.regions.len() {
            let r = &mut self.regions[i];
            if r.addr.is_none() {
                let mapped = match r.kind {
                    MemKind::Anon | MemKind::Lock2 => {
                        k.mmap_anon(pid, self.size, MmapFlags::default())
                    }
                    MemKind::Lock1 => k.mmap_anon(pid, self.size, MmapFlags { locked: true }),
                    MemKind::File => k.mmap_shared_zero(pid, self.size),
                    MemKind::Shm => {
                        // IPC_CREAT | SHM_R | SHM_W with the key ftok("/dev/null", key_id)
                        // gives: the id in the top byte, then the low bytes of st_dev
                        // (rootfs, 0:1) and of the inode number.
                        let ino = k.stat(pid, "/dev/null").map_or(0, |s| s.ino);
                        let key = ((self.key & 0xff) << 24) | (1 << 16) | (ino & 0xffff) as i32;
                        let flags = cgsim_cgroupfs::IPC_CREAT | 0o600;
                        let id = match k.shmget(pid, key, self.size, flags) {
                            Ok(id) => id,
                            Err(e) => {
                                perror(k, pid, "shmget()", &e);
                                return Err(1);
                            }
                        };
                        r.shmid = Some(id);
                        let at = k.shmat(pid, id);
                        if let Err(e) = &at {
                            let _ = k.shmctl_rmid(pid, id);
                            perror(k, pid, "shmat()", e);
                            return Err(1);
                        }
                        // 20250530 removes the segment here (IPC_RMID right after shmat);
                        // this one removes it at the free, see Differences.
                        at
                    }
                };
                match mapped {
                    Ok(a) => r.addr = Some(a),
                    Err(e) => {
                        perror(k, pid, r.kind.what().0, &e);
                        return Err(1);
                    }
                }
                if k.oom_waiting(pid) {
                    return Ok(false);
                }
            }
            let addr = r.addr.expect("mapped above");
            if r.kind == MemKind::Lock2 && !r.locked {
                match k.mlock(pid, addr, self.size) {
                    // mlock faults every page in; lock2 does not touch them itself.
                    Ok(()) => {
                        r.locked = true;
                        r.touched = true;
                    }
                    Err(e) if e.errno == Errno::EINTR => return Ok(false),
                    Err(e) if e.errno == Errno::EAGAIN => return Err(2),
                    Err(e) => {
                        perror(k, pid, "mlock", &e);
                        return Err(1);
                    }
                }
            }
            if !r.touched {
                match k.touch(pid, addr, self.size) {
                    Ok(()) => r.touched = true,
                    Err(e) => {
                        return match fault_stop(k, pid, &e) {
                            FaultStop::Retry => Ok(false),
                            FaultStop::Fail => Err(1),
                        };
                    }
                }
            }
        }
        Ok(true)
    }

    /// Free every region (`munmap`; `shmdt` + `shmctl(IPC_RMID)`).
    fn free(&mut self, k: &Kernel, pid: Pid) -> Result<(), i32> {
        for r in std::mem::take(&mut self.regions) {
            let Some(addr) = r.addr else { continue };
            if r.kind == MemKind::Shm {
                if let Err(e) = k.shmdt(pid, addr) {
                    perror(k, pid, "shmdt()", &e);
                    return Err(1);
                }
                if let Some(id) = r.shmid
                    && let Err(e) = k.shmctl_rmid(pid, id)
                {
                    perror(k, pid, "shmctl()", &e);
                    return Err(1);
                }
            } else if let Err(e) = k.munmap(pid, addr, self.size) {
                perror(k, pid, r.kind.what().1, &e);
                return Err(1);
            }
        }
        Ok(())
    }
}

impl Program for MemcgProcess {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        use crate::commands::ltp::checkpoint::{Poll, Waker};
        if self.start.is_none() {
            // tst_reinit: the test library's page; without one (run by hand) there is no
            // checkpoint to wake.
            self.start = Some(
                k.getenv(pid, "LTP_IPC_PATH")
                    .map(|path| Waker::new(k, path, 0, 1, 10_000)),
            );
        }
        if let Some(Some(w)) = self.start.as_mut() {
            match w.poll(k, pid) {
                Poll::Done => self.start = Some(None),
                Poll::Again(s) => return s,
                Poll::TimedOut => {
                    crate::commands::ltp::tst_print(
                        k,
                        pid,
                        "memcg_process.c",
                        303,
                        crate::commands::ltp::TestRes::Brok,
                        "tst_checkpoint_wake(0, 1, 10000) failed: ETIMEDOUT (110)",
                    );
                    return Step::Exit(2);
                }
            }
        }
        while self.toggles > 0 && !self.exit {
            if self.allocated {
                if let Err(code) = self.free(k, pid) {
                    return Step::Exit(code);
                }
                self.allocated = false;
            } else {
                match self.allocate(k, pid) {
                    Ok(true) => self.allocated = true,
                    // Asleep on the OOM wait queue (or killed): retry on the next step.
                    Ok(false) => return Step::Yield,
                    Err(code) => return Step::Exit(code),
                }
            }
            self.toggles -= 1;
        }
        if self.exit {
            return Step::Exit(0);
        }
        // `while (!flag_exit) sleep(1);` — woken by the signal handlers.
        Step::SleepUntil(u64::MAX)
    }

    fn signal(&mut self, _k: &Kernel, _pid: Pid, sig: Signal) -> bool {
        match sig {
            Signal::SIGUSR1 => {
                self.toggles += 1;
                true
            }
            Signal::SIGINT => {
                self.exit = true;
                true
            }
            _ => false,
        }
    }

    fn catches(&self, sig: Signal) -> bool {
        matches!(sig, Signal::SIGUSR1 | Signal::SIGINT)
    }
}

/// `atoi`: leading white space, an optional sign, then digits; anything else stops it.
pub(crate) fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let v = digits.parse::<i64>().unwrap_or(0);
    if neg { -v } else { v }
}

/// `-s`: `strtoul(optarg, &end, 10)` with nothing left over, else `errx(1, "wrong -s
/// argument!")`.
fn strtoul_all(v: &str) -> Result<u64, (String, i32)> {
    let t = v.trim_start();
    let t = t.strip_prefix('+').unwrap_or(t);
    let wrong = || ("memcg_process: wrong -s argument!".to_string(), 1);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(wrong());
    }
    t.parse::<u64>().map_err(|_| wrong())
}

fn memcg_process(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let mut p = MemcgProcess {
        kinds: Vec::new(),
        size: 0,
        key: 0,
        toggles: 0,
        allocated: false,
        regions: Vec::new(),
        exit: false,
        start: None,
    };
    let add = |p: &mut MemcgProcess, kind| {
        if !p.kinds.contains(&kind) {
            p.kinds.push(kind);
        }
    };
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let value = |i: &mut usize, name: &str| -> Result<String, (String, i32)> {
            if let Some(v) = a.strip_prefix(&format!("--{name}=")) {
                return Ok(v.to_string());
            }
            *i += 1;
            argv.get(*i).cloned().ok_or((
                format!("memcg_process: option requires an argument -- '{name}'"),
                1,
            ))
        };
        match a {
            "--mmap-anon" => add(&mut p, MemKind::Anon),
            "--mmap-file" => add(&mut p, MemKind::File),
            "--mmap-lock1" => add(&mut p, MemKind::Lock1),
            "--mmap-lock2" => add(&mut p, MemKind::Lock2),
            "--shm" => add(&mut p, MemKind::Shm),
            _ if a == "-s" || a == "--size" || a.starts_with("--size=") => {
                p.size = strtoul_all(&value(&mut i, "size")?)?;
            }
            _ if a.starts_with("-s") && a.len() > 2 => p.size = strtoul_all(&a[2..])?,
            _ if a == "-k" || a == "--key" || a.starts_with("--key=") => {
                p.key = atoi(&value(&mut i, "key")?) as i32;
            }
            _ if a.starts_with("-k") && a.len() > 2 => p.key = atoi(&a[2..]) as i32,
            // getopt_long's complaint, then the tool's errx for the '?' it returned.
            _ if a.starts_with("--") => {
                return Err((
                    format!(
                        "memcg_process: unrecognized option '{a}'\nmemcg_process: unknown option: ?"
                    ),
                    1,
                ));
            }
            _ if a.starts_with('-') => {
                let c = a[1..].chars().next().unwrap_or('-');
                return Err((
                    format!(
                        "memcg_process: invalid option -- '{c}'\nmemcg_process: unknown option: ?"
                    ),
                    1,
                ));
            }
            _ => {}
        }
        i += 1;
    }
    Ok(Spawn {
        program: Box::new(p),
        wakes_at: None,
    })
}

// ---- memhold ----------------------------------------------------------------------------------

/// `memhold --help`. The program is cgsim's own (no Linux tool has this name), so its help
/// follows the coreutils layout.
const MEMHOLD_HELP: &str = "\
Usage: memhold [-l] [-f] SIZE
Map SIZE bytes of private anonymous memory, write to every page, then hold the
memory until killed (cgsim's teaching program; numactl's memhog allocates,
touches and exits instead).

  -l    mlock the mapping instead of only touching it
  -f    after touching, fork a child that shares the pages copy-on-write
          (the child's pid is printed on standard output)

SIZE is a number with an optional K, M or G suffix (powers of 1024).
Each SIGUSR1 makes the program (and the child) write every page again, which
copies pages still shared since the fork and charges the copies to the
writer's memory cgroup.
";

/// `memhold [-l] [-f] SIZE`: map, (lock,) touch, (fork a child that shares the pages
/// copy-on-write and prints nothing,) then sleep until killed. Each SIGUSR1 writes every page
/// again: in a process whose pages are still shared since the fork, that copies them
/// (`do_wp_page`), charging the copies to its own memcg.
#[derive(Clone)]
struct MemHold {
    size: u64,
    lock: bool,
    fork: bool,
    addr: Option<u64>,
    done: bool,
    /// SIGUSR1s not acted on yet.
    rewrites: u32,
}

impl Program for MemHold {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if !self.done {
            let addr = match self.addr {
                Some(a) => a,
                None => match k.mmap_anon(pid, self.size, MmapFlags::default()) {
                    Ok(a) => {
                        self.addr = Some(a);
                        a
                    }
                    Err(e) => {
                        perror(k, pid, "memhold: mmap", &e);
                        return Step::Exit(1);
                    }
                },
            };
            let r = if self.lock {
                k.mlock(pid, addr, self.size)
            } else {
                k.touch(pid, addr, self.size)
            };
            match r {
                Ok(()) => self.done = true,
                Err(e) => {
                    return match fault_stop(k, pid, &e) {
                        FaultStop::Retry => Step::Yield,
                        FaultStop::Fail => Step::Exit(1),
                    };
                }
            }
            if self.fork {
                self.fork = false;
                match k.fork(pid) {
                    Ok(child) => {
                        let _ = k.write(pid, Fd(1), format!("{child}\n").as_bytes());
                        k.spawn_program(child, Box::new(self.clone()));
                    }
                    Err(e) => {
                        perror(k, pid, "memhold: fork", &e);
                        return Step::Exit(1);
                    }
                }
            }
        }
        while self.rewrites > 0 {
            let addr = self.addr.expect("mapped before any rewrite");
            if let Err(e) = k.touch(pid, addr, self.size) {
                return match fault_stop(k, pid, &e) {
                    FaultStop::Retry => Step::Yield,
                    FaultStop::Fail => Step::Exit(1),
                };
            }
            self.rewrites -= 1;
        }
        Step::SleepUntil(u64::MAX)
    }

    fn signal(&mut self, _k: &Kernel, _pid: Pid, sig: Signal) -> bool {
        if sig == Signal::SIGUSR1 && self.done {
            self.rewrites += 1;
            return true;
        }
        false
    }

    fn catches(&self, sig: Signal) -> bool {
        sig == Signal::SIGUSR1 && self.done
    }
}

fn memhold(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let mut lock = false;
    let mut fork = false;
    let mut size = None;
    for a in &argv[1..] {
        if a == "-l" {
            lock = true;
        } else if a == "-f" {
            fork = true;
        } else if let Some(opt) = a.strip_prefix('-') {
            return Err((format!("memhold: invalid option -- '{opt}'"), 1));
        } else {
            let (v, rest) = memparse(a.as_bytes(), MemparseSuffixes::Kmg);
            if !rest.is_empty() || v == 0 {
                return Err((format!("memhold: invalid size '{a}'"), 1));
            }
            size = Some(v);
        }
    }
    let Some(size) = size else {
        return Err(("usage: memhold [-l] [-f] SIZE".to_string(), 1));
    };
    Ok(Spawn {
        program: Box::new(MemHold {
            size,
            lock,
            fork,
            addr: None,
            done: false,
            rewrites: 0,
        }),
        wakes_at: None,
    })
}

// ---- pagecache, free --------------------------------------------------------------------------

/// `pagecache FILE...`: read each file to the end (what `cat FILE > /dev/null` does).
fn pagecache(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let k = sh.kernel().clone();
    let mut status = 0;
    if argv.len() < 2 {
        sh.write_err(pid, "usage: pagecache FILE...\n");
        return 1;
    }
    for f in &argv[1..] {
        let input = match Input::open(sh, pid, f, false) {
            Ok(i) => i,
            Err(e) => {
                report_read_error(sh, pid, "pagecache", f, e);
                status = 1;
                continue;
            }
        };
        let mut buf = vec![0u8; 65536];
        loop {
            match k.read(pid, input.fd, &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    report_read_error(sh, pid, "pagecache", f, ReadError::Read(e.errno));
                    status = 1;
                    break;
                }
            }
        }
        input.close(sh, pid);
    }
    status
}

const FREE_USAGE: &str = "Usage: free [-b|-k|-m|-g|-h] [-t]\n";

/// `free` (procps-ng 3.3 layout): `total used free shared buff/cache available`, in KiB or
/// the unit its option asks for; `-t` adds procps's `Total:` line (RAM + swap).
fn free(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut unit = FreeUnit::Shift(10);
    let mut total = false;
    for a in &argv[1..] {
        let opt = match a.as_str() {
            "--bytes" => "-b",
            "--kibi" => "-k",
            "--mebi" => "-m",
            "--gibi" => "-g",
            "--human" => "-h",
            "--total" => "-t",
            o => o,
        };
        if !opt.starts_with('-') || opt.len() < 2 || opt.starts_with("--") {
            let msg = if opt.starts_with("--") {
                format!("free: unrecognized option '{opt}'\n")
            } else {
                format!("free: extra operand '{opt}'\n")
            };
            sh.write_err(pid, &(msg + FREE_USAGE));
            return 1;
        }
        for c in opt[1..].chars() {
            match c {
                'b' => unit = FreeUnit::Shift(0),
                'k' => unit = FreeUnit::Shift(10),
                'm' => unit = FreeUnit::Shift(20),
                'g' => unit = FreeUnit::Shift(30),
                'h' => unit = FreeUnit::Human,
                't' => total = true,
                c => {
                    sh.write_err(pid, &format!("free: invalid option -- '{c}'\n{FREE_USAGE}"));
                    return 1;
                }
            }
        }
    }
    let m = sh.kernel().meminfo();
    let buff_cache = m.cached;
    let used = m
        .mem_total
        .saturating_sub(m.mem_free)
        .saturating_sub(buff_cache);
    let available = (m.mem_free + m.inactive_file + m.active_file).min(m.mem_total);
    let swap_used = m.swap_total - m.swap_free;
    let f = |kib: u64| unit.show(kib);
    let mut text = format!(
        "{:>19}{:>12}{:>12}{:>12}{:>12}{:>12}\n\
         Mem:    {:>11}{:>12}{:>12}{:>12}{:>12}{:>12}\n\
         Swap:   {:>11}{:>12}{:>12}\n",
        "total",
        "used",
        "free",
        "shared",
        "buff/cache",
        "available",
        f(m.mem_total),
        f(used),
        f(m.mem_free),
        f(m.shmem),
        f(buff_cache),
        f(available),
        f(m.swap_total),
        f(swap_used),
        f(m.swap_free),
    );
    if total {
        text += &format!(
            "Total:  {:>11}{:>12}{:>12}\n",
            f(m.mem_total + m.swap_total),
            f(used + swap_used),
            f(m.mem_free + m.swap_free)
        );
    }
    match sh.out(pid, &text) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// How `free` prints a size it reads in KiB from `/proc/meminfo`.
#[derive(Clone, Copy)]
enum FreeUnit {
    /// Bytes shifted right by this many bits (`-b` 0, `-k` 10, `-m` 20, `-g` 30), truncated.
    Shift(u32),
    /// `-h`: procps's `scale_size`: bytes below 1000, else the largest binary unit that keeps
    /// the number under 1024, with one decimal below 10 (`1.0Gi`, `256Mi`).
    Human,
}

impl FreeUnit {
    fn show(self, kib: u64) -> String {
        let bytes = kib << 10;
        match self {
            FreeUnit::Shift(s) => (bytes >> s).to_string(),
            FreeUnit::Human if bytes < 1000 => format!("{bytes}B"),
            FreeUnit::Human => {
                let mut v = bytes as f64;
                for u in ['K', 'M', 'G', 'T', 'P', 'E'] {
                    v /= 1024.0;
                    if v < 10.0 {
                        return format!("{v:.1}{u}i");
                    }
                    if v < 1024.0 {
                        return format!("{}{u}i", v as u64);
                    }
                }
                format!("{}Ei", v as u64)
            }
        }
    }
}

// ---- swapon, swapoff (util-linux) -------------------------------------------------------------

/// `swapon [-a] [-s] [DEVICE...]`: `-s` prints `/proc/swaps`; `-a` enables the machine's area
/// unless it is on (as util-linux skips active fstab entries); each DEVICE is `swapon(2)`ed.
fn swapon(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    swap_cmd(sh, pid, argv, true)
}

/// `swapoff [-a] [DEVICE...]`: `-a` disables every active area (from `/proc/swaps`).
fn swapoff(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    swap_cmd(sh, pid, argv, false)
}

fn swap_cmd(sh: &mut Shell, pid: Pid, argv: &[String], on: bool) -> i32 {
    let k = sh.kernel().clone();
    let name = if on { "swapon" } else { "swapoff" };
    let (mut all, mut summary, mut devices) = (false, false, Vec::new());
    for a in &argv[1..] {
        match a.as_str() {
            "-a" | "--all" => all = true,
            "-s" | "--summary" if on => summary = true,
            opt if opt.starts_with('-') => {
                sh.write_err(pid, &format!("{name}: unrecognized option '{opt}'\n"));
                return 1;
            }
            dev => devices.push(dev.to_string()),
        }
    }
    let Some(swaps) = super::text::read_all(sh, pid, name, "/proc/swaps") else {
        return 1;
    };
    let swaps = String::from_utf8_lossy(&swaps).into_owned();
    if summary {
        return if sh.out(pid, &swaps).is_ok() { 0 } else { 1 };
    }
    let active = swaps.lines().count() > 1;
    // `-a` takes the swap areas of /etc/fstab: the machine's partition, which a machine booted
    // with `--swap 0` does not have (so `swapon -a` has nothing to do and says nothing).
    if all && active != on && k.params().swap.0 > 0 {
        devices.push(cgsim_memcg::SWAP_DEVICE.to_string());
    }
    if devices.is_empty() && !all {
        sh.write_err(pid, &format!("usage: {name} [-a] DEVICE...\n"));
        return 1;
    }
    let mut status = 0;
    for d in devices {
        let r = if on {
            k.swapon(pid, &d)
        } else {
            k.swapoff(pid, &d)
        };
        match r {
            Ok(()) => {}
            // Killed by the OOM killer (swapoff is PF_OOM_ORIGIN, mm/swapfile.c): the process
            // never returns to user space, so it prints nothing; or asleep on a memcg OOM wait
            // queue, which the shell reports. Either way the caller sees no message from here.
            Err(e) if e.errno == Errno::EINTR => return 1,
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!("{name}: {d}: {name} failed: {}\n", e.errno.strerror()),
                );
                status = 1;
            }
        }
    }
    status
}
