//! `seq` (coreutils 9.x `src/seq.c`): print a sequence of numbers.
//!
//! **Differences:** numbers are `f64` where coreutils uses `long double`; integer sequences
//! are exact (`i128`). cgsim stops after 10 000 000 numbers (a real `seq` would go on).

use super::{usage_error, write_out};
use crate::Shell;
use crate::commands::cfmt::{Spec, parse_spec};
use crate::commands::getopt::{self, Arg, sl};
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "seq",
        "seq [-s SEP] [-w] [-f FORMAT] [FIRST [INCREMENT]] LAST",
        "print numbers from FIRST to LAST, in steps of INCREMENT",
        Kind::External(seq),
    );
    r.set_help("seq", HELP);
}

const HELP: &str = "\
Usage: seq [OPTION]... LAST
  or:  seq [OPTION]... FIRST LAST
  or:  seq [OPTION]... FIRST INCREMENT LAST
Print numbers from FIRST to LAST, in steps of INCREMENT.

Mandatory arguments to long options are mandatory for short options too.
  -f, --format=FORMAT      use printf style floating-point FORMAT
  -s, --separator=STRING   use STRING to separate numbers (default: \\n)
  -w, --equal-width        equalize width by padding with leading zeroes
      --help        display this help and exit
      --version     output version information and exit

If FIRST or INCREMENT is omitted, it defaults to 1.  That is, an
omitted INCREMENT defaults to 1 even when LAST is smaller than FIRST.
The sequence of numbers ends when the sum of the current number and
INCREMENT would become greater than LAST.
FIRST, INCREMENT, and LAST are interpreted as floating point values.
INCREMENT is usually positive if FIRST is smaller than LAST, and
INCREMENT is usually negative if FIRST is greater than LAST.
INCREMENT must not be 0; none of FIRST, INCREMENT and LAST may be NaN.
FORMAT must be suitable for printing one argument of type 'double';
it defaults to %.PRECf if FIRST, INCREMENT, and LAST are all fixed point
decimal numbers with maximum precision PREC, and to %g otherwise.
";

const LIMIT: usize = 10_000_000;

/// One operand: its value and how many digits follow its decimal point.
struct Operand {
    v: f64,
    prec: usize,
    int: Option<i128>,
    /// Written in exponent or hex form (the output then defaults to `%g`).
    exotic: bool,
}

fn operand(s: &str) -> Option<Operand> {
    let t = s.trim_start();
    let t = t.strip_prefix('+').unwrap_or(t);
    let v: f64 = t.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    let exotic = t.contains(['e', 'E', 'x', 'X', 'i', 'I']);
    let prec = t.split_once('.').map_or(0, |(_, f)| f.len());
    let int = (!exotic && !t.contains('.'))
        .then(|| t.parse().ok())
        .flatten();
    Some(Operand {
        v,
        prec,
        int,
        exotic,
    })
}

/// glibc's `BUFSIZ`: the size of the pieces seq's output is written in.
const STDIO_BUF: usize = 4096;

/// How many numbers every `seq` has formatted so far (for the test that a reader exiting early
/// stops it).
pub static NUMBERS_MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn seq(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    // seq stops option processing at an operand that looks like a negative number.
    let args = &argv[1..];
    let split = args
        .iter()
        .position(|a| {
            let b = a.as_bytes();
            b.len() > 1 && b[0] == b'-' && (b[1] == b'.' || b[1].is_ascii_digit())
        })
        .unwrap_or(args.len());
    let opts = [
        sl('f', "format", Arg::Required),
        sl('s', "separator", Arg::Required),
        sl('w', "equal-width", Arg::No),
    ];
    let mut p = match getopt::parse(&args[..split], &opts, false) {
        Ok(p) => p,
        Err(m) => {
            usage_error(sh, pid, "seq", &m);
            return 1;
        }
    };
    p.operands.extend(args[split..].iter().cloned());
    let ops = &p.operands;
    if ops.is_empty() {
        usage_error(sh, pid, "seq", "missing operand");
        return 1;
    }
    if ops.len() > 3 {
        usage_error(sh, pid, "seq", &format!("extra operand '{}'", ops[3]));
        return 1;
    }
    let mut parsed = Vec::new();
    for o in ops {
        match operand(o) {
            Some(v) => parsed.push(v),
            None => {
                usage_error(
                    sh,
                    pid,
                    "seq",
                    &format!("invalid floating point argument: '{o}'"),
                );
                return 1;
            }
        }
    }
    let one = || Operand {
        v: 1.0,
        prec: 0,
        int: Some(1),
        exotic: false,
    };
    let (first, step, last) = match parsed.len() {
        1 => (one(), one(), parsed.remove(0)),
        2 => {
            let l = parsed.remove(1);
            (parsed.remove(0), one(), l)
        }
        _ => {
            let l = parsed.remove(2);
            let s = parsed.remove(1);
            (parsed.remove(0), s, l)
        }
    };
    if step.v == 0.0 {
        usage_error(
            sh,
            pid,
            "seq",
            &format!("invalid Zero increment value: '{}'", ops[1]),
        );
        return 1;
    }
    let format = p.last("f").map(str::to_string);
    if format.is_some() && p.has("w") {
        sh.write_err(
            pid,
            "seq: format string may not be specified when printing equal width strings\nTry 'seq --help' for more information.\n",
        );
        return 1;
    }
    let fmt = match &format {
        Some(f) => match FormatParts::parse(f) {
            Ok(fp) => Some(fp),
            Err(m) => {
                sh.write_err(pid, &format!("seq: {m}\n"));
                return 1;
            }
        },
        None => None,
    };
    let sep = p.last("s").unwrap_or("\n").to_string();
    let prec = first.prec.max(step.prec);
    let exotic = first.exotic || step.exotic || last.exotic;
    let render = |v: f64, i: Option<i128>| -> String {
        if let Some(fp) = &fmt {
            return fp.render(v);
        }
        if exotic {
            let c: Vec<char> = "%g".chars().collect();
            return parse_spec(&c, 1)
                .map(|(s, _)| s.float(v))
                .unwrap_or_default();
        }
        match i {
            Some(n) => n.to_string(),
            None => format!("{v:.prec$}"),
        }
    };
    // -w: the width of the widest of FIRST and LAST as printed, zeros after the sign.
    let width = if p.has("w") {
        let int_seq = first.int.is_some() && step.int.is_some() && last.int.is_some();
        let a = render(first.v, first.int.filter(|_| int_seq));
        let b = render(last.v, last.int.filter(|_| int_seq));
        a.len().max(b.len())
    } else {
        0
    };
    let pad = |n: String| -> String {
        if n.len() >= width {
            return n;
        }
        let (sign, digits) = match n.strip_prefix('-') {
            Some(d) => ("-", d.to_string()),
            None => ("", n.clone()),
        };
        format!("{sign}{}{digits}", "0".repeat(width - n.len()))
    };
    let mut out = String::new();
    let mut count = 0usize;
    // stdio's buffer: seq writes its output a buffer at a time (`BUFSIZ`-sized pieces to a
    // pipe), so a reader that exits early (`seq 1000000 | head -n 1`) stops it with SIGPIPE
    // after about a pipe's worth of numbers.
    let mut failed = false;
    let mut push = |text: String, out: &mut String, count: &mut usize| -> bool {
        if *count > 0 {
            out.push_str(&sep);
        }
        out.push_str(&pad(text));
        *count += 1;
        NUMBERS_MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if out.len() >= STDIO_BUF {
            let rest = out.split_off(STDIO_BUF);
            let ok = write_out(sh, pid, "seq", out.as_bytes());
            *out = rest;
            return ok;
        }
        true
    };
    if let (Some(a), Some(s), Some(b), false) = (first.int, step.int, last.int, exotic) {
        let mut x = a;
        while ((s > 0 && x <= b) || (s < 0 && x >= b)) && count < LIMIT && !failed {
            failed = !push(render(x as f64, Some(x)), &mut out, &mut count);
            x += s;
        }
    } else {
        let mut i = 0u64;
        loop {
            let x = first.v + step.v * i as f64;
            if (step.v > 0.0 && x > last.v)
                || (step.v < 0.0 && x < last.v)
                || count >= LIMIT
                || failed
            {
                break;
            }
            failed = !push(render(x, None), &mut out, &mut count);
            i += 1;
        }
    }
    if failed {
        return 1;
    }
    if count >= LIMIT {
        sh.write_err(pid, "seq: cgsim stops after 10000000 numbers\n");
    }
    if count > 0 {
        out.push('\n');
    }
    if write_out(sh, pid, "seq", out.as_bytes()) {
        0
    } else {
        1
    }
}

/// `-f FORMAT`: text, one floating-point directive, text.
struct FormatParts {
    pre: String,
    spec: Spec,
    post: String,
}

impl FormatParts {
    fn parse(f: &str) -> Result<FormatParts, String> {
        let c: Vec<char> = f.chars().collect();
        let mut pre = String::new();
        let mut i = 0;
        let mut found: Option<(Spec, usize)> = None;
        while i < c.len() {
            if c[i] == '%' {
                if c.get(i + 1) == Some(&'%') {
                    pre.push('%');
                    i += 2;
                    continue;
                }
                match parse_spec(&c, i + 1) {
                    Some((s, j)) if "eEfFgGaA".contains(s.conv) => {
                        found = Some((s, j));
                        break;
                    }
                    _ => {
                        let rest: String = c[i..].iter().collect();
                        return Err(format!("format '{f}' has unknown {rest} directive"));
                    }
                }
            }
            pre.push(c[i]);
            i += 1;
        }
        let Some((spec, j)) = found else {
            return Err(format!("format '{f}' has no % directive"));
        };
        let mut post = String::new();
        let mut k = j;
        while k < c.len() {
            if c[k] == '%' {
                if c.get(k + 1) == Some(&'%') {
                    post.push('%');
                    k += 2;
                    continue;
                }
                return Err(format!("format '{f}' has too many % directives"));
            }
            post.push(c[k]);
            k += 1;
        }
        Ok(FormatParts { pre, spec, post })
    }

    fn render(&self, v: f64) -> String {
        format!("{}{}{}", self.pre, self.spec.float(v), self.post)
    }
}

#[cfg(test)]
mod tests {
    use super::NUMBERS_MADE;
    use crate::Shell;
    use cgsim_cgroupfs::{BootParams, Kernel};
    use std::sync::atomic::Ordering;

    /// `seq 1000000 | head -n 1` stops seq with SIGPIPE after about a pipe's worth of numbers
    /// (64 KiB of pipe plus stdio's 4 KiB buffer: some 10,000 numbers), instead of formatting
    /// all of them first, as a stage that ran to completion would.
    #[test]
    fn seq_stops_when_its_reader_exits() {
        let k = Kernel::boot(BootParams::default());
        let mut sh = Shell::new(k);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let before = NUMBERS_MADE.load(Ordering::Relaxed);
        let st = sh.run_script("seq 1000000 | head -n 1\n", &mut out, &mut err);
        let made = NUMBERS_MADE.load(Ordering::Relaxed) - before;
        assert_eq!(
            (st, out.as_slice(), err.as_slice()),
            (0, &b"1\n"[..], &b""[..])
        );
        assert!(
            made < 50_000,
            "seq formatted {made} numbers for a reader of one line"
        );
        assert!(made > 1_000, "seq formatted only {made} numbers");
    }
}
