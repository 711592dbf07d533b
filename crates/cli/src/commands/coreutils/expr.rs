//! `expr` (coreutils 9.x `src/expr.c`): evaluate an expression given as arguments.
//!
//! Exit status: 0 when the result is neither null nor 0, 1 when it is, 2 for a syntax error,
//! 3 for another error (a bad regular expression).
//!
//! **Differences:** integers are 128-bit (coreutils uses arbitrary precision): beyond ±1.7e38
//! an operation fails with `expr: integer overflow` (coreutils would go on). String
//! comparisons compare bytes (the C locale's `strcoll`).

use super::usage_error;
use crate::Shell;
use crate::commands::posix_regex::{Flavor, compile};
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "expr",
        "expr EXPRESSION",
        "evaluate an expression: arithmetic, comparisons, STRING : REGEX, length, substr",
        Kind::External(expr),
    );
    r.set_help("expr", HELP);
}

const HELP: &str = "\
Usage: expr EXPRESSION
  or:  expr OPTION

      --help        display this help and exit
      --version     output version information and exit

Print the value of EXPRESSION to standard output.  A blank line below
separates increasing precedence groups.  EXPRESSION may be:

  ARG1 | ARG2       ARG1 if it is neither null nor 0, otherwise ARG2

  ARG1 & ARG2       ARG1 if neither argument is null or 0, otherwise 0

  ARG1 < ARG2       ARG1 is less than ARG2
  ARG1 <= ARG2      ARG1 is less than or equal to ARG2
  ARG1 = ARG2       ARG1 is equal to ARG2
  ARG1 != ARG2      ARG1 is unequal to ARG2
  ARG1 >= ARG2      ARG1 is greater than or equal to ARG2
  ARG1 > ARG2       ARG1 is greater than ARG2

  ARG1 + ARG2       arithmetic sum of ARG1 and ARG2
  ARG1 - ARG2       arithmetic difference of ARG1 and ARG2

  ARG1 * ARG2       arithmetic product of ARG1 and ARG2
  ARG1 / ARG2       arithmetic quotient of ARG1 divided by ARG2
  ARG1 % ARG2       arithmetic remainder of ARG1 divided by ARG2

  STRING : REGEXP   anchored pattern match of REGEXP in STRING

  match STRING REGEXP        same as STRING : REGEXP
  substr STRING POS LENGTH   substring of STRING, POS counted from 1
  index STRING CHARS         index in STRING where any CHARS is found, or 0
  length STRING              length of STRING
  + TOKEN                    interpret TOKEN as a string, even if it is a
                               keyword like 'match' or an operator like '/'

  ( EXPRESSION )             value of EXPRESSION

Beware that many operators need to be escaped or quoted for shells.
Comparisons are arithmetic if both ARGs are numbers, else lexicographical.
Pattern matches return the string matched between \\( and \\) or null; if
\\( and \\) are not used, they return the number of characters matched or 0.

Exit status is 0 if EXPRESSION is neither null nor 0, 1 if EXPRESSION is null
or 0, 2 if EXPRESSION is syntactically invalid, and 3 if an error occurred.
";

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Int(i128),
    Str(String),
}

impl Val {
    fn text(&self) -> String {
        match self {
            Val::Int(n) => n.to_string(),
            Val::Str(s) => s.clone(),
        }
    }

    fn int(&self) -> Option<i128> {
        match self {
            Val::Int(n) => Some(*n),
            Val::Str(s) => looks_int(s),
        }
    }

    fn null(&self) -> bool {
        match self {
            Val::Int(n) => *n == 0,
            Val::Str(s) => s.is_empty() || looks_int(s) == Some(0),
        }
    }
}

fn looks_int(s: &str) -> Option<i128> {
    let d = s.strip_prefix('-').unwrap_or(s);
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An error: its message and exit status.
pub(crate) type Fail = (String, i32);

struct Parser<'a> {
    args: &'a [String],
    i: usize,
    /// Open parentheses (bounded, so that no argument list overflows the host stack).
    depth: usize,
}

fn syntax(msg: String) -> Fail {
    (format!("syntax error: {msg}"), 2)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.i).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn missing_after(&self) -> Fail {
        syntax(format!(
            "missing argument after '{}'",
            self.args[self.i - 1]
        ))
    }

    fn or(&mut self) -> Result<Val, Fail> {
        let mut l = self.and()?;
        while self.eat("|") {
            let r = self.and()?;
            l = if !l.null() {
                l
            } else if r.null() {
                Val::Int(0)
            } else {
                r
            };
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Val, Fail> {
        let mut l = self.cmp()?;
        while self.eat("&") {
            let r = self.cmp()?;
            l = if l.null() || r.null() { Val::Int(0) } else { l };
        }
        Ok(l)
    }

    fn cmp(&mut self) -> Result<Val, Fail> {
        let mut l = self.add()?;
        loop {
            let op = match self.peek() {
                Some(o @ ("<" | "<=" | "=" | "==" | "!=" | ">=" | ">")) => o.to_string(),
                _ => return Ok(l),
            };
            self.i += 1;
            let r = self.add()?;
            let ord = match (l.int(), r.int()) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => l.text().as_bytes().cmp(r.text().as_bytes()),
            };
            let t = match op.as_str() {
                "<" => ord.is_lt(),
                "<=" => ord.is_le(),
                "=" | "==" => ord.is_eq(),
                "!=" => ord.is_ne(),
                ">=" => ord.is_ge(),
                _ => ord.is_gt(),
            };
            l = Val::Int(i128::from(t));
        }
    }

    fn arith(l: &Val, r: &Val, op: &str) -> Result<Val, Fail> {
        let (Some(a), Some(b)) = (l.int(), r.int()) else {
            return Err(("non-integer argument".to_string(), 2));
        };
        if (op == "/" || op == "%") && b == 0 {
            return Err(("division by zero".to_string(), 2));
        }
        let v = match op {
            "+" => a.checked_add(b),
            "-" => a.checked_sub(b),
            "*" => a.checked_mul(b),
            "/" => a.checked_div(b),
            _ => a.checked_rem(b),
        };
        v.map(Val::Int)
            .ok_or_else(|| ("integer overflow".to_string(), 3))
    }

    fn add(&mut self) -> Result<Val, Fail> {
        let mut l = self.mul()?;
        while let Some(op @ ("+" | "-")) = self.peek() {
            let op = op.to_string();
            self.i += 1;
            let r = self.mul()?;
            l = Self::arith(&l, &r, &op)?;
        }
        Ok(l)
    }

    fn mul(&mut self) -> Result<Val, Fail> {
        let mut l = self.colon()?;
        while let Some(op @ ("*" | "/" | "%")) = self.peek() {
            let op = op.to_string();
            self.i += 1;
            let r = self.colon()?;
            l = Self::arith(&l, &r, &op)?;
        }
        Ok(l)
    }

    fn colon(&mut self) -> Result<Val, Fail> {
        let mut l = self.primary()?;
        while self.eat(":") {
            let r = self.primary()?;
            l = matches(&l.text(), &r.text())?;
        }
        Ok(l)
    }

    fn operand(&mut self) -> Result<String, Fail> {
        match self.args.get(self.i) {
            Some(a) => {
                self.i += 1;
                Ok(a.clone())
            }
            None => Err(self.missing_after()),
        }
    }

    fn primary(&mut self) -> Result<Val, Fail> {
        let Some(t) = self.peek().map(str::to_string) else {
            return Err(if self.i == 0 {
                ("missing operand".to_string(), 2)
            } else {
                self.missing_after()
            });
        };
        self.i += 1;
        match t.as_str() {
            "(" => {
                if self.depth >= 100 {
                    return Err((
                        "parentheses nested deeper than 100 (cgsim's limit)".into(),
                        2,
                    ));
                }
                self.depth += 1;
                let v = self.or();
                self.depth -= 1;
                let v = v?;
                match self.peek() {
                    Some(")") => {
                        self.i += 1;
                        Ok(v)
                    }
                    Some(other) => Err(syntax(format!("expecting ')' instead of '{other}'"))),
                    None => Err(syntax(format!(
                        "expecting ')' after '{}'",
                        self.args[self.i - 1]
                    ))),
                }
            }
            "+" => Ok(Val::Str(self.operand()?)),
            "length" => Ok(Val::Int(self.operand()?.chars().count() as i128)),
            "match" => {
                let s = self.operand()?;
                let r = self.operand()?;
                matches(&s, &r)
            }
            "index" => {
                let s = self.operand()?;
                let chars = self.operand()?;
                let pos = s
                    .chars()
                    .position(|c| chars.contains(c))
                    .map_or(0, |p| p + 1);
                Ok(Val::Int(pos as i128))
            }
            "substr" => {
                let s = self.operand()?;
                let pos = self.operand()?;
                let len = self.operand()?;
                let (p, n) = (looks_int(&pos), looks_int(&len));
                let out = match (p, n) {
                    (Some(p), Some(n)) if p >= 1 && n >= 1 => s
                        .chars()
                        .skip((p - 1) as usize)
                        .take(n.min(usize::MAX as i128) as usize)
                        .collect(),
                    _ => String::new(),
                };
                Ok(Val::Str(out))
            }
            ")" | "|" | "&" | "<" | "<=" | "=" | "==" | "!=" | ">=" | ">" | "-" | "*" | "/"
            | "%" | ":"
                if self.i > 1 || self.args.len() > 1 =>
            {
                Err(syntax(format!("unexpected argument '{t}'")))
            }
            _ => Ok(match looks_int(&t) {
                Some(n) => Val::Int(n),
                None => Val::Str(t),
            }),
        }
    }
}

/// `STRING : REGEX`: anchored at the start; the first group's text, or the match length.
fn matches(s: &str, pat: &str) -> Result<Val, Fail> {
    let anchored = format!("^{}", pat.strip_prefix('^').unwrap_or(pat));
    let re = compile(&anchored, Flavor::Basic, false).map_err(|m| (m, 2))?;
    let has_group = re.captures_len() > 1;
    Ok(match re.captures(s) {
        Some(c) if has_group => Val::Str(c.get(1).map_or("", |m| m.as_str()).to_string()),
        Some(c) => Val::Int(c.get(0).map_or(0, |m| m.as_str().chars().count()) as i128),
        None if has_group => Val::Str(String::new()),
        None => Val::Int(0),
    })
}

/// Evaluate `args` (the words after `expr`).
pub(crate) fn eval(args: &[String]) -> Result<Val, Fail> {
    let mut p = Parser {
        args,
        i: 0,
        depth: 0,
    };
    let v = p.or()?;
    if let Some(extra) = p.peek() {
        return Err(syntax(format!("unexpected argument '{extra}'")));
    }
    Ok(v)
}

fn expr(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut args = &argv[1..];
    if args.first().map(String::as_str) == Some("--") {
        args = &args[1..];
    }
    if args.is_empty() {
        usage_error(sh, pid, "expr", "missing operand");
        return 2;
    }
    match eval(args) {
        Ok(v) => {
            if sh.out(pid, &format!("{}\n", v.text())).is_err() {
                return 3;
            }
            i32::from(v.null())
        }
        Err((m, st)) => {
            sh.write_err(pid, &format!("expr: {m}\n"));
            st
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Result<Val, Fail> {
        let v: Vec<String> = s.split(' ').map(str::to_string).collect();
        eval(&v)
    }

    #[test]
    fn evaluates_as_coreutils() {
        assert_eq!(e("5 + 3 * 2").unwrap(), Val::Int(11));
        assert_eq!(e("-7 % 3").unwrap(), Val::Int(-1));
        assert_eq!(e("( 1 + 2 ) * 3").unwrap(), Val::Int(9));
        assert_eq!(e("a < b").unwrap(), Val::Int(1));
        assert_eq!(e("10 < 9").unwrap(), Val::Int(0));
        assert_eq!(e("0 | 3").unwrap(), Val::Int(3));
        assert_eq!(e("abc : ab*").unwrap(), Val::Int(2));
        assert_eq!(e(r"abc : a\(b\)").unwrap(), Val::Str("b".into()));
        assert_eq!(e("substr hello 2 3").unwrap(), Val::Str("ell".into()));
        assert_eq!(e("index hello lo").unwrap(), Val::Int(3));
        assert_eq!(e("1 = 01").unwrap(), Val::Int(1));
        assert_eq!(e("+ length").unwrap(), Val::Str("length".into()));
    }

    #[test]
    fn errors_are_coreutils_messages() {
        assert_eq!(
            e("1 +").unwrap_err().0,
            "syntax error: missing argument after '+'"
        );
        assert_eq!(e("a + 1").unwrap_err(), ("non-integer argument".into(), 2));
        assert_eq!(e("1 / 0").unwrap_err().0, "division by zero");
        assert_eq!(
            e("1 2").unwrap_err().0,
            "syntax error: unexpected argument '2'"
        );
        assert_eq!(
            e("( 1").unwrap_err().0,
            "syntax error: expecting ')' after '1'"
        );
        assert_eq!(
            e("length").unwrap_err().0,
            "syntax error: missing argument after 'length'"
        );
    }
}
