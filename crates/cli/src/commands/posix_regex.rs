//! POSIX regular expressions (basic for `sed` and `expr`, extended for `sed -E`, `awk` and
//! `pgrep`) translated to the `regex` crate's syntax, with glibc's GNU extensions that scripts
//! use (`\+`, `\?`, `\|` in basic REs; `\<`, `\>`, `\b`, `\B`, `\w`, `\W`, `\s`, `\S`, `` \` ``,
//! `\'`; `\n` and `\t`) and glibc's `regerror` texts for bad patterns.
//!
//! **Differences:** the `regex` crate finds the leftmost *first* match where POSIX asks for the
//! leftmost *longest*: the two differ only for alternations whose earlier branch is a prefix of
//! a later one (`echo abcd | sed -E 's/a|ab/X/'` gives `Xbcd` here, `Xcd` with GNU sed; write
//! the longer branch first). Back-references (`\1` inside a pattern) are refused with a message
//! (the crate has no backtracking); `\1` in a `sed` replacement works. Collating elements
//! `[.c.]` and equivalence classes `[=c=]` stand for the character itself (the C locale's rule).

use regex::{Regex, RegexBuilder};

/// Which POSIX grammar a pattern follows.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Flavor {
    Basic,
    Extended,
}

/// Compile a POSIX pattern; `Err` is glibc's `regerror` text (or the back-reference note).
pub fn compile(pat: &str, flavor: Flavor, icase: bool) -> Result<Regex, String> {
    let tr = translate(pat, flavor)?;
    RegexBuilder::new(&tr)
        .case_insensitive(icase)
        .dot_matches_new_line(true)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "Regular expression too big".to_string(),
            _ => "Invalid regular expression".to_string(),
        })
}

/// GNU sed's `normalize_text` (and awk's escape processing in regexes): before a regex is
/// compiled, `\t`, `\n`, `\r`, `\f`, `\v`, `\a`, `\dNNN`, `\oNNN`, `\xHH` and `\cX`
/// become the characters they name, also inside bracket expressions (`s/[ \t]*$//`); a
/// character the regex gives a meaning stays escaped; other escapes are left for the regex.
pub fn normalize_escapes(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] != '\\' || i + 1 >= c.len() {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let n = c[i + 1];
        let digits = |radix: u32, max: usize| -> (Option<char>, usize) {
            let mut v = 0u32;
            let mut k = 0;
            while k < max && i + 2 + k < c.len() && c[i + 2 + k].is_digit(radix) {
                v = v * radix + c[i + 2 + k].to_digit(radix).unwrap_or(0);
                k += 1;
            }
            (if k > 0 { char::from_u32(v) } else { None }, k)
        };
        let (ch, used) = match n {
            't' => (Some('\t'), 0),
            'r' => (Some('\r'), 0),
            'n' => (Some('\n'), 0),
            'f' => (Some('\x0c'), 0),
            'v' => (Some('\x0b'), 0),
            'a' => (Some('\x07'), 0),
            'd' => digits(10, 3),
            'o' => digits(8, 3),
            'x' => digits(16, 2),
            'c' if i + 2 < c.len() => (
                char::from_u32(u32::from(c[i + 2].to_ascii_uppercase()) ^ 0x40),
                1,
            ),
            _ => (None, 0),
        };
        match ch {
            // A character that is special to the regex stays escaped.
            Some(x) if "\\^$.*[]+?(){}|/".contains(x) => {
                out.push('\\');
                out.push(x);
                i += 2 + used;
            }
            Some(x) => {
                out.push(x);
                i += 2 + used;
            }
            None => {
                out.push('\\');
                out.push(n);
                i += 2;
            }
        }
    }
    out
}

/// Translate a POSIX pattern to the `regex` crate's syntax.
pub fn translate(pat: &str, flavor: Flavor) -> Result<String, String> {
    let ere = flavor == Flavor::Extended;
    let c: Vec<char> = pat.chars().collect();
    let mut out = String::new();
    // Open groups, and how many groups were opened so far (for back-reference checks).
    let mut depth = 0usize;
    let mut groups = 0usize;
    // True where a `*` would have nothing to repeat (BRE: a literal star there).
    let mut at_start = true;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        let start_before = at_start;
        at_start = false;
        match ch {
            '\\' => {
                let Some(&n) = c.get(i) else {
                    return Err("Trailing backslash".to_string());
                };
                i += 1;
                match n {
                    '(' if !ere => {
                        out.push('(');
                        depth += 1;
                        groups += 1;
                        at_start = true;
                    }
                    ')' if !ere => {
                        if depth == 0 {
                            return Err("Unmatched ) or \\)".to_string());
                        }
                        depth -= 1;
                        out.push(')');
                    }
                    '|' if !ere => {
                        out.push('|');
                        at_start = true;
                    }
                    '{' if !ere => {
                        if start_before {
                            return Err("Invalid preceding regular expression".to_string());
                        }
                        i = interval(&c, i, true, &mut out)?;
                    }
                    '+' | '?' if !ere => {
                        if start_before {
                            out.push('\\');
                        }
                        out.push(n);
                    }
                    '1'..='9' => {
                        let k = n as usize - '0' as usize;
                        if k > groups {
                            return Err("Invalid back reference".to_string());
                        }
                        return Err(
                            "back-references (\\1 to \\9) in a pattern are not supported by cgsim"
                                .to_string(),
                        );
                    }
                    '<' => out.push_str(r"\b{start}"),
                    '>' => out.push_str(r"\b{end}"),
                    'b' | 'B' | 'w' | 'W' | 's' | 'S' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '`' => out.push_str(r"\A"),
                    '\'' => out.push_str(r"\z"),
                    'n' => out.push_str(r"\n"),
                    't' => out.push_str(r"\t"),
                    other => push_literal(&mut out, other),
                }
            }
            '(' if ere => {
                out.push('(');
                depth += 1;
                groups += 1;
                at_start = true;
            }
            ')' if ere => {
                if depth == 0 {
                    // POSIX leaves a lone `)` undefined; glibc takes it literally.
                    push_literal(&mut out, ')');
                } else {
                    depth -= 1;
                    out.push(')');
                }
            }
            '|' if ere => {
                out.push('|');
                at_start = true;
            }
            '{' if ere => {
                if start_before {
                    return Err("Invalid preceding regular expression".to_string());
                }
                i = interval(&c, i, false, &mut out)?;
            }
            '+' | '?' if ere => {
                if start_before {
                    return Err("Invalid preceding regular expression".to_string());
                }
                out.push(ch);
            }
            '*' => {
                if start_before {
                    if ere {
                        return Err("Invalid preceding regular expression".to_string());
                    }
                    out.push_str(r"\*");
                } else {
                    out.push('*');
                }
            }
            '^' => {
                if ere || start_before {
                    out.push('^');
                    at_start = true;
                } else {
                    out.push_str(r"\^");
                }
            }
            '$' => {
                let at_end =
                    i == c.len() || (c[i] == '\\' && matches!(c.get(i + 1), Some(')') | Some('|')));
                if ere || at_end {
                    out.push('$');
                } else {
                    out.push_str(r"\$");
                }
            }
            '[' => i = bracket(&c, i, &mut out)?,
            '.' => out.push('.'),
            other => push_literal(&mut out, other),
        }
    }
    if depth > 0 {
        return Err("Unmatched ( or \\(".to_string());
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    let mut b = [0u8; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut b)));
}

/// `{m}`, `{m,}`, `{m,n}` (BRE: closed by `\}`); returns the index after it.
fn interval(c: &[char], mut i: usize, bre: bool, out: &mut String) -> Result<usize, String> {
    let mut body = String::new();
    loop {
        match c.get(i) {
            None => return Err("Unmatched \\{".to_string()),
            Some('\\') if bre && c.get(i + 1) == Some(&'}') => {
                i += 2;
                break;
            }
            Some('}') if !bre => {
                i += 1;
                break;
            }
            Some(&ch) if ch.is_ascii_digit() || ch == ',' => {
                body.push(ch);
                i += 1;
            }
            Some(_) => return Err("Invalid content of \\{\\}".to_string()),
        }
    }
    let (lo, hi) = match body.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (body.as_str(), None),
    };
    let lo_n: u32 = if lo.is_empty() {
        0
    } else {
        lo.parse().map_err(|_| "Invalid content of \\{\\}")?
    };
    if let Some(h) = hi
        && !h.is_empty()
    {
        let hi_n: u32 = h.parse().map_err(|_| "Invalid content of \\{\\}")?;
        if hi_n < lo_n {
            return Err("Invalid content of \\{\\}".to_string());
        }
    }
    if lo_n > 32767 {
        return Err("Regular expression too big".to_string());
    }
    out.push('{');
    out.push_str(&lo_n.to_string());
    if let Some(h) = hi {
        out.push(',');
        out.push_str(h);
    }
    out.push('}');
    Ok(i)
}

/// A bracket expression starting after `[`; returns the index after its `]`.
fn bracket(c: &[char], mut i: usize, out: &mut String) -> Result<usize, String> {
    const UNMATCHED: &str = "Unmatched [, [^, [:, [., or [=";
    out.push('[');
    if c.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&ch) = c.get(i) else {
            return Err(UNMATCHED.to_string());
        };
        if ch == ']' && !first {
            out.push(']');
            return Ok(i + 1);
        }
        first = false;
        if ch == '[' && matches!(c.get(i + 1), Some(':') | Some('.') | Some('=')) {
            let kind = c[i + 1];
            let start = i + 2;
            let mut j = start;
            while j + 1 < c.len() && !(c[j] == kind && c[j + 1] == ']') {
                j += 1;
            }
            if j + 1 >= c.len() {
                return Err(UNMATCHED.to_string());
            }
            let name: String = c[start..j].iter().collect();
            i = j + 2;
            if kind == ':' {
                const CLASSES: [&str; 12] = [
                    "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print",
                    "punct", "space", "upper", "xdigit",
                ];
                if !CLASSES.contains(&name.as_str()) {
                    return Err("Invalid character class name".to_string());
                }
                out.push_str(&format!("[:{name}:]"));
            } else {
                for ch in name.chars() {
                    push_class_char(out, ch);
                }
            }
            continue;
        }
        // A range `a-z` (a `-` first or last is literal).
        if c.get(i + 1) == Some(&'-') && c.get(i + 2).is_some_and(|&e| e != ']') {
            let end = c[i + 2];
            if end < ch {
                return Err("Invalid range end".to_string());
            }
            push_class_char(out, ch);
            out.push('-');
            push_class_char(out, end);
            i += 3;
            continue;
        }
        push_class_char(out, ch);
        i += 1;
    }
}

/// A character inside a class, escaped where the `regex` crate gives it a meaning
/// (POSIX gives a backslash none inside brackets).
fn push_class_char(out: &mut String, ch: char) {
    if matches!(ch, '\\' | '[' | ']' | '-' | '^' | '&' | '~') {
        out.push('\\');
    }
    out.push(ch);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bre(p: &str) -> String {
        translate(p, Flavor::Basic).unwrap()
    }

    fn ere(p: &str) -> String {
        translate(p, Flavor::Extended).unwrap()
    }

    #[test]
    fn basic_res_translate_as_glibc_reads_them() {
        assert_eq!(bre(r"a\(b\)*c"), r"a(b)*c");
        assert_eq!(bre("a+b?(c)|d{2}"), r"a\+b\?\(c\)\|d\{2\}");
        assert_eq!(bre(r"x\{2,3\}"), "x{2,3}");
        assert_eq!(bre(r"a\+\?"), "a+?");
        assert_eq!(bre("*a"), r"\*a");
        assert_eq!(bre("^a^b$c$"), r"^a\^b\$c$");
        assert_eq!(bre(r"\(^a\)"), "(^a)");
        assert_eq!(bre(r"[]a-c\]"), r"[\]a-c\\]");
        assert_eq!(bre("[[:digit:]x]"), "[[:digit:]x]");
        assert_eq!(bre(r"\<w\>"), r"\b{start}w\b{end}");
        assert_eq!(bre("a.b"), "a.b");
    }

    #[test]
    fn extended_res_translate_as_glibc_reads_them() {
        assert_eq!(ere("(a|b)+c?d{1,}"), "(a|b)+c?d{1,}");
        assert_eq!(ere(r"\(a\)"), r"\(a\)");
        assert_eq!(ere("a)"), r"a\)");
        assert_eq!(ere("[^-a]"), r"[^\-a]");
    }

    #[test]
    fn bad_patterns_get_glibc_messages() {
        let err = |p, f| translate(p, f).unwrap_err();
        assert_eq!(err(r"\(a", Flavor::Basic), r"Unmatched ( or \(");
        assert_eq!(err("(a", Flavor::Extended), r"Unmatched ( or \(");
        assert_eq!(err(r"a\)", Flavor::Basic), r"Unmatched ) or \)");
        assert_eq!(err("[a", Flavor::Basic), "Unmatched [, [^, [:, [., or [=");
        assert_eq!(
            err("[[:foo:]]", Flavor::Basic),
            "Invalid character class name"
        );
        assert_eq!(err("[z-a]", Flavor::Basic), "Invalid range end");
        assert_eq!(err(r"a\", Flavor::Basic), "Trailing backslash");
        assert_eq!(err(r"\1", Flavor::Basic), "Invalid back reference");
        assert_eq!(err(r"a\{1", Flavor::Basic), r"Unmatched \{");
        assert_eq!(
            err("*a", Flavor::Extended),
            "Invalid preceding regular expression"
        );
        assert!(err(r"\(a\)\1", Flavor::Basic).contains("not supported"));
    }

    #[test]
    fn escapes_are_normalized_as_gnu_sed_does() {
        assert_eq!(normalize_escapes(r"[ \t]\n"), "[ \t]\n");
        assert_eq!(normalize_escapes(r"\\t"), r"\\t");
        assert_eq!(normalize_escapes(r"\x41\o102\d67\x2e"), r"ABC\.");
        assert_eq!(normalize_escapes(r"\(a\)\1"), r"\(a\)\1");
    }

    #[test]
    fn compiled_patterns_match_like_posix() {
        let r = compile("[[:upper:]]+", Flavor::Extended, false).unwrap();
        assert_eq!(r.find("abCDe").map(|m| m.as_str()), Some("CD"));
        let r = compile("a.c", Flavor::Basic, true).unwrap();
        assert!(r.is_match("xA\nC"));
    }
}
