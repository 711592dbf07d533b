//! `dd` (coreutils): copy blocks from one file to another, the command memory-cgroup tutorials
//! use to fill the page cache (`dd if=/dev/zero of=/tmp/file bs=1M count=10`).
//!
//! A simulated program, so it can sleep on a memcg OOM wait queue like any process. Its block
//! buffer is `bs` bytes of anonymous memory (`malloc` of a large block is an `mmap`), faulted in
//! by the first read and charged to its memcg as rss; every page it writes to a regular file is
//! page cache, dirty, charged as cache (reclaim writes it back before freeing it).
//!
//! **Differences from coreutils:** operands `if`, `of`, `bs`, `count` and `status` only (no
//! `ibs`/`obs`/`skip`/`seek`/`conv`/`iflag`/`oflag`); the last line has no time or rate (the
//! simulation does not model I/O speed); reading an endless input (`/dev/zero`) into something
//! other than a regular file needs `count=`, since nothing could stop it.

use super::memory::stderr;
use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{Fd, FileType, Kernel, MmapFlags, OpenFlags, Program, Step};
use cgsim_ktypes::{Errno, PAGE_SIZE, Pid, SysError};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "dd",
        "dd [if=FILE] [of=FILE] [bs=BYTES] [count=N] [status=none|noxfer]",
        "copy N blocks of BYTES (default 512; suffixes c w b kB K MB M GB G) from FILE (standard input) to FILE (standard output), e.g. dd if=/dev/zero of=/tmp/f bs=1M count=10",
        Kind::Program(dd),
    );
}

/// The host buffer one `read(2)` uses at most; larger blocks take several calls.
const HOST_CHUNK: usize = 1 << 20;

#[derive(Copy, Clone, PartialEq, Eq)]
enum Status {
    Default,
    NoXfer,
    None,
}

struct Dd {
    input: Option<String>,
    output: Option<String>,
    bs: u64,
    count: Option<u64>,
    status: Status,
    fds: Option<(Fd, Fd)>,
    buffer: Option<u64>,
    /// Bytes of the current block not written yet (a write that must wait is retried), whether
    /// the block is a full one, and how much of it went out already.
    pending: Vec<u8>,
    pending_full: bool,
    pending_written: usize,
    full_in: u64,
    partial_in: u64,
    full_out: u64,
    partial_out: u64,
    bytes: u64,
}

fn dd(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let mut d = Dd {
        input: None,
        output: None,
        bs: 512,
        count: None,
        status: Status::Default,
        fds: None,
        buffer: None,
        pending: Vec::new(),
        pending_full: false,
        pending_written: 0,
        full_in: 0,
        partial_in: 0,
        full_out: 0,
        partial_out: 0,
        bytes: 0,
    };
    for a in &argv[1..] {
        let Some((key, value)) = a.split_once('=') else {
            return Err((format!("dd: unrecognized operand '{a}'"), 1));
        };
        match key {
            "if" => d.input = Some(value.to_string()),
            "of" => d.output = Some(value.to_string()),
            "bs" => match parse_size(value) {
                Some(n) if n > 0 => d.bs = n,
                _ => return Err((format!("dd: invalid number: '{value}'"), 1)),
            },
            "count" => match parse_size(value) {
                Some(n) => d.count = Some(n),
                None => return Err((format!("dd: invalid number: '{value}'"), 1)),
            },
            "status" => {
                d.status = match value {
                    "none" => Status::None,
                    "noxfer" => Status::NoXfer,
                    "progress" => Status::Default,
                    _ => return Err((format!("dd: invalid status level: '{value}'"), 1)),
                }
            }
            _ => return Err((format!("dd: unrecognized operand '{a}'"), 1)),
        }
    }
    Ok(Spawn {
        program: Box::new(d),
        wakes_at: None,
    })
}

/// coreutils' `BYTES`: digits with an optional multiplicative suffix.
fn parse_size(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = s[..digits].parse().ok()?;
    let k: u64 = match &s[digits..] {
        "" | "c" => 1,
        "w" => 2,
        "b" => 512,
        "kB" => 1000,
        "K" | "KiB" => 1 << 10,
        "MB" => 1000 * 1000,
        "M" | "MiB" | "xM" => 1 << 20,
        "GB" => 1000 * 1000 * 1000,
        "G" | "GiB" => 1 << 30,
        "TB" => 1000u64.pow(4),
        "T" | "TiB" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(k)
}

/// coreutils' `human_readable` with autoscale, one decimal below 10, rounded to nearest.
fn human(bytes: u64, base: u64) -> String {
    let units: [&str; 6] = if base == 1000 {
        ["kB", "MB", "GB", "TB", "PB", "EB"]
    } else {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    };
    if bytes < base {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64;
    let mut unit = units[0];
    for u in units {
        if v < base as f64 {
            break;
        }
        v /= base as f64;
        unit = u;
    }
    if v < 10.0 {
        format!("{v:.1} {unit}")
    } else {
        format!("{} {unit}", v.round() as u64)
    }
}

impl Dd {
    fn name_of_input(&self) -> &str {
        self.input.as_deref().unwrap_or("standard input")
    }

    fn name_of_output(&self) -> &str {
        self.output.as_deref().unwrap_or("standard output")
    }

    /// Open both files and map the block buffer; `Err` is the exit status.
    fn start(&mut self, k: &Kernel, pid: Pid) -> Result<(Fd, Fd), i32> {
        let ifd = match &self.input {
            None => Fd(0),
            Some(p) => k.open(pid, p, OpenFlags::RDONLY, 0).map_err(|e| {
                stderr(k, pid, &format!("dd: failed to open '{p}': {}\n", msg(&e)));
                1
            })?,
        };
        let ofd = match &self.output {
            None => Fd(1),
            Some(p) => k
                .open(pid, p, OpenFlags::REDIRECT_TRUNC, 0o666)
                .map_err(|e| {
                    stderr(k, pid, &format!("dd: failed to open '{p}': {}\n", msg(&e)));
                    1
                })?,
        };
        let fills_up = self
            .output
            .as_deref()
            .and_then(|p| k.stat(pid, p).ok())
            .is_some_and(|s| s.file_type == FileType::Regular);
        if self.count.is_none() && !fills_up && k.fd_endless(pid, ifd) {
            stderr(
                k,
                pid,
                &format!(
                    "dd: {}: endless input and no count= (a real dd copies until interrupted); \
                     cgsim does not start it\n",
                    self.name_of_input()
                ),
            );
            return Err(1);
        }
        let len = self.bs.div_ceil(PAGE_SIZE) * PAGE_SIZE;
        match k.mmap_anon(pid, len, MmapFlags::default()) {
            Ok(addr) => self.buffer = Some(addr),
            Err(_) => {
                let m = format!(
                    "dd: memory exhausted by input buffer of size {} bytes ({})\n",
                    self.bs,
                    human(self.bs, 1024)
                );
                stderr(k, pid, &m);
                return Err(1);
            }
        }
        Ok((ifd, ofd))
    }

    /// Read one block; `Ok(None)` at end of file, `Err(step)` to wait or stop.
    fn read_block(&mut self, k: &Kernel, pid: Pid, ifd: Fd) -> Result<Option<Vec<u8>>, Step> {
        // copy_to_user faults the buffer in (charged as rss) on the first block.
        let addr = self.buffer.expect("mapped at start");
        if let Err(e) = k.touch(pid, addr, self.bs) {
            return Err(if e.errno == Errno::EINTR {
                Step::Yield
            } else {
                let _ = k.send_sig(pid, cgsim_cgroupfs::Signal(7));
                Step::Exit(1)
            });
        }
        let mut block = vec![0u8; (self.bs as usize).min(HOST_CHUNK)];
        let mut data = Vec::new();
        while (data.len() as u64) < self.bs {
            let want = ((self.bs - data.len() as u64) as usize).min(block.len());
            match k.read(pid, ifd, &mut block[..want]) {
                Ok(0) => break,
                Ok(n) => {
                    data.extend_from_slice(&block[..n]);
                    if n < want {
                        break;
                    }
                }
                // A page-cache charge waits on the OOM queue: read the block again later.
                Err(e) if e.errno == Errno::EINTR => return Err(Step::Yield),
                // Console input has nothing to read: end of file.
                Err(e) if e.errno == Errno::EAGAIN && self.input.is_none() => break,
                Err(e) => {
                    let m = format!(
                        "dd: error reading '{}': {}\n",
                        self.name_of_input(),
                        msg(&e)
                    );
                    stderr(k, pid, &m);
                    return Err(self.finish(k, pid, 1));
                }
            }
        }
        Ok((!data.is_empty()).then_some(data))
    }

    /// Write what is pending; `Err(step)` to wait or stop.
    fn write_pending(&mut self, k: &Kernel, pid: Pid, ofd: Fd) -> Result<(), Step> {
        while !self.pending.is_empty() {
            match k.write(pid, ofd, &self.pending) {
                Ok(n) => {
                    self.bytes += n as u64;
                    self.pending_written += n;
                    self.pending.drain(..n);
                    if self.pending.is_empty() {
                        if self.pending_full {
                            self.full_out += 1;
                        } else {
                            self.partial_out += 1;
                        }
                    }
                }
                Err(e) if e.errno == Errno::EINTR => return Err(Step::Yield),
                Err(e) => {
                    let m = format!(
                        "dd: error writing '{}': {}\n",
                        self.name_of_output(),
                        msg(&e)
                    );
                    stderr(k, pid, &m);
                    if self.pending_written > 0 {
                        self.partial_out += 1;
                    }
                    return Err(self.finish(k, pid, 1));
                }
            }
        }
        Ok(())
    }

    /// The statistics on standard error, then exit with `code`.
    fn finish(&mut self, k: &Kernel, pid: Pid, code: i32) -> Step {
        if self.status != Status::None {
            let mut s = format!(
                "{}+{} records in\n{}+{} records out\n",
                self.full_in, self.partial_in, self.full_out, self.partial_out
            );
            if self.status == Status::Default {
                let b = self.bytes;
                let (si, iec) = (human(b, 1000), human(b, 1024));
                s += &if b == 1 {
                    "1 byte copied\n".to_string()
                } else if si.ends_with(" B") {
                    format!("{b} bytes copied\n")
                } else if iec.ends_with(" B") {
                    format!("{b} bytes ({si}) copied\n")
                } else {
                    format!("{b} bytes ({si}, {iec}) copied\n")
                };
            }
            stderr(k, pid, &s);
        }
        Step::Exit(code)
    }
}

impl Program for Dd {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let (ifd, ofd) = match self.fds {
            Some(f) => f,
            None => match self.start(k, pid) {
                Ok(f) => {
                    self.fds = Some(f);
                    f
                }
                Err(code) => return Step::Exit(code),
            },
        };
        loop {
            if let Err(step) = self.write_pending(k, pid, ofd) {
                return step;
            }
            if self
                .count
                .is_some_and(|c| self.full_in + self.partial_in >= c)
            {
                return self.finish(k, pid, 0);
            }
            let block = match self.read_block(k, pid, ifd) {
                Ok(Some(b)) => b,
                Ok(None) => return self.finish(k, pid, 0),
                Err(step) => return step,
            };
            self.pending_full = block.len() as u64 == self.bs;
            if self.pending_full {
                self.full_in += 1;
            } else {
                self.partial_in += 1;
            }
            self.pending = block;
            self.pending_written = 0;
        }
    }
}

fn msg(e: &SysError) -> &'static str {
    e.errno.strerror()
}

#[cfg(test)]
mod tests {
    use super::{human, parse_size};

    #[test]
    fn sizes_parse_and_print_as_coreutils() {
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("1M"), Some(1 << 20));
        assert_eq!(parse_size("1MB"), Some(1_000_000));
        assert_eq!(parse_size("2b"), Some(1024));
        assert_eq!(parse_size("4KiB"), Some(4096));
        assert_eq!(parse_size("1Q"), None);
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("99999999999999G"), None, "overflow");
        assert_eq!(human(512, 1000), "512 B");
        assert_eq!(human(1000, 1000), "1.0 kB");
        assert_eq!(human(1000, 1024), "1000 B");
        assert_eq!(human(1 << 20, 1000), "1.0 MB");
        assert_eq!(human(1 << 20, 1024), "1.0 MiB");
        assert_eq!(human(10 << 20, 1000), "10 MB");
        assert_eq!(human(10 << 20, 1024), "10 MiB");
    }
}
