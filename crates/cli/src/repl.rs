//! The interactive shell: rustyline line editing and history, `help` lists the commands.
//!
//! Lines are numbered across the session (as dash does), and an input that ends inside a
//! quote or after `&&` asks for more with the `> ` prompt. History is kept in
//! `~/.cgsim_history`.

use crate::Shell;
use cgsim_cgroupfs::ConsoleStream;
use rustyline::error::ReadlineError;
use std::io::Write;

/// Run the interactive loop until `exit` or end of input; returns the exit status.
pub fn run(shell: &mut Shell) -> i32 {
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("cgsim: cannot start line editing: {e}");
            return 1;
        }
    };
    println!(
        "cgsim: a simulated Linux cgroup v1 kernel. Type `help` for commands, `exit` to leave."
    );
    // The input ends line by line: the EXIT trap waits for `exit`.
    shell.set_interactive(true);
    let mut line_no = 1;
    let mut buf = String::new();
    loop {
        let prompt = if buf.is_empty() { "# " } else { "> " };
        match rl.readline(prompt) {
            Ok(line) => {
                buf.push_str(&line);
                buf.push('\n');
                if let Err(e) = crate::parse(&buf)
                    && e.incomplete
                {
                    continue;
                }
                let _ = rl.add_history_entry(buf.trim_end());
                let src = std::mem::take(&mut buf);
                let mut sink = |s: ConsoleStream, b: &[u8]| match s {
                    ConsoleStream::Stdout => {
                        let mut o = std::io::stdout();
                        let _ = o.write_all(b);
                        let _ = o.flush();
                    }
                    ConsoleStream::Stderr => {
                        let mut e = std::io::stderr();
                        let _ = e.write_all(b);
                        let _ = e.flush();
                    }
                };
                shell.run_script_with(&src, line_no, &mut sink);
                line_no += src.lines().count();
                if let Some(code) = shell.exited() {
                    return code;
                }
            }
            Err(ReadlineError::Interrupted) => {
                buf.clear();
            }
            Err(ReadlineError::Eof) => return shell.status(),
            Err(e) => {
                eprintln!("cgsim: {e}");
                return 1;
            }
        }
    }
}
