//! `tr` (coreutils 9.x `src/tr.c`): translate, squeeze or delete bytes.
//!
//! Sets: characters, escapes (`\n`, `\t`, `\\`, `\NNN` octal, ...), ranges `a-z`, classes
//! `[:alpha:]`..., `[=c=]`, and in SET2 the repeats `[c*N]` and `[c*]`.

use super::{stream_input, usage_error, write_out};
use crate::Shell;
use crate::commands::getopt::{Arg, sl};
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "tr",
        "tr [-c] [-d] [-s] [-t] SET1 [SET2]",
        "translate, squeeze or delete characters of standard input",
        Kind::External(tr),
    );
    r.set_help("tr", HELP);
}

const HELP: &str = "\
Usage: tr [OPTION]... STRING1 [STRING2]
Translate, squeeze, and/or delete characters from standard input,
writing to standard output.  STRING1 and STRING2 specify arrays of
characters ARRAY1 and ARRAY2 that control the action.

  -c, -C, --complement    use the complement of ARRAY1
  -d, --delete            delete characters in ARRAY1, do not translate
  -s, --squeeze-repeats   replace each sequence of a repeated character
                            that is listed in the last specified ARRAY,
                            with a single occurrence of that character
  -t, --truncate-set1     first truncate ARRAY1 to length of ARRAY2
      --help        display this help and exit
      --version     output version information and exit

ARRAYs are specified as strings of characters.  Most represent themselves.
Interpreted sequences are:

  \\NNN            character with octal value NNN (1 to 3 octal digits)
  \\\\              backslash
  \\a              audible BEL
  \\b              backspace
  \\f              form feed
  \\n              new line
  \\r              return
  \\t              horizontal tab
  \\v              vertical tab
  CHAR1-CHAR2     all characters from CHAR1 to CHAR2 in ascending order
  [CHAR*]         in ARRAY2, copies of CHAR until length of ARRAY1
  [CHAR*REPEAT]   REPEAT copies of CHAR, REPEAT octal if starting with 0
  [:alnum:]       all letters and digits
  [:alpha:]       all letters
  [:blank:]       all horizontal whitespace
  [:cntrl:]       all control characters
  [:digit:]       all digits
  [:graph:]       all printable characters, not including space
  [:lower:]       all lower case letters
  [:print:]       all printable characters, including space
  [:punct:]       all punctuation characters
  [:space:]       all horizontal or vertical whitespace
  [:upper:]       all upper case letters
  [:xdigit:]      all hexadecimal digits
  [=CHAR=]        all characters which are equivalent to CHAR

Translation occurs if -d is not given and both STRING1 and STRING2 appear.
-t may be used only when translating.  ARRAY2 is extended to length of
ARRAY1 by repeating its last character as necessary.  Excess characters
of ARRAY2 are ignored.  Character classes expand in unspecified order;
while translating, [:lower:] and [:upper:] may be used in pairs to
specify case conversion.  Squeezing occurs after translation or deletion.
";

/// A parsed set: its bytes, where a `[c*]` fill goes (SET2), and which classes it used.
#[derive(Default, Debug)]
pub(crate) struct Set {
    pub bytes: Vec<u8>,
    fill: Option<(usize, u8)>,
    classes: Vec<String>,
}

fn class_bytes(name: &str) -> Option<Vec<u8>> {
    let f: fn(&u8) -> bool = match name {
        "alnum" => |b| b.is_ascii_alphanumeric(),
        "alpha" => |b| b.is_ascii_alphabetic(),
        "blank" => |b| *b == b' ' || *b == b'\t',
        "cntrl" => |b| b.is_ascii_control(),
        "digit" => |b| b.is_ascii_digit(),
        "graph" => |b| b.is_ascii_graphic(),
        "lower" => |b| b.is_ascii_lowercase(),
        "print" => |b| b.is_ascii_graphic() || *b == b' ',
        "punct" => |b| b.is_ascii_punctuation(),
        "space" => |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        "upper" => |b| b.is_ascii_uppercase(),
        "xdigit" => |b| b.is_ascii_hexdigit(),
        _ => return None,
    };
    Some((0u8..=255).filter(f).collect())
}

/// Parse one SET; `Err` is tr's message.
pub(crate) fn parse_set(s: &str, is_set2: bool) -> Result<Set, String> {
    // First the escapes: a sequence of (byte, was_escaped).
    let raw = s.as_bytes();
    let mut v: Vec<(u8, bool)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let n = raw[i + 1];
            i += 2;
            let b = match n {
                b'a' => 7,
                b'b' => 8,
                b'f' => 12,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 11,
                b'0'..=b'7' => {
                    let mut val = u32::from(n - b'0');
                    let mut k = 0;
                    while k < 2 && i < raw.len() && (b'0'..=b'7').contains(&raw[i]) {
                        let nv = val * 8 + u32::from(raw[i] - b'0');
                        if nv > 255 {
                            break;
                        }
                        val = nv;
                        i += 1;
                        k += 1;
                    }
                    val as u8
                }
                other => other,
            };
            v.push((b, true));
        } else {
            v.push((raw[i], false));
            i += 1;
        }
    }
    let mut set = Set::default();
    let mut i = 0;
    while i < v.len() {
        let (b, esc) = v[i];
        if b == b'[' && !esc && i + 1 < v.len() {
            let rest: Vec<u8> = v[i + 1..].iter().map(|x| x.0).collect();
            // [:class:] and [=c=]
            if let Some(kind @ (b':' | b'=')) = rest.first().copied()
                && let Some(end) = rest[1..]
                    .windows(2)
                    .position(|w| w[0] == kind && w[1] == b']')
            {
                let name = String::from_utf8_lossy(&rest[1..1 + end]).into_owned();
                if kind == b':' {
                    let Some(bytes) = class_bytes(&name) else {
                        return Err(format!("invalid character class '{name}'"));
                    };
                    set.classes.push(name);
                    set.bytes.extend(bytes);
                } else {
                    if name.len() != 1 {
                        return Err(format!(
                            "{name}: equivalence class operand must be a single character"
                        ));
                    }
                    set.bytes.push(name.as_bytes()[0]);
                }
                i += end + 4;
                continue;
            }
            // [c*N] and [c*]
            if rest.len() >= 3
                && rest[1] == b'*'
                && let Some(close) = rest[2..].iter().position(|&x| x == b']')
            {
                let count = String::from_utf8_lossy(&rest[2..2 + close]).into_owned();
                if !is_set2 {
                    return Err("the [c*] repeat construct may not appear in string1".to_string());
                }
                let c = rest[0];
                if count.is_empty() {
                    if set.fill.is_some() {
                        return Err(
                            "only one [c*] repeat construct may appear in string2".to_string()
                        );
                    }
                    set.fill = Some((set.bytes.len(), c));
                } else {
                    let n = if count.starts_with('0') {
                        usize::from_str_radix(&count, 8)
                    } else {
                        count.parse()
                    };
                    let Ok(n) = n else {
                        return Err(format!("invalid repeat count '{count}' in [c*n] construct"));
                    };
                    // Only as many as SET1 can pair with matter; cap the expansion.
                    set.bytes.extend(std::iter::repeat_n(c, n.min(1 << 16)));
                }
                i += close + 4;
                continue;
            }
        }
        if i + 2 < v.len() && v[i + 1] == (b'-', false) {
            let e = v[i + 2].0;
            if e < b {
                let text = |x: u8, esc: bool| {
                    if esc {
                        format!("\\{x:03o}")
                    } else {
                        (x as char).to_string()
                    }
                };
                return Err(format!(
                    "range-endpoints of '{}-{}' are in reverse collating sequence order",
                    text(b, esc),
                    text(e, v[i + 2].1)
                ));
            }
            set.bytes.extend(b..=e);
            i += 3;
            continue;
        }
        set.bytes.push(b);
        i += 1;
    }
    Ok(set)
}

fn tr(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('c', "complement", Arg::No),
        crate::commands::getopt::s('C', Arg::No),
        sl('d', "delete", Arg::No),
        sl('s', "squeeze-repeats", Arg::No),
        sl('t', "truncate-set1", Arg::No),
    ];
    let Ok(p) = super::options(sh, pid, "tr", argv, &opts, false, 1) else {
        return 1;
    };
    let (comp, del, sq, trunc) = (p.has("c") || p.has("C"), p.has("d"), p.has("s"), p.has("t"));
    let ops = &p.operands;
    let translating = !del && ops.len() >= 2;
    let needed = if del && sq {
        2
    } else if del || (sq && ops.len() < 2) {
        1
    } else {
        2
    };
    if ops.is_empty() {
        usage_error(sh, pid, "tr", "missing operand");
        return 1;
    }
    if ops.len() < needed {
        let extra = if sq && del {
            "Two strings must be given when both deleting and squeezing repeats."
        } else {
            "Two strings must be given when translating."
        };
        let last = &ops[ops.len() - 1];
        usage_error(
            sh,
            pid,
            "tr",
            &format!("missing operand after '{last}'\n{extra}"),
        );
        return 1;
    }
    if ops.len() > needed {
        let msg = if del && !sq {
            format!(
                "extra operand '{}'\nOnly one string may be given when deleting without squeezing repeats.",
                ops[needed]
            )
        } else {
            format!("extra operand '{}'", ops[needed])
        };
        usage_error(sh, pid, "tr", &msg);
        return 1;
    }
    let parse = |s: &str, two: bool| parse_set(s, two);
    let s1 = match parse(&ops[0], false) {
        Ok(s) => s,
        Err(m) => {
            sh.write_err(pid, &format!("tr: {m}\n"));
            return 1;
        }
    };
    let mut set1 = s1.bytes.clone();
    if comp {
        set1 = (0u8..=255).filter(|b| !s1.bytes.contains(b)).collect();
    }
    let mut set2 = Vec::new();
    if ops.len() == 2 {
        let s2 = match parse(&ops[1], true) {
            Ok(s) => s,
            Err(m) => {
                sh.write_err(pid, &format!("tr: {m}\n"));
                return 1;
            }
        };
        if translating && s2.classes.iter().any(|c| c != "upper" && c != "lower") {
            sh.write_err(
                pid,
                "tr: when translating, the only character classes that may appear in\nstring2 are 'upper' and 'lower'\n",
            );
            return 1;
        }
        set2 = s2.bytes.clone();
        if let Some((at, c)) = s2.fill {
            let n = set1.len().saturating_sub(set2.len());
            set2.splice(at..at, std::iter::repeat_n(c, n));
        }
        if translating {
            if set2.is_empty() && !set1.is_empty() && !trunc {
                sh.write_err(
                    pid,
                    "tr: when not truncating set1, string2 must be non-empty\n",
                );
                return 1;
            }
            if trunc {
                set1.truncate(set2.len());
            }
            while set2.len() < set1.len() {
                let last = *set2.last().unwrap_or(&0);
                set2.push(last);
            }
        }
    }
    let mut failed = false;
    let mut map: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut in1 = [false; 256];
    for &b in &set1 {
        in1[b as usize] = true;
    }
    if translating {
        for (i, &b) in set1.iter().enumerate() {
            map[b as usize] = set2[i];
        }
    }
    let squeeze_set: Vec<u8> = if ops.len() == 2 {
        set2.clone()
    } else {
        set1.clone()
    };
    let mut insq = [false; 256];
    for &b in &squeeze_set {
        insq[b as usize] = true;
    }
    // A buffer at a time, as coreutils' tr reads and writes (so `yes | tr y n | head -n 1`
    // ends); the squeeze looks at the last byte written, across buffers.
    let mut last: Option<u8> = None;
    let ok = stream_input(sh, pid, "tr", "-", &mut failed, |sh, data| {
        let mut out = Vec::with_capacity(data.len());
        for &b in data {
            if del && in1[b as usize] {
                continue;
            }
            let c = map[b as usize];
            if sq && insq[c as usize] && last == Some(c) {
                continue;
            }
            out.push(c);
            last = Some(c);
        }
        write_out(sh, pid, "tr", &out)
    });
    if !ok {
        return 1;
    }
    i32::from(failed)
}

#[cfg(test)]
mod tests {
    use super::parse_set;

    #[test]
    fn sets_expand_as_coreutils() {
        assert_eq!(parse_set("a-d", false).unwrap().bytes, b"abcd");
        assert_eq!(parse_set(r"\n\t\101", false).unwrap().bytes, b"\n\tA");
        assert_eq!(parse_set("[:digit:]", false).unwrap().bytes, b"0123456789");
        assert_eq!(parse_set("[x*3]", true).unwrap().bytes, b"xxx");
        assert_eq!(
            parse_set("z-a", false).unwrap_err(),
            "range-endpoints of 'z-a' are in reverse collating sequence order"
        );
        assert_eq!(
            parse_set("[:foo:]", false).unwrap_err(),
            "invalid character class 'foo'"
        );
    }
}
