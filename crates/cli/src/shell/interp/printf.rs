//! dash's `printf` and `echo` builtins (`bltin/printf.c`): the format is reused until the
//! arguments run out; conversions `d i o u x X c s b e E f F g G %` with flags, width and
//! precision (`*` too); `\` escapes in the format and in `%b` (`\c` stops all output); numeric
//! arguments may be `'c` (the character's code); a bad number prints dash's message and makes
//! the status 1. `echo` is dash's: only `-n`, and the `%b` escapes in its arguments.

use super::Shell;
use super::builtins::write_out;

/// Expand backslash escapes. `in_b`: the `%b` / `echo` rules (`\0nnn` octal, `\c` stops).
/// Returns the text and whether `\c` was seen.
fn escapes(s: &str, in_b: bool) -> (String, bool) {
    let cs: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c != '\\' || i + 1 >= cs.len() {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let e = cs[i];
        i += 1;
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' if !in_b => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            'c' if in_b => return (out, true),
            '0'..='7' => {
                // In %b, `\0nnn` (up to 3 digits after the 0); in formats `\nnn`.
                let mut v = 0u32;
                let mut n = 0;
                if in_b && e == '0' {
                    while n < 3 && i < cs.len() && cs[i].is_digit(8) {
                        v = v * 8 + cs[i].to_digit(8).unwrap_or(0);
                        i += 1;
                        n += 1;
                    }
                } else {
                    v = e.to_digit(8).unwrap_or(0);
                    while n < 2 && i < cs.len() && cs[i].is_digit(8) {
                        v = v * 8 + cs[i].to_digit(8).unwrap_or(0);
                        i += 1;
                        n += 1;
                    }
                }
                out.push(char::from_u32(v & 0xff).unwrap_or('?'));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

/// dash's `echo`.
pub(crate) fn echo(sh: &mut Shell, argv: &[String]) -> i32 {
    let (newline, args) = match argv.get(1).map(String::as_str) {
        Some("-n") => (false, &argv[2..]),
        _ => (true, &argv[1..]),
    };
    let mut text = String::new();
    let mut stopped = false;
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let (t, stop) = escapes(a, true);
        text.push_str(&t);
        if stop {
            stopped = true;
            break;
        }
    }
    if newline && !stopped {
        text.push('\n');
    }
    // One write(2) of the whole line: a control file sees exactly what was typed.
    let pid = sh.cur();
    match sh.out(pid, &text) {
        Ok(()) => 0,
        Err(e) => {
            sh.sh_error(pid, &super::builtins::write_error("echo", e.errno));
            1
        }
    }
}

struct Args<'a> {
    args: &'a [String],
    i: usize,
    status: i32,
    errors: Vec<String>,
}

impl Args<'_> {
    fn next_str(&mut self) -> Option<&str> {
        let a = self.args.get(self.i).map(String::as_str);
        if a.is_some() {
            self.i += 1;
        }
        a
    }

    fn int(&mut self) -> i128 {
        let Some(s) = self.next_str().map(str::to_string) else {
            return 0;
        };
        if let Some(c) = s.strip_prefix('\'').or(s.strip_prefix('"')) {
            return c.chars().next().map(|c| c as i128).unwrap_or(0);
        }
        let t = s.trim_start();
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (radix, digits) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
            (16, h)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
        let end = digits
            .char_indices()
            .find(|(_, c)| !c.is_digit(radix))
            .map(|(i, _)| i)
            .unwrap_or(digits.len());
        let v = i128::from_str_radix(&digits[..end], radix).unwrap_or(0);
        let v = if neg { -v } else { v };
        if end == 0 && !(radix == 8 && body.starts_with('0')) {
            self.errors
                .push(format!("printf: {s}: expected numeric value"));
            self.status = 1;
        } else if end < digits.len() {
            self.errors
                .push(format!("printf: {s}: not completely converted"));
            self.status = 1;
        }
        v
    }

    fn float(&mut self) -> f64 {
        let Some(s) = self.next_str().map(str::to_string) else {
            return 0.0;
        };
        if let Some(c) = s.strip_prefix('\'').or(s.strip_prefix('"')) {
            return c.chars().next().map(|c| c as u32 as f64).unwrap_or(0.0);
        }
        match s.trim().parse::<f64>() {
            Ok(v) => v,
            Err(_) => {
                self.errors
                    .push(format!("printf: {s}: expected numeric value"));
                self.status = 1;
                0.0
            }
        }
    }
}

fn pad(s: String, width: Option<usize>, left: bool, zero: bool) -> String {
    let w = width.unwrap_or(0);
    let len = s.chars().count();
    if len >= w {
        return s;
    }
    let fill = w - len;
    if left {
        format!("{s}{}", " ".repeat(fill))
    } else if zero {
        let (sign, digits) = match s.strip_prefix(['-', '+', ' ']) {
            Some(d) => (&s[..1], d),
            None => ("", s.as_str()),
        };
        let (pre, digits) = match digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
            Some(d) => (&digits[..2], d),
            None => ("", digits),
        };
        format!("{sign}{pre}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

/// C's `%e` formatting: `d.dddddde+XX`.
fn fmt_exp(v: f64, prec: usize, upper: bool) -> String {
    let s = format!("{v:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    let r = format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper { r.to_uppercase() } else { r }
}

/// C's `%g`.
fn fmt_g(v: f64, prec: usize, upper: bool, alt: bool) -> String {
    let p = if prec == 0 { 1 } else { prec };
    if v == 0.0 {
        return "0".to_string();
    }
    let exp = v.abs().log10().floor() as i32;
    if exp < -4 || exp >= p as i32 {
        let s = fmt_exp(v, p - 1, upper);
        if alt {
            s
        } else {
            let (m, e) = s
                .split_once(if upper { 'E' } else { 'e' })
                .unwrap_or((&s, ""));
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            format!("{m}{}{e}", if upper { 'E' } else { 'e' })
        }
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if alt || !s.contains('.') {
            s
        } else {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

/// An invalid conversion: dash prints what it formatted so far and the message, status 2.
fn invalid(sh: &mut Shell, a: &mut Args<'_>, out: &str, spec: &str) -> i32 {
    let pid = sh.cur();
    for e in std::mem::take(&mut a.errors) {
        sh.sh_error(pid, &e);
    }
    sh.sh_error(pid, &format!("printf: {spec}: invalid directive"));
    let _ = write_out(sh, "printf", out);
    2
}

pub(crate) fn printf(sh: &mut Shell, argv: &[String]) -> i32 {
    // `--` ends the options (there are none).
    let argv = if argv.get(1).is_some_and(|a| a == "--") {
        let mut v = argv.to_vec();
        v.remove(1);
        v
    } else {
        argv.to_vec()
    };
    let Some(format) = argv.get(1).cloned() else {
        let pid = sh.cur();
        sh.sh_error(pid, "printf: usage: printf format [arg ...]");
        return 2;
    };
    let fmt: Vec<char> = format.chars().collect();
    let mut a = Args {
        args: &argv[2..],
        i: 0,
        status: 0,
        errors: Vec::new(),
    };
    let mut out = String::new();
    let mut stop = false;
    loop {
        let start_i = a.i;
        let mut k = 0;
        let mut used_conv = false;
        while k < fmt.len() && !stop {
            let c = fmt[k];
            if c == '\\' {
                // One escape sequence of the format.
                let mut j = k + 1;
                if j < fmt.len() && fmt[j].is_digit(8) {
                    let mut n = 0;
                    while j < fmt.len() && n < 3 && fmt[j].is_digit(8) {
                        j += 1;
                        n += 1;
                    }
                } else {
                    j = (j + 1).min(fmt.len());
                }
                let seq: String = fmt[k..j].iter().collect();
                out.push_str(&escapes(&seq, false).0);
                k = j;
                continue;
            }
            if c != '%' {
                out.push(c);
                k += 1;
                continue;
            }
            if fmt.get(k + 1) == Some(&'%') {
                out.push('%');
                k += 2;
                continue;
            }
            // %[flags][width][.prec]conv
            let spec_start = k;
            k += 1;
            let mut left = false;
            let mut zero = false;
            let mut plus = false;
            let mut space = false;
            let mut alt = false;
            while let Some(&f) = fmt.get(k) {
                match f {
                    '-' => left = true,
                    '0' => zero = true,
                    '+' => plus = true,
                    ' ' => space = true,
                    '#' => alt = true,
                    _ => break,
                }
                k += 1;
            }
            let mut width = None;
            if fmt.get(k) == Some(&'*') {
                let w = a.int();
                if w < 0 {
                    left = true;
                }
                width = Some(w.unsigned_abs() as usize);
                k += 1;
            } else {
                let st = k;
                while fmt.get(k).is_some_and(|c| c.is_ascii_digit()) {
                    k += 1;
                }
                if k > st {
                    width = fmt[st..k].iter().collect::<String>().parse().ok();
                }
            }
            let mut prec = None;
            if fmt.get(k) == Some(&'.') {
                k += 1;
                if fmt.get(k) == Some(&'*') {
                    prec = Some(a.int().max(0) as usize);
                    k += 1;
                } else {
                    let st = k;
                    while fmt.get(k).is_some_and(|c| c.is_ascii_digit()) {
                        k += 1;
                    }
                    prec = Some(fmt[st..k].iter().collect::<String>().parse().unwrap_or(0));
                }
            }
            // Length modifiers are accepted and ignored.
            while fmt
                .get(k)
                .is_some_and(|c| matches!(c, 'l' | 'h' | 'j' | 'z' | 't' | 'L'))
            {
                k += 1;
            }
            let Some(&conv) = fmt.get(k) else {
                let spec: String = fmt[spec_start..].iter().collect();
                return invalid(sh, &mut a, &out, &spec);
            };
            k += 1;
            used_conv = true;
            let s = match conv {
                'd' | 'i' => {
                    let v = a.int() as i64;
                    let mut s = v.unsigned_abs().to_string();
                    if let Some(p) = prec {
                        while s.len() < p {
                            s.insert(0, '0');
                        }
                    }
                    let sign = if v < 0 {
                        "-"
                    } else if plus {
                        "+"
                    } else if space {
                        " "
                    } else {
                        ""
                    };
                    pad(format!("{sign}{s}"), width, left, zero && prec.is_none())
                }
                'o' | 'u' | 'x' | 'X' => {
                    let v = a.int() as i64 as u64;
                    let mut s = match conv {
                        'o' => format!("{v:o}"),
                        'u' => v.to_string(),
                        'x' => format!("{v:x}"),
                        _ => format!("{v:X}"),
                    };
                    if let Some(p) = prec {
                        while s.len() < p {
                            s.insert(0, '0');
                        }
                    }
                    if alt && conv == 'o' && !s.starts_with('0') {
                        s.insert(0, '0');
                    }
                    if alt && v != 0 && conv == 'x' {
                        s.insert_str(0, "0x");
                    }
                    if alt && v != 0 && conv == 'X' {
                        s.insert_str(0, "0X");
                    }
                    pad(s, width, left, zero && prec.is_none())
                }
                'c' => {
                    // An empty argument gives its terminating NUL, as C's `%c` of `*""`.
                    let s: String = match a.next_str() {
                        Some(v) => v.chars().next().unwrap_or('\0').to_string(),
                        None => String::new(),
                    };
                    pad(s, width, left, false)
                }
                's' => {
                    let mut s = a.next_str().unwrap_or("").to_string();
                    if let Some(p) = prec {
                        s = s.chars().take(p).collect();
                    }
                    pad(s, width, left, false)
                }
                'b' => {
                    let (mut s, st) = escapes(a.next_str().unwrap_or(""), true);
                    if let Some(p) = prec {
                        s = s.chars().take(p).collect();
                    }
                    if st {
                        stop = true;
                    }
                    pad(s, width, left, false)
                }
                'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                    let v = a.float();
                    let p = prec.unwrap_or(6);
                    let mut s = match conv {
                        'e' | 'E' => fmt_exp(v, p, conv == 'E'),
                        'f' | 'F' => format!("{v:.p$}"),
                        _ => fmt_g(v, p, conv == 'G', alt),
                    };
                    if v >= 0.0 && plus {
                        s.insert(0, '+');
                    } else if v >= 0.0 && space {
                        s.insert(0, ' ');
                    }
                    pad(s, width, left, zero)
                }
                _ => {
                    let spec: String = fmt[spec_start..k].iter().collect();
                    return invalid(sh, &mut a, &out, &spec);
                }
            };
            out.push_str(&s);
        }
        if stop || !used_conv || a.i >= a.args.len() || a.i == start_i {
            break;
        }
    }
    let pid = sh.cur();
    for e in std::mem::take(&mut a.errors) {
        sh.sh_error(pid, &e);
    }
    let w = write_out(sh, "printf", &out);
    if a.status != 0 { a.status } else { w }
}
