//! Pressure stall information: one `struct psi_group` with its per-CPU state, the cumulative
//! totals, the running averages and the triggers, computed on the simulated clock.
//!
//! **Kernel:** `kernel/sched/psi.c` (v6.6): `psi_group_change` (with `record_times` and
//! `test_state`), `get_recent_times`, `collect_percpu_times`, `calc_avgs`, `update_averages`,
//! `psi_avgs_work`, `window_reset`, `window_update`, `update_triggers`, `psi_rtpoll_work`,
//! `init_rtpoll_triggers`, `psi_trigger_create`'s bookkeeping, `psi_trigger_destroy`,
//! `psi_trigger_poll` and `psi_show`; `include/linux/sched/loadavg.h` `calc_load`,
//! `kernel/sched/loadavg.c` `calc_load_n`, `include/linux/sched.h` `fixed_power_int`.
//!
//! A group is a pure state machine over nanoseconds of the simulated clock: the caller reports
//! task state changes ([`PsiGroup::task_change`]) and asks for the files' text
//! ([`PsiGroup::show`]) with the current time, and first lets the two deferred works of the
//! kernel run at the times their timers would have fired ([`PsiGroup::run_timers`]): the
//! averages work (`psi_avgs_work`, every `PSI_FREQ` while something is not idle) and the
//! real-time poll work of privileged triggers (`psi_rtpoll_work`, every tenth of the smallest
//! window while a monitored state keeps changing). Between two task changes the per-CPU states
//! are constant, so running the works late with their own timestamps gives the numbers the
//! kernel would have computed on time.
//!
//! **Differences:** `CONFIG_HZ=250` (Debian's kernels), so a jiffy is 4 ms and `PSI_FREQ` is
//! 2.004 s; `NR_RUNNING`/`NR_ONCPU` are not counted at each enqueue and dequeue: the CPU
//! states' times come per scheduler round from the simulated CPUs' queues
//! ([`PsiGroup::account_cpu`]), and the "current CPU" rule of `get_recent_times` is left out:
//! the averages work is re-armed while any CPU had non-idle time in the last period.

/// `enum psi_states` without `PSI_IRQ_FULL` (no `CONFIG_IRQ_TIME_ACCOUNTING`).
pub const PSI_IO_SOME: usize = 0;
/// `PSI_IO_FULL`.
pub const PSI_IO_FULL: usize = 1;
/// `PSI_MEM_SOME`.
pub const PSI_MEM_SOME: usize = 2;
/// `PSI_MEM_FULL`.
pub const PSI_MEM_FULL: usize = 3;
/// `PSI_CPU_SOME`.
pub const PSI_CPU_SOME: usize = 4;
/// `PSI_CPU_FULL`.
pub const PSI_CPU_FULL: usize = 5;
/// `PSI_NONIDLE`: only an aggregation aid.
pub const PSI_NONIDLE: usize = 6;
/// `NR_PSI_STATES`.
pub const NR_PSI_STATES: usize = 7;

/// `enum psi_task_count`: `NR_IOWAIT`.
pub const NR_IOWAIT: usize = 0;
/// `NR_MEMSTALL`.
pub const NR_MEMSTALL: usize = 1;
/// `NR_RUNNING`.
pub const NR_RUNNING: usize = 2;
/// `NR_MEMSTALL_RUNNING`.
pub const NR_MEMSTALL_RUNNING: usize = 3;
/// `NR_PSI_TASK_COUNTS`.
pub const NR_PSI_TASK_COUNTS: usize = 4;

/// `TSK_IOWAIT`.
pub const TSK_IOWAIT: u32 = 1 << NR_IOWAIT;
/// `TSK_MEMSTALL`.
pub const TSK_MEMSTALL: u32 = 1 << NR_MEMSTALL;
/// `TSK_RUNNING`.
pub const TSK_RUNNING: u32 = 1 << NR_RUNNING;
/// `TSK_MEMSTALL_RUNNING`.
pub const TSK_MEMSTALL_RUNNING: u32 = 1 << NR_MEMSTALL_RUNNING;

/// `CONFIG_HZ` of the simulated kernel.
pub const HZ: u64 = 250;
/// `NSEC_PER_SEC / HZ`.
pub const NSEC_PER_JIFFY: u64 = 1_000_000_000 / HZ;
/// `PSI_FREQ` (`2*HZ+1` jiffies): the averages' period.
pub const PSI_FREQ: u64 = 2 * HZ + 1;
/// `psi_period = jiffies_to_nsecs(PSI_FREQ)`.
pub const PSI_PERIOD: u64 = PSI_FREQ * NSEC_PER_JIFFY;
/// `FSHIFT` (`include/linux/sched/loadavg.h`).
pub const FSHIFT: u32 = 11;
/// `FIXED_1`.
pub const FIXED_1: u64 = 1 << FSHIFT;
/// `EXP_10s`: `1/exp(2s/10s)` in fixed point.
pub const EXP_10S: u64 = 1677;
/// `EXP_60s`: `1/exp(2s/60s)`.
pub const EXP_60S: u64 = 1981;
/// `EXP_300s`: `1/exp(2s/300s)`.
pub const EXP_300S: u64 = 2034;
/// `UPDATES_PER_WINDOW`: the poll work samples a window ten times.
pub const UPDATES_PER_WINDOW: u64 = 10;
/// `PSI_STATE_RESCHEDULE`: a bit past the states in `changed_states`.
const PSI_STATE_RESCHEDULE: u32 = 1 << NR_PSI_STATES;

/// `nsecs_to_jiffies` for `HZ` dividing `NSEC_PER_SEC`.
pub fn nsecs_to_jiffies(ns: u64) -> u64 {
    ns / NSEC_PER_JIFFY
}

/// `calc_load(load, exp, active)`: one step of the exponential average, rounding up while the
/// load grows.
pub fn calc_load(load: u64, exp: u64, active: u64) -> u64 {
    let mut newload = load * exp + active * (FIXED_1 - exp);
    if active >= load {
        newload += FIXED_1 - 1;
    }
    newload / FIXED_1
}

/// `fixed_power_int(x, frac_bits, n)`: `x^n` in fixed point with `frac_bits` fraction bits,
/// rounding at each multiplication.
pub fn fixed_power_int(mut x: u64, frac_bits: u32, mut n: u64) -> u64 {
    let mut result = 1u64 << frac_bits;
    if n != 0 {
        loop {
            if n & 1 != 0 {
                result *= x;
                result += 1 << (frac_bits - 1);
                result >>= frac_bits;
            }
            n >>= 1;
            if n == 0 {
                break;
            }
            x *= x;
            x += 1 << (frac_bits - 1);
            x >>= frac_bits;
        }
    }
    result
}

/// `calc_load_n`: `n` steps of zero activity at once.
pub fn calc_load_n(load: u64, exp: u64, active: u64, n: u64) -> u64 {
    calc_load(load, fixed_power_int(exp, FSHIFT, n), active)
}

/// `calc_avgs(avg, missed_periods, time, period)`: decay the three averages over the periods
/// without a sample, then feed the share of `period` that `time` stalled.
pub fn calc_avgs(avg: &mut [u64; 3], missed_periods: u64, time: u64, period: u64) {
    if missed_periods != 0 {
        avg[0] = calc_load_n(avg[0], EXP_10S, 0, missed_periods);
        avg[1] = calc_load_n(avg[1], EXP_60S, 0, missed_periods);
        avg[2] = calc_load_n(avg[2], EXP_300S, 0, missed_periods);
    }
    let pct = (time * 100 / period.max(1)) * FIXED_1;
    avg[0] = calc_load(avg[0], EXP_10S, pct);
    avg[1] = calc_load(avg[1], EXP_60S, pct);
    avg[2] = calc_load(avg[2], EXP_300S, pct);
}

/// `LOAD_INT(x).LOAD_FRAC(x)` as `psi_show` prints an average (`%lu.%02lu`).
pub fn load_fmt(x: u64) -> String {
    let int = x >> FSHIFT;
    let frac = ((x & (FIXED_1 - 1)) * 100) >> FSHIFT;
    format!("{int}.{frac:02}")
}

/// `enum psi_aggregators`: the averages work's view and the poll work's view of the per-CPU
/// times, each with its own `times_prev`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Aggregator {
    /// `PSI_AVGS`.
    Avgs = 0,
    /// `PSI_POLL`.
    Poll = 1,
}

/// `struct psi_group_cpu`.
#[derive(Clone, Debug, Default)]
struct GroupCpu {
    tasks: [u32; NR_PSI_TASK_COUNTS],
    state_mask: u32,
    state_start: u64,
    times: [u64; NR_PSI_STATES],
    times_prev: [[u64; NR_PSI_STATES]; 2],
}

/// `test_state(tasks, state)` for the states that need no `NR_ONCPU`.
fn test_state(tasks: &[u32; NR_PSI_TASK_COUNTS], state: usize) -> bool {
    match state {
        PSI_IO_SOME => tasks[NR_IOWAIT] > 0,
        PSI_IO_FULL => tasks[NR_IOWAIT] > 0 && tasks[NR_RUNNING] == 0,
        PSI_MEM_SOME => tasks[NR_MEMSTALL] > 0,
        PSI_MEM_FULL => tasks[NR_MEMSTALL] > 0 && tasks[NR_RUNNING] == tasks[NR_MEMSTALL_RUNNING],
        // No task is on a CPU while the clock moves (NR_ONCPU is 0): some = running > 0,
        // full = running > 0.
        PSI_CPU_SOME | PSI_CPU_FULL => tasks[NR_RUNNING] > 0,
        PSI_NONIDLE => tasks[NR_IOWAIT] > 0 || tasks[NR_MEMSTALL] > 0 || tasks[NR_RUNNING] > 0,
        _ => false,
    }
}

impl GroupCpu {
    /// `record_times`: charge the time since the last change to the states that held.
    fn record_times(&mut self, now: u64) {
        let delta = now.saturating_sub(self.state_start);
        self.state_start = now;
        for s in 0..NR_PSI_STATES {
            if self.state_mask & (1 << s) != 0 {
                self.times[s] += delta;
            }
        }
    }

    /// `get_recent_times`: the times since this aggregator last looked, the running state's
    /// time included; bit `s` of `changed` is set for each state that grew.
    fn recent_times(
        &mut self,
        agg: Aggregator,
        now: u64,
        changed: &mut u32,
    ) -> [u64; NR_PSI_STATES] {
        let mut out = [0; NR_PSI_STATES];
        for (s, o) in out.iter_mut().enumerate() {
            let mut t = self.times[s];
            if self.state_mask & (1 << s) != 0 {
                t += now.saturating_sub(self.state_start);
            }
            let delta = t - self.times_prev[agg as usize][s];
            self.times_prev[agg as usize][s] = t;
            *o = delta;
            if delta != 0 {
                *changed |= 1 << s;
            }
        }
        if *changed & (1 << PSI_NONIDLE) != 0 {
            *changed |= PSI_STATE_RESCHEDULE;
        }
        out
    }
}

/// `struct psi_window`.
#[derive(Copy, Clone, Debug, Default)]
struct Window {
    size: u64,
    start_time: u64,
    start_value: u64,
    prev_growth: u64,
}

impl Window {
    /// `window_reset`.
    fn reset(&mut self, now: u64, value: u64, prev_growth: u64) {
        self.start_time = now;
        self.start_value = value;
        self.prev_growth = prev_growth;
    }

    /// `window_update`: the growth in the window that ends now, with the previous window's
    /// growth interpolated for the part of the window before `start_time`.
    fn update(&mut self, now: u64, value: u64) -> u64 {
        let elapsed = now - self.start_time;
        let mut growth = value - self.start_value;
        if elapsed > self.size {
            self.reset(now, value, growth);
        } else {
            let remaining = self.size - elapsed;
            // div64_u64(win->prev_growth * remaining, win->size): the product wraps in u64 as
            // in C (a window reset after a long idle gap carries that gap's growth).
            growth += self.prev_growth.wrapping_mul(remaining) / self.size;
        }
        growth
    }
}

/// A handle on a trigger of one group.
pub type TriggerKey = u64;

/// `struct psi_trigger`.
#[derive(Clone, Debug)]
struct Trigger {
    key: TriggerKey,
    state: usize,
    threshold: u64,
    win: Window,
    /// `t->event`: an event waits to be seen by `poll`.
    event: bool,
    last_event_time: u64,
    pending_event: bool,
    aggregator: Aggregator,
}

/// `struct psi_group` (one per cgroup of the default hierarchy, and `psi_system`).
#[derive(Clone, Debug)]
pub struct PsiGroup {
    pcpu: Vec<GroupCpu>,
    /// `total[aggregator][state]`, ns.
    total: [[u64; NR_PSI_STATES - 1]; 2],
    avg_total: [u64; NR_PSI_STATES - 1],
    avg: [[u64; 3]; NR_PSI_STATES - 1],
    avg_last_update: u64,
    avg_next_update: u64,
    /// When the delayed `avgs_work` runs next, if it is queued.
    avgs_work_at: Option<u64>,
    triggers: Vec<Trigger>,
    rtpoll_states: u32,
    rtpoll_min_period: u64,
    rtpoll_total: [u64; NR_PSI_STATES - 1],
    rtpoll_next_update: u64,
    rtpoll_until: u64,
    /// When the rtpoll timer fires next, if armed (`rtpoll_scheduled`).
    rtpoll_work_at: Option<u64>,
    /// Events generated so far (`kernfs_notify` calls), for pollers.
    pub notify_seq: u64,
}

/// A jiffy-aligned timer `delay` jiffies after `now` (`mod_timer(jiffies + delay)`).
fn timer_at(now: u64, delay: u64) -> u64 {
    (nsecs_to_jiffies(now) + delay) * NSEC_PER_JIFFY
}

impl PsiGroup {
    /// `group_init` at `now` for `nr_cpus` CPUs.
    pub fn new(nr_cpus: usize, now: u64) -> PsiGroup {
        PsiGroup {
            pcpu: vec![
                GroupCpu {
                    state_start: now,
                    ..GroupCpu::default()
                };
                nr_cpus.max(1)
            ],
            total: [[0; NR_PSI_STATES - 1]; 2],
            avg_total: [0; NR_PSI_STATES - 1],
            avg: [[0; 3]; NR_PSI_STATES - 1],
            avg_last_update: now,
            avg_next_update: now + PSI_PERIOD,
            avgs_work_at: None,
            triggers: Vec::new(),
            rtpoll_states: 0,
            rtpoll_min_period: u64::from(u32::MAX),
            rtpoll_total: [0; NR_PSI_STATES - 1],
            rtpoll_next_update: u64::MAX,
            rtpoll_until: 0,
            rtpoll_work_at: None,
            notify_seq: 0,
        }
    }

    /// `psi_group_change(group, cpu, clear, set, now, wake_clock=true)`.
    pub fn task_change(&mut self, cpu: usize, clear: u32, set: u32, now: u64) {
        self.run_timers(now);
        let nr = self.pcpu.len();
        let g = &mut self.pcpu[cpu % nr];
        g.record_times(now);
        for t in 0..NR_PSI_TASK_COUNTS {
            if clear & (1 << t) != 0 {
                // The kernel prints "psi: task underflow!" once; never expected here.
                g.tasks[t] = g.tasks[t].saturating_sub(1);
            }
        }
        for t in 0..NR_PSI_TASK_COUNTS {
            if set & (1 << t) != 0 {
                g.tasks[t] += 1;
            }
        }
        let mut mask = 0;
        for s in 0..NR_PSI_STATES {
            if test_state(&g.tasks, s) {
                mask |= 1 << s;
            }
        }
        g.state_mask = mask;
        if mask & self.rtpoll_states != 0 {
            self.schedule_rtpoll_work(now, 1, false);
        }
        if self.avgs_work_at.is_none() {
            self.avgs_work_at = Some(timer_at(now, PSI_FREQ));
        }
    }

    /// The CPU time of a scheduler round on `cpu`, ending at `now` (see `crates/cgroupfs`'s
    /// `cputime.rs`): `t = [some, full, nonidle, running]` ns, where `some` is the time a task
    /// of the group waited for the CPU while another task ran (`PSI_CPU_SOME`: more runnable
    /// tasks than on-CPU ones), `full` the part of it in which no task of the group was on the
    /// CPU (`PSI_CPU_FULL`), `nonidle` the time the group had a runnable task, and `running`
    /// the time a task of the group ran. While a task of the group is in a memory stall on this
    /// CPU, the time another of its tasks ran is `some` but not `full` memory pressure
    /// (`PSI_MEM_FULL` needs `tasks[NR_RUNNING] == tasks[NR_MEMSTALL_RUNNING]`), so it is
    /// taken back out of `full`.
    /// `t[4]`/`t[5]` are reclaim's memory stall of a running task of the group, `some` and
    /// `full` (`full` when no other task of the group was runnable on the CPU).
    pub fn account_cpu(&mut self, cpu: usize, t: [u64; 6], now: u64) {
        self.run_timers(now);
        let nr = self.pcpu.len();
        let g = &mut self.pcpu[cpu % nr];
        let held = now.saturating_sub(g.state_start);
        g.record_times(now);
        g.times[PSI_CPU_SOME] += t[0];
        g.times[PSI_CPU_FULL] += t[1];
        // A task already in a memory stall on this CPU has the states' times counting.
        if g.state_mask & (1 << PSI_MEM_SOME) == 0 {
            g.times[PSI_MEM_SOME] += t[4];
            g.times[PSI_MEM_FULL] += t[5];
        }
        if g.state_mask & (1 << PSI_NONIDLE) == 0 {
            g.times[PSI_NONIDLE] += t[2];
        }
        if g.state_mask & (1 << PSI_MEM_FULL) != 0 {
            let floor = g.times_prev[0][PSI_MEM_FULL].max(g.times_prev[1][PSI_MEM_FULL]);
            g.times[PSI_MEM_FULL] = g.times[PSI_MEM_FULL]
                .saturating_sub(t[3].min(held))
                .max(floor);
        }
        let mut states = 0;
        if t[0] > 0 {
            states |= 1 << PSI_CPU_SOME;
        }
        if t[1] > 0 {
            states |= 1 << PSI_CPU_FULL;
        }
        if t[4] > 0 {
            states |= 1 << PSI_MEM_SOME;
        }
        if t[5] > 0 {
            states |= 1 << PSI_MEM_FULL;
        }
        if states & self.rtpoll_states != 0 {
            self.schedule_rtpoll_work(now, 1, false);
        }
        if self.avgs_work_at.is_none() && t[2] > 0 {
            self.avgs_work_at = Some(timer_at(now, PSI_FREQ));
        }
    }

    /// `collect_percpu_times`: fold the per-CPU times into `total[agg]`, each state's time
    /// weighted by the CPU's non-idle jiffies.
    fn collect_percpu_times(&mut self, agg: Aggregator, now: u64) -> u32 {
        let mut deltas = [0u64; NR_PSI_STATES - 1];
        let mut nonidle_total = 0u64;
        let mut changed = 0u32;
        for g in &mut self.pcpu {
            let times = g.recent_times(agg, now, &mut changed);
            let nonidle = nsecs_to_jiffies(times[PSI_NONIDLE]);
            nonidle_total += nonidle;
            for s in 0..PSI_NONIDLE {
                deltas[s] += times[s] * nonidle;
            }
        }
        for (s, d) in deltas.iter().enumerate() {
            self.total[agg as usize][s] += d / nonidle_total.max(1);
        }
        changed
    }

    /// `update_averages`: feed the samples since the last update into the averages; returns
    /// the next update time.
    fn update_averages(&mut self, now: u64) -> u64 {
        let expires = self.avg_next_update;
        let missed_periods = if now - expires >= PSI_PERIOD {
            (now - expires) / PSI_PERIOD
        } else {
            0
        };
        let next = expires + (1 + missed_periods) * PSI_PERIOD;
        let period = now - (self.avg_last_update + missed_periods * PSI_PERIOD);
        self.avg_last_update = now;
        for s in 0..PSI_NONIDLE {
            // The kernel's `u32 sample`.
            let mut sample =
                (self.total[Aggregator::Avgs as usize][s] - self.avg_total[s]) as u32 as u64;
            if sample > period {
                sample = period;
            }
            self.avg_total[s] += sample;
            calc_avgs(&mut self.avg[s], missed_periods, sample, period);
        }
        next
    }

    /// `psi_avgs_work`, run at `now`.
    fn avgs_work(&mut self, now: u64) {
        let changed = self.collect_percpu_times(Aggregator::Avgs, now);
        if now >= self.avg_next_update {
            self.update_triggers(now, Aggregator::Avgs);
            self.avg_next_update = self.update_averages(now);
        }
        self.avgs_work_at = if changed & PSI_STATE_RESCHEDULE != 0 {
            Some(timer_at(
                now,
                nsecs_to_jiffies(self.avg_next_update.saturating_sub(now)) + 1,
            ))
        } else {
            None
        };
    }

    /// `update_triggers`: the growth of each trigger's state in its window, and an event when
    /// it crossed the threshold, at most once per window.
    fn update_triggers(&mut self, now: u64, agg: Aggregator) -> bool {
        let total = self.total[agg as usize];
        let mut update_total = false;
        for t in self.triggers.iter_mut().filter(|t| t.aggregator == agg) {
            let seen = match agg {
                Aggregator::Avgs => self.avg_total[t.state],
                Aggregator::Poll => self.rtpoll_total[t.state],
            };
            let new_stall = seen != total[t.state];
            if !new_stall && !t.pending_event {
                continue;
            }
            if new_stall {
                update_total = true;
                let growth = t.win.update(now, total[t.state]);
                if !t.pending_event {
                    if growth < t.threshold {
                        continue;
                    }
                    t.pending_event = true;
                }
            }
            if now < t.last_event_time + t.win.size {
                continue;
            }
            if !t.event {
                t.event = true;
                self.notify_seq += 1;
            }
            t.last_event_time = now;
            t.pending_event = false;
        }
        update_total
    }

    /// `psi_schedule_rtpoll_work(group, delay, force)`.
    fn schedule_rtpoll_work(&mut self, now: u64, delay: u64, force: bool) {
        if self.rtpoll_work_at.is_some() && !force {
            return;
        }
        if self
            .triggers
            .iter()
            .any(|t| t.aggregator == Aggregator::Poll)
        {
            self.rtpoll_work_at = Some(timer_at(now, delay));
        }
    }

    /// `psi_rtpoll_work`, run at `now` (v6.6).
    fn rtpoll_work(&mut self, now: u64) {
        self.rtpoll_work_at = None;
        let force_reschedule = now <= self.rtpoll_until;
        let changed = self.collect_percpu_times(Aggregator::Poll, now);
        if changed & self.rtpoll_states != 0 {
            if now > self.rtpoll_until {
                // init_rtpoll_triggers.
                let total = self.total[Aggregator::Poll as usize];
                for t in self
                    .triggers
                    .iter_mut()
                    .filter(|t| t.aggregator == Aggregator::Poll)
                {
                    t.win.reset(now, total[t.state], 0);
                }
                self.rtpoll_total = total;
                self.rtpoll_next_update = now + self.rtpoll_min_period;
            }
            self.rtpoll_until = now + self.rtpoll_min_period * UPDATES_PER_WINDOW;
        }
        if now > self.rtpoll_until {
            self.rtpoll_next_update = u64::MAX;
            return;
        }
        if now >= self.rtpoll_next_update {
            if self.update_triggers(now, Aggregator::Poll) {
                self.rtpoll_total = self.total[Aggregator::Poll as usize];
            }
            self.rtpoll_next_update = now + self.rtpoll_min_period;
        }
        let delay = nsecs_to_jiffies(self.rtpoll_next_update - now) + 1;
        self.schedule_rtpoll_work(now, delay, force_reschedule);
    }

    /// The earliest pending timer, if any.
    pub fn next_timer(&self) -> Option<u64> {
        match (self.avgs_work_at, self.rtpoll_work_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Run the deferred works whose timers fire at or before `now`, each at its own time.
    pub fn run_timers(&mut self, now: u64) {
        while let Some(at) = self.next_timer().filter(|&at| at <= now) {
            if self.rtpoll_work_at == Some(at) {
                self.rtpoll_work(at);
            } else {
                self.avgs_work(at);
            }
        }
    }

    /// `psi_show`'s two lines for `res` (`0` io, `1` memory, `2` cpu) at `now`; `system` for
    /// `psi_system` (whose CPU `full` line reads zeros).
    pub fn show(&mut self, res: usize, now: u64, system: bool) -> String {
        self.run_timers(now);
        self.collect_percpu_times(Aggregator::Avgs, now);
        if now >= self.avg_next_update {
            self.avg_next_update = self.update_averages(now);
        }
        let mut out = String::new();
        for full in 0..2 {
            let (mut avg, mut total) = ([0u64; 3], 0u64);
            if !(system && res == 2 && full == 1) {
                avg = self.avg[res * 2 + full];
                total = self.total[Aggregator::Avgs as usize][res * 2 + full] / 1000;
            }
            out.push_str(&format!(
                "{} avg10={} avg60={} avg300={} total={}\n",
                if full == 1 { "full" } else { "some" },
                load_fmt(avg[0]),
                load_fmt(avg[1]),
                load_fmt(avg[2]),
                total
            ));
        }
        out
    }

    /// The stall totals of the averages' view, ns (`group->total[PSI_AVGS]`), as of the last
    /// collection.
    pub fn totals(&self) -> [u64; NR_PSI_STATES - 1] {
        self.total[Aggregator::Avgs as usize]
    }

    /// The fixed-point averages of `state` (`group->avg[state]`).
    pub fn avg(&self, state: usize) -> [u64; 3] {
        self.avg[state]
    }

    /// `psi_trigger_create`'s bookkeeping for a parsed trigger on `state`: privileged triggers
    /// go to the rtpoll list, the others to the averages' list.
    pub fn trigger_create(
        &mut self,
        key: TriggerKey,
        state: usize,
        threshold_us: u32,
        window_us: u32,
        privileged: bool,
        now: u64,
    ) {
        self.run_timers(now);
        let aggregator = if privileged {
            Aggregator::Poll
        } else {
            Aggregator::Avgs
        };
        let size = u64::from(window_us) * 1000;
        let mut win = Window {
            size,
            ..Window::default()
        };
        win.reset(now, self.total[aggregator as usize][state], 0);
        self.triggers.push(Trigger {
            key,
            state,
            threshold: u64::from(threshold_us) * 1000,
            win,
            event: false,
            last_event_time: 0,
            pending_event: false,
            aggregator,
        });
        if privileged {
            self.rtpoll_min_period = self.rtpoll_min_period.min(size / UPDATES_PER_WINDOW);
            self.rtpoll_states |= 1 << state;
        }
    }

    /// `psi_trigger_destroy`: the rtpoll states and period are recomputed from the triggers
    /// left; with none left the poll work stops.
    pub fn trigger_destroy(&mut self, key: TriggerKey, now: u64) {
        self.run_timers(now);
        self.triggers.retain(|t| t.key != key);
        let mut states = 0;
        let mut min_period = u64::from(u32::MAX);
        for t in self
            .triggers
            .iter()
            .filter(|t| t.aggregator == Aggregator::Poll)
        {
            states |= 1 << t.state;
            min_period = min_period.min(t.win.size / UPDATES_PER_WINDOW);
        }
        self.rtpoll_states = states;
        self.rtpoll_min_period = min_period;
        if states == 0 {
            self.rtpoll_work_at = None;
            self.rtpoll_until = 0;
            self.rtpoll_next_update = u64::MAX;
        }
    }

    /// Whether the trigger has an event waiting, without consuming it.
    pub fn trigger_pending(&mut self, key: TriggerKey, now: u64) -> bool {
        self.run_timers(now);
        self.triggers.iter().any(|t| t.key == key && t.event)
    }

    /// `psi_trigger_poll`'s `cmpxchg(&t->event, 1, 0)`: whether an event was waiting; it is
    /// consumed.
    pub fn trigger_poll(&mut self, key: TriggerKey, now: u64) -> bool {
        self.run_timers(now);
        match self.triggers.iter_mut().find(|t| t.key == key) {
            Some(t) => std::mem::take(&mut t.event),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000_000;

    #[test]
    fn calc_load_matches_the_kernel_formula() {
        // 100% for one period from 0: (0*1677 + 204800*371 + 2047) / 2048, rounded up as
        // calc_load does while the load grows.
        assert_eq!(
            calc_load(0, EXP_10S, 100 * FIXED_1),
            (204_800u64 * 371).div_ceil(2048)
        );
        assert_eq!(calc_load(0, EXP_10S, 100 * FIXED_1), 37_100);
        assert_eq!(load_fmt(37_100), "18.11");
        // Decay without activity rounds down.
        assert_eq!(calc_load(37_100, EXP_10S, 0), 37_100 * 1677 / 2048);
        // fixed_power_int(x, 11, 1) is x; n = 0 is 1.0.
        assert_eq!(fixed_power_int(EXP_10S, FSHIFT, 1), EXP_10S);
        assert_eq!(fixed_power_int(EXP_10S, FSHIFT, 0), FIXED_1);
        // 1677^2 / 2048 rounded: (1677*1677 + 1024) >> 11 = 1373.
        assert_eq!(
            fixed_power_int(EXP_10S, FSHIFT, 2),
            (1677 * 1677 + 1024) >> 11
        );
    }

    #[test]
    fn one_cpu_stalled_for_a_whole_period() {
        let mut g = PsiGroup::new(2, 0);
        g.task_change(0, 0, TSK_MEMSTALL, 0);
        let text = g.show(1, PSI_PERIOD, false);
        // Sampled 100% for exactly one period: pct = 100 * FIXED_1; the avgs by calc_load.
        let a10 = calc_load(0, EXP_10S, 100 * FIXED_1);
        let a60 = calc_load(0, EXP_60S, 100 * FIXED_1);
        let a300 = calc_load(0, EXP_300S, 100 * FIXED_1);
        let line = format!(
            "avg10={} avg60={} avg300={} total={}\n",
            load_fmt(a10),
            load_fmt(a60),
            load_fmt(a300),
            PSI_PERIOD / 1000
        );
        assert_eq!(text, format!("some {line}full {line}"));
        assert_eq!(
            text.lines().next().unwrap(),
            "some avg10=18.11 avg60=3.27 avg300=0.68 total=2004000"
        );
    }

    #[test]
    fn short_stall_weighted_by_nonidle_jiffies() {
        let mut g = PsiGroup::new(2, 0);
        // 3 ms: less than a jiffy of non-idle time, so collect_percpu_times weighs it 0.
        g.task_change(1, 0, TSK_MEMSTALL, 0);
        g.task_change(1, TSK_MEMSTALL, 0, 3_000_000);
        assert!(g.show(1, 10 * SEC, false).contains("total=0\n"));
        // Two CPUs stalled 1 s and 2 s: (1*250 + 2*500) / 750 jiffies-weighted = 5/3 s.
        let mut g = PsiGroup::new(2, 0);
        g.task_change(0, 0, TSK_MEMSTALL, 0);
        g.task_change(1, 0, TSK_MEMSTALL, 0);
        g.task_change(0, TSK_MEMSTALL, 0, SEC);
        g.task_change(1, TSK_MEMSTALL, 0, 2 * SEC);
        g.show(1, 2 * SEC, false);
        assert_eq!(g.totals()[PSI_MEM_SOME], (SEC * 250 + 2 * SEC * 500) / 750);
    }

    #[test]
    fn missed_periods_decay() {
        let mut g = PsiGroup::new(1, 0);
        g.task_change(0, 0, TSK_MEMSTALL, 0);
        g.task_change(0, TSK_MEMSTALL, 0, PSI_PERIOD);
        // The averages work ran at PSI_PERIOD (100%), again one period and a jiffy later
        // (0%, not re-armed: nothing changed), and the read at 7 periods finds 4 missed.
        g.show(1, 7 * PSI_PERIOD, false);
        let mut want = [0u64; 3];
        calc_avgs(&mut want, 0, PSI_PERIOD, PSI_PERIOD);
        calc_avgs(&mut want, 0, 0, PSI_PERIOD + NSEC_PER_JIFFY);
        calc_avgs(&mut want, 4, 0, PSI_PERIOD - NSEC_PER_JIFFY);
        assert_eq!(g.avg(PSI_MEM_SOME), want);
        assert_eq!(g.avg(PSI_MEM_FULL), want);
        assert_eq!(g.totals()[PSI_MEM_SOME], PSI_PERIOD);
    }

    #[test]
    fn rtpoll_trigger_fires_once_per_window() {
        // Ten seconds after boot: `last_event_time` starts at 0, so no event comes in the first
        // window after boot (as in the kernel, where sched_clock starts near 0 too).
        let b = 10 * SEC;
        let mut g = PsiGroup::new(1, 0);
        // some 150 ms in a 1 s window.
        g.trigger_create(7, PSI_MEM_SOME, 150_000, 1_000_000, true, b);
        g.task_change(0, 0, TSK_MEMSTALL, b);
        // Not yet 150 ms of stall.
        // The poll work starts a jiffy after the change (4 ms), samples every 100 ms + 1
        // jiffy, and sees 208 ms of growth at 212 ms.
        assert!(!g.trigger_pending(7, b + 211_000_000));
        assert!(g.trigger_pending(7, b + 212_000_000));
        assert!(g.trigger_poll(7, b + 250_000_000));
        assert!(!g.trigger_poll(7, b + 250_000_000));
        // Still stalled: the next event comes one window after the first.
        assert!(!g.trigger_pending(7, b + 1_200_000_000));
        assert!(g.trigger_pending(7, b + 1_300_000_000));
        g.task_change(0, TSK_MEMSTALL, 0, b + 1_300_000_000);
        g.trigger_destroy(7, b + 1_300_000_000);
        // Only the averages work is left.
        assert_eq!(g.rtpoll_work_at, None);
    }
}
