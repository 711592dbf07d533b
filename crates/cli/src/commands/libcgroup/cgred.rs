//! `cgrulesengd`, libcgroup v0.41's rules engine daemon (`src/daemon/cgrulesengd.c`): it
//! caches `/etc/cgrules.conf`, listens to the kernel's process events connector and moves a
//! process by the rules when it execs or changes its uid or gid (`cgre_process_event`); a
//! forked child is moved only if its parent was being moved at that moment, which the
//! simulator's one-step events never show.
//!
//! **Follows:** the option parsing and start-up checks of `main` (root only, `cgroup_init`,
//! the rules cache), `daemon()` (the command returns at once and the daemon lives on as a
//! child of init, comm `cgrulesengd`), SIGUSR2 reloading the rules, SIGTERM and SIGINT ending
//! it (removing its socket), and the unchanged-process list `cgexec` and `cgclassify
//! --sticky` fill (`cgre_store_unchanged_process`): such a process is not moved, and with
//! `CGROUP_DAEMON_UNCHANGE_CHILDREN` neither are the children it forks.
//! `-n`/`--nodaemon` keeps the daemon in the foreground as the process that ran the command
//! (`cgrulesengd -n &` runs it as a background job); `-d` is `-n` with the log on standard
//! output at `LOG_DEBUG`; `-v`, `-q`, `-Q` set the level (`LOG_ERR` by default) and `-f FILE`
//! (`--logfile`) appends the log to FILE (`-` is standard output). The log has the daemon's
//! own `flog` lines of 0.41 (`CGroup Rules Engine Daemon log started`, `Current time:`,
//! `Opened log file:`, `Proceeding with PID`, the rules table (`cgroup_print_rules_config`)
//! from `LOG_INFO`, `Started the CGroup Rules Engine Daemon.`, the netlink and socket set-up
//! lines, `EXEC Event:`/`UID Event:`/`GID Event:`, `Cgroup change for PID: ... OK`, `Store the
//! unchanged process`, `Stopped CGroup Rules Engine Daemon at`).
//! **Differences:** the unix socket `/var/run/cgred.socket` is a regular file: a tool appends
//! `PID FLAGS` lines and the daemon reads what is new before each event; syslog is not
//! written; libcgroup's own debug lines (`cgroup_dbg` inside `cgroup_change_cgroup_flags`:
//! `Found matching rule ...`, `Executing rule ...`) are not in the `-d` log; the processes
//! already running when the daemon starts are not classified (`cgroup_change_all_cgroups`).

use super::api::{self, Lib};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use super::rules::{self, Rule};
use crate::Shell;
use crate::commands::{Kind, Registry, nss};
use cgsim_cgroupfs::{Fd, Kernel, OpenFlags, ProcEvent, Program, Signal, Step};
use cgsim_ktypes::Pid;
use std::collections::BTreeMap;

/// `CGRULE_CGRED_SOCKET_PATH`.
pub const SOCKET: &str = "/var/run/cgred.socket";
/// `CGROUP_DAEMON_UNCHANGE_CHILDREN`.
pub const UNCHANGE_CHILDREN: i32 = 0x1;
/// `CGROUP_DAEMON_CANCEL_UNCHANGE_PROCESS`.
pub const CANCEL_UNCHANGE_PROCESS: i32 = 0x2;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgrulesengd",
        "cgrulesengd [-q|-v] [-Q] [-n] [-d] [-f FILE] [-s[FACILITY]] [-u USER] [-g GROUP]",
        "libcgroup: the daemon that moves processes by /etc/cgrules.conf",
        Kind::External(cgrulesengd),
    );
    r.set_help("cgrulesengd", HELP);
}

/// `usage(stdout, "Help:\n")`.
pub const HELP: &str = "Help:

cgrulesengd -- a daemon for the cgroups rules engine

Usage : cgrulesengd [options]

  options :
    -q           | --quiet             quiet mode
    -v           | --verbose           verbose mode
    -f <path>    | --logfile=<path>    write log to file
    -s[facility] | --syslog=[facility] write log to syslog
    -n           | --nodaemom          don't fork daemon
    -d           | --debug             same as -v -v -n -f -
    -Q           | --nolog             disable logging
    -u <user>    | --socket-user=<user> set /var/run/cgred.socket socket user
    -g <group>   | --socket-group=<group> set /var/run/cgred.socket socket group
    -h           | --help              show this help

";

/// The usage text after `msg` (`usage(stderr, msg)`).
fn usage_after(msg: &str) -> String {
    let body = HELP.strip_prefix("Help:\n").unwrap_or(HELP);
    format!("{msg}{body}")
}

/// `cgre_parse_syslog_facility`: `0`–`7` are `local0`–`local7`, `D` is `daemon`.
fn syslog_facility_ok(s: &str) -> bool {
    s.len() == 1 && (s.as_bytes()[0].is_ascii_digit() && s.as_bytes()[0] < b'8' || s == "D")
}

fn cgrulesengd(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    let uid = lib
        .k
        .ps()
        .into_iter()
        .find(|p| p.pid == pid)
        .map_or(0, |p| p.cred.uid.0);
    if uid != 0 {
        lib.err("Error: Only root can start/stop the control group rules engine daemon\n");
        return 1;
    }
    let longs = [
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
        LongOpt {
            name: "verbose",
            has_arg: HasArg::No,
            val: 'v' as i32,
        },
        LongOpt {
            name: "quiet",
            has_arg: HasArg::No,
            val: 'q' as i32,
        },
        LongOpt {
            name: "logfile",
            has_arg: HasArg::Required,
            val: 'f' as i32,
        },
        LongOpt {
            name: "syslog",
            has_arg: HasArg::No,
            val: 's' as i32,
        },
        LongOpt {
            name: "nodaemon",
            has_arg: HasArg::No,
            val: 'n' as i32,
        },
        LongOpt {
            name: "debug",
            has_arg: HasArg::No,
            val: 'd' as i32,
        },
        LongOpt {
            name: "nolog",
            has_arg: HasArg::No,
            val: 'Q' as i32,
        },
        LongOpt {
            name: "socket-user",
            has_arg: HasArg::Required,
            val: 'u' as i32,
        },
        LongOpt {
            name: "socket-group",
            has_arg: HasArg::Required,
            val: 'g' as i32,
        },
    ];
    let (opts, _operands) = getopt_long(argv, "hvqf:sndQu:g:", &longs);
    // `main`'s option state: verbosity 1 is LOG_ERR; `-d` is `-n`, verbosity 4, `-f -`.
    let mut verbosity: i32 = 1;
    let mut logp: Option<String> = None;
    let mut daemon = true;
    let mut facility: i32 = 0;
    let (mut socket_user, mut socket_group) = (-1i64, -1i64);
    for o in opts {
        match o {
            Got::Opt(c, arg, _) => match char::from_u32(c as u32) {
                Some('h') => {
                    lib.out(HELP);
                    return 0;
                }
                Some('s') => {
                    if let Some(f) = arg {
                        if !syslog_facility_ok(&f) {
                            lib.err(&format!("Unknown syslog facility: {f}\n"));
                            return 2;
                        }
                        // LOG_LOCAL0..7 are (16 + n) << 3; `D` is LOG_DAEMON.
                        facility = match f.parse::<i32>() {
                            Ok(n) => (16 + n) << 3,
                            Err(_) => LOG_DAEMON,
                        };
                    } else {
                        facility = LOG_DAEMON;
                    }
                }
                Some('v') => verbosity += 1,
                Some('q') => verbosity -= 1,
                Some('Q') => verbosity = 0,
                Some('f') => logp = arg,
                Some('n') => daemon = false,
                Some('d') => {
                    daemon = false;
                    verbosity = 4;
                    logp = Some("-".to_string());
                }
                Some('u') => {
                    let name = arg.unwrap_or_default();
                    match nss::getpwnam(&lib.k, pid, &name) {
                        Some(pw) => socket_user = i64::from(pw.uid),
                        None => {
                            lib.err(&usage_after(&format!("Cannot find user {name}")));
                            return 3;
                        }
                    }
                }
                Some('g') => {
                    let name = arg.unwrap_or_default();
                    match nss::getgrnam(&lib.k, pid, &name) {
                        Some(gr) => socket_group = i64::from(gr.gid),
                        None => {
                            lib.err(&usage_after(&format!("Cannot find group {name}")));
                            return 3;
                        }
                    }
                }
                _ => {}
            },
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.err(&usage_after(""));
                return 2;
            }
        }
    }
    let ret = lib.init();
    if ret != 0 {
        let msg = format!(
            "Error: libcgroup initialization failed, {}\n",
            lib.strerror(ret)
        );
        lib.err(&msg);
        return api::status(ret);
    }
    let rules = match rules::parse_rules(&lib.k, pid, true, u32::MAX, u32::MAX, None) {
        rules::Parsed::Rules(r) => Some(r),
        rules::Parsed::Error(msg) => {
            lib.log_err(&msg);
            None
        }
    };
    let Some(rules) = rules else {
        let msg = format!(
            "Error: libcgroup failed to initialize rulescache from {}. {}\n",
            rules::CGRULES_CONF,
            lib.strerror(rules::ECGROUPPARSEFAIL)
        );
        lib.err(&msg);
        return api::status(rules::ECGROUPPARSEFAIL);
    };
    let k = lib.k.clone();
    // cgre_start_daemon: fork, the parent exits 0, the child goes on; with -n the process
    // itself is the daemon.
    let child = if daemon {
        let Ok(child) = k.fork(pid) else {
            lib.err("Error: Failed to launch the daemon, Cgroup operation failed\n");
            return api::status(api::ECGFAIL);
        };
        let _ = k.execve(child, "cgrulesengd");
        let _ = k.set_cmdline(child, argv);
        child
    } else {
        pid
    };
    // cgre_start_log: no file and no facility means syslog's LOG_DAEMON.
    if logp.is_none() && facility == 0 {
        facility = LOG_DAEMON;
    }
    let dest = match logp.as_deref() {
        None => None,
        Some("-") => Some(LogDest::Stdout),
        Some(path) => {
            let flags = OpenFlags {
                create: true,
                ..OpenFlags::REDIRECT_APPEND
            };
            match k.open(child, path, flags, 0o666) {
                Ok(fd) => {
                    let _ = k.close(child, fd);
                    Some(LogDest::File(path.to_string()))
                }
                Err(e) => {
                    lib.err(&format!(
                        "Failed to open log file {path}, error: {}. Continuing anyway.\n",
                        e.errno.strerror()
                    ));
                    Some(LogDest::Stdout)
                }
            }
        }
    };
    let log = Log {
        dest,
        level: LOGLEVELS[verbosity.clamp(0, 4) as usize],
    };
    log.flog(
        &k,
        child,
        LOG_DEBUG,
        "CGroup Rules Engine Daemon log started\n",
    );
    log.flog(
        &k,
        child,
        LOG_DEBUG,
        &format!("Current time: {}\n", ctime(&k)),
    );
    log.flog(
        &k,
        child,
        LOG_DEBUG,
        &format!(
            "Opened log file: {}, log facility: {facility},log level: {}\n",
            logp.as_deref().unwrap_or("(null)"),
            log.level
        ),
    );
    log.flog(
        &k,
        child,
        LOG_INFO,
        &format!("Proceeding with PID {child}\n"),
    );
    if log.dest.is_some() && log.level >= LOG_INFO {
        log.write(&k, child, &rules::print_rules_config(&rules));
    }
    log.flog(
        &k,
        child,
        LOG_INFO,
        "Started the CGroup Rules Engine Daemon.\n",
    );
    log.flog(
        &k,
        child,
        LOG_DEBUG,
        "Sending proc connector: PROC_CN_MCAST_LISTEN...\n",
    );
    // NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op)), sizeof(struct cn_msg).
    log.flog(
        &k,
        child,
        LOG_DEBUG,
        "Sending netlink message len=40, cn_msg len=20\n",
    );
    log.flog(&k, child, LOG_DEBUG, "Message sent\n");
    let events = match k.cn_proc_listen(child) {
        Ok(fd) => fd,
        Err(_) => {
            let _ = k.kill(pid, child, Signal::SIGKILL);
            lib.err("Error: Failed to launch the daemon, Cgroup operation failed\n");
            return api::status(api::ECGFAIL);
        }
    };
    // cgre_create_netlink_socket_process_msg: the unix socket the tools register with.
    let _ = k.mkdir(child, "/var", 0o755);
    let _ = k.mkdir(child, "/var/run", 0o755);
    if let Ok(fd) = k.open(child, SOCKET, OpenFlags::REDIRECT_TRUNC, 0o666) {
        let _ = k.close(child, fd);
    }
    log.flog(
        &k,
        child,
        LOG_DEBUG,
        &format!("Socket {SOCKET} owner successfully set to {socket_user}:{socket_group}\n"),
    );
    let program = Box::new(Daemon {
        events,
        rules,
        buf: String::new(),
        socket_pos: 0,
        unchanged: BTreeMap::new(),
        reload: false,
        term: false,
        log,
    });
    if daemon {
        k.spawn_program(child, program);
    } else {
        // The process that ran the command becomes the daemon (no fork).
        lib.sh.exec_program = Some(program);
    }
    0
}

/// syslog's levels and `LOG_DAEMON`.
const LOG_ERR: i32 = 3;
const LOG_WARNING: i32 = 4;
const LOG_INFO: i32 = 6;
const LOG_DEBUG: i32 = 7;
const LOG_DAEMON: i32 = 3 << 3;

/// `cgre_start_log`'s `loglevels[verbosity]`: `-q`, default, `-v`, `-vv`, `-vvv` (`-d`).
const LOGLEVELS: [i32; 5] = [0, LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG];

/// Where `flog` writes besides syslog: standard output (`-f -`, `-d`) or a file.
enum LogDest {
    Stdout,
    File(String),
}

/// The daemon's log: `flog_write` without syslog.
struct Log {
    dest: Option<LogDest>,
    level: i32,
}

impl Log {
    /// `flog(level, ...)`.
    fn flog(&self, k: &Kernel, pid: Pid, level: i32, msg: &str) {
        if level <= self.level {
            self.write(k, pid, msg);
        }
    }

    /// Write to the log stream (`vfprintf` + `fflush`).
    fn write(&self, k: &Kernel, pid: Pid, msg: &str) {
        match &self.dest {
            None => {}
            Some(LogDest::Stdout) => {
                let _ = k.write(pid, Fd(1), msg.as_bytes());
            }
            Some(LogDest::File(path)) => {
                if let Ok(fd) = k.open(pid, path, OpenFlags::REDIRECT_APPEND, 0o666) {
                    let _ = k.write(pid, fd, msg.as_bytes());
                    let _ = k.close(pid, fd);
                }
            }
        }
    }
}

/// `ctime(&tm)` of the simulated clock, with its newline.
fn ctime(k: &Kernel) -> String {
    let t = crate::commands::coreutils::date::BOOT_EPOCH
        + (k.clock().now_nanos() / 1_000_000_000) as i64;
    format!(
        "{}\n",
        crate::commands::coreutils::date::strftime("%a %b %e %H:%M:%S %Y", t, 0)
    )
}

/// `cgroup_init_rules_cache`: every rule, or `None` for a file that does not parse.
fn load_rules(k: &Kernel, pid: Pid) -> Option<Vec<Rule>> {
    match rules::parse_rules(k, pid, true, u32::MAX, u32::MAX, None) {
        rules::Parsed::Rules(r) => Some(r),
        rules::Parsed::Error(_) => None,
    }
}

/// `cgroup_register_unchanged_process`: tell a running daemon to leave `target` alone
/// (`flags`: [`UNCHANGE_CHILDREN`], or [`CANCEL_UNCHANGE_PROCESS`] to undo). Without the
/// daemon's socket this does nothing and succeeds, as in 0.41.
pub fn register_unchanged_process(k: &Kernel, me: Pid, target: i32, flags: i32) {
    if let Ok(fd) = k.open(
        me,
        SOCKET,
        OpenFlags {
            create: false,
            ..OpenFlags::REDIRECT_APPEND
        },
        0,
    ) {
        let _ = k.write(me, fd, format!("{target} {flags}\n").as_bytes());
        let _ = k.close(me, fd);
    }
}

/// The running daemon.
struct Daemon {
    events: Fd,
    rules: Vec<Rule>,
    /// A partial event line.
    buf: String,
    /// How much of the socket file has been read.
    socket_pos: usize,
    /// `unchanged_pids`: pid → flags.
    unchanged: BTreeMap<i32, i32>,
    /// SIGUSR2 arrived: reload the rules (`cgre_flash_rules`).
    reload: bool,
    /// SIGTERM or SIGINT arrived (`cgre_catch_term`).
    term: bool,
    log: Log,
}

impl Daemon {
    /// `cgre_receive_unix_domain_msg` for every registration written since the last look.
    fn read_socket(&mut self, k: &Kernel, me: Pid) {
        let Ok(data) = nss::read_file(k, me, SOCKET) else {
            return;
        };
        let text = String::from_utf8_lossy(&data);
        let new = text.get(self.socket_pos..).unwrap_or("").to_string();
        self.socket_pos = text.len();
        for l in new.lines() {
            let mut w = l.split_whitespace().map(|x| x.parse::<i32>().ok());
            if let (Some(Some(pid)), Some(Some(flags))) = (w.next(), w.next()) {
                if flags == CANCEL_UNCHANGE_PROCESS {
                    if self.unchanged.remove(&pid).is_some() {
                        self.log.flog(
                            k,
                            me,
                            LOG_DEBUG,
                            &format!("Remove the unchanged process (PID: {pid})\n"),
                        );
                    }
                } else if let std::collections::btree_map::Entry::Vacant(e) =
                    self.unchanged.entry(pid)
                {
                    // cgre_store_unchanged_process: a pid stored already is left as it is.
                    e.insert(flags);
                    self.log.flog(
                        k,
                        me,
                        LOG_DEBUG,
                        &format!("Store the unchanged process (PID: {pid}, FLAGS: {flags})\n"),
                    );
                }
            }
        }
    }

    /// `cgre_process_event`.
    fn process(&mut self, k: &Kernel, me: Pid, ev: ProcEvent) {
        // cgre_handle_msg's debug lines (a thread group's tGID is its pid here).
        match ev {
            ProcEvent::Uid(p, r, e) => self.log.flog(
                k,
                me,
                LOG_DEBUG,
                &format!("UID Event: PID = {p}, tGID = {p}, rUID = {r}, eUID = {e}\n"),
            ),
            ProcEvent::Gid(p, r, e) => self.log.flog(
                k,
                me,
                LOG_DEBUG,
                &format!("GID Event: PID = {p}, tGID = {p}, rGID = {r}, eGID = {e}\n"),
            ),
            ProcEvent::Exec(p) => self.log.flog(
                k,
                me,
                LOG_DEBUG,
                &format!("EXEC Event: PID = {p}, tGID = {p}\n"),
            ),
            _ => {}
        }
        let (target, id_change) = match ev {
            ProcEvent::Uid(p, _, e) => (p, Some((Some(e), None))),
            ProcEvent::Gid(p, _, e) => (p, Some((None, Some(e)))),
            ProcEvent::Exec(p) => (p, None),
            ProcEvent::Fork(parent, child) => {
                // cgre_is_unchanged_child: the sticky flag passes to the child.
                if self
                    .unchanged
                    .get(&parent.0)
                    .is_some_and(|f| f & UNCHANGE_CHILDREN != 0)
                    && let std::collections::btree_map::Entry::Vacant(e) =
                        self.unchanged.entry(child.0)
                {
                    e.insert(UNCHANGE_CHILDREN);
                    self.log.flog(
                        k,
                        me,
                        LOG_DEBUG,
                        &format!(
                            "Store the unchanged process (PID: {child}, FLAGS: {UNCHANGE_CHILDREN})\n"
                        ),
                    );
                }
                return;
            }
            ProcEvent::Exit(p) => {
                if self.unchanged.remove(&p.0).is_some() {
                    self.log.flog(
                        k,
                        me,
                        LOG_DEBUG,
                        &format!("Remove the unchanged process (PID: {p})\n"),
                    );
                }
                return;
            }
        };
        if target == me || self.unchanged.contains_key(&target.0) {
            return;
        }
        let Some((mut euid, mut egid, name)) = rules::proc_ids(k, me, target.0) else {
            return;
        };
        if let Some((u, g)) = id_change {
            euid = u.unwrap_or(euid);
            egid = g.unwrap_or(egid);
        }
        let ok = format!(
            "Cgroup change for PID: {target}, UID: {euid}, GID: {egid}, PROCNAME: {name} OK\n"
        );
        let Some(at) = rules::find_matching_rule(k, me, &self.rules, euid, egid, Some(&name))
        else {
            // No rule: `cgroup_change_cgroup_flags` succeeds without moving anything.
            self.log.flog(k, me, LOG_INFO, &ok);
            return;
        };
        for rule in rules::with_continuations(&self.rules, at) {
            let dest = rules::expand_destination(
                k,
                me,
                &rule.destination,
                euid,
                egid,
                Some(&name),
                target.0,
            );
            let ret = rules::move_to(k, me, &rule, &dest, target.0);
            if ret != 0 {
                self.log.flog(
                    k,
                    me,
                    LOG_WARNING,
                    &format!(
                        "Cgroup change for PID: {target}, UID: {euid}, GID: {egid}, PROCNAME: \
                         {name} FAILED! (Error Code: {ret})\n"
                    ),
                );
                return;
            }
        }
        self.log.flog(k, me, LOG_INFO, &ok);
    }
}

impl Program for Daemon {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if self.term {
            // cgre_catch_term: log, close the sockets, remove the unix one, exit 0.
            self.log.flog(
                k,
                pid,
                LOG_INFO,
                &format!("Stopped CGroup Rules Engine Daemon at {}\n", ctime(k)),
            );
            let _ = k.unlink(pid, SOCKET);
            return Step::Exit(0);
        }
        if self.reload {
            self.reload = false;
            self.log
                .flog(k, pid, LOG_INFO, "Reloading rules configuration\n");
            self.log
                .flog(k, pid, LOG_DEBUG, &format!("Current time: {}\n", ctime(k)));
            if let Some(r) = load_rules(k, pid) {
                self.rules = r;
            }
            if self.log.dest.is_some() && self.log.level >= LOG_INFO {
                let table = rules::print_rules_config(&self.rules);
                self.log.write(k, pid, &format!("{table}\n"));
            }
        }
        let mut chunk = [0u8; 4096];
        loop {
            match k.read(pid, self.events, &mut chunk) {
                Ok(0) => return Step::Exit(0),
                Ok(n) => {
                    self.buf.push_str(&String::from_utf8_lossy(&chunk[..n]));
                    while let Some(i) = self.buf.find('\n') {
                        let line: String = self.buf.drain(..=i).collect();
                        self.read_socket(k, pid);
                        if let Some(ev) = ProcEvent::parse(&line) {
                            self.process(k, pid, ev);
                        }
                    }
                }
                Err(_) => return Step::WaitReadable(self.events),
            }
        }
    }

    fn signal(&mut self, _k: &Kernel, _pid: Pid, sig: Signal) -> bool {
        match sig {
            Signal::SIGUSR2 => self.reload = true,
            Signal::SIGTERM | Signal::SIGINT => self.term = true,
            // SIGUSR1 reloads the templates, which cgsim does not cache.
            Signal::SIGUSR1 => {}
            _ => return false,
        }
        true
    }

    fn catches(&self, sig: Signal) -> bool {
        matches!(
            sig,
            Signal::SIGUSR1 | Signal::SIGUSR2 | Signal::SIGTERM | Signal::SIGINT
        )
    }
}
