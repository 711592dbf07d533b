//! Byte and page quantities.
//!
//! res_counter counts bytes and page_counter counts pages (`kernel/res_counter.c` `res_counter_charge`, v2.6.34; `mm/page_counter.c` `page_counter_try_charge`, v3.19); keeping the two as
//! different types makes the 3.19 change of unit visible in the code.

use std::fmt;

/// `PAGE_SHIFT` on x86-64 (`arch/x86/include/asm/page_types.h`, v2.6.34).
pub const PAGE_SHIFT: u32 = 12;
/// `PAGE_SIZE` = 4096 bytes.
pub const PAGE_SIZE: u64 = 1 << PAGE_SHIFT;

/// A quantity of bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

/// A quantity of pages.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pages(pub u64);

impl Bytes {
    /// `PAGE_ALIGN(x)`: round up to a page multiple, saturating instead of wrapping.
    #[doc(alias = "PAGE_ALIGN")]
    pub fn page_align(self) -> Bytes {
        Bytes(self.0.saturating_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1))
    }

    /// Whole pages, rounding down (`x >> PAGE_SHIFT`).
    pub fn to_pages_floor(self) -> Pages {
        Pages(self.0 >> PAGE_SHIFT)
    }
}

impl Pages {
    /// Bytes in these pages, saturating.
    pub fn to_bytes(self) -> Bytes {
        Bytes(self.0.saturating_mul(PAGE_SIZE))
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Pages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_align_rounds_up_and_saturates() {
        assert_eq!(Bytes(1).page_align(), Bytes(4096));
        assert_eq!(Bytes(4096).page_align(), Bytes(4096));
        assert_eq!(Bytes(0).page_align(), Bytes(0));
        assert_eq!(Bytes(u64::MAX).page_align(), Bytes(!4095));
        assert_eq!(Bytes(8191).to_pages_floor(), Pages(1));
        assert_eq!(Pages(2).to_bytes(), Bytes(8192));
    }
}
