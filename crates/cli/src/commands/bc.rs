//! `bc` (GNU bc 1.07): arbitrary-precision decimal arithmetic, the part scripts use.
//!
//! Numbers are exact decimals (a big integer and a scale); `scale` sets the digits kept by
//! `/`, `%`, `^` and `sqrt` as bc's rules say (a product keeps
//! `min(a.scale + b.scale, max(scale, a.scale, b.scale))`, a remainder is `a - (a / b) * b`
//! computed at `scale`). Operators `+ - * / % ^`, unary `-`, `++`/`--`, assignments
//! (`= += -= *= /= %= ^=`), comparisons (printing 1 or 0), `&&`, `||`, `!`; variables (also
//! `scale`, `ibase`, `obase`, `last` and `.`); `length()`, `scale()`, `sqrt()`; statements
//! separated by `;` or newlines, `{ }`, `if`/`else`, `while`, `for`, `break`, string
//! literals, `print`, `quit`, `halt`, comments (`/* */`, `#`). `-l` sets `scale=20`. Long
//! numbers are split with `\` after 68 characters, as GNU bc does.
//!
//! `define`d functions (parameters, `auto` variables, `return`, recursion; parameters and
//! autos are pushed over the variables of the same names, so a called function sees its
//! caller's, as in bc); with `-l`, the math library's `s c a l e j` (`bc/math.rs`), which
//! a `define` of the same name replaces. Standard output is flushed before each message, as
//! GNU bc does, so the two interleave as they were written.
//!
//! **Differences:** no arrays (`a[i]`, array parameters); `obase` other than 10 prints
//! integers only; a runtime error names `adr=0` where GNU bc prints the address in its
//! compiled program; calls nest at most 1000 deep (a runtime error beyond).

use super::coreutils::{read_error_text, slurp};
use super::getopt::{self, Arg, sl};
use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::Pid;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::collections::BTreeMap;

mod math;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "bc",
        "bc [-l] [-q] [FILE]...",
        "arbitrary-precision calculator: echo 'scale=2; 10/3' | bc",
        Kind::External(bc),
    );
    r.set_help("bc", HELP);
}

const HELP: &str = "\
usage: bc [options] [file ...]
  -h  --help         print this usage and exit
  -i  --interactive  force interactive mode
  -l  --mathlib      use the predefined math routines
  -q  --quiet        don't print initial banner
  -s  --standard     non-standard bc constructs are errors
  -w  --warn         warn about non-standard bc constructs
  -v  --version      print version information and exit
";

/// The most digits cgsim lets a number or a scale have (GNU bc's limit is its memory).
const MAX_DIGITS: u32 = 100_000;

/// An exact decimal: `m / 10^s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dec {
    m: BigInt,
    s: u32,
}

fn ten(n: u32) -> BigInt {
    BigInt::from(10).pow(n)
}

impl Dec {
    pub fn int(n: i64) -> Dec {
        Dec {
            m: BigInt::from(n),
            s: 0,
        }
    }

    fn rescale(&self, s: u32) -> Dec {
        let m = match s.cmp(&self.s) {
            Ordering::Equal => self.m.clone(),
            Ordering::Greater => &self.m * ten(s - self.s),
            // BigInt division truncates toward zero, as bc does.
            Ordering::Less => &self.m / ten(self.s - s),
        };
        Dec { m, s }
    }

    fn is_zero(&self) -> bool {
        self.m.is_zero()
    }

    fn cmp(&self, o: &Dec) -> Ordering {
        let s = self.s.max(o.s);
        self.rescale(s).m.cmp(&o.rescale(s).m)
    }

    fn add(&self, o: &Dec) -> Dec {
        let s = self.s.max(o.s);
        Dec {
            m: self.rescale(s).m + o.rescale(s).m,
            s,
        }
    }

    fn neg(&self) -> Dec {
        Dec {
            m: -self.m.clone(),
            s: self.s,
        }
    }

    fn mul(&self, o: &Dec, scale: u32) -> Dec {
        let full = Dec {
            m: &self.m * &o.m,
            s: self.s + o.s,
        };
        full.rescale((self.s + o.s).min(scale.max(self.s).max(o.s)))
    }

    fn div(&self, o: &Dec, scale: u32) -> Option<Dec> {
        if o.is_zero() {
            return None;
        }
        // (a.m / 10^a.s) / (b.m / 10^b.s) at `scale` digits: a.m * 10^(scale + b.s - a.s) / b.m.
        let e = i64::from(scale) + i64::from(o.s) - i64::from(self.s);
        let num = if e >= 0 {
            &self.m * ten(e as u32)
        } else {
            &self.m / ten((-e) as u32)
        };
        Some(Dec {
            m: num / &o.m,
            s: scale,
        })
    }

    fn rem(&self, o: &Dec, scale: u32) -> Option<Dec> {
        let q = self.div(o, scale)?;
        let qb = Dec {
            m: &q.m * &o.m,
            s: q.s + o.s,
        };
        let s = (scale + o.s).max(self.s);
        Some(self.rescale(s).add(&qb.rescale(s).neg()))
    }

    fn pow(&self, n: i64, scale: u32) -> Option<Dec> {
        if n == 0 {
            return Some(Dec::int(1));
        }
        let k = u32::try_from(n.unsigned_abs()).ok()?;
        let digits = self.m.abs().to_string().len() as u64;
        if digits.saturating_mul(u64::from(k)) > MAX_DIGITS as u64 {
            return None;
        }
        let full = Dec {
            m: self.m.pow(k),
            s: self.s.checked_mul(k)?,
        };
        if n > 0 {
            Some(full.rescale(full.s.min(scale.max(self.s))))
        } else {
            Dec::int(1).div(&full, scale)
        }
    }

    fn sqrt(&self, scale: u32) -> Option<Dec> {
        if self.m.is_negative() {
            return None;
        }
        let s = scale.max(self.s);
        // sqrt(m / 10^a) at s digits: isqrt(m * 10^(2s - a)).
        let x = self.rescale(2 * s).m;
        Some(Dec { m: x.sqrt(), s })
    }

    fn to_i64(&self) -> i64 {
        self.rescale(0).m.to_i64().unwrap_or(i64::MAX)
    }

    /// Significant digits (`length()`).
    fn length(&self) -> u32 {
        if self.is_zero() {
            return self.s.max(1);
        }
        let digits = self.m.abs().to_string().len() as u32;
        digits.max(self.s)
    }

    /// bc's output form in base `obase`: no leading `0` before the point, `-` sign.
    pub fn render(&self, obase: u32) -> String {
        let neg = self.m.is_negative();
        let a = self.m.abs();
        let mut out = String::new();
        if neg && !a.is_zero() {
            out.push('-');
        }
        if obase != 10 {
            let i = &a / ten(self.s);
            out.push_str(&i.to_str_radix(obase).to_uppercase());
            return out;
        }
        let digits = a.to_string();
        let s = self.s as usize;
        if a.is_zero() {
            return "0".to_string();
        }
        if s == 0 {
            out.push_str(&digits);
        } else if digits.len() > s {
            out.push_str(&digits[..digits.len() - s]);
            out.push('.');
            out.push_str(&digits[digits.len() - s..]);
        } else {
            out.push('.');
            out.push_str(&"0".repeat(s - digits.len()));
            out.push_str(&digits);
        }
        out
    }
}

/// Split numbers longer than 68 characters with `\`: GNU bc's lines are 69 characters
/// with the backslash (BC_LINE_LENGTH 70 counts the newline).
fn wrap(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    if c.len() <= 68 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, chunk) in c.chunks(68).enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        out.extend(chunk);
    }
    out
}

// ---- lexing and parsing -------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(String),
    Name(String),
    Str(String),
    Op(&'static str),
    Newline,
    Eof,
}

const OPS: [&str; 30] = [
    "++", "--", "+=", "-=", "*=", "/=", "%=", "^=", "==", "<=", ">=", "!=", "&&", "||", "+", "-",
    "*", "/", "%", "^", "=", "<", ">", "!", "(", ")", "{", "}", ";", ",",
];

/// Tokens with their line numbers; `Err` is the line of a lexical error.
fn lex(src: &str) -> Result<Vec<(Tok, usize)>, usize> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' | '\r' => i += 1,
            '\\' if c.get(i + 1) == Some(&'\n') => {
                i += 2;
                line += 1;
            }
            '\n' => {
                out.push((Tok::Newline, line));
                line += 1;
                i += 1;
            }
            '#' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < c.len() && !(c[i] == '*' && c.get(i + 1) == Some(&'/')) {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            '"' => {
                let start = i + 1;
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                if i >= c.len() {
                    return Err(line);
                }
                out.push((Tok::Str(c[start..i].iter().collect()), line));
                i += 1;
            }
            d if d.is_ascii_digit() || d.is_ascii_uppercase() || d == '.' => {
                let start = i;
                while i < c.len()
                    && (c[i].is_ascii_digit() || c[i].is_ascii_uppercase() || c[i] == '.')
                {
                    i += 1;
                }
                let t: String = c[start..i].iter().collect();
                if t == "." {
                    out.push((Tok::Name("last".into()), line));
                } else {
                    out.push((Tok::Num(t), line));
                }
            }
            a if a.is_ascii_lowercase() || a == '_' => {
                let start = i;
                while i < c.len()
                    && (c[i].is_ascii_lowercase() || c[i].is_ascii_digit() || c[i] == '_')
                {
                    i += 1;
                }
                out.push((Tok::Name(c[start..i].iter().collect()), line));
            }
            _ => {
                let Some(op) = OPS.iter().find(|op| {
                    let oc: Vec<char> = op.chars().collect();
                    c[i..].starts_with(&oc)
                }) else {
                    return Err(line);
                };
                i += op.len();
                out.push((Tok::Op(op), line));
            }
        }
    }
    out.push((Tok::Eof, line));
    Ok(out)
}

#[derive(Clone, Debug)]
enum Expr {
    Num(String),
    Var(String),
    Assign(&'static str, String, Box<Expr>),
    Incr(bool, i64, String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Call(String, Box<Expr>),
    /// A call of a `define`d function (or of the `-l` library's).
    Fn(String, Vec<Expr>),
}

/// A function made with `define NAME(PARAMS) { auto AUTOS; BODY }`.
#[derive(Debug)]
struct Func {
    params: Vec<String>,
    autos: Vec<String>,
    body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
enum Stmt {
    Expr(Expr),
    Str(String),
    Print(Vec<Expr>),
    Block(Vec<Stmt>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    For(Option<Expr>, Option<Expr>, Option<Expr>, Box<Stmt>),
    Break,
    Quit,
    Empty,
    Define(String, std::sync::Arc<Func>),
    Return(Option<Expr>),
}

/// How a statement ended.
enum Flow {
    Next,
    Break,
    Return(Dec),
}

struct Parser {
    t: Vec<(Tok, usize)>,
    i: usize,
    /// Nesting of expressions and statements being parsed (bounded: a syntax error, never a
    /// host stack overflow).
    depth: usize,
    /// Inside a `define` body (where `return` is allowed).
    in_func: bool,
    /// `Return outside of a function.`: GNU bc's own message for that parse error.
    ret_outside: bool,
}

type PR<T> = Result<T, usize>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.t[self.i.min(self.t.len() - 1)].0
    }

    fn line(&self) -> usize {
        self.t[self.i.min(self.t.len() - 1)].1
    }

    fn err<T>(&self) -> PR<T> {
        // GNU bc reports the line it was reading: after a newline token, the next one.
        let l = match self.peek() {
            Tok::Newline => self.line() + 1,
            _ => self.line(),
        };
        Err(l)
    }

    fn is(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.is(op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> PR<()> {
        if self.eat(op) { Ok(()) } else { self.err() }
    }

    fn nls(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.i += 1;
        }
    }

    /// One statement (without its terminator).
    fn stmt(&mut self) -> PR<Stmt> {
        self.nested(Self::stmt_inner)
    }

    fn stmt_inner(&mut self) -> PR<Stmt> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.i += 1;
                Ok(Stmt::Str(s))
            }
            Tok::Op("{") => {
                self.i += 1;
                let mut v = Vec::new();
                loop {
                    while matches!(self.peek(), Tok::Newline) || self.is(";") {
                        self.i += 1;
                    }
                    if self.eat("}") {
                        return Ok(Stmt::Block(v));
                    }
                    if matches!(self.peek(), Tok::Eof) {
                        return self.err();
                    }
                    v.push(self.stmt()?);
                }
            }
            Tok::Op(";") | Tok::Newline | Tok::Eof => Ok(Stmt::Empty),
            Tok::Name(n) => match n.as_str() {
                "quit" | "halt" => {
                    self.i += 1;
                    Ok(Stmt::Quit)
                }
                "break" => {
                    self.i += 1;
                    Ok(Stmt::Break)
                }
                "print" => {
                    self.i += 1;
                    let mut v = vec![];
                    loop {
                        if let Tok::Str(s) = self.peek().clone() {
                            self.i += 1;
                            v.push(Expr::Var(format!("\"{s}")));
                        } else {
                            v.push(self.expr()?);
                        }
                        if !self.eat(",") {
                            break;
                        }
                    }
                    Ok(Stmt::Print(v))
                }
                "if" => {
                    self.i += 1;
                    self.expect("(")?;
                    let c = self.expr()?;
                    self.expect(")")?;
                    self.nls();
                    let a = self.stmt()?;
                    let save = self.i;
                    while matches!(self.peek(), Tok::Newline) || self.is(";") {
                        self.i += 1;
                    }
                    if matches!(self.peek(), Tok::Name(n) if n == "else") {
                        self.i += 1;
                        self.nls();
                        let b = self.stmt()?;
                        return Ok(Stmt::If(c, Box::new(a), Some(Box::new(b))));
                    }
                    self.i = save;
                    Ok(Stmt::If(c, Box::new(a), None))
                }
                "while" => {
                    self.i += 1;
                    self.expect("(")?;
                    let c = self.expr()?;
                    self.expect(")")?;
                    self.nls();
                    Ok(Stmt::While(c, Box::new(self.stmt()?)))
                }
                "for" => {
                    self.i += 1;
                    self.expect("(")?;
                    let a = if self.is(";") {
                        None
                    } else {
                        Some(self.expr()?)
                    };
                    self.expect(";")?;
                    let b = if self.is(";") {
                        None
                    } else {
                        Some(self.expr()?)
                    };
                    self.expect(";")?;
                    let c = if self.is(")") {
                        None
                    } else {
                        Some(self.expr()?)
                    };
                    self.expect(")")?;
                    self.nls();
                    Ok(Stmt::For(a, b, c, Box::new(self.stmt()?)))
                }
                "define" => {
                    self.i += 1;
                    self.define()
                }
                "return" => {
                    self.i += 1;
                    let e = if matches!(self.peek(), Tok::Newline | Tok::Eof)
                        || self.is(";")
                        || self.is("}")
                    {
                        None
                    } else {
                        Some(self.expr()?)
                    };
                    if !self.in_func {
                        self.ret_outside = true;
                        return self.err();
                    }
                    Ok(Stmt::Return(e))
                }
                "auto" => self.err(),
                _ => Ok(Stmt::Expr(self.expr()?)),
            },
            _ => Ok(Stmt::Expr(self.expr()?)),
        }
    }

    fn expr(&mut self) -> PR<Expr> {
        self.nested(Self::expr_inner)
    }

    /// `define NAME ( [P, ...] ) { [auto A, ...] STATEMENTS }` after the `define` keyword (a
    /// newline may come before the brace; the body's statements as in a `{ }` block).
    fn define(&mut self) -> PR<Stmt> {
        let Tok::Name(name) = self.peek().clone() else {
            return self.err();
        };
        self.i += 1;
        self.expect("(")?;
        let params = self.names(")")?;
        self.expect(")")?;
        self.nls();
        self.expect("{")?;
        let was = std::mem::replace(&mut self.in_func, true);
        let r = self.define_body();
        self.in_func = was;
        let (autos, body) = r?;
        Ok(Stmt::Define(
            name,
            std::sync::Arc::new(Func {
                params,
                autos,
                body,
            }),
        ))
    }

    fn define_body(&mut self) -> PR<(Vec<String>, Vec<Stmt>)> {
        self.nls();
        let mut autos = Vec::new();
        if matches!(self.peek(), Tok::Name(n) if n == "auto") {
            self.i += 1;
            autos = self.names("")?;
            if !(self.eat(";") || matches!(self.peek(), Tok::Newline)) {
                return self.err();
            }
        }
        let mut body = Vec::new();
        loop {
            while matches!(self.peek(), Tok::Newline) || self.is(";") {
                self.i += 1;
            }
            if self.eat("}") {
                return Ok((autos, body));
            }
            if matches!(self.peek(), Tok::Eof) {
                return self.err();
            }
            body.push(self.stmt()?);
        }
    }

    /// A comma-separated list of names (empty when `end` follows at once).
    fn names(&mut self, end: &str) -> PR<Vec<String>> {
        let mut v = Vec::new();
        if !end.is_empty() && self.is(end) {
            return Ok(v);
        }
        loop {
            let Tok::Name(n) = self.peek().clone() else {
                return self.err();
            };
            self.i += 1;
            v.push(n);
            if !self.eat(",") {
                return Ok(v);
            }
        }
    }

    fn nested<X>(&mut self, f: impl FnOnce(&mut Self) -> PR<X>) -> PR<X> {
        if self.depth >= 100 {
            return self.err();
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self) -> PR<Expr> {
        // An assignment: NAME op= expr (right associative).
        if let (Tok::Name(n), Tok::Op(op)) = (
            self.peek().clone(),
            self.t.get(self.i + 1).map_or(Tok::Eof, |t| t.0.clone()),
        ) && matches!(op, "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "^=")
        {
            self.i += 2;
            let v = self.expr()?;
            return Ok(Expr::Assign(op, n, Box::new(v)));
        }
        self.or()
    }

    fn or(&mut self) -> PR<Expr> {
        let mut l = self.and()?;
        let mut n = 0;
        while self.eat("||") {
            n += 1;
            if n > 100 {
                return self.err();
            }
            let r = self.and()?;
            l = Expr::Bin("||", Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> PR<Expr> {
        let mut l = self.not()?;
        let mut n = 0;
        while self.eat("&&") {
            n += 1;
            if n > 100 {
                return self.err();
            }
            let r = self.not()?;
            l = Expr::Bin("&&", Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn not(&mut self) -> PR<Expr> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.nested(Self::not)?)));
        }
        self.rel()
    }

    fn rel(&mut self) -> PR<Expr> {
        let l = self.add()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                let r = self.add()?;
                return Ok(Expr::Bin(op, Box::new(l), Box::new(r)));
            }
        }
        Ok(l)
    }

    fn add(&mut self) -> PR<Expr> {
        let mut l = self.mul()?;
        loop {
            let op = if self.is("+") {
                "+"
            } else if self.is("-") {
                "-"
            } else {
                return Ok(l);
            };
            self.i += 1;
            let r = self.mul()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn mul(&mut self) -> PR<Expr> {
        let mut l = self.pow()?;
        loop {
            let op = if self.is("*") {
                "*"
            } else if self.is("/") {
                "/"
            } else if self.is("%") {
                "%"
            } else {
                return Ok(l);
            };
            self.i += 1;
            let r = self.pow()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn pow(&mut self) -> PR<Expr> {
        let b = self.unary()?;
        if self.eat("^") {
            let e = self.nested(Self::pow)?;
            return Ok(Expr::Bin("^", Box::new(b), Box::new(e)));
        }
        Ok(b)
    }

    fn unary(&mut self) -> PR<Expr> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> PR<Expr> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.is("++") || self.is("--") {
            let d = if self.is("++") { 1 } else { -1 };
            self.i += 1;
            let Tok::Name(n) = self.peek().clone() else {
                return self.err();
            };
            self.i += 1;
            return Ok(Expr::Incr(true, d, n));
        }
        self.primary()
    }

    fn primary(&mut self) -> PR<Expr> {
        match self.peek().clone() {
            Tok::Num(n) => {
                self.i += 1;
                Ok(Expr::Num(n))
            }
            Tok::Op("(") => {
                self.i += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Name(n) => {
                self.i += 1;
                if matches!(n.as_str(), "length" | "scale" | "sqrt") && self.eat("(") {
                    let e = self.expr()?;
                    self.expect(")")?;
                    return Ok(Expr::Call(n, Box::new(e)));
                }
                if self.eat("(") {
                    let mut args = Vec::new();
                    if !self.is(")") {
                        loop {
                            args.push(self.expr()?);
                            if !self.eat(",") {
                                break;
                            }
                        }
                    }
                    self.expect(")")?;
                    return Ok(Expr::Fn(n, args));
                }
                if self.is("++") || self.is("--") {
                    let d = if self.is("++") { 1 } else { -1 };
                    self.i += 1;
                    return Ok(Expr::Incr(false, d, n));
                }
                Ok(Expr::Var(n))
            }
            _ => self.err(),
        }
    }
}

// ---- evaluation ---------------------------------------------------------------------------

struct Bc {
    vars: BTreeMap<String, Dec>,
    scale: u32,
    ibase: u32,
    obase: u32,
    out: String,
    err: String,
    quit: bool,
    /// The `define`d functions.
    funcs: BTreeMap<String, std::sync::Arc<Func>>,
    /// `-l`: `s c a l e j` are defined.
    mathlib: bool,
    /// The functions being run, innermost last.
    calls: Vec<String>,
    /// The function a runtime error happened in (`func=NAME` in its message).
    err_func: Option<String>,
    /// Output and messages in the order bc wrote them (bc flushes standard output before
    /// it prints a message), up to the last message; `out` holds what came after.
    seq: Vec<(bool, String)>,
}

/// How deep `define`d functions may call each other: deeper is a runtime error (GNU bc's
/// bound is its memory; cgsim's keeps the host stack safe).
const MAX_CALL_DEPTH: usize = 1000;

/// A runtime error message (GNU bc's text after `Runtime error (func=NAME, adr=0): `).
struct RtErr(String);

impl Bc {
    /// A message on standard error, after the output so far.
    fn error(&mut self, text: &str) {
        if !self.out.is_empty() {
            self.seq.push((false, std::mem::take(&mut self.out)));
        }
        self.seq.push((true, text.to_string()));
        self.err.push_str(text);
    }

    fn number(&self, t: &str) -> Dec {
        if self.ibase == 10 || t.contains('.') {
            let (i, f) = t.split_once('.').unwrap_or((t, ""));
            let digits = format!("{i}{f}");
            let m = digits
                .chars()
                .map(|c| if c.is_ascii_digit() { c } else { '9' })
                .collect::<String>()
                .parse::<BigInt>()
                .unwrap_or_default();
            return Dec {
                m,
                s: f.len() as u32,
            };
        }
        let mut m = BigInt::zero();
        for c in t.chars() {
            let d = c.to_digit(16).unwrap_or(0).min(self.ibase - 1);
            m = m * self.ibase + d;
        }
        Dec { m, s: 0 }
    }

    fn get(&self, n: &str) -> Dec {
        match n {
            "scale" => Dec::int(i64::from(self.scale)),
            "ibase" => Dec::int(i64::from(self.ibase)),
            "obase" => Dec::int(i64::from(self.obase)),
            _ => self.vars.get(n).cloned().unwrap_or(Dec::int(0)),
        }
    }

    fn set(&mut self, n: &str, v: Dec) {
        match n {
            // GNU bc allows up to 2147483647; cgsim keeps numbers below a million digits.
            "scale" => self.scale = v.to_i64().clamp(0, MAX_DIGITS as i64) as u32,
            "ibase" => self.ibase = v.to_i64().clamp(2, 16) as u32,
            "obase" => self.obase = v.to_i64().clamp(2, 16) as u32,
            _ => {
                self.vars.insert(n.to_string(), v);
            }
        }
    }

    fn bool(b: bool) -> Dec {
        Dec::int(i64::from(b))
    }

    fn eval(&mut self, e: &Expr) -> Result<Dec, RtErr> {
        Ok(match e {
            Expr::Num(t) => self.number(t),
            Expr::Var(n) => self.get(n),
            Expr::Assign(op, n, v) => {
                let r = self.eval(v)?;
                let val = if *op == "=" {
                    r
                } else {
                    let l = self.get(n);
                    self.binop(&op[..1], &l, &r)?
                };
                self.set(n, val.clone());
                val
            }
            Expr::Incr(pre, d, n) => {
                let old = self.get(n);
                let new = old.add(&Dec::int(*d));
                self.set(n, new.clone());
                if *pre { new } else { old }
            }
            Expr::Neg(a) => self.eval(a)?.neg(),
            Expr::Not(a) => Self::bool(self.eval(a)?.is_zero()),
            Expr::Bin(op @ ("&&" | "||"), a, b) => {
                let x = self.eval(a)?;
                if *op == "&&" && x.is_zero() {
                    return Ok(Dec::int(0));
                }
                if *op == "||" && !x.is_zero() {
                    return Ok(Dec::int(1));
                }
                let y = self.eval(b)?;
                self.binop(op, &x, &y)?
            }
            Expr::Bin(..) => {
                // A left-associative chain (`1 + 2 - 3 ...`) is walked down its left spine
                // without recursion, so a long one cannot overflow the host stack.
                let mut spine = Vec::new();
                let mut cur = e;
                while let Expr::Bin(op, a, b) = cur
                    && !matches!(*op, "&&" | "||")
                {
                    spine.push((*op, b));
                    cur = a;
                }
                let mut acc = self.eval(cur)?;
                for (op, b) in spine.into_iter().rev() {
                    let y = self.eval(b)?;
                    acc = self.binop(op, &acc, &y)?;
                }
                acc
            }
            Expr::Fn(name, args) => self.call(name, args)?,
            Expr::Call(f, a) => {
                let x = self.eval(a)?;
                match f.as_str() {
                    "length" => Dec::int(i64::from(x.length())),
                    "scale" => Dec::int(i64::from(x.s)),
                    _ => x
                        .sqrt(self.scale)
                        .ok_or(RtErr("Square root of a negative number".into()))?,
                }
            }
        })
    }

    fn binop(&mut self, op: &str, x: &Dec, y: &Dec) -> Result<Dec, RtErr> {
        let sc = self.scale;
        Ok(match op {
            "+" => x.add(y),
            "-" => x.add(&y.neg()),
            "*" => x.mul(y, sc),
            "/" => x.div(y, sc).ok_or(RtErr("Divide by zero".into()))?,
            "%" => x.rem(y, sc).ok_or(RtErr("Modulo by zero".into()))?,
            "^" => {
                if y.s > 0 && !y.rescale(0).rescale(y.s).cmp(y).is_eq() {
                    self.error(
                        "Runtime warning (func=(main), adr=0): non-zero scale in exponent\n",
                    );
                }
                x.pow(y.to_i64(), sc)
                    .ok_or(RtErr("exponent too large in raise".into()))?
            }
            "&&" => Self::bool(!x.is_zero() && !y.is_zero()),
            "||" => Self::bool(!x.is_zero() || !y.is_zero()),
            rel => {
                let o = x.cmp(y);
                Self::bool(match rel {
                    "==" => o.is_eq(),
                    "!=" => o.is_ne(),
                    "<" => o.is_lt(),
                    "<=" => o.is_le(),
                    ">" => o.is_gt(),
                    _ => o.is_ge(),
                })
            }
        })
    }

    /// Call `name` with `args`: a `define`d function, else one of the `-l` library's. The
    /// parameters and autos are pushed over the variables of the same names and popped after
    /// (bc's dynamic scope: a called function sees its caller's autos).
    fn call(&mut self, name: &str, args: &[Expr]) -> Result<Dec, RtErr> {
        let Some(f) = self.funcs.get(name).cloned() else {
            if self.mathlib
                && let Some(r) = self.library(name, args)
            {
                return r;
            }
            return Err(RtErr(format!("Function {name} not defined.")));
        };
        if args.len() != f.params.len() {
            return Err(RtErr("Parameter number mismatch".into()));
        }
        if self.calls.len() >= MAX_CALL_DEPTH {
            return Err(RtErr("cgsim stops calls nested 1000 deep".into()));
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        let mut saved = Vec::new();
        for (p, v) in f.params.iter().zip(vals) {
            saved.push((p.clone(), self.vars.insert(p.clone(), v)));
        }
        for a in &f.autos {
            saved.push((a.clone(), self.vars.insert(a.clone(), Dec::int(0))));
        }
        self.calls.push(name.to_string());
        let r = crate::shell::grow(|| {
            for st in &f.body {
                match self.exec(st)? {
                    Flow::Return(v) => return Ok(v),
                    Flow::Break | Flow::Next if self.quit => break,
                    _ => {}
                }
            }
            Ok(Dec::int(0))
        });
        self.calls.pop();
        if r.is_err() && self.err_func.is_none() {
            self.err_func = Some(name.to_string());
        }
        for (n, old) in saved.into_iter().rev() {
            match old {
                Some(v) => self.vars.insert(n, v),
                None => self.vars.remove(&n),
            };
        }
        r
    }

    /// `s c a l e j` of `-l` (GNU bc's `libmath.b`), evaluated at the current `scale`.
    fn library(&mut self, name: &str, args: &[Expr]) -> Option<Result<Dec, RtErr>> {
        let want = if name == "j" { 2 } else { 1 };
        if !matches!(name, "s" | "c" | "a" | "l" | "e" | "j") {
            return None;
        }
        if args.len() != want {
            return Some(Err(RtErr("Parameter number mismatch".into())));
        }
        let mut v = Vec::new();
        for a in args {
            match self.eval(a) {
                Ok(x) => v.push(x),
                Err(e) => return Some(Err(e)),
            }
        }
        let sc = self.scale;
        let r = match name {
            "s" => math::sin(&v[0], sc),
            "c" => math::cos(&v[0], sc),
            "a" => math::atan(&v[0], sc),
            "l" => math::ln(&v[0], sc),
            "e" => math::exp(&v[0], sc),
            _ => math::bessel_j(&v[0], &v[1], sc),
        };
        Some(r)
    }

    /// Run a statement.
    fn exec(&mut self, s: &Stmt) -> Result<Flow, RtErr> {
        if self.quit {
            return Ok(Flow::Next);
        }
        match s {
            Stmt::Empty => {}
            Stmt::Quit => self.quit = true,
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Define(name, f) => {
                self.funcs.insert(name.clone(), f.clone());
            }
            Stmt::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Dec::int(0),
                };
                return Ok(Flow::Return(v));
            }
            Stmt::Str(t) => self.out.push_str(t),
            Stmt::Print(items) => {
                for it in items {
                    match it {
                        Expr::Var(v) if v.starts_with('"') => {
                            let t = v[1..].replace("\\n", "\n").replace("\\t", "\t");
                            self.out.push_str(&t);
                        }
                        e => {
                            let v = self.eval(e)?;
                            self.vars.insert("last".into(), v.clone());
                            self.out.push_str(&wrap(&v.render(self.obase)));
                        }
                    }
                }
            }
            Stmt::Expr(e) => {
                let v = self.eval(e)?;
                if !matches!(e, Expr::Assign(..)) {
                    self.vars.insert("last".into(), v.clone());
                    self.out.push_str(&wrap(&v.render(self.obase)));
                    self.out.push('\n');
                }
            }
            Stmt::Block(v) => {
                for s in v {
                    match self.exec(s)? {
                        Flow::Next => {}
                        f => return Ok(f),
                    }
                }
            }
            Stmt::If(c, a, b) => {
                if !self.eval(c)?.is_zero() {
                    return self.exec(a);
                } else if let Some(b) = b {
                    return self.exec(b);
                }
            }
            Stmt::While(c, body) => {
                let mut n = 0u64;
                while !self.eval(c)?.is_zero() {
                    n += 1;
                    if n > 10_000_000 {
                        return Err(RtErr("cgsim stops a loop after 10000000 iterations".into()));
                    }
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Next if self.quit => break,
                        Flow::Next => {}
                    }
                }
            }
            Stmt::For(a, c, inc, body) => {
                if let Some(a) = a {
                    self.eval(a)?;
                }
                let mut n = 0u64;
                loop {
                    if let Some(c) = c
                        && self.eval(c)?.is_zero()
                    {
                        break;
                    }
                    n += 1;
                    if n > 10_000_000 {
                        return Err(RtErr("cgsim stops a loop after 10000000 iterations".into()));
                    }
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Next if self.quit => break,
                        Flow::Next => {}
                    }
                    if let Some(i) = inc {
                        self.eval(i)?;
                    }
                }
            }
        }
        Ok(Flow::Next)
    }

    /// Run a whole input text, statement by statement, as bc reads it.
    fn run(&mut self, src: &str, name: &str) {
        let toks = match lex(src) {
            Ok(t) => t,
            Err(line) => {
                self.error(&format!("{name} {line}: illegal character\n"));
                return;
            }
        };
        let mut p = Parser {
            t: toks,
            i: 0,
            depth: 0,
            in_func: false,
            ret_outside: false,
        };
        loop {
            while matches!(p.peek(), Tok::Newline) || p.is(";") {
                p.i += 1;
            }
            if matches!(p.peek(), Tok::Eof) || self.quit {
                return;
            }
            let r = p.stmt().and_then(|s| {
                if matches!(p.peek(), Tok::Newline | Tok::Eof) || p.is(";") {
                    Ok(s)
                } else {
                    p.err()
                }
            });
            match r {
                Ok(s) => {
                    if let Err(RtErr(m)) = self.exec(&s) {
                        let func = self.err_func.take().unwrap_or_else(|| "(main)".into());
                        self.error(&format!("Runtime error (func={func}, adr=0): {m}\n"));
                    }
                }
                Err(line) => {
                    let what = if std::mem::take(&mut p.ret_outside) {
                        "Return outside of a function."
                    } else {
                        "syntax error"
                    };
                    self.error(&format!("{name} {line}: {what}\n"));
                    // Recover at the next line.
                    while !matches!(p.peek(), Tok::Newline | Tok::Eof) {
                        p.i += 1;
                    }
                }
            }
        }
    }
}

fn bc(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('l', "mathlib", Arg::No),
        sl('q', "quiet", Arg::No),
        sl('s', "standard", Arg::No),
        sl('w', "warn", Arg::No),
        sl('i', "interactive", Arg::No),
    ];
    let p = match getopt::parse(&argv[1..], &opts, false) {
        Ok(p) => p,
        Err(m) => {
            sh.write_err(pid, &format!("bc: {m}\nusage: bc [options] [file ...]\n"));
            return 1;
        }
    };
    let mut b = Bc {
        vars: BTreeMap::new(),
        scale: if p.has("l") { 20 } else { 0 },
        ibase: 10,
        obase: 10,
        out: String::new(),
        err: String::new(),
        quit: false,
        funcs: BTreeMap::new(),
        mathlib: p.has("l"),
        calls: Vec::new(),
        err_func: None,
        seq: Vec::new(),
    };
    for f in &p.operands {
        match slurp(sh, pid, f) {
            Ok(d) => b.run(&String::from_utf8_lossy(&d), f),
            Err(e) => {
                sh.write_err(pid, &format!("File {f} is unavailable.\n"));
                let _ = read_error_text(&e);
                return 1;
            }
        }
        flush(sh, pid, &mut b);
        if b.quit {
            return 0;
        }
    }
    match slurp(sh, pid, "-") {
        Ok(d) => b.run(&String::from_utf8_lossy(&d), "(standard_in)"),
        Err(e) => {
            sh.write_err(
                pid,
                &format!("bc: standard input: {}\n", read_error_text(&e)),
            );
            return 1;
        }
    }
    flush(sh, pid, &mut b);
    0
}

fn flush(sh: &mut Shell, pid: Pid, b: &mut Bc) {
    b.err.clear();
    for (is_err, text) in std::mem::take(&mut b.seq) {
        if is_err {
            sh.write_err(pid, &text);
        } else {
            let _ = sh.out(pid, &text);
        }
    }
    let out = std::mem::take(&mut b.out);
    if !out.is_empty() {
        let _ = sh.out(pid, &out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bc(src: &str) -> (String, String) {
        let mut b = Bc {
            vars: BTreeMap::new(),
            scale: 0,
            ibase: 10,
            obase: 10,
            out: String::new(),
            err: String::new(),
            quit: false,
            funcs: BTreeMap::new(),
            mathlib: true,
            calls: Vec::new(),
            err_func: None,
            seq: Vec::new(),
        };
        b.run(src, "(standard_in)");
        (b.out, b.err)
    }

    #[test]
    fn computes_as_gnu_bc() {
        let (out, _) =
            bc("scale=2; 0.00\n1.50\n-0.5\n5%3\nscale=3; 5%3\n7.5%2\n2^-2\nscale=0; 2^-2\n");
        assert_eq!(out, "0\n1.50\n-.5\n.02\n.002\n0\n.250\n0\n");
        let (out, err) = bc(
            "2^0.5\nx=3;x+=2;x\nx++\nx\n3>2 && 1\n!0\nlength(123.45)\nscale(1.230)\nsqrt(2)\nscale=10;sqrt(2)\n",
        );
        assert_eq!(out, "1\n5\n5\n6\n1\n1\n5\n3\n1\n1.4142135623\n");
        assert!(err.starts_with("Runtime warning"));
        let (out, _) = bc("obase=16;255\nobase=10;ibase=16;FF\n");
        assert_eq!(out, "FF\n255\n");
        let (out, _) = bc("2^200\n");
        assert_eq!(
            out,
            "1606938044258990275541962092341162602522202993782792835301376\n"
        );
        let (out, _) = bc("2^256\n");
        assert_eq!(
            out,
            "11579208923731619542357098500868790785326998466564056403945758400791\\\n3129639936\n"
        );
        let (out, _) = bc("scale=4; 10/3; -1/3; 1024*1024*1024/4096\n");
        assert_eq!(out, "3.3333\n-.3333\n262144.0000\n");
    }

    #[test]
    fn long_and_deep_input_never_overflows_the_stack() {
        let sum = format!("0{}\n", "+1".repeat(5000));
        assert_eq!(bc(&sum).0, "5000\n");
        for deep in ["(", "-", "!", "2^", "x="] {
            let src = format!("{}1\n", deep.repeat(5000));
            assert_eq!(bc(&src).1, "(standard_in) 1: syntax error\n", "{deep}");
        }
    }

    #[test]
    fn errors_are_gnu_bc_messages() {
        assert_eq!(bc("1+\n").1, "(standard_in) 2: syntax error\n");
        assert_eq!(
            bc("1/0\n").1,
            "Runtime error (func=(main), adr=0): Divide by zero\n"
        );
        let (out, err) = bc("1+;2\n");
        assert_eq!(
            (out.as_str(), err.as_str()),
            ("", "(standard_in) 1: syntax error\n")
        );
    }

    /// Outputs of GNU bc 1.07.1 (`bc -l`) for the same input.
    #[test]
    fn functions_and_the_math_library_as_gnu_bc() {
        let (out, err) = bc(
            "define f(n) { if (n <= 1) return (1); return (n * f(n - 1)) }\n\
             f(20)\n\
             define g(x) { auto y; y = x; return (h()) }\n\
             define h() { return (y + 1) }\n\
             g(5); y\n",
        );
        assert_eq!(
            (out.as_str(), err.as_str()),
            ("2432902008176640000\n6\n0\n", "")
        );
        let (out, _) = bc("scale=20; s(1); c(1); a(1); l(2); e(1); j(0,1); e(-1); l(0)\n");
        assert_eq!(
            out,
            ".84147098480789650665\n.54030230586813971740\n.78539816339744830961\n\
             .69314718055994530941\n2.71828182845904523536\n.76519768655796655144\n\
             .36787944117144232159\n-99999999999999999999.00000000000000000000\n"
        );
        // Below the exact value's truncation, as GNU bc's own steps give them.
        let (out, _) = bc("scale=5; s(0.001); s(100); scale=0; c(0); s(1000); e(1)\n");
        assert_eq!(out, ".00100\n-.50635\n0\n1\n2\n");
        let (out, _) = bc("scale=70; a(1)\n");
        assert_eq!(
            out,
            ".7853981633974483096156608458198757210492923498437764552437361480769\\\n541\n"
        );
        let (out, err) = bc("define f(x) { return (x / 0) }\nf(1)\nnope(1)\nf(1, 2)\nreturn (1)\n");
        assert_eq!(out, "");
        assert_eq!(
            err,
            "Runtime error (func=f, adr=0): Divide by zero\n\
             Runtime error (func=(main), adr=0): Function nope not defined.\n\
             Runtime error (func=(main), adr=0): Parameter number mismatch\n\
             (standard_in) 6: Return outside of a function.\n"
        );
    }
}
