//! The awk lexer (POSIX awk's lexical conventions, as gawk reads them): a `/` starts a
//! regular expression where an operand is expected and divides after one; newlines are
//! tokens (they end statements); backslash-newline joins lines; `#` comments run to the end of
//! the line; `name(` with no blank is a function call.

/// A token and the line and column (0-based, in chars) it starts at.
#[derive(Clone, Debug, PartialEq)]
pub struct Tok {
    pub t: T,
    pub line: usize,
    pub col: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum T {
    Newline,
    Eof,
    Num(f64),
    Str(String),
    Ere(String),
    Name(String),
    /// A name directly followed by `(`: a user function call.
    FuncName(String),
    Builtin(String),
    Kw(&'static str),
    /// Punctuation and operators.
    P(&'static str),
}

const KEYWORDS: [&str; 18] = [
    "BEGIN", "END", "function", "func", "if", "else", "while", "for", "do", "break", "continue",
    "next", "nextfile", "exit", "return", "delete", "in", "getline",
];

const PRINTS: [&str; 2] = ["print", "printf"];

pub const BUILTINS: [&str; 21] = [
    "length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "sin", "cos", "atan2",
    "exp", "log", "sqrt", "int", "rand", "srand", "tolower", "toupper", "system", "close",
];

/// Operators, longest first.
const OPS: [&str; 41] = [
    "**=", "&&", "||", "==", "<=", ">=", "!=", "++", "--", "+=", "-=", "*=", "/=", "%=", "^=",
    "**", ">>", "!~", "{", "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^", "!",
    ">", "<", "|", "?", ":", "~", "$", "=",
];

/// A lexing error: message and position.
#[derive(Debug)]
pub struct LexError {
    pub msg: String,
    pub line: usize,
    pub col: usize,
}

pub fn lex(src: &str) -> Result<Vec<Tok>, LexError> {
    let c: Vec<char> = src.chars().collect();
    let mut out: Vec<Tok> = Vec::new();
    let (mut i, mut line, mut line_start) = (0, 1, 0);
    while i < c.len() {
        let ch = c[i];
        let col = i - line_start;
        let push = move |out: &mut Vec<Tok>, t: T| out.push(Tok { t, line, col });
        match ch {
            ' ' | '\t' | '\r' => i += 1,
            '\\' if c.get(i + 1) == Some(&'\n') => {
                i += 2;
                line += 1;
                line_start = i;
            }
            '\\' if c.get(i + 1) == Some(&'\r') && c.get(i + 2) == Some(&'\n') => {
                i += 3;
                line += 1;
                line_start = i;
            }
            '\n' => {
                push(&mut out, T::Newline);
                i += 1;
                line += 1;
                line_start = i;
            }
            '#' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '"' => {
                i += 1;
                let mut s = String::new();
                loop {
                    let Some(&x) = c.get(i) else {
                        return Err(LexError {
                            msg: "unterminated string".into(),
                            line,
                            col,
                        });
                    };
                    i += 1;
                    match x {
                        '"' => break,
                        '\n' => {
                            return Err(LexError {
                                msg: "unterminated string".into(),
                                line,
                                col,
                            });
                        }
                        '\\' => {
                            let Some(&e) = c.get(i) else { continue };
                            i += 1;
                            match e {
                                'n' => s.push('\n'),
                                't' => s.push('\t'),
                                'r' => s.push('\r'),
                                '\\' => s.push('\\'),
                                '"' => s.push('"'),
                                '/' => s.push('/'),
                                'a' => s.push('\x07'),
                                'b' => s.push('\x08'),
                                'f' => s.push('\x0c'),
                                'v' => s.push('\x0b'),
                                '\n' => {
                                    line += 1;
                                    line_start = i;
                                }
                                '0'..='7' => {
                                    let mut v = e as u32 - '0' as u32;
                                    let mut k = 0;
                                    while k < 2 && c.get(i).is_some_and(|d| ('0'..='7').contains(d))
                                    {
                                        v = v * 8 + (c[i] as u32 - '0' as u32);
                                        i += 1;
                                        k += 1;
                                    }
                                    s.push(char::from_u32(v).unwrap_or('?'));
                                }
                                other => {
                                    // gawk keeps the backslash of an unknown escape (with a
                                    // warning), so "\." reaches a dynamic regex as `\.`.
                                    s.push('\\');
                                    s.push(other);
                                }
                            }
                        }
                        x => s.push(x),
                    }
                }
                push(&mut out, T::Str(s));
            }
            '/' if regex_allowed(out.last()) => {
                i += 1;
                let mut s = String::new();
                let mut in_bracket = false;
                loop {
                    let Some(&x) = c.get(i) else {
                        return Err(LexError {
                            msg: "unterminated regexp".into(),
                            line,
                            col,
                        });
                    };
                    i += 1;
                    match x {
                        '\n' => {
                            return Err(LexError {
                                msg: "unterminated regexp".into(),
                                line,
                                col,
                            });
                        }
                        '\\' if c.get(i) == Some(&'/') => {
                            s.push('/');
                            i += 1;
                        }
                        '\\' => {
                            s.push('\\');
                            if let Some(&n) = c.get(i) {
                                s.push(n);
                                i += 1;
                            }
                        }
                        '[' if !in_bracket => {
                            in_bracket = true;
                            s.push('[');
                            // `]` right after `[` or `[^` is literal.
                            if c.get(i) == Some(&'^') {
                                s.push('^');
                                i += 1;
                            }
                            if c.get(i) == Some(&']') {
                                s.push(']');
                                i += 1;
                            }
                        }
                        ']' if in_bracket => {
                            in_bracket = false;
                            s.push(']');
                        }
                        '/' if !in_bracket => break,
                        x => s.push(x),
                    }
                }
                push(&mut out, T::Ere(s));
            }
            d if d.is_ascii_digit()
                || (d == '.' && c.get(i + 1).is_some_and(|x| x.is_ascii_digit())) =>
            {
                let start = i;
                if d == '0'
                    && matches!(c.get(i + 1), Some('x' | 'X'))
                    && c.get(i + 2).is_some_and(|x| x.is_ascii_hexdigit())
                {
                    i += 2;
                    while c.get(i).is_some_and(|x| x.is_ascii_hexdigit()) {
                        i += 1;
                    }
                    let h: String = c[start + 2..i].iter().collect();
                    push(
                        &mut out,
                        T::Num(i64::from_str_radix(&h, 16).unwrap_or(0) as f64),
                    );
                    continue;
                }
                while c.get(i).is_some_and(|x| x.is_ascii_digit()) {
                    i += 1;
                }
                if c.get(i) == Some(&'.') {
                    i += 1;
                    while c.get(i).is_some_and(|x| x.is_ascii_digit()) {
                        i += 1;
                    }
                }
                if matches!(c.get(i), Some('e' | 'E')) {
                    let save = i;
                    i += 1;
                    if matches!(c.get(i), Some('+' | '-')) {
                        i += 1;
                    }
                    if c.get(i).is_some_and(|x| x.is_ascii_digit()) {
                        while c.get(i).is_some_and(|x| x.is_ascii_digit()) {
                            i += 1;
                        }
                    } else {
                        i = save;
                    }
                }
                let s: String = c[start..i].iter().collect();
                push(&mut out, T::Num(s.parse().unwrap_or(0.0)));
            }
            a if a.is_ascii_alphabetic() || a == '_' => {
                let start = i;
                while c
                    .get(i)
                    .is_some_and(|x| x.is_ascii_alphanumeric() || *x == '_')
                {
                    i += 1;
                }
                let w: String = c[start..i].iter().collect();
                let t = if let Some(k) = KEYWORDS.iter().find(|&&k| k == w) {
                    T::Kw(k)
                } else if let Some(k) = PRINTS.iter().find(|&&k| k == w) {
                    T::Kw(k)
                } else if BUILTINS.contains(&w.as_str()) {
                    T::Builtin(w)
                } else if c.get(i) == Some(&'(') {
                    T::FuncName(w)
                } else {
                    T::Name(w)
                };
                push(&mut out, t);
            }
            _ => {
                let Some(op) = OPS.iter().find(|op| {
                    let oc: Vec<char> = op.chars().collect();
                    c[i..].starts_with(&oc)
                }) else {
                    return Err(LexError {
                        msg: format!("invalid char '{ch}' in expression"),
                        line,
                        col,
                    });
                };
                i += op.chars().count();
                let op: &'static str = match *op {
                    "**" => "^",
                    "**=" => "^=",
                    o => o,
                };
                push(&mut out, T::P(op));
            }
        }
    }
    out.push(Tok {
        t: T::Eof,
        line,
        col: i - line_start,
    });
    Ok(out)
}

/// A `/` starts a regex unless the previous token ends an operand.
fn regex_allowed(prev: Option<&Tok>) -> bool {
    match prev.map(|t| &t.t) {
        None => true,
        Some(T::Num(_) | T::Str(_) | T::Ere(_) | T::Name(_)) => false,
        Some(T::Builtin(b)) => b != "length",
        Some(T::P(p)) => !matches!(*p, ")" | "]" | "$" | "++" | "--"),
        Some(T::Kw(k)) => *k != "getline",
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<T> {
        lex(s).unwrap().into_iter().map(|t| t.t).collect()
    }

    #[test]
    fn slash_is_a_regex_or_a_division_by_context() {
        assert_eq!(
            kinds("a / 2 ~ /x\\/y/"),
            vec![
                T::Name("a".into()),
                T::P("/"),
                T::Num(2.0),
                T::P("~"),
                T::Ere("x/y".into()),
                T::Eof
            ]
        );
        assert_eq!(kinds("f(1)")[0], T::FuncName("f".into()));
        assert_eq!(kinds("f (1)")[0], T::Name("f".into()));
        assert_eq!(kinds("\"a\\tb\"")[0], T::Str("a\tb".into()));
        assert_eq!(kinds("x **= 2")[1], T::P("^="));
        assert_eq!(kinds("/[/]/")[0], T::Ere("[/]".into()));
    }
}
