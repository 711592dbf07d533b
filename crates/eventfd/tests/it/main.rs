//! Integration tests of `cgsim-eventfd`: the rules of `fs/eventfd.c` (v2.6.34), a model-based property test, and real threads blocking and waking.

mod model;
mod rules;
mod threads;

use std::sync::Arc;

use cgsim_eventfd::{EventfdCtx, PollMask};
use parking_lot::Mutex;

/// Read through the non-blocking primitive; the value read on success.
fn read_u64(ctx: &EventfdCtx) -> Result<u64, cgsim_ktypes::Errno> {
    let mut buf = [0u8; 8];
    ctx.try_read(&mut buf)?;
    Ok(u64::from_ne_bytes(buf))
}

/// Write one native-endian `u64` through the non-blocking primitive.
fn write_u64(ctx: &EventfdCtx, value: u64) -> Result<usize, cgsim_ktypes::Errno> {
    ctx.try_write(&value.to_ne_bytes())
}

/// Hook a wake function that records every key it is called with.
fn record_wakes(ctx: &EventfdCtx) -> Arc<Mutex<Vec<PollMask>>> {
    let keys = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&keys);
    ctx.add_wait_queue(Box::new(move |key| sink.lock().push(key)));
    keys
}

/// Compile-time check: the context and the file cross threads (the VFS and memcg share them).
#[allow(dead_code)]
fn shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<EventfdCtx>();
    send_sync::<cgsim_eventfd::EventfdFile>();
    send_sync::<cgsim_eventfd::WakeFn>();
}
