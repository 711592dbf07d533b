//! The explorer's latency: from a command's submission to the updated view, in a session that
//! has already run 1,000 commands.
//!
//! * `explorer/http_command_and_view`: one `POST /api/session/ID/command` with `view=sets`
//!   to a `cgsim serve` server on 127.0.0.1, answered with the output, the gauges, the trace
//!   tree and the view's SVG (what the page waits for before redrawing);
//! * `explorer/in_process`: the same work without HTTP (`Session::run_line`, the snapshot,
//!   the SVG of the view).
//!
//! The session first runs 1,000 commands of a classroom session (cgroups made, the shell
//! moved between them, counters read, memory touched by `memcg_process`); every measured
//! command then moves the shell to another cgroup, so each adds one step to the timeline.
//! Results and the command are in `docs/benchmarks.md`.

use cgsim::serve::{self, App, Limits, ParamsFn, Session};
use cgsim_cgroupfs::BootParams;
use criterion::{Criterion, criterion_group, criterion_main};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

/// The 1,000 commands run before measuring.
fn warm_commands() -> Vec<String> {
    let mut c = vec![
        "mkdir -p /cg".to_string(),
        "mount -t cgroup -o memory none /cg".to_string(),
    ];
    for i in 0..10 {
        c.push(format!("mkdir /cg/g{i}"));
        c.push(format!("echo 64M > /cg/g{i}/memory.limit_in_bytes"));
    }
    c.push("echo $$ > /cg/g0/tasks".to_string());
    c.push("memcg_process --mmap-anon -s 1048576 &".to_string());
    c.push("kill -USR1 $!".to_string());
    let mut i = 0;
    while c.len() < 1000 {
        let g = i % 10;
        c.push(format!("echo $$ > /cg/g{g}/tasks"));
        c.push(format!("cat /cg/g{g}/memory.usage_in_bytes"));
        c.push("cat /proc/$$/cgroup".to_string());
        c.push(format!("echo $$ > /cg/tasks; ls /cg/g{g} > /dev/null"));
        i += 1;
    }
    c.truncate(1000);
    c
}

fn params() -> ParamsFn {
    Arc::new(BootParams::default)
}

fn post(addr: SocketAddr, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    assert!(
        out.starts_with("HTTP/1.1 200"),
        "{}",
        &out[..out.len().min(200)]
    );
    out
}

fn bench_explorer(c: &mut Criterion) {
    let limits = Limits {
        max_steps: usize::MAX,
        ..Limits::default()
    };
    let app = Arc::new(App::new(params(), limits, serve::host_clock()));
    let addr = serve::start("127.0.0.1:0".parse().unwrap(), app.clone()).expect("bind");
    let created = post(addr, "/api/session", "");
    let id = created
        .split("\"id\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("session id")
        .to_string();
    let warm = warm_commands();
    for cmd in &warm {
        let body = serde_json::json!({ "line": cmd }).to_string();
        post(addr, &format!("/api/session/{id}/command"), &body);
    }

    let mut g = c.benchmark_group("explorer");
    let mut n = 0u64;
    let path = format!("/api/session/{id}/command");
    g.bench_function("http_command_and_view", |b| {
        b.iter(|| {
            n += 1;
            let body = serde_json::json!({
                "line": format!("echo $$ > /cg/g{}/tasks", n % 10),
                "view": "sets",
            })
            .to_string();
            post(addr, &path, &body)
        })
    });

    let mut s = Session::replay(params(), &warm);
    let mut m = 0u64;
    g.bench_function("in_process", |b| {
        b.iter(|| {
            m += 1;
            let ran = s.run_line(&format!("echo $$ > /cg/g{}/tasks", m % 10));
            s.view_svg(ran.step, cgsim::dot::View::Sets)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_explorer);
criterion_main!(benches);
