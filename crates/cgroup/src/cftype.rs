//! Control file types: `struct cftype` with its read and write handlers.
//!
//! **Kernel:** `include/linux/cgroup.h` `struct cftype` (2.6.25, typed handlers from 2.6.27,
//! `mode` and event hooks from 2.6.34; `kernel/cgroup.c` `cgroup_populate_dir`, `cgroup_file_read`, `cgroup_file_write`).
//!
//! A handler is a closure over a [`CftCtx`], which names the cgroup and gives the file's css (for
//! subsystem files) and the core itself. Handlers run WITHOUT `cgroup_mutex` (the kernel's
//! `cgroup_file_read`/`cgroup_file_write` do not take it either), so a handler may call
//! [`CgroupCore`] query methods such as `has_children`.

use crate::cgroup::CgroupId;
use crate::core::CgroupCore;
use crate::css::CssRef;
use cgsim_ktypes::{CpuId, Cred, Errno, Pid, Tracer};
use std::any::Any;
use std::sync::Arc;

/// `S_IRUGO`.
pub const S_IRUGO: u32 = 0o444;
/// `S_IWUSR`.
pub const S_IWUSR: u32 = 0o200;
/// `S_IWUGO`.
pub const S_IWUGO: u32 = 0o222;

/// `CFTYPE_ONLY_ON_ROOT`: the file exists only in a hierarchy's top cgroup
/// (`include/linux/cgroup-defs.h`, v6.6).
pub const CFTYPE_ONLY_ON_ROOT: u32 = 1 << 0;
/// `CFTYPE_NOT_ON_ROOT`: the file exists everywhere but in a hierarchy's top cgroup.
pub const CFTYPE_NOT_ON_ROOT: u32 = 1 << 1;
/// `CFTYPE_NS_DELEGATABLE`: writable by a delegatee inside a cgroup namespace (`nsdelegate`).
pub const CFTYPE_NS_DELEGATABLE: u32 = 1 << 2;
/// `CFTYPE_NO_PREFIX`: the file name gets no `<subsys>.` prefix (v1 legacy files such as
/// memcg's `cgroup.event_control` in 6.6).
pub const CFTYPE_NO_PREFIX: u32 = 1 << 3;
/// `CFTYPE_WORLD_WRITABLE`: `cgroup_file_mode` gives 0222 write bits instead of 0200.
pub const CFTYPE_WORLD_WRITABLE: u32 = 1 << 4;

/// What a control-file handler sees.
pub struct CftCtx<'a, T: Tracer> {
    /// The core (query methods only; the handler runs without `cgroup_mutex`).
    pub core: &'a CgroupCore<T>,
    pub tracer: &'a T,
    /// The CPU the reader or writer runs on (`smp_processor_id()`: its `task_cpu`), whose
    /// per-CPU state the handler uses (a limit write's reclaim drains this CPU's stock).
    pub cpu: CpuId,
    /// The cgroup whose directory holds the file.
    pub cgrp: CgroupId,
    /// The file's subsystem css in that cgroup (`None` for base files).
    pub css: Option<CssRef>,
    /// `cft->private`.
    pub private: u64,
    /// The task doing the read or write and its credentials.
    pub caller: Pid,
    pub cred: Cred,
}

/// `read_u64`/`read_s64` handler.
pub type ReadU64Fn<T> = Arc<dyn Fn(&CftCtx<'_, T>) -> Result<u64, Errno> + Send + Sync>;
/// `read_s64` handler.
pub type ReadS64Fn<T> = Arc<dyn Fn(&CftCtx<'_, T>) -> Result<i64, Errno> + Send + Sync>;
/// `read_map` handler: returns `(key, value)` lines in order.
pub type ReadMapFn<T> =
    Arc<dyn Fn(&CftCtx<'_, T>) -> Result<Vec<(String, u64)>, Errno> + Send + Sync>;
/// `read_seq_string` handler: free text.
pub type ReadStringFn<T> = Arc<dyn Fn(&CftCtx<'_, T>) -> Result<String, Errno> + Send + Sync>;
/// `write_u64` handler.
pub type WriteU64Fn<T> = Arc<dyn Fn(&CftCtx<'_, T>, u64) -> Result<(), Errno> + Send + Sync>;
/// `write_s64` handler.
pub type WriteS64Fn<T> = Arc<dyn Fn(&CftCtx<'_, T>, i64) -> Result<(), Errno> + Send + Sync>;
/// `write_string` handler (gets the whitespace-stripped string).
pub type WriteStringFn<T> = Arc<dyn Fn(&CftCtx<'_, T>, &str) -> Result<(), Errno> + Send + Sync>;
/// `trigger` handler.
pub type TriggerFn<T> = Arc<dyn Fn(&CftCtx<'_, T>) -> Result<(), Errno> + Send + Sync>;
/// Raw `write` handler: gets the user's bytes and returns the byte count `write(2)` returns.
pub type WriteRawFn<T> = Arc<dyn Fn(&CftCtx<'_, T>, &[u8]) -> Result<usize, Errno> + Send + Sync>;

/// The read side of a cftype (at most one; the kernel's dispatch picks the first non-NULL).
pub enum CftRead<T: Tracer> {
    /// `read_u64`: prints `%llu\n`.
    U64(ReadU64Fn<T>),
    /// `read_s64`: prints `%lld\n`.
    S64(ReadS64Fn<T>),
    /// `read_map`: prints `<key> <u64>\n` per entry.
    Map(ReadMapFn<T>),
    /// `read_seq_string`: prints the text as is.
    SeqString(ReadStringFn<T>),
}

/// The write side of a cftype, in the kernel's dispatch order (`kernel/cgroup.c` `cgroup_file_write`, `cgroup_write_X64`, v2.6.34).
pub enum CftWrite<T: Tracer> {
    /// `write`: raw bytes.
    Raw(WriteRawFn<T>),
    /// `write_u64`: 64-byte buffer, base-0 parse, leftovers → EINVAL.
    U64(WriteU64Fn<T>),
    /// `write_s64`.
    S64(WriteS64Fn<T>),
    /// `write_string` (limit `max_write_len`, default 63 usable bytes).
    String(WriteStringFn<T>),
    /// `trigger`: the written bytes are ignored.
    Trigger(TriggerFn<T>),
}

/// An eventfd registration hook on a control file (`register_event`/`unregister_event`, 2.6.34).
///
/// The eventfd is opaque here (`Arc<dyn Any>`): the layer implementing `cgroup.event_control`
/// passes its eventfd context and the subsystem downcasts it. Not called by the core itself; the
/// [`EventControl`](crate::EventControl) hook reaches it through [`CgroupCore::cftype_events`].
pub trait CftEvents: Send + Sync {
    /// `register_event(cgrp, cft, eventfd, args)`.
    fn register_event(
        &self,
        cgrp: CgroupId,
        css: Option<&CssRef>,
        eventfd: Arc<dyn Any + Send + Sync>,
        args: &str,
    ) -> Result<(), Errno>;

    /// `unregister_event(cgrp, cft, eventfd)`.
    fn unregister_event(
        &self,
        cgrp: CgroupId,
        css: Option<&CssRef>,
        eventfd: &Arc<dyn Any + Send + Sync>,
    );
}

/// `struct cftype`: one control file a subsystem adds in `populate`.
///
/// **Kernel:** `include/linux/cgroup.h` 2.6.34 (`kernel/cgroup.c` `cgroup_populate_dir`, `cgroup_file_read`, `cgroup_file_write`).
#[doc(alias = "cftype")]
pub struct Cftype<T: Tracer> {
    /// Base name without the `<subsys>.` prefix (< `MAX_CFTYPE_NAME` bytes).
    pub name: String,
    /// Explicit `cft->mode`; `None` computes it from the handlers (`kernel/cgroup.c` `cgroup_file_mode`, v2.6.34).
    pub mode: Option<u32>,
    /// `cft->private`, handed to every handler.
    pub private: u64,
    /// `cft->max_write_len` for `write_string` (default 64, so 63 usable bytes).
    pub max_write_len: Option<usize>,
    pub read: Option<CftRead<T>>,
    pub write: Option<CftWrite<T>>,
    /// `register_event`/`unregister_event` (2.6.34).
    pub events: Option<Arc<dyn CftEvents>>,
    /// `cft->flags` (`CFTYPE_ONLY_ON_ROOT`, `CFTYPE_NOT_ON_ROOT`, `CFTYPE_NO_PREFIX`, ...);
    /// honoured by `cgroup_populate_dir` on both hierarchies, as `cgroup_addrm_files` does
    /// (v6.6). 0 for every v1 file of the older presets.
    pub flags: u32,
}

impl<T: Tracer> Cftype<T> {
    /// A file with no handlers yet.
    pub fn new(name: impl Into<String>) -> Cftype<T> {
        Cftype {
            name: name.into(),
            mode: None,
            private: 0,
            max_write_len: None,
            read: None,
            write: None,
            events: None,
            flags: 0,
        }
    }

    /// Builder: `cft->flags` (`CFTYPE_NOT_ON_ROOT`, ...).
    pub fn with_flags(mut self, flags: u32) -> Self {
        self.flags = flags;
        self
    }

    /// Builder: `read_u64`.
    pub fn read_u64(
        mut self,
        f: impl Fn(&CftCtx<'_, T>) -> Result<u64, Errno> + Send + Sync + 'static,
    ) -> Self {
        self.read = Some(CftRead::U64(Arc::new(f)));
        self
    }

    /// Builder: `read_s64`.
    pub fn read_s64(
        mut self,
        f: impl Fn(&CftCtx<'_, T>) -> Result<i64, Errno> + Send + Sync + 'static,
    ) -> Self {
        self.read = Some(CftRead::S64(Arc::new(f)));
        self
    }

    /// Builder: `read_map`.
    pub fn read_map(
        mut self,
        f: impl Fn(&CftCtx<'_, T>) -> Result<Vec<(String, u64)>, Errno> + Send + Sync + 'static,
    ) -> Self {
        self.read = Some(CftRead::Map(Arc::new(f)));
        self
    }

    /// Builder: `read_seq_string`.
    pub fn read_seq_string(
        mut self,
        f: impl Fn(&CftCtx<'_, T>) -> Result<String, Errno> + Send + Sync + 'static,
    ) -> Self {
        self.read = Some(CftRead::SeqString(Arc::new(f)));
        self
    }

    /// Builder: `write_u64`.
    pub fn write_u64(
        mut self,
        f: impl Fn(&CftCtx<'_, T>, u64) -> Result<(), Errno> + Send + Sync + 'static,
    ) -> Self {
        self.write = Some(CftWrite::U64(Arc::new(f)));
        self
    }

    /// Builder: `write_s64`.
    pub fn write_s64(
        mut self,
        f: impl Fn(&CftCtx<'_, T>, i64) -> Result<(), Errno> + Send + Sync + 'static,
    ) -> Self {
        self.write = Some(CftWrite::S64(Arc::new(f)));
        self
    }

    /// Builder: `write_string`.
    pub fn write_string(
        mut self,
        f: impl Fn(&CftCtx<'_, T>, &str) -> Result<(), Errno> + Send + Sync + 'static,
    ) -> Self {
        self.write = Some(CftWrite::String(Arc::new(f)));
        self
    }

    /// Builder: `trigger`.
    pub fn trigger(
        mut self,
        f: impl Fn(&CftCtx<'_, T>) -> Result<(), Errno> + Send + Sync + 'static,
    ) -> Self {
        self.write = Some(CftWrite::Trigger(Arc::new(f)));
        self
    }

    /// Builder: raw `write`.
    pub fn write_raw(
        mut self,
        f: impl Fn(&CftCtx<'_, T>, &[u8]) -> Result<usize, Errno> + Send + Sync + 'static,
    ) -> Self {
        self.write = Some(CftWrite::Raw(Arc::new(f)));
        self
    }

    /// Builder: explicit mode.
    pub fn with_mode(mut self, mode: u32) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Builder: `private`.
    pub fn with_private(mut self, private: u64) -> Self {
        self.private = private;
        self
    }

    /// Builder: `max_write_len`.
    pub fn with_max_write_len(mut self, len: usize) -> Self {
        self.max_write_len = Some(len);
        self
    }

    /// Builder: event hooks.
    pub fn with_events(mut self, events: Arc<dyn CftEvents>) -> Self {
        self.events = Some(events);
        self
    }

    /// `cgroup_file_mode` (2.6.34, `kernel/cgroup.c`): explicit mode, else 0444 if readable plus 0200 if
    /// writable.
    #[doc(alias = "cgroup_file_mode")]
    pub fn file_mode(&self) -> u32 {
        if let Some(m) = self.mode {
            return m;
        }
        let mut mode = 0;
        if self.read.is_some() {
            mode |= S_IRUGO;
        }
        if self.write.is_some() {
            mode |= if self.flags & CFTYPE_WORLD_WRITABLE != 0 {
                0o222
            } else {
                S_IWUSR
            };
        }
        mode
    }
}
