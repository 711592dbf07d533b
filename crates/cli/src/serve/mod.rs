//! `cgsim serve`: the live explorer, one page on 127.0.0.1 with a terminal running the cgsim
//! shell, the views after every command, the last command's trace, the memcg gauges and a
//! timeline of the session.
//!
//! * [`session`]: a [`Shell`](crate::Shell) with its timeline (snapshots after every command,
//!   "continue from here" by deterministic replay);
//! * [`timeline`]: what a step keeps (gauges, trace tree);
//! * [`api`]: the HTTP routes (JSON in and out) and the page's files, compiled into the binary;
//! * this file: the session table, its bounds and the listener.
//!
//! Every browser tab gets its own session (its own simulated kernel) behind a random id.
//! Everything is bounded: request bodies, input lines, the number of sessions, idle time, and
//! each command's wall-clock time (the command runs on a blocking worker; past the bound the
//! shell's interrupt flag stops it at its next simple command and the session goes back to the
//! state before it by replay, while every other session keeps being served).

pub mod api;
pub mod session;
pub mod timeline;

pub use session::{ParamsFn, Ran, Session};

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bounds of a server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Sessions alive at once; creating one more answers 429.
    pub max_sessions: usize,
    /// A session unused for this long is dropped.
    pub idle: Duration,
    /// The largest request body (413 beyond).
    pub max_body: usize,
    /// The longest input line (413 beyond).
    pub max_line: usize,
    /// Wall-clock time one command (or one replay) may take.
    pub command_time: Duration,
    /// Commands one session may run (its timeline's length).
    pub max_steps: usize,
    /// Command workers running at once, counting those still finishing a command that ran
    /// past its time bound (their sessions have moved on); more answer 429.
    pub max_workers: usize,
    /// Answer only requests whose `Host` is a loopback name (`127.0.0.1`, `localhost`,
    /// `[::1]`): a web page elsewhere that points a host name of its own at 127.0.0.1 (DNS
    /// rebinding) gets 403. Off when `--listen` names another address.
    pub loopback_hosts_only: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_sessions: 64,
            idle: Duration::from_secs(30 * 60),
            max_body: 64 * 1024,
            max_line: 4096,
            command_time: Duration::from_secs(5),
            max_steps: 5000,
            max_workers: 64,
            loopback_hosts_only: true,
        }
    }
}

/// Milliseconds on some monotonic clock; tests inject their own.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The host's monotonic clock, in milliseconds since the server started.
pub fn host_clock() -> Clock {
    let start = std::time::Instant::now();
    Arc::new(move || start.elapsed().as_millis() as u64)
}

/// One session in the table.
pub struct Entry {
    pub session: Mutex<Session>,
    /// Set while a request works on the session (a second command answers 409).
    pub busy: AtomicBool,
    /// When the session was last used, on the server's clock.
    pub last_used: AtomicU64,
    /// The session's interrupt flag (outside the lock: set while a command holds it).
    pub interrupt: Arc<AtomicBool>,
    /// The commands run so far (outside the lock, for the replay after a timeout).
    pub commands: Mutex<Vec<String>>,
}

impl Entry {
    fn new(session: Session, now: u64) -> Entry {
        Entry {
            interrupt: session.interrupt_flag(),
            commands: Mutex::new(session.commands()),
            session: Mutex::new(session),
            busy: AtomicBool::new(false),
            last_used: AtomicU64::new(now),
        }
    }
}

/// The server's state: the session table and its bounds.
pub struct App {
    sessions: Mutex<HashMap<String, Arc<Entry>>>,
    pub params: ParamsFn,
    pub limits: Limits,
    clock: Clock,
    seq: AtomicU64,
    ids: std::hash::RandomState,
    /// Command workers running now.
    pub workers: Arc<std::sync::atomic::AtomicUsize>,
}

impl App {
    pub fn new(params: ParamsFn, limits: Limits, clock: Clock) -> App {
        App {
            sessions: Mutex::new(HashMap::new()),
            params,
            limits,
            clock,
            seq: AtomicU64::new(0),
            ids: std::hash::RandomState::new(),
            workers: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        }
    }

    pub fn now(&self) -> u64 {
        (self.clock)()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Entry>>> {
        // The table's lock is never held across user code, so a poisoned lock only means a
        // panic elsewhere; the map itself is still whole.
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh unguessable session id (the process's random SipHash keys over a counter).
    fn new_id(&self) -> String {
        let mut h = self.ids.build_hasher();
        h.write_u64(self.seq.fetch_add(1, Ordering::Relaxed));
        h.write_u64(self.now());
        let a = h.finish();
        h.write_u8(1);
        format!("{a:016x}{:016x}", h.finish())
    }

    /// Drop sessions idle past the limit (not ones a request is working on).
    pub fn expire(&self) -> usize {
        let now = self.now();
        let idle = self.limits.idle.as_millis() as u64;
        let mut t = self.table();
        let before = t.len();
        t.retain(|_, e| {
            e.busy.load(Ordering::Acquire)
                || now.saturating_sub(e.last_used.load(Ordering::Relaxed)) < idle
        });
        before - t.len()
    }

    /// How many sessions are alive.
    pub fn len(&self) -> usize {
        self.table().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add a session; `None` when the table is full.
    pub fn insert(&self, session: Session) -> Option<String> {
        let id = self.new_id();
        let mut t = self.table();
        if t.len() >= self.limits.max_sessions {
            return None;
        }
        t.insert(id.clone(), Arc::new(Entry::new(session, self.now())));
        Some(id)
    }

    /// Look a session up and mark it used.
    pub fn get(&self, id: &str) -> Option<Arc<Entry>> {
        let e = self.table().get(id).cloned()?;
        e.last_used.store(self.now(), Ordering::Relaxed);
        Some(e)
    }

    /// Put a rebuilt session in place of the one under `id` (if it still exists).
    pub fn replace(&self, id: &str, session: Session) {
        let mut t = self.table();
        if t.contains_key(id) {
            t.insert(id.to_string(), Arc::new(Entry::new(session, self.now())));
        }
    }

    pub fn remove(&self, id: &str) -> bool {
        self.table().remove(id).is_some()
    }
}

/// Where to listen.
#[derive(Clone, Debug)]
pub struct ServeOpts {
    /// 127.0.0.1 unless `--listen` names another address.
    pub listen: IpAddr,
    /// 0: any free port.
    pub port: u16,
    pub limits: Limits,
}

impl Default for ServeOpts {
    fn default() -> ServeOpts {
        ServeOpts {
            listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            limits: Limits::default(),
        }
    }
}

/// Serve `app` on `addr` from a runtime on a thread of its own (tests and benchmarks); returns
/// the bound address. The server lives until the process ends.
pub fn start(addr: SocketAddr, app: Arc<App>) -> std::io::Result<SocketAddr> {
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let bound = std_listener.local_addr()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("cgsim-serve".into())
        .spawn(move || {
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener)?;
                axum::serve(listener, api::router(app)).await
            })
        })?;
    Ok(bound)
}

/// Bind, print the page's address, and serve until the process is stopped.
pub fn run(opts: ServeOpts, params: ParamsFn) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(opts.listen, opts.port)).await?;
        let addr = listener.local_addr()?;
        println!("cgsim explorer: http://{addr}/");
        if !addr.ip().is_loopback() {
            println!(
                "cgsim explorer: listening on {} (not only this machine): anyone who can reach it can use it",
                addr.ip()
            );
        }
        let mut limits = opts.limits;
        limits.loopback_hosts_only = addr.ip().is_loopback();
        let app = Arc::new(App::new(params, limits, host_clock()));
        let sweeper = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            loop {
                tick.tick().await;
                sweeper.expire();
            }
        });
        axum::serve(listener, api::router(app)).await
    })
}
