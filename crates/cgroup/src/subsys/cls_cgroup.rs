//! The network classifier controller (`net_cls_subsys`): a class id for the traffic of a
//! cgroup's tasks.
//!
//! **Kernel:** `net/sched/cls_cgroup.c`, v2.6.35 (2.6.29+): `cgrp_create` gives a new cgroup its
//! parent's class id (0 in a top cgroup), `net_cls.classid` is a `read_u64`/`write_u64` file
//! whose written value is stored as a `u32` (`write_classid`: `(u32) value`, so 2^32 reads back
//! 0), read as a decimal number (`0x100001` reads `1048577`).
//!
//! **Differences:** there are no packets and no `tc` filters: the class id is stored and
//! inherited, and classifies nothing.

use crate::cftype::Cftype;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::{Errno, Tracer};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// `struct cgroup_cls_state`.
#[derive(Debug, Default)]
pub struct CgroupClsState {
    pub classid: AtomicU32,
}

/// The `net_cls` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct NetCls;

impl<T: Tracer> CgroupSubsys<T> for NetCls {
    fn name(&self) -> &'static str {
        "net_cls"
    }

    fn symbol_prefix(&self) -> &'static str {
        "cgrp"
    }

    fn on_dfl(&self) -> bool {
        // v1 only: `net_cls_cgrp_subsys` has `legacy_cftypes` (6.6).
        false
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    /// `cgrp_create`: the parent's class id.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let inherited = cx
            .parent_css
            .and_then(|p| p.private::<CgroupClsState>())
            .map_or(0, |p| p.classid.load(Ordering::Relaxed));
        Ok(Arc::new(CgroupClsState {
            classid: AtomicU32::new(inherited),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        dir.add_file(
            Cftype::new("classid")
                .read_u64(|cx| {
                    Ok(u64::from(
                        cls(cx.css.as_ref())?.classid.load(Ordering::Relaxed),
                    ))
                })
                .write_u64(|cx, v| {
                    cls(cx.css.as_ref())?
                        .classid
                        .store(v as u32, Ordering::Relaxed);
                    Ok(())
                }),
        )
    }
}

fn cls(css: Option<&CssRef>) -> Result<Arc<CgroupClsState>, Errno> {
    css.and_then(|c| c.private::<CgroupClsState>())
        .ok_or(Errno::ENODEV)
}
