//! What a user's scratch crate does with one dependency (`cgsim-cgroupfs`, feature `proptest`)
//! and the prelude: mount `memory` beside a subsystem of its own, drive the typed facade, and
//! run a proptest-state-machine test of its own property against the res_counter and
//! page_counter machines. Only `cgsim_cgroupfs` paths are used, as in a crate that has no
//! other dependency.

use cgsim_cgroupfs::memcg::MemCounter;
use cgsim_cgroupfs::memcg::model::{Harness, Model};
use cgsim_cgroupfs::prelude::*;
use cgsim_cgroupfs::state_machine::{
    MachineTest, PageCounterBackend, Property, ResCounterBackend, run,
};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A subsystem counting the forks of tasks in each cgroup (`forks.count`).
struct Forks;

#[derive(Default)]
struct Count(AtomicU64);

impl CgroupSubsys<Ftrace> for Forks {
    fn name(&self) -> &'static str {
        "forks"
    }
    fn create(
        &self,
        _: &SubsysCtx<'_, Ftrace>,
        _: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        Ok(Arc::new(Count::default()))
    }
    fn destroy(&self, _: &SubsysCtx<'_, Ftrace>, _: &CssRef) {}
    fn fork(&self, _: &SubsysCtx<'_, Ftrace>, css: &CssRef, _: TaskRef) {
        if let Some(c) = css.private::<Count>() {
            c.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    fn populate(
        &self,
        _: &SubsysCtx<'_, Ftrace>,
        _: &CssRef,
        dir: &mut PopulateDir<Ftrace>,
    ) -> Result<(), Errno> {
        dir.add_file(Cftype::new("count").read_u64(|cx| {
            let css = cx.css.as_ref().ok_or(Errno::ENODEV)?;
            Ok(css
                .private::<Count>()
                .ok_or(Errno::ENODEV)?
                .0
                .load(Ordering::Relaxed))
        }))
    }
}

#[test]
fn memory_beside_my_subsystem_through_the_facade() -> Result<(), Box<dyn std::error::Error>> {
    let k = Kernel::boot(BootParams::default().with_subsystem(Forks));
    let top = Mount::cgroup("/sys/fs/cgroup/memory")
        .subsystem("memory")
        .subsystem("forks")
        .create_target()
        .mount(&k, INIT_PID)?;
    let a = top.mkdir("A")?;
    let files = a.files()?;
    assert!(files.contains(&"forks.count".to_string()), "{files:?}");
    assert!(
        files.contains(&"memory.limit_in_bytes".to_string()),
        "{files:?}"
    );

    a.memory().set_limit_in_bytes(Bytes(1 << 20))?;
    a.memory().set_memsw_limit_in_bytes(Bytes(1 << 20))?;
    let p = k.fork(INIT_PID)?;
    k.execve(p, "hog")?;
    a.add_task(p)?;
    let child = k.fork(p)?;
    assert_eq!(a.read_u64("forks.count")?, 1);
    assert_eq!(a.tasks()?, vec![p, child]);

    // 2 MiB into a 1 MiB memcg without swap: the OOM killer picks the hog and, as
    // `oom_kill_process` does, sacrifices its child first; the hog's next fault kills it too.
    let addr = k.mmap_anon(p, 2 << 20, MmapFlags::default())?;
    let err = k.touch(p, addr, 2 << 20).unwrap_err();
    assert_eq!(err.errno, Errno::EINTR);
    let io: std::io::Error = err.into();
    assert_eq!(io.raw_os_error(), Some(4));
    let mem = a.memory();
    assert!(mem.failcnt()? > 0);
    assert_eq!(mem.max_usage_in_bytes()?, Bytes(1 << 20));
    assert!(!mem.oom_control()?.under_oom);
    assert_eq!(a.tasks()?, vec![]);
    assert!(
        k.klog()
            .lines()
            .iter()
            .any(|l| l.text.contains("Memory cgroup out of memory"))
    );
    Ok(())
}

/// My property: `failcnt` never decreases while a memcg lives (no op here resets it).
struct FailcntMonotone;

thread_local! {
    static LAST: std::cell::RefCell<std::collections::BTreeMap<u32, u64>> = Default::default();
}

impl<C: MemCounter> Property<C> for FailcntMonotone {
    fn check(h: &Harness<C>, model: &Model) -> Result<(), String> {
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if model.memcgs.len() == 1 && model.tasks.is_empty() {
                last.clear(); // a new test case starts from the initial state
            }
            last.retain(|id, _| model.memcgs.contains_key(id));
            for &id in model.memcgs.keys() {
                let now = h.read_u64(id, "failcnt").map_err(|e| e.to_string())?;
                let before = last.insert(id, now).unwrap_or(0);
                if now < before {
                    return Err(format!("memcg {id}: failcnt {before} -> {now}"));
                }
            }
            Ok(())
        })
    }
}

#[test]
fn my_property_against_res_counter_and_page_counter() {
    run::<MachineTest<ResCounterBackend, FailcntMonotone>>(24, 40).unwrap();
    run::<MachineTest<PageCounterBackend, FailcntMonotone>>(24, 40).unwrap();
}

/// A property that does not hold is reported, shrunk, with the panic message.
struct NeverCharged;

impl<C: MemCounter> Property<C> for NeverCharged {
    fn check(h: &Harness<C>, _: &Model) -> Result<(), String> {
        match h.read_u64(0, "usage_in_bytes") {
            Ok(0) => Ok(()),
            other => Err(format!("root usage {other:?}")),
        }
    }
}

#[test]
fn a_false_property_fails() {
    let err = run::<MachineTest<PageCounterBackend, NeverCharged>>(64, 40).unwrap_err();
    assert!(err.contains("property failed: root usage"), "{err}");
}

/// The README's cgroup v2 lines: the 6.6 preset's default hierarchy through the generic
/// `Cgroup::read`/`write`.
#[test]
fn v2_through_the_facade() -> Result<(), Box<dyn std::error::Error>> {
    let k = Kernel::boot(BootParams::kernel("6.6")?);
    let root = Mount::new("none", "/sys/fs/cgroup", "cgroup2")
        .create_target()
        .mount(&k, INIT_PID)?;
    root.write("cgroup.subtree_control", "+memory")?;
    let a = root.mkdir("A")?;
    a.write("memory.max", "64M")?;
    let pid = k.fork(INIT_PID)?;
    a.write("cgroup.procs", &pid.to_string())?;
    // `add_task` writes `tasks`, a v1 file: creating it in a cgroup directory is EACCES, as
    // `lookup_open` answers for a directory without `->create` (kernfs).
    assert_eq!(a.add_task(pid).unwrap_err().errno, Errno::EACCES);
    let addr = k.mmap_anon(pid, 8 << 20, MmapFlags::default())?;
    k.touch(pid, addr, 8 << 20)?;
    assert_eq!(a.read_u64("memory.current")?, 8 << 20);
    assert!(
        a.read("memory.events")?
            .starts_with("low 0\nhigh 0\nmax 0\n")
    );
    Ok(())
}

/// A property of v2 protection as a user writes it with proptest alone: a child of the
/// reclaim target whose usage is at or below its `memory.min` loses nothing to
/// `memory.reclaim` on the parent (`mem_cgroup_below_min`, `mm/memcontrol.c` v6.6), and the
/// reclaim takes something when some child is above its `memory.min`.
mod v2_min {
    use cgsim_cgroupfs::prelude::*;
    use cgsim_cgroupfs::proptest::prelude::*;

    const MIB: u64 = 1 << 20;

    fn scenario(sizes: [u64; 3], mins: [u64; 3], reclaim: u64) -> Result<(), TestCaseError> {
        let k = Kernel::boot(BootParams::kernel("6.6").unwrap());
        let root = Mount::new("none", "/sys/fs/cgroup", "cgroup2")
            .create_target()
            .mount(&k, INIT_PID)
            .unwrap();
        root.write("cgroup.subtree_control", "+memory").unwrap();
        let p = root.mkdir("P").unwrap();
        p.write("cgroup.subtree_control", "+memory").unwrap();
        let mut kids = Vec::new();
        for i in 0..3 {
            let c = p.mkdir(&format!("C{i}")).unwrap();
            c.write("memory.min", &(mins[i] * MIB).to_string()).unwrap();
            let pid = k.fork(INIT_PID).unwrap();
            c.write("cgroup.procs", &pid.to_string()).unwrap();
            let addr = k
                .mmap_anon(pid, sizes[i] * MIB, MmapFlags::default())
                .unwrap();
            k.touch(pid, addr, sizes[i] * MIB).unwrap();
            kids.push(c);
        }
        let current = |c: &Cgroup<'_, Ftrace>| c.read_u64("memory.current").unwrap();
        let before: Vec<u64> = kids.iter().map(current).collect();
        if let Err(e) = p.write("memory.reclaim", &(reclaim * MIB).to_string()) {
            prop_assert_eq!(e.errno, Errno::EAGAIN);
        }
        let after: Vec<u64> = kids.iter().map(current).collect();
        if (0..3).any(|i| before[i] > mins[i] * MIB) {
            prop_assert!(after.iter().sum::<u64>() < before.iter().sum::<u64>());
        }
        for i in 0..3 {
            prop_assert!(after[i] <= before[i]);
            if before[i] <= mins[i] * MIB {
                prop_assert_eq!(after[i], before[i], "C{} is below its memory.min", i);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn min_protects_the_children_of_the_target(
            sizes in [1u64..16, 1u64..16, 1u64..16],
            mins in [0u64..20, 0u64..20, 0u64..20],
            reclaim in 1u64..48,
        ) {
            scenario(sizes, mins, reclaim)?;
        }
    }
}
