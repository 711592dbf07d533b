//! Amos Waterland's `stress` 1.0.4: fork worker processes that hog memory (`--vm`), and report
//! how they ended, in stress's own message format.
//!
//! **Follows:** stress 1.0.4 `src/stress.c` (`main`, `hogvm`, `atoll_b`, `atoll_s`, `usage`,
//! `version`). Options are read in order without getopt; a value must not start with `-`
//! followed by a non-digit (`missing argument to option '--vm'`). Messages: `stress: info:
//! [PID] ` (level info, standard output), `stress: dbug: [PID] ` (`-v`), `stress: WARN: [PID]
//! (LINE) ` and `stress: FAIL: [PID] (LINE) ` (standard error), where LINE is the line of
//! `stress.c` 1.0.4 that prints it, as the real binary shows `__LINE__`; `-q` keeps only FAIL.
//! The parent prints `dispatching hogs: C cpu, I io, V vm, D hdd`, forks the workers round
//! robin (each sleeps `--backoff` x remaining forks microseconds first, and sets `alarm` to
//! what is left of `--timeout`), then waits: a worker killed by SIGALRM ended normally; any
//! other signal is `<-- worker PID got signal N`, and the parent ignores SIGUSR1 and sends it to
//! its process group, which ends the other workers. It exits with the number of failures and
//! prints `successful run completed in Ns` or `failed run completed in Ns` (seconds of the
//! simulated clock).
//! A vm worker `malloc`s `--vm-bytes` (glibc serves it with `mmap`, the pointer 16 bytes past
//! the mapping's start), writes one byte every `--vm-stride` bytes, which faults the pages in and
//! charges them to its memory cgroup, sleeps `--vm-hang` seconds if asked, and frees it (or, with
//! `--vm-keep`, keeps it and writes it again). Past the memcg's limit the kernel reclaims, and
//! when nothing is left the memcg OOM killer sends SIGKILL, which the parent reports.
//! A cpu worker (`hogcpu`: `while (1) sqrt(rand());`) spins: each scheduler step it runs for
//! [`worker::HOG_STEP_NS`] (1 ms, a tick of `CONFIG_HZ_1000`) of user time on its CPU, so the
//! cpu controller's weights share the CPU among groups and `cpu.max` throttles it
//! (`crates/cgroupfs/src/fair.rs`); it ends at its alarm, checked at each step.
//! **Differences:** an `--io` worker (`sync()` in a loop) sleeps until its alarm
//! (it does no work a cgroup tutorial could observe here). A cpu worker's time is simulated,
//! in steps of 1 ms, and it notices its alarm at the start of a step (a throttled worker, like
//! the kernel's in 6.6, dies only when its group runs again). A vm worker without `--vm-hang`
//! loops malloc/touch/free as fast as it can on a real machine; cgsim runs the first round and
//! then keeps the memory until the alarm, so `memory.usage_in_bytes` shows what it shows most of
//! the time on a real machine, but `pgpgin`/`pgpgout` count one round, not thousands, and `-v`
//! prints the round's messages once. `--hdd` workers are not modelled (refused with a `cgsim:`
//! message). The shell has no job control, so stress is taken to lead its own process group,
//! as under an interactive shell: the `kill error: No such process` line a real non-interactive
//! script prints is not shown.

mod worker;

use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{Fd, Kernel, Program, Signal, Step, WaitStatus};
use cgsim_ktypes::Pid;
use worker::{Hog, VmState, Worker};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "stress",
        "stress --vm N [--vm-bytes B] [--timeout T] ...",
        "Amos Waterland's stress 1.0.4: forked workers malloc and touch memory in their memory cgroup",
        Kind::Program(stress),
    );
    r.set_help("stress", USAGE);
}

/// `usage()` with `global_progname` "stress" (standard output, exit 0).
const USAGE: &str = "\
`stress' imposes certain types of compute stress on your system

Usage: stress [OPTION [ARG]] ...
 -?, --help         show this help statement
     --version      show version statement
 -v, --verbose      be verbose
 -q, --quiet        be quiet
 -n, --dry-run      show what would have been done
 -t, --timeout N    timeout after N seconds
     --backoff N    wait factor of N microseconds before work starts
 -c, --cpu N        spawn N workers spinning on sqrt()
 -i, --io N         spawn N workers spinning on sync()
 -m, --vm N         spawn N workers spinning on malloc()/free()
     --vm-bytes B   malloc B bytes per vm worker (default is 256MB)
     --vm-stride B  touch a byte every B bytes (default is 4096)
     --vm-hang N    sleep N secs before free (default none, 0 is inf)
     --vm-keep      redirty memory instead of freeing and reallocating
 -d, --hdd N        spawn N workers spinning on write()/unlink()
     --hdd-bytes B  write B bytes per hdd worker (default is 1GB)

Example: stress --cpu 8 --io 4 --vm 2 --vm-bytes 128M --timeout 10s

Note: Numbers may be suffixed with s,m,h,d,y (time) or B,K,M,G (size).
";

const SIGALRM: Signal = Signal(14);
const NS_PER_SEC: u64 = 1_000_000_000;

/// The parsed command line (`main`'s `do_*` variables).
#[derive(Clone, Debug)]
struct Opts {
    debug: i32,
    dryrun: bool,
    backoff: i64,
    timeout: i64,
    cpu: i64,
    io: i64,
    vm: i64,
    vm_bytes: i64,
    vm_stride: i64,
    vm_hang: i64,
    vm_keep: bool,
    hdd: i64,
    hdd_bytes: i64,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            debug: 2,
            dryrun: false,
            backoff: 3000,
            timeout: 0,
            cpu: 0,
            io: 0,
            vm: 0,
            vm_bytes: 256 * 1024 * 1024,
            vm_stride: 4096,
            vm_hang: -1,
            vm_keep: false,
            hdd: 0,
            hdd_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// stress's four message levels.
#[derive(Copy, Clone)]
enum Level {
    Dbug,
    Info,
    Warn(u32),
    Fail(u32),
}

/// One process's printer: `global_debug` and the pid in every prefix.
#[derive(Copy, Clone)]
struct Msg {
    debug: i32,
}

impl Msg {
    fn print(self, k: &Kernel, pid: Pid, level: Level, text: &str) {
        let (min, fd, prefix) = match level {
            Level::Dbug => (3, 1, format!("stress: dbug: [{pid}] ")),
            Level::Info => (2, 1, format!("stress: info: [{pid}] ")),
            Level::Warn(line) => (1, 2, format!("stress: WARN: [{pid}] ({line}) ")),
            Level::Fail(line) => (0, 2, format!("stress: FAIL: [{pid}] ({line}) ")),
        };
        if self.debug >= min {
            let _ = k.write(pid, Fd(fd), format!("{prefix}{text}\n").as_bytes());
        }
    }
}

/// How parsing ended early: print these lines (on the given fd) and exit.
struct Early {
    fd: i32,
    text: String,
    status: i32,
    /// A FAIL message printed with the pid, rather than plain text.
    fail: Option<u32>,
}

/// The 1.0.4 line of each `assert_arg` call, which is what its FAIL message shows.
fn assert_arg_line(opt: &str) -> u32 {
    match opt {
        "--backoff" => 135,
        "--timeout" => 150,
        "--cpu" => 160,
        "--io" => 170,
        "--vm" => 180,
        "--vm-bytes" => 190,
        "--vm-stride" => 200,
        "--vm-hang" => 210,
        "--hdd" => 224,
        _ => 234,
    }
}

/// `main`'s option loop. `Ok` with the options and the `dbug` lines printed while parsing.
fn parse(argv: &[String]) -> Result<(Opts, Vec<String>), Early> {
    let mut o = Opts::default();
    let mut dbg = Vec::new();
    let fail = |line: u32, text: String| Early {
        fd: 2,
        text,
        status: 1,
        fail: Some(line),
    };
    let mut i = 1;
    while i < argv.len() {
        let arg = argv[i].as_str();
        // assert_arg: the next word, unless missing or an option (a `-` not before a digit).
        let mut value = |name: &str| -> Result<String, Early> {
            i += 1;
            match argv.get(i) {
                Some(v)
                    if !v.starts_with('-')
                        || v.as_bytes().get(1).is_some_and(u8::is_ascii_digit) =>
                {
                    Ok(v.clone())
                }
                _ => Err(fail(
                    assert_arg_line(name),
                    format!("missing argument to option '{name}'"),
                )),
            }
        };
        match arg {
            "--help" | "-?" => {
                return Err(Early {
                    fd: 1,
                    text: USAGE.to_string(),
                    status: 0,
                    fail: None,
                });
            }
            "--version" => {
                return Err(Early {
                    fd: 1,
                    text: "stress 1.0.4\n".to_string(),
                    status: 0,
                    fail: None,
                });
            }
            "--verbose" | "-v" => o.debug = 3,
            "--quiet" | "-q" => o.debug = 0,
            "--dry-run" | "-n" => o.dryrun = true,
            "--backoff" => {
                let v = value("--backoff")?;
                o.backoff =
                    scan_lli(&v).ok_or_else(|| fail(138, format!("invalid number: {v}")))?;
                if o.backoff < 0 {
                    return Err(fail(143, format!("invalid backoff factor: {}", o.backoff)));
                }
                if o.debug >= 3 {
                    dbg.push(format!("setting backoff coeffient to {}us", o.backoff));
                }
            }
            "--timeout" | "-t" => {
                o.timeout = atoll_s(&value("--timeout")?).map_err(|(l, t)| fail(l, t))?;
                if o.timeout <= 0 {
                    return Err(fail(154, format!("invalid timeout value: {}s", o.timeout)));
                }
            }
            "--vm-keep" => o.vm_keep = true,
            _ => {
                // The options with a size or count: (name, FAIL line, message, check).
                let (name, line, what, slot, allow_zero): (&str, u32, &str, &mut i64, bool) =
                    match arg {
                        "--cpu" | "-c" => (
                            "--cpu",
                            164,
                            "invalid number of cpu hogs",
                            &mut o.cpu,
                            false,
                        ),
                        "--io" | "-i" => {
                            ("--io", 174, "invalid number of io hogs", &mut o.io, false)
                        }
                        "--vm" | "-m" => {
                            ("--vm", 184, "invalid number of vm hogs", &mut o.vm, false)
                        }
                        "--vm-bytes" => (
                            "--vm-bytes",
                            194,
                            "invalid vm byte value",
                            &mut o.vm_bytes,
                            false,
                        ),
                        "--vm-stride" => (
                            "--vm-stride",
                            204,
                            "invalid stride value",
                            &mut o.vm_stride,
                            false,
                        ),
                        "--vm-hang" => ("--vm-hang", 214, "invalid value", &mut o.vm_hang, true),
                        "--hdd" | "-d" => (
                            "--hdd",
                            228,
                            "invalid number of hdd hogs",
                            &mut o.hdd,
                            false,
                        ),
                        "--hdd-bytes" => (
                            "--hdd-bytes",
                            238,
                            "invalid hdd byte value",
                            &mut o.hdd_bytes,
                            false,
                        ),
                        _ => return Err(fail(244, format!("unrecognized option: {arg}"))),
                    };
                let v = value(name)?;
                let n = atoll_b(&v).map_err(|(l, t)| fail(l, t))?;
                if n < 0 || (n == 0 && !allow_zero) {
                    return Err(fail(line, format!("{what}: {n}")));
                }
                *slot = n;
            }
        }
        i += 1;
    }
    Ok((o, dbg))
}

/// `sscanf(s, "%lli", &v)`: a base-0 number after optional white space; `None` if no digits.
fn scan_lli(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if (t.starts_with("0x") || t.starts_with("0X"))
        && t.as_bytes().get(2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16, &t[2..])
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let n = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if n == 0 {
        return None;
    }
    // %lli saturates at LLONG_MAX/LLONG_MIN on overflow (strtoll).
    let v = i128::from_str_radix(&digits[..n], radix).unwrap_or(i128::MAX);
    let v = if neg { -v } else { v };
    Some(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// `atoll_b`: a size with an optional `b`, `k`, `m` or `g` suffix (shifts of 0, 10, 20, 30).
fn atoll_b(s: &str) -> Result<i64, (u32, String)> {
    let Some(suffix) = s.chars().last() else {
        return Err((622, "invalid string".to_string()));
    };
    let shift = match suffix.to_ascii_lowercase() {
        'b' => 0,
        'k' => 10,
        'm' => 20,
        'g' => 30,
        c if c.is_ascii_digit() => 0,
        _ => return Err((647, format!("unrecognized suffix: {suffix}"))),
    };
    let v = scan_lli(s).ok_or((654, format!("invalid number: {s}")))?;
    Ok(v.wrapping_shl(shift))
}

/// `atoll_s`: a time with an optional `s`, `m`, `h`, `d` or `y` suffix.
fn atoll_s(s: &str) -> Result<i64, (u32, String)> {
    let Some(suffix) = s.chars().last() else {
        return Err((676, "invalid string".to_string()));
    };
    let factor = match suffix.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        'y' => 86400 * 365,
        c if c.is_ascii_digit() => 1,
        _ => return Err((705, format!("unrecognized suffix: {suffix}"))),
    };
    let v = scan_lli(s).ok_or((712, format!("invalid number: {s}")))?;
    Ok(v.wrapping_mul(factor))
}

fn stress(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    // The shell lets simulated time pass while it waits in the foreground: to the alarms of a
    // timed run, or to the end of the workers' back-off sleeps.
    let now = k.clock().now_nanos();
    let wakes_at = parse(argv).ok().and_then(|(o, _)| {
        let forks = o.cpu + o.io + o.vm + o.hdd;
        if forks == 0 {
            None
        } else if o.timeout > 0 {
            Some(now + o.timeout as u64 * NS_PER_SEC)
        } else {
            Some(now + (o.backoff.max(0) as u64) * forks as u64 * 1000)
        }
    });
    Ok(Spawn {
        program: Box::new(Stress {
            argv: argv.to_vec(),
            state: Parent::Start,
            msg: Msg { debug: 2 },
            starttime: 0,
            children: 0,
            retval: 0,
            ignore_usr1: false,
            workers: Vec::new(),
            alarm_at: None,
        }),
        wakes_at,
    })
}

enum Parent {
    Start,
    Wait,
}

/// The parent process.
struct Stress {
    argv: Vec<String>,
    state: Parent,
    msg: Msg,
    starttime: u64,
    children: usize,
    retval: i32,
    /// `signal(SIGUSR1, SIG_IGN)` done.
    ignore_usr1: bool,
    /// Every worker forked, for the process-group kill.
    workers: Vec<Pid>,
    /// The latest cpu worker's alarm: a cpu worker is always runnable, so the parent's sleep in
    /// `wait` ends there too, giving a shell that waits for stress a time to move the clock
    /// to (the real parent just blocks in `wait`; waking it there changes nothing it prints).
    alarm_at: Option<u64>,
}

fn now_secs(k: &Kernel) -> u64 {
    k.clock().now_nanos() / NS_PER_SEC
}

impl Stress {
    /// Parse, print the start message and fork the workers. `Some(status)` to exit.
    fn start(&mut self, k: &Kernel, pid: Pid) -> Option<i32> {
        self.starttime = now_secs(k);
        let (mut o, dbg) = match parse(&self.argv) {
            Ok(p) => p,
            Err(e) => {
                match e.fail {
                    Some(line) => Msg { debug: 0 }.print(k, pid, Level::Fail(line), &e.text),
                    None => {
                        let _ = k.write(pid, Fd(e.fd), e.text.as_bytes());
                    }
                }
                return Some(e.status);
            }
        };
        self.msg = Msg { debug: o.debug };
        for line in dbg {
            self.msg.print(k, pid, Level::Dbug, &line);
        }
        if o.cpu + o.io + o.vm + o.hdd == 0 {
            let _ = k.write(pid, Fd(1), USAGE.as_bytes());
            return Some(0);
        }
        if o.hdd > 0 {
            let _ = k.write(
                pid,
                Fd(2),
                b"cgsim: stress: --hdd workers (write()/unlink() of files) are not modelled\n",
            );
            return Some(1);
        }
        self.msg.print(
            k,
            pid,
            Level::Info,
            &format!(
                "dispatching hogs: {} cpu, {} io, {} vm, {} hdd",
                o.cpu, o.io, o.vm, o.hdd
            ),
        );
        // Round-robin dispatch, one worker of each kind per round.
        loop {
            let forks = o.cpu + o.io + o.vm + o.hdd;
            if forks == 0 {
                break;
            }
            let backoff = o.backoff.saturating_mul(forks);
            self.msg.print(
                k,
                pid,
                Level::Dbug,
                &format!("using backoff sleep of {backoff}us"),
            );
            let mut timeout = 0;
            if o.timeout > 0 {
                timeout = o.timeout - (now_secs(k) - self.starttime) as i64;
                if timeout > 0 {
                    self.msg.print(
                        k,
                        pid,
                        Level::Dbug,
                        &format!("setting timeout to {timeout}s"),
                    );
                } else {
                    self.msg.print(
                        k,
                        pid,
                        Level::Warn(288),
                        "used up time before all workers dispatched",
                    );
                    break;
                }
            }
            let kinds: [(&mut i64, Hog, &str, u32); 3] = [
                (&mut o.cpu, Hog::Cpu, "hogcpu", 304),
                (&mut o.io, Hog::Io, "hogio", 325),
                (&mut o.vm, Hog::Vm, "hogvm", 346),
            ];
            for (count, hog, name, fail_line) in kinds {
                if *count == 0 {
                    continue;
                }
                match k.fork(pid) {
                    Ok(child) => {
                        let now = k.clock().now_nanos();
                        if timeout > 0 && hog == Hog::Cpu {
                            let at = now + timeout as u64 * NS_PER_SEC;
                            self.alarm_at = Some(self.alarm_at.map_or(at, |a| a.max(at)));
                        }
                        let worker = Worker {
                            hog,
                            msg: self.msg,
                            alarm: (timeout > 0).then(|| now + timeout as u64 * NS_PER_SEC),
                            start_at: now + backoff.max(0) as u64 * 1000,
                            dryrun: o.dryrun,
                            bytes: o.vm_bytes as u64,
                            stride: o.vm_stride as u64,
                            hang: o.vm_hang,
                            keep: o.vm_keep,
                            vm: VmState::Backoff,
                            map: None,
                            said: false,
                        };
                        k.spawn_program(child, Box::new(worker));
                        self.msg.print(
                            k,
                            pid,
                            Level::Dbug,
                            &format!("--> {name} worker {} [{child}] forked", *count),
                        );
                        self.children += 1;
                        self.workers.push(child);
                    }
                    Err(e) => self.msg.print(
                        k,
                        pid,
                        Level::Fail(fail_line),
                        &format!("fork failed: {}", e.errno.strerror()),
                    ),
                }
                *count -= 1;
            }
        }
        None
    }

    /// The first failure ends the others: ignore SIGUSR1, send it to the process group.
    fn reap_others(&mut self, k: &Kernel, pid: Pid, warn_line: u32) {
        self.msg.print(
            k,
            pid,
            Level::Warn(warn_line),
            "now reaping child worker processes",
        );
        self.ignore_usr1 = true;
        // kill(-getpid(), SIGUSR1): the group is stress and its workers (see the header).
        for &w in &self.workers {
            let _ = k.kill(pid, w, Signal::SIGUSR1);
        }
    }

    /// Reap the workers that ended. `Some(status)` when all are reaped.
    fn wait(&mut self, k: &Kernel, pid: Pid) -> Option<i32> {
        while self.children > 0 {
            match k.waitpid(pid, None) {
                Ok(Some((w, status))) => {
                    self.children -= 1;
                    self.workers.retain(|&p| p != w);
                    match status {
                        WaitStatus::Exited(0) => self.msg.print(
                            k,
                            pid,
                            Level::Dbug,
                            &format!("<-- worker {w} returned normally"),
                        ),
                        WaitStatus::Exited(code) => {
                            self.msg.print(
                                k,
                                pid,
                                Level::Fail(394),
                                &format!("<-- worker {w} returned error {code}"),
                            );
                            self.retval += 1;
                            self.reap_others(k, pid, 396);
                        }
                        WaitStatus::Signaled(SIGALRM) => self.msg.print(
                            k,
                            pid,
                            Level::Dbug,
                            &format!("<-- worker {w} signalled normally"),
                        ),
                        WaitStatus::Signaled(Signal::SIGUSR1) => {
                            self.msg
                                .print(k, pid, Level::Dbug, &format!("<-- worker {w} reaped"))
                        }
                        WaitStatus::Signaled(sig) => {
                            self.msg.print(
                                k,
                                pid,
                                Level::Fail(415),
                                &format!("<-- worker {w} got signal {}", sig.0),
                            );
                            self.retval += 1;
                            self.reap_others(k, pid, 417);
                        }
                    }
                }
                // No worker has ended yet: sleep until SIGCHLD.
                Ok(None) => return None,
                Err(e) => {
                    self.msg.print(
                        k,
                        pid,
                        Level::Fail(432),
                        &format!("error waiting for worker: {}", e.errno.strerror()),
                    );
                    self.retval += 1;
                    break;
                }
            }
        }
        let runtime = now_secs(k) - self.starttime;
        if self.retval > 0 {
            self.msg.print(
                k,
                pid,
                Level::Fail(451),
                &format!("failed run completed in {runtime}s"),
            );
        } else {
            self.msg.print(
                k,
                pid,
                Level::Info,
                &format!("successful run completed in {runtime}s"),
            );
        }
        Some(self.retval)
    }
}

impl Program for Stress {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if let Parent::Start = self.state {
            if let Some(status) = self.start(k, pid) {
                return Step::Exit(status);
            }
            self.state = Parent::Wait;
        }
        match self.wait(k, pid) {
            Some(status) => Step::Exit(status),
            None => match self.alarm_at {
                Some(at) if at > k.clock().now_nanos() => Step::SleepUntil(at),
                _ => Step::SleepUntil(u64::MAX),
            },
        }
    }

    fn signal(&mut self, _k: &Kernel, _pid: Pid, sig: Signal) -> bool {
        // SIGCHLD wakes the wait; SIGUSR1 is ignored once the reaping started.
        sig == Signal::SIGCHLD || (sig == Signal::SIGUSR1 && self.ignore_usr1)
    }

    fn catches(&self, sig: Signal) -> bool {
        sig == Signal::SIGCHLD || (sig == Signal::SIGUSR1 && self.ignore_usr1)
    }
}
