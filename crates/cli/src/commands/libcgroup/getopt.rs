//! GNU `getopt_long` as libcgroup's tools use it (glibc `posix/getopt.c`).
//!
//! **Follows:** glibc: options and operands may be mixed (operands are moved after the options,
//! in order) unless the option string starts with `+`, which stops at the first operand
//! (`cgexec`, `cgclassify`); `--` ends the options; a long option may be abbreviated to any
//! unique prefix; `--name=value` or `--name value` for a required argument; `-xVALUE` or
//! `-x VALUE` for a short one. A bad option makes getopt print glibc's message on stderr
//! (`cgcreate: invalid option -- 'x'`) and return `?`, after which every tool prints its usage
//! hint and exits.

/// Whether a long option takes an argument.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
}

/// One `struct option`: name, argument, and the value getopt returns for it.
pub struct LongOpt {
    pub name: &'static str,
    pub has_arg: HasArg,
    pub val: i32,
}

impl LongOpt {
    /// A `struct option` table from `(name, takes an argument, short letter)` rows, for tools
    /// whose long options each stand for a short one.
    pub fn table(rows: &[(&'static str, bool, char)]) -> Vec<LongOpt> {
        rows.iter()
            .map(|&(name, arg, v)| LongOpt {
                name,
                has_arg: if arg { HasArg::Required } else { HasArg::No },
                val: v as i32,
            })
            .collect()
    }
}

/// What one call of getopt returned.
pub enum Got {
    /// An option (its short letter or long-option value), its argument, and `argv[optind]`
    /// right after it (the next element getopt would look at; some tools print it).
    Opt(i32, Option<String>, Option<String>),
    /// `?`: glibc has printed `message` (without the trailing newline) on stderr.
    Bad(String),
}

/// The options in the order getopt returns them (stopping after the first `Bad`), and the
/// operands in order (what `argv[optind..]` holds after the permutation). The parsing itself
/// is the shared [`crate::commands::getopt`]; this maps libcgroup's `optstring` and
/// `struct option` table onto it and its results back to getopt's return values.
pub fn getopt_long(
    argv: &[String],
    optstring: &str,
    longopts: &[LongOpt],
) -> (Vec<Got>, Vec<String>) {
    use crate::commands::getopt::{self, Arg, Opt};
    let prog = argv.first().map(String::as_str).unwrap_or("");
    let (posix, spec) = match optstring.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, optstring),
    };
    // The short options: a letter, `:` after it for a required argument, `::` for an
    // optional one.
    let mut opts: Vec<Opt> = Vec::new();
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c == ':' {
            continue;
        }
        let arg = if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            Arg::Optional
        } else if chars.get(i) == Some(&':') {
            Arg::Required
        } else {
            Arg::No
        };
        opts.push(getopt::s(c, arg));
    }
    // The long options, keyed by name and mapped back to the value getopt returns for them
    // (a letter of the option string, or a long-only value).
    let mut long_vals: Vec<(&'static str, i32)> = Vec::new();
    let mut all = opts;
    for lo in longopts {
        let arg = match lo.has_arg {
            HasArg::No => Arg::No,
            HasArg::Required => Arg::Required,
        };
        long_vals.push((lo.name, lo.val));
        all.push(getopt::l(lo.name, arg));
    }
    let (parsed, err) = getopt::parse_partial(&argv[1.min(argv.len())..], &all, posix);
    let mut got: Vec<Got> = parsed
        .opts
        .into_iter()
        .map(|g| {
            let val = long_vals
                .iter()
                .find(|(n, _)| *n == g.key)
                .map(|(_, v)| *v)
                .or_else(|| g.key.chars().next().map(|c| c as i32))
                .unwrap_or(0);
            Got::Opt(val, g.val, g.next)
        })
        .collect();
    if let Some(e) = err {
        got.push(Got::Bad(format!("{prog}: {e}")));
    }
    (got, parsed.operands)
}
