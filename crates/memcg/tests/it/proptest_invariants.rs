//! Random workloads with swap, page cache, shmem, mlock, memsw limits, `oom_kill_disable` and
//! fork's copy-on-write sharing (forks, then reads and writes of inherited mappings):
//! after every step the machine keeps its invariants, every hierarchical level stays within its
//! limits, failcnt and max_usage only grow (until reset), and an OOM wait ends with a wake-up.

use crate::*;
use cgsim_ktypes::Bytes;
use cgsim_memcg::{FaultError, FileId, MemcgId};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum W {
    Mkdir(usize),
    Rmdir(usize),
    Limit(usize, u64),
    MemswLimit(usize, u64),
    OomDisable(usize, bool),
    Spawn(usize),
    Attach(usize, usize),
    Exit(usize),
    Anon(usize, u64),
    Read(usize, u32, u64),
    Write(usize, u32, u64),
    Truncate(u32),
    Shm(usize, u64),
    Mlock(usize, u64),
    Unmap(usize),
    Fork(usize),
    Touch(usize, bool),
    SwapOff,
    SwapOn,
    Munlock(usize),
}

fn w() -> impl Strategy<Value = W> {
    prop_oneof![
        1 => (0..6usize).prop_map(W::Mkdir),
        1 => (0..6usize).prop_map(W::Rmdir),
        1 => (0..6usize, 0..64u64).prop_map(|(m, p)| W::Limit(m, p)),
        1 => (0..6usize, 0..96u64).prop_map(|(m, p)| W::MemswLimit(m, p)),
        1 => (0..6usize, any::<bool>()).prop_map(|(m, b)| W::OomDisable(m, b)),
        1 => (0..6usize).prop_map(W::Spawn),
        1 => (0..6usize, 0..6usize).prop_map(|(t, m)| W::Attach(t, m)),
        1 => (0..6usize).prop_map(W::Exit),
        3 => (0..6usize, 1..40u64).prop_map(|(t, p)| W::Anon(t, p)),
        2 => (0..6usize, 0..4u32, 1..40u64).prop_map(|(t, f, p)| W::Read(t, f, p)),
        1 => (0..6usize, 0..4u32, 1..20u64).prop_map(|(t, f, p)| W::Write(t, f, p)),
        1 => (0..4u32).prop_map(W::Truncate),
        1 => (0..6usize, 1..20u64).prop_map(|(t, p)| W::Shm(t, p)),
        1 => (0..6usize, 1..10u64).prop_map(|(t, p)| W::Mlock(t, p)),
        2 => (0..6usize).prop_map(W::Unmap),
        1 => (0..6usize).prop_map(W::Fork),
        2 => (0..6usize, any::<bool>()).prop_map(|(t, w)| W::Touch(t, w)),
        1 => Just(W::SwapOff),
        1 => Just(W::SwapOn),
        1 => (0..6usize).prop_map(W::Munlock),
    ]
}

struct Run {
    m: Arc<Machine>,
    memcgs: Vec<MemcgId>,
    tasks: BTreeMap<i32, Vec<(u64, u64)>>,
    waiting: BTreeMap<i32, MemcgId>,
    next_pid: i32,
    last: BTreeMap<MemcgId, (u64, u64)>,
}

impl Run {
    fn pick_task(&self, i: usize) -> Option<i32> {
        let live: Vec<i32> = self
            .tasks
            .keys()
            .copied()
            .filter(|p| !self.waiting.contains_key(p))
            .collect();
        (!live.is_empty()).then(|| live[i % live.len()])
    }

    fn pick_memcg(&self, i: usize) -> MemcgId {
        self.memcgs[i % self.memcgs.len()]
    }

    fn fault(&mut self, p: i32, r: Result<(), FaultError>) {
        if let Err(FaultError::OomWait { memcg }) = r {
            self.waiting.insert(p, memcg);
        }
    }

    fn step(&mut self, op: &W) {
        let m = Arc::clone(&self.m);
        match *op {
            W::Mkdir(i) => self
                .memcgs
                .push(m.create_memcg(self.pick_memcg(i)).unwrap()),
            W::Rmdir(i) => {
                let c = self.pick_memcg(i);
                if m.remove_memcg(c).is_ok() {
                    self.memcgs.retain(|&x| x != c);
                }
            }
            W::Limit(i, pages) => {
                let _ = m.write_file(
                    self.pick_memcg(i),
                    "limit_in_bytes",
                    (pages * 4096).to_string().as_bytes(),
                );
            }
            W::MemswLimit(i, pages) => {
                let _ = m.write_file(
                    self.pick_memcg(i),
                    "memsw.limit_in_bytes",
                    (pages * 4096).to_string().as_bytes(),
                );
            }
            W::OomDisable(i, b) => {
                let _ = m.write_file(
                    self.pick_memcg(i),
                    "oom_control",
                    if b { b"1" } else { b"0" },
                );
            }
            W::Spawn(i) => {
                let p = self.next_pid;
                self.next_pid += 1;
                spawn(&m, p, "w", self.pick_memcg(i));
                self.tasks.insert(p, Vec::new());
            }
            W::Attach(t, i) => {
                if let Some(p) = self.pick_task(t) {
                    let _ = m.attach_task(Pid(p), self.pick_memcg(i));
                }
            }
            W::Exit(t) => {
                if let Some(p) = self.pick_task(t) {
                    m.exit_task(Pid(p), CPU);
                    self.tasks.remove(&p);
                }
            }
            W::Anon(t, pages) | W::Mlock(t, pages) => {
                if let Some(p) = self.pick_task(t) {
                    let len = pages * 4096;
                    let a = m.mmap_anon(Pid(p), Bytes(len)).unwrap();
                    self.tasks.get_mut(&p).unwrap().push((a, len));
                    let r = if matches!(op, W::Mlock(..)) {
                        m.mlock(Pid(p), a, Bytes(len), CPU)
                    } else {
                        m.touch(Pid(p), a, Bytes(len), true, CPU)
                    };
                    self.fault(p, r);
                }
            }
            W::Read(t, f, pages) | W::Write(t, f, pages) => {
                if let Some(p) = self.pick_task(t) {
                    let r = if matches!(op, W::Read(..)) {
                        m.file_read(Pid(p), FileId(f), 0, Bytes(pages * 4096), CpuId(1))
                    } else {
                        m.file_write(Pid(p), FileId(f), 0, Bytes(pages * 4096), CpuId(1))
                    };
                    self.fault(p, r);
                }
            }
            W::Truncate(f) => m.file_truncate(FileId(f), CPU),
            W::Shm(t, pages) => {
                if let Some(p) = self.pick_task(t) {
                    let len = pages * 4096;
                    let a = m.mmap_shared_zero(Pid(p), Bytes(len)).unwrap();
                    self.tasks.get_mut(&p).unwrap().push((a, len));
                    let r = m.touch(Pid(p), a, Bytes(len), true, CPU);
                    self.fault(p, r);
                }
            }
            W::Fork(t) => {
                if let Some(p) = self.pick_task(t) {
                    let c = self.next_pid;
                    self.next_pid += 1;
                    m.fork_mm(Pid(p), Pid(c)).unwrap();
                    let maps = self.tasks[&p].clone();
                    self.tasks.insert(c, maps);
                }
            }
            W::Touch(t, write) => {
                if let Some(p) = self.pick_task(t)
                    && let Some(&(a, len)) = self.tasks[&p].first()
                {
                    let r = m.touch(Pid(p), a, Bytes(len), write, CPU);
                    self.fault(p, r);
                }
            }
            W::SwapOff => {
                let before = m.swap_area();
                match m.swapoff(None, CPU) {
                    Ok(()) => assert_eq!(m.swap_area(), None),
                    Err(cgsim_ktypes::Errno::EINVAL) => assert_eq!(before, None),
                    Err(e) => {
                        assert_eq!(e, cgsim_ktypes::Errno::ENOMEM);
                        assert!(
                            m.swap_area().is_some(),
                            "a failed swapoff puts the area back"
                        );
                    }
                }
            }
            W::SwapOn => {
                let _ = m.swapon();
            }
            W::Munlock(t) => {
                if let Some(p) = self.pick_task(t)
                    && let Some(&(a, len)) = self.tasks[&p].first()
                {
                    m.munlock(Pid(p), a, Bytes(len), CPU).unwrap();
                }
            }
            W::Unmap(t) => {
                if let Some(p) = self.pick_task(t)
                    && let Some(v) = self.tasks.get_mut(&p)
                    && !v.is_empty()
                {
                    let (a, len) = v.remove(0);
                    m.munmap(Pid(p), a, Bytes(len), CPU).unwrap();
                }
            }
        }
        let ev = m.take_events();
        for p in ev.woken {
            self.waiting.remove(&p.0);
        }
        for p in ev.killed {
            m.exit_task(p, CPU);
            self.tasks.remove(&p.0);
            self.waiting.remove(&p.0);
        }
        self.check(op);
    }

    fn check(&mut self, op: &W) {
        let m = &self.m;
        m.check_invariants();
        for &c in &self.memcgs {
            let usage = read_u64(m, c, "usage_in_bytes");
            let memsw = read_u64(m, c, "memsw.usage_in_bytes");
            if c != MemcgId::ROOT {
                assert!(
                    usage <= read_u64(m, c, "limit_in_bytes"),
                    "{op:?}: usage over limit"
                );
                assert!(
                    memsw <= read_u64(m, c, "memsw.limit_in_bytes"),
                    "{op:?}: memsw over limit"
                );
                assert!(usage <= memsw, "{op:?}: memory above memory+swap");
                assert!(read_u64(m, c, "max_usage_in_bytes") >= usage);
            }
            let failcnt = read_u64(m, c, "failcnt");
            let memsw_failcnt = read_u64(m, c, "memsw.failcnt");
            if let Some(&(f, g)) = self.last.get(&c) {
                assert!(
                    failcnt >= f && memsw_failcnt >= g,
                    "{op:?}: failcnt went down"
                );
            }
            self.last.insert(c, (failcnt, memsw_failcnt));
        }
        for (&p, &memcg) in &self.waiting {
            assert_eq!(m.oom_waiting(Pid(p)), Some(memcg));
            assert_eq!(
                read(m, memcg, "oom_control").lines().nth(1),
                Some("under_oom 1"),
                "a waiter's memcg is under OOM"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_workloads_keep_the_invariants(ops in proptest::collection::vec(w(), 0..50)) {
        let m = boot(16, 8);
        m.write_file(MemcgId::ROOT, "use_hierarchy", b"1").unwrap();
        let mut run = Run {
            m,
            memcgs: vec![MemcgId::ROOT],
            tasks: BTreeMap::new(),
            waiting: BTreeMap::new(),
            next_pid: 10,
            last: BTreeMap::new(),
        };
        for op in &ops {
            run.step(op);
        }
    }
}
