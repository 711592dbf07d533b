//! `/etc/cgconfig.conf`: libcgroup v0.41's lexer (`src/lex.l`), grammar (`src/parse.y`) and
//! what `cgroup_config_load_config` / `cgroup_config_unload_config` do with the result
//! (`src/config.c`).
//!
//! **Follows:** the flex rules as written: a comment is a line whose first non-blank character
//! is `#` (or whose first character is `*`), so a `#` after a statement is a syntax error; the
//! keywords `mount`, `group`, `perm`, `task`, `admin`, `default`, `namespace`, `template` are
//! never names; a name is `[a-zA-Z0-9_-/.,%@]+` or a double-quoted string. The grammar: `perm`
//! must come first in a group and needs both `task` and `admin`; a group needs at least one
//! block. In `perm`, `uid`/`gid` are names unless `atoi` gives a non-zero number (so `uid = 0;`
//! fails and `uid = root;` works), `fperm`/`dperm` are octal.
//! Errors print libcgroup's messages: bison's `error at line number N at TOKEN:syntax error`,
//! the actions' `parsing failed at line number N`.
//! **Differences:** `namespace` sections are parsed but only checked against `mount` (the
//! mutual exclusion); `template` sections are parsed and ignored (they serve `cgrulesengd`).

use super::api::{
    self, Cgroup, DELETE_IGNORE_MIGRATION, DELETE_RECURSIVE, ECGCONFIGPARSEFAIL, ECGMOUNTFAIL,
    ECGMOUNTNAMESPACE, ECGOTHER, ECGROUPNOTMOUNTED, Lib,
};
use cgsim_ktypes::Errno;

/// A lexer token.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Id(String),
    Kw(&'static str),
    Ch(char),
}

struct Lexed {
    tok: Tok,
    /// `yytext`.
    text: String,
    /// `line_no` after the token was read (newlines inside quotes are not counted).
    line: u32,
}

const KEYWORDS: [&str; 8] = [
    "mount",
    "task",
    "admin",
    "perm",
    "group",
    "namespace",
    "template",
    "default",
];

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/.,%@".contains(c)
}

/// Run the flex rules over the whole file.
fn lex(src: &str) -> Vec<Lexed> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let mut at_bol = true;
    while i < chars.len() {
        let c = chars[i];
        if at_bol {
            // ^[ \t]*#.*  and  ^\*.*
            let mut j = i;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
                j += 1;
            }
            if (j < chars.len() && chars[j] == '#') || c == '*' {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                at_bol = false;
                continue;
            }
        }
        at_bol = false;
        if c == '\n' {
            line += 1;
            i += 1;
            at_bol = true;
            continue;
        }
        if c == ' ' || c == '\t' {
            i += 1;
            continue;
        }
        if is_id_char(c) {
            let start = i;
            while i < chars.len() && is_id_char(chars[i]) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let tok = match KEYWORDS.iter().find(|k| **k == text) {
                Some(k) => Tok::Kw(k),
                None => Tok::Id(text.clone()),
            };
            out.push(Lexed { tok, text, line });
            continue;
        }
        if c == '"'
            && let Some(len) = chars[i + 1..].iter().position(|&d| d == '"')
        {
            let inner: String = chars[i + 1..i + 1 + len].iter().collect();
            let text: String = chars[i..i + len + 2].iter().collect();
            i += len + 2;
            out.push(Lexed {
                tok: Tok::Id(inner),
                text,
                line,
            });
            continue;
        }
        out.push(Lexed {
            tok: Tok::Ch(c),
            text: c.to_string(),
            line,
        });
        i += 1;
    }
    out
}

/// One `perm` block's settings (`None` = not given).
#[derive(Clone, Debug, Default)]
struct Perm {
    tasks_uid: Option<u32>,
    tasks_gid: Option<u32>,
    task_fperm: Option<u32>,
    control_uid: Option<u32>,
    control_gid: Option<u32>,
    control_fperm: Option<u32>,
    control_dperm: Option<u32>,
}

/// What a parsed file holds.
#[derive(Default)]
pub struct Config {
    /// `config_mount_table`: controllers joined by `,` per mount point, in file order.
    pub mounts: Vec<(String, String)>,
    pub namespaces: Vec<(String, String)>,
    pub groups: Vec<Cgroup>,
    /// The `default` section's permissions, if any.
    default: Option<Perm>,
}

/// A parse failure: the messages already printed on stderr.
struct ParseError;

struct Parser<'a, 'b> {
    toks: Vec<Lexed>,
    pos: usize,
    lib: &'a mut Lib<'b>,
    cfg: Config,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|l| &l.tok)
    }

    /// `line_no` as the actions see it: each failing rule ends in `;` or `}` and is reduced
    /// by default without a lookahead, so the lexer has just read that last token.
    fn line(&self) -> u32 {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(1, |l| l.line)
    }

    /// bison's error: `yytext` is the offending token ("" at end of file).
    fn syntax_error(&mut self) -> ParseError {
        let (line, text) = match self.toks.get(self.pos) {
            Some(l) => (l.line, l.text.clone()),
            None => (self.toks.last().map_or(1, |l| l.line), String::new()),
        };
        let msg = format!("error at line number {line} at {text}:syntax error\n");
        self.lib.err(&msg);
        ParseError
    }

    fn action_failed(&mut self) -> ParseError {
        let msg = format!("parsing failed at line number {}\n", self.line());
        self.lib.err(&msg);
        ParseError
    }

    fn expect_ch(&mut self, c: char) -> Result<(), ParseError> {
        if self.peek() == Some(&Tok::Ch(c)) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn expect_kw(&mut self, k: &str) -> Result<(), ParseError> {
        if matches!(self.peek(), Some(Tok::Kw(x)) if *x == k) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn id(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Some(Tok::Id(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.syntax_error()),
        }
    }

    /// `ID '=' ID ';'`.
    fn pair(&mut self) -> Result<(String, String), ParseError> {
        let n = self.id()?;
        self.expect_ch('=')?;
        let v = self.id()?;
        self.expect_ch(';')?;
        Ok((n, v))
    }

    /// Zero or more pairs up to `}` (`namevalue_conf`), or one or more (`nonempty`).
    fn pairs(&mut self, nonempty: bool) -> Result<Vec<(String, String)>, ParseError> {
        let mut out = Vec::new();
        if nonempty {
            out.push(self.pair()?);
        }
        while matches!(self.peek(), Some(Tok::Id(_))) {
            out.push(self.pair()?);
        }
        Ok(out)
    }

    fn parse(&mut self) -> Result<(), ParseError> {
        while let Some(t) = self.peek().cloned() {
            match t {
                Tok::Kw("group") => self.group(false)?,
                Tok::Kw("template") => self.group(true)?,
                Tok::Kw("mount") => {
                    self.pos += 1;
                    self.expect_ch('{')?;
                    for (n, p) in self.pairs(true)? {
                        match self.cfg.mounts.iter_mut().find(|(_, mp)| *mp == p) {
                            Some((names, _)) => {
                                names.push(',');
                                names.push_str(&n);
                            }
                            None => self.cfg.mounts.push((n, p)),
                        }
                    }
                    self.expect_ch('}')?;
                }
                Tok::Kw("namespace") => {
                    self.pos += 1;
                    self.expect_ch('{')?;
                    let ns = self.pairs(true)?;
                    self.cfg.namespaces.extend(ns);
                    self.expect_ch('}')?;
                }
                Tok::Kw("default") => {
                    self.pos += 1;
                    self.expect_ch('{')?;
                    self.expect_kw("perm")?;
                    self.expect_ch('{')?;
                    let perm = self.task_or_admin()?;
                    self.expect_ch('}')?;
                    self.expect_ch('}')?;
                    self.cfg.default = Some(perm);
                }
                _ => return Err(self.syntax_error()),
            }
        }
        Ok(())
    }

    /// `group ID { [perm {...}] CONTROLLER { pairs } ... }` (and `template`, same shape).
    fn group(&mut self, template: bool) -> Result<(), ParseError> {
        self.pos += 1;
        let name = self.id()?;
        self.expect_ch('{')?;
        let mut cg = Cgroup::new(&name);
        let mut first = true;
        loop {
            match self.peek().cloned() {
                Some(Tok::Kw("perm")) if first => {
                    self.pos += 1;
                    self.expect_ch('{')?;
                    let p = self.task_or_admin()?;
                    self.expect_ch('}')?;
                    cg.tasks_uid = p.tasks_uid.or(cg.tasks_uid);
                    cg.tasks_gid = p.tasks_gid.or(cg.tasks_gid);
                    cg.task_fperm = p.task_fperm.or(cg.task_fperm);
                    cg.control_uid = p.control_uid.or(cg.control_uid);
                    cg.control_gid = p.control_gid.or(cg.control_gid);
                    cg.control_fperm = p.control_fperm.or(cg.control_fperm);
                    cg.control_dperm = p.control_dperm.or(cg.control_dperm);
                }
                Some(Tok::Id(ctrl)) => {
                    self.pos += 1;
                    self.expect_ch('{')?;
                    let values = self.pairs(false)?;
                    self.expect_ch('}')?;
                    // cgroup_config_parse_controller_options.
                    let ok = match cg.add_controller(&ctrl) {
                        None => false,
                        Some(c) => values.iter().all(|(n, v)| c.add_value(n, v).is_ok()),
                    };
                    if !ok {
                        return Err(self.action_failed());
                    }
                }
                Some(Tok::Ch('}')) if !first => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.syntax_error()),
            }
            first = false;
        }
        if !template {
            self.cfg.groups.push(cg);
        }
        Ok(())
    }

    /// `task { ... } admin { ... }` in either order, both non-empty.
    fn task_or_admin(&mut self) -> Result<Perm, ParseError> {
        let mut perm = Perm::default();
        let task_first = matches!(self.peek(), Some(Tok::Kw("task")));
        for part in if task_first {
            ["task", "admin"]
        } else {
            ["admin", "task"]
        } {
            self.expect_kw(part)?;
            self.expect_ch('{')?;
            let first = self.pair()?;
            self.perm_value(part, &first.0, &first.1, &mut perm)?;
            while matches!(self.peek(), Some(Tok::Id(_))) {
                let (n, v) = self.pair()?;
                self.perm_value(part, &n, &v, &mut perm)?;
            }
            self.expect_ch('}')?;
        }
        Ok(perm)
    }

    /// `config_group_task_perm` / `config_group_admin_perm`.
    fn perm_value(
        &mut self,
        part: &str,
        name: &str,
        value: &str,
        perm: &mut Perm,
    ) -> Result<(), ParseError> {
        let atoi = atoi(value);
        let k = self.lib.k.clone();
        let pid = self.lib.pid;
        let id = |is_user: bool| -> Option<u32> {
            if atoi != 0 {
                return Some(atoi as u32);
            }
            if is_user {
                crate::commands::nss::getpwnam(&k, pid, value).map(|p| p.uid)
            } else {
                crate::commands::nss::getgrnam(&k, pid, value).map(|g| g.gid)
            }
        };
        let octal = || {
            let t = value.trim_start();
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            (!digits.is_empty() && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)))
                .then(|| u32::from_str_radix(digits, 8).ok())
                .flatten()
        };
        let v = match name {
            "uid" | "gid" => id(name == "uid"),
            "fperm" => octal(),
            "dperm" if part == "admin" => octal(),
            _ => return Ok(()),
        };
        let Some(v) = v else {
            return Err(self.action_failed());
        };
        match (part, name) {
            ("task", "uid") => perm.tasks_uid = Some(v),
            ("task", "gid") => perm.tasks_gid = Some(v),
            ("task", "fperm") => perm.task_fperm = Some(v),
            (_, "uid") => perm.control_uid = Some(v),
            (_, "gid") => perm.control_gid = Some(v),
            (_, "fperm") => perm.control_fperm = Some(v),
            _ => perm.control_dperm = Some(v),
        }
        Ok(())
    }
}

/// C `atoi`: leading blanks, a sign, digits; 0 when there are none.
fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let v: i64 = digits.parse().unwrap_or(0);
    if neg { -v } else { v }
}

/// The defaults `cgconfigparser -a/-t/-d/-f/-s` set (`cgroup_config_set_default`).
#[derive(Clone, Debug, Default)]
pub struct Defaults {
    pub tasks_uid: Option<u32>,
    pub tasks_gid: Option<u32>,
    pub task_fperm: Option<u32>,
    pub control_uid: Option<u32>,
    pub control_gid: Option<u32>,
    pub control_fperm: Option<u32>,
    pub control_dperm: Option<u32>,
}

/// `cgroup_parse_config`.
fn parse_config(lib: &mut Lib, path: &str) -> Result<Config, i32> {
    let data = match lib.read_file(path) {
        Ok(d) => d,
        Err(e) => {
            let msg = format!("Error: failed to open file {path}\n");
            lib.log_err(&msg);
            lib.last_errno = Some(e);
            return Err(ECGOTHER);
        }
    };
    let src = String::from_utf8_lossy(&data).into_owned();
    let mut p = Parser {
        toks: lex(&src),
        pos: 0,
        lib,
        cfg: Config::default(),
    };
    match p.parse() {
        Ok(()) => Ok(p.cfg),
        Err(ParseError) => {
            let msg = format!("Error: failed to parse file {path}\n");
            p.lib.log_err(&msg);
            Err(ECGCONFIGPARSEFAIL)
        }
    }
}

/// `cgroup_config_load_config`: mount the `mount` section, then create the groups in file
/// order; on failure remove the groups and unmount what it mounted.
pub fn load_config(lib: &mut Lib, path: &str, defaults: &Defaults) -> i32 {
    let cfg = match parse_config(lib, path) {
        Ok(c) => c,
        Err(e) => return e,
    };
    if !cfg.namespaces.is_empty() && !cfg.mounts.is_empty() {
        return ECGMOUNTNAMESPACE;
    }
    let mut mounted = 0;
    let mut error = 0;
    for (names, dir) in &cfg.mounts {
        match lib.k.stat(lib.pid, dir) {
            Err(e) if e.errno != Errno::ENOENT => {
                let msg = format!("Error: cannot access {dir}: {}\n", e.errno.strerror());
                lib.log_err(&msg);
                lib.last_errno = Some(e.errno);
                error = ECGOTHER;
            }
            Err(_) => {
                let ret = mkdir_p(lib, dir);
                if ret != 0 {
                    let msg = format!("Error: cannot create directory {dir}\n");
                    lib.log_err(&msg);
                    error = ret;
                }
            }
            Ok(st) if st.file_type != cgsim_cgroupfs::FileType::Directory => {
                let msg = format!("Error: {dir} already exists but it is not a directory\n");
                lib.log_err(&msg);
                lib.last_errno = Some(Errno::ENOTDIR);
                error = ECGOTHER;
            }
            Ok(_) => {}
        }
        if error != 0 {
            break;
        }
        // cgroup_config_ajdust_mount_options: only `name=` options get `,none`.
        let mut opts = names.clone();
        if names.split(',').all(|t| t.starts_with("name=")) {
            opts.push_str(",none");
        }
        if let Err(e) = lib
            .k
            .mount(lib.pid, "cgroup", dir, "cgroup", false, Some(&opts))
        {
            let msg = format!(
                "Error: cannot mount {names} to {dir}: {}\n",
                e.errno.strerror()
            );
            lib.log_err(&msg);
            error = ECGMOUNTFAIL;
            break;
        }
        mounted += 1;
    }
    if error != 0 {
        unmount_controllers(lib, &cfg.mounts[..mounted]);
        return error;
    }
    let error = lib.init();
    if error == ECGROUPNOTMOUNTED && cfg.groups.is_empty() {
        unmount_controllers(lib, &cfg.mounts);
        return 0;
    }
    if error != 0 {
        unmount_controllers(lib, &cfg.mounts);
        return error;
    }
    let mut groups = cfg.groups.clone();
    for g in &mut groups {
        g.control_dperm = g.control_dperm.or(defaults.control_dperm);
        g.control_fperm = g.control_fperm.or(defaults.control_fperm);
        g.control_gid = g.control_gid.or(defaults.control_gid);
        g.control_uid = g.control_uid.or(defaults.control_uid);
        g.task_fperm = g.task_fperm.or(defaults.task_fperm);
        g.tasks_gid = g.tasks_gid.or(defaults.tasks_gid);
        g.tasks_uid = g.tasks_uid.or(defaults.tasks_uid);
        if let Some(d) = &cfg.default {
            g.control_dperm = g.control_dperm.or(d.control_dperm);
            g.control_fperm = g.control_fperm.or(d.control_fperm);
            g.control_gid = g.control_gid.or(d.control_gid);
            g.control_uid = g.control_uid.or(d.control_uid);
            g.task_fperm = g.task_fperm.or(d.task_fperm);
            g.tasks_gid = g.tasks_gid.or(d.tasks_gid);
            g.tasks_uid = g.tasks_uid.or(d.tasks_uid);
        }
    }
    for g in &groups {
        let error = lib.create_cgroup(g, false);
        if error != 0 {
            for g in &groups {
                lib.delete_cgroup_ext(g, DELETE_RECURSIVE | DELETE_IGNORE_MIGRATION);
            }
            unmount_controllers(lib, &cfg.mounts);
            return error;
        }
    }
    0
}

/// `cg_mkdir_p` for a mount point (the library's, with its 0775 mode).
fn mkdir_p(lib: &mut Lib, dir: &str) -> i32 {
    let mut prefix = String::new();
    for comp in dir.split('/').filter(|c| !c.is_empty()) {
        prefix.push('/');
        prefix.push_str(comp);
        if let Err(e) = lib.k.mkdir(lib.pid, &prefix, 0o775) {
            match e.errno {
                Errno::EEXIST => {}
                Errno::EPERM => return api::ECGROUPNOTOWNER,
                _ if lib.k.stat(lib.pid, &prefix).is_ok() => {}
                _ => return api::ECGROUPNOTALLOWED,
            }
        }
    }
    0
}

/// `cgroup_config_unmount_controllers`: `umount` and `rmdir` each mount point, errors ignored.
fn unmount_controllers(lib: &mut Lib, mounts: &[(String, String)]) {
    for (_, dir) in mounts {
        let _ = lib.k.umount(lib.pid, dir);
        let _ = lib.k.rmdir(lib.pid, dir);
    }
}

/// `cgroup_config_unload_config`: delete the file's groups (sorted by name, last first),
/// then unmount each `mount` entry whose hierarchy has no group left.
pub fn unload_config(lib: &mut Lib, path: &str, flags: u32) -> i32 {
    let cfg = match parse_config(lib, path) {
        Ok(c) => c,
        Err(e) => return e,
    };
    if !cfg.namespaces.is_empty() && !cfg.mounts.is_empty() {
        return ECGMOUNTNAMESPACE;
    }
    let mut ret = 0;
    let mut groups = cfg.groups.clone();
    groups.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    for g in groups.iter().rev() {
        let error = lib.delete_cgroup_ext(g, flags);
        if error != 0 && ret == 0 {
            ret = error;
        }
    }
    for (names, dir) in &cfg.mounts {
        let error = try_unmount(lib, names, dir);
        if error != 0 && ret == 0 {
            ret = error;
        }
    }
    ret
}

/// `cgroup_config_try_unmount`: unmount only a hierarchy without subgroups.
fn try_unmount(lib: &mut Lib, names: &str, dir: &str) -> i32 {
    let Some(first) = names.split(',').find(|s| !s.is_empty()) else {
        return api::ECGINVAL;
    };
    let dirs = match lib.walk_dirs(first, "/") {
        Ok(d) => d,
        Err(e) => return e,
    };
    if dirs.len() > 1 {
        return 0;
    }
    match lib.k.umount(lib.pid, dir) {
        Ok(()) => 0,
        Err(e) => {
            lib.last_errno = Some(e.errno);
            ECGOTHER
        }
    }
}

/// `cgroup_unload_cgroups` (`cgclear` without `-l`): for every hierarchy, move all tasks to
/// its root, remove every group, and unmount it.
pub fn unload_cgroups(lib: &mut Lib) -> i32 {
    let ret = lib.init();
    if ret != 0 {
        return ret;
    }
    let table = lib.table.clone();
    let mut ret = 0;
    let mut cur: Option<String> = None;
    for e in &table {
        if cur.as_deref() == Some(e.paths[0].as_str()) {
            continue;
        }
        cur = Some(e.paths[0].clone());
        let mut cg = Cgroup::new(".");
        cg.add_controller(&e.name);
        let mut error = lib.delete_cgroup_ext(&cg, DELETE_RECURSIVE);
        if error == 0 {
            for p in &e.paths {
                if let Err(err) = lib.k.umount(lib.pid, p) {
                    lib.last_errno = Some(err.errno);
                    error = ECGOTHER;
                    break;
                }
            }
        }
        if error != 0 {
            ret = error;
        }
    }
    ret
}
