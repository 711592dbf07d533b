//! The simulated kernel log (`printk`/`dmesg`) and the simulated clock it stamps lines with.
//!
//! **Kernel:** `kernel/printk.c`. Lines print as `[seconds.micros] text`, like `dmesg`.
//! The clock never reads the wall clock: it advances only when the simulation says so
//! (`sleep` in a script), so transcripts are deterministic.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// `KERN_*` log levels.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

/// One line of the kernel log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub nanos: u64,
    pub level: Level,
    pub text: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.nanos / 1_000_000_000;
        let micros = (self.nanos % 1_000_000_000) / 1000;
        write!(f, "[{secs:>5}.{micros:06}] {}", self.text)
    }
}

/// The simulated monotonic clock, in nanoseconds since boot.
#[derive(Debug, Default)]
pub struct Clock {
    nanos: AtomicU64,
}

impl Clock {
    pub fn now_nanos(&self) -> u64 {
        self.nanos.load(Ordering::Relaxed)
    }

    /// Move time forward; never backwards.
    pub fn advance_to(&self, nanos: u64) {
        self.nanos.fetch_max(nanos, Ordering::Relaxed);
    }
}

/// The kernel log buffer.
#[derive(Debug, Default)]
pub struct Klog {
    lines: Mutex<Vec<LogLine>>,
}

impl Klog {
    /// `printk(level, text)` stamped with `clock`.
    pub fn printk(&self, clock: &Clock, level: Level, text: impl Into<String>) {
        self.lines.lock().push(LogLine {
            nanos: clock.now_nanos(),
            level,
            text: text.into(),
        });
    }

    /// Every line so far (`dmesg`).
    pub fn lines(&self) -> Vec<LogLine> {
        self.lines.lock().clone()
    }

    /// Lines at `Warning` or worse: tests assert there are none after a clean run.
    pub fn warnings(&self) -> Vec<LogLine> {
        self.lines
            .lock()
            .iter()
            .filter(|l| l.level <= Level::Warning)
            .cloned()
            .collect()
    }
}
