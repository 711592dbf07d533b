//! `touch` (GNU coreutils 9.1) and `pidof` (procps-ng 4.0.2), two small tools tutorials use
//! (`touch /etc/cgrules.conf`, `echo $(pidof stress) > tasks`).
//!
//! **touch:** creates each missing FILE empty (`open(O_WRONLY|O_CREAT|O_NOCTTY|O_NONBLOCK,
//! 0666)`, the umask applied), `-c` creates none; errors are `touch: cannot touch 'F': TEXT`
//! (status 1, the other files are still done); no operand prints `touch: missing file operand`
//! and the hint; each file's times are then set to now (`fdutimensat(fd, NULL)`, or
//! `utimensat(NULL)` with `-c`: an inotify watch sees `IN_ATTRIB`). **Differences:** `-d`, `-r`,
//! `-t`, `--date`, `--reference`, `--time` are refused as not simulated.
//!
//! **pidof:** the pids of the processes whose name (`comm`) or the last part of whose
//! `argv[0]` is NAME, newest first, separated by blanks (`-d SEP`); `-s` the newest only,
//! `-o PID` leaves PID out (`%PPID`: the caller's parent), `-q` prints nothing; status 1 when
//! none is found, or for a bad option (which prints nothing, as procps's pidof does). Zombies
//! are left out. `-c`, `-n`, `-x`, `-z` are accepted and change nothing here.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{OpenFlags, ProcState};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "touch",
        "touch [-c] [-a] [-m] FILE...",
        "create empty files (coreutils)",
        Kind::External(touch),
    );
    r.set_help("touch", TOUCH_HELP);
    r.add(
        "pidof",
        "pidof [-s] [-q] [-o PID] [-d SEP] NAME...",
        "print the pids of running programs (procps-ng)",
        Kind::External(pidof),
    );
    r.set_help("pidof", PIDOF_HELP);
}

/// `touch --help`.
pub const TOUCH_HELP: &str = r#"Usage: touch [OPTION]... FILE...
Update the access and modification times of each FILE to the current time.

A FILE argument that does not exist is created empty, unless -c or -h
is supplied.

A FILE argument string of - is handled specially and causes touch to
change the times of the file associated with standard output.

Mandatory arguments to long options are mandatory for short options too.
  -a                     change only the access time
  -c, --no-create        do not create any files
  -d, --date=STRING      parse STRING and use it instead of current time
  -f                     (ignored)
  -h, --no-dereference   affect each symbolic link instead of any referenced
                         file (useful only on systems that can change the
                         timestamps of a symlink)
  -m                     change only the modification time
  -r, --reference=FILE   use this file's times instead of current time
  -t STAMP               use [[CC]YY]MMDDhhmm[.ss] instead of current time
      --time=WORD        change the specified time:
                           WORD is access, atime, or use: equivalent to -a
                           WORD is modify or mtime: equivalent to -m
      --help        display this help and exit
      --version     output version information and exit

Note that the -d and -t options accept different time-date formats.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/touch>
or available locally via: info '(coreutils) touch invocation'
"#;

/// `pidof -h`.
pub const PIDOF_HELP: &str = r#"pidof usage: [options] <program-name>

 -c           Return PIDs with the same root directory
 -d <sep>     Use the provided character as output separator
 -h           Display this help text
 -n           Avoid using stat system function on network shares
 -o <pid>     Omit results with a given PID
 -q           Quiet mode. Do not display output
 -s           Only return one PID
 -x           Return PIDs of shells running scripts with a matching name
 -z           List zombie and I/O waiting processes. May cause pidof to hang.

"#;

fn touch(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let k = sh.kernel().clone();
    let mut no_create = false;
    let mut files = Vec::new();
    let mut only_files = false;
    for a in &argv[1..] {
        if only_files || !a.starts_with('-') || a == "-" {
            files.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--" => only_files = true,
            "--no-create" => no_create = true,
            "--no-dereference" => {}
            "--help" => {
                let _ = sh.out(pid, TOUCH_HELP);
                return 0;
            }
            "--version" => {
                let _ = sh.out(pid, "touch (GNU coreutils) 9.1\n");
                return 0;
            }
            _ if a.starts_with("--") => {
                let name = a.split('=').next().unwrap_or(a);
                let known = ["--date", "--reference", "--time"];
                if known.iter().any(|k| k.starts_with(name)) {
                    sh.write_err(
                        pid,
                        &format!("touch: option '{name}' is not simulated by cgsim\n"),
                    );
                } else {
                    sh.write_err(
                        pid,
                        &format!("touch: unrecognized option '{a}'\nTry 'touch --help' for more information.\n"),
                    );
                }
                return 1;
            }
            _ => {
                for c in a[1..].chars() {
                    match c {
                        'c' => no_create = true,
                        'a' | 'm' | 'f' | 'h' => {}
                        'd' | 'r' | 't' => {
                            sh.write_err(
                                pid,
                                &format!("touch: option '-{c}' is not simulated by cgsim\n"),
                            );
                            return 1;
                        }
                        _ => {
                            sh.write_err(
                                pid,
                                &format!("touch: invalid option -- '{c}'\nTry 'touch --help' for more information.\n"),
                            );
                            return 1;
                        }
                    }
                }
            }
        }
    }
    if files.is_empty() {
        sh.write_err(
            pid,
            "touch: missing file operand\nTry 'touch --help' for more information.\n",
        );
        return 1;
    }
    let mut status = 0;
    for f in &files {
        if f == "-" {
            continue;
        }
        // touch.c's touch(): open(O_WRONLY|O_CREAT) unless -c (its errno kept), then
        // fdutimensat on the fd or, when the open failed (a directory: EISDIR), on the name.
        let flags = OpenFlags {
            read: false,
            write: true,
            create: true,
            nonblock: true,
            ..OpenFlags::default()
        };
        let (fd, open_errno) = if no_create {
            (None, None)
        } else {
            match k.open(pid, f, flags, 0o666) {
                Ok(fd) => (Some(fd), None),
                Err(e) => (None, Some(e.errno)),
            }
        };
        let times = k.utimens_now(pid, f);
        if let Some(fd) = fd {
            let _ = k.close(pid, fd);
        }
        let msg = match (times, open_errno) {
            (Ok(()), _) => None,
            (Err(_), Some(e)) => Some(format!("touch: cannot touch '{f}': {}\n", e.strerror())),
            (Err(e), None) if no_create && e.errno == cgsim_ktypes::Errno::ENOENT => None,
            (Err(e), None) => Some(format!(
                "touch: setting times of '{f}': {}\n",
                e.errno.strerror()
            )),
        };
        if let Some(m) = msg {
            sh.write_err(pid, &m);
            status = 1;
        }
    }
    status
}

fn pidof(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let k = sh.kernel().clone();
    let procs = k.ps();
    let mut single = false;
    let mut quiet = false;
    let mut sep = " ".to_string();
    let mut omit: Vec<i32> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            names.extend(argv[i + 1..].iter().cloned());
            break;
        }
        if !a.starts_with('-') || a == "-" {
            names.push(a.clone());
            i += 1;
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            match c {
                's' => single = true,
                'q' => quiet = true,
                'c' | 'n' | 'x' | 'z' => {}
                'h' => {
                    let _ = sh.out(pid, PIDOF_HELP);
                    return 0;
                }
                'o' | 'd' => {
                    let rest: String = chars[j..].iter().collect();
                    j = chars.len();
                    let v = if rest.is_empty() {
                        i += 1;
                        match argv.get(i) {
                            Some(v) => v.clone(),
                            None => return 1,
                        }
                    } else {
                        rest
                    };
                    if c == 'd' {
                        sep = v;
                    } else {
                        let me = procs.iter().find(|p| p.pid == pid);
                        for o in v.split(',') {
                            match o {
                                "%PPID" => omit.extend(me.map(|p| p.ppid.0)),
                                _ => match o.parse::<i32>() {
                                    Ok(n) => omit.push(n),
                                    Err(_) => return 1,
                                },
                            }
                        }
                    }
                }
                _ => return 1,
            }
        }
        i += 1;
    }
    if names.is_empty() {
        return 1;
    }
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let mut found: Vec<i32> = Vec::new();
    for name in &names {
        let want = base(name);
        let mut hits: Vec<i32> = procs
            .iter()
            .filter(|p| p.state != ProcState::Zombie && p.pid != pid && !omit.contains(&p.pid.0))
            .filter(|p| p.comm == want || p.cmdline.first().is_some_and(|a0| base(a0) == want))
            .map(|p| p.pid.0)
            .collect();
        hits.sort_unstable_by(|a, b| b.cmp(a));
        if single {
            hits.truncate(1);
        }
        found.extend(hits);
        if single && !found.is_empty() {
            break;
        }
    }
    if found.is_empty() {
        return 1;
    }
    if !quiet {
        let text: Vec<String> = found.iter().map(|p| p.to_string()).collect();
        let _ = sh.out(pid, &format!("{}\n", text.join(&sep)));
    }
    0
}
