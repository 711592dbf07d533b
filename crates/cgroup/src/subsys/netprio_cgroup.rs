//! The network priority controller (`net_prio_cgrp_subsys`): a socket priority per network
//! interface for the traffic of a cgroup's tasks.
//!
//! **Kernel:** `net/core/netprio_cgroup.c` (3.3+), v6.6: `net_prio.prioidx` (`read_prioidx`:
//! the css id, 1 for the root, then the lowest free id from 2, `cgroup_idr_alloc`) and
//! `net_prio.ifpriomap` (`read_priomap`: `NAME PRIO` for each interface of `init_net`;
//! `write_priomap`: `sscanf("%16s %u")`, EINVAL unless both parse, ENODEV for an unknown
//! interface), in every cgroup, v1 only (`legacy_cftypes`). A new cgroup starts with its
//! parent's priorities (`cgrp_css_online`).
//!
//! **Differences:** there are no packets: the priorities are stored and inherited and set
//! nothing. The machine's only interface is the loopback `lo`.

use crate::cftype::Cftype;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::parse::until_nul;
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The machine's network interfaces, in `init_net`'s device list order.
pub const NET_DEVICES: &[&str] = &["lo"];

/// `struct cgroup_subsys_state` id and the per-interface priorities (`netprio_map`).
#[derive(Debug)]
pub struct NetPrioCgroup {
    id: u64,
    prio: Mutex<Vec<u32>>,
}

/// The `net_prio` subsystem, with its css id allocator (`ss->css_idr`).
#[derive(Clone, Debug, Default)]
pub struct NetPrio {
    ids: Arc<Mutex<BTreeSet<u64>>>,
}

fn cg<T: Tracer>(cx: &crate::cftype::CftCtx<'_, T>) -> Result<Arc<NetPrioCgroup>, Errno> {
    cx.css
        .as_ref()
        .and_then(|c| c.private::<NetPrioCgroup>())
        .ok_or(Errno::ENODEV)
}

/// `write_priomap`.
fn write_priomap(p: &NetPrioCgroup, data: &[u8]) -> Result<usize, Errno> {
    let buf = until_nul(data);
    let skip = |s: &[u8]| -> usize { s.iter().take_while(|b| b.is_ascii_whitespace()).count() };
    let s = &buf[skip(buf)..];
    let n = s
        .iter()
        .take_while(|b| !b.is_ascii_whitespace())
        .count()
        .min(16);
    if n == 0 {
        return Err(Errno::EINVAL);
    }
    let (name, rest) = (&s[..n], &s[n..]);
    let rest = &rest[skip(rest)..];
    let d = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if d == 0 {
        return Err(Errno::EINVAL);
    }
    let prio = rest[..d].iter().fold(0u64, |v, &b| {
        v.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    }) as u32;
    let i = NET_DEVICES
        .iter()
        .position(|dev| dev.as_bytes() == name)
        .ok_or(Errno::ENODEV)?;
    p.prio.lock()[i] = prio;
    Ok(data.len())
}

impl<T: Tracer> CgroupSubsys<T> for NetPrio {
    fn name(&self) -> &'static str {
        "net_prio"
    }

    fn symbol_prefix(&self) -> &'static str {
        "cgrp"
    }

    fn on_dfl(&self) -> bool {
        // v1 only: `legacy_cftypes`.
        false
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    /// `cgrp_css_alloc`, with the id `cgroup_idr_alloc` gives the css, and
    /// `cgrp_css_online`'s copy of the parent's priorities.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let mut ids = self.ids.lock();
        let id = if css.is_root() {
            1
        } else {
            (2..).find(|i| !ids.contains(i)).expect("a free id")
        };
        ids.insert(id);
        let prio = cx
            .parent_css
            .and_then(|p| p.private::<NetPrioCgroup>())
            .map_or_else(|| vec![0; NET_DEVICES.len()], |p| p.prio.lock().clone());
        Ok(Arc::new(NetPrioCgroup {
            id,
            prio: Mutex::new(prio),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, css: &CssRef) {
        if let Some(p) = css.private::<NetPrioCgroup>() {
            self.ids.lock().remove(&p.id);
        }
    }

    /// `ss_files[]`.
    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        dir.add_file(Cftype::new("prioidx").read_u64(|cx| Ok(cg(cx)?.id)))?;
        dir.add_file(
            Cftype::new("ifpriomap")
                .read_seq_string(|cx| {
                    let p = cg(cx)?;
                    let prio = p.prio.lock();
                    Ok(NET_DEVICES
                        .iter()
                        .zip(prio.iter())
                        .map(|(d, p)| format!("{d} {p}\n"))
                        .collect())
                })
                .write_raw(|cx, d| write_priomap(&*cg(cx)?, d)),
        )
    }
}
