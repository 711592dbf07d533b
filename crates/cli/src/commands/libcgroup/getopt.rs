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

/// What one call of getopt returned.
pub enum Got {
    /// An option (its short letter or long-option value), its argument, and `argv[optind]`
    /// right after it (the next element getopt would look at; some tools print it).
    Opt(i32, Option<String>, Option<String>),
    /// `?`: glibc has printed `message` (without the trailing newline) on stderr.
    Bad(String),
}

/// The options in the order getopt returns them (stopping after the first `Bad`), and the
/// operands in order (what `argv[optind..]` holds after the permutation).
pub fn getopt_long(
    argv: &[String],
    optstring: &str,
    longopts: &[LongOpt],
) -> (Vec<Got>, Vec<String>) {
    let prog = argv.first().map(String::as_str).unwrap_or("");
    let (stop_at_operand, spec) = match optstring.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, optstring),
    };
    let takes_arg = |c: char| -> Option<bool> {
        let i = spec.find(c)?;
        if c == ':' {
            return None;
        }
        Some(spec[i + c.len_utf8()..].starts_with(':'))
    };
    let mut got = Vec::new();
    let mut operands = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            operands.extend(argv[i + 1..].iter().cloned());
            break;
        }
        if !a.starts_with('-') || a == "-" {
            if stop_at_operand {
                operands.extend(argv[i..].iter().cloned());
                break;
            }
            operands.push(a.clone());
            i += 1;
            continue;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let exact = longopts.iter().find(|o| o.name == name);
            let candidates: Vec<&LongOpt> = longopts
                .iter()
                .filter(|o| !o.name.is_empty() && o.name.starts_with(name))
                .collect();
            let opt = match (exact, candidates.as_slice()) {
                (Some(o), _) => o,
                (None, [o]) => *o,
                (None, []) => {
                    got.push(Got::Bad(format!("{prog}: unrecognized option '--{name}'")));
                    return (got, operands);
                }
                (None, many) => {
                    let list: Vec<String> =
                        many.iter().map(|o| format!(" '--{}'", o.name)).collect();
                    got.push(Got::Bad(format!(
                        "{prog}: option '--{name}' is ambiguous; possibilities:{}",
                        list.concat()
                    )));
                    return (got, operands);
                }
            };
            match (opt.has_arg, inline) {
                (HasArg::No, Some(_)) => {
                    got.push(Got::Bad(format!(
                        "{prog}: option '--{}' doesn't allow an argument",
                        opt.name
                    )));
                    return (got, operands);
                }
                (HasArg::No, None) => got.push(Got::Opt(opt.val, None, argv.get(i + 1).cloned())),
                (HasArg::Required, Some(v)) => {
                    got.push(Got::Opt(opt.val, Some(v), argv.get(i + 1).cloned()))
                }
                (HasArg::Required, None) => match argv.get(i + 1) {
                    Some(v) => {
                        got.push(Got::Opt(opt.val, Some(v.clone()), argv.get(i + 2).cloned()));
                        i += 1;
                    }
                    None => {
                        got.push(Got::Bad(format!(
                            "{prog}: option '--{}' requires an argument",
                            opt.name
                        )));
                        return (got, operands);
                    }
                },
            }
            i += 1;
            continue;
        }
        // A cluster of short options.
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            match takes_arg(c) {
                None => {
                    got.push(Got::Bad(format!("{prog}: invalid option -- '{c}'")));
                    return (got, operands);
                }
                Some(false) => {
                    let next = if j + 1 < chars.len() {
                        Some(a.clone())
                    } else {
                        argv.get(i + 1).cloned()
                    };
                    got.push(Got::Opt(c as i32, None, next))
                }
                Some(true) => {
                    let rest: String = chars[j + 1..].iter().collect();
                    if !rest.is_empty() {
                        got.push(Got::Opt(c as i32, Some(rest), argv.get(i + 1).cloned()));
                    } else if let Some(v) = argv.get(i + 1) {
                        got.push(Got::Opt(
                            c as i32,
                            Some(v.clone()),
                            argv.get(i + 2).cloned(),
                        ));
                        i += 1;
                    } else {
                        got.push(Got::Bad(format!(
                            "{prog}: option requires an argument -- '{c}'"
                        )));
                        return (got, operands);
                    }
                    break;
                }
            }
            j += 1;
        }
        i += 1;
    }
    (got, operands)
}
