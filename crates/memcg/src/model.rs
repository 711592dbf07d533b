//! A small reference model of memcg charging, for property tests.
//!
//! **Kernel:** the SEED charge path (spec §3.3–3.4, §7.4, §8.3, §8.7) reduced to what a
//! hierarchy of limited memcgs with unswappable anonymous memory does: hierarchical all-or-nothing
//! charges, failcnt at the failing level, the five reclaim retries (reclaim frees nothing without
//! swap), the OOM killer's choice, rmdir reparenting, `move_charge_at_immigrate` precharges, and
//! fork's copy-on-write sharing (a shared page is charged once, to the memcg that first touched
//! it; a write to it charges a copy to the writer; it is uncharged with its last mapping; it is
//! never moved at attach).
//!
//! The model is deliberately naive (explicit per-level counters, pages as plain vectors), so it
//! can serve as the executable specification the [`MemoryMachine`](crate::MemoryMachine) is
//! compared with. It assumes the set-up the property tests use: `use_hierarchy = 1` on the root
//! before any child exists, no swap, no per-CPU stock, `oom_kill_disable = 0`.
//!
//! ```
//! use cgsim_memcg::model::{Model, Op};
//! let mut m = Model::new();
//! let a = m.mkdir(0).unwrap();
//! m.apply(&Op::SetLimit { memcg: 1, pages: 4 });
//! let p = m.spawn(a);
//! m.apply(&Op::Charge { task: 0, pages: 6 });
//! // The only task in A hit its own limit: the OOM killer chose it.
//! assert!(!m.tasks.contains_key(&p));
//! assert_eq!(m.usage(a), 0);
//! ```

use cgsim_ktypes::Errno;
use std::collections::BTreeMap;

/// `MEM_CGROUP_RECLAIM_RETRIES` + 1: failed attempts before the OOM killer (or ENOMEM).
pub const FAILS_PER_ROUND: u64 = crate::charge::MEM_CGROUP_RECLAIM_RETRIES as u64 + 1;

/// One memcg of the model. Counters are in pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelMemcg {
    pub parent: Option<u32>,
    pub children: Vec<u32>,
    /// The res counter's usage (root: only its descendants' charges; its own are not counted).
    pub usage: u64,
    pub max_usage: u64,
    pub failcnt: u64,
    /// `u64::MAX` = unlimited.
    pub limit: u64,
    pub move_charge: bool,
}

/// One resident page as a mapping sees it: which page (fork shares ids between parent and
/// child) and the memcg it is charged to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ModelPage {
    pub id: u64,
    pub memcg: u32,
}

/// One task of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelTask {
    pub memcg: u32,
    pub parent: Option<i32>,
    /// Each mapping: its pages.
    pub maps: Vec<Vec<ModelPage>>,
}

impl ModelTask {
    /// Resident pages (the OOM killer's rss).
    pub fn rss(&self) -> u64 {
        self.maps.iter().map(|m| m.len() as u64).sum()
    }
}

/// An operation. Indices pick among the live memcgs / tasks in id order, modulo their number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Mkdir {
        parent: usize,
    },
    Rmdir {
        memcg: usize,
    },
    SetLimit {
        memcg: usize,
        pages: u64,
    },
    SetMoveCharge {
        memcg: usize,
        on: bool,
    },
    Spawn {
        memcg: usize,
    },
    Fork {
        task: usize,
    },
    Exit {
        task: usize,
    },
    Attach {
        task: usize,
        memcg: usize,
    },
    /// Map and touch `pages` new anonymous pages.
    Charge {
        task: usize,
        pages: u64,
    },
    /// Write to every page of the task's oldest mapping: pages shared with another task since
    /// a fork are copied (and the copies charged to the writer's memcg).
    Write {
        task: usize,
    },
    /// Unmap the task's oldest mapping.
    Uncharge {
        task: usize,
    },
}

/// What an operation did, as the machine must report it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub result: Option<Errno>,
    /// Tasks the OOM killer chose, in order.
    pub killed: Vec<i32>,
}

/// The reference model.
#[derive(Clone, Debug)]
pub struct Model {
    pub memcgs: BTreeMap<u32, ModelMemcg>,
    pub tasks: BTreeMap<i32, ModelTask>,
    next_memcg: u32,
    next_pid: i32,
    next_page: u64,
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

impl Model {
    /// A root memcg (id 0) and no tasks.
    pub fn new() -> Model {
        let root = ModelMemcg {
            parent: None,
            children: Vec::new(),
            usage: 0,
            max_usage: 0,
            failcnt: 0,
            limit: u64::MAX,
            move_charge: false,
        };
        Model {
            memcgs: BTreeMap::from([(0, root)]),
            tasks: BTreeMap::new(),
            next_memcg: 1,
            next_pid: 100,
            next_page: 0,
        }
    }

    /// The memcg picked by index `i` (modulo the live ones).
    pub fn pick_memcg(&self, i: usize) -> u32 {
        *self
            .memcgs
            .keys()
            .nth(i % self.memcgs.len())
            .expect("root exists")
    }

    /// The task picked by index `i`, if any task exists.
    pub fn pick_task(&self, i: usize) -> Option<i32> {
        if self.tasks.is_empty() {
            return None;
        }
        self.tasks.keys().nth(i % self.tasks.len()).copied()
    }

    /// The pid the next spawn or fork gets.
    pub fn next_pid(&self) -> i32 {
        self.next_pid
    }

    /// The id the next mkdir gets.
    pub fn next_memcg(&self) -> u32 {
        self.next_memcg
    }

    /// mkdir under `parent` (a memcg id).
    pub fn mkdir(&mut self, parent: u32) -> Option<u32> {
        let id = self.next_memcg;
        self.next_memcg += 1;
        let limit = u64::MAX;
        self.memcgs.get_mut(&parent)?.children.push(id);
        self.memcgs.insert(
            id,
            ModelMemcg {
                parent: Some(parent),
                children: Vec::new(),
                usage: 0,
                max_usage: 0,
                failcnt: 0,
                limit,
                move_charge: false,
            },
        );
        Some(id)
    }

    /// A new task with an empty mm in `memcg`.
    pub fn spawn(&mut self, memcg: u32) -> i32 {
        let pid = self.next_pid;
        self.next_pid += 1;
        self.tasks.insert(
            pid,
            ModelTask {
                memcg,
                parent: None,
                maps: Vec::new(),
            },
        );
        pid
    }

    /// Every resident page once (a page shared since a fork is listed by each mapper).
    pub fn resident(&self) -> BTreeMap<u64, u32> {
        self.tasks
            .values()
            .flat_map(|t| t.maps.iter().flatten())
            .map(|p| (p.id, p.memcg))
            .collect()
    }

    /// Pages charged in `memcg`'s subtree (what `usage_in_bytes` shows, in pages).
    pub fn usage(&self, memcg: u32) -> u64 {
        let sub = self.subtree(memcg);
        self.resident().values().filter(|m| sub.contains(m)).count() as u64
    }

    /// How many tasks map page `id`.
    fn mappers(&self, id: u64) -> usize {
        self.tasks
            .values()
            .filter(|t| t.maps.iter().flatten().any(|p| p.id == id))
            .count()
    }

    /// Drop pages a task no longer maps: each is uncharged unless another task still maps it.
    fn unmap(&mut self, pages: Vec<ModelPage>) {
        for pg in pages {
            if self.mappers(pg.id) == 0 {
                self.uncharge_one(pg.memcg);
            }
        }
    }

    /// Charge one new page to `memcg` for task `p`, running the OOM killer as the machine does;
    /// `Err(())` when `p` itself was killed.
    fn charge_new(&mut self, p: i32, out: &mut Outcome) -> Result<ModelPage, ()> {
        loop {
            let memcg = self.tasks[&p].memcg;
            match self.charge_one(memcg) {
                Ok(()) => {
                    let id = self.next_page;
                    self.next_page += 1;
                    return Ok(ModelPage { id, memcg });
                }
                Err(level) => {
                    self.memcgs.get_mut(&level).expect("live").failcnt += FAILS_PER_ROUND - 1;
                    let victim = self.oom(level);
                    out.killed.push(victim);
                    if victim == p {
                        out.result = Some(Errno::ENOMEM);
                        return Err(());
                    }
                }
            }
        }
    }

    /// `memcg` and its descendants.
    pub fn subtree(&self, memcg: u32) -> Vec<u32> {
        let mut out = vec![memcg];
        let mut i = 0;
        while i < out.len() {
            out.extend(self.memcgs[&out[i]].children.iter().copied());
            i += 1;
        }
        out
    }

    /// The counter levels a charge to `memcg` walks (none for the uncharged root).
    fn chain(&self, memcg: u32) -> Vec<u32> {
        let mut v = Vec::new();
        if self.memcgs[&memcg].parent.is_none() {
            return v;
        }
        let mut x = Some(memcg);
        while let Some(c) = x {
            v.push(c);
            x = self.memcgs[&c].parent;
        }
        v
    }

    /// `res_counter_charge` of one page: `Err(level)` on failure.
    ///
    /// Kernel quirk: the levels below the failing one were charged and undone, so their
    /// max_usage keeps the transient peak.
    fn charge_one(&mut self, memcg: u32) -> Result<(), u32> {
        let chain = self.chain(memcg);
        for (i, &c) in chain.iter().enumerate() {
            let m = self.memcgs.get_mut(&c).expect("live");
            if m.usage + 1 > m.limit {
                m.failcnt += 1;
                for &u in &chain[..i] {
                    self.memcgs.get_mut(&u).expect("live").usage -= 1;
                }
                return Err(c);
            }
            m.usage += 1;
            m.max_usage = m.max_usage.max(m.usage);
        }
        Ok(())
    }

    fn uncharge_one(&mut self, memcg: u32) {
        for c in self.chain(memcg) {
            self.memcgs.get_mut(&c).expect("live").usage -= 1;
        }
    }

    /// `oom_badness` with `oom_score_adj` 0: rss + page-table pages, at least 1.
    fn badness(&self, pid: i32) -> u64 {
        let rss = self.tasks[&pid].rss();
        (rss + rss.div_ceil(512)).max(1)
    }

    /// `mem_cgroup_out_of_memory(level)`: returns the killed pid.
    fn oom(&mut self, level: u32) -> i32 {
        let sub = self.subtree(level);
        let mut chosen: Option<(i32, u64)> = None;
        for (&p, t) in &self.tasks {
            if sub.contains(&t.memcg) {
                let s = self.badness(p);
                if chosen.is_none_or(|(_, b)| s > b) {
                    chosen = Some((p, s));
                }
            }
        }
        let (victim, _) = chosen.expect("the charging task is a candidate");
        let mut target = victim;
        let mut best: Option<(i32, u64)> = None;
        for (&p, t) in &self.tasks {
            if t.parent == Some(victim) {
                let s = self.badness(p);
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((p, s));
                }
            }
        }
        if let Some((c, _)) = best {
            target = c;
        }
        self.exit(target);
        target
    }

    fn exit(&mut self, pid: i32) {
        if let Some(t) = self.tasks.remove(&pid) {
            self.unmap(t.maps.into_iter().flatten().collect());
        }
    }

    /// Apply one operation.
    pub fn apply(&mut self, op: &Op) -> Outcome {
        let mut out = Outcome::default();
        match *op {
            Op::Mkdir { parent } => {
                let p = self.pick_memcg(parent);
                self.mkdir(p);
            }
            Op::Rmdir { memcg } => {
                let c = self.pick_memcg(memcg);
                let m = &self.memcgs[&c];
                let Some(parent) = m.parent else {
                    out.result = Some(Errno::EINVAL);
                    return out;
                };
                if !m.children.is_empty() || self.tasks.values().any(|t| t.memcg == c) {
                    out.result = Some(Errno::EBUSY);
                    return out;
                }
                // Reparent: only this level loses the pages (the parent already holds them),
                // unless the parent is the uncharged root.
                let root_parent = self.memcgs[&parent].parent.is_none();
                let moved = self.resident().values().filter(|&&m| m == c).count() as u64;
                for t in self.tasks.values_mut() {
                    for pg in t.maps.iter_mut().flatten() {
                        if pg.memcg == c {
                            pg.memcg = parent;
                        }
                    }
                }
                if root_parent {
                    self.memcgs.get_mut(&0).expect("root").usage -= moved;
                }
                self.memcgs.remove(&c);
                self.memcgs
                    .get_mut(&parent)
                    .expect("live")
                    .children
                    .retain(|&x| x != c);
            }
            Op::SetLimit { memcg, pages } => {
                let c = self.pick_memcg(memcg);
                let m = self.memcgs.get_mut(&c).expect("live");
                if m.parent.is_none() {
                    out.result = Some(Errno::EINVAL);
                } else if m.usage > pages {
                    // Nothing is reclaimable without swap.
                    out.result = Some(Errno::EBUSY);
                } else {
                    m.limit = pages;
                }
            }
            Op::SetMoveCharge { memcg, on } => {
                let c = self.pick_memcg(memcg);
                self.memcgs.get_mut(&c).expect("live").move_charge = on;
            }
            Op::Spawn { memcg } => {
                let c = self.pick_memcg(memcg);
                self.spawn(c);
            }
            Op::Fork { task } => {
                if let Some(p) = self.pick_task(task) {
                    let memcg = self.tasks[&p].memcg;
                    let maps = self.tasks[&p].maps.clone();
                    let c = self.spawn(memcg);
                    let child = self.tasks.get_mut(&c).expect("new");
                    child.parent = Some(p);
                    // copy_page_range: the child shares every page, charged nowhere new.
                    child.maps = maps;
                }
            }
            Op::Exit { task } => {
                if let Some(p) = self.pick_task(task) {
                    self.exit(p);
                }
            }
            Op::Attach { task, memcg } => {
                let (Some(p), to) = (self.pick_task(task), self.pick_memcg(memcg)) else {
                    return out;
                };
                let from = self.tasks[&p].memcg;
                if from == to {
                    return out;
                }
                if self.memcgs[&to].move_charge {
                    // Pages still shared with another task stay behind.
                    let movable: Vec<u64> = self.tasks[&p]
                        .maps
                        .iter()
                        .flatten()
                        .filter(|pg| pg.memcg == from && self.mappers(pg.id) == 1)
                        .map(|pg| pg.id)
                        .collect();
                    let need = movable.len();
                    for done in 0..need {
                        if let Err(level) = self.charge_one(to) {
                            let m = self.memcgs.get_mut(&level).expect("live");
                            m.failcnt += FAILS_PER_ROUND - 1;
                            for _ in 0..done {
                                self.uncharge_one(to);
                            }
                            out.result = Some(Errno::ENOMEM);
                            return out;
                        }
                    }
                    let mut pages = std::mem::take(&mut self.tasks.get_mut(&p).expect("live").maps);
                    for pg in pages.iter_mut().flatten() {
                        if movable.contains(&pg.id) {
                            self.uncharge_one(from);
                            pg.memcg = to;
                        }
                    }
                    self.tasks.get_mut(&p).expect("live").maps = pages;
                }
                self.tasks.get_mut(&p).expect("live").memcg = to;
            }
            Op::Charge { task, pages } => {
                let Some(p) = self.pick_task(task) else {
                    return out;
                };
                self.tasks.get_mut(&p).expect("live").maps.push(Vec::new());
                for _ in 0..pages {
                    let Ok(pg) = self.charge_new(p, &mut out) else {
                        break;
                    };
                    let t = self.tasks.get_mut(&p).expect("live");
                    t.maps.last_mut().expect("pushed").push(pg);
                }
            }
            Op::Write { task } => {
                let Some(p) = self.pick_task(task) else {
                    return out;
                };
                let n = self.tasks[&p].maps.first().map_or(0, Vec::len);
                for i in 0..n {
                    // The page may have become private while earlier copies OOM-killed its
                    // other mappers; then the write just reuses it.
                    let old = self.tasks[&p].maps[0][i];
                    if self.mappers(old.id) < 2 {
                        continue;
                    }
                    let Ok(new) = self.charge_new(p, &mut out) else {
                        break;
                    };
                    self.tasks.get_mut(&p).expect("live").maps[0][i] = new;
                    self.unmap(vec![old]);
                }
            }
            Op::Uncharge { task } => {
                if let Some(p) = self.pick_task(task) {
                    let t = self.tasks.get_mut(&p).expect("live");
                    if !t.maps.is_empty() {
                        let m = t.maps.remove(0);
                        self.unmap(m);
                    }
                }
            }
        }
        out
    }

    /// The model's own invariants: every level's counter equals the pages charged below it and
    /// stays within its limit.
    ///
    /// # Panics
    /// On a violation (a bug in the model).
    pub fn check(&self) {
        for (&id, m) in &self.memcgs {
            let expect = if m.parent.is_none() {
                m.children.iter().map(|&c| self.usage(c)).sum()
            } else {
                self.usage(id)
            };
            assert_eq!(m.usage, expect, "model counter of memcg {id}");
            assert!(m.usage <= m.limit, "model memcg {id} over its limit");
        }
    }
}

/// Runs operations on a [`Model`] and a SEED [`MemoryMachine`](crate::MemoryMachine) side by
/// side and checks, after every step, that they agree (usage, failcnt, max_usage and limit of
/// every memcg, the OOM kills and errors) and that both keep their invariants.
pub struct Harness {
    pub model: Model,
    pub machine: std::sync::Arc<crate::SeedMachine<cgsim_ktypes::NoTrace>>,
    ids: BTreeMap<u32, crate::MemcgId>,
    maps: BTreeMap<i32, Vec<(u64, u64)>>,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    /// A 4 MiB machine (1024 pages) without swap, `use_hierarchy = 1` on the root, init (pid 1)
    /// in the root. The model has no global memory, so the machine's RAM must never run out:
    /// the proptest sequences hold at most 60 × 11 pages. A smaller machine makes every
    /// step's invariant check (which walks the page array) cheaper; it was 64 MiB, and the
    /// default `cargo test` run of the model took 77 s instead of about 10 (issue 16).
    pub fn new() -> Harness {
        use cgsim_ktypes::klog::{Clock, Klog};
        use cgsim_ktypes::{Bytes, CpuId, NoTrace, Pid};
        use std::sync::Arc;
        let machine = crate::MemoryMachine::new(
            crate::MemcgProfile::default(),
            cgsim_counters::ResCounterProfile::V2_6_34,
            crate::MachineConfig {
                ram: Bytes(4 << 20),
                swap: Bytes(0),
                nr_cpus: 2,
            },
            Arc::new(NoTrace),
            Arc::new(Klog::default()),
            Arc::new(Clock::default()),
        );
        machine
            .add_task(Pid(1), "init", crate::MemcgId::ROOT)
            .expect("boot");
        machine.exec_mm(Pid(1), "init", CpuId(0)).expect("boot");
        machine
            .write_file(crate::MemcgId::ROOT, "use_hierarchy", b"1")
            .expect("no children yet");
        Harness {
            model: Model::new(),
            machine,
            ids: BTreeMap::from([(0, crate::MemcgId::ROOT)]),
            maps: BTreeMap::new(),
        }
    }

    /// The machine's memcg for a model memcg id.
    pub fn memcg(&self, id: u32) -> crate::MemcgId {
        self.ids[&id]
    }

    /// Apply `op` to both sides and compare.
    ///
    /// # Panics
    /// When the machine and the model disagree, or either breaks an invariant.
    pub fn step(&mut self, op: &Op) {
        use crate::FaultError;
        use cgsim_ktypes::{Bytes, CpuId, Pid};
        let cpu = CpuId(0);
        let m = std::sync::Arc::clone(&self.machine);
        let before = self.model.clone();
        let next_pid = self.model.next_pid();
        let next_memcg = self.model.next_memcg();
        let want = self.model.apply(op);
        let mut got = Outcome::default();
        match *op {
            Op::Mkdir { parent } => {
                let p = self.ids[&before.pick_memcg(parent)];
                let id = m.create_memcg(p).expect("mkdir");
                self.ids.insert(next_memcg, id);
            }
            Op::Rmdir { memcg } => {
                let c = before.pick_memcg(memcg);
                got.result = m.remove_memcg(self.ids[&c]).err();
                if got.result.is_none() {
                    self.ids.remove(&c);
                }
            }
            Op::SetLimit { memcg, pages } => {
                let c = self.ids[&before.pick_memcg(memcg)];
                let v = (pages * 4096).to_string();
                got.result = m.write_file(c, "limit_in_bytes", v.as_bytes()).err();
            }
            Op::SetMoveCharge { memcg, on } => {
                let c = self.ids[&before.pick_memcg(memcg)];
                let v: &[u8] = if on { b"1" } else { b"0" };
                m.write_file(c, "move_charge_at_immigrate", v)
                    .expect("valid");
            }
            Op::Spawn { memcg } => {
                let c = self.ids[&before.pick_memcg(memcg)];
                let p = Pid(next_pid);
                m.fork_mm(Pid(1), p).expect("fork");
                m.exec_mm(p, "task", cpu).expect("exec");
                m.attach_task(p, c).expect("no move charge for a new task");
            }
            Op::Fork { task } => {
                if let Some(p) = before.pick_task(task) {
                    m.fork_mm(Pid(p), Pid(next_pid)).expect("fork");
                    let maps = self.maps.get(&p).cloned().unwrap_or_default();
                    self.maps.insert(next_pid, maps);
                }
            }
            Op::Exit { task } => {
                if let Some(p) = before.pick_task(task) {
                    m.exit_task(Pid(p), cpu);
                    self.maps.remove(&p);
                }
            }
            Op::Attach { task, memcg } => {
                if let Some(p) = before.pick_task(task) {
                    let to = before.pick_memcg(memcg);
                    if before.tasks[&p].memcg != to {
                        got.result = m.attach_task(Pid(p), self.ids[&to]).err();
                    }
                }
            }
            Op::Charge { task, pages } => {
                if let Some(p) = before.pick_task(task) {
                    let len = pages * 4096;
                    let addr = m.mmap_anon(Pid(p), Bytes(len)).expect("mmap");
                    self.maps.entry(p).or_default().push((addr, len));
                    match m.touch(Pid(p), addr, Bytes(len), true, cpu) {
                        Ok(()) => {}
                        Err(FaultError::OomKilled) => {
                            got.result = Some(cgsim_ktypes::Errno::ENOMEM)
                        }
                        Err(e) => panic!("unexpected fault error {e:?}"),
                    }
                }
            }
            Op::Write { task } => {
                if let Some(p) = before.pick_task(task)
                    && let Some(&(addr, len)) = self.maps.get(&p).and_then(|v| v.first())
                {
                    match m.touch(Pid(p), addr, Bytes(len), true, cpu) {
                        Ok(()) => {}
                        Err(FaultError::OomKilled) => {
                            got.result = Some(cgsim_ktypes::Errno::ENOMEM)
                        }
                        Err(e) => panic!("unexpected fault error {e:?}"),
                    }
                }
            }
            Op::Uncharge { task } => {
                if let Some(p) = before.pick_task(task)
                    && let Some(v) = self.maps.get_mut(&p)
                    && !v.is_empty()
                {
                    let (addr, len) = v.remove(0);
                    m.munmap(Pid(p), addr, Bytes(len), cpu).expect("munmap");
                }
            }
        }
        // The host's part of an OOM kill: run the victims' exit path.
        let ev = m.take_events();
        for &p in &ev.killed {
            m.exit_task(p, cpu);
            self.maps.remove(&p.0);
        }
        got.killed = ev.killed.iter().map(|p| p.0).collect();
        assert_eq!(got, want, "outcome of {op:?}");
        self.compare();
    }

    /// Compare every memcg's files with the model and check both sides' invariants.
    ///
    /// # Panics
    /// On a disagreement.
    pub fn compare(&self) {
        self.model.check();
        self.machine.check_invariants();
        let total = self.model.resident().len() as u64;
        for (&id, mm) in &self.model.memcgs {
            let c = self.ids[&id];
            let rd = |f: &str| -> u64 {
                let s = self.machine.read_file(c, f).expect("readable");
                s.trim().parse().expect("a number")
            };
            if mm.parent.is_none() {
                assert_eq!(rd("usage_in_bytes"), total * 4096, "root usage");
                continue;
            }
            assert_eq!(rd("usage_in_bytes"), mm.usage * 4096, "usage of memcg {id}");
            assert_eq!(rd("failcnt"), mm.failcnt, "failcnt of memcg {id}");
            assert_eq!(
                rd("max_usage_in_bytes"),
                mm.max_usage * 4096,
                "max_usage of memcg {id}"
            );
            let limit = if mm.limit == u64::MAX {
                i64::MAX as u64
            } else {
                mm.limit * 4096
            };
            assert_eq!(rd("limit_in_bytes"), limit, "limit of memcg {id}");
        }
        let live: Vec<_> = self.machine.memcgs();
        assert_eq!(live.len(), self.model.memcgs.len(), "memcg count");
    }
}

/// proptest strategies for [`Op`] sequences (feature `proptest`).
#[cfg(feature = "proptest")]
pub mod strategy {
    use super::Op;
    use proptest::prelude::*;

    /// One operation with small indices and page counts.
    pub fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            2 => (0..8usize).prop_map(|parent| Op::Mkdir { parent }),
            1 => (0..8usize).prop_map(|memcg| Op::Rmdir { memcg }),
            2 => (0..8usize, 0..24u64).prop_map(|(memcg, pages)| Op::SetLimit { memcg, pages }),
            1 => (0..8usize, any::<bool>()).prop_map(|(memcg, on)| Op::SetMoveCharge { memcg, on }),
            2 => (0..8usize).prop_map(|memcg| Op::Spawn { memcg }),
            1 => (0..8usize).prop_map(|task| Op::Fork { task }),
            1 => (0..8usize).prop_map(|task| Op::Exit { task }),
            2 => (0..8usize, 0..8usize).prop_map(|(task, memcg)| Op::Attach { task, memcg }),
            4 => (0..8usize, 1..12u64).prop_map(|(task, pages)| Op::Charge { task, pages }),
            2 => (0..8usize).prop_map(|task| Op::Write { task }),
            2 => (0..8usize).prop_map(|task| Op::Uncharge { task }),
        ]
    }

    /// A sequence of up to `max` operations.
    pub fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
        proptest::collection::vec(op(), 0..max)
    }
}
