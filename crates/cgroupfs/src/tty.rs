//! The console as a terminal: `isatty(3)` (`tcgetattr`, ENOTTY for anything but a tty) and
//! `ioctl(fd, TIOCGWINSZ)` (`drivers/tty/tty_io.c` `tiocgwinsz`, v2.6.35), which programs such
//! as procps's `ps` use to learn the terminal's width.
//!
//! **Differences:** the simulated console is a terminal only while the host gives it a size
//! ([`Kernel::set_console_winsize`], which the interactive shell does from the real terminal
//! before each command); otherwise (a script run with its output to a pipe or a file, the
//! transcript tests) it behaves as a non-terminal, as the real programs' output would be.
//! There is no `SIGWINCH`: a program reads the size when it starts.

use crate::file::FileKind;
use crate::{Fd, Kernel};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

impl<T: Tracer> Kernel<T> {
    /// Give the console a window size (`TIOCSWINSZ` by the terminal emulator), or make it a
    /// non-terminal with `None`.
    pub fn set_console_winsize(&self, size: Option<(u16, u16)>) {
        self.lock_state().console_winsize = size;
    }

    /// `ioctl(fd, TIOCGWINSZ)`: `(columns, rows)` of the terminal `fd` is open on. EBADF for a
    /// closed fd, ENOTTY when it is not a terminal.
    pub fn tiocgwinsz(&self, pid: Pid, fd: Fd) -> SysResult<(u16, u16)> {
        let st = self.lock_state();
        let id = self.fd_file(&st, pid, fd)?;
        match (&st.files[&id].kind, st.console_winsize) {
            (FileKind::Console(_), Some(ws)) => Ok(ws),
            _ => Err(SysError::new(
                Errno::ENOTTY,
                "inappropriate ioctl for device",
            )),
        }
    }

    /// `isatty(fd)`: whether `fd` is open on a terminal.
    pub fn isatty(&self, pid: Pid, fd: Fd) -> bool {
        self.tiocgwinsz(pid, fd).is_ok()
    }
}
