//! Release notification: `check_for_release` and `cgroup_release_agent`.
//!
//! **Kernel:** `kernel/cgroup.c` `check_for_release`, `cgroup_release_agent`, `release_list`
//! (2.6.25; `kernel/cgroup.c` `check_for_release`, `cgroup_release_agent`).
//!
//! **Locking:** `release_list` has its own `release_list_lock`, innermost of the core's three
//! locks (`cgroup_mutex` -> `css_set_lock` -> `release_list_lock`). `check_for_release` needs
//! no other lock, so exit can run it under `css_set_lock` alone.
//!
//! Nothing is executed: when the kernel would `call_usermodehelper` the agent, the core records a
//! [`ReleaseAgentCall`] and the VFS drains and logs it with
//! [`CgroupCore::drain_release_agent`](crate::CgroupCore::drain_release_agent).

use crate::root::RootId;
use cgsim_ktypes::percpu::smp_processor_id;

/// The `envp` the kernel passes to the release agent (`kernel/cgroup.c` `cgroup_release_agent`, v2.6.25).
pub const RELEASE_AGENT_ENVP: [&str; 2] = ["HOME=/", "PATH=/sbin:/bin:/usr/sbin:/usr/bin"];

/// One release-agent execution the kernel would have started (`kernel/cgroup.c`
/// `cgroup_release_agent` → `call_usermodehelper`, v2.6.25). Nothing is executed on the host.
#[doc(alias = "call_usermodehelper")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseAgentCall {
    /// The hierarchy the released cgroup belongs to.
    pub root: RootId,
    /// Its `hierarchy_id`.
    pub hierarchy_id: u32,
    /// `[release_agent_path, cgroup path relative to the hierarchy root]`.
    pub argv: Vec<String>,
    /// [`RELEASE_AGENT_ENVP`].
    pub envp: Vec<String>,
}

impl ReleaseAgentCall {
    /// The kernel-log line for this call (`cgroup: release_agent: exec <argv> (<envp>)`, what
    /// the Kernel logs in place of the execution).
    pub fn log_line(&self) -> String {
        format!(
            "cgroup: release_agent: exec {} ({})",
            self.argv.join(" "),
            self.envp.join(" ")
        )
    }
}

use crate::cgroup::{CGRP_NOTIFY_ON_RELEASE, CGRP_RELEASABLE, CgroupId, CgroupShared};
use crate::core::CgroupCore;
use cgsim_ktypes::{Tracer, trace};

impl<T: Tracer> CgroupCore<T> {
    /// `check_for_release(cgrp)`: queue `cgrp` at the head of `release_list` if it is releasable,
    /// notify_on_release, unused (count 0), childless, without extra css references, not removed
    /// and not queued yet (`kernel/cgroup.c` `check_for_release`, v2.6.25).
    ///
    /// **Locking:** needs neither `cgroup_mutex` nor `css_set_lock` (exit calls it with only
    /// `css_set_lock` held): the flags, `count` and the children count are atomics in `c`, and
    /// `has_css_refs` (`cgroup_has_css_refs`) is computed by the caller from the css it can see.
    /// The removed/queued test and the queueing run under `release_list_lock`, as in the kernel.
    pub(crate) fn check_for_release(&self, cgrp: CgroupId, c: &CgroupShared, has_css_refs: bool) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "check_for_release");
        let both = CGRP_RELEASABLE | CGRP_NOTIFY_ON_RELEASE;
        if c.flags() & both == both && c.count() == 0 && !c.has_children() && !has_css_refs {
            // Lock order: [cgroup_mutex ->] [css_set_lock ->] release_list_lock.
            let mut list = self.release_list.lock();
            if !c.is_removed() && !list.contains(&cgrp) {
                list.push_front(cgrp);
                trace::comment(&*self.tracer, smp_processor_id(), || {
                    "queued on release_list; schedule_work(&release_agent_work)".to_string()
                });
            }
        }
    }

    /// Run the release work (`cgroup_release_agent`) and return the agent executions it would have
    /// started, most recently queued cgroup first.
    ///
    /// **Kernel:** the work runs asynchronously soon after `check_for_release` queued a cgroup;
    /// here it runs when the VFS calls this (typically after every syscall). An empty
    /// `release_agent` means the exec fails and nothing runs; such cgroups are dropped from the
    /// list with a trace comment and no [`ReleaseAgentCall`].
    #[doc(alias = "cgroup_release_agent")]
    pub fn drain_release_agent(&self) -> Vec<ReleaseAgentCall> {
        // Lock order: cgroup_mutex -> release_list_lock (held for the whole drain; nothing
        // below takes another lock).
        let st = self.lock();
        let mut list = self.release_list.lock();
        let mut calls = Vec::new();
        if !list.is_empty() {
            let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_release_agent");
            while let Some(cgrp) = list.pop_front() {
                let Ok(path) = Self::path_of(&st, cgrp) else {
                    continue;
                };
                let c = st.cgroups.get(cgrp.0).expect("queued cgroups are live");
                let r = st.roots_arena.get(c.root.0).expect("live root");
                if r.release_agent_path.is_empty() {
                    trace::comment(&*self.tracer, smp_processor_id(), || {
                        format!("release_agent empty: nothing runs for {path}")
                    });
                    continue;
                }
                let call = ReleaseAgentCall {
                    root: c.root,
                    hierarchy_id: r.hierarchy_id,
                    // Differences: the agent call is handed to the VFS as text; a path that is not
                    // UTF-8 is decoded lossily here only (the stored bytes stay as written).
                    argv: vec![
                        String::from_utf8_lossy(&r.release_agent_path).into_owned(),
                        path,
                    ],
                    envp: RELEASE_AGENT_ENVP.iter().map(|s| s.to_string()).collect(),
                };
                trace::comment(&*self.tracer, smp_processor_id(), || {
                    format!("call_usermodehelper({} {})", call.argv[0], call.argv[1])
                });
                calls.push(call);
            }
        }
        calls
    }
}
