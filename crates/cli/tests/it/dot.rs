//! The views (`dot VIEW`): DOT snapshots of each view on a fixed script, the built-in SVG
//! renderer (well-formed XML, every node drawn, no two node boxes overlapping), the pictures
//! directory (a script's `dot` never writes a host file by itself), and the trace options on
//! the memory tour (depth limit, filter, folding).

use cgsim::Shell;
use cgsim::dot::{Focus, View, ViewOpts, graph_of, svg, views};
use cgsim_cgroupfs::BootParams;

/// Two hierarchies, a css_set per placement, a memcg with a limit and usage, and a threshold
/// listener: every view has something to draw.
const SCRIPT: &str = "\
mkdir -p /cg/cpu /cg/memory
mount -t cgroup -o cpu,cpuacct none /cg/cpu
mount -t cgroup -o memory none /cg/memory
mkdir /cg/cpu/A /cg/cpu/A/B /cg/memory/M
echo $$ > /cg/cpu/A/tasks
sleep 1000 &
echo $! > /cg/memory/M/tasks
sleep 1000 &
echo $! > /cg/cpu/A/B/tasks
echo 1M > /cg/memory/M/memory.limit_in_bytes
echo 1M > /cg/memory/M/memory.memsw.limit_in_bytes
cgroup_event_listener /cg/memory/M/memory.usage_in_bytes 512K &
cgroup_event_listener /cg/memory/M/memory.oom_control oom &
memcg_process --mmap-anon -s 262144 &
p=$!
echo $p > /cg/memory/M/tasks
kill -USR1 $p
";

fn shell() -> Shell {
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let (_, status) = cgsim::transcript_of(&mut sh, SCRIPT);
    assert_eq!(status, 0);
    sh
}

#[test]
fn each_view_as_dot() {
    let mut sh = shell();
    for (name, _) in cgsim::dot::VIEWS {
        let (text, status) = cgsim::transcript_of(&mut sh, &format!("dot {name}"));
        assert_eq!(status, 0, "{text}");
        assert!(
            text.starts_with(&format!("digraph \"{name}\" {{")),
            "{text}"
        );
        assert!(text.contains("legend [label="), "{name} has no legend");
        insta::assert_snapshot!(format!("view_{name}"), text);
    }
}

#[test]
fn focus_and_all_subsys() {
    let mut sh = shell();
    let (text, status) = cgsim::transcript_of(&mut sh, "dot sets --pid 1");
    assert_eq!(status, 0);
    assert!(
        text.contains("\"task1\"") && !text.contains("\"task2\""),
        "{text}"
    );
    let (text, _) = cgsim::transcript_of(&mut sh, "dot links --focus /A");
    assert!(
        text.contains("cgroup /A/B") && !text.contains("cgroup /M"),
        "{text}"
    );
    insta::assert_snapshot!("view_links_focus_A", text);
    // Unbound subsystems are hidden unless asked for.
    let (text, _) = cgsim::transcript_of(&mut sh, "dot sets");
    assert!(!text.contains(">cpuset<"), "{text}");
    let (text, _) = cgsim::transcript_of(&mut sh, "dot sets --all-subsys");
    assert!(text.contains(">cpuset<"), "{text}");
    let (text, _) = cgsim::transcript_of(&mut sh, "dot hierarchy --all-subsys");
    assert!(text.contains("rootnode (the dummy hierarchy)"), "{text}");
}

#[test]
fn dot_rejects_bad_arguments() {
    let mut sh = shell();
    let (text, status) = cgsim::transcript_of(&mut sh, "dot nosuchview");
    assert_eq!(status, 2);
    assert!(text.contains("dot: unknown view 'nosuchview'"), "{text}");
    let (text, status) = cgsim::transcript_of(&mut sh, "dot sets --pid 999");
    assert_eq!(status, 1);
    assert!(text.contains("dot: no task 999"), "{text}");
    let (text, status) = cgsim::transcript_of(&mut sh, "dot sets --focus /nowhere");
    assert_eq!(status, 1);
    assert!(text.contains("dot: no cgroup /nowhere"), "{text}");
}

/// A script's `dot` prints DOT and creates nothing on the host, whatever it is given; only the
/// command line's output directory makes files.
#[test]
fn script_dot_writes_nothing_on_the_host() {
    let dir = std::env::temp_dir().join(format!("cgsim-views-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("clobbered.svg");
    let src = format!("dot {}\ndot\ndot sets\n", target.display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cgsim"))
        .args(["run", "-"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("piped").write_all(src.as_bytes())?;
            c.wait_with_output()
        })
        .expect("run cgsim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dot: unknown view"), "{stderr}");
    assert_eq!(stdout.matches("digraph").count(), 2, "{stdout}");
    let left: Vec<_> = std::fs::read_dir(&dir).expect("read dir").collect();
    assert!(left.is_empty(), "the script created {left:?}");
    // With --out, pictures and their index go there, numbered.
    let pics = dir.join("pics");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cgsim"))
        .args(["run", "--echo", "--renderer", "builtin", "--out"])
        .arg(&pics)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .expect("piped")
                .write_all(b"dot sets\ndot links\n")?;
            c.wait_with_output()
        })
        .expect("run cgsim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[picture 2: 02-links.svg]"), "{stdout}");
    for f in ["01-sets.svg", "01-sets.dot", "02-links.svg", "index.html"] {
        assert!(pics.join(f).exists(), "{f} missing");
    }
    // The index shows each picture after the commands that led to it, in order.
    let index = std::fs::read_to_string(pics.join("index.html")).expect("index");
    let at = |s: &str| {
        index
            .find(s)
            .unwrap_or_else(|| panic!("{s} not in {index}"))
    };
    assert!(at("<b>$ dot sets</b>") < at("src=\"01-sets.svg\""));
    assert!(at("src=\"01-sets.svg\"") < at("<b>$ dot links</b>"));
    assert!(at("<b>$ dot links</b>") < at("src=\"02-links.svg\""));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shell fuzz target runs `dot` with host paths and writes nothing: no pictures
/// directory can be set from a script.
#[test]
fn fuzz_target_cannot_write_host_files() {
    let path = std::env::temp_dir().join(format!("cgsim-views-fuzz-{}.svg", std::process::id()));
    let dot_path = path.with_extension("dot");
    let src = format!(
        "dot {p}\ndot all -o {p}\ndot {d}\ndot sets > {p}\n",
        p = path.display(),
        d = dot_path.display()
    );
    cgsim::fuzzing::shell(src.as_bytes());
    assert!(!path.exists() && !dot_path.exists());
    assert!(
        Shell::new(cgsim::boot(BootParams::default()))
            .views
            .pictures
            .is_none()
    );
}

/// The built-in SVG of every view (and of focused views): well-formed XML, one group per
/// node, no two node boxes overlapping, and no node inside another hierarchy's box.
/// Three hierarchies, trees two levels deep, a `use_hierarchy` memcg tree, eight css_sets.
const BIG: &str = "\
mkdir -p /cg/cpu /cg/mem /cg/dbg
mount -t cgroup -o cpu,cpuacct none /cg/cpu
mount -t cgroup -o memory none /cg/mem
mount -t cgroup -o debug,name=dbg none /cg/dbg
mkdir -p /cg/cpu/web/front /cg/cpu/web/back /cg/cpu/batch /cg/mem/H /cg/mem/L
echo 1 > /cg/mem/H/memory.use_hierarchy
mkdir /cg/mem/H/a /cg/mem/H/b
echo 8M > /cg/mem/H/memory.limit_in_bytes
sleep 1000 &
echo $! > /cg/cpu/web/front/tasks
sleep 1000 &
echo $! > /cg/cpu/web/back/tasks
sleep 1000 &
echo $! > /cg/cpu/batch/tasks
sleep 1000 &
p=$!
echo $p > /cg/cpu/web/front/tasks
echo $p > /cg/mem/H/a/tasks
sleep 1000 &
p=$!
echo $p > /cg/cpu/batch/tasks
echo $p > /cg/mem/H/b/tasks
sleep 1000 &
echo $! > /cg/mem/L/tasks
";

#[test]
fn builtin_svg_is_sound() {
    let sh = shell();
    svg_sound(&graph_of(sh.kernel()).expect("model"));
    let mut big = Shell::new(cgsim::boot(BootParams::default()));
    let (text, status) = cgsim::transcript_of(&mut big, BIG);
    assert_eq!(status, 0, "{text}");
    svg_sound(&graph_of(big.kernel()).expect("model"));
    // The view the shell's `dot` falls back to is `all`.
    assert_eq!(View::parse("all"), Some(View::All));
}

fn svg_sound(model: &cgsim::dot::ObjectGraph) {
    let mut optss = vec![ViewOpts::default()];
    optss.push(ViewOpts {
        all_subsys: true,
        ..ViewOpts::default()
    });
    optss.push(ViewOpts {
        focus: Focus::Cgroup("/A".into()),
        ..ViewOpts::default()
    });
    for (name, view) in cgsim::dot::VIEWS {
        for opts in &optss {
            let g = views::build(model, view, opts);
            let text = svg::to_svg(&g);
            let doc = roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{name}: not XML: {e}\n{text}"));
            let drawn: Vec<&str> = doc
                .descendants()
                .filter(|n| n.attribute("class") == Some("node"))
                .filter_map(|n| n.attribute("id"))
                .collect();
            for n in &g.nodes {
                assert!(drawn.contains(&n.id.as_str()), "{name}: {} not drawn", n.id);
            }
            assert!(
                doc.descendants()
                    .any(|n| n.attribute("class") == Some("legend")),
                "{name}: no legend"
            );
            let l = svg::layout(&g);
            for (i, a) in l.nodes.iter().enumerate() {
                for b in &l.nodes[i + 1..] {
                    assert!(!a.overlaps(b), "{name}: {} overlaps {}", a.id, b.id);
                }
                assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.w <= l.width && a.y + a.h <= l.height);
                assert!(a.y + a.h <= l.legend_y, "{name}: {} under the legend", a.id);
            }
            // A node sits in no other hierarchy's box.
            for (n, p) in g.nodes.iter().zip(&l.nodes) {
                for (c, r) in l.clusters.iter().enumerate() {
                    let Some((x, y, w, h)) = *r else { continue };
                    if n.cluster == Some(c) {
                        continue;
                    }
                    let inside = p.x < x + w && x < p.x + p.w && p.y < y + h && y < p.y + p.h;
                    assert!(!inside, "{name}: {} inside box {c}", n.id);
                }
            }
        }
    }
}

/// The `kill -USR1` of the memory tour: the reclaim retries and the OOM kill.
fn usr1_trace(prefix: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    sh.set_echo_input(true);
    let (text, _) =
        cgsim::transcript_of(&mut sh, &format!("{prefix}\n{}", cgsim::tour::MEMORY_TOUR));
    let start = text.find("$ kill -USR1 $pid\n").expect("the OOM step");
    let rest = &text[start..];
    let end = rest.find("$ trace off").expect("trace off");
    rest[..end]
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The function names of trace lines.
fn functions(trace: &str) -> Vec<String> {
    trace
        .lines()
        .filter_map(|l| l.split_once('|').map(|(_, r)| r.trim()))
        .filter(|r| !r.starts_with('}') && !r.starts_with("/*"))
        .filter_map(|r| r.split_once('(').map(|(f, _)| f.to_string()))
        .collect()
}

#[test]
fn memory_tour_trace_folds_to_a_screenful() {
    let folded = usr1_trace("");
    let n = folded.lines().count();
    // About 480 lines unfolded; the summary folds the retries and elides the earlier page
    // faults' bodies until the trace fits a 24-line terminal.
    assert!(n <= cgsim::trace::SCREEN && n <= 24, "{n} lines:\n{folded}");
    // The story, in order: the charge, the reclaim retries (one loop body, ×6), the OOM, the
    // kill and the exit.
    let story = [
        "res_counter_charge() { res_counter_charge_locked(); }",
        "/* ×6 { */",
        "consume_stock();",
        "mem_cgroup_hierarchical_reclaim() { try_to_free_mem_cgroup_pages() {",
        "shrink_zone() { /* priority 12..0: scan 0 of 256 pages */ }  /* ×13 */",
        "/* } */",
        "mem_cgroup_handle_oom() {",
        "mem_cgroup_oom_notify();",
        "mem_cgroup_out_of_memory() { oom_kill_task() {",
        "do_exit() { cgroup_exit() { put_css_set(); } }",
    ];
    let mut at = 0;
    for s in story {
        let i = folded[at..]
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} missing after byte {at}:\n{folded}"));
        at += i + s.len();
    }
    // Elided bodies say how many calls they hide: the first three faults (identical) and the
    // fourth, whose reclaim succeeded.
    assert!(
        folded
            .contains("do_anonymous_page() { mem_cgroup_charge_common() { … 3 calls } }  /* ×3 */"),
        "{folded}"
    );
    let full = usr1_trace("trace --summary off");
    assert!(full.lines().count() > 400, "{full}");
    assert!(!full.contains('×') && !full.contains('…'));
}

#[test]
fn memory_tour_trace_depth_and_filter() {
    let shallow = usr1_trace("trace -d 3 --summary off");
    let depths: Vec<usize> = shallow
        .lines()
        .filter_map(|l| {
            l.split_once('|')
                .map(|(_, r)| (r.len() - r.trim_start().len()) / 2)
        })
        .collect();
    assert_eq!(depths.iter().max(), Some(&3), "{shallow}");
    assert!(shallow.contains("      do_anonymous_page();"), "{shallow}");
    let filtered = usr1_trace("trace -f 'mem_cgroup_*' --summary off");
    let fs = functions(&filtered);
    assert!(
        fs.contains(&"mem_cgroup_charge_common".to_string()),
        "{filtered}"
    );
    for f in fs {
        assert!(
            f.starts_with("mem_cgroup_"),
            "{f} passed the filter:\n{filtered}"
        );
    }
    // `trace --links` names each function of the last trace with its cross-reference.
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let (text, status) = cgsim::transcript_of(
        &mut sh,
        "mkdir -p /cg\ntrace on\nmount -t cgroup -o cpu none /cg\ntrace off\ntrace --links",
    );
    assert_eq!(status, 0);
    assert!(
        text.contains("https://elixir.bootlin.com/linux/v2.6.35/A/ident/cgroup_get_sb"),
        "{text}"
    );
}

/// On 6.6 a memcg of the default hierarchy is drawn with its v2 interface (`memory.current`
/// against `memory.max`, `memory.high`, `memory.events`), not v1's `res`, thresholds and
/// `use_hierarchy`; the root shows no control files (`CFTYPE_NOT_ON_ROOT`).
#[test]
fn memcg_view_on_the_default_hierarchy() {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(
        cgsim_cgroupfs::KernelVersion::V6_6,
    )));
    let (out, status) = cgsim::transcript_of(
        &mut sh,
        "mkdir /cg\nmount -t cgroup2 none /cg\necho +memory > /cg/cgroup.subtree_control\n\
         mkdir /cg/A\necho 8M > /cg/A/memory.max\necho 4M > /cg/A/memory.high\n\
         echo $$ > /cg/A/cgroup.procs\nmemhold 6M &\nsleep 1\n",
    );
    assert_eq!(status, 0, "{out}");
    let (text, status) = cgsim::transcript_of(&mut sh, "dot memcg");
    assert_eq!(status, 0, "{text}");
    for want in [
        "mem_cgroup /A",
        " / 8M<",
        "high, peak",
        ">4M, ",
        "memory.events",
        "memory.parent (page_counter: charges go up)",
        "root: no memory.max, .low, .events",
        "memory.current / memory.max",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    for gone in ["use_hierarchy", "res.parent", "max_usage"] {
        assert!(!text.contains(gone), "{gone:?} on v2:\n{text}");
    }
    // memory.events' high count is the file's.
    let (ev, _) = cgsim::transcript_of(&mut sh, "grep high /cg/A/memory.events");
    let n = ev.trim().strip_prefix("high ").unwrap();
    assert!(n.parse::<u64>().unwrap() > 0, "{ev}");
    assert!(
        text.contains(&format!(">high</td><td></td><td align=\"right\">{n}<")),
        "{text}"
    );
}
