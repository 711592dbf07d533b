//! Redirections: `>`, `>|`, `>>`, `<`, `<>`, `N>&M`, `N<&M`, `N>&-`, here-documents, applied
//! with `open`, `dup2`, `close` and `pipe` on the simulated kernel, as dash's `redir.c` does
//! between `fork` and `exec`.
//!
//! Builtins, functions and compound commands run in the shell process itself, so their
//! redirections save the old descriptors above 9 and restore them afterwards (dash keeps them
//! at fd 10 and up, too). Error texts follow dash's `errmsg`: ENOENT is `No such file` when
//! opening and `Directory nonexistent` when creating.
//! A here-document's body goes through a kernel pipe (dash uses a pipe too when the body fits
//! in one; the simulated pipe is unbounded).

use super::{Redir, Saved, Shell};
use crate::shell::ast::RedirKind;
use cgsim_cgroupfs::{Fd, OpenFlags};
use cgsim_ktypes::{Errno, Pid};

/// dash's `errmsg(e, E_OPEN / E_CREAT)`.
fn errmsg(e: Errno, create: bool) -> String {
    match e {
        Errno::ENOENT if create => "Directory nonexistent".to_string(),
        Errno::ENOENT => "No such file".to_string(),
        e => e.strerror().to_string(),
    }
}

impl Shell {
    /// Open the redirection targets in `pid` and move them onto their fds. With `save`, the old
    /// fds are kept above 9 and restored afterwards (builtins run in the shell itself).
    pub(crate) fn apply_redirects(
        &mut self,
        pid: Pid,
        redirs: &[Redir],
        save: bool,
    ) -> Result<Vec<Saved>, i32> {
        let mut saved = Vec::new();
        for r in redirs {
            let newfd = match r.kind {
                RedirKind::DupOut | RedirKind::DupIn => {
                    if r.target == "-" {
                        if save {
                            saved.push(self.save_fd(pid, r.fd));
                        }
                        let _ = self.k.close(pid, Fd(r.fd));
                        continue;
                    }
                    match r.target.parse::<i32>() {
                        Ok(n) if (0..=9).contains(&n) || r.target.len() == 1 => {
                            if n == r.fd {
                                continue;
                            }
                            if save {
                                saved.push(self.save_fd(pid, r.fd));
                            }
                            if let Err(e) = self.k.dup2(pid, Fd(n), Fd(r.fd)) {
                                self.restore(pid, saved);
                                self.sh_error(pid, &format!("{n}: {}", e.errno.strerror()));
                                return Err(2);
                            }
                            continue;
                        }
                        _ => {
                            self.restore(pid, saved);
                            self.sh_error(pid, "Syntax error: Bad fd number");
                            self.exit = Some(2);
                            return Err(2);
                        }
                    }
                }
                RedirKind::HereDoc => {
                    let (rd, wr) = match self.k.pipe(pid) {
                        Ok(p) => p,
                        Err(e) => {
                            self.restore(pid, saved);
                            self.sh_error(
                                pid,
                                &format!("Pipe call failed: {}", e.errno.strerror()),
                            );
                            return Err(2);
                        }
                    };
                    let body = r.body.clone().unwrap_or_default();
                    if !body.is_empty() {
                        let _ = self.k.write(pid, wr, body.as_bytes());
                    }
                    let _ = self.k.close(pid, wr);
                    rd
                }
                RedirKind::Out
                | RedirKind::Clobber
                | RedirKind::Append
                | RedirKind::In
                | RedirKind::ReadWrite => {
                    let (flags, create) = match r.kind {
                        RedirKind::Out | RedirKind::Clobber => (OpenFlags::REDIRECT_TRUNC, true),
                        RedirKind::Append => (OpenFlags::REDIRECT_APPEND, true),
                        RedirKind::ReadWrite => (
                            OpenFlags {
                                create: true,
                                ..OpenFlags::RDWR
                            },
                            true,
                        ),
                        _ => (OpenFlags::RDONLY, false),
                    };
                    match self.k.open(pid, &r.target, flags, 0o666) {
                        Ok(fd) => fd,
                        Err(e) => {
                            let verb = if create { "create" } else { "open" };
                            let msg =
                                format!("cannot {verb} {}: {}", r.target, errmsg(e.errno, create));
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

    pub(crate) fn save_fd(&mut self, pid: Pid, fd: i32) -> Saved {
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

    /// Keep the redirections (`exec >file`): drop the saved copies instead of restoring them.
    pub(crate) fn forget_saved(&mut self, pid: Pid, saved: Vec<Saved>) {
        for s in saved.into_iter().rev() {
            if let Some(slot) = s.slot {
                let _ = self.k.close(pid, slot);
                self.next_save_fd -= 1;
            }
        }
    }

    pub(crate) fn restore(&mut self, pid: Pid, saved: Vec<Saved>) {
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
