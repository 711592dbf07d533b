//! A stress worker process (stress 1.0.4 `hogcpu`, `hogio`, `hogvm`): what runs in each child
//! the parent forks. See `stress.rs` for the model and its differences.

use super::{Level, Msg, NS_PER_SEC, SIGALRM};
use cgsim_cgroupfs::{Kernel, MmapFlags, Program, Signal, Step};
use cgsim_ktypes::{Errno, Pid};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Hog {
    Cpu,
    Io,
    Vm,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum VmState {
    /// `usleep(backoff)` before any work.
    Backoff,
    /// `malloc` (when not keeping the old block), then touch.
    Alloc,
    Touch,
    /// `sleep(hang)` until this time, then free and go round again.
    Hang(u64),
    /// Nothing more to do until the alarm (or forever).
    Hold,
}

/// One worker process.
pub(super) struct Worker {
    pub(super) hog: Hog,
    pub(super) msg: Msg,
    /// `alarm(timeout)`: SIGALRM at this time.
    pub(super) alarm: Option<u64>,
    pub(super) start_at: u64,
    pub(super) dryrun: bool,
    pub(super) bytes: u64,
    pub(super) stride: u64,
    pub(super) hang: i64,
    pub(super) keep: bool,
    pub(super) vm: VmState,
    /// The malloc'd block: mapping address and length.
    pub(super) map: Option<(u64, u64)>,
    /// The state's debug message is printed (a fault that slept retries without repeating it).
    pub(super) said: bool,
}

/// The user time a cpu worker spins per scheduler step: one tick at `CONFIG_HZ_1000` (1 ms),
/// the scheduler's chance to preempt it or notice its group's quota is used.
pub(crate) const HOG_STEP_NS: u64 = 1_000_000;

/// glibc's `mmap`ed chunk header: `malloc` returns the mapping's start plus 16 bytes.
const CHUNK_HEADER: u64 = 16;
const PAGE_SIZE: u64 = 4096;

impl Worker {
    /// Sleep until `when`, or the alarm if it comes first.
    fn sleep(&self, when: u64) -> Step {
        Step::SleepUntil(self.alarm.map_or(when, |a| a.min(when)))
    }

    fn say(&mut self, k: &Kernel, pid: Pid, text: &str) {
        if !self.said {
            self.msg.print(k, pid, Level::Dbug, text);
            self.said = true;
        }
    }

    /// Write one byte every `stride` bytes of the block (`ptr[i] = 'Z'`).
    fn touch(&self, k: &Kernel, pid: Pid, addr: u64) -> Result<(), Errno> {
        let ptr = addr + CHUNK_HEADER;
        if self.stride <= PAGE_SIZE {
            // Every page from the header to the last byte written.
            let last = (self.bytes - 1) / self.stride * self.stride;
            return k
                .touch(pid, addr, CHUNK_HEADER + last + 1)
                .map_err(|e| e.errno);
        }
        let mut i = 0;
        while i < self.bytes {
            k.touch(pid, ptr + i, 1).map_err(|e| e.errno)?;
            i += self.stride;
        }
        Ok(())
    }

    fn step_vm(&mut self, k: &Kernel, pid: Pid) -> Step {
        loop {
            match self.vm {
                VmState::Backoff => unreachable!("left in step"),
                VmState::Alloc => {
                    self.msg.print(
                        k,
                        pid,
                        Level::Dbug,
                        &format!("allocating {} bytes ...", self.bytes),
                    );
                    let len = (self.bytes + CHUNK_HEADER).div_ceil(PAGE_SIZE) * PAGE_SIZE;
                    match k.mmap_anon(pid, len, MmapFlags::default()) {
                        Ok(a) => self.map = Some((a, len)),
                        Err(e) => {
                            self.msg.print(
                                k,
                                pid,
                                Level::Fail(494),
                                &format!("hogvm malloc failed: {}", e.errno.strerror()),
                            );
                            return Step::Exit(1);
                        }
                    }
                    self.vm = VmState::Touch;
                    self.said = false;
                }
                VmState::Touch => {
                    let (addr, _) = self.map.expect("allocated");
                    self.say(
                        k,
                        pid,
                        &format!("touching bytes in strides of {} bytes ...", self.stride),
                    );
                    match self.touch(k, pid, addr) {
                        Ok(()) => {}
                        // Asleep on the memcg OOM wait queue, or killed: retry when run again.
                        Err(Errno::EINTR) => return Step::Yield,
                        Err(_) => {
                            let _ = k.send_sig(pid, Signal(7));
                            return Step::Exit(1);
                        }
                    }
                    self.said = false;
                    match self.hang {
                        0 => {
                            self.msg.print(
                                k,
                                pid,
                                Level::Dbug,
                                "sleeping forever with allocated memory",
                            );
                            self.vm = VmState::Hold;
                        }
                        h if h > 0 => {
                            self.msg.print(
                                k,
                                pid,
                                Level::Dbug,
                                &format!("sleeping for {h}s with allocated memory"),
                            );
                            let until = k.clock().now_nanos() + h as u64 * NS_PER_SEC;
                            self.vm = VmState::Hang(until);
                            return self.sleep(until);
                        }
                        // No hang: the real loop frees and allocates again at once, forever;
                        // cgsim keeps the first round's memory (see the header).
                        _ => {
                            if !self.keep {
                                self.msg.print(
                                    k,
                                    pid,
                                    Level::Dbug,
                                    &format!("freed {} bytes", self.bytes),
                                );
                            }
                            self.vm = VmState::Hold;
                        }
                    }
                }
                VmState::Hang(until) => {
                    if k.clock().now_nanos() < until {
                        return self.sleep(until);
                    }
                    if !self.keep {
                        let (addr, len) = self.map.take().expect("allocated");
                        let _ = k.munmap(pid, addr, len);
                        self.msg
                            .print(k, pid, Level::Dbug, &format!("freed {} bytes", self.bytes));
                        self.vm = VmState::Alloc;
                    } else {
                        self.vm = VmState::Touch;
                    }
                }
                VmState::Hold => return self.sleep(u64::MAX),
            }
        }
    }
}

impl Program for Worker {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let now = k.clock().now_nanos();
        if self.alarm.is_some_and(|a| a <= now) {
            // SIGALRM's default action ends the worker.
            let _ = k.send_sig(pid, SIGALRM);
            return Step::Exit(0);
        }
        if self.vm == VmState::Backoff {
            if now < self.start_at {
                return self.sleep(self.start_at);
            }
            if self.dryrun {
                return Step::Exit(0);
            }
            self.vm = VmState::Alloc;
        }
        match self.hog {
            // hogcpu: `while (1) sqrt(rand());` runs on the CPU until the alarm; one step is
            // one tick of it (the scheduler may run another task between two).
            Hog::Cpu => {
                k.cpu_charge(pid, HOG_STEP_NS, 0);
                Step::Yield
            }
            // hogio's sync() loop changes nothing a cgroup tutorial reads here.
            Hog::Io => self.sleep(u64::MAX),
            Hog::Vm => self.step_vm(k, pid),
        }
    }
}
