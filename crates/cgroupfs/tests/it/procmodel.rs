//! Random sequences of fork/exit/waitpid/kill/setuid/attach checked against a small reference
//! model of the process table and cgroup membership (`kernel/fork.c`, `kernel/exit.c`,
//! `kernel/signal.c` rules as described in `process.rs`; attach per `kernel/cgroup.c` `attach_task_by_pid`, `cgroup_attach_task`, v2.6.34).

use super::*;
use cgsim_cgroupfs::{ProcState, Signal, WaitStatus};
use cgsim_ktypes::Cred;
use proptest::prelude::*;
use std::collections::BTreeMap;

const CG: &str = "/sys/fs/cgroup/cpu";
const GROUPS: [&str; 3] = ["", "/A", "/A/B"];

#[derive(Clone, Debug)]
enum Op {
    Fork(usize),
    Exit(usize, i32),
    Wait(usize),
    Kill(usize, usize, i32),
    SetUser(usize, u32),
    Attach(usize, usize),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let i = 0usize..8;
    prop_oneof![
        3 => i.clone().prop_map(Op::Fork),
        1 => (i.clone(), 0i32..300).prop_map(|(a, c)| Op::Exit(a, c)),
        1 => i.clone().prop_map(Op::Wait),
        1 => (i.clone(), i.clone(), prop::sample::select(vec![0, 9, 15, 17, 19])).prop_map(|(a, b, s)| Op::Kill(a, b, s)),
        1 => (i.clone(), prop::sample::select(vec![0u32, 1000, 2000])).prop_map(|(a, u)| Op::SetUser(a, u)),
        2 => (i.clone(), 0usize..3).prop_map(|(a, g)| Op::Attach(a, g)),
    ]
}

#[derive(Clone, Debug)]
struct MTask {
    ppid: Pid,
    zombie: Option<WaitStatus>,
    orphaned: bool,
    uid: u32,
    group: usize,
}

struct Model {
    tasks: BTreeMap<Pid, MTask>,
    next: i32,
}

impl Model {
    fn pick(&self, i: usize) -> Pid {
        let v: Vec<Pid> = self.tasks.keys().copied().collect();
        v[i % v.len()]
    }

    fn live(&self, p: Pid) -> bool {
        self.tasks.get(&p).is_some_and(|t| t.zombie.is_none())
    }

    fn exit(&mut self, p: Pid, status: WaitStatus) {
        if p == INIT || !self.live(p) {
            return;
        }
        self.tasks.get_mut(&p).unwrap().zombie = Some(status);
        let children: Vec<Pid> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.ppid == p)
            .map(|(&c, _)| c)
            .collect();
        for c in children {
            let t = self.tasks.get_mut(&c).unwrap();
            t.ppid = INIT;
            t.orphaned = true;
            if t.zombie.is_some() {
                self.tasks.remove(&c);
            }
        }
        let t = &self.tasks[&p];
        if t.orphaned && t.ppid == INIT {
            self.tasks.remove(&p);
        }
    }

    /// Apply `op`; return the errno the kernel must report (None = success).
    fn apply(&mut self, op: &Op) -> Result<Option<(Pid, WaitStatus)>, Errno> {
        match *op {
            Op::Fork(i) => {
                let p = self.pick(i);
                if !self.live(p) {
                    return Err(Errno::ESRCH);
                }
                let mut t = self.tasks[&p].clone();
                t.ppid = p;
                t.orphaned = false;
                self.tasks.insert(Pid(self.next), t);
                self.next += 1;
                Ok(None)
            }
            Op::Exit(i, code) => {
                let p = self.pick(i);
                self.exit(p, WaitStatus::Exited(code & 0xff));
                Ok(None)
            }
            Op::Wait(i) => {
                let p = self.pick(i);
                if !self.live(p) {
                    return Err(Errno::ESRCH);
                }
                let kids: Vec<Pid> = self
                    .tasks
                    .iter()
                    .filter(|(c, t)| t.ppid == p && **c != p)
                    .map(|(&c, _)| c)
                    .collect();
                if kids.is_empty() {
                    return Err(Errno::ECHILD);
                }
                match kids.into_iter().find(|c| self.tasks[c].zombie.is_some()) {
                    Some(z) => Ok(Some((z, self.tasks.remove(&z).unwrap().zombie.unwrap()))),
                    None => Ok(None),
                }
            }
            Op::Kill(i, j, sig) => {
                let (s, t) = (self.pick(i), self.pick(j));
                let (su, tu) = (self.tasks[&s].uid, self.tasks[&t].uid);
                if su != 0 && su != tu {
                    return Err(Errno::EPERM);
                }
                if matches!(sig, 9 | 15) && t != INIT {
                    self.exit(t, WaitStatus::Signaled(Signal(sig)));
                }
                Ok(None)
            }
            Op::SetUser(i, uid) => {
                let p = self.pick(i);
                if p == INIT {
                    // init stays root: it is the writer of every attach below.
                    return Ok(None);
                }
                if !self.live(p) {
                    return Err(Errno::ESRCH);
                }
                let t = self.tasks.get_mut(&p).unwrap();
                if t.uid != 0 && uid != t.uid {
                    return Err(Errno::EPERM);
                }
                t.uid = uid;
                Ok(None)
            }
            Op::Attach(i, g) => {
                // `echo <pid> > <group>/tasks` written by init (root).
                let p = self.pick(i);
                if !self.live(p) {
                    return Err(Errno::ESRCH);
                }
                self.tasks.get_mut(&p).unwrap().group = g;
                Ok(None)
            }
        }
    }
}

fn apply_kernel(k: &Kernel, m: &Model, op: &Op) -> Result<Option<(Pid, WaitStatus)>, Errno> {
    let e = |r: SysResult<()>| r.map(|()| None).map_err(|e| e.errno);
    match *op {
        Op::Fork(i) => e(k.fork(m.pick(i)).map(|_| ())),
        Op::Exit(i, code) => {
            k.exit(m.pick(i), code);
            Ok(None)
        }
        Op::Wait(i) => k.waitpid(m.pick(i), None).map_err(|e| e.errno),
        Op::Kill(i, j, sig) => e(k.kill(m.pick(i), m.pick(j), Signal(sig))),
        Op::SetUser(i, _) if m.pick(i) == INIT => Ok(None),
        Op::SetUser(i, uid) => e(k.set_cred(m.pick(i), Cred::user(uid))),
        Op::Attach(i, g) => e(echo(
            k,
            INIT,
            &format!("{CG}{}/tasks", GROUPS[g]),
            &m.pick(i).to_string(),
        )),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn processes_match_model(ops in prop::collection::vec(op_strategy(), 1..40)) {
        let k = boot();
        k.mkdir(INIT, CG, 0o755).unwrap();
        k.mount(INIT, "cgroup", CG, "cgroup", false, Some("cpu")).unwrap();
        k.mkdir(INIT, &format!("{CG}/A"), 0o755).unwrap();
        k.mkdir(INIT, &format!("{CG}/A/B"), 0o755).unwrap();
        let mut m = Model { tasks: BTreeMap::new(), next: 2 };
        m.tasks.insert(INIT, MTask { ppid: Pid(0), zombie: None, orphaned: false, uid: 0, group: 0 });
        for op in &ops {
            let got = apply_kernel(&k, &m, op);
            let want = m.apply(op);
            prop_assert_eq!(got, want, "{:?}", op);
            k.check_invariants();
            let ps: Vec<(Pid, bool)> = k.ps().into_iter().map(|p| (p.pid, p.state == ProcState::Zombie)).collect();
            let model_ps: Vec<(Pid, bool)> = m.tasks.iter().map(|(&p, t)| (p, t.zombie.is_some())).collect();
            prop_assert_eq!(ps, model_ps);
        }
        for (g, name) in GROUPS.iter().enumerate() {
            let want: String = m.tasks.iter()
                .filter(|(_, t)| t.zombie.is_none() && t.group == g)
                .map(|(p, _)| format!("{p}\n"))
                .collect();
            prop_assert_eq!(cat(&k, INIT, &format!("{CG}{name}/tasks")).unwrap(), want);
        }
    }
}
