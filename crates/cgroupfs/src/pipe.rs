//! Pipes: a byte queue with a read end and a write end.
//!
//! **Kernel:** `fs/pipe.c` `do_pipe`, `pipe_read`, `pipe_write`, `pipe_release` (2.6.25).
//! The buffer holds 16 pages (`PIPE_BUFFERS`, 64 KiB): a simulated program (a [`crate::Program`]
//! being stepped) that writes to a full pipe gets EAGAIN and sleeps with
//! [`crate::Step::WaitWritable`] until its reader makes room, as `pipe_write` sleeps in
//! `pipe_wait`; a write with no reader left fails with EPIPE and sends SIGPIPE to the writer.
//! A threaded task (a pipeline stage of shell code, `crate::threaded`) sleeps the same way:
//! its thread parks in `Kernel::write` until the reader makes room.
//! A command a threaded stage runs in a further child (`{ cat f; } | head`) sleeps there too,
//! parking the stage's thread, when the pipe's reader is a task the scheduler runs
//! ([`Kernel::pipe_write_bounded`]).
//! **Differences:** a write from the main shell's own synchronous code (a builtin with a
//! redirection into a pipe), or to a pipe whose only readers are synchronous code on the
//! writer's own host stack (a here-document, a `$(...)` the main shell reads when the command
//! is done), cannot sleep: when the pipe is full it first runs the scheduler (a program
//! reading the pipe drains it), then, if no room was made, the buffer grows past 16 pages.
//! Pipe buffers are kernel memory and are not charged to a memory cgroup, as in 2.6.34.

use crate::file::{FileKind, OpenFile};
use crate::state::State;
use crate::{Fd, Kernel};
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;

/// `PIPE_BUFFERS * PAGE_SIZE` (`include/linux/pipe_fs_i.h`): what a pipe holds.
pub const PIPE_CAPACITY: usize = 16 * 4096;

/// `struct pipe_inode_info`: the bytes in flight and how many open ends of each kind exist.
#[derive(Debug, Default)]
struct PipeBuf {
    data: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

/// One end of a pipe, as an open file description holds it; dropping it is `pipe_release`.
#[derive(Debug)]
pub struct PipeEnd {
    buf: Arc<Mutex<PipeBuf>>,
    write: bool,
}

impl PipeEnd {
    /// `do_pipe`: a connected (read end, write end) pair.
    pub(crate) fn pair() -> (PipeEnd, PipeEnd) {
        let buf = Arc::new(Mutex::new(PipeBuf {
            readers: 1,
            writers: 1,
            ..PipeBuf::default()
        }));
        let read = PipeEnd {
            buf: Arc::clone(&buf),
            write: false,
        };
        (read, PipeEnd { buf, write: true })
    }

    /// `pipe_read`: what is buffered; 0 (end of file) once every writer is gone; EAGAIN while a
    /// writer may still write (a blocking reader waits with `Step::WaitReadable`).
    pub fn read(&self, buf: &mut [u8]) -> SysResult<usize> {
        let mut p = self.buf.lock();
        if p.data.is_empty() {
            if p.writers == 0 {
                return Ok(0);
            }
            return Err(SysError::new(Errno::EAGAIN, "pipe empty, writers remain"));
        }
        let n = buf.len().min(p.data.len());
        for (dst, src) in buf.iter_mut().zip(p.data.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }

    /// `pipe_write`: append what fits (`bounded`: at most up to [`PIPE_CAPACITY`], EAGAIN
    /// when full; else everything), or EPIPE when no reader is left.
    pub fn write(&self, data: &[u8], bounded: bool) -> SysResult<usize> {
        let mut p = self.buf.lock();
        if p.readers == 0 {
            return Err(SysError::new(Errno::EPIPE, "no reader left"));
        }
        let n = if bounded {
            let room = PIPE_CAPACITY.saturating_sub(p.data.len());
            if room == 0 && !data.is_empty() {
                return Err(SysError::new(Errno::EAGAIN, "pipe full"));
            }
            room.min(data.len())
        } else {
            data.len()
        };
        p.data.extend(&data[..n]);
        Ok(n)
    }

    /// Whether a write would not wait: room in the buffer, or no reader (EPIPE).
    pub fn writable(&self) -> bool {
        let p = self.buf.lock();
        p.readers == 0 || p.data.len() < PIPE_CAPACITY
    }

    /// Whether the buffer is full while a reader remains.
    pub fn full(&self) -> bool {
        !self.writable()
    }

    /// Whether a read would not wait: data buffered, or end of file.
    pub fn readable(&self) -> bool {
        let p = self.buf.lock();
        !p.data.is_empty() || p.writers == 0
    }

    /// Whether this is a read end of the same pipe as `other`.
    fn reads_from(&self, other: &PipeEnd) -> bool {
        !self.write && Arc::ptr_eq(&self.buf, &other.buf)
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut p = self.buf.lock();
        if self.write {
            p.writers -= 1;
        } else {
            p.readers -= 1;
        }
    }
}

impl<T: Tracer> Kernel<T> {
    /// Whether a write by `pid` to the pipe end `end` may sleep when the pipe is full (is
    /// bounded by [`PIPE_CAPACITY`]): a simulated program being stepped always may; code on a
    /// threaded task's thread during its turn (the task itself, or a process it runs in a
    /// further child, `{ cat f; } | ...`) may when a reader of the pipe is a task the
    /// scheduler runs (one with a program, which will drain the pipe or exit). A reader that
    /// is synchronous code on the writer's own host stack (the stage itself reading a
    /// here-document or its `$(...)` later, the main shell's `$(...)`) cannot run while the
    /// writer sleeps, so such a write grows the buffer instead, as all synchronous code's do.
    pub(crate) fn pipe_write_bounded(&self, st: &State<T>, pid: Pid, end: &PipeEnd) -> bool {
        let stepping = *self.stepping.lock();
        match crate::threaded::current() {
            None => stepping == Some(pid),
            Some(task) if stepping == Some(task) => {
                let readers: Vec<Pid> = st
                    .tasks
                    .iter()
                    .filter(|(_, t)| !t.is_zombie())
                    .filter(|(_, t)| {
                        t.fds.values().any(|e| {
                            matches!(st.files.get(&e.file).map(|f| &f.kind),
                                Some(FileKind::Pipe(r)) if r.reads_from(end))
                        })
                    })
                    .map(|(&p, _)| p)
                    .collect();
                // Lock order: Kernel::state -> Kernel::programs. The task being stepped is out
                // of the table during its turn, so it never counts as a reader that can run.
                let programs = self.programs.lock();
                readers.iter().any(|p| programs.contains_key(p))
            }
            // A program stepped from inside a task's turn (a process events listener run by
            // the task's `fork`) is a program like any other.
            Some(_) => stepping == Some(pid),
        }
    }

    /// `pipe(2)`: the read end at the lowest free fd, the write end at the next.
    #[doc(alias = "do_pipe")]
    pub(crate) fn sys_pipe(&self, pid: Pid) -> SysResult<(Fd, Fd)> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "do_pipe");
        let mut st = self.lock_state();
        self.live_cred(&st, pid)?;
        let (r, w) = PipeEnd::pair();
        let rfd = self.install_fd(
            &mut st,
            pid,
            OpenFile::new(FileKind::Pipe(r), true, false),
            false,
        );
        let result = match rfd {
            Ok(rfd) => {
                match self.install_fd(
                    &mut st,
                    pid,
                    OpenFile::new(FileKind::Pipe(w), false, true),
                    false,
                ) {
                    Ok(wfd) => Ok((rfd, wfd)),
                    Err(e) => {
                        // Undo the read end so a failed pipe(2) leaves the fd table as it was.
                        drop(st);
                        let _ = self.close(pid, rfd);
                        return Err(e);
                    }
                }
            }
            Err(e) => Err(e),
        };
        self.unlock(st);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_holds_sixteen_pages_for_a_program_and_refuses_a_write_without_reader() {
        let (r, w) = PipeEnd::pair();
        let data = vec![b'y'; 100_000];
        assert_eq!(w.write(&data, true).unwrap(), PIPE_CAPACITY);
        assert!(!w.writable() && w.full());
        assert_eq!(w.write(b"y", true).unwrap_err().errno, Errno::EAGAIN);
        // Synchronous code cannot sleep: its write goes past the sixteen pages.
        assert_eq!(w.write(b"yy", false).unwrap(), 2);
        let mut buf = vec![0u8; 4096];
        assert_eq!(r.read(&mut buf).unwrap(), 4096);
        assert!(w.writable(), "the reader made room");
        drop(r);
        assert!(
            w.writable(),
            "no reader: the write would not wait, it fails"
        );
        assert_eq!(w.write(b"y", true).unwrap_err().errno, Errno::EPIPE);
    }
}
