//! Poll event bits: the readiness mask `poll` returns and the key a wake-up carries.
//!
//! **Kernel:** `POLLIN` … `POLLNVAL` from `include/asm-generic/poll.h` (2.6.34; `fs/eventfd.c` `eventfd_poll`).
//! The numbers are the ones user space sees in `struct pollfd.revents` on x86.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

/// A set of poll bits (`unsigned int mask` in the kernel's `f_op->poll`, and the `key` passed
/// to wait-queue wake functions by `wake_up_poll`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct PollMask(u32);

impl PollMask {
    /// No bit set.
    pub const EMPTY: PollMask = PollMask(0);
    /// There is data to read (eventfd: the counter is non-zero).
    pub const POLLIN: PollMask = PollMask(0x0001);
    /// Urgent data (never reported by eventfd).
    pub const POLLPRI: PollMask = PollMask(0x0002);
    /// Writing would not block (eventfd: a write of 1 would succeed).
    pub const POLLOUT: PollMask = PollMask(0x0004);
    /// Error condition (eventfd: the counter is saturated at `u64::MAX`).
    pub const POLLERR: PollMask = PollMask(0x0008);
    /// Hang-up (eventfd: only as a wake-up key, when the last file reference is closed).
    pub const POLLHUP: PollMask = PollMask(0x0010);
    /// Invalid descriptor (set by the VFS, never by eventfd).
    pub const POLLNVAL: PollMask = PollMask(0x0020);

    const NAMES: [(PollMask, &'static str); 6] = [
        (PollMask::POLLIN, "POLLIN"),
        (PollMask::POLLPRI, "POLLPRI"),
        (PollMask::POLLOUT, "POLLOUT"),
        (PollMask::POLLERR, "POLLERR"),
        (PollMask::POLLHUP, "POLLHUP"),
        (PollMask::POLLNVAL, "POLLNVAL"),
    ];

    /// The raw bits, as in `revents`.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// A mask from raw bits; unknown bits are kept.
    pub const fn from_bits(bits: u32) -> PollMask {
        PollMask(bits)
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: PollMask) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set in `self`.
    pub const fn intersects(self, other: PollMask) -> bool {
        self.0 & other.0 != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for PollMask {
    type Output = PollMask;
    fn bitor(self, rhs: PollMask) -> PollMask {
        PollMask(self.0 | rhs.0)
    }
}

impl BitOrAssign for PollMask {
    fn bitor_assign(&mut self, rhs: PollMask) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for PollMask {
    type Output = PollMask;
    fn bitand(self, rhs: PollMask) -> PollMask {
        PollMask(self.0 & rhs.0)
    }
}

/// Prints the set bits by name joined with `|` (`POLLIN|POLLOUT`), `0` when empty, and any
/// unknown bits in hex, so traces read like `strace` output.
impl fmt::Display for PollMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("0");
        }
        let mut rest = self.0;
        let mut first = true;
        for (bit, name) in PollMask::NAMES {
            if self.contains(bit) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
                rest &= !bit.0;
            }
        }
        if rest != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{rest:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PollMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PollMask({self})")
    }
}
