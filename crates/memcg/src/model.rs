//! A small reference model of memcg charging, for property tests.
//!
//! **Kernel:** the SEED charge path (`kernel/res_counter.c` `res_counter_charge_locked`, `res_counter_charge`, v2.6.34; `mm/memcontrol.c` `__mem_cgroup_try_charge`, `mem_cgroup_handle_oom`, `mem_cgroup_oom_lock`, v2.6.34–v2.6.35; `mm/oom_kill.c` `oom_badness`, `select_bad_process`, v2.6.36) reduced to what a
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
//! m.apply(&Op::SetLimit { memcg: a, pages: 4 });
//! let p = m.spawn(a);
//! m.apply(&Op::Charge { task: p, pages: 6 });
//! // The only task in A hit its own limit: the OOM killer chose it.
//! assert!(!m.tasks.contains_key(&p));
//! assert_eq!(m.usage(a), 0);
//! ```

use cgsim_ktypes::Errno;
use std::collections::BTreeMap;

mod harness;
#[cfg(feature = "proptest")]
pub mod state_machine;

pub use harness::{Harness, Mismatch};
#[cfg(feature = "proptest")]
pub use state_machine as strategy;

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

/// An operation. Memcgs are named by their model id (the root is 0, each mkdir takes the next
/// id, ids are never reused) and tasks by pid (each spawn or fork takes the next, from 100), so
/// an operation means the same thing whatever happened before it. An operation that names a
/// memcg or task that does not exist (any more) does nothing and reports nothing; the
/// [`state_machine`] strategies only generate live names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Mkdir {
        parent: u32,
    },
    Rmdir {
        memcg: u32,
    },
    SetLimit {
        memcg: u32,
        pages: u64,
    },
    SetMoveCharge {
        memcg: u32,
        on: bool,
    },
    Spawn {
        memcg: u32,
    },
    Fork {
        task: i32,
    },
    Exit {
        task: i32,
    },
    Attach {
        task: i32,
        memcg: u32,
    },
    /// Map and touch `pages` new anonymous pages.
    Charge {
        task: i32,
        pages: u64,
    },
    /// Write to every page of the task's oldest mapping: pages shared with another task since
    /// a fork are copied (and the copies charged to the writer's memcg).
    Write {
        task: i32,
    },
    /// Unmap the task's oldest mapping.
    Uncharge {
        task: i32,
    },
}

impl Op {
    /// Whether every memcg and task the operation names exists in `model` (the precondition
    /// of the state machine: a shrunk sequence may have lost the op that created them).
    pub fn names_live(&self, model: &Model) -> bool {
        self.names_only(
            |c| model.memcgs.contains_key(c),
            |t| model.tasks.contains_key(t),
        )
    }

    /// Whether every memcg the operation names passes `cg` and every task passes `task`.
    pub fn names_only(&self, cg: impl Fn(&u32) -> bool, task: impl Fn(&i32) -> bool) -> bool {
        match self {
            Op::Mkdir { parent: c }
            | Op::Rmdir { memcg: c }
            | Op::SetLimit { memcg: c, .. }
            | Op::SetMoveCharge { memcg: c, .. }
            | Op::Spawn { memcg: c } => cg(c),
            Op::Fork { task: t }
            | Op::Exit { task: t }
            | Op::Charge { task: t, .. }
            | Op::Write { task: t }
            | Op::Uncharge { task: t } => task(t),
            Op::Attach { task: t, memcg: c } => task(t) && cg(c),
        }
    }
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
    /// What the last [`apply`](Self::apply) did (the system under test must report the same).
    pub last: Outcome,
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
            last: Outcome::default(),
        }
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

    /// Apply one operation; the outcome is also kept in [`last`](Self::last).
    pub fn apply(&mut self, op: &Op) -> Outcome {
        let out = if op.names_live(self) {
            self.apply_live(op)
        } else {
            Outcome::default()
        };
        self.last = out.clone();
        out
    }

    fn apply_live(&mut self, op: &Op) -> Outcome {
        let mut out = Outcome::default();
        match *op {
            Op::Mkdir { parent } => {
                self.mkdir(parent);
            }
            Op::Rmdir { memcg: c } => {
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
            Op::SetLimit { memcg: c, pages } => {
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
            Op::SetMoveCharge { memcg: c, on } => {
                self.memcgs.get_mut(&c).expect("live").move_charge = on;
            }
            Op::Spawn { memcg } => {
                self.spawn(memcg);
            }
            Op::Fork { task: p } => {
                let memcg = self.tasks[&p].memcg;
                let maps = self.tasks[&p].maps.clone();
                let c = self.spawn(memcg);
                let child = self.tasks.get_mut(&c).expect("new");
                child.parent = Some(p);
                // copy_page_range: the child shares every page, charged nowhere new.
                child.maps = maps;
            }
            Op::Exit { task } => {
                self.exit(task);
            }
            Op::Attach { task: p, memcg: to } => {
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
            Op::Charge { task: p, pages } => {
                self.tasks.get_mut(&p).expect("live").maps.push(Vec::new());
                for _ in 0..pages {
                    let Ok(pg) = self.charge_new(p, &mut out) else {
                        break;
                    };
                    let t = self.tasks.get_mut(&p).expect("live");
                    t.maps.last_mut().expect("pushed").push(pg);
                }
            }
            Op::Write { task: p } => {
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
            Op::Uncharge { task: p } => {
                let t = self.tasks.get_mut(&p).expect("live");
                if !t.maps.is_empty() {
                    let m = t.maps.remove(0);
                    self.unmap(m);
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
