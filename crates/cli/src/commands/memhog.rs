//! numactl's `memhog`: map SIZE bytes, write to every byte of them in 10 MiB steps (a dot on
//! standard output before each step, a newline after each pass), and exit.
//!
//! **Follows:** numactl 2.0.16 `memhog.c` (`main`, `hog`, `usage`) with `util.c` `memsize`,
//! `parse_policy`, `print_policies`, `err` and libnuma's `numa_parse_nodestring`: options are
//! read while the next argument starts with `-` and only its second character counts (`-fFILE`
//! opens FILE read-write for a shared mapping, `perror(FILE)` and an anonymous mapping if that
//! fails; `-rNUM` repeats the pass `atoi(NUM)` times; `-H` asks for no transparent huge pages;
//! anything else prints the usage on standard output and exits 1). SIZE is `strtoul(SIZE, 0)`
//! times 1024 per `K`, `M` or `G` suffix (case-insensitive); a size of 0 (or a word) makes
//! `mmap` fail: `numactl: mmap: Invalid argument`, status 1. An optional policy (`default`,
//! `local`, `interleave`, `membind`, `preferred`, `preferred-many`) and node set are checked as
//! libnuma does on a machine with one node (node 0): a bad node prints libnuma's warning on
//! standard error and `<NODES> is invalid` on standard output, status 1.
//! The memory is charged to the caller's memory cgroup as it is written; past the limit the
//! memcg reclaims, and when nothing is left the OOM killer ends the program as the kernel does
//! (the dots printed so far stay on the line; the shell then prints `Killed`).
//! **Differences:** the simulated machine has one NUMA node, so `mbind` changes nothing. `-f`
//! maps `/dev/zero` (a shared shmem object, charged as cache); a shared mapping of any other
//! file is not modelled and is refused with a `cgsim:` message. The pass writes pages (every
//! page of a chunk is faulted in), which is what `memset` does to the memory cgroup.

use super::Spawn;
use cgsim_cgroupfs::{Fd, FileType, Kernel, MmapFlags, OpenFlags, Program, Signal, Step};
use cgsim_ktypes::{Errno, Pid};

/// `UNIT` in `memhog.c`: the step between two dots.
const UNIT: u64 = 10 * 1024 * 1024;

/// `usage()`: printed on standard output, then `exit(1)`.
pub(crate) const USAGE: &str = "\
memhog [-fFILE] [-rNUM] size[kmg] [policy [nodeset]]
-f mmap is backed by FILE
-rNUM repeat memset NUM times
-H disable transparent hugepages
Policies: preferred-many local interleave membind preferred default
";

/// Policies that need no node set (`noarg` in `util.c`'s table).
const POLICIES: [(&str, bool); 6] = [
    ("preferred-many", false),
    ("local", true),
    ("interleave", false),
    ("membind", false),
    ("preferred", false),
    ("default", true),
];

/// What the program does when it first runs.
enum Plan {
    /// Print the usage on standard output and exit 1.
    Usage,
    Run {
        file: Option<String>,
        repeat: i64,
        size: String,
        policy: Option<String>,
        nodes: Option<String>,
    },
}

struct MemHog {
    plan: Plan,
    started: bool,
    /// The mapping and its length, once made.
    map: Option<(u64, u64)>,
    repeat: i64,
    /// The pass in progress and the offset of the next chunk.
    pass: i64,
    offset: u64,
    /// The dot of the chunk at `offset` is printed (a fault that slept retries the chunk
    /// without printing it again).
    dotted: bool,
}

pub(crate) fn memhog(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let mut args = &argv[1..];
    let mut file = None;
    let mut repeat = 1;
    let mut usage = false;
    while let Some(a) = args.first().filter(|a| a.starts_with('-')) {
        match a.as_bytes().get(1) {
            Some(b'f') => file = Some(a[2..].to_string()),
            Some(b'r') => repeat = super::memory::atoi(&a[2..]),
            Some(b'H') => {}
            _ => {
                usage = true;
                break;
            }
        }
        args = &args[1..];
    }
    let plan = match args {
        _ if usage => Plan::Usage,
        [] => Plan::Usage,
        [size, rest @ ..] => Plan::Run {
            file,
            repeat,
            size: size.clone(),
            policy: rest.first().cloned(),
            nodes: rest.get(1).cloned(),
        },
    };
    Ok(Spawn {
        program: Box::new(MemHog {
            plan,
            started: false,
            map: None,
            repeat: 0,
            pass: 0,
            offset: 0,
            dotted: false,
        }),
        wakes_at: None,
    })
}

fn out(k: &Kernel, pid: Pid, text: &str) {
    let _ = k.write(pid, Fd(1), text.as_bytes());
}

fn err(k: &Kernel, pid: Pid, text: &str) {
    let _ = k.write(pid, Fd(2), text.as_bytes());
}

impl MemHog {
    /// Everything `main` does before the passes. `Err(status)` ends the program.
    fn start(&mut self, k: &Kernel, pid: Pid) -> Result<(), i32> {
        let Plan::Run {
            file,
            repeat,
            size,
            policy,
            nodes,
        } = &self.plan
        else {
            out(k, pid, USAGE);
            return Err(1);
        };
        // The option loop opens the file at once; a failure is reported and ignored.
        let mut shared = false;
        if let Some(f) = file {
            match k.open(pid, f, OpenFlags::RDWR, 0) {
                Ok(fd) => {
                    let is_zero = k.stat(pid, f).is_ok_and(|s| {
                        s.file_type == FileType::CharDevice && s.rdev == Some((1, 5))
                    });
                    if !is_zero {
                        err(
                            k,
                            pid,
                            &format!(
                                "cgsim: memhog: -f{f}: shared mappings of files other than /dev/zero are not modelled\n"
                            ),
                        );
                        return Err(1);
                    }
                    let _ = k.close(pid, fd);
                    shared = true;
                }
                Err(e) => err(k, pid, &format!("{f}: {}\n", e.errno.strerror())),
            }
        }
        let length = memsize(size);
        // parse_policy: a missing policy is the default one; an unknown name, or a policy that
        // needs a node set given none, prints the usage.
        let needs_nodes = match policy {
            None => false,
            Some(p) => {
                let name = p.trim_start_matches('-');
                match POLICIES.iter().find(|(n, _)| *n == name) {
                    Some((_, noarg)) if *noarg => false,
                    Some(_) if nodes.is_some() => true,
                    _ => {
                        out(k, pid, USAGE);
                        return Err(1);
                    }
                }
            }
        };
        if needs_nodes {
            let s = nodes.as_deref().unwrap_or("");
            if let Err(warning) = parse_nodestring(s) {
                if let Some(w) = warning {
                    // numa_warn adds a newline after a message that has one already.
                    err(k, pid, &format!("libnuma: Warning: {w}\n\n"));
                }
                out(k, pid, &format!("<{s}> is invalid\n"));
                return Err(1);
            }
        }
        // mmap takes a size_t: a negative length is a huge one.
        let len = length as u64;
        let mapped = if len > TASK_SIZE {
            Err(Errno::ENOMEM)
        } else if shared {
            k.mmap_shared_zero(pid, len).map_err(|e| e.errno)
        } else {
            k.mmap_anon(pid, len, MmapFlags::default())
                .map_err(|e| e.errno)
        };
        match mapped {
            Ok(addr) => self.map = Some((addr, len)),
            Err(e) => {
                err(k, pid, &format!("numactl: mmap: {}\n", e.strerror()));
                return Err(1);
            }
        }
        self.repeat = *repeat;
        Ok(())
    }
}

/// `TASK_SIZE` on x86-64 (47 bits): `mmap` of more is ENOMEM.
const TASK_SIZE: u64 = (1 << 47) - 4096;

impl Program for MemHog {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if !self.started {
            self.started = true;
            if let Err(status) = self.start(k, pid) {
                return Step::Exit(status);
            }
        }
        let (addr, len) = self.map.expect("mapped by start");
        while self.pass < self.repeat {
            while self.offset < len {
                if !self.dotted {
                    out(k, pid, ".");
                    self.dotted = true;
                }
                let left = (len - self.offset).min(UNIT);
                if let Err(e) = k.touch(pid, addr + self.offset, left) {
                    // Asleep on the memcg OOM wait queue, or killed: the kernel decides.
                    if e.errno == Errno::EINTR {
                        return Step::Yield;
                    }
                    // The fault failed with no victim to kill: SIGBUS, as VM_FAULT_OOM would
                    // end in the OOM killer on a real kernel.
                    let _ = k.send_sig(pid, Signal(7));
                    return Step::Exit(1);
                }
                self.offset += left;
                self.dotted = false;
            }
            out(k, pid, "\n");
            self.pass += 1;
            self.offset = 0;
        }
        Step::Exit(0)
    }
}

/// `memsize` (numactl `util.c`): `strtoul(s, &end, 0)`, then each of `G`, `M`, `K` (any case)
/// at `end` multiplies by 1024 down to `K`. The result is a `long`.
fn memsize(s: &str) -> i64 {
    let (v, rest) = strtoul0(s);
    let mul: u64 = match rest.chars().next().map(|c| c.to_ascii_uppercase()) {
        Some('G') => 1 << 30,
        Some('M') => 1 << 20,
        Some('K') => 1 << 10,
        _ => 1,
    };
    v.wrapping_mul(mul) as i64
}

/// `strtoul(s, &end, 0)`: white space, a sign, `0x` hex, `0` octal or decimal; saturates at
/// `ULONG_MAX`; a minus sign negates (modulo 2^64). Returns the value and the rest.
fn strtoul0(s: &str) -> (u64, &str) {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
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
        return (0, s);
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    for c in digits[..n].chars() {
        let d = c.to_digit(radix).expect("checked") as u64;
        match v.checked_mul(radix as u64).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    let v = if overflow {
        u64::MAX
    } else if neg {
        v.wrapping_neg()
    } else {
        v
    };
    (v, &digits[n..])
}

/// `numa_parse_nodestring` on a machine whose only node is 0. `Err(Some(warning))` is a
/// libnuma warning followed by failure; `Err(None)` fails silently (trailing garbage).
fn parse_nodestring(s: &str) -> Result<(), Option<String>> {
    if s.is_empty() {
        return Ok(());
    }
    let s = s.strip_prefix('!').unwrap_or(s);
    let mut s = s.strip_prefix('+').unwrap_or(s);
    loop {
        if s == "all" {
            return Ok(());
        }
        let (arg, rest) = strtoul0(s);
        if rest.len() == s.len() {
            return Err(Some(format!("unparseable node description `{s}'")));
        }
        if arg != 0 {
            return Err(Some(format!(
                "node argument {} is out of range",
                arg as i32
            )));
        }
        s = rest;
        if let Some(r) = s.strip_prefix('-') {
            let (arg2, rest2) = strtoul0(r);
            if rest2.len() == r.len() {
                return Err(Some(format!("missing node argument {r}")));
            }
            if arg2 != 0 {
                return Err(Some(format!("node argument {} out of range", arg2 as i32)));
            }
            s = rest2;
        }
        match s.strip_prefix(',') {
            Some(r) => s = r,
            None if s.is_empty() => return Ok(()),
            None => return Err(None),
        }
    }
}

pub(crate) fn register(r: &mut super::Registry) {
    // No `set_help`: numactl's memhog has no --help; `memhog --help` prints its usage on
    // standard output and exits 1, which `memhog` itself does.
    r.add(
        "memhog",
        "memhog [-rNUM] SIZE [POLICY [NODES]]",
        "numactl's memhog: map SIZE, write it in 10 MiB steps (a dot each) -rNUM times, exit",
        super::Kind::Program(memhog),
    );
}
