//! Scenarios after LTP's memcg tests (`testcases/kernel/controllers/memcg/functional/
//! memcg_{usage_in_bytes,max_usage_in_bytes,failcnt,stat,force_empty,move_charge...}_test.sh`)
//! and Documentation/cgroups/memory.txt, written from spec §5–§8 and §15.3.

use crate::*;
use cgsim_ktypes::{Bytes, Errno};
use cgsim_memcg::{FaultError, FileId};

#[test]
fn usage_after_allocating_anon_memory() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(4 * MIB)).unwrap();
    m.touch(p, addr, Bytes(4 * MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 4 * MIB);
    assert_eq!(stat(&m, a, "rss"), 4 * MIB);
    assert_eq!(stat(&m, a, "cache"), 0);
    assert_eq!(stat(&m, a, "active_anon"), 4 * MIB);
    assert_eq!(stat(&m, a, "pgpgin"), 1024);
    m.munmap(p, addr, Bytes(4 * MIB), CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    assert_eq!(stat(&m, a, "pgpgout"), 1024);
    m.check_invariants();
}
