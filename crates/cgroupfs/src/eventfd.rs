//! eventfd as a file descriptor kind: `eventfd2(2)`, reads, writes, poll and the final close.
//!
//! **Kernel:** `fs/eventfd.c` `sys_eventfd2`, `eventfd_fops` (2.6.34).
//! The object itself is `cgsim-eventfd`'s; this file only installs it in the fd table.
//! **Differences:** a blocking read or write that would sleep returns EAGAIN; a simulated
//! program then returns [`crate::Step::WaitReadable`] and the scheduler polls the fd again.
//! **Locking:** the eventfd context lock is a leaf under `Kernel::state`. The file object is
//! dropped (its `POLLHUP` wake-up run) after `Kernel::state` is released, as `cgsim-eventfd`
//! asks, through `State<T>::deferred_drops`.

use crate::file::{FileKind, OpenFile};
use crate::{Fd, Kernel};
use cgsim_eventfd::{EFD_CLOEXEC, EFD_NONBLOCK, PollMask};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

pub use cgsim_eventfd::EventfdFile;

impl<T: Tracer> Kernel<T> {
    #[doc(alias = "sys_eventfd2")]
    pub(crate) fn sys_eventfd(&self, pid: Pid, initval: u32, flags: i32) -> SysResult<Fd> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "sys_eventfd2");
        let file = self
            .params
            .eventfd
            .eventfd2(initval, flags)
            .map_err(|e| SysError::new(e, "eventfd2: unknown flag"))?;
        if self.eventfd_alloc_fails() {
            return Err(SysError::new(Errno::ENOMEM, "eventfd2: kmalloc failed"));
        }
        let mut st = self.lock_state();
        self.live_cred(&st, pid)?;
        let mut of = OpenFile::new(FileKind::Eventfd(file), true, true);
        of.nonblock = flags & EFD_NONBLOCK != 0;
        let r = self.install_fd(&mut st, pid, of, flags & EFD_CLOEXEC != 0);
        self.unlock(st);
        r
    }

    pub(crate) fn efd_read(
        &self,
        f: &EventfdFile,
        nonblock: bool,
        buf: &mut [u8],
    ) -> SysResult<usize> {
        let _f = func(&*self.tracer, smp_processor_id(), "eventfd_read");
        f.ctx().try_read(buf).map_err(|e| match e {
            Errno::EAGAIN if !nonblock => {
                SysError::new(Errno::EAGAIN, "would block: wait with Step::WaitReadable")
            }
            Errno::EAGAIN => SysError::new(Errno::EAGAIN, "counter is 0"),
            Errno::EINVAL => SysError::new(Errno::EINVAL, "buffer shorter than 8 bytes"),
            e => SysError::from(e),
        })
    }

    pub(crate) fn efd_write(
        &self,
        f: &EventfdFile,
        nonblock: bool,
        data: &[u8],
    ) -> SysResult<usize> {
        let _f = func(&*self.tracer, smp_processor_id(), "eventfd_write");
        f.ctx().try_write(data).map_err(|e| match e {
            Errno::EAGAIN if !nonblock => SysError::new(Errno::EAGAIN, "would block: counter full"),
            Errno::EINVAL => SysError::new(Errno::EINVAL, "short buffer or 0xffffffffffffffff"),
            e => SysError::from(e),
        })
    }

    /// `eventfd_poll` readiness for the scheduler: readable when `POLLIN` or `POLLERR`.
    pub(crate) fn efd_readable(&self, f: &EventfdFile) -> bool {
        f.ctx()
            .poll()
            .intersects(PollMask::POLLIN | PollMask::POLLERR | PollMask::POLLHUP)
    }
}
