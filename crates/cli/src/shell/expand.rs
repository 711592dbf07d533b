//! Word expansion (XCU 2.6, as dash's `expand.c` does it): tilde, parameters (every `${...}`
//! form), command substitution, arithmetic, then field splitting with `IFS`, pathname
//! expansion on the simulated filesystem, and quote removal.
//!
//! Text keeps, character by character, whether it was quoted: quoted characters never split
//! and match themselves literally in patterns (`case`, `${x#p}`, globbing).
//!
//! **Differences:** `~user` expands only for `root` (the simulated machine has no password
//! database behind the shell); dash's `$'...'`-less behaviour is kept (no `$'...'`).

use super::arith;
use super::ast::{ParamOp, Program, Word, WordPart};

/// What expansion needs from the shell.
pub trait Env {
    /// The value of a variable or special parameter (`$`, `?`, `1`, ...); `None` when unset.
    fn get(&mut self, name: &str) -> Option<String>;
    /// `$1`, `$2`, ...
    fn positional(&mut self) -> Vec<String>;
    /// Assign a variable (`${x=w}`, `$((x=1))`); `Err` with dash's message if it is read-only.
    fn assign(&mut self, name: &str, value: &str) -> Result<(), String>;
    /// Run `$(program)` and return its standard output with trailing newlines removed.
    fn command_subst(&mut self, program: &Program) -> Result<String, String>;
    /// The names in a directory (for pathname expansion), `None` if it cannot be read.
    fn readdir(&mut self, dir: &str) -> Option<Vec<String>>;
    /// `set -f`.
    fn noglob(&self) -> bool {
        false
    }
    /// `set -u`.
    fn nounset(&self) -> bool {
        false
    }
}

/// An expansion error: dash's message (the caller adds `sh: LINE: `); the shell exits.
pub type ExpandError = String;

/// A character and whether it was quoted.
type QChar = (char, bool);

/// Fields being built.
struct Fields {
    done: Vec<Vec<QChar>>,
    cur: Vec<QChar>,
    /// The current field exists (has text, or quotes made an empty one).
    have: bool,
    /// The last thing was a field split by IFS white space (a following non-white IFS
    /// character does not make an extra empty field).
    just_split: bool,
}

impl Fields {
    fn new() -> Fields {
        Fields {
            done: Vec::new(),
            cur: Vec::new(),
            have: false,
            just_split: false,
        }
    }

    fn push_text(&mut self, s: &str, quoted: bool) {
        self.cur.extend(s.chars().map(|c| (c, quoted)));
        if quoted || !s.is_empty() {
            self.have = true;
        }
        if !s.is_empty() {
            self.just_split = false;
        }
    }

    fn end_field(&mut self) {
        self.done.push(std::mem::take(&mut self.cur));
        self.have = false;
    }

    /// Text from an unquoted expansion: split on `ifs`.
    fn push_split(&mut self, s: &str, ifs: &str) {
        for c in s.chars() {
            if ifs.contains(c) {
                if matches!(c, ' ' | '\t' | '\n') {
                    if self.have {
                        self.end_field();
                        self.just_split = true;
                    }
                } else {
                    if self.have || !self.just_split {
                        self.end_field();
                    }
                    self.just_split = false;
                }
            } else {
                self.cur.push((c, false));
                self.have = true;
                self.just_split = false;
            }
        }
    }

    fn finish(mut self) -> Vec<Vec<QChar>> {
        if self.have {
            self.end_field();
        }
        self.done
    }
}

fn ifs_of(env: &mut dyn Env) -> String {
    env.get("IFS").unwrap_or_else(|| " \t\n".to_string())
}

/// Expand `word` into fields: unquoted expansions split on `IFS`, then pathname expansion.
pub fn expand_fields(word: &Word, env: &mut dyn Env) -> Result<Vec<String>, ExpandError> {
    let mut f = Fields::new();
    let ifs = ifs_of(env);
    let at_empty = word.parts.iter().any(
        |p| matches!(p, WordPart::Param { name, op: ParamOp::Plain, quoted: true } if name == "@"),
    ) && env.positional().is_empty();
    for (i, part) in word.parts.iter().enumerate() {
        match part {
            WordPart::Lit { text, quoted } => {
                if i == 0 && !quoted && text.starts_with('~') {
                    let (t, rest) = tilde(text, env);
                    f.push_text(&t, true);
                    f.push_text(rest, false);
                    continue;
                }
                if *quoted && text.is_empty() && at_empty {
                    continue;
                }
                f.push_text(text, *quoted);
            }
            WordPart::Param {
                name,
                op: ParamOp::Plain,
                quoted,
            } if name == "@" || name == "*" => {
                let args = env.positional();
                if *quoted && name == "@" {
                    for (j, a) in args.iter().enumerate() {
                        if j > 0 {
                            f.end_field();
                        }
                        f.push_text(a, true);
                    }
                } else if *quoted {
                    let sep: String = ifs.chars().next().map(String::from).unwrap_or_default();
                    f.push_text(&args.join(&sep), true);
                } else {
                    for (j, a) in args.iter().enumerate() {
                        if j > 0 {
                            // Each parameter is a separate field before splitting.
                            if f.have {
                                f.end_field();
                            }
                            f.just_split = true;
                        }
                        if ifs.is_empty() {
                            f.push_text(a, false);
                        } else {
                            f.push_split(a, &ifs);
                        }
                    }
                }
            }
            // `"${@:-w}"`, `"${@+w}"`...: when the parameters are used they stay separate
            // fields, as in `"$@"`.
            WordPart::Param {
                name,
                op:
                    ParamOp::Default { colon, .. }
                    | ParamOp::Alternative { colon, .. }
                    | ParamOp::Assign { colon, .. }
                    | ParamOp::Error { colon, .. },
                quoted: true,
            } if name == "@" && {
                let args = env.positional();
                let null = args.is_empty() || (*colon && args.iter().all(String::is_empty));
                let uses_value = !matches!(
                    word.parts[i],
                    WordPart::Param {
                        op: ParamOp::Alternative { .. },
                        ..
                    }
                );
                !null && uses_value
            } =>
            {
                let args = env.positional();
                for (j, a) in args.iter().enumerate() {
                    if j > 0 {
                        f.end_field();
                    }
                    f.push_text(a, true);
                }
            }
            WordPart::Param { name, op, quoted } => {
                let v = super::grow(|| param(name, op, *quoted, env))?;
                push_value(&mut f, v, *quoted, &ifs);
            }
            WordPart::Subst { program, quoted } => {
                let v = env.command_subst(program)?;
                push_value(&mut f, Value::Text(v), *quoted, &ifs);
            }
            WordPart::Arith { expr, quoted } => {
                let text = expand_string(expr, env)?;
                let v = arith::eval(&text, env)?;
                push_value(&mut f, Value::Text(v.to_string()), *quoted, &ifs);
            }
        }
    }
    let mut out = Vec::new();
    let noglob = env.noglob();
    for field in f.finish() {
        if !noglob
            && field
                .iter()
                .any(|&(c, q)| !q && matches!(c, '*' | '?' | '['))
        {
            let mut m = glob(&field, env);
            if !m.is_empty() {
                m.sort();
                out.extend(m);
                continue;
            }
        }
        out.push(field.iter().map(|&(c, _)| c).collect());
    }
    Ok(out)
}

/// A parameter expansion's result: plain text, or text that already carries its quoting (the
/// word of `${x-word}` keeps the quotes written inside it).
enum Value {
    Text(String),
    Quoted(Vec<QChar>),
}

fn push_value(f: &mut Fields, v: Value, quoted: bool, ifs: &str) {
    match v {
        Value::Text(s) => {
            if quoted {
                f.push_text(&s, true);
            } else {
                f.push_split(&s, ifs);
            }
        }
        Value::Quoted(cs) => {
            // Unquoted characters of the inner word split; quoted ones do not.
            let mut run = String::new();
            for (c, q) in cs {
                if q || quoted {
                    if !run.is_empty() {
                        f.push_split(&std::mem::take(&mut run), ifs);
                    }
                    f.push_text(&c.to_string(), true);
                } else {
                    run.push(c);
                }
            }
            if !run.is_empty() {
                f.push_split(&run, ifs);
            }
            if quoted {
                f.have = true;
            }
        }
    }
}

fn tilde<'w>(text: &'w str, env: &mut dyn Env) -> (String, &'w str) {
    let end = text.find('/').unwrap_or(text.len());
    let user = &text[1..end];
    let home = match user {
        "" => env.get("HOME"),
        "root" => Some("/root".to_string()),
        _ => None,
    };
    match home {
        Some(h) => (h, &text[end..]),
        None => (String::new(), text),
    }
}

/// Expand `word` into one string without field splitting or globbing (assignments,
/// redirection targets, here-documents, `case` words).
pub fn expand_string(word: &Word, env: &mut dyn Env) -> Result<String, ExpandError> {
    Ok(expand_quoted(word, env)?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}

/// Expand `word` into one string, keeping which characters were quoted (for patterns).
pub fn expand_quoted(word: &Word, env: &mut dyn Env) -> Result<Vec<QChar>, ExpandError> {
    let mut out: Vec<QChar> = Vec::new();
    for (i, part) in word.parts.iter().enumerate() {
        match part {
            WordPart::Lit { text, quoted } => {
                if i == 0 && !quoted && text.starts_with('~') {
                    let (t, rest) = tilde(text, env);
                    out.extend(t.chars().map(|c| (c, true)));
                    out.extend(rest.chars().map(|c| (c, false)));
                    continue;
                }
                out.extend(text.chars().map(|c| (c, *quoted)));
            }
            WordPart::Param { name, op, quoted } => {
                match super::grow(|| param(name, op, *quoted, env))? {
                    Value::Text(s) => out.extend(s.chars().map(|c| (c, *quoted))),
                    Value::Quoted(cs) => out.extend(cs.into_iter().map(|(c, q)| (c, q || *quoted))),
                }
            }
            WordPart::Subst { program, quoted } => {
                let s = env.command_subst(program)?;
                out.extend(s.chars().map(|c| (c, *quoted)));
            }
            WordPart::Arith { expr, quoted } => {
                let text = expand_string(expr, env)?;
                let v = arith::eval(&text, env)?;
                out.extend(v.to_string().chars().map(|c| (c, *quoted)));
            }
        }
    }
    Ok(out)
}

fn get_param(name: &str, env: &mut dyn Env) -> Option<String> {
    match name {
        "@" | "*" => {
            let args = env.positional();
            let sep = match env.get("IFS") {
                Some(s) => s.chars().next().map(String::from).unwrap_or_default(),
                None => " ".to_string(),
            };
            Some(args.join(&sep))
        }
        _ => env.get(name),
    }
}

fn param(name: &str, op: &ParamOp, quoted: bool, env: &mut dyn Env) -> Result<Value, ExpandError> {
    let val = get_param(name, env);
    let unset_err = |env: &mut dyn Env, v: &Option<String>| -> Result<(), ExpandError> {
        if v.is_none() && env.nounset() && name != "@" && name != "*" {
            return Err(format!("{name}: parameter not set"));
        }
        Ok(())
    };
    let is_null = |v: &Option<String>, colon: bool| match v {
        None => true,
        Some(s) => colon && s.is_empty(),
    };
    match op {
        ParamOp::Bad => Err("Bad substitution".to_string()),
        ParamOp::Plain => {
            unset_err(env, &val)?;
            Ok(Value::Text(val.unwrap_or_default()))
        }
        ParamOp::Length => {
            unset_err(env, &val)?;
            // dash: `${#@}` and `${#*}` are the length of `$*`.
            let n = val.unwrap_or_default().chars().count();
            Ok(Value::Text(n.to_string()))
        }
        ParamOp::Default { colon, word } => {
            if is_null(&val, *colon) {
                Ok(Value::Quoted(expand_quoted(word, env)?))
            } else {
                Ok(Value::Text(val.unwrap_or_default()))
            }
        }
        ParamOp::Alternative { colon, word } => {
            if is_null(&val, *colon) {
                Ok(Value::Text(String::new()))
            } else {
                Ok(Value::Quoted(expand_quoted(word, env)?))
            }
        }
        ParamOp::Assign { colon, word } => {
            if is_null(&val, *colon) {
                if !super::lexer::is_name(name) {
                    return Err(format!("{name}: bad variable name"));
                }
                let v = expand_string(word, env)?;
                env.assign(name, &v)?;
                Ok(Value::Text(v))
            } else {
                Ok(Value::Text(val.unwrap_or_default()))
            }
        }
        ParamOp::Error { colon, word } => {
            if is_null(&val, *colon) {
                let msg = expand_string(word, env)?;
                let msg = if !msg.is_empty() {
                    msg
                } else if *colon {
                    "parameter not set or null".to_string()
                } else {
                    "parameter not set".to_string()
                };
                Err(format!("{name}: {msg}"))
            } else {
                Ok(Value::Text(val.unwrap_or_default()))
            }
        }
        ParamOp::TrimPrefix { longest, word } | ParamOp::TrimSuffix { longest, word } => {
            unset_err(env, &val)?;
            let v = val.unwrap_or_default();
            let pat = expand_quoted(word, env)?;
            let chars: Vec<char> = v.chars().collect();
            let prefix = matches!(op, ParamOp::TrimPrefix { .. });
            let n = chars.len();
            // Candidate cut points, shortest match first unless `longest`.
            let order: Vec<usize> = if *longest {
                (0..=n).rev().collect()
            } else {
                (0..=n).collect()
            };
            for len in order {
                let (cand, rest): (String, String) = if prefix {
                    (chars[..len].iter().collect(), chars[len..].iter().collect())
                } else {
                    (
                        chars[n - len..].iter().collect(),
                        chars[..n - len].iter().collect(),
                    )
                };
                if pmatch(&pat, &cand) {
                    return Ok(Value::Text(rest));
                }
            }
            let _ = quoted;
            Ok(Value::Text(v))
        }
    }
}

/// Whether `s` matches the pattern (XCU 2.13.1): `*`, `?`, `[...]` (with `!`/`^` and ranges),
/// quoted characters literally.
pub fn pmatch(pat: &[QChar], s: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let (mut p, mut i) = (0usize, 0usize);
    let (mut star_p, mut star_i) = (usize::MAX, 0usize);
    while i < s.len() {
        if p < pat.len() {
            let (c, q) = pat[p];
            if !q && c == '*' {
                star_p = p;
                star_i = i;
                p += 1;
                continue;
            }
            if !q && c == '?' {
                p += 1;
                i += 1;
                continue;
            }
            if !q
                && c == '['
                && let Some((matched, next)) = bracket(pat, p, s[i])
            {
                if matched {
                    p = next;
                    i += 1;
                    continue;
                }
            } else if c == s[i] {
                p += 1;
                i += 1;
                continue;
            }
        }
        if star_p != usize::MAX {
            p = star_p + 1;
            star_i += 1;
            i = star_i;
            continue;
        }
        return false;
    }
    while p < pat.len() && pat[p] == ('*', false) {
        p += 1;
    }
    p == pat.len()
}

/// A bracket expression at `pat[p]` (`[`): whether `c` matches and where the pattern goes on;
/// `None` if the bracket is not closed (then `[` is an ordinary character).
fn bracket(pat: &[QChar], p: usize, c: char) -> Option<(bool, usize)> {
    let mut j = p + 1;
    let negate = matches!(pat.get(j), Some(('!' | '^', false)));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &(ch, q) = pat.get(j)?;
        if ch == ']' && !q && !first {
            return Some((matched != negate, j + 1));
        }
        first = false;
        if ch == '[' && !q && matches!(pat.get(j + 1), Some((':', false))) {
            // A character class `[:alpha:]`.
            let rest: String = pat[j + 2..].iter().map(|&(c, _)| c).collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                matched |= match class {
                    "alpha" => c.is_alphabetic(),
                    "digit" => c.is_ascii_digit(),
                    "alnum" => c.is_alphanumeric(),
                    "upper" => c.is_uppercase(),
                    "lower" => c.is_lowercase(),
                    "space" => c.is_whitespace(),
                    "blank" => c == ' ' || c == '\t',
                    "punct" => c.is_ascii_punctuation(),
                    "xdigit" => c.is_ascii_hexdigit(),
                    "cntrl" => c.is_control(),
                    "print" => !c.is_control(),
                    "graph" => !c.is_control() && c != ' ',
                    _ => false,
                };
                j += 2 + end + 2;
                continue;
            }
        }
        if matches!(pat.get(j + 1), Some(('-', false)))
            && let Some(&(hi, _)) = pat.get(j + 2)
            && hi != ']'
        {
            if ch <= c && c <= hi {
                matched = true;
            }
            j += 3;
            continue;
        }
        if ch == c {
            matched = true;
        }
        j += 1;
    }
}

/// Pathname expansion of one field on the simulated filesystem: the sorted matches, or nothing.
fn glob(field: &[QChar], env: &mut dyn Env) -> Vec<String> {
    let absolute = field.first() == Some(&('/', false)) || field.first() == Some(&('/', true));
    let comps: Vec<&[QChar]> = field
        .split(|&(c, _)| c == '/')
        .filter(|c| !c.is_empty())
        .collect();
    let mut paths: Vec<String> = vec![if absolute {
        "/".to_string()
    } else {
        String::new()
    }];
    for (k, comp) in comps.iter().enumerate() {
        let last = k + 1 == comps.len();
        let magic = comp
            .iter()
            .any(|&(c, q)| !q && matches!(c, '*' | '?' | '['));
        let mut next = Vec::new();
        for base in &paths {
            let join = |name: &str| {
                if base.is_empty() {
                    name.to_string()
                } else if base.ends_with('/') {
                    format!("{base}{name}")
                } else {
                    format!("{base}/{name}")
                }
            };
            if !magic {
                let name: String = comp.iter().map(|&(c, _)| c).collect();
                next.push(join(&name));
                continue;
            }
            let dir = if base.is_empty() { "." } else { base.as_str() };
            let Some(mut names) = env.readdir(dir) else {
                continue;
            };
            let dot_ok = comp.first().is_some_and(|&(c, _)| c == '.');
            if dot_ok {
                // readdir(3) returns `.` and `..` too, and `.*` matches them in dash.
                names.splice(0..0, [".".to_string(), "..".to_string()]);
            }
            for n in names {
                if n == "." || n == ".." {
                    if !dot_ok || !pmatch(comp, &n) {
                        continue;
                    }
                } else if n.starts_with('.') && !dot_ok {
                    continue;
                }
                if pmatch(comp, &n) {
                    next.push(join(&n));
                }
            }
        }
        if !last {
            // Only directories can hold the next component; non-magic ones are checked when
            // their children are read.
            next.retain(|p| env.readdir(p).is_some());
        }
        paths = next;
        if paths.is_empty() {
            break;
        }
    }
    if field.last().is_some_and(|&(c, _)| c == '/') {
        paths = paths
            .into_iter()
            .filter(|p| env.readdir(p).is_some())
            .map(|p| format!("{p}/"))
            .collect();
    } else if !comps.is_empty()
        && !comps
            .last()
            .is_some_and(|c| c.iter().any(|&(ch, q)| !q && matches!(ch, '*' | '?' | '[')))
    {
        // A literal last component must exist.
        paths.retain(|p| {
            let (dir, name) = match p.rfind('/') {
                Some(0) => ("/", &p[1..]),
                Some(i) => (&p[..i], &p[i + 1..]),
                None => (".", p.as_str()),
            };
            env.readdir(dir)
                .is_some_and(|ns| ns.iter().any(|n| n == name))
        });
    }
    paths
}
