//! The OOM killer's kernel log lines, as each kernel version prints them.
//!
//! **Kernel:** checked line by line against the trees of 2.6.35, 3.10 and 4.19:
//! `mm/oom_kill.c` `dump_header`, `dump_tasks`, `oom_kill_process`, `__oom_kill_task`
//! (2.6.35) / `__oom_kill_process` (4.19), `oom_reap_task` (4.19); `mm/memcontrol.c`
//! `mem_cgroup_print_oom_info`; `kernel/cpuset.c` `cpuset_print_task_mems_allowed` (2.6.35,
//! 3.10) / `kernel/cgroup/cpuset.c` `cpuset_print_current_mems_allowed` (4.19);
//! `arch/x86/kernel/dumpstack.c` `dump_stack` and `printk_address` (2.6.25, 2.6.35),
//! `lib/dump_stack.c` `dump_stack` + `kernel/printk.c` `dump_stack_print_info` (3.10) /
//! `kernel/printk/printk.c` (4.19), `arch/x86/kernel/dumpstack.c` `printk_stack_address`
//! (4.19); `lib/ratelimit.c` `___ratelimit`. Each line below names the function that prints it.
//!
//! **Differences:**
//! - The stack dump is its first line and `Call Trace:`, then the simulated call chain of a
//!   memcg OOM from a page fault, one frame per line in the version's format, with addresses
//!   and offsets 0 (the simulator has no kernel text). 3.10+'s raw stack words and the
//!   `Hardware name:` line (`dump_stack_arch_desc_str`, set from DMI on a real PC) are left
//!   out.
//! - `show_mem()` is left out: 2.6.35's `dump_header` calls it for a memcg OOM too (3.10+ only
//!   for the global one), and it prints the page allocator's per-zone state (`Mem-Info:`),
//!   which the simulator does not model.
//! - The `gfp_mask` is the one of an anonymous page fault's charge (`GFP_KERNEL`) whatever
//!   the charge was; `order` is always 0.
//! - 3.19 shares 3.10's report (`OomReport::V3_10`) except for the page_counter limits
//!   (`K(counter->limit)`, unlimited `PAGE_COUNTER_MAX` pages = 9007199254740988 kB), which
//!   it shares with 4.19, and the `writeback` counter of `mem_cgroup_stat_names` (3.15+,
//!   read in a 3.16-era tree; no 3.19 tree was at hand).

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;
use crate::profile::{OomModel, OomReport};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::{PAGE_SHIFT, Pid};
use std::any::Any;
use std::sync::Arc;

/// What the OOM report needs from the layer that knows cgroup names (the Kernel installs it).
pub trait OomNamer: Send + Sync {
    /// `cgroup_path` of the cgroup whose css is `css` (a memcg's css as the subsystem stored
    /// it). `None` when it cannot be had: the `Task in` line is then left out, as when the
    /// kernel's `cgroup_path` fails.
    fn css_path(&self, css: &Arc<dyn Any + Send + Sync>) -> Option<String>;
    /// `cpuset_print_task_mems_allowed`'s name: the dentry name of `pid`'s cpuset cgroup (its
    /// last path component, `/` for a top cgroup or when cpuset is not mounted).
    fn cpuset_name(&self, pid: Pid) -> String;
    /// Whether the memcg whose css is `css` is on the default hierarchy
    /// (`cgroup_subsys_on_dfl(memory_cgrp_subsys)`): 6.6's OOM report then prints the v2
    /// `swap:` line and `memory.stat`'s format instead of v1's counters.
    fn css_on_dfl(&self, _css: &Arc<dyn Any + Send + Sync>) -> bool {
        false
    }
}

/// `struct ratelimit_state` with `DEFAULT_RATELIMIT_INTERVAL` (5 s) and
/// `DEFAULT_RATELIMIT_BURST` (10): at most 10 OOM headers per window (`printk_ratelimit()` in
/// 2.6.25–2.6.35 `oom_kill_process`, `__ratelimit(&oom_rs)` in 4.19), on the simulated clock.
#[derive(Clone, Debug, Default)]
pub(crate) struct RateLimit {
    /// `rs->begin`; `None` is 0, "not started".
    begin: Option<u64>,
    printed: u32,
    missed: u32,
}

/// `DEFAULT_RATELIMIT_INTERVAL` (5 * HZ) in nanoseconds.
const RATELIMIT_INTERVAL: u64 = 5_000_000_000;
/// `DEFAULT_RATELIMIT_BURST`.
const RATELIMIT_BURST: u32 = 10;

/// `K(x)`: pages to kB.
fn kb(pages: u64) -> u64 {
    pages << (PAGE_SHIFT - 10)
}

/// `LLONG_MAX`, the res_counter's "unlimited".
const RESOURCE_MAX: u64 = i64::MAX as u64;

impl<C: MemCounter> World<C> {
    /// `___ratelimit(rs, "oom_kill_process")`: whether this OOM kill prints its header. When a
    /// window is over, the calls it refused are reported first. `lib/ratelimit.c` of 2.6.35
    /// starts the next window at the next call (`rs->begin = 0`); 4.19's at this one
    /// (`rs->begin = jiffies`).
    pub(crate) fn oom_header_ratelimit(&mut self) -> bool {
        let now = self.host.clock.now_nanos();
        let rs = &mut self.oom.ratelimit;
        let begin = *rs.begin.get_or_insert(now);
        let mut report = None;
        if now > begin + RATELIMIT_INTERVAL {
            if rs.missed > 0 {
                report = Some(rs.missed);
            }
            rs.begin = match self.profile.oom_report {
                OomReport::V2_6_25 | OomReport::V2_6_35 | OomReport::V3_10 => None,
                OomReport::V4_19 | OomReport::V6_6 => Some(now),
            };
            rs.printed = 0;
            rs.missed = 0;
        }
        let ok = if rs.printed < RATELIMIT_BURST {
            rs.printed += 1;
            true
        } else {
            rs.missed += 1;
            false
        };
        if let Some(n) = report {
            self.printk(
                Level::Warning,
                format!("oom_kill_process: {n} callbacks suppressed"),
            );
        }
        ok
    }

    /// `dump_header(p, gfp_mask, order, mem)`: the lines printed before the kill line.
    /// `current` is the charging task, `victim` the chosen one, `mem` the OOMing memcg (`None`
    /// for the global OOM killer).
    pub(crate) fn oom_dump_header(
        &self,
        current: Option<Pid>,
        victim: Pid,
        mem: Option<MemcgSlot>,
    ) {
        let report = self.profile.oom_report;
        // The task that invoked the OOM killer; without one (a charge made for no task) the
        // victim stands in.
        let cur = current
            .filter(|p| self.tasks.contains_key(p))
            .unwrap_or(victim);
        let Some(ct) = self.tasks.get(&cur) else {
            return;
        };
        let comm = ct.comm.clone();
        // `dump_header`'s first line: 2.6.25 `"%s invoked oom-killer: gfp_mask=0x%x,
        // order=%d, oomkilladj=%d"`, 2.6.35 the same with `oom_adj=%d`, 3.10 with
        // `oom_score_adj=%hd`, 4.19 `gfp_mask=%#x(%pGg), nodemask=%*pbl` (a NULL nodemask
        // prints `(null)`; 4.19's `GFP_KERNEL` is 0x6000c0 in `include/linux/gfp.h`).
        let line = match report {
            OomReport::V2_6_25 => format!(
                "{comm} invoked oom-killer: gfp_mask=0xd0, order=0, oomkilladj={}",
                ct.oom_adj
            ),
            OomReport::V2_6_35 => format!(
                "{comm} invoked oom-killer: gfp_mask=0xd0, order=0, oom_adj={}",
                ct.oom_adj
            ),
            OomReport::V3_10 => format!(
                "{comm} invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj={}",
                ct.oom_score_adj
            ),
            OomReport::V4_19 => format!(
                "{comm} invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), \
                 order=0, oom_score_adj={}",
                ct.oom_score_adj
            ),
            // 6.6 `dump_header`: `"%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d,
            // oom_score_adj=%hd"` (the nodemask moved to the summary line in 5.0); 6.6's
            // `GFP_KERNEL` is 0xcc0 (`__GFP_RECLAIM | __GFP_IO | __GFP_FS`).
            OomReport::V6_6 => format!(
                "{comm} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, \
                 oom_score_adj={}",
                ct.oom_score_adj
            ),
        };
        self.printk(Level::Warning, line);
        // CONFIG_CPUSETS: the cpuset line, `"%s cpuset=%s mems_allowed=%s"` with the cpuset
        // cgroup's name (2.6.29+ `cpuset_print_task_mems_allowed`, 4.19
        // `cpuset_print_current_mems_allowed`); one memory node, node 0.
        // 5.0 moved it into the summary line (`dump_oom_summary`, 6.6 `dump_oom_victim`).
        if !matches!(report, OomReport::V2_6_25 | OomReport::V6_6) {
            let name = self
                .oom
                .namer
                .as_ref()
                .map_or_else(|| "/".to_string(), |n| n.cpuset_name(cur));
            self.printk(Level::Info, format!("{comm} cpuset={name} mems_allowed=0"));
        }
        self.oom_dump_stack(cur, &comm, mem.is_some());
        // 2.6.35 `dump_header` calls `mem_cgroup_print_oom_info(mem, p)`, which returns at
        // once for a global OOM (`!memcg`); 3.10+ call it for a memcg OOM only.
        if let Some(mem) = mem
            && report != OomReport::V2_6_25
        {
            self.mem_cgroup_print_oom_info(mem, victim);
        }
        // `if (sysctl_oom_dump_tasks) dump_tasks(...)`: the sysctl is 0 until 2.6.35, 1 from
        // 2.6.36.
        if matches!(
            report,
            OomReport::V3_10 | OomReport::V4_19 | OomReport::V6_6
        ) {
            self.oom_dump_tasks(mem);
        }
        if report == OomReport::V6_6 {
            self.oom_dump_victim(cur, victim, mem);
        }
    }

    /// 6.6 `dump_oom_victim` (5.0–6.3 `dump_oom_summary`): the one-line summary,
    /// `"oom-kill:constraint=%s,nodemask=%*pbl"`, then `cpuset_print_current_mems_allowed`
    /// (`",cpuset=%s,mems_allowed=%*pbl"`, the name of the invoking task's cpuset cgroup),
    /// `mem_cgroup_print_oom_context` (`",oom_memcg=/X"` or `",global_oom"`, then
    /// `",task_memcg=/Y"`, the victim's memory cgroup) and `",task=%s,pid=%d,uid=%d"`. The
    /// constraint of a memcg OOM is `CONSTRAINT_MEMCG`; the global one here has no cpuset or
    /// mempolicy restriction (`CONSTRAINT_NONE`) and no nodemask.
    fn oom_dump_victim(&self, cur: Pid, victim: Pid, mem: Option<MemcgSlot>) {
        let Some(vt) = self.tasks.get(&victim) else {
            return;
        };
        let path_of = |s: MemcgSlot| {
            self.mc(s)
                .css
                .as_ref()
                .and_then(|css| self.oom.namer.as_ref()?.css_path(css))
                .unwrap_or_else(|| "/".to_string())
        };
        let cpuset = self
            .oom
            .namer
            .as_ref()
            .map_or_else(|| "/".to_string(), |n| n.cpuset_name(cur));
        let (constraint, context) = match mem {
            Some(m) => ("CONSTRAINT_MEMCG", format!("oom_memcg={}", path_of(m))),
            None => ("CONSTRAINT_NONE", "global_oom".to_string()),
        };
        self.printk(
            Level::Info,
            format!(
                "oom-kill:constraint={constraint},nodemask=(null),cpuset={cpuset},mems_allowed=0,\
                 {context},task_memcg={},task={},pid={victim},uid={}",
                path_of(vt.memcg),
                vt.comm,
                vt.uid
            ),
        );
    }

    /// `dump_stack()`: the identification line, `Call Trace:` and the frames. 2.6.35's x86
    /// `dump_stack` prints `"Pid: %d, comm: %.20s %s %s %.*s"` itself (tainted string, release,
    /// the version up to its first space) and starts the trace at its caller; 3.10's
    /// `lib/dump_stack.c` goes through `dump_stack_print_info` (`"CPU: %d PID: %d Comm: %.20s
    /// %s %s %.*s"`; 4.19 adds `"Kdump: loaded "` when a crash kernel is loaded, never here)
    /// and its trace starts at `dump_stack` itself.
    fn oom_dump_stack(&self, pid: Pid, comm: &str, memcg: bool) {
        let rel = &self.profile.uts_release;
        let report = self.profile.oom_report;
        let first = match report {
            OomReport::V2_6_25 | OomReport::V2_6_35 => {
                format!("Pid: {pid}, comm: {comm:.20} Not tainted {rel} #1")
            }
            OomReport::V3_10 | OomReport::V4_19 | OomReport::V6_6 => {
                format!("CPU: 0 PID: {pid} Comm: {comm:.20} Not tainted {rel} #1")
            }
        };
        self.printk(Level::Warning, first);
        self.printk(Level::Warning, "Call Trace:".to_string());
        if report == OomReport::V6_6 {
            self.oom_dump_stack_6_6(memcg);
            return;
        }
        // The call chain of the OOM: the global one from the page allocator, a memcg one from
        // the charge of an anonymous fault by the profile's OOM model.
        let frames: &[&str] = match (memcg, self.profile.oom_model) {
            (false, _) => &[
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "__alloc_pages_nodemask",
                "handle_mm_fault",
                "do_page_fault",
                "page_fault",
            ],
            (true, OomModel::KillAndFail2_6_25) => &[
                "oom_kill_process",
                "mem_cgroup_out_of_memory",
                "mem_cgroup_charge_common",
                "mem_cgroup_charge",
                "handle_mm_fault",
                "do_page_fault",
                "error_exit",
            ],
            (true, OomModel::HandleOom2_6_34 | OomModel::OomControlChargeWait) => {
                if report == OomReport::V3_10 {
                    &[
                        "dump_stack",
                        "dump_header",
                        "oom_kill_process",
                        "mem_cgroup_out_of_memory",
                        "mem_cgroup_handle_oom",
                        "__mem_cgroup_try_charge",
                        "mem_cgroup_charge_common",
                        "mem_cgroup_newpage_charge",
                        "handle_mm_fault",
                        "__do_page_fault",
                        "do_page_fault",
                        "page_fault",
                    ]
                } else {
                    &[
                        "dump_header",
                        "oom_kill_process",
                        "mem_cgroup_out_of_memory",
                        "mem_cgroup_handle_oom",
                        "__mem_cgroup_try_charge",
                        "mem_cgroup_charge_common",
                        "mem_cgroup_newpage_charge",
                        "handle_mm_fault",
                        "do_page_fault",
                        "page_fault",
                    ]
                }
            }
            // 3.19's `mem_cgroup_out_of_memory` is static with one caller,
            // `mem_cgroup_oom_synchronize` (mm/memcontrol.c, v3.19), and the compiler inlines
            // it: real traces of that era go from `oom_kill_process` straight to
            // `mem_cgroup_oom_synchronize`.
            (true, OomModel::OomControlFaultEnd) => &[
                "dump_stack",
                "dump_header",
                "oom_kill_process",
                "mem_cgroup_oom_synchronize",
                "pagefault_out_of_memory",
                "mm_fault_error",
                "__do_page_fault",
                "do_page_fault",
                "page_fault",
            ],
            (true, OomModel::V4) => &[
                "dump_stack",
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "mem_cgroup_out_of_memory",
                "try_charge",
                "mem_cgroup_try_charge",
                "mem_cgroup_try_charge_delay",
                "__handle_mm_fault",
                "handle_mm_fault",
                "__do_page_fault",
                "do_page_fault",
                "page_fault",
            ],
        };
        for f in frames {
            let line = match report {
                // 4.19 `printk_stack_address`: `"%s %s%pB"`, the symbol without its address
                // (x86 4.15+); 2.6.35 and 3.10 `printk_address`: `" [<%p>] %s%pS"` (3.10
                // `%pB`), a 64-bit address in 16 hex digits.
                OomReport::V4_19 => format!(" {f}+0x0/0x0"),
                _ => format!(" [<{:016x}>] {f}+0x0/0x0", 0),
            };
            self.printk(Level::Warning, line);
        }
    }

    /// 6.6's trace, between 5.16's `<TASK>` and `</TASK>` markers (`show_trace_log_lvl`),
    /// one `printk_stack_address` line per frame (`" %s%pBb"`, the symbol without its
    /// address): a memcg OOM from the charge of an anonymous page fault, or the global one
    /// from the page allocator. The registers of the user-mode frame (`RIP: 0033:...`, the
    /// `Code:` bytes and the register dump that `show_regs_if_on_stack` adds after
    /// `asm_exc_page_fault`) are left out: the simulator has no user addresses to show.
    fn oom_dump_stack_6_6(&self, memcg: bool) {
        let frames: &[&str] = if memcg {
            &[
                "dump_stack_lvl",
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "mem_cgroup_out_of_memory",
                "try_charge_memcg",
                "__mem_cgroup_charge",
                "do_anonymous_page",
                "__handle_mm_fault",
                "handle_mm_fault",
                "do_user_addr_fault",
                "exc_page_fault",
                "asm_exc_page_fault",
            ]
        } else {
            &[
                "dump_stack_lvl",
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "__alloc_pages_slowpath",
                "__alloc_pages",
                "vma_alloc_folio",
                "do_anonymous_page",
                "__handle_mm_fault",
                "handle_mm_fault",
                "do_user_addr_fault",
                "exc_page_fault",
                "asm_exc_page_fault",
            ]
        };
        self.printk(Level::Warning, " <TASK>".to_string());
        for f in frames {
            self.printk(Level::Warning, format!(" {f}+0x0/0x0"));
        }
        self.printk(Level::Warning, " </TASK>".to_string());
    }

    /// 6.6 `mem_cgroup_print_oom_meminfo(memcg)`: `"memory: usage %llukB, limit %llukB,
    /// failcnt %lu"` of the memory counter (`page_counter_read`, `memory.max`), then on the
    /// default hierarchy the same for the v2 swap counter (`swap:`), on a v1 hierarchy
    /// `memory+swap:` and `kmem:`; then `"Memory cgroup stats for "` with the cgroup's path
    /// and `":"`, and the memcg's `memory_stat_format` (v2) or `memcg1_stat_format` (v1), one
    /// log line per line (`seq_buf_do_printk`, 6.2+).
    fn mem_cgroup_print_oom_meminfo(&self, mem: MemcgSlot) {
        let m = self.mc(mem);
        let res = &m.counters.res;
        let k = |bytes: u64| kb(bytes >> PAGE_SHIFT);
        self.printk(
            Level::Info,
            format!(
                "memory: usage {}kB, limit {}kB, failcnt {}",
                k(res.usage().0),
                k(res.limit().0),
                res.failcnt()
            ),
        );
        let on_dfl = m
            .css
            .as_ref()
            .is_some_and(|css| self.oom.namer.as_ref().is_some_and(|n| n.css_on_dfl(css)));
        if on_dfl {
            // The v2 swap counter: its usage, `memory.swap.max`, and a failure for each swap
            // charge it refused (`memory.swap.events` `max` of this memcg's own counter).
            let v2 = &m.v2;
            let failcnt = v2.events_local[crate::MemcgEvent::SwapMax as usize];
            self.printk(
                Level::Info,
                format!(
                    "swap: usage {}kB, limit {}kB, failcnt {failcnt}",
                    kb(v2.swap_usage),
                    kb(v2.swap_max)
                ),
            );
        } else {
            let (u, l, f) = match &m.counters.memsw {
                Some(c) => (c.usage().0, c.limit().0, c.failcnt()),
                None => (0, res.limit().0.max(RESOURCE_MAX), 0),
            };
            self.printk(
                Level::Info,
                format!(
                    "memory+swap: usage {}kB, limit {}kB, failcnt {f}",
                    k(u),
                    k(l)
                ),
            );
            let unlimited = self
                .slot_of(crate::MemcgId::ROOT)
                .map_or(RESOURCE_MAX, |r| self.mc(r).counters.res.limit().0);
            self.printk(
                Level::Info,
                format!("kmem: usage 0kB, limit {}kB, failcnt 0", k(unlimited)),
            );
        }
        let path = m
            .css
            .as_ref()
            .and_then(|css| self.oom.namer.as_ref()?.css_path(css))
            .unwrap_or_else(|| "/".to_string());
        self.printk(Level::Info, format!("Memory cgroup stats for {path}:"));
        let text = if on_dfl {
            self.stat_v2(mem)
        } else {
            self.stat_map(mem)
                .into_iter()
                .map(|(k, v)| format!("{k} {v}\n"))
                .collect()
        };
        for line in text.lines() {
            self.printk(Level::Info, line.to_string());
        }
    }

    /// `mem_cgroup_print_oom_info(memcg, p)` (2.6.30+): the `Task in` line, then one line per
    /// counter: `"memory: usage %llukB, limit %llukB, failcnt %llu"`, `memory+swap`, and from
    /// 3.8 `kmem`; then (3.10+) one `Memory cgroup stats for` line per memcg of the subtree.
    /// With res_counter (until 3.18) the values are bytes `>> 10`; with page_counter (3.19+)
    /// they are `K(pages)`, so the unlimited `PAGE_COUNTER_MAX` prints 9007199254740988 where
    /// res_counter's `LLONG_MAX` printed 9007199254740991.
    fn mem_cgroup_print_oom_info(&self, mem: MemcgSlot, victim: Pid) {
        let report = self.profile.oom_report;
        if report == OomReport::V6_6 {
            self.mem_cgroup_print_oom_meminfo(mem);
            return;
        }
        // 3.19's `try_charge` rewrite came with page_counter.
        let page_counter = self.profile.charge_algo == crate::profile::ChargeAlgo::V4X;
        let k = |bytes: u64| {
            if page_counter {
                kb(bytes >> PAGE_SHIFT)
            } else {
                bytes >> 10
            }
        };
        let path_of = |s: MemcgSlot| {
            let css = self.mc(s).css.as_ref()?;
            self.oom.namer.as_ref()?.css_path(css)
        };
        let task_memcg = self.tasks.get(&victim).map(|t| t.memcg);
        // `"Task in %s killed"` + `" as a result of limit of %s"` (2.6.35, 3.10: left out when
        // `cgroup_path` fails; 4.19 prints the two paths with `pr_cont_cgroup_path`).
        if let (Some(task_path), Some(mem_path)) = (task_memcg.and_then(path_of), path_of(mem)) {
            self.printk(
                Level::Info,
                format!("Task in {task_path} killed as a result of limit of {mem_path}"),
            );
        }
        let m = self.mc(mem);
        let res = &m.counters.res;
        self.printk(
            Level::Info,
            format!(
                "memory: usage {}kB, limit {}kB, failcnt {}",
                k(res.usage().0),
                k(res.limit().0),
                res.failcnt()
            ),
        );
        // Without swap accounting the memsw counter still exists, never charged.
        let (u, l, f) = match &m.counters.memsw {
            Some(c) => (c.usage().0, c.limit().0, c.failcnt()),
            None => (0, RESOURCE_MAX, 0),
        };
        self.printk(
            Level::Info,
            format!(
                "memory+swap: usage {}kB, limit {}kB, failcnt {}",
                k(u),
                k(l),
                f
            ),
        );
        // 3.8+: the kernel-memory counter, never charged here (kmem accounting is off until a
        // limit is set, and the simulator charges no kernel memory).
        if matches!(report, OomReport::V3_10 | OomReport::V4_19) {
            // The root's limit cannot be set: it is the counter's "unlimited".
            let unlimited = self
                .slot_of(crate::MemcgId::ROOT)
                .map_or(RESOURCE_MAX, |r| self.mc(r).counters.res.limit().0);
            self.printk(
                Level::Info,
                format!("kmem: usage 0kB, limit {}kB, failcnt 0", k(unlimited)),
            );
            self.oom_print_memcg_stats(mem);
        }
    }

    /// `mem_cgroup_print_oom_info`'s `Memory cgroup stats for /X:` line per memcg of
    /// `for_each_mem_cgroup_tree(iter, memcg)` (the subtree with `use_hierarchy`, else the memcg
    /// alone), `" %s:%ldKB"` per counter: 3.10's `mem_cgroup_stat_names` (`cache`, `rss`,
    /// `rss_huge`, `mapped_file`, `swap`), 4.19's `memcg1_stat_names` (`cache`, `rss`,
    /// `rss_huge`, `shmem`, `mapped_file`, `dirty`, `writeback`, `swap`), `swap` only with
    /// `do_swap_account`; then `mem_cgroup_lru_names`, in kB.
    fn oom_print_memcg_stats(&self, mem: MemcgSlot) {
        let m = self.mc(mem);
        let members = if m.use_hierarchy || m.parent.is_none() {
            self.subtree(mem)
        } else {
            vec![mem]
        };
        for s in members {
            let Some(path) = self
                .mc(s)
                .css
                .as_ref()
                .and_then(|css| self.oom.namer.as_ref()?.css_path(css))
            else {
                continue;
            };
            let mc = self.mc(s);
            let st = mc.stat();
            // NR_SHMEM and NR_FILE_DIRTY of the memcg: its shmem and dirty page-cache pages.
            let (mut shmem, mut dirty) = (0u64, 0u64);
            for f in &self.zone.pages {
                let pg = f.load();
                if pg.memcg_slot() == Some(s) {
                    shmem += pg.has(crate::page::PG_SHMEM) as u64;
                    dirty +=
                        (pg.has(crate::page::PG_DIRTY) && !pg.has(crate::page::PG_ANON)) as u64;
                }
            }
            let pos = |v: i64| kb(v.max(0) as u64);
            let mut line = match self.profile.oom_report {
                OomReport::V4_19 => format!(
                    "Memory cgroup stats for {path}: cache:{}KB rss:{}KB rss_huge:0KB \
                     shmem:{}KB mapped_file:{}KB dirty:{}KB writeback:0KB",
                    pos(st.cache),
                    pos(st.rss),
                    kb(shmem),
                    pos(st.mapped_file),
                    kb(dirty)
                ),
                // 3.15 added `writeback` after `mapped_file`; 3.19 (the one V3_10 preset with
                // page_counter) has it, 3.10 does not.
                _ if self.profile.charge_algo == crate::profile::ChargeAlgo::V4X => format!(
                    "Memory cgroup stats for {path}: cache:{}KB rss:{}KB rss_huge:0KB \
                     mapped_file:{}KB writeback:0KB",
                    pos(st.cache),
                    pos(st.rss),
                    pos(st.mapped_file),
                ),
                _ => format!(
                    "Memory cgroup stats for {path}: cache:{}KB rss:{}KB rss_huge:0KB \
                     mapped_file:{}KB",
                    pos(st.cache),
                    pos(st.rss),
                    pos(st.mapped_file),
                ),
            };
            if self.profile.swap_accounting {
                line.push_str(&format!(" swap:{}KB", pos(st.swap)));
            }
            use crate::page::LruList::*;
            for (name, l) in [
                ("inactive_anon", InactiveAnon),
                ("active_anon", ActiveAnon),
                ("inactive_file", InactiveFile),
                ("active_file", ActiveFile),
                ("unevictable", Unevictable),
            ] {
                line.push_str(&format!(" {name}:{}KB", kb(mc.lru_pages(l))));
            }
            self.printk(Level::Info, line);
        }
    }

    /// `dump_tasks(memcg, nodemask)` (on by default from 2.6.36): the candidates' memory, one
    /// line per process that `oom_unkillable_task` accepts (not init, not a kernel thread, in
    /// the memcg or, with `use_hierarchy`, below it) and that has an mm. 3.10: `"[%5d] %5d %5d
    /// %8lu %8lu %7lu %8lu         %5hd %s"` (nr_ptes); 4.19: a `Tasks state` line, then
    /// `"[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s"` (page-table bytes).
    fn oom_dump_tasks(&self, mem: Option<MemcgSlot>) {
        let report = self.profile.oom_report;
        let hier = mem.is_some_and(|m| self.mc(m).use_hierarchy);
        match report {
            // 6.6 has 4.19's header and line (the `rss_anon`, `rss_file` and `rss_shmem`
            // columns came after it).
            OomReport::V4_19 | OomReport::V6_6 => {
                self.printk(
                    Level::Info,
                    "Tasks state (memory values in pages):".to_string(),
                );
                self.printk(
                    Level::Info,
                    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents \
                     oom_score_adj name"
                        .to_string(),
                );
            }
            _ => self.printk(
                Level::Info,
                "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name"
                    .to_string(),
            ),
        }
        for (&pid, t) in &self.tasks {
            let Some(mmi) = t.mm else { continue };
            // `is_global_init(p)`.
            if pid.0 == 1 {
                continue;
            }
            if let Some(m) = mem {
                let ok = if hier {
                    self.is_same_or_hier_descendant(t.memcg, m)
                } else {
                    t.memcg == m
                };
                if !ok {
                    continue;
                }
            }
            let mm = self.mms[mmi.index()].lock();
            let rss = mm.anon_rss + mm.file_rss;
            let line = match report {
                OomReport::V4_19 | OomReport::V6_6 => format!(
                    "[{:>7}] {:>5} {:>5} {:>8} {:>8} {:>8} {:>8}         {:>5} {}",
                    pid.0,
                    t.uid,
                    pid.0,
                    mm.total_vm(),
                    rss,
                    mm.nr_ptes() << PAGE_SHIFT,
                    mm.swap_ents,
                    t.oom_score_adj,
                    t.comm
                ),
                _ => format!(
                    "[{:>5}] {:>5} {:>5} {:>8} {:>8} {:>7} {:>8}         {:>5} {}",
                    pid.0,
                    t.uid,
                    pid.0,
                    mm.total_vm(),
                    rss,
                    mm.nr_ptes(),
                    mm.swap_ents,
                    t.oom_score_adj,
                    t.comm
                ),
            };
            self.printk(Level::Info, line);
        }
    }

    /// The `Killed process` line for `pid` before its memory is freed: 2.6.25 `oom_kill_task`
    /// `"Killed process %d (%s)"`; 2.6.35 `__oom_kill_task` `"... vsz:%lukB, anon-rss:%lukB,
    /// file-rss:%lukB"`; 3.10 `oom_kill_process` `"... total-vm:%lukB, anon-rss:%lukB,
    /// file-rss:%lukB"`; 4.19 `__oom_kill_process` adds `", shmem-rss:%lukB"`, and
    /// `oom_reap_task_mm` then prints `"oom_reaper: reaped process %d (%s), now
    /// anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB"`.
    ///
    /// 6.6 `__oom_kill_process`: `"%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB,
    /// file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd"` with the
    /// OOM's `message` first; its reaper waits 2 s (`OOM_REAPER_DELAY`, 5.18+) and finds the
    /// victim's mm already gone (`MMF_OOM_SKIP` from `exit_mmap`), so it prints nothing.
    pub(crate) fn oom_killed_lines(&self, pid: Pid, message: &str) -> Vec<String> {
        let t = &self.tasks[&pid];
        let comm = &t.comm;
        let (total_vm, anon, file, ptes) = match t.mm {
            Some(mmi) => {
                let mm = self.mms[mmi.index()].lock();
                (mm.total_vm(), mm.anon_rss, mm.file_rss, mm.nr_ptes())
            }
            None => (0, 0, 0, 0),
        };
        match self.profile.oom_report {
            OomReport::V2_6_25 => vec![format!("Killed process {pid} ({comm})")],
            OomReport::V2_6_35 => vec![format!(
                "Killed process {pid} ({comm}) vsz:{}kB, anon-rss:{}kB, file-rss:{}kB",
                kb(total_vm),
                kb(anon),
                kb(file)
            )],
            OomReport::V3_10 => vec![format!(
                "Killed process {pid} ({comm}) total-vm:{}kB, anon-rss:{}kB, file-rss:{}kB",
                kb(total_vm),
                kb(anon),
                kb(file)
            )],
            // Every mapped non-anonymous page here is shmem (shared anonymous mappings and
            // SysV shm): 4.19 counts them in MM_SHMEMPAGES. The reaper unmaps the private
            // mappings only, so the shmem pages stay.
            OomReport::V4_19 => vec![
                format!(
                    "Killed process {pid} ({comm}) total-vm:{}kB, anon-rss:{}kB, file-rss:0kB, \
                     shmem-rss:{}kB",
                    kb(total_vm),
                    kb(anon),
                    kb(file)
                ),
                format!(
                    "oom_reaper: reaped process {pid} ({comm}), now anon-rss:0kB, file-rss:0kB, \
                     shmem-rss:{}kB",
                    kb(file)
                ),
            ],
            // `mm_pgtables_bytes(mm) >> 10`: one 4 KiB page per page-table page.
            OomReport::V6_6 => vec![format!(
                "{message}: Killed process {pid} ({comm}) total-vm:{}kB, anon-rss:{}kB, \
                 file-rss:0kB, shmem-rss:{}kB, UID:{} pgtables:{}kB oom_score_adj:{}",
                kb(total_vm),
                kb(anon),
                kb(file),
                t.uid,
                kb(ptes),
                t.oom_score_adj
            )],
        }
    }
}
