//! Linux error numbers with their names and glibc `strerror` texts.
//!
//! **Kernel:** `include/uapi/asm-generic/errno-base.h` and `errno.h` (x86 numbering).
//! Only the syscall layer (`cgsim-cgroupfs`) returns [`SysError`]; lower layers return small
//! structured errors or a bare [`Errno`] that the layer above turns into a `SysError`.

use std::fmt;

macro_rules! errnos {
    ($($name:ident = $num:expr, $text:expr;)*) => {
        /// A Linux errno value.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(i32)]
        pub enum Errno {
            $(#[doc = $text] $name = $num,)*
        }

        impl Errno {
            /// Every errno this simulator knows, in numeric order.
            pub const ALL: &'static [Errno] = &[$(Errno::$name,)*];

            /// The positive errno number user space sees in `errno`.
            pub fn number(self) -> i32 {
                self as i32
            }

            /// The symbolic name, e.g. `"EBUSY"`.
            pub fn name(self) -> &'static str {
                match self { $(Errno::$name => stringify!($name),)* }
            }

            /// glibc's `strerror` text, e.g. `"Device or resource busy"`.
            pub fn strerror(self) -> &'static str {
                match self { $(Errno::$name => $text,)* }
            }

            /// The errno with this number, if the simulator knows it.
            pub fn from_number(n: i32) -> Option<Errno> {
                match n { $($num => Some(Errno::$name),)* _ => None }
            }

            /// The errno with this symbolic name (`"EBUSY"`), if known.
            pub fn from_name(s: &str) -> Option<Errno> {
                match s { $(stringify!($name) => Some(Errno::$name),)* _ => None }
            }
        }
    };
}

errnos! {
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    ESRCH = 3, "No such process";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "Input/output error";
    ENXIO = 6, "No such device or address";
    E2BIG = 7, "Argument list too long";
    ENOEXEC = 8, "Exec format error";
    EBADF = 9, "Bad file descriptor";
    ECHILD = 10, "No child processes";
    EAGAIN = 11, "Resource temporarily unavailable";
    ENOMEM = 12, "Cannot allocate memory";
    EACCES = 13, "Permission denied";
    EFAULT = 14, "Bad address";
    ENOTBLK = 15, "Block device required";
    EBUSY = 16, "Device or resource busy";
    EEXIST = 17, "File exists";
    EXDEV = 18, "Invalid cross-device link";
    ENODEV = 19, "No such device";
    ENOTDIR = 20, "Not a directory";
    EISDIR = 21, "Is a directory";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "Too many open files in system";
    EMFILE = 24, "Too many open files";
    ENOTTY = 25, "Inappropriate ioctl for device";
    EFBIG = 27, "File too large";
    ENOSPC = 28, "No space left on device";
    ESPIPE = 29, "Illegal seek";
    EROFS = 30, "Read-only file system";
    EMLINK = 31, "Too many links";
    EPIPE = 32, "Broken pipe";
    ERANGE = 34, "Numerical result out of range";
    EDEADLK = 35, "Resource deadlock avoided";
    ENAMETOOLONG = 36, "File name too long";
    ENOSYS = 38, "Function not implemented";
    ENOTEMPTY = 39, "Directory not empty";
    ELOOP = 40, "Too many levels of symbolic links";
    EOVERFLOW = 75, "Value too large for defined data type";
    EOPNOTSUPP = 95, "Operation not supported";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.strerror())
    }
}

impl std::error::Error for Errno {}

/// An error at the syscall boundary: the errno user space sees plus a short reason for humans
/// and traces (Asterinas' `return_errno_with_message!`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SysError {
    pub errno: Errno,
    pub why: &'static str,
}

impl SysError {
    pub const fn new(errno: Errno, why: &'static str) -> SysError {
        SysError { errno, why }
    }
}

impl From<Errno> for SysError {
    fn from(errno: Errno) -> SysError {
        SysError { errno, why: "" }
    }
}

impl fmt::Display for SysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.errno.strerror())
    }
}

impl std::error::Error for SysError {}

/// A simulated syscall's failure as the host's `std::io::Error`: the same errno number, so
/// `raw_os_error()` and `kind()` are what the real syscall would give (the `why` is dropped:
/// an OS error carries only its number).
impl From<SysError> for std::io::Error {
    fn from(e: SysError) -> std::io::Error {
        std::io::Error::from_raw_os_error(e.errno as i32)
    }
}

impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> std::io::Error {
        std::io::Error::from_raw_os_error(e as i32)
    }
}

/// The result of a simulated syscall.
pub type SysResult<T> = Result<T, SysError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_texts_round_trip() {
        for &e in Errno::ALL {
            assert_eq!(Errno::from_number(e.number()), Some(e));
            assert_eq!(Errno::from_name(e.name()), Some(e));
            assert!(!e.strerror().is_empty());
        }
        assert_eq!(Errno::EBUSY.number(), 16);
        assert_eq!(Errno::EBUSY.to_string(), "Device or resource busy");
        assert_eq!(Errno::from_number(0), None);
    }
}
