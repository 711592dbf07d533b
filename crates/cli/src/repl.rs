//! The interactive shell: rustyline line editing, Tab completion on the simulated filesystem,
//! the prompt of a Debian root shell, and history kept across sessions.
//!
//! **Input as sh reads it.** A pasted block, or lines typed while a command runs, are read and
//! run one line at a time, each line's output right after it, as `sh` on a terminal does: the
//! terminal's bracketed-paste mode is left off (so a paste arrives as typed keys, each newline
//! an Enter) and rustyline keeps the bytes it has read past the end of a line for the next
//! line (its `buffer-redux` feature) instead of dropping them. Lines typed while a command runs
//! stay in the terminal's input queue (rustyline switches modes with `TCSADRAIN`, which never
//! flushes input). An input that ends inside a quote, after `&&`, or inside a compound command
//! asks for more with the `> ` prompt (`PS2`), as the parser reports `incomplete`.
//!
//! **Prompt.** Debian's `/etc/bash.bashrc` sets `PS1='\u@\h:\w\$ '`, so a root shell on Debian
//! shows `root@HOST:/sys/fs/cgroup# `; cgsim shows the same with the host name `cgsim` and the
//! shell's working directory on the simulated filesystem (bash writes `~` for `$HOME` only when
//! `$HOME` is longer than `/`, and the simulated `HOME` is `/`, so the path is always shown in
//! full).
//!
//! **Completion.** Tab completes command names (the command table) in command position and
//! paths everywhere else, read with `readdir(2)` on the simulated kernel relative to the
//! shell's working directory, never on the host. As in bash, a directory completes with a
//! trailing `/`, a unique file or command with a trailing space, names starting with `.` only
//! when the typed prefix does, and a second Tab lists the candidates.
//!
//! **History** is kept in `$XDG_DATA_HOME/cgsim/history` (`~/.local/share/cgsim/history` when
//! `XDG_DATA_HOME` is unset or not absolute, per the XDG Base Directory specification), one
//! entry appended per command, at most 1000 entries.
//!
//! **Differences:** dash has no line editing, completion or history file; these follow bash's
//! (readline's) behaviour. A pasted Tab character triggers completion, as it does in bash
//! without bracketed paste. Ctrl-C at the prompt drops the line and echoes `^C` where the cursor
//! is before the new prompt, as dash and bash do (the terminal's `ECHOCTL` echo there, readline's
//! `rl_echo_signal_char` here; rustyline echoes nothing, so a key handler does); while a command
//! runs it cannot stop the simulated command (sh would): the first press says so, a second
//! one leaves cgsim.

use crate::Shell;
use cgsim_cgroupfs::{ConsoleStream, FileType, Kernel};
use cgsim_ktypes::Pid;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The host name the prompt shows (`\h`).
pub const HOSTNAME: &str = "cgsim";

/// Most history entries kept in the file.
const HISTORY_SIZE: usize = 1000;

/// Ctrl-C presses since the last prompt.
static INTERRUPTS: AtomicU32 = AtomicU32::new(0);

/// SIGINT while a command runs (the terminal is in cooked mode then; at the prompt rustyline
/// reads Ctrl-C as a key). A simulated command cannot be stopped half way, so the first press
/// only says so and the second leaves cgsim (status 130, as a shell killed by SIGINT).
fn on_sigint() {
    if INTERRUPTS.fetch_add(1, Ordering::SeqCst) >= 1 {
        std::process::exit(130);
    }
    let mut e = std::io::stderr();
    let _ = e.write_all(
        b"\ncgsim: a simulated command cannot be interrupted; press Ctrl-C again to leave cgsim\n",
    );
    let _ = e.flush();
}

/// Ctrl-C at the prompt: echo `^C` at the cursor, then let rustyline interrupt the line
/// (it moves to the end of the line and starts a new one).
struct EchoInterrupt;

impl rustyline::ConditionalEventHandler for EchoInterrupt {
    fn handle(
        &self,
        _evt: &rustyline::Event,
        _n: rustyline::RepeatCount,
        _positive: bool,
        _ctx: &rustyline::EventContext,
    ) -> Option<rustyline::Cmd> {
        let mut o = std::io::stdout();
        let _ = o.write_all(b"^C");
        let _ = o.flush();
        Some(rustyline::Cmd::Interrupt)
    }
}

/// Run the interactive loop until `exit` or end of input; returns the exit status.
pub fn run(shell: &mut Shell) -> i32 {
    let config = Config::builder()
        .bracketed_paste(false)
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .max_history_size(HISTORY_SIZE)
        .map(|b| b.build())
        .unwrap_or_default();
    let mut rl: Editor<ShellHelper, FileHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("cgsim: cannot start line editing: {e}");
            return 1;
        }
    };
    let history = history_path();
    if let Some(path) = &history {
        // A missing file is a first session; an unreadable one only costs the old entries.
        let _ = rl.load_history(path);
    }
    rl.bind_sequence(
        rustyline::KeyEvent::ctrl('C'),
        rustyline::EventHandler::Conditional(Box::new(EchoInterrupt)),
    );
    rl.set_helper(Some(ShellHelper {
        kernel: shell.kernel().clone(),
        pid: shell.pid(),
        commands: Vec::new(),
    }));
    // Bracketed paste off even if a program before us left it on (`CSI ? 2004 l`): the
    // terminal then sends a paste as typed lines.
    if std::io::stdout().is_terminal() {
        print!("\x1b[?2004l");
    }
    // Without a handler, Ctrl-C during a long command would end the whole session.
    let _ = ctrlc::set_handler(on_sigint);
    println!("{}", crate::commands::uname::banner(shell.kernel()));
    // The input ends line by line: the EXIT trap waits for `exit`.
    shell.set_interactive(true);
    let mut line_no = 1;
    let mut buf = String::new();
    loop {
        if let Some(h) = rl.helper_mut() {
            h.commands = shell.registry().iter().map(|c| c.name).collect();
        }
        INTERRUPTS.store(0, Ordering::SeqCst);
        let prompt = if buf.is_empty() {
            prompt(shell)
        } else {
            "> ".to_string()
        };
        match rl.readline(&prompt) {
            Ok(line) => {
                buf.push_str(&line);
                buf.push('\n');
                if let Err(e) = crate::parse(&buf)
                    && e.incomplete
                {
                    continue;
                }
                if !buf.trim().is_empty() {
                    let _ = rl.add_history_entry(buf.trim_end());
                    if let Some(path) = &history {
                        save_history(rl.history_mut(), path);
                    }
                }
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
                // The simulated console is a terminal of the real one's size while the
                // output goes to a real terminal (`ps` cuts its lines to it).
                shell.kernel().set_console_winsize(rl.dimensions());
                shell.run_script_with(&src, line_no, &mut sink);
                line_no += src.lines().count();
                if shell.recover_interactive_abort() {
                    // dash: an error in an interactive shell returns to the prompt.
                } else if let Some(code) = shell.exited() {
                    return code;
                }
            }
            Err(ReadlineError::Interrupted) => {
                buf.clear();
                // dash's `onint` (src/error.c, 0.5.12): Ctrl-C at the prompt sets `$?` to
                // 128 + SIGINT.
                shell.set_status(130);
            }
            Err(ReadlineError::Eof) => return shell.status(),
            Err(e) => {
                eprintln!("cgsim: {e}");
                return 1;
            }
        }
    }
}

/// `PS1='\u@\h:\w\$ '` for the shell's credentials and working directory.
pub fn prompt(shell: &Shell) -> String {
    let k = shell.kernel();
    let pid = shell.pid();
    let euid = k
        .ps()
        .into_iter()
        .find(|p| p.pid == pid)
        .map_or(0, |p| p.cred.euid.0);
    let user = if euid == 0 {
        "root".to_string()
    } else {
        euid.to_string()
    };
    let cwd = k.getcwd(pid).unwrap_or_else(|_| "?".to_string());
    let sign = if euid == 0 { '#' } else { '$' };
    format!("{user}@{HOSTNAME}:{cwd}{sign} ")
}

/// `$XDG_DATA_HOME/cgsim/history`, or `$HOME/.local/share/cgsim/history`.
pub fn history_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::home_dir().map(|h| h.join(".local").join("share")))?;
    Some(data.join("cgsim").join("history"))
}

/// Append the new entries to the history file, creating its directory the first time.
fn save_history(h: &mut FileHistory, path: &std::path::Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = h.append(path) {
        eprintln!("cgsim: cannot save history to {}: {e}", path.display());
    }
}

/// The rustyline helper: completion on the simulated kernel; no hints, colours or validation.
pub struct ShellHelper {
    kernel: Arc<Kernel>,
    /// The shell process, whose working directory relative paths start from.
    pid: Pid,
    commands: Vec<&'static str>,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(complete(&self.kernel, self.pid, &self.commands, line, pos))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {}

impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

/// Characters that end a word for completion (blanks and the shell's operators).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ';' | '|' | '&' | '<' | '>' | '(' | ')' | '`')
}

/// Words after which the next word names a command.
const COMMAND_PREFIXES: &[&str] = &[
    "then", "do", "else", "elif", "if", "while", "until", "!", "{", "time",
];

/// Complete the word that ends at `pos` in `line`: the start of the replaced text and the
/// candidates (display = the name, replacement = the whole word).
pub fn complete(
    k: &Kernel,
    pid: Pid,
    commands: &[&str],
    line: &str,
    pos: usize,
) -> (usize, Vec<Pair>) {
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| is_separator(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    if in_command_position(&before[..start]) && !word.contains('/') {
        return (start, complete_command(commands, word));
    }
    (start, complete_path(k, pid, word))
}

/// Is the next word the first word of a simple command?
fn in_command_position(before: &str) -> bool {
    let t = before.trim_end();
    if t.is_empty() || t.ends_with([';', '|', '&', '(', '`']) || t.ends_with("$(") {
        return true;
    }
    let last = t.rsplit(is_separator).next().unwrap_or("");
    COMMAND_PREFIXES.contains(&last)
}

fn complete_command(commands: &[&str], word: &str) -> Vec<Pair> {
    let mut names: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|c| c.starts_with(word))
        .collect();
    names.sort_unstable();
    names.dedup();
    let unique = names.len() == 1;
    names
        .into_iter()
        .map(|n| Pair {
            display: n.to_string(),
            replacement: if unique {
                format!("{n} ")
            } else {
                n.to_string()
            },
        })
        .collect()
}

/// Backslash-escape the characters the shell would split or expand, as readline does.
fn escape(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_whitespace() || "\\'\"$`;|&<>()*?[]#!{}".contains(c) {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

fn complete_path(k: &Kernel, pid: Pid, word: &str) -> Vec<Pair> {
    let (dir, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let Ok(entries) = k.readdir(pid, if dir.is_empty() { "." } else { dir }) else {
        return Vec::new();
    };
    let mut found: Vec<(String, bool)> = entries
        .into_iter()
        .filter(|e| e.name.starts_with(prefix))
        .filter(|e| !e.name.starts_with('.') || prefix.starts_with('.'))
        .map(|e| {
            // A symbolic link to a directory completes as a directory too.
            let is_dir = e.file_type == FileType::Directory
                || (e.file_type == FileType::Symlink
                    && k.stat(pid, &format!("{dir}{}", e.name))
                        .is_ok_and(|st| st.file_type == FileType::Directory));
            (e.name, is_dir)
        })
        .collect();
    found.sort();
    let unique = found.len() == 1;
    found
        .into_iter()
        .map(|(name, is_dir)| {
            let suffix = match (is_dir, unique) {
                (true, _) => "/",
                (false, true) => " ",
                (false, false) => "",
            };
            Pair {
                display: if is_dir {
                    format!("{name}/")
                } else {
                    name.clone()
                },
                replacement: format!("{dir}{}{suffix}", escape(&name)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell() -> Shell {
        let mut sh = Shell::new(crate::boot(Default::default()));
        let (out, st) = crate::transcript_of(
            &mut sh,
            "mkdir /cg\nmount -t cgroup -o memory none /cg\nmkdir /cg/grp /tmp/d /tmp/d/.hidden /tmp/d/seen\ncd /cg\n",
        );
        assert_eq!((out.as_str(), st), ("", 0));
        sh
    }

    fn replacements(sh: &Shell, line: &str) -> (usize, Vec<String>) {
        let names: Vec<&str> = sh.registry().iter().map(|c| c.name).collect();
        let (start, c) = complete(sh.kernel(), sh.pid(), &names, line, line.len());
        (start, c.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn a_unique_file_in_the_working_directory_completes_with_a_space() {
        let sh = shell();
        assert_eq!(
            replacements(&sh, "cat memory.usa"),
            (4, vec!["memory.usage_in_bytes ".to_string()])
        );
    }

    #[test]
    fn several_files_complete_to_the_sorted_list() {
        let sh = shell();
        // rustyline inserts the common prefix (`memory.us`) and lists both on a second Tab.
        assert_eq!(
            replacements(&sh, "cat memory.u"),
            (
                4,
                vec![
                    "memory.usage_in_bytes".to_string(),
                    "memory.use_hierarchy".to_string()
                ]
            )
        );
        let (start, c) = replacements(&sh, "echo 1 > memory.m");
        assert_eq!(start, 9);
        assert_eq!(
            c,
            [
                "memory.max_usage_in_bytes",
                "memory.memsw.failcnt",
                "memory.memsw.limit_in_bytes",
                "memory.memsw.max_usage_in_bytes",
                "memory.memsw.usage_in_bytes",
                "memory.move_charge_at_immigrate",
            ]
        );
    }

    #[test]
    fn an_absolute_directory_completes_with_a_slash() {
        let sh = shell();
        assert_eq!(
            replacements(&sh, "ls /cg/gr"),
            (3, vec!["/cg/grp/".to_string()])
        );
        assert_eq!(
            replacements(&sh, "cd /pro"),
            (3, vec!["/proc/".to_string()])
        );
    }

    #[test]
    fn relative_paths_start_at_the_shells_working_directory_not_the_hosts() {
        let sh = shell();
        let (_, c) = replacements(&sh, "cat grp/tas");
        assert_eq!(c, vec!["grp/tasks ".to_string()]);
        // The host's working directory (the crate) has Cargo.toml; the simulated /cg does not.
        assert_eq!(replacements(&sh, "cat Cargo.t").1, Vec::<String>::new());
    }

    #[test]
    fn command_names_complete_in_command_position_only() {
        let sh = shell();
        assert_eq!(replacements(&sh, "mkd"), (0, vec!["mkdir ".to_string()]));
        assert_eq!(
            replacements(&sh, "cd /cg && rmd"),
            (10, vec!["rmdir ".to_string()])
        );
        assert_eq!(
            replacements(&sh, "ps | gre"),
            (5, vec!["grep ".to_string()])
        );
        // An argument is a path: there is no file `mkd...` in /cg.
        assert_eq!(replacements(&sh, "echo mkd").1, Vec::<String>::new());
    }

    #[test]
    fn dot_files_only_when_the_prefix_starts_with_a_dot() {
        let sh = shell();
        assert_eq!(replacements(&sh, "ls /tmp/d/").1, vec!["/tmp/d/seen/"]);
        assert_eq!(replacements(&sh, "ls /tmp/d/.h").1, vec!["/tmp/d/.hidden/"]);
    }

    #[test]
    fn the_prompt_is_debians_root_prompt_with_the_simulated_cwd() {
        let sh = shell();
        assert_eq!(prompt(&sh), "root@cgsim:/cg# ");
    }

    #[test]
    fn history_lives_under_the_xdg_data_directory() {
        // Only the shape: the variables belong to the test process, so they are not changed.
        let p = history_path().expect("HOME or XDG_DATA_HOME is set in tests");
        assert!(p.ends_with("cgsim/history"), "{}", p.display());
    }
}
