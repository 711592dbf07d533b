//! GNU `getopt_long` as coreutils, findutils, sed, gawk and procps parse their arguments:
//! short options bundled (`-nr`), an option's argument attached or next (`-d:` / `-d :`),
//! long options with `=` or the next argument, unambiguous prefixes of long options, operands
//! permuted after the options (unless the tool asks for POSIX order, as `env`, `xargs` and
//! `timeout` do with a leading `+`), and `--` ending the options.
//!
//! Errors are glibc's texts: `invalid option -- 'x'`, `option requires an argument -- 'x'`,
//! `unrecognized option '--foo'`, `option '--foo' requires an argument`,
//! `option '--foo' doesn't allow an argument`, `option '--f' is ambiguous; possibilities: ...`.

/// Whether an option takes an argument.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Arg {
    No,
    Required,
    /// Only attached: `-i.bak`, `--in-place=.bak`.
    Optional,
}

/// One option: its short letter (if any), long name (if any), and argument kind. The parsed
/// result names an option by its short letter, or by its long name when it has none.
#[derive(Copy, Clone, Debug)]
pub struct Opt {
    pub short: Option<char>,
    pub long: Option<&'static str>,
    pub arg: Arg,
}

/// Shorthand constructors.
pub const fn s(c: char, arg: Arg) -> Opt {
    Opt {
        short: Some(c),
        long: None,
        arg,
    }
}

pub const fn sl(c: char, long: &'static str, arg: Arg) -> Opt {
    Opt {
        short: Some(c),
        long: Some(long),
        arg,
    }
}

pub const fn l(long: &'static str, arg: Arg) -> Opt {
    Opt {
        short: None,
        long: Some(long),
        arg,
    }
}

/// One parsed option: its key (the short letter as a string, or the long name), argument, and
/// the argument glibc's `argv[optind]` names right after it (the next element getopt would
/// look at: the same cluster while letters remain in it), which some tools print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Got {
    pub key: String,
    pub val: Option<String>,
    pub next: Option<String>,
}

/// The options in order and the operands.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub opts: Vec<Got>,
    pub operands: Vec<String>,
}

impl Parsed {
    pub fn has(&self, key: &str) -> bool {
        self.opts.iter().any(|g| g.key == key)
    }

    /// The last value given for `key`.
    pub fn last(&self, key: &str) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|g| g.key == key)
            .and_then(|g| g.val.as_deref())
    }
}

/// Parse `args` (without `argv[0]`). `posix`: stop at the first operand (the tool runs a
/// command whose own options follow). `Err` is glibc's message without the `prog: ` prefix.
pub fn parse(args: &[String], opts: &[Opt], posix: bool) -> Result<Parsed, String> {
    match parse_partial(args, opts, posix) {
        (p, None) => Ok(p),
        (_, Some(e)) => Err(e),
    }
}

/// [`parse`], keeping what getopt returned before a bad option: the options up to it (a tool
/// that acts on each option as getopt returns it has already seen them) and the error.
pub fn parse_partial(args: &[String], opts: &[Opt], posix: bool) -> (Parsed, Option<String>) {
    let mut p = Parsed::default();
    match parse_into(args, opts, posix, &mut p) {
        Ok(()) => (p, None),
        Err(e) => (p, Some(e)),
    }
}

fn parse_into(args: &[String], opts: &[Opt], posix: bool, p: &mut Parsed) -> Result<(), String> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            p.operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, attached) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let exact = opts.iter().find(|o| o.long == Some(name));
            let cands: Vec<&Opt> = match exact {
                Some(o) => vec![o],
                None => opts
                    .iter()
                    .filter(|o| o.long.is_some_and(|l| l.starts_with(name)))
                    .collect(),
            };
            let o = match cands.as_slice() {
                [] => return Err(format!("unrecognized option '--{name}'")),
                [o] => *o,
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|o| format!("'--{}'", o.long.unwrap_or_default()))
                        .collect();
                    return Err(format!(
                        "option '--{name}' is ambiguous; possibilities: {}",
                        list.join(" ")
                    ));
                }
            };
            let long = o.long.unwrap_or_default();
            let val = match (o.arg, attached) {
                (Arg::No, Some(_)) => {
                    return Err(format!("option '--{long}' doesn't allow an argument"));
                }
                (Arg::No, None) => None,
                (Arg::Optional, v) => v,
                (Arg::Required, Some(v)) => Some(v),
                (Arg::Required, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => return Err(format!("option '--{long}' requires an argument")),
                },
            };
            p.opts.push(Got {
                key: key_of(o),
                val,
                next: args.get(i).cloned(),
            });
            continue;
        }
        if a.len() < 2 || !a.starts_with('-') {
            if posix {
                p.operands.extend(args[i - 1..].iter().cloned());
                break;
            }
            p.operands.push(a.clone());
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            let Some(o) = opts.iter().find(|o| o.short == Some(c)) else {
                return Err(format!("invalid option -- '{c}'"));
            };
            let rest: String = chars[j..].iter().collect();
            let val = match o.arg {
                Arg::No if j < chars.len() => {
                    // Letters remain in this cluster: optind still points at it.
                    p.opts.push(Got {
                        key: key_of(o),
                        val: None,
                        next: Some(a.clone()),
                    });
                    continue;
                }
                Arg::No => None,
                Arg::Optional => {
                    j = chars.len();
                    (!rest.is_empty()).then_some(rest)
                }
                Arg::Required => {
                    j = chars.len();
                    if !rest.is_empty() {
                        Some(rest)
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        Some(v.clone())
                    } else {
                        return Err(format!("option requires an argument -- '{c}'"));
                    }
                }
            };
            p.opts.push(Got {
                key: key_of(o),
                val,
                next: args.get(i).cloned(),
            });
        }
    }
    Ok(())
}

fn key_of(o: &Opt) -> String {
    match (o.short, o.long) {
        (Some(c), _) => c.to_string(),
        (None, Some(l)) => l.to_string(),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bundles_permutes_and_reports_as_glibc() {
        let opts = [
            sl('d', "delimiter", Arg::Required),
            sl('s', "only-delimited", Arg::No),
            l("complement", Arg::No),
        ];
        let p = parse(&v(&["a", "-sd:", "b", "--comp", "--", "-x"]), &opts, false).unwrap();
        assert_eq!(p.operands, v(&["a", "b", "-x"]));
        assert_eq!(p.last("d"), Some(":"));
        assert!(p.has("s") && p.has("complement"));
        assert_eq!(
            parse(&v(&["-x"]), &opts, false).unwrap_err(),
            "invalid option -- 'x'"
        );
        assert_eq!(
            parse(&v(&["-d"]), &opts, false).unwrap_err(),
            "option requires an argument -- 'd'"
        );
        assert_eq!(
            parse(&v(&["--foo"]), &opts, false).unwrap_err(),
            "unrecognized option '--foo'"
        );
        let p = parse(&v(&["cmd", "-x"]), &opts, true).unwrap();
        assert_eq!(p.operands, v(&["cmd", "-x"]));
    }
}
