//! The debug-build lock-order checker (`cgsim_ktypes::lockdep`) at the real lock sites: a call
//! back into the `Kernel` from under the memcg world lock (which the locking rules forbid: the
//! memcg never calls upward) is an inversion, reported with both classes.

use super::*;

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "lock order inversion: taking Kernel::state while holding memcg world")]
fn a_kernel_call_under_the_memcg_world_lock_is_caught() {
    let k = boot();
    // `with_event_view` runs its closure with the world's write side held.
    k.memory().with_event_view(|_| {
        let _ = k.mkdir(INIT, "/x", 0o755);
    });
}

#[test]
#[cfg(debug_assertions)]
fn the_documented_order_passes_and_leaves_nothing_held() {
    let k = boot();
    // mkdir -> Kernel::state -> cgroup_mutex -> memcg world (the memory css is created).
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.mkdir(INIT, "/cg/a", 0o755).unwrap();
    assert!(cgsim_ktypes::lockdep::held().is_empty());
}
