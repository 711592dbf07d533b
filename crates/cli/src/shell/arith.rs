//! `$((...))` arithmetic as dash's `arith_yacc.c` evaluates it: `intmax_t` (64-bit, wrapping)
//! C operators by C precedence (`?:`, `||`, `&&`, `|`, `^`, `&`, `==`, `!=`, `<`, `<=`, `>`,
//! `>=`, `<<`, `>>`, `+`, `-`, `*`, `/`, `%`, unary `+ - ! ~`, parentheses), variables (an
//! unset or empty one is 0; a value that is not a number is `Illegal number: V`) and the
//! assignment operators `= *= /= %= += -= <<= >>= &= ^= |=`. Like dash there is no `++`,
//! `--`, `**` or `,`. `&&`, `||` and `?:` do not evaluate (or assign in) the side not taken.
//! Errors have dash's wording: `arithmetic expression: expecting primary: "1+"`.

use super::expand::Env;

#[derive(Clone, Debug, PartialEq)]
enum T {
    Num(i64),
    Name(String),
    Op(&'static str),
    LParen,
    RParen,
    Eof,
}

const OPS: &[&str] = &[
    "<<=", ">>=", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=",
    "&=", "^=", "|=", "+", "-", "*", "/", "%", "<", ">", "=", "&", "^", "|", "!", "~", "?", ":",
];

/// Parse a number as dash's `strtoimax(s, &end, 0)` would for arithmetic: decimal, `0x` hex,
/// leading-0 octal; leading and trailing blanks allowed; out of range clamps.
pub fn parse_number(s: &str) -> Option<i64> {
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n');
    if t.is_empty() {
        return None;
    }
    let (neg, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, h)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).unwrap_or(i128::MAX);
    let v = if neg { -v } else { v };
    Some(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

fn lex(s: &str) -> Result<Vec<T>, ()> {
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            // As `strtoimax(.., 0)` reads it: `0x` hex, leading-0 octal, else decimal; what
            // follows the number is the next token (`08` is `0` then `8`).
            let st = i;
            let hex = c == '0' && matches!(cs.get(i + 1), Some('x' | 'X'));
            let radix = if hex {
                i += 2;
                16
            } else if c == '0' {
                8
            } else {
                10
            };
            while i < cs.len() && cs[i].is_digit(radix) {
                i += 1;
            }
            let text: String = cs[st..i].iter().collect();
            out.push(T::Num(parse_number(&text).ok_or(())?));
            continue;
        }
        if c == '_' || c.is_ascii_alphabetic() {
            let st = i;
            while i < cs.len() && (cs[i] == '_' || cs[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(T::Name(cs[st..i].iter().collect()));
            continue;
        }
        if c == '(' {
            out.push(T::LParen);
            i += 1;
            continue;
        }
        if c == ')' {
            out.push(T::RParen);
            i += 1;
            continue;
        }
        let rest: String = cs[i..cs.len().min(i + 3)].iter().collect();
        match OPS.iter().find(|op| rest.starts_with(**op)) {
            Some(op) => {
                out.push(T::Op(op));
                i += op.len();
            }
            None => return Err(()),
        }
    }
    out.push(T::Eof);
    Ok(out)
}

struct P<'e> {
    toks: Vec<T>,
    i: usize,
    env: &'e mut dyn Env,
    src: String,
}

type R = Result<i64, String>;

impl P<'_> {
    fn peek(&self) -> &T {
        &self.toks[self.i]
    }

    fn err(&self, what: &str) -> String {
        format!("arithmetic expression: {what}: \"{}\"", self.src)
    }

    fn var(&mut self, name: &str) -> R {
        match self.env.get(name) {
            None => Ok(0),
            Some(v) if v.is_empty() => Ok(0),
            Some(v) => parse_number(&v).ok_or_else(|| format!("Illegal number: {v}")),
        }
    }

    /// `assignment := NAME op= assignment | ternary`.
    fn assign(&mut self, eval: bool) -> R {
        if let T::Name(n) = self.peek().clone()
            && let T::Op(op) = self.toks[self.i + 1]
            && op.ends_with('=')
            && !matches!(op, "==" | "!=" | "<=" | ">=")
        {
            self.i += 2;
            let rhs = self.assign(eval)?;
            if !eval {
                return Ok(0);
            }
            let v = if op == "=" {
                rhs
            } else {
                let cur = self.var(&n)?;
                self.binop(&op[..op.len() - 1], cur, rhs)?
            };
            self.env.assign(&n, &v.to_string())?;
            return Ok(v);
        }
        self.ternary(eval)
    }

    fn ternary(&mut self, eval: bool) -> R {
        let c = self.binary(0, eval)?;
        if self.peek() == &T::Op("?") {
            self.i += 1;
            let a = self.assign(eval && c != 0)?;
            if self.peek() != &T::Op(":") {
                return Err(self.err("expecting ':'"));
            }
            self.i += 1;
            let b = self.ternary(eval && c == 0)?;
            return Ok(if c != 0 { a } else { b });
        }
        Ok(c)
    }

    fn prec(op: &str) -> Option<usize> {
        Some(match op {
            "||" => 0,
            "&&" => 1,
            "|" => 2,
            "^" => 3,
            "&" => 4,
            "==" | "!=" => 5,
            "<" | "<=" | ">" | ">=" => 6,
            "<<" | ">>" => 7,
            "+" | "-" => 8,
            "*" | "/" | "%" => 9,
            _ => return None,
        })
    }

    fn binary(&mut self, min: usize, eval: bool) -> R {
        let mut l = self.unary(eval)?;
        while let T::Op(op) = *self.peek() {
            let Some(p) = Self::prec(op) else { break };
            if p < min {
                break;
            }
            self.i += 1;
            let r = match op {
                "&&" => {
                    let r = self.binary(p + 1, eval && l != 0)?;
                    l = i64::from(l != 0 && r != 0);
                    continue;
                }
                "||" => {
                    let r = self.binary(p + 1, eval && l == 0)?;
                    l = i64::from(l != 0 || r != 0);
                    continue;
                }
                _ => self.binary(p + 1, eval)?,
            };
            l = if eval { self.binop(op, l, r)? } else { 0 };
        }
        Ok(l)
    }

    fn binop(&self, op: &str, l: i64, r: i64) -> R {
        Ok(match op {
            "|" => l | r,
            "^" => l ^ r,
            "&" => l & r,
            "==" => i64::from(l == r),
            "!=" => i64::from(l != r),
            "<" => i64::from(l < r),
            "<=" => i64::from(l <= r),
            ">" => i64::from(l > r),
            ">=" => i64::from(l >= r),
            "<<" => l.wrapping_shl(r as u32),
            ">>" => l.wrapping_shr(r as u32),
            "+" => l.wrapping_add(r),
            "-" => l.wrapping_sub(r),
            "*" => l.wrapping_mul(r),
            "/" | "%" => {
                if r == 0 {
                    return Err(self.err("division by zero"));
                }
                if op == "/" {
                    l.wrapping_div(r)
                } else {
                    l.wrapping_rem(r)
                }
            }
            _ => unreachable!("binop {op}"),
        })
    }

    fn unary(&mut self, eval: bool) -> R {
        match self.peek().clone() {
            T::Op(op @ ("+" | "-" | "!" | "~")) => {
                self.i += 1;
                let v = super::grow(|| self.unary(eval))?;
                Ok(match op {
                    "+" => v,
                    "-" => v.wrapping_neg(),
                    "!" => i64::from(v == 0),
                    _ => !v,
                })
            }
            T::Num(n) => {
                self.i += 1;
                Ok(n)
            }
            T::Name(n) => {
                self.i += 1;
                if eval { self.var(&n) } else { Ok(0) }
            }
            T::LParen => {
                self.i += 1;
                let v = super::grow(|| self.assign(eval))?;
                if self.peek() != &T::RParen {
                    return Err(self.err("expecting ')'"));
                }
                self.i += 1;
                Ok(v)
            }
            _ => Err(self.err("expecting primary")),
        }
    }
}

/// Evaluate an (already expanded) arithmetic expression.
pub fn eval(src: &str, env: &mut dyn Env) -> Result<i64, String> {
    let Ok(toks) = lex(src) else {
        return Err(format!(
            "arithmetic expression: expecting primary: \"{src}\""
        ));
    };
    if toks == [T::Eof] {
        return Ok(0);
    }
    let mut p = P {
        toks,
        i: 0,
        env,
        src: src.to_string(),
    };
    let v = p.assign(true)?;
    if p.peek() != &T::Eof {
        return Err(p.err("expecting EOF"));
    }
    Ok(v)
}
