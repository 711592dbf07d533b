//! `cgsim serve`'s robustness, over real HTTP on 127.0.0.1: malformed and oversized requests,
//! unknown sessions, 50 concurrent sessions, a runaway command next to a working session,
//! idle expiry on an injected clock, the session bound, and the default listen address.

use cgsim::serve::{self, App, Limits, ParamsFn};
use cgsim_cgroupfs::BootParams;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn params() -> ParamsFn {
    Arc::new(BootParams::default)
}

fn server(limits: Limits) -> (SocketAddr, Arc<App>) {
    let app = Arc::new(App::new(params(), limits, serve::host_clock()));
    let addr = serve::start("127.0.0.1:0".parse().unwrap(), app.clone()).expect("bind");
    (addr, app)
}

/// One raw HTTP/1.1 exchange; returns the status and the body.
fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn req(
    addr: SocketAddr,
    method: &str,
    path: &str,
    ctype: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(c) = ctype {
        r.push_str(&format!("Content-Type: {c}\r\n"));
    }
    r.push_str("\r\n");
    let mut bytes = r.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

fn json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    v: serde_json::Value,
) -> (u16, serde_json::Value) {
    let (st, body) = req(
        addr,
        method,
        path,
        Some("application/json"),
        v.to_string().as_bytes(),
    );
    let v = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
    (st, v)
}

fn new_session(addr: SocketAddr) -> String {
    let (st, v) = json(addr, "POST", "/api/session", serde_json::json!(null));
    assert_eq!(st, 200, "{v}");
    v["id"].as_str().unwrap().to_string()
}

fn cmd(addr: SocketAddr, id: &str, line: &str) -> (u16, serde_json::Value) {
    json(
        addr,
        "POST",
        &format!("/api/session/{id}/command"),
        serde_json::json!({ "line": line }),
    )
}

#[test]
fn the_page_and_a_session_work() {
    let (addr, _) = server(Limits::default());
    let (st, body) = req(addr, "GET", "/", None, b"");
    assert_eq!(st, 200);
    assert!(body.contains("<title>cgsim explorer</title>"));
    let (st, body) = req(addr, "GET", "/vendor/xterm.js", None, b"");
    assert_eq!(st, 200);
    assert!(body.len() > 100_000, "xterm.js is compiled in");
    let id = new_session(addr);
    cmd(addr, &id, "mkdir /cg");
    cmd(addr, &id, "mount -t cgroup -o memory none /cg");
    cmd(addr, &id, "mkdir /cg/A");
    let (st, v) = cmd(addr, &id, "echo $$ > /cg/A/tasks; cat /proc/$$/cgroup");
    assert_eq!(st, 200);
    assert_eq!(v["output"], "1:memory:/A\n");
    assert_eq!(v["step"], 4);
    assert_eq!(v["state"]["gauges"][1]["cgroup"], "/A");
    assert!(v["state"]["svg"].as_str().unwrap().contains("<svg"));
    let trace = v["state"]["trace"].to_string();
    assert!(trace.contains("cgroup_attach_task"), "{trace}");
    // Back to step 3 (before the echo): the shell is still in the root cgroup there.
    let (st, v) = json(
        addr,
        "POST",
        &format!("/api/session/{id}/continue"),
        serde_json::json!({"step": 3}),
    );
    assert_eq!(
        (st, v["step"].as_u64(), v["last"].as_u64()),
        (200, Some(3), Some(3))
    );
    let (_, v) = cmd(addr, &id, "cat /proc/$$/cgroup");
    assert_eq!(v["output"], "1:memory:/\n");
}

/// On the 6.6 preset the memory gauges follow the default hierarchy once `cgroup2` is
/// mounted: `memory.current` against `memory.max`.
#[test]
fn v2_memory_cgroups_get_gauges() {
    let app = Arc::new(App::new(
        Arc::new(|| BootParams::kernel("6.6").unwrap()),
        Limits::default(),
        serve::host_clock(),
    ));
    let addr = serve::start("127.0.0.1:0".parse().unwrap(), app).expect("bind");
    let id = new_session(addr);
    let (_, v) = cmd(addr, &id, "mkdir -p /sys/fs/cgroup");
    assert_eq!(
        v["state"]["gauges"],
        serde_json::json!([]),
        "nothing mounted yet"
    );
    cmd(addr, &id, "mount -t cgroup2 none /sys/fs/cgroup");
    cmd(
        addr,
        &id,
        "echo +memory > /sys/fs/cgroup/cgroup.subtree_control",
    );
    cmd(addr, &id, "mkdir /sys/fs/cgroup/A");
    cmd(addr, &id, "echo 8M > /sys/fs/cgroup/A/memory.max");
    cmd(addr, &id, "echo $$ > /sys/fs/cgroup/A/cgroup.procs");
    let (st, v) = cmd(addr, &id, "memhold 4M &");
    assert_eq!(st, 200, "{v}");
    let g = &v["state"]["gauges"];
    assert_eq!(g[0]["cgroup"], "/", "{g}");
    assert_eq!(g[1]["cgroup"], "/A", "{g}");
    assert_eq!(g[1]["usage"], 4 << 20, "{g}");
    assert_eq!(g[1]["limit"], 8 << 20, "{g}");
}

#[test]
fn bad_requests_get_4xx_and_the_server_keeps_serving() {
    let (addr, _) = server(Limits::default());
    let id = new_session(addr);
    let path = format!("/api/session/{id}/command");
    let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        (
            "malformed JSON",
            Some("application/json"),
            b"{\"line\": ".to_vec(),
            400,
        ),
        ("not JSON", Some("text/plain"), b"echo hi".to_vec(), 415),
        ("no line", Some("application/json"), b"{}".to_vec(), 422),
        (
            "unknown field",
            Some("application/json"),
            b"{\"line\":\"x\",\"x\":1}".to_vec(),
            422,
        ),
        (
            "wrong type",
            Some("application/json"),
            b"{\"line\": 5}".to_vec(),
            422,
        ),
        (
            "two lines",
            Some("application/json"),
            b"{\"line\":\"a\\nb\"}".to_vec(),
            400,
        ),
        (
            "unknown view",
            Some("application/json"),
            b"{\"line\":\"true\",\"view\":\"nope\"}".to_vec(),
            400,
        ),
        (
            "a line of 5000 bytes",
            Some("application/json"),
            format!("{{\"line\":\"echo {}\"}}", "x".repeat(5000)).into_bytes(),
            413,
        ),
        (
            "a body of 1 MiB",
            Some("application/json"),
            format!("{{\"line\":\"{}\"}}", "x".repeat(1 << 20)).into_bytes(),
            413,
        ),
        (
            "invalid UTF-8",
            Some("application/json"),
            b"{\"line\":\"\xff\xfe\"}".to_vec(),
            400,
        ),
    ];
    for (what, ctype, body, want) in cases {
        let (st, text) = req(addr, "POST", &path, ctype, &body);
        assert_eq!(st, want, "{what}: {text}");
    }
    // Unknown sessions and steps.
    for (m, p, body) in [
        ("POST", "/api/session/nope/command", "{\"line\":\"true\"}"),
        ("GET", "/api/session/nope/state", ""),
        ("POST", "/api/session/nope/continue", "{\"step\":0}"),
        ("DELETE", "/api/session/nope", ""),
    ] {
        let (st, _) = req(addr, m, p, Some("application/json"), body.as_bytes());
        assert_eq!(st, 404, "{m} {p}");
    }
    let (st, _) = req(
        addr,
        "GET",
        &format!("/api/session/{id}/state?step=99"),
        None,
        b"",
    );
    assert_eq!(st, 404);
    let (st, _) = req(
        addr,
        "GET",
        &format!("/api/session/{id}/state?step=-1"),
        None,
        b"",
    );
    assert_eq!(st, 400);
    let (st, _) = json(
        addr,
        "POST",
        &format!("/api/session/{id}/continue"),
        serde_json::json!({"step": 7}),
    );
    assert_eq!(st, 404);
    let (st, _) = req(addr, "GET", "/nothing/here", None, b"");
    assert_eq!(st, 404);
    // A page elsewhere whose host name resolves to 127.0.0.1 (DNS rebinding).
    let (st, _) = raw(
        addr,
        b"GET / HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(st, 403);
    let (st, _) = raw(
        addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(st, 200);
    // Garbage instead of HTTP.
    let (st, _) = raw(addr, b"\x00\x01 hello\r\n\r\n");
    assert_eq!(st, 400);
    // Still serving, and the session is unharmed.
    let (st, v) = cmd(addr, &id, "echo still here");
    assert_eq!((st, v["output"].as_str()), (200, Some("still here\n")));
    let (st, _) = req(addr, "DELETE", &format!("/api/session/{id}"), None, b"");
    assert_eq!(st, 204);
    let (st, _) = cmd(addr, &id, "true");
    assert_eq!(st, 404);
}

#[test]
fn fifty_concurrent_sessions_each_see_their_own_kernel() {
    let (addr, app) = server(Limits::default());
    let threads: Vec<_> = (0..50)
        .map(|i| {
            std::thread::spawn(move || {
                let id = new_session(addr);
                cmd(addr, &id, "mkdir /cg");
                cmd(addr, &id, "mount -t cgroup -o memory none /cg");
                cmd(addr, &id, &format!("mkdir /cg/s{i}"));
                cmd(addr, &id, &format!("echo $$ > /cg/s{i}/tasks"));
                let (st, v) = cmd(
                    addr,
                    &id,
                    "cat /proc/$$/cgroup; ls /cg/s0 >/dev/null 2>&1; echo $?",
                );
                assert_eq!(st, 200);
                // Only session 0 made /cg/s0: every other kernel has none.
                let s0 = if i == 0 { 0 } else { 2 };
                assert_eq!(
                    v["output"].as_str().unwrap(),
                    format!("1:memory:/s{i}\n{s0}\n")
                );
                id
            })
        })
        .collect();
    let ids: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(app.len(), 50);
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 50, "session ids are distinct");
}

#[test]
fn a_runaway_command_is_stopped_while_another_session_keeps_working() {
    let limits = Limits {
        command_time: Duration::from_secs(2),
        ..Limits::default()
    };
    let (addr, _) = server(limits);
    let slow = new_session(addr);
    let fast = new_session(addr);
    cmd(addr, &slow, "echo before");
    // memhog's 100000 passes over 1 MiB take minutes; the ; list behind it must not run.
    let runaway = std::thread::spawn(move || {
        let t = Instant::now();
        let r = cmd(addr, &slow, "memhog -r100000 1M; echo SHOULD-NOT-RUN");
        (r, t.elapsed(), slow)
    });
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let (st, v) = cmd(addr, &fast, "echo hi");
    assert_eq!((st, v["output"].as_str()), (200, Some("hi\n")));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "the other session answers at once"
    );
    let ((st, v), took, slow) = runaway.join().unwrap();
    assert_eq!(st, 200);
    assert_eq!(v["timed_out"], true, "{v}");
    assert!(took < Duration::from_secs(10), "bounded: {took:?}");
    assert!(v["output"].as_str().unwrap().contains("was stopped"));
    assert!(!v["output"].as_str().unwrap().contains("SHOULD-NOT-RUN"));
    // The session is back at the state before the runaway command, and works.
    assert_eq!(v["step"], 1);
    let (st, v) = cmd(addr, &slow, "echo after");
    assert_eq!(
        (st, v["output"].as_str(), v["step"].as_u64()),
        (200, Some("after\n"), Some(2))
    );
}

#[test]
fn a_second_command_while_one_runs_is_409() {
    let limits = Limits {
        command_time: Duration::from_secs(3),
        ..Limits::default()
    };
    let (addr, _) = server(limits);
    let id = new_session(addr);
    let id2 = id.clone();
    let runaway = std::thread::spawn(move || cmd(addr, &id2, "memhog -r100000 1M"));
    std::thread::sleep(Duration::from_millis(500));
    let (st, _) = cmd(addr, &id, "true");
    assert_eq!(st, 409);
    let (st, v) = runaway.join().unwrap();
    assert_eq!((st, v["timed_out"].as_bool()), (200, Some(true)));
}

#[test]
fn idle_sessions_are_dropped_on_an_injected_clock() {
    let now = Arc::new(AtomicU64::new(0));
    let clock_now = now.clone();
    let limits = Limits {
        idle: Duration::from_secs(60),
        ..Limits::default()
    };
    let app = Arc::new(App::new(
        params(),
        limits,
        Arc::new(move || clock_now.load(Ordering::Relaxed)),
    ));
    let addr = serve::start("127.0.0.1:0".parse().unwrap(), app.clone()).unwrap();
    let old = new_session(addr);
    now.store(30_000, Ordering::Relaxed);
    let used = new_session(addr);
    now.store(59_000, Ordering::Relaxed);
    assert_eq!(app.expire(), 0);
    cmd(addr, &old, "true"); // used at 59 s: stays
    now.store(89_000, Ordering::Relaxed);
    // `used` was last used at 30 s (59 s idle), `old` at 59 s (30 s idle): both stay.
    assert_eq!(app.expire(), 0);
    now.store(120_000, Ordering::Relaxed);
    assert_eq!(app.expire(), 2);
    let (st, _) = cmd(addr, &used, "true");
    assert_eq!(st, 404);
    let (st, _) = cmd(addr, &old, "true");
    assert_eq!(st, 404);
}

#[test]
fn the_number_of_sessions_is_bounded() {
    let (addr, app) = server(Limits {
        max_sessions: 2,
        ..Limits::default()
    });
    new_session(addr);
    let id = new_session(addr);
    let (st, _) = json(addr, "POST", "/api/session", serde_json::json!(null));
    assert_eq!(st, 429);
    assert_eq!(app.len(), 2);
    req(addr, "DELETE", &format!("/api/session/{id}"), None, b"");
    new_session(addr);
}

#[test]
fn serve_listens_on_127_0_0_1_unless_asked() {
    assert!(serve::ServeOpts::default().listen.is_loopback());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cgsim"))
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let line = String::from_utf8(line).unwrap();
    let addr: SocketAddr = line
        .strip_prefix("cgsim explorer: http://")
        .and_then(|s| s.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .unwrap();
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    let (st, _) = req(addr, "GET", "/", None, b"");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(st, 200);
}

#[test]
fn workers_left_running_by_runaway_commands_are_bounded() {
    let (addr, app) = server(Limits {
        command_time: Duration::from_secs(1),
        max_workers: 1,
        ..Limits::default()
    });
    let a = new_session(addr);
    let b = new_session(addr);
    let (st, v) = cmd(addr, &a, "memhog -r100000 1M");
    assert_eq!((st, v["timed_out"].as_bool()), (200, Some(true)));
    // memhog's worker is still finishing its pass: no second worker may start.
    assert_eq!(app.workers.load(Ordering::Relaxed), 1);
    let (st, _) = cmd(addr, &b, "true");
    assert_eq!(st, 429);
}
