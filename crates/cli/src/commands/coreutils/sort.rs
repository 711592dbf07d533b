//! `sort` and `uniq` (coreutils 9.x `src/sort.c`, `src/uniq.c`), in the C locale (bytes
//! compare as unsigned values, blanks are space and tab).
//!
//! **Differences:** `sort` keeps every line in memory (no temporary files); no `-M`, `-V`,
//! `-R`, `-c`, `-m`.

use super::{StdoutBuf, lines, read_error_text, slurp, stream_lines, usage_error, write_out};
use crate::Shell;
use crate::commands::getopt::{Arg, l, sl};
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;
use std::cmp::Ordering;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "sort",
        "sort [-n|-h|-g] [-r] [-u] [-f] [-b] [-s] [-t SEP] [-k KEY]... [-o FILE] [FILE]...",
        "sort lines (C locale)",
        Kind::External(sort),
    );
    r.set_help("sort", SORT_HELP);
    r.add(
        "uniq",
        "uniq [-c] [-d] [-u] [-i] [-f N] [-s N] [INPUT [OUTPUT]]",
        "report or omit repeated adjacent lines",
        Kind::External(uniq),
    );
    r.set_help("uniq", UNIQ_HELP);
}

const SORT_HELP: &str = "\
Usage: sort [OPTION]... [FILE]...
Write sorted concatenation of all FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
Ordering options:

  -b, --ignore-leading-blanks  ignore leading blanks
  -f, --ignore-case           fold lower case to upper case characters
  -g, --general-numeric-sort  compare according to general numerical value
  -h, --human-numeric-sort    compare human readable numbers (e.g., 2K 1G)
  -n, --numeric-sort          compare according to string numerical value
  -r, --reverse               reverse the result of comparisons

Other options:

  -k, --key=KEYDEF          sort via a key; KEYDEF gives location and type
  -o, --output=FILE         write result to FILE instead of standard output
  -s, --stable              stabilize sort by disabling last-resort comparison
  -t, --field-separator=SEP  use SEP instead of non-blank to blank transition
  -u, --unique              output only the first of lines with equal keys
      --help        display this help and exit
      --version     output version information and exit

KEYDEF is F[.C][OPTS][,F[.C][OPTS]] for start and stop position, where F is a
field number and C a character position in the field; both are origin 1, and
the stop position defaults to the line's end.  OPTS is one or more
single-letter ordering options [bfghnr], which override global ordering
options for that key.
";

const UNIQ_HELP: &str = "\
Usage: uniq [OPTION]... [INPUT [OUTPUT]]
Filter adjacent matching lines from INPUT (or standard input),
writing to OUTPUT (or standard output).

With no options, matching lines are merged to the first occurrence.

Mandatory arguments to long options are mandatory for short options too.
  -c, --count           prefix lines by the number of occurrences
  -d, --repeated        only print duplicate lines, one for each group
  -f, --skip-fields=N   avoid comparing the first N fields
  -i, --ignore-case     ignore differences in case when comparing
  -s, --skip-chars=N    avoid comparing the first N characters
  -u, --unique          only print unique lines
      --help        display this help and exit
      --version     output version information and exit

A field is a run of blanks (usually spaces and/or TABs), then non-blank
characters.  Fields are skipped before chars.
";

/// Ordering options of a key (or the global ones).
#[derive(Clone, Copy, Default, PartialEq, Debug)]
struct Order {
    numeric: bool,
    human: bool,
    general: bool,
    fold: bool,
    blanks: bool,
    reverse: bool,
}

impl Order {
    fn set(&mut self, c: char) -> bool {
        match c {
            'n' => self.numeric = true,
            'h' => self.human = true,
            'g' => self.general = true,
            'f' => self.fold = true,
            'b' => self.blanks = true,
            'r' => self.reverse = true,
            _ => return false,
        }
        true
    }
}

/// `-k F1[.C1][OPTS][,F2[.C2][OPTS]]`; `c2 == 0` is the end of field F2.
#[derive(Clone, Debug)]
struct Key {
    f1: usize,
    c1: usize,
    f2: Option<usize>,
    c2: usize,
    order: Order,
    /// The key had its own ordering options (then the global ones do not apply).
    own: bool,
    /// `b` given on the start / the end part.
    blank_start: bool,
    blank_end: bool,
}

fn parse_key(spec: &str) -> Result<Key, String> {
    let bad = |what: &str| format!("{what}: invalid field specification '{spec}'");
    let (start, end) = match spec.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (spec, None),
    };
    // A position: digits[.digits] then option letters.
    let pos = |s: &str, is_start: bool| -> Result<(usize, usize, String), String> {
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            return Err(format!(
                "invalid number at field start: invalid count at start of '{s}'"
            ));
        }
        let f: usize = digits
            .parse()
            .map_err(|_| bad("field number is too large"))?;
        if f == 0 {
            return Err(bad("field number is zero"));
        }
        let mut rest = &s[digits.len()..];
        let mut c = 0;
        if let Some(r) = rest.strip_prefix('.') {
            let cd: String = r.chars().take_while(|c| c.is_ascii_digit()).collect();
            if cd.is_empty() {
                return Err(format!(
                    "invalid number after '.': invalid count at start of '{r}'"
                ));
            }
            c = cd.parse().unwrap_or(usize::MAX);
            if c == 0 && is_start {
                return Err(bad("character offset is zero"));
            }
            rest = &r[cd.len()..];
        }
        Ok((f, c, rest.to_string()))
    };
    let (f1, c1, o1) = pos(start, true)?;
    let mut key = Key {
        f1,
        c1: c1.max(1),
        f2: None,
        c2: 0,
        order: Order::default(),
        own: false,
        blank_start: false,
        blank_end: false,
    };
    for c in o1.chars() {
        if !key.order.set(c) {
            return Err(format!(
                "stray character in field spec: invalid field specification '{spec}'"
            ));
        }
        key.own = true;
        key.blank_start |= c == 'b';
    }
    if let Some(e) = end {
        let (f2, c2, o2) = pos(e, false)?;
        key.f2 = Some(f2);
        key.c2 = c2;
        for c in o2.chars() {
            if !key.order.set(c) {
                return Err(format!(
                    "stray character in field spec: invalid field specification '{spec}'"
                ));
            }
            key.own = true;
            key.blank_end |= c == 'b';
        }
    }
    Ok(key)
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Where each field starts and ends (`[start, end)`): with `-t`, split at SEP; without, a
/// field is blanks followed by non-blanks.
fn fields(line: &[u8], tab: Option<u8>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    match tab {
        Some(t) => {
            let mut s = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == t {
                    out.push((s, i));
                    s = i + 1;
                }
            }
            out.push((s, line.len()));
        }
        None => {
            let mut i = 0;
            while i < line.len() {
                let s = i;
                while i < line.len() && is_blank(line[i]) {
                    i += 1;
                }
                while i < line.len() && !is_blank(line[i]) {
                    i += 1;
                }
                out.push((s, i));
            }
        }
    }
    out
}

fn key_text<'a>(line: &'a [u8], k: &Key, tab: Option<u8>, gblanks: bool) -> &'a [u8] {
    let fs = fields(line, tab);
    let skip = |mut p: usize, on: bool| {
        if on {
            while p < line.len() && is_blank(line[p]) {
                p += 1;
            }
        }
        p
    };
    let bs = if k.own { k.blank_start } else { gblanks };
    let be = if k.own { k.blank_end } else { gblanks };
    let start = match fs.get(k.f1 - 1) {
        Some(&(s, e)) => (skip(s, bs) + k.c1 - 1)
            .min(e.max(skip(s, bs)))
            .min(line.len()),
        None => line.len(),
    };
    let end = match k.f2 {
        None => line.len(),
        Some(f2) => match fs.get(f2 - 1) {
            Some(&(s, e)) if k.c2 == 0 => e.max(s),
            Some(&(s, e)) => (skip(s, be) + k.c2).min(e),
            None => line.len(),
        },
    };
    if end <= start { &[] } else { &line[start..end] }
}

/// The numeric prefix of `s` after blanks (`-n`): sign, digits, one decimal point.
fn numeric(s: &[u8]) -> f64 {
    let t = String::from_utf8_lossy(s);
    let t = t.trim_start_matches([' ', '\t']);
    let mut end = 0;
    let b = t.as_bytes();
    if b.first() == Some(&b'-') {
        end = 1;
    }
    let mut dot = false;
    while end < b.len() && (b[end].is_ascii_digit() || (b[end] == b'.' && !dot)) {
        dot |= b[end] == b'.';
        end += 1;
    }
    t[..end].parse().unwrap_or(0.0)
}

fn general(s: &[u8]) -> f64 {
    let t = String::from_utf8_lossy(s);
    let t = t.trim_start();
    (1..=t.len())
        .rev()
        .filter(|&i| t.is_char_boundary(i))
        .find_map(|i| t[..i].parse::<f64>().ok())
        .unwrap_or(f64::NEG_INFINITY)
}

/// `-h`: the suffix's power (none 0, k/K 1, M 2, ...) then the number.
fn human(s: &[u8]) -> (i32, f64) {
    let n = numeric(s);
    let t = String::from_utf8_lossy(s);
    let t = t.trim_start_matches([' ', '\t']);
    let num_len = t
        .char_indices()
        .take_while(|&(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'))
        .count();
    let power = match t[num_len..].chars().next() {
        Some('k' | 'K') => 1,
        Some('M') => 2,
        Some('G') => 3,
        Some('T') => 4,
        Some('P') => 5,
        Some('E') => 6,
        Some('Z') => 7,
        Some('Y') => 8,
        Some('R') => 9,
        Some('Q') => 10,
        _ => 0,
    };
    let sign = if n < 0.0 { -1 } else { 1 };
    (if n == 0.0 { 0 } else { sign * (power + 1) }, n)
}

fn compare(a: &[u8], b: &[u8], o: &Order) -> Ordering {
    let ord = if o.numeric {
        numeric(a).total_cmp(&numeric(b))
    } else if o.general {
        general(a).total_cmp(&general(b))
    } else if o.human {
        let (pa, na) = human(a);
        let (pb, nb) = human(b);
        pa.cmp(&pb).then(na.total_cmp(&nb))
    } else if o.fold {
        a.to_ascii_uppercase().cmp(&b.to_ascii_uppercase())
    } else {
        a.cmp(b)
    };
    if o.reverse { ord.reverse() } else { ord }
}

fn sort(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('b', "ignore-leading-blanks", Arg::No),
        sl('f', "ignore-case", Arg::No),
        sl('g', "general-numeric-sort", Arg::No),
        sl('h', "human-numeric-sort", Arg::No),
        sl('n', "numeric-sort", Arg::No),
        sl('r', "reverse", Arg::No),
        sl('k', "key", Arg::Required),
        sl('o', "output", Arg::Required),
        sl('s', "stable", Arg::No),
        sl('t', "field-separator", Arg::Required),
        sl('u', "unique", Arg::No),
        sl('z', "zero-terminated", Arg::No),
        l("debug", Arg::No),
    ];
    let Ok(p) = super::options(sh, pid, "sort", argv, &opts, false, 2) else {
        return 2;
    };
    let mut global = Order::default();
    let mut keys = Vec::new();
    let mut tab = None;
    for g in &p.opts {
        let k = g.key.as_str();
        if k.len() == 1 && global.set(k.chars().next().unwrap_or(' ')) {
            continue;
        }
        match k {
            "k" => match parse_key(g.val.as_deref().unwrap_or("")) {
                Ok(key) => keys.push(key),
                Err(m) => {
                    sh.write_err(pid, &format!("sort: {m}\n"));
                    return 2;
                }
            },
            "t" => {
                let v = g.val.as_deref().unwrap_or("");
                let b = if v == "\\0" {
                    vec![0]
                } else {
                    v.as_bytes().to_vec()
                };
                if b.len() != 1 {
                    let msg = if b.is_empty() {
                        "sort: empty tab\n".to_string()
                    } else {
                        format!("sort: multi-character tab '{v}'\n")
                    };
                    sh.write_err(pid, &msg);
                    return 2;
                }
                tab = Some(b[0]);
            }
            _ => {}
        }
    }
    let conflicts = [global.numeric, global.general, global.human]
        .iter()
        .filter(|&&x| x)
        .count();
    if conflicts > 1 {
        let letters: String = [
            ('g', global.general),
            ('h', global.human),
            ('n', global.numeric),
        ]
        .iter()
        .filter(|x| x.1)
        .map(|x| x.0)
        .collect();
        sh.write_err(
            pid,
            &format!("sort: options '-{letters}' are incompatible\n"),
        );
        return 2;
    }
    for k in &mut keys {
        if !k.own {
            k.order = global;
        }
    }
    let eol = if p.has("z") { 0 } else { b'\n' };
    let stdin = ["-".to_string()];
    let files = if p.operands.is_empty() {
        &stdin[..]
    } else {
        &p.operands[..]
    };
    let mut data = Vec::new();
    for f in files {
        match slurp(sh, pid, f) {
            Ok(d) => {
                data.extend_from_slice(&d);
                if !d.is_empty() && d.last() != Some(&eol) {
                    data.push(eol);
                }
            }
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!("sort: cannot read: {f}: {}\n", read_error_text(&e)),
                );
                return 2;
            }
        }
    }
    let mut ls = lines(&data, eol);
    let (stable, unique, gblanks) = (p.has("s"), p.has("u"), global.blanks);
    let cmp_keys = |a: &[u8], b: &[u8]| -> Ordering {
        if keys.is_empty() {
            let (a2, b2) = if gblanks {
                (trim_blanks(a), trim_blanks(b))
            } else {
                (a, b)
            };
            return compare(a2, b2, &global);
        }
        for k in &keys {
            let o = compare(
                key_text(a, k, tab, gblanks),
                key_text(b, k, tab, gblanks),
                &k.order,
            );
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    };
    ls.sort_by(|a, b| {
        let o = cmp_keys(a, b);
        if o != Ordering::Equal || stable || unique {
            return o;
        }
        // The last-resort comparison: whole lines, bytewise (reversed by a global -r).
        let o = a.cmp(b);
        if global.reverse { o.reverse() } else { o }
    });
    if unique {
        ls.dedup_by(|b, a| cmp_keys(a, b) == Ordering::Equal);
    }
    let mut out = Vec::new();
    for line in ls {
        out.extend_from_slice(line);
        out.push(eol);
    }
    if let Some(path) = p.last("o") {
        let k = sh.kernel().clone();
        let r = k
            .open(pid, path, cgsim_cgroupfs::OpenFlags::REDIRECT_TRUNC, 0o666)
            .and_then(|fd| {
                let r = k.write(pid, fd, &out);
                let _ = k.close(pid, fd);
                r
            });
        if let Err(e) = r {
            sh.write_err(
                pid,
                &format!("sort: open failed: {path}: {}\n", e.errno.strerror()),
            );
            return 2;
        }
        return 0;
    }
    if write_out(sh, pid, "sort", &out) {
        0
    } else {
        2
    }
}

fn trim_blanks(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| is_blank(b)).count();
    &s[n..]
}

fn uniq(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('c', "count", Arg::No),
        sl('d', "repeated", Arg::No),
        sl('u', "unique", Arg::No),
        sl('i', "ignore-case", Arg::No),
        sl('f', "skip-fields", Arg::Required),
        sl('s', "skip-chars", Arg::Required),
        sl('z', "zero-terminated", Arg::No),
    ];
    let Ok(p) = super::options(sh, pid, "uniq", argv, &opts, false, 1) else {
        return 1;
    };
    if p.operands.len() > 2 {
        usage_error(
            sh,
            pid,
            "uniq",
            &format!("extra operand '{}'", p.operands[2]),
        );
        return 1;
    }
    let mut num = |key: &str, what: &str| -> Result<usize, ()> {
        match p.last(key) {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| {
                sh.write_err(
                    pid,
                    &format!("uniq: {v}: invalid number of {what} to skip\n"),
                );
            }),
        }
    };
    let Ok(skip_f) = num("f", "fields") else {
        return 1;
    };
    let Ok(skip_c) = num("s", "bytes") else {
        return 1;
    };
    let input = p.operands.first().map_or("-", String::as_str).to_string();
    let eol = if p.has("z") { 0 } else { b'\n' };
    let icase = p.has("i");
    let key = |line: &[u8]| -> Vec<u8> {
        let mut i = 0;
        for _ in 0..skip_f {
            while i < line.len() && is_blank(line[i]) {
                i += 1;
            }
            while i < line.len() && !is_blank(line[i]) {
                i += 1;
            }
        }
        let k = &line[(i + skip_c).min(line.len())..];
        if icase {
            k.to_ascii_lowercase()
        } else {
            k.to_vec()
        }
    };
    let (count, dups, uniques) = (p.has("c"), p.has("d"), p.has("u"));
    let show = |n: usize| match (dups, uniques) {
        (true, true) => false,
        (true, false) => n > 1,
        (false, true) => n == 1,
        (false, false) => true,
    };
    // A line at a time, as coreutils' uniq reads (a group is written when the next line
    // starts another, or at the end), through stdio's buffer: `seq 100000 | uniq | head -n 1`
    // ends when head does. An output file gets everything at the end.
    let to_file = p.operands.get(1).is_some();
    let mut out = Vec::new();
    let mut stdout = StdoutBuf::new("uniq");
    // The group being read: its first line, that line's key, and its size.
    let mut group: Option<(Vec<u8>, Vec<u8>, usize)> = None;
    let mut emit = |sh: &mut Shell, first: &[u8], n: usize, out: &mut Vec<u8>| -> bool {
        if !show(n) {
            return true;
        }
        let mut text = Vec::with_capacity(first.len() + 9);
        if count {
            text.extend_from_slice(format!("{n:>7} ").as_bytes());
        }
        text.extend_from_slice(first);
        text.push(eol);
        if to_file {
            out.extend_from_slice(&text);
            true
        } else {
            stdout.put(sh, pid, &text)
        }
    };
    let mut failed = false;
    let mut on_error = |_: &mut Shell| failed = true;
    let ok = stream_lines(sh, pid, "uniq", &input, eol, &mut on_error, |sh, line| {
        let k = key(line);
        match &mut group {
            Some((_, gk, n)) if *gk == k => {
                *n += 1;
                true
            }
            _ => {
                let done = group.replace((line.to_vec(), k, 1));
                done.is_none_or(|(first, _, n)| emit(sh, &first, n, &mut out))
            }
        }
    });
    if !ok {
        return 1;
    }
    if failed {
        return 1;
    }
    if let Some((first, _, n)) = group.take()
        && !emit(sh, &first, n, &mut out)
    {
        return 1;
    }
    if let Some(path) = p.operands.get(1) {
        let k = sh.kernel().clone();
        let r = k
            .open(pid, path, cgsim_cgroupfs::OpenFlags::REDIRECT_TRUNC, 0o666)
            .and_then(|fd| {
                let r = k.write(pid, fd, &out);
                let _ = k.close(pid, fd);
                r
            });
        if let Err(e) = r {
            sh.write_err(pid, &format!("uniq: {path}: {}\n", e.errno.strerror()));
            return 1;
        }
        return 0;
    }
    if stdout.flush(sh, pid) { 0 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_extract_as_coreutils() {
        let k = parse_key("2,2n").unwrap();
        assert_eq!(
            (k.f1, k.f2, k.order.numeric, k.own),
            (2, Some(2), true, true)
        );
        assert_eq!(
            parse_key("0").unwrap_err(),
            "field number is zero: invalid field specification '0'"
        );
        let line = b"a  bb c";
        let k = parse_key("2,2").unwrap();
        assert_eq!(key_text(line, &k, None, false), b"  bb");
        assert_eq!(
            key_text(b"x:y:z", &parse_key("2").unwrap(), Some(b':'), false),
            b"y:z"
        );
        assert_eq!(human(b"2K").0, 2);
        assert!(human(b"1G") > human(b"900M"));
    }
}
