//! `cut` (coreutils 9.x `src/cut.c`): select bytes, characters or fields of each line.
//!
//! **Differences:** `-c` counts bytes, as coreutils does (it has no multibyte support yet).

use super::{StdoutBuf, stream_lines, usage_error};
use crate::Shell;
use crate::commands::getopt::{Arg, l, sl};
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cut",
        "cut -b LIST|-c LIST|-f LIST [-d DELIM] [-s] [--complement] [FILE]...",
        "print selected bytes, characters or fields of each line",
        Kind::External(cut),
    );
    r.set_help("cut", HELP);
}

const HELP: &str = "\
Usage: cut OPTION... [FILE]...
Print selected parts of lines from each FILE to standard output.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -b, --bytes=LIST        select only these bytes
  -c, --characters=LIST   select only these characters
  -d, --delimiter=DELIM   use DELIM instead of TAB for field delimiter
  -f, --fields=LIST       select only these fields;  also print any line
                            that contains no delimiter character, unless
                            the -s option is specified
  -n                      (ignored)
      --complement        complement the set of selected bytes, characters
                            or fields
  -s, --only-delimited    do not print lines not containing delimiters
      --output-delimiter=STRING  use STRING as the output delimiter
                            the default is to use the input delimiter
  -z, --zero-terminated   line delimiter is NUL, not newline
      --help        display this help and exit
      --version     output version information and exit

Use one, and only one of -b, -c or -f.  Each LIST is made up of one
range, or many ranges separated by commas.  Selected input is written
in the same order that it is read, and is written exactly once.
Each range is one of:

  N     N'th byte, character or field, counted from 1
  N-    from N'th byte, character or field, to end of line
  N-M   from N'th to M'th (included) byte, character or field
  -M    from first to M'th (included) byte, character or field
";

/// Inclusive 1-based ranges; `usize::MAX` is "to the end of the line".
pub(crate) type Ranges = Vec<(usize, usize)>;

/// Parse a LIST (`1,3-5,7-`); `Err` is coreutils' message.
pub(crate) fn parse_list(list: &str, fields: bool) -> Result<Ranges, String> {
    let (zero, bad) = if fields {
        ("fields are numbered from 1", "invalid field value")
    } else {
        (
            "byte/character positions are numbered from 1",
            "invalid byte/character position",
        )
    };
    let mut out = Vec::new();
    for item in list.split([',', ' ']) {
        if item.is_empty() {
            return Err(zero.to_string());
        }
        let num = |s: &str| -> Result<usize, String> {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                match s.parse::<usize>() {
                    Ok(0) => Err(zero.to_string()),
                    Ok(n) => Ok(n),
                    Err(_) => Err(format!("{bad} '{s}'")),
                }
            } else {
                Err(format!("{bad} '{s}'"))
            }
        };
        match item.split_once('-') {
            None => {
                let n = num(item)?;
                out.push((n, n));
            }
            Some(("", "")) => return Err("invalid range with no endpoint: -".to_string()),
            Some(("", b)) => out.push((1, num(b)?)),
            Some((a, "")) => out.push((num(a)?, usize::MAX)),
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b)?);
                if b < a {
                    return Err("invalid decreasing range".to_string());
                }
                out.push((a, b));
            }
        }
    }
    Ok(out)
}

fn selected(ranges: &Ranges, i: usize, complement: bool) -> bool {
    ranges.iter().any(|&(a, b)| a <= i && i <= b) != complement
}

fn cut(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('b', "bytes", Arg::Required),
        sl('c', "characters", Arg::Required),
        sl('f', "fields", Arg::Required),
        sl('d', "delimiter", Arg::Required),
        sl('s', "only-delimited", Arg::No),
        sl('z', "zero-terminated", Arg::No),
        crate::commands::getopt::s('n', Arg::No),
        l("complement", Arg::No),
        l("output-delimiter", Arg::Required),
    ];
    let Ok(p) = super::options(sh, pid, "cut", argv, &opts, false, 1) else {
        return 1;
    };
    let mut mode = None;
    let mut list = String::new();
    for g in &p.opts {
        if matches!(g.key.as_str(), "b" | "c" | "f") {
            if mode.is_some() {
                usage_error(sh, pid, "cut", "only one list may be specified");
                return 1;
            }
            mode = Some(g.key.clone());
            list = g.val.clone().unwrap_or_default();
        }
    }
    let Some(mode) = mode else {
        usage_error(
            sh,
            pid,
            "cut",
            "you must specify a list of bytes, characters, or fields",
        );
        return 1;
    };
    let fields = mode == "f";
    let ranges = match parse_list(&list, fields) {
        Ok(r) => r,
        Err(m) => {
            usage_error(sh, pid, "cut", &m);
            return 1;
        }
    };
    let delim = match p.last("d") {
        Some(d) if d.len() == 1 => d.as_bytes()[0],
        Some(_) => {
            usage_error(sh, pid, "cut", "the delimiter must be a single character");
            return 1;
        }
        None => b'\t',
    };
    if !fields && p.has("d") {
        usage_error(
            sh,
            pid,
            "cut",
            "an input delimiter may be specified only when operating on fields",
        );
        return 1;
    }
    if !fields && p.has("s") {
        usage_error(
            sh,
            pid,
            "cut",
            "suppressing non-delimited lines makes sense\n\tonly when operating on fields",
        );
        return 1;
    }
    let complement = p.has("complement");
    let out_delim: Option<Vec<u8>> = p.last("output-delimiter").map(|s| s.as_bytes().to_vec());
    let eol = if p.has("z") { 0 } else { b'\n' };
    let mut failed = false;
    // A line at a time, each input on its own (a last line without a newline gets one), with
    // stdio's output buffer, as coreutils' cut reads and writes: `yes | cut -c1 | head -n 1`
    // ends when head does.
    let only_delimited = p.has("s");
    let stdout = std::cell::RefCell::new(StdoutBuf::new("cut"));
    // An error message flushes standard output first (gnulib's `error`), so the lines of the
    // inputs before a missing one come before its message, as with the real cut.
    let mut on_error = |sh: &mut Shell| {
        failed = true;
        stdout.borrow_mut().flush(sh, pid);
    };
    let stdin = ["-".to_string()];
    let files = if p.operands.is_empty() {
        &stdin[..]
    } else {
        &p.operands[..]
    };
    for f in files {
        let ok = stream_lines(sh, pid, "cut", f, eol, &mut on_error, |sh, line| {
            let mut out = Vec::with_capacity(line.len() + 1);
            if fields {
                if !line.contains(&delim) {
                    if !only_delimited {
                        out.extend_from_slice(line);
                        out.push(eol);
                    }
                    return stdout.borrow_mut().put(sh, pid, &out);
                }
                let od = out_delim.as_deref().unwrap_or(std::slice::from_ref(&delim));
                let mut first = true;
                for (i, f) in line.split(|&b| b == delim).enumerate() {
                    if selected(&ranges, i + 1, complement) {
                        if !first {
                            out.extend_from_slice(od);
                        }
                        out.extend_from_slice(f);
                        first = false;
                    }
                }
            } else {
                let mut prev: Option<usize> = None;
                for (i, &b) in line.iter().enumerate() {
                    if selected(&ranges, i + 1, complement) {
                        // --output-delimiter goes between non-adjacent selected runs.
                        if let (Some(od), Some(pi)) = (&out_delim, prev)
                            && pi + 1 != i
                        {
                            out.extend_from_slice(od);
                        }
                        out.push(b);
                        prev = Some(i);
                    }
                }
            }
            out.push(eol);
            stdout.borrow_mut().put(sh, pid, &out)
        });
        if !ok {
            return 1;
        }
    }
    if !stdout.borrow_mut().flush(sh, pid) {
        return 1;
    }
    i32::from(failed)
}

#[cfg(test)]
mod tests {
    use super::parse_list;

    #[test]
    fn lists_parse_as_coreutils() {
        assert_eq!(
            parse_list("1,3-4,6-", true).unwrap(),
            vec![(1, 1), (3, 4), (6, usize::MAX)]
        );
        assert_eq!(parse_list("-2", false).unwrap(), vec![(1, 2)]);
        assert_eq!(
            parse_list("0", true).unwrap_err(),
            "fields are numbered from 1"
        );
        assert_eq!(
            parse_list("3-1", true).unwrap_err(),
            "invalid decreasing range"
        );
        assert_eq!(
            parse_list("a", true).unwrap_err(),
            "invalid field value 'a'"
        );
        assert_eq!(
            parse_list("1-2,x", false).unwrap_err(),
            "invalid byte/character position 'x'"
        );
    }
}
