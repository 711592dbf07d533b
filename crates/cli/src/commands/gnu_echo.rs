//! `/bin/echo`: GNU coreutils 9.1's `echo` program (`src/echo.c`), which runs when a command
//! names the file (`/bin/echo 2-3 > cpuset.cpus`, as `Documentation/cgroups/cgroups.txt`
//! types it) instead of the shell's builtin: a name with a `/` is never a builtin in sh.
//!
//! **Follows:** leading arguments made only of `n`, `e` and `E` letters are options (`-n`: no
//! newline, `-e`: backslash escapes `\\ \a \b \c \e \f \n \r \t \v \0NNN \xHH`, `-E`: none,
//! the default); `--help` and `--version` only as the sole argument; one write of the whole
//! line, and a failed write reported as `/bin/echo: write error: <strerror>` with status 1
//! (coreutils' `close_stdout`, with the program named as it was typed).

use crate::Shell;
use cgsim_ktypes::Pid;

/// `/bin/echo --help` (`Usage:` names the program as typed).
const HELP: &str = "Usage: {} [SHORT-OPTION]... [STRING]...
  or:  {} LONG-OPTION
Echo the STRING(s) to standard output.

  -n             do not output the trailing newline
  -e             enable interpretation of backslash escapes
  -E             disable interpretation of backslash escapes (default)
      --help        display this help and exit
      --version     output version information and exit

If -e is in effect, the following sequences are recognized:

  \\\\      backslash
  \\a      alert (BEL)
  \\b      backspace
  \\c      produce no further output
  \\e      escape
  \\f      form feed
  \\n      new line
  \\r      carriage return
  \\t      horizontal tab
  \\v      vertical tab
  \\0NNN   byte with octal value NNN (1 to 3 digits)
  \\xHH    byte with hexadecimal value HH (1 to 2 digits)

NOTE: your shell may have its own version of echo, which usually supersedes
the version described here.  Please refer to your shell's documentation
for details about the options it supports.

NOTE: printf(1) is a preferred alternative,
which does not have issues outputting option-like strings.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/echo>
or available locally via: info '(coreutils) echo invocation'
";

const VERSION: &str = "echo (GNU coreutils) 9.1
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by Brian Fox and Chet Ramey.
";

/// Expand `-e`'s escapes; `true` when `\c` ended the output.
fn escapes(s: &str, out: &mut Vec<u8>) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = b[i];
        i += 1;
        match c {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'c' => return true,
            b'e' => out.push(0x1b),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\\' => out.push(b'\\'),
            b'x' if b.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 && b.get(i).is_some_and(u8::is_ascii_hexdigit) {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            b'0'..=b'7' => {
                // `\0NNN`: up to three digits after the 0; `\NNN` (no 0) likewise.
                let mut v = 0u32;
                let mut n = 0;
                if c != b'0' {
                    v = u32::from(c - b'0');
                    n = 1;
                }
                while n < 3 && b.get(i).is_some_and(|d| (b'0'..=b'7').contains(d)) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    false
}

/// GNU `echo` run as process `pid`.
pub fn echo(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let name = argv[0].as_str();
    if argv.len() == 2 {
        match argv[1].as_str() {
            "--help" => {
                let _ = sh.out(pid, &HELP.replace("{}", name));
                return 0;
            }
            "--version" => {
                let _ = sh.out(pid, VERSION);
                return 0;
            }
            _ => {}
        }
    }
    let (mut newline, mut interpret) = (true, false);
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let Some(letters) = a.strip_prefix('-') else {
            break;
        };
        if letters.is_empty() || !letters.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in letters.chars() {
            match c {
                'n' => newline = false,
                'e' => interpret = true,
                _ => interpret = false,
            }
        }
        i += 1;
    }
    let mut out = Vec::new();
    let mut stopped = false;
    for (j, a) in argv[i..].iter().enumerate() {
        if j > 0 {
            out.push(b' ');
        }
        if interpret {
            if escapes(a, &mut out) {
                stopped = true;
                break;
            }
        } else {
            out.extend_from_slice(a.as_bytes());
        }
    }
    if newline && !stopped {
        out.push(b'\n');
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    match sh.out(pid, &text) {
        Ok(()) => 0,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("{name}: write error: {}\n", e.errno.strerror()),
            );
            1
        }
    }
}
