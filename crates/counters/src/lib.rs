//! res_counter, page_counter and the per-CPU charge stock: the three designs of the memcg charge
//! path's hot loop, faithful to the kernel and fast enough to benchmark against physical floors.
//!
//! **Kernel:** `kernel/res_counter.c` (2.6.25–3.18), `mm/page_counter.c` (3.19+), and the
//! `memcg_stock` functions of `mm/memcontrol.c` (2.6.33+, seven slots in 6.16) (`consume_stock`, `refill_stock`; `kernel/res_counter.c`,
//! `mm/page_counter.c`, v3.19; `mm/memcontrol.c` `__mem_cgroup_try_charge`, `mem_cgroup_do_charge`, `try_charge`, v2.6.34–v4.19). Why the kernel moved from one design to the next, with its published numbers
//! beside ours, is told in `docs/counters.md`.
//!
//! This crate knows nothing about cgroups, as res_counter was a generic helper in the kernel.
//! The memcg layer is generic over [`Counter`] (which backend) and [`ChargeStock`] (which stock),
//! so the kernel profile picks the design at compile time with no dynamic dispatch:
//!
//! ```
//! use std::sync::Arc;
//! use cgsim_counters::{Counter, PageCounter, MemcgStock, ChargeStock, try_charge_stocked};
//! use cgsim_ktypes::{CpuId, NoTrace, Pages};
//!
//! let root = Arc::new(PageCounter::new_root(Default::default(), 0));
//! let child = Arc::new(PageCounter::new_child(&root, 1));
//! let mut stock = MemcgStock::new(Pages(32));
//! try_charge_stocked(&mut stock, &child, Pages(1), &NoTrace, CpuId(0)).unwrap();
//! // The batch of 32 was charged; 31 pages wait in this CPU's stock.
//! assert_eq!(root.usage().0, 32 * 4096);
//! assert_eq!(stock.cached_pages(&child), Pages(31));
//! ```
//!
//! Modules: [`counter`] (the interface), `res_counter` and `res_lock` (design a),
//! `page_counter` (design b) and `page_counter_prot` (its 6.6 form with `min`/`low`/`high`), `stock` and `multi_stock` (design c), [`workload`] (the benchmark
//! loops and physical floors shared by the criterion benches and `cgsim bench contention`).

#![forbid(unsafe_code)]

pub mod counter;
mod multi_stock;
mod page_counter;
mod page_counter_prot;
mod res_counter;
mod res_lock;
mod stock;
mod sync;
#[cfg(not(cgsim_loom))]
pub mod workload;

pub use counter::{Counter, StockTarget, Underflow};
pub use multi_stock::{MemcgStockMulti, NR_MEMCG_STOCK};
pub use page_counter::{
    LevelHook, PAGE_COUNTER_MAX, PageCounter, PageCounterOf, PageCounterProfile,
};
pub use page_counter_prot::{Protected, ProtectedPageCounter, Protection, effective_protection};
pub use res_counter::{
    MutexResCounter, RES_COUNTER_MAX, RESOURCE_MAX, ResCounter, ResCounterProfile, ResMember,
    SpinResCounter,
};
pub use res_lock::{MutexLock, ResLock, ResState, SpinLock};
pub use stock::{
    CHARGE_BATCH_OLD, ChargeStock, MEMCG_CHARGE_BATCH, MemcgStock, PerCpuStocks,
    try_charge_stocked, uncharge_stocked,
};
