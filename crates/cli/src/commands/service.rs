//! `service` and `chkconfig` with the two init scripts of libcgroup v0.41 that the RHEL 6
//! Resource Management Guide uses: `cgconfig` (`scripts/init.d/cgconfig.in`) and `cgred`
//! (`scripts/init.d/cgred.in`), as RHEL 6 runs them (`/sbin/service` of initscripts 9.03,
//! the `success`/`failure`/`warning` boxes of `/etc/rc.d/init.d/functions` behind
//! `/lib/lsb/init-functions`' `log_success_msg` and friends, `status`, `daemon` and
//! `killproc`; `chkconfig` 1.3.49).
//!
//! - `service cgconfig start` prints `Starting cgconfig service: `, runs `cgconfigparser -l
//!   /etc/cgconfig.conf` (a missing or empty file fails with status 6, a parse error with 1),
//!   then, with `CREATE_DEFAULT=yes` in `/etc/sysconfig/cgconfig` (the default), creates the
//!   default group (`sysdefault/`, or the destination of the first `*` rule of
//!   `/etc/cgrules.conf`) in every mounted hierarchy and moves every process there; it
//!   creates `/var/lock/subsys/cgconfig`. `stop` runs `cgclear`; `status` prints `Running` or
//!   `Stopped` (status 3).
//! - `service cgred start` checks that a cgroup hierarchy is mounted, starts `cgrulesengd`
//!   with the options of `/etc/sysconfig/cgred.conf` and writes `/var/run/cgred.pid`; `stop`
//!   sends it SIGTERM; `reload` sends SIGUSR2; `status` is `cgred (pid  N) is running...` or
//!   `cgred is stopped` (status 3).
//!
//! The boxes are what the RHEL 6 functions write with `BOOTUP=color`: the cursor to column 60
//! (`ESC[60G`), `[`, the colour, the word, the normal colour, `]` and a carriage return;
//! a terminal shows `Starting cgconfig service:                                 [  OK  ]`.
//!
//! **Differences:** the scripts' logic runs as Rust (no `/etc/init.d/*` files to read; the
//! tools they call run as commands of the simulated shell, with the same arguments);
//! `create_default_groups` lists processes with `ps -e -o pid` (the real one lists threads
//! with `ps -eL o tid`, the same ids here). `chkconfig` keeps its state as empty files named
//! like its links in `/etc/rc.d/rcN.d/`.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{OpenFlags, Signal};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "service",
        "service SERVICE start|stop|restart|status|...",
        "run an init script (RHEL 6): cgconfig, cgred",
        Kind::External(service),
    );
    r.set_help("service", SERVICE_USAGE);
    r.add(
        "chkconfig",
        "chkconfig [--list [NAME]] | [--level LEVELS] NAME on|off|reset",
        "enable or disable a service in runlevels (RHEL 6)",
        Kind::External(chkconfig),
    );
    r.set_help("chkconfig", CHKCONFIG_USAGE);
}

/// `/sbin/service`'s usage (stderr, status 1).
pub const SERVICE_USAGE: &str =
    "Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n";

/// `chkconfig --help` (chkconfig 1.3.49, to stderr with status 1 for a bad call).
pub const CHKCONFIG_USAGE: &str = "\
chkconfig version 1.3.49.3 - Copyright (C) 1997-2000 Red Hat, Inc.
This may be freely redistributed under the terms of the GNU Public License.

usage:   chkconfig [--list] [--type <type>] [name]
         chkconfig --add <name>
         chkconfig --del <name>
         chkconfig --override <name>
         chkconfig [--level <levels>] [--type <type>] <name> <on|off|reset|resetpriorities>
";

/// The services cgsim has, with their `chkconfig:` start and stop priorities.
const SERVICES: &[(&str, u32, u32)] = &[("cgconfig", 5, 95), ("cgred", 14, 86)];

const CGCONFIG_LOCK: &str = "/var/lock/subsys/cgconfig";
const CGRED_LOCK: &str = "/var/lock/subsys/cgred";
const CGRED_PIDFILE: &str = "/var/run/cgred.pid";

/// `echo_success`, `echo_failure`, `echo_warning` with `BOOTUP=color`.
fn box_of(word: &str, colour: &str) -> String {
    format!("\x1b[60G[\x1b[{colour}m{word}\x1b[0;39m]\r")
}

fn ok_box() -> String {
    box_of("  OK  ", "0;32")
}

fn failed_box() -> String {
    box_of("FAILED", "0;31")
}

fn warning_box() -> String {
    box_of("WARNING", "0;33")
}

/// `echo -n $*`: the words joined by single blanks.
fn words(msg: &str) -> String {
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Ctx<'a> {
    sh: &'a mut Shell,
    pid: Pid,
}

impl Ctx<'_> {
    fn out(&mut self, text: &str) {
        let _ = self.sh.out(self.pid, text);
    }

    /// `log_success_msg MSG`.
    fn log_success(&mut self, msg: &str) {
        let text = format!("{}{}\n", words(msg), ok_box());
        self.out(&text);
    }

    /// `log_failure_msg MSG`.
    fn log_failure(&mut self, msg: &str) {
        let text = format!("{}{}\n", words(msg), failed_box());
        self.out(&text);
    }

    /// `log_warning_msg MSG`.
    fn log_warning(&mut self, msg: &str) {
        let text = format!("{}{}\n", words(msg), warning_box());
        self.out(&text);
    }

    fn exists(&self, path: &str) -> bool {
        self.sh.kernel().stat(self.pid, path).is_ok()
    }

    fn read(&self, path: &str) -> Option<String> {
        super::nss::read_file(self.sh.kernel(), self.pid, path)
            .ok()
            .map(|d| String::from_utf8_lossy(&d).into_owned())
    }

    /// `touch PATH` (and the directories `mkdir -p` would make): `false` on failure.
    fn touch(&mut self, path: &str, text: &str) -> bool {
        let k = self.sh.kernel().clone();
        let mut dir = String::new();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for p in &parts[..parts.len().saturating_sub(1)] {
            dir = format!("{dir}/{p}");
            let _ = k.mkdir(self.pid, &dir, 0o755);
        }
        match k.open(self.pid, path, OpenFlags::REDIRECT_TRUNC, 0o644) {
            Ok(fd) => {
                let ok = text.is_empty() || k.write(self.pid, fd, text.as_bytes()).is_ok();
                let _ = k.close(self.pid, fd);
                ok
            }
            Err(_) => false,
        }
    }

    fn rm(&mut self, path: &str) {
        let _ = self.sh.kernel().unlink(self.pid, path);
    }

    /// A line of the script run by the shell (the tools it calls), as the script's process.
    fn run(&mut self, script: &str) -> i32 {
        self.sh.run_subshell_script(self.pid, script)
    }

    /// `VAR=value` from a sourced configuration file (the last assignment wins; quotes
    /// dropped).
    fn sourced(&self, path: &str, var: &str) -> Option<String> {
        let text = self.read(path)?;
        let mut v = None;
        for l in text.lines() {
            let l = l.trim();
            if let Some(rest) = l.strip_prefix(var).and_then(|r| r.strip_prefix('=')) {
                v = Some(rest.trim_matches('"').trim_matches('\'').to_string());
            }
        }
        v
    }
}

fn service(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut c = Ctx { sh, pid };
    let Some(name) = argv.get(1) else {
        c.sh.write_err(pid, SERVICE_USAGE);
        return 1;
    };
    match name.as_str() {
        "--status-all" => {
            for (s, _, _) in SERVICES {
                run_script(&mut c, s, "status");
            }
            0
        }
        "--help" | "-h" => {
            c.sh.write_err(pid, SERVICE_USAGE);
            1
        }
        "--version" | "-V" => {
            c.out("service ver. 0.91\n");
            0
        }
        _ if SERVICES.iter().any(|(s, _, _)| s == name) => {
            let action = argv.get(2).map_or("", String::as_str);
            if action == "--full-restart" {
                run_script(&mut c, name, "stop");
                return run_script(&mut c, name, "start");
            }
            run_script(&mut c, name, action)
        }
        _ => {
            c.sh.write_err(pid, &format!("{name}: unrecognized service\n"));
            1
        }
    }
}

fn run_script(c: &mut Ctx, name: &str, action: &str) -> i32 {
    match name {
        "cgconfig" => cgconfig(c, action),
        _ => cgred(c, action),
    }
}

// ---- /etc/init.d/cgconfig -------------------------------------------------------------------

fn cgconfig(c: &mut Ctx, action: &str) -> i32 {
    match action {
        "start" => cgconfig_start(c),
        "stop" => cgconfig_stop(c),
        "restart" | "reload" => {
            cgconfig_stop(c);
            cgconfig_start(c)
        }
        "condrestart" => {
            if c.exists(CGCONFIG_LOCK) {
                cgconfig_stop(c);
                return cgconfig_start(c);
            }
            0
        }
        "status" => {
            if c.exists(CGCONFIG_LOCK) {
                c.out("Running\n");
                0
            } else {
                c.out("Stopped\n");
                3
            }
        }
        _ => {
            c.out("/etc/init.d/cgconfig <start|stop|restart|condrestart|status>\n");
            2
        }
    }
}

fn cgconfig_start(c: &mut Ctx) -> i32 {
    c.out("Starting cgconfig service: ");
    if c.exists(CGCONFIG_LOCK) {
        c.log_warning("lock file already exists");
        return 0;
    }
    // `[ ! -s $CONFIG_FILE ]`.
    if c.read("/etc/cgconfig.conf").is_none_or(|t| t.is_empty()) {
        c.log_failure("/etc/cgconfig.conf is not configured");
        return 6;
    }
    if c.run("cgconfigparser -l /etc/cgconfig.conf") != 0 {
        c.log_failure("Failed to parse /etc/cgconfig.conf");
        return 1;
    }
    let create_default = c
        .sourced("/etc/sysconfig/cgconfig", "CREATE_DEFAULT")
        .unwrap_or_else(|| "yes".to_string());
    if create_default == "yes" {
        create_default_groups(c);
    }
    if !c.touch(CGCONFIG_LOCK, "") {
        c.log_failure(&format!("Failed to touch {CGCONFIG_LOCK}"));
        return 1;
    }
    c.log_success("");
    0
}

/// `create_default_groups`.
fn create_default_groups(c: &mut Ctx) {
    // `grep -m1 '^\*[[:space:]]\+' /etc/cgrules.conf`, read as `user ctrl defaultcgroup`.
    let mut default = String::new();
    if let Some(rules) = c.read("/etc/cgrules.conf") {
        let first = rules
            .lines()
            .find(|l| l.starts_with('*') && l[1..].starts_with([' ', '\t']));
        if let Some(l) = first {
            default = l.split_whitespace().nth(2).unwrap_or("").to_string();
            if default == "*" {
                c.log_warning("/etc/cgrules.conf incorrect");
                c.log_warning("Overriding it");
                default.clear();
            }
        }
    }
    if default.is_empty() {
        default = "sysdefault/".to_string();
    }
    let script = format!(
        "controllers=`lssubsys 2>/dev/null | tr '\\n' ',' | sed s/.$//`\n\
         cgcreate -f 664 -d 775 -g $controllers:{default} 2>/dev/null\n\
         if echo $controllers | grep -q -w cpuset; then\n\
         cpus=`cgget -nv -r cpuset.cpus /`\n\
         cgset -r cpuset.cpus=$cpus {default}\n\
         mems=`cgget -nv -r cpuset.mems /`\n\
         cgset -r cpuset.mems=$mems {default}\n\
         fi\n\
         cgclassify -g $controllers:{default} `ps --no-headers -e -o pid` 2>/dev/null || :\n"
    );
    c.run(&script);
}

fn cgconfig_stop(c: &mut Ctx) -> i32 {
    c.out("Stopping cgconfig service: ");
    c.run("cgclear");
    c.rm(CGCONFIG_LOCK);
    c.log_success("");
    0
}

// ---- /etc/init.d/cgred ----------------------------------------------------------------------

/// The daemon's pid from its pid file, if that process is alive (`__pids_var_run`).
fn cgred_pid(c: &Ctx) -> (bool, Option<i32>) {
    let Some(text) = c.read(CGRED_PIDFILE) else {
        return (false, None);
    };
    let live = text
        .split_whitespace()
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|p| c.exists(&format!("/proc/{p}")));
    (true, live)
}

fn cgred(c: &mut Ctx, action: &str) -> i32 {
    match action {
        "start" => cgred_start(c),
        "stop" => cgred_stop(c),
        "restart" => {
            cgred_stop(c);
            cgred_start(c)
        }
        "condrestart" => {
            if c.exists(CGRED_LOCK) {
                cgred_stop(c);
                return cgred_start(c);
            }
            0
        }
        "status" => {
            // `status -p /var/run/cgred.pid cgred`.
            match cgred_pid(c) {
                (_, Some(p)) => {
                    c.out(&format!("cgred (pid  {p}) is running...\n"));
                    0
                }
                (true, None) => {
                    c.out("cgred dead but pid file exists\n");
                    1
                }
                (false, None) if c.exists(CGRED_LOCK) => {
                    c.out("cgred dead but subsys locked\n");
                    2
                }
                _ => {
                    c.out("cgred is stopped\n");
                    3
                }
            }
        }
        "reload" | "flash" => {
            if c.exists(CGRED_LOCK) {
                c.out("Reloading rules configuration...\n");
                let sent = match cgred_pid(c).1 {
                    Some(p) => {
                        let k = c.sh.kernel().clone();
                        k.kill(c.pid, Pid(p), Signal::SIGUSR2).is_ok()
                    }
                    None => false,
                };
                if sent {
                    c.log_success("");
                    0
                } else {
                    c.log_failure("");
                    1
                }
            } else {
                c.log_failure("cgred is not running.");
                0
            }
        }
        _ => {
            c.out("Usage: /etc/init.d/cgred {start|stop|status|restart|condrestart|reload}\n");
            2
        }
    }
}

fn cgred_start(c: &mut Ctx) -> i32 {
    c.out("Starting CGroup Rules Engine Daemon: ");
    if c.exists(CGRED_LOCK) {
        let pid = c.read(CGRED_PIDFILE).unwrap_or_default();
        c.log_failure(&format!("cgred is already running with PID {}", pid.trim()));
        return 0;
    }
    let mounts = c.read("/proc/mounts").unwrap_or_default();
    if !mounts
        .lines()
        .any(|l| l.split_whitespace().nth(2) == Some("cgroup"))
    {
        c.out("\n");
        c.log_failure("Cannot find cgroups, is cgconfig service running?");
        return 1;
    }
    // OPTIONS from /etc/sysconfig/cgred.conf.
    let conf = "/etc/sysconfig/cgred.conf";
    let mut options = String::new();
    if c.exists(conf) {
        let get = |v: &str| c.sourced(conf, v).unwrap_or_default();
        options = format!("{} {}", get("NODAEMON"), get("LOG"));
        let log_file = get("LOG_FILE");
        if !log_file.is_empty() {
            options.push_str(&format!(" --logfile={log_file}"));
        }
        let user = get("SOCKET_USER");
        if !user.is_empty() {
            options.push_str(&format!(" -u {user}"));
        }
        let group = get("SOCKET_GROUP");
        if !group.is_empty() {
            options.push_str(&format!(" -g {group}"));
        }
    }
    // `daemon --check cgred --pidfile /var/run/cgred.pid /usr/sbin/cgrulesengd $OPTIONS`:
    // nothing to do if the pid file names a live process.
    let status = if cgred_pid(c).1.is_some() {
        0
    } else {
        c.run(&format!("cgrulesengd {options}"))
    };
    if status == 0 {
        c.out(&ok_box());
    } else {
        c.out(&failed_box());
    }
    c.out("\n");
    if status != 0 {
        return 7;
    }
    if !c.touch(CGRED_LOCK, "") {
        return 1;
    }
    // `echo "`pidof cgrulesengd`" > $pidfile`.
    let pids: Vec<String> =
        c.sh.kernel()
            .ps()
            .into_iter()
            .filter(|p| p.comm == "cgrulesengd" && p.state != cgsim_cgroupfs::ProcState::Zombie)
            .map(|p| p.pid.0)
            .rev()
            .map(|p| p.to_string())
            .collect();
    c.touch(CGRED_PIDFILE, &format!("{}\n", pids.join(" ")));
    0
}

fn cgred_stop(c: &mut Ctx) -> i32 {
    c.out("Stopping CGroup Rules Engine Daemon...");
    if !c.exists(CGRED_PIDFILE) {
        c.log_success("");
        return 0;
    }
    // `killproc -p $pidfile -TERM cgrulesengd`.
    match cgred_pid(c).1 {
        Some(p) => {
            let k = c.sh.kernel().clone();
            if k.kill(c.pid, Pid(p), Signal::SIGTERM).is_ok() {
                k.run_until_idle();
                c.out(&ok_box());
            } else {
                c.out(&failed_box());
            }
        }
        None => c.out(&failed_box()),
    }
    c.out("\n");
    c.rm(CGRED_LOCK);
    c.rm(CGRED_PIDFILE);
    0
}

// ---- chkconfig ------------------------------------------------------------------------------

/// The runlevels a service starts in, from its `/etc/rc.d/rcN.d/S*` entries.
fn levels_on(c: &Ctx, name: &str) -> [bool; 7] {
    let mut on = [false; 7];
    let (_, start, _) = SERVICES
        .iter()
        .find(|(s, _, _)| *s == name)
        .copied()
        .unwrap_or(("", 0, 0));
    for (l, slot) in on.iter_mut().enumerate() {
        *slot = c.exists(&format!("/etc/rc.d/rc{l}.d/S{start:02}{name}"));
    }
    on
}

fn set_levels(c: &mut Ctx, name: &str, levels: &[usize], on: bool) {
    let (_, start, stop) = SERVICES
        .iter()
        .find(|(s, _, _)| *s == name)
        .copied()
        .unwrap_or(("", 0, 0));
    for &l in levels {
        let s = format!("/etc/rc.d/rc{l}.d/S{start:02}{name}");
        let k = format!("/etc/rc.d/rc{l}.d/K{stop:02}{name}");
        c.rm(&s);
        c.rm(&k);
        c.touch(if on { &s } else { &k }, "");
    }
}

fn list_line(c: &Ctx, name: &str) -> String {
    let on = levels_on(c, name);
    let mut line = format!("{name:<15}");
    for (l, v) in on.iter().enumerate() {
        line.push_str(&format!("\t{l}:{}", if *v { "on" } else { "off" }));
    }
    line.push('\n');
    line
}

fn chkconfig(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut c = Ctx { sh, pid };
    let args = &argv[1..];
    let unknown = |c: &mut Ctx, name: &str| {
        c.sh.write_err(
            c.pid,
            &format!("error reading information on service {name}: No such file or directory\n"),
        );
        1
    };
    match args.first().map(String::as_str) {
        Some("--list") => match args.get(1) {
            None => {
                for (s, _, _) in SERVICES {
                    let line = list_line(&c, s);
                    c.out(&line);
                }
                0
            }
            Some(n) if SERVICES.iter().any(|(s, _, _)| s == n) => {
                let line = list_line(&c, n);
                c.out(&line);
                0
            }
            Some(n) => {
                c.sh.write_err(
                    pid,
                    &format!(
                        "service {n} supports chkconfig, but is not referenced in any runlevel (run 'chkconfig --add {n}')\n"
                    ),
                );
                1
            }
        },
        Some("--add" | "--del" | "--override") => match args.get(1) {
            Some(n) if SERVICES.iter().any(|(s, _, _)| s == n) => {
                if args[0] == "--del" {
                    for l in 0..7 {
                        let (_, start, stop) =
                            SERVICES.iter().find(|(s, _, _)| s == n).copied().unwrap();
                        c.rm(&format!("/etc/rc.d/rc{l}.d/S{start:02}{n}"));
                        c.rm(&format!("/etc/rc.d/rc{l}.d/K{stop:02}{n}"));
                    }
                } else if !levels_on(&c, n).iter().any(|v| *v) {
                    // `chkconfig: -`: off in every runlevel.
                    set_levels(&mut c, n, &[0, 1, 2, 3, 4, 5, 6], false);
                }
                0
            }
            Some(n) => unknown(&mut c, n),
            None => {
                c.sh.write_err(pid, CHKCONFIG_USAGE);
                1
            }
        },
        Some("--help") => {
            c.sh.write_err(pid, CHKCONFIG_USAGE);
            1
        }
        Some(_) => {
            let mut i = 0;
            let mut levels: Vec<usize> = vec![2, 3, 4, 5];
            if args[0] == "--level" {
                let Some(spec) = args.get(1) else {
                    c.sh.write_err(pid, CHKCONFIG_USAGE);
                    return 1;
                };
                levels = Vec::new();
                for ch in spec.chars() {
                    match ch.to_digit(10) {
                        Some(d) if d <= 6 => levels.push(d as usize),
                        _ => {
                            c.sh.write_err(pid, "chkconfig: bad argument to --level\n");
                            return 1;
                        }
                    }
                }
                i = 2;
            }
            let Some(name) = args.get(i) else {
                c.sh.write_err(pid, CHKCONFIG_USAGE);
                return 1;
            };
            if !SERVICES.iter().any(|(s, _, _)| s == name) {
                return unknown(&mut c, name);
            }
            match args.get(i + 1).map(String::as_str) {
                // `chkconfig NAME`: whether it starts in the current runlevel (3).
                None => {
                    if levels_on(&c, name)[3] {
                        0
                    } else {
                        1
                    }
                }
                Some("on") => {
                    set_levels(&mut c, name, &levels, true);
                    0
                }
                Some("off") => {
                    set_levels(&mut c, name, &levels, false);
                    0
                }
                Some("reset" | "resetpriorities") => {
                    set_levels(&mut c, name, &levels, false);
                    0
                }
                Some(_) => {
                    c.sh.write_err(pid, CHKCONFIG_USAGE);
                    1
                }
            }
        }
        None => {
            c.sh.write_err(pid, CHKCONFIG_USAGE);
            1
        }
    }
}
