//! `cgroup.event_control`: binding an eventfd to a control file's notifications.
//!
//! **Kernel:** `kernel/cgroup.c` `cgroup_write_event_control`, `cgroup_event_wake`,
//! `cgroup_event_remove`, and the event part of `cgroup_rmdir` (2.6.34; `kernel/cgroup.c` `cgroup_write_event_control`, `cgroup_event_wake`).
//! The core parses the write (`"<event_fd> <control_fd> <args>"`) and hands the request to the
//! [`EventControl`] hook installed here, because the two numbers are the writer's file
//! descriptors. Validation order (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34): `efd` not open → EBADF, not an eventfd → EINVAL;
//! `cfd` not open → EBADF; no read permission on the control file → EACCES; not a cgroup control
//! file → EINVAL; a control file of another cgroup → EINVAL (the 3.10 check, switch
//! `event_control.same_cgroup_check`, on by default, `kernel/cgroup.c` `cgroup_write_event_control`, v3.10); a file without event support →
//! EINVAL; then the file's `register_event` decides. The eventfd reaches the subsystem as
//! `Arc<dyn Any>` holding a [`cgsim_eventfd::EventfdCtx`] (downcast it); `unregister_event` gets
//! the same `Arc`.
//! Removal: closing the eventfd's last file wakes its queue with `POLLHUP`; the wake function only
//! records the event, and the removal (`unregister_event`) runs after the syscall released
//! `Kernel::state`, like the kernel's deferred work. Removing the cgroup signals every event on
//! it once (+1) after the directory is gone, then unregisters it (`kernel/cgroup.c` `cgroup_rmdir`, v2.6.34).
//! **Locking:** the writer's fd snapshot and the event list are leaf mutexes. Lock order:
//! `Kernel::state` -> `EventControlState::current`/`events` (never held while calling the core,
//! a subsystem or an eventfd).
//! **Differences:** the fd numbers are resolved from a snapshot of the writer's fd table taken
//! when the write starts (the kernel looks them up during the write; nothing else can change the
//! table in between here).

use crate::Kernel;
use crate::file::FileKind;
use crate::perm::IdKind;
use crate::state::State;
use cgsim_cgroup::{CftEvents, CgroupId, CssRef, Dentry, EventControl, EventControlRequest};
use cgsim_eventfd::{EventfdCtx, PollMask, WaitQueueId};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Errno, Pid, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

/// What one of the writer's fds is, as `cgroup_write_event_control` needs to know it.
#[derive(Clone)]
enum FdTarget {
    Eventfd(Arc<EventfdCtx>),
    Cgroup {
        cgrp: CgroupId,
        name: String,
        may_read: bool,
    },
    Other,
}

/// One registration (`struct cgroup_event`).
#[doc(alias = "cgroup_event")]
struct CgroupEvent {
    cgrp: CgroupId,
    /// The control file the event watches (`cft->name` with its prefix) and the written args,
    /// kept for diagrams.
    file: String,
    args: String,
    css: Option<CssRef>,
    events: Arc<dyn CftEvents>,
    ctx: Arc<EventfdCtx>,
    /// The same context as `ctx`, as the subsystem saw it at registration.
    any: Arc<dyn Any + Send + Sync>,
    wait: WaitQueueId,
}

/// The VFS side of `cgroup.event_control`.
#[derive(Default)]
pub(crate) struct EventControlState {
    /// The fds of the task writing `cgroup.event_control` right now (set around the core's write).
    current: Mutex<Option<BTreeMap<u64, FdTarget>>>,
    /// Registered events by id (`cgrp->event_list`, kept globally).
    events: Mutex<BTreeMap<u64, CgroupEvent>>,
    next_id: Mutex<u64>,
    /// Events whose eventfd hung up, waiting for removal (the kernel's `schedule_work`).
    hangups: Arc<Mutex<Vec<u64>>>,
}

/// The hook the core calls; it holds the kernel weakly (the kernel owns the core).
pub(crate) struct VfsEventControl<T: Tracer> {
    pub(crate) kernel: Weak<Kernel<T>>,
}

impl<T: Tracer> EventControl for VfsEventControl<T> {
    fn register(&self, req: &EventControlRequest) -> Result<(), Errno> {
        match self.kernel.upgrade() {
            Some(k) => k.event_register(req),
            None => Err(Errno::EINVAL),
        }
    }

    fn cgroup_removed(&self, cgrp: CgroupId) {
        if let Some(k) = self.kernel.upgrade() {
            k.event_cgroup_removed(cgrp);
        }
    }
}

impl<T: Tracer> Kernel<T> {
    /// Before the core's write of a `cgroup.event_control` file: snapshot what the writer's fds
    /// are. Called with `Kernel::state` held.
    pub(crate) fn event_snapshot_fds(&self, st: &State<T>, pid: Pid) {
        let Some(task) = st.tasks.get(&pid) else {
            return;
        };
        let cred = task.cred;
        let mut fds = BTreeMap::new();
        for (&n, e) in &task.fds {
            let target = match st.files.get(&e.file).map(|f| &f.kind) {
                Some(FileKind::Eventfd(ef)) => FdTarget::Eventfd(Arc::clone(ef.ctx())),
                Some(FileKind::Cgroup(cf)) => {
                    let (cgrp, name) = self.cg_file_ids(cf);
                    let may_read = match self.cgroups.lookup(cgrp, &name) {
                        Ok(Dentry::File(f)) => crate::perm::permission(
                            &cred,
                            IdKind::Effective,
                            f.mode,
                            f.uid,
                            f.gid,
                            false,
                            crate::R_OK,
                        ),
                        _ => false,
                    };
                    FdTarget::Cgroup {
                        cgrp,
                        name,
                        may_read,
                    }
                }
                _ => FdTarget::Other,
            };
            fds.insert(n as u64, target);
        }
        *self.evc.current.lock() = Some(fds);
    }

    /// After the core's write: forget the snapshot.
    pub(crate) fn event_clear_fds(&self) {
        *self.evc.current.lock() = None;
    }

    /// Steps 2–9 of `kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34.
    #[doc(alias = "cgroup_write_event_control")]
    fn event_register(&self, req: &EventControlRequest) -> Result<(), Errno> {
        let _f = func(
            &*self.tracer,
            smp_processor_id(),
            "cgroup_write_event_control",
        );
        // The event's kzalloc, right after the two numbers were parsed.
        if self.cgroup_event_alloc_fails() {
            return Err(Errno::ENOMEM);
        }
        let (efd, cfd) = {
            let cur = self.evc.current.lock();
            let fds = cur.as_ref().ok_or(Errno::EINVAL)?;
            (fds.get(&req.efd).cloned(), fds.get(&req.cfd).cloned())
        };
        let ctx = match efd {
            None => return Err(Errno::EBADF),
            Some(FdTarget::Eventfd(ctx)) => ctx,
            Some(_) => return Err(Errno::EINVAL),
        };
        let (cgrp, name) = match cfd {
            None => return Err(Errno::EBADF),
            Some(FdTarget::Cgroup {
                may_read: false, ..
            }) => return Err(Errno::EACCES),
            Some(FdTarget::Cgroup { cgrp, name, .. }) => (cgrp, name),
            Some(_) => return Err(Errno::EINVAL),
        };
        let cgrp = if self.params.event_control_same_cgroup_check {
            if cgrp != req.cgrp {
                return Err(Errno::EINVAL);
            }
            cgrp
        } else {
            // Kernel quirk (2.6.34): the event is registered against the cgroup whose
            // cgroup.event_control was written, whatever cgroup the control file belongs to.
            req.cgrp
        };
        let (css, events) = self
            .cgroups
            .cftype_events(cgrp, &name)
            .map_err(|e| if e == Errno::ENOENT { Errno::EINVAL } else { e })?;
        let any: Arc<dyn Any + Send + Sync> = ctx.clone();
        events.register_event(cgrp, css.as_ref(), Arc::clone(&any), &req.args)?;
        let id = {
            let mut next = self.evc.next_id.lock();
            *next += 1;
            *next
        };
        let hangups = Arc::clone(&self.evc.hangups);
        // cgroup_event_wake: on POLLHUP, only record; the removal runs after the syscall.
        let wait = ctx.add_wait_queue(Box::new(move |key| {
            if key.contains(PollMask::POLLHUP) {
                hangups.lock().push(id);
            }
        }));
        self.evc.events.lock().insert(
            id,
            CgroupEvent {
                cgrp,
                file: name,
                args: req.args.clone(),
                css,
                events,
                ctx,
                any,
                wait,
            },
        );
        Ok(())
    }

    /// `cgroup_rmdir`'s event step (`kernel/cgroup.c`, v2.6.34): signal each event of the removed cgroup once, then
    /// unregister it.
    fn event_cgroup_removed(&self, cgrp: CgroupId) {
        let gone: Vec<CgroupEvent> = {
            let mut evs = self.evc.events.lock();
            let ids: Vec<u64> = evs
                .iter()
                .filter(|(_, e)| e.cgrp == cgrp)
                .map(|(&id, _)| id)
                .collect();
            ids.into_iter().filter_map(|id| evs.remove(&id)).collect()
        };
        for ev in gone {
            ev.ctx.remove_wait_queue(ev.wait);
            ev.ctx.signal(1);
            self.event_remove(ev);
        }
    }

    /// `cgroup_event_remove`: the deferred removal after an eventfd hung up. Runs with no lock
    /// held (from `Kernel::unlock`).
    #[doc(alias = "cgroup_event_remove")]
    pub(crate) fn event_process_hangups(&self) {
        loop {
            let ids = std::mem::take(&mut *self.evc.hangups.lock());
            if ids.is_empty() {
                return;
            }
            for id in ids {
                let ev = self.evc.events.lock().remove(&id);
                if let Some(ev) = ev {
                    ev.ctx.remove_wait_queue(ev.wait);
                    self.event_remove(ev);
                }
            }
        }
    }

    fn event_remove(&self, ev: CgroupEvent) {
        let _f = func(&*self.tracer, smp_processor_id(), "cgroup_event_remove");
        ev.events
            .unregister_event(ev.cgrp, ev.css.as_ref(), &ev.any);
    }

    /// How many `cgroup.event_control` registrations exist (for tests and the shell).
    pub fn nr_cgroup_events(&self) -> usize {
        self.evc.events.lock().len()
    }

    /// Every registration (`cgrp->event_list` of every cgroup), in registration order: the
    /// diagrams draw them on their cgroups.
    pub fn cgroup_events(&self) -> Vec<CgroupEventInfo> {
        // Take the registrations first and the task table after: `Kernel::state` comes before
        // the event list in the lock order, so the two are never held together here.
        let events: Vec<(CgroupEventInfo, Arc<EventfdCtx>)> = self
            .evc
            .events
            .lock()
            .values()
            .map(|e| {
                let info = CgroupEventInfo {
                    cgrp: e.cgrp,
                    file: e.file.clone(),
                    args: e.args.clone(),
                    eventfd_count: e.ctx.count(),
                    holders: Vec::new(),
                };
                (info, Arc::clone(&e.ctx))
            })
            .collect();
        let st = self.lock_state();
        events
            .into_iter()
            .map(|(mut info, ctx)| {
                for (&pid, task) in &st.tasks {
                    for (&fd, e) in &task.fds {
                        if let Some(FileKind::Eventfd(ef)) = st.files.get(&e.file).map(|f| &f.kind)
                            && Arc::ptr_eq(ef.ctx(), &ctx)
                        {
                            info.holders.push((pid, fd));
                        }
                    }
                }
                info
            })
            .collect()
    }
}

/// One `cgroup.event_control` registration, as [`Kernel::cgroup_events`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgroupEventInfo {
    pub cgrp: CgroupId,
    /// The control file watched, e.g. `memory.usage_in_bytes`.
    pub file: String,
    /// What followed the two fds in the write, e.g. `5M`.
    pub args: String,
    /// The eventfd's counter right now (unread notifications).
    pub eventfd_count: u64,
    /// The tasks holding an fd on the eventfd (the listeners), with the fd numbers.
    pub holders: Vec<(Pid, i32)>,
}
