//! Redirections: `>`, `>>`, `<`, `N>&M`, `N>&-`, applied with `open`, `dup2` and `close` on
//! the simulated kernel, as a shell does between `fork` and `exec`.
//!
//! Builtins run in the shell process itself, so their redirections save the old descriptors
//! above 9 and restore them afterwards (dash keeps them at fd 10 and up, too).

use super::{Redir, Saved, Shell};
use crate::shell::ast::RedirKind;
use cgsim_cgroupfs::{Fd, OpenFlags};
use cgsim_ktypes::Pid;

impl Shell {
    /// Open the redirection targets in `pid` and move them onto their fds. With `save`, the old
    /// fds are kept above 9 and restored afterwards (builtins run in the shell itself).
    pub(super) fn apply_redirects(
        &mut self,
        pid: Pid,
        redirs: &[Redir],
        save: bool,
    ) -> Result<Vec<Saved>, i32> {
        let mut saved = Vec::new();
        for r in redirs {
            let newfd = match r.kind {
                RedirKind::Dup => {
                    if r.target == "-" {
                        if save {
                            saved.push(self.save_fd(pid, r.fd));
                        }
                        let _ = self.k.close(pid, Fd(r.fd));
                        continue;
                    }
                    match r.target.parse::<i32>() {
                        Ok(n) if n >= 0 => {
                            if n == r.fd {
                                continue;
                            }
                            if save {
                                saved.push(self.save_fd(pid, r.fd));
                            }
                            if let Err(e) = self.k.dup2(pid, Fd(n), Fd(r.fd)) {
                                self.sh_error(pid, &format!("{n}: {}", e.errno.strerror()));
                                self.restore(pid, saved);
                                return Err(2);
                            }
                            continue;
                        }
                        _ => {
                            self.sh_error(pid, &format!("{}: Bad fd number", r.target));
                            self.restore(pid, saved);
                            return Err(2);
                        }
                    }
                }
                RedirKind::Out | RedirKind::Append | RedirKind::In => {
                    let (flags, verb) = match r.kind {
                        RedirKind::Out => (OpenFlags::REDIRECT_TRUNC, "create"),
                        RedirKind::Append => (OpenFlags::REDIRECT_APPEND, "create"),
                        _ => (OpenFlags::RDONLY, "open"),
                    };
                    match self.k.open(pid, &r.target, flags, 0o666) {
                        Ok(fd) => fd,
                        Err(e) => {
                            let msg = format!("cannot {verb} {}: {}", r.target, e.errno.strerror());
                            self.restore(pid, saved);
                            self.sh_error(pid, &msg);
                            return Err(2);
                        }
                    }
                }
            };
            if newfd.0 == r.fd {
                continue;
            }
            if save {
                saved.push(self.save_fd(pid, r.fd));
            }
            let _ = self.k.dup2(pid, newfd, Fd(r.fd));
            let _ = self.k.close(pid, newfd);
        }
        Ok(saved)
    }

    pub(super) fn save_fd(&mut self, pid: Pid, fd: i32) -> Saved {
        let slot = Fd(self.next_save_fd);
        match self.k.dup2(pid, Fd(fd), slot) {
            Ok(_) => {
                self.next_save_fd += 1;
                Saved {
                    fd,
                    slot: Some(slot),
                }
            }
            Err(_) => Saved { fd, slot: None },
        }
    }

    pub(super) fn restore(&mut self, pid: Pid, saved: Vec<Saved>) {
        for s in saved.into_iter().rev() {
            match s.slot {
                Some(slot) => {
                    let _ = self.k.dup2(pid, slot, Fd(s.fd));
                    let _ = self.k.close(pid, slot);
                    self.next_save_fd -= 1;
                }
                None => {
                    let _ = self.k.close(pid, Fd(s.fd));
                }
            }
        }
    }
}
