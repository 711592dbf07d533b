//! The system under test for the reference [`Model`]: a [`MemoryMachine`] driven by the same
//! [`Op`]s, compared with the model's state after each one.
//!
//! The harness does not own a model: the caller (a plain loop, or proptest-state-machine's
//! runner, which keeps the reference state itself) applies each op to its model first and
//! hands the resulting state to [`Harness::step`]. Disagreements are returned as a
//! [`Mismatch`], not panics, so a caller decides how to fail.

use super::{Model, Op, Outcome};
use crate::{FaultError, MachineConfig, MemCounter, MemcgId, MemcgProfile, MemoryMachine, TaskRef};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, CpuId, Errno, NoTrace, PAGE_SIZE, Pid};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A disagreement between the machine and the model (or a broken invariant on either side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The operation after which it was seen (`None` for a check outside a step).
    pub op: Option<Op>,
    /// What differs, with both values.
    pub what: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.op {
            Some(op) => write!(f, "after {op:?}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
}

impl std::error::Error for Mismatch {}

/// What the harness knows of one model task: its memcg and its mappings `(addr, len)`.
#[derive(Clone, Debug)]
struct TaskRecord {
    memcg: u32,
    maps: Vec<(u64, u64)>,
    /// The task's handle, taken when the task was made and kept across every later operation
    /// (fork, attach, OOM kills of others...), so the faults exercise stale handles.
    cur: TaskRef,
}

/// A [`MemoryMachine`] with counter backend `C` (res_counter: [`cgsim_counters::SpinResCounter`],
/// page_counter: [`cgsim_counters::PageCounter`]) and the model's set-up: 64 MiB of RAM, no
/// swap, no per-CPU stock, `use_hierarchy = 1` on the root, init (pid 1) in the root.
pub struct Harness<C: MemCounter = cgsim_counters::SpinResCounter> {
    pub machine: Arc<MemoryMachine<C, NoTrace>>,
    ids: BTreeMap<u32, MemcgId>,
    tasks: BTreeMap<i32, TaskRecord>,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    /// The SEED machine (res_counter with a spinlock per level, 2.6.34 behaviour).
    pub fn new() -> Harness {
        Harness::with_counter(cgsim_counters::ResCounterProfile::V2_6_34)
    }
}

impl<C: MemCounter> Harness<C> {
    /// A machine with counter backend `C` configured by `counter_profile`, under the SEED
    /// memcg profile with the model's assumptions (swap accounting off, no stock).
    pub fn with_counter(counter_profile: C::Profile) -> Harness<C> {
        let profile = MemcgProfile {
            stock_pages: 0,
            ..MemcgProfile::default()
        };
        let machine = MemoryMachine::<C, NoTrace>::new(
            profile,
            counter_profile,
            MachineConfig {
                // 4 MiB (1024 pages): the model has no global memory, so the machine's RAM must never
                // run out (the proptest sequences hold at most 60 × 11 pages); a smaller machine
                // makes every step's invariant check, which walks the page array, cheaper (64 MiB
                // took the default `cargo test` run of the model from about 10 s to 77 s).
                ram: Bytes(4 << 20),
                swap: Bytes(0),
                nr_cpus: 2,
            },
            Arc::new(NoTrace),
            Arc::new(Klog::default()),
            Arc::new(Clock::default()),
        );
        machine
            .add_task(Pid(1), "init", MemcgId::ROOT)
            .expect("boot");
        machine.exec_mm(Pid(1), "init", CpuId(0)).expect("boot");
        machine
            .write_file(MemcgId::ROOT, "use_hierarchy", b"1")
            .expect("no children yet");
        Harness {
            machine,
            ids: BTreeMap::from([(0, MemcgId::ROOT)]),
            tasks: BTreeMap::new(),
        }
    }

    /// The machine's memcg for a model memcg id (`None` once removed).
    pub fn memcg(&self, id: u32) -> Option<MemcgId> {
        self.ids.get(&id).copied()
    }

    /// A memcg file of model memcg `id` as a number (`usage_in_bytes`, `failcnt`, ...).
    pub fn read_u64(&self, id: u32, file: &str) -> Result<u64, Errno> {
        let c = self.memcg(id).ok_or(Errno::ENOENT)?;
        let text = self.machine.read_file(c, file)?;
        text.trim().parse().map_err(|_| Errno::EIO)
    }

    /// Apply `op` to the machine, given the model's state `after` it applied the same op, and
    /// compare outcome and every memcg's counters with it.
    pub fn step(&mut self, after: &Model, op: &Op) -> Result<(), Mismatch> {
        let got = self.run(after, op);
        let fail = |what: String| Mismatch {
            op: Some(op.clone()),
            what,
        };
        if got != after.last {
            return Err(fail(format!(
                "outcome: machine {got:?}, model {:?}",
                after.last
            )));
        }
        self.compare(after).map_err(|m| fail(m.what))
    }

    fn live_op(&self, op: &Op) -> bool {
        op.names_only(|c| self.ids.contains_key(c), |t| self.tasks.contains_key(t))
    }

    /// Run `op` on the machine and report what it did (the host's share of an OOM kill, the
    /// victim's exit, included).
    fn run(&mut self, after: &Model, op: &Op) -> Outcome {
        let cpu = CpuId(0);
        let m = Arc::clone(&self.machine);
        let mut got = Outcome::default();
        if !self.live_op(op) {
            return got;
        }
        let fault = |r: Result<(), FaultError>, got: &mut Outcome| match r {
            Ok(()) => {}
            Err(FaultError::OomKilled) => got.result = Some(Errno::ENOMEM),
            Err(FaultError::Errno(e)) => got.result = Some(e),
            // The model has no oom_kill_disable: a wait shows as an outcome it never has.
            Err(FaultError::OomWait { .. }) => got.result = Some(Errno::EINTR),
        };
        match *op {
            Op::Mkdir { parent } => match m.create_memcg(self.ids[&parent]) {
                Ok(id) => {
                    self.ids.insert(after.next_memcg() - 1, id);
                }
                Err(e) => got.result = Some(e),
            },
            Op::Rmdir { memcg } => {
                got.result = m.remove_memcg(self.ids[&memcg]).err();
                if got.result.is_none() {
                    self.ids.remove(&memcg);
                }
            }
            Op::SetLimit { memcg, pages } => {
                let v = (pages * PAGE_SIZE).to_string();
                got.result = m
                    .write_file(self.ids[&memcg], "limit_in_bytes", v.as_bytes())
                    .err();
            }
            Op::SetMoveCharge { memcg, on } => {
                let v: &[u8] = if on { b"1" } else { b"0" };
                got.result = m
                    .write_file(self.ids[&memcg], "move_charge_at_immigrate", v)
                    .err();
            }
            Op::Spawn { memcg } => {
                let p = after.next_pid() - 1;
                let r = m
                    .fork_mm(Pid(1), Pid(p))
                    .and_then(|()| m.exec_mm(Pid(p), "task", cpu))
                    .and_then(|()| m.attach_task(Pid(p), self.ids[&memcg]));
                got.result = r.err();
                self.tasks.insert(
                    p,
                    TaskRecord {
                        memcg,
                        maps: Vec::new(),
                        cur: m.current(Pid(p)).unwrap_or(TaskRef::from_pid(Pid(p))),
                    },
                );
            }
            Op::Fork { task } => {
                let child = after.next_pid() - 1;
                got.result = m.fork_mm(Pid(task), Pid(child)).err();
                let mut rec = self.tasks[&task].clone();
                rec.cur = m
                    .current(Pid(child))
                    .unwrap_or(TaskRef::from_pid(Pid(child)));
                self.tasks.insert(child, rec);
            }
            Op::Exit { task } => {
                m.exit_task(Pid(task), cpu);
                self.tasks.remove(&task);
            }
            Op::Attach { task, memcg } => {
                if self.tasks[&task].memcg != memcg {
                    got.result = m.attach_task(Pid(task), self.ids[&memcg]).err();
                    if got.result.is_none() {
                        self.tasks.get_mut(&task).expect("live").memcg = memcg;
                    }
                }
            }
            Op::Charge { task, pages } => {
                let len = pages * PAGE_SIZE;
                match m.mmap_anon(Pid(task), Bytes(len)) {
                    Ok(addr) => {
                        let rec = self.tasks.get_mut(&task).expect("live");
                        rec.maps.push((addr, len));
                        let r = m.touch_task(&mut rec.cur, addr, Bytes(len), true, cpu);
                        fault(r, &mut got);
                    }
                    Err(e) => got.result = Some(e),
                }
            }
            Op::Write { task } => {
                let rec = self.tasks.get_mut(&task).expect("live");
                if let Some(&(addr, len)) = rec.maps.first() {
                    let r = m.touch_task(&mut rec.cur, addr, Bytes(len), true, cpu);
                    fault(r, &mut got);
                }
            }
            Op::Uncharge { task } => {
                let rec = self.tasks.get_mut(&task).expect("live");
                if !rec.maps.is_empty() {
                    let (addr, len) = rec.maps.remove(0);
                    got.result = m.munmap(Pid(task), addr, Bytes(len), cpu).err();
                }
            }
        }
        // The host's part of an OOM kill: run the victims' exit path.
        let ev = m.take_events();
        for &p in &ev.killed {
            m.exit_task(p, cpu);
            self.tasks.remove(&p.0);
        }
        got.killed = ev.killed.iter().map(|p| p.0).collect();
        got
    }

    /// Compare every memcg's files with `model` and check both sides' invariants.
    pub fn compare(&self, model: &Model) -> Result<(), Mismatch> {
        let fail = |what: String| Err(Mismatch { op: None, what });
        let invariants = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            model.check();
            self.machine.check_invariants();
        }));
        if let Err(e) = invariants {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return fail(format!("invariant broken: {msg}"));
        }
        let total = model.resident().len() as u64;
        for (&id, mm) in &model.memcgs {
            if !self.ids.contains_key(&id) {
                return fail(format!("memcg {id} exists in the model only"));
            }
            let rd = |f: &str| self.read_u64(id, f).unwrap_or(u64::MAX);
            let check = |what: &str, got: u64, want: u64| {
                if got == want {
                    Ok(())
                } else {
                    Err(Mismatch {
                        op: None,
                        what: format!("{what} of memcg {id}: machine {got}, model {want}"),
                    })
                }
            };
            if mm.parent.is_none() {
                check("usage_in_bytes", rd("usage_in_bytes"), total * PAGE_SIZE)?;
                continue;
            }
            check("usage_in_bytes", rd("usage_in_bytes"), mm.usage * PAGE_SIZE)?;
            check("failcnt", rd("failcnt"), mm.failcnt)?;
            check(
                "max_usage_in_bytes",
                rd("max_usage_in_bytes"),
                mm.max_usage * PAGE_SIZE,
            )?;
            if mm.limit != u64::MAX {
                check("limit_in_bytes", rd("limit_in_bytes"), mm.limit * PAGE_SIZE)?;
            } else if rd("limit_in_bytes") < 1 << 62 {
                return fail(format!("memcg {id} is limited on the machine only"));
            }
        }
        let live = self.machine.memcgs().len();
        if live != model.memcgs.len() {
            return fail(format!(
                "memcg count: machine {live}, model {}",
                model.memcgs.len()
            ));
        }
        Ok(())
    }
}
