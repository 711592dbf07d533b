//! The interactive shell through a pseudo-terminal, as a user at a terminal drives it: a pasted
//! block runs one line at a time with each line's output after it, a command spanning lines
//! gets the `> ` prompt, lines typed while a command runs are kept, Ctrl-C during a command
//! does not end the session (at the prompt it echoes `^C` and drops the line), Tab completes a
//! path on the simulated filesystem, and history goes to the XDG data directory.
//!
//! Each test starts the `cgsim` binary on a fresh pty (rexpect) with `TERM=xterm` and its own
//! `XDG_DATA_HOME`, so the user's history file is never touched.

use rexpect::session::{Options, PtySession, spawn_with_options};
use std::path::PathBuf;
use std::process::Command;

const PROMPT: &str = "root@cgsim:/# ";

/// A fresh `XDG_DATA_HOME` for one test.
fn data_home(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cgsim-term-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(data: &PathBuf) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cgsim"));
    cmd.env("TERM", "xterm").env("XDG_DATA_HOME", data);
    let mut p = spawn_with_options(
        cmd,
        Options::new()
            .timeout_ms(Some(30_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("spawn cgsim on a pty");
    p.exp_string(PROMPT).expect("the first prompt");
    p
}

/// Read until `needle` and return everything before it.
fn upto(p: &mut PtySession, needle: &str) -> String {
    p.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

#[test]
fn a_pasted_block_runs_line_by_line_with_each_output_after_its_line() {
    let data = data_home("paste");
    let mut p = start(&data);
    // One write, as a terminal delivers a paste without bracketed-paste mode: newlines are
    // carriage returns.
    p.send("echo first\recho second\recho third\r").unwrap();
    p.flush().unwrap();
    let mut seen = String::new();
    for _ in 0..3 {
        seen.push_str(&upto(&mut p, PROMPT));
        seen.push_str("<PROMPT>");
    }
    let lines: Vec<&str> = seen.split("\r\n").map(str::trim_end).collect();
    let pos = |l: &str| {
        lines
            .iter()
            .position(|x| x.ends_with(l))
            .unwrap_or_else(|| panic!("{l:?} missing in {lines:?}"))
    };
    // Every command line is followed by its output before the next command line appears.
    let order = [
        pos("echo first"),
        lines
            .iter()
            .position(|x| *x == "first")
            .expect("the output of line 1"),
        pos("echo second"),
        lines
            .iter()
            .position(|x| *x == "second")
            .expect("the output of line 2"),
        pos("echo third"),
        lines
            .iter()
            .position(|x| *x == "third")
            .expect("the output of line 3"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "out of order {order:?}:\n{seen}"
    );
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn lines_typed_while_a_command_runs_are_kept() {
    let data = data_home("typeahead");
    let mut p = start(&data);
    // dd of 200 MiB through the simulated page cache takes a while of real time; two lines
    // typed meanwhile must both run, in order, after it.
    p.send("dd if=/dev/zero of=/tmp/f bs=1M count=200 status=none\r")
        .unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    p.send("echo ahead-1\r").unwrap();
    p.flush().unwrap();
    p.send("echo ahead-2\r").unwrap();
    p.flush().unwrap();
    let text = upto(&mut p, "\r\nahead-2\r\n");
    let one = text
        .find("\r\nahead-1\r\n")
        .unwrap_or_else(|| panic!("the first typed-ahead line did not run:\n{text}"));
    assert!(text[..one].contains("dd if=/dev/zero"), "{text}");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn tab_completes_a_path_on_the_simulated_filesystem() {
    let data = data_home("tab");
    let mut p = start(&data);
    p.send_line("mkdir /sys/fs/cgroup/memory; mount -t cgroup -o memory none /sys/fs/cgroup/memory; cd /sys/fs/cgroup")
        .unwrap();
    upto(&mut p, "root@cgsim:/sys/fs/cgroup# ");
    // `mem<Tab>` is unique in /sys/fs/cgroup: it becomes `memory/`; `memory.usa<Tab>` becomes
    // the file name and a space.
    p.send("cat mem\t").unwrap();
    p.flush().unwrap();
    upto(&mut p, "memory/");
    p.send("memory.usa\t").unwrap();
    p.flush().unwrap();
    upto(&mut p, "memory.usage_in_bytes");
    p.send("\r").unwrap();
    p.flush().unwrap();
    let out = upto(&mut p, "root@cgsim:/sys/fs/cgroup# ");
    assert!(
        // The root memcg's usage is the page cache of /etc read at boot (4 pages) and of the
        // /etc/mtab the 2.6.35 preset's RHEL 6 userland keeps (1 page).
        out.lines().any(|l| l.trim_end() == "20480"),
        "cat memory/memory.usage_in_bytes printed:\n{out}"
    );
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
    let history = std::fs::read_to_string(data.join("cgsim/history")).unwrap();
    assert!(
        history.contains("cat memory/memory.usage_in_bytes"),
        "history file:\n{history}"
    );
}

#[test]
fn a_pasted_command_spanning_lines_asks_for_more_then_runs_once() {
    let data = data_home("multiline");
    let mut p = start(&data);
    // An open quote continues on the next line with the `> ` prompt (PS2); the command runs
    // once, when the quote closes, before the line after it.
    p.send("echo \"one\rtwo\"\recho three\r").unwrap();
    p.flush().unwrap();
    let text = upto(&mut p, "\r\nthree\r\n");
    // rustyline draws the prompt, then the line after a carriage return (the cursor moves
    // that the stripped escape codes did are gone).
    let cont = text
        .find("\r> \rtwo\"")
        .unwrap_or_else(|| panic!("no PS2 line:\n{text:?}"));
    let out = text
        .find("\r\none\r\ntwo\r\n")
        .unwrap_or_else(|| panic!("the two-line echo did not print:\n{text}"));
    let next = text.find("echo three").expect("the third line was echoed");
    assert!(cont < out && out < next, "out of order:\n{text}");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_while_a_command_runs_keeps_the_session() {
    let data = data_home("sigint");
    let mut p = start(&data);
    // dd of 400 MiB takes seconds of real time; Ctrl-C arrives while it runs.
    p.send("dd if=/dev/zero of=/tmp/f bs=1M count=400 status=none\r")
        .unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    p.send_control('c').unwrap();
    upto(
        &mut p,
        "cannot be interrupted; press Ctrl-C again to leave cgsim",
    );
    upto(&mut p, PROMPT);
    p.send_line("echo alive").unwrap();
    upto(&mut p, "\r\nalive\r\n");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

/// In the interactive shell the console is a terminal of the real one's size (rustyline's
/// `dimensions`: the pty's, 80 columns when it reports none), so `ps` cuts its last column
/// there as procps does, and `COLUMNS` still overrides it.
#[test]
fn ps_cuts_its_lines_at_the_terminal_width() {
    let data = data_home("pswidth");
    let mut p = start(&data);
    let pids: Vec<String> = (1..=40).map(|n| n.to_string()).collect();
    let cmd = format!("ps -o pid,args --pid {}", pids.join(","));
    // The row of ps itself: a pid, a blank, then its command line.
    let ps_row = |out: &str| -> usize {
        let row = out
            .split(['\r', '\n'])
            .find(|l| {
                let t = l.trim_start();
                t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(" ps -o pid,args")
            })
            .unwrap_or_else(|| panic!("no ps row in {out:?}"));
        row.chars().count()
    };
    p.send_line(&format!("{cmd}; echo END$((1+1))")).unwrap();
    let out = upto(&mut p, "END2");
    let width = ps_row(&out);
    assert!(width <= 80 && width < cmd.len() + 6, "{width}: {out:?}");
    p.send_line(&format!("COLUMNS=30 {cmd}; echo END$((2+1))"))
        .unwrap();
    let out = upto(&mut p, "END3");
    assert_eq!(ps_row(&out), 30, "{out:?}");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_at_the_prompt_echoes_it_and_drops_the_line() {
    // dash 0.5.12 and bash on a terminal: `echo abc` then Ctrl-C shows `echo abc^C` and a new
    // prompt; the line does not run.
    let data = data_home("ctrlc-prompt");
    let mut p = start(&data);
    p.send("echo abc").unwrap();
    p.flush().unwrap();
    upto(&mut p, "echo abc");
    p.send_control('c').unwrap();
    let echoed = upto(&mut p, PROMPT);
    // rustyline starts the new prompt with a carriage return.
    assert_eq!(
        echoed.trim_end_matches('\r'),
        "^C\r\n",
        "the echo before the new prompt"
    );
    p.send_line("echo next").unwrap();
    let out = upto(&mut p, PROMPT);
    assert!(out.contains("\r\nnext\r\n"), "the next line runs: {out:?}");
    assert!(
        !out.contains("abc"),
        "the interrupted line did not run: {out:?}"
    );
}
