//! The awk parser: POSIX awk's grammar (the `awk` page of POSIX.1-2017, "Grammar") with
//! gawk's operator precedence, producing the tree [`super::interp`] walks.

use super::lexer::{T, Tok};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    /// A regex literal: alone it means `$0 ~ /re/`.
    Re(String),
    Var(String),
    Field(Box<Expr>),
    Index(String, Vec<Expr>),
    /// `lvalue op= value` (`op` empty for `=`).
    Assign(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Plus(Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Cmp(&'static str, Box<Expr>, Box<Expr>),
    Match(bool, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    In(Vec<Expr>, String),
    /// `++x` / `x--`: pre?, delta, lvalue.
    Incr(bool, f64, Box<Expr>),
    Call(String, Vec<Expr>),
    Builtin(String, Vec<Expr>),
    Getline(GetSrc, Option<Box<Expr>>),
    /// `(a, b)`: only before `in` or as print's argument list.
    Group(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum GetSrc {
    Main,
    File(Box<Expr>),
    Cmd(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Redir {
    File(Expr),
    Append(Expr),
    Pipe(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Expr(Expr),
    Print(Vec<Expr>, Option<Redir>),
    Printf(Vec<Expr>, Option<Redir>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    Do(Box<Stmt>, Expr),
    For(
        Option<Box<Stmt>>,
        Option<Expr>,
        Option<Box<Stmt>>,
        Box<Stmt>,
    ),
    ForIn(String, String, Box<Stmt>),
    Block(Vec<Stmt>),
    Next,
    NextFile,
    Exit(Option<Expr>),
    Return(Option<Expr>),
    Break,
    Continue,
    Delete(String, Option<Vec<Expr>>),
    /// A statement with where it starts in the program's sources (gawk's runtime messages
    /// name that line).
    At(Pos, Box<Stmt>),
}

/// A place in the program: which source (`-f FILE` or the command line, in order) and line.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub src: usize,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Begin,
    End,
    All,
    Expr(Expr),
    Range(Expr, Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Where the pattern starts.
    pub pos: Pos,
    pub pattern: Pattern,
    /// `None`: print the record.
    pub action: Option<Vec<Stmt>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    pub params: Vec<String>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    pub items: Vec<Item>,
    pub funcs: BTreeMap<String, Func>,
}

/// A syntax error at a token.
#[derive(Debug)]
pub struct SyntaxError {
    pub msg: String,
    pub line: usize,
    pub col: usize,
}

pub struct Parser {
    toks: Vec<Tok>,
    i: usize,
    /// Inside print's argument list: `>` redirects, `|` pipes.
    no_gt: usize,
    /// Inside `for (` ... `;`: `in` belongs to the for.
    no_in: usize,
    /// Nesting of expressions, unary operators and statements being parsed.
    depth: usize,
    /// Which source this is (see [`Pos`]).
    src: usize,
    /// Errors gawk reports while parsing without stopping the parse: a division by the
    /// constant 0 (`x / 0`, `x % -0`; not `x / (0)`). The program does not run.
    pub const_errors: Vec<(usize, &'static str)>,
}

/// How deeply expressions and statements may nest: beyond it, a syntax error instead of a
/// host stack overflow (gawk's limit is its memory).
const MAX_DEPTH: usize = 150;

/// How many operands one chain of `+ -`, `* / %` or concatenation may have.
const MAX_CHAIN: usize = 4000;

type R<X> = Result<X, SyntaxError>;

impl Parser {
    pub fn new(toks: Vec<Tok>) -> Parser {
        Parser {
            toks,
            i: 0,
            no_gt: 0,
            no_in: 0,
            depth: 0,
            src: 0,
            const_errors: Vec::new(),
        }
    }

    fn peek(&self) -> &T {
        &self.toks[self.i.min(self.toks.len() - 1)].t
    }

    fn peek_at(&self, n: usize) -> &T {
        &self.toks[(self.i + n).min(self.toks.len() - 1)].t
    }

    fn advance(&mut self) -> T {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn is_p(&self, p: &str) -> bool {
        matches!(self.peek(), T::P(x) if *x == p)
    }

    fn is_kw(&self, k: &str) -> bool {
        matches!(self.peek(), T::Kw(x) if *x == k)
    }

    fn eat_p(&mut self, p: &str) -> bool {
        if self.is_p(p) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn fail<X>(&self) -> R<X> {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        let (msg, line, col) = match t.t {
            T::Newline => ("unexpected newline or end of string", t.line + 1, t.col + 1),
            T::Eof => ("unexpected newline or end of string", t.line, t.col),
            _ => ("syntax error", t.line, t.col),
        };
        Err(SyntaxError {
            msg: msg.into(),
            line,
            col,
        })
    }

    fn expect_p(&mut self, p: &str) -> R<()> {
        if self.eat_p(p) { Ok(()) } else { self.fail() }
    }

    fn nls(&mut self) {
        while matches!(self.peek(), T::Newline) {
            self.advance();
        }
    }

    fn terminators(&mut self) {
        while matches!(self.peek(), T::Newline) || self.is_p(";") {
            self.advance();
        }
    }

    /// The parser of source number `src` (for the positions of its statements).
    pub fn with_source(mut self, src: usize) -> Parser {
        self.src = src;
        self
    }

    fn pos(&self) -> Pos {
        Pos {
            src: self.src,
            line: self.toks[self.i.min(self.toks.len() - 1)].line,
        }
    }

    pub fn program(&mut self) -> R<Program> {
        let mut prog = Program::default();
        self.terminators();
        while !matches!(self.peek(), T::Eof) {
            if self.is_kw("function") || self.is_kw("func") {
                self.advance();
                let name = match self.advance() {
                    T::Name(n) | T::FuncName(n) => n,
                    _ => {
                        self.i -= 1;
                        return self.fail();
                    }
                };
                self.expect_p("(")?;
                let mut params = Vec::new();
                while !self.is_p(")") {
                    match self.advance() {
                        T::Name(n) => params.push(n),
                        _ => {
                            self.i -= 1;
                            return self.fail();
                        }
                    }
                    if !self.eat_p(",") {
                        break;
                    }
                    self.nls();
                }
                self.expect_p(")")?;
                self.nls();
                let body = self.block()?;
                prog.funcs.insert(name, Func { params, body });
                self.terminators();
                continue;
            } else {
                let pos = self.pos();
                let pattern = if self.is_kw("BEGIN") {
                    self.advance();
                    Pattern::Begin
                } else if self.is_kw("END") {
                    self.advance();
                    Pattern::End
                } else if self.is_p("{") {
                    Pattern::All
                } else {
                    let a = self.expr()?;
                    if self.eat_p(",") {
                        self.nls();
                        let b = self.expr()?;
                        Pattern::Range(a, b)
                    } else {
                        Pattern::Expr(a)
                    }
                };
                let action = if self.is_p("{") {
                    Some(self.block()?)
                } else {
                    if matches!(pattern, Pattern::Begin | Pattern::End) {
                        return self.fail();
                    }
                    None
                };
                let bare = action.is_none();
                prog.items.push(Item {
                    pos,
                    pattern,
                    action,
                });
                if !bare {
                    self.terminators();
                    continue;
                }
            }
            if !matches!(self.peek(), T::Eof | T::Newline) && !self.is_p(";") {
                return self.fail();
            }
            self.terminators();
        }
        Ok(prog)
    }

    fn block(&mut self) -> R<Vec<Stmt>> {
        self.expect_p("{")?;
        let mut out = Vec::new();
        self.terminators();
        while !self.is_p("}") {
            if matches!(self.peek(), T::Eof) {
                return self.fail();
            }
            out.push(self.stmt()?);
            self.terminators();
        }
        self.advance();
        Ok(out)
    }

    /// A simple statement must end with `;`, a newline, or before `}`.
    fn end_simple(&mut self) -> R<()> {
        if self.is_p(";") || matches!(self.peek(), T::Newline) {
            self.advance();
            Ok(())
        } else if self.is_p("}") || matches!(self.peek(), T::Eof) {
            Ok(())
        } else {
            self.fail()
        }
    }

    fn body(&mut self) -> R<Stmt> {
        self.nls();
        if self.eat_p(";") {
            return Ok(Stmt::Block(Vec::new()));
        }
        self.stmt()
    }

    fn stmt(&mut self) -> R<Stmt> {
        let pos = self.pos();
        let s = self.nested(Self::stmt_inner)?;
        Ok(Stmt::At(pos, Box::new(s)))
    }

    fn stmt_inner(&mut self) -> R<Stmt> {
        if self.is_p("{") {
            return Ok(Stmt::Block(self.block()?));
        }
        let kw = match self.peek() {
            T::Kw(k) => Some(*k),
            _ => None,
        };
        match kw {
            Some("if") => {
                self.advance();
                self.expect_p("(")?;
                let c = self.expr()?;
                self.expect_p(")")?;
                let then = self.body()?;
                // `else` may follow newlines and a `;`.
                let save = self.i;
                self.terminators();
                if self.is_kw("else") {
                    self.advance();
                    let e = self.body()?;
                    return Ok(Stmt::If(c, Box::new(then), Some(Box::new(e))));
                }
                self.i = save;
                Ok(Stmt::If(c, Box::new(then), None))
            }
            Some("while") => {
                self.advance();
                self.expect_p("(")?;
                let c = self.expr()?;
                self.expect_p(")")?;
                if self.is_p(";") {
                    self.advance();
                    return Ok(Stmt::While(c, Box::new(Stmt::Block(Vec::new()))));
                }
                let b = self.body()?;
                Ok(Stmt::While(c, Box::new(b)))
            }
            Some("do") => {
                self.advance();
                let b = self.body()?;
                self.terminators();
                if !self.is_kw("while") {
                    return self.fail();
                }
                self.advance();
                self.expect_p("(")?;
                let c = self.expr()?;
                self.expect_p(")")?;
                self.end_simple()?;
                Ok(Stmt::Do(Box::new(b), c))
            }
            Some("for") => {
                self.advance();
                self.expect_p("(")?;
                if let (T::Name(v), T::Kw("in"), T::Name(a), T::P(")")) = (
                    self.peek().clone(),
                    self.peek_at(1).clone(),
                    self.peek_at(2).clone(),
                    self.peek_at(3).clone(),
                ) {
                    self.i += 4;
                    let b = self.body()?;
                    return Ok(Stmt::ForIn(v, a, Box::new(b)));
                }
                let init = if self.is_p(";") {
                    None
                } else {
                    Some(Box::new(self.simple_stmt()?))
                };
                self.expect_p(";")?;
                self.nls();
                let cond = if self.is_p(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect_p(";")?;
                self.nls();
                let incr = if self.is_p(")") {
                    None
                } else {
                    Some(Box::new(self.simple_stmt()?))
                };
                self.expect_p(")")?;
                if self.is_p(";") {
                    self.advance();
                    return Ok(Stmt::For(
                        init,
                        cond,
                        incr,
                        Box::new(Stmt::Block(Vec::new())),
                    ));
                }
                let b = self.body()?;
                Ok(Stmt::For(init, cond, incr, Box::new(b)))
            }
            Some(k @ ("next" | "nextfile" | "break" | "continue")) => {
                self.advance();
                self.end_simple()?;
                Ok(match k {
                    "next" => Stmt::Next,
                    "nextfile" => Stmt::NextFile,
                    "break" => Stmt::Break,
                    _ => Stmt::Continue,
                })
            }
            Some(k @ ("exit" | "return")) => {
                self.advance();
                let v = if self.is_p(";")
                    || self.is_p("}")
                    || matches!(self.peek(), T::Newline | T::Eof)
                {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.end_simple()?;
                Ok(if k == "exit" {
                    Stmt::Exit(v)
                } else {
                    Stmt::Return(v)
                })
            }
            _ => {
                let s = self.simple_stmt()?;
                self.end_simple()?;
                Ok(s)
            }
        }
    }

    fn simple_stmt(&mut self) -> R<Stmt> {
        if self.is_kw("print") || self.is_kw("printf") {
            let is_printf = self.is_kw("printf");
            self.advance();
            self.no_gt += 1;
            let mut args = Vec::new();
            let ends = |p: &Parser| {
                p.is_p(";")
                    || p.is_p("}")
                    || p.is_p(">")
                    || p.is_p(">>")
                    || p.is_p("|")
                    || matches!(p.peek(), T::Newline | T::Eof)
            };
            if !ends(self) {
                args.push(self.expr()?);
                while self.eat_p(",") {
                    self.nls();
                    args.push(self.expr()?);
                }
            }
            self.no_gt -= 1;
            // `print (a, b)` is the list `a, b`.
            if args.len() == 1
                && let Expr::Group(list) = &args[0]
            {
                args = list.clone();
            }
            let redir = if self.eat_p(">") {
                Some(Redir::File(self.concat_no_gt()?))
            } else if self.eat_p(">>") {
                Some(Redir::Append(self.concat_no_gt()?))
            } else if self.eat_p("|") {
                Some(Redir::Pipe(self.concat_no_gt()?))
            } else {
                None
            };
            if is_printf && args.is_empty() {
                return self.fail();
            }
            return Ok(if is_printf {
                Stmt::Printf(args, redir)
            } else {
                Stmt::Print(args, redir)
            });
        }
        if self.is_kw("delete") {
            self.advance();
            let name = match self.advance() {
                T::Name(n) => n,
                _ => {
                    self.i -= 1;
                    return self.fail();
                }
            };
            if self.eat_p("[") {
                let idx = self.expr_list("]")?;
                return Ok(Stmt::Delete(name, Some(idx)));
            }
            return Ok(Stmt::Delete(name, None));
        }
        Ok(Stmt::Expr(self.expr()?))
    }

    /// The target of a redirection: a concatenation without comparisons.
    fn concat_no_gt(&mut self) -> R<Expr> {
        self.no_gt += 1;
        let e = self.concat();
        self.no_gt -= 1;
        e
    }

    fn expr_list(&mut self, close: &str) -> R<Vec<Expr>> {
        let mut v = vec![self.expr()?];
        while self.eat_p(",") {
            self.nls();
            v.push(self.expr()?);
        }
        self.expect_p(close)?;
        Ok(v)
    }

    pub fn expr(&mut self) -> R<Expr> {
        self.nested(Self::ternary)
    }

    fn too_long<X>(&self) -> R<X> {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        Err(SyntaxError {
            msg: "too many operands in one expression (cgsim's limit)".to_string(),
            line: t.line,
            col: t.col,
        })
    }

    /// Run `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<X>(&mut self, f: impl FnOnce(&mut Self) -> R<X>) -> R<X> {
        if self.depth >= MAX_DEPTH {
            let t = &self.toks[self.i.min(self.toks.len() - 1)];
            return Err(SyntaxError {
                msg: format!("nesting deeper than {MAX_DEPTH} levels (cgsim's limit)"),
                line: t.line,
                col: t.col,
            });
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn is_lvalue(e: &Expr) -> bool {
        matches!(e, Expr::Var(_) | Expr::Field(_) | Expr::Index(..))
    }

    fn ternary(&mut self) -> R<Expr> {
        let c = self.or()?;
        if self.eat_p("?") {
            self.nls();
            let a = self.expr()?;
            self.nls();
            self.expect_p(":")?;
            self.nls();
            let b = self.expr()?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        let op = match self.peek() {
            T::P(p @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "^=")) => Some(*p),
            _ => None,
        };
        if let Some(op) = op
            && Self::is_lvalue(&c)
        {
            self.advance();
            self.nls();
            let v = self.expr()?;
            let op = if op == "=" { "" } else { &op[..1] };
            return Ok(Expr::Assign(op, Box::new(c), Box::new(v)));
        }
        Ok(c)
    }

    fn or(&mut self) -> R<Expr> {
        let mut l = self.and()?;
        let mut n = 0;
        while self.eat_p("||") {
            n += 1;
            if n > MAX_DEPTH {
                return self.too_long();
            }
            self.nls();
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> R<Expr> {
        let mut l = self.in_expr()?;
        let mut n = 0;
        while self.eat_p("&&") {
            n += 1;
            if n > MAX_DEPTH {
                return self.too_long();
            }
            self.nls();
            let r = self.in_expr()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn in_expr(&mut self) -> R<Expr> {
        let mut l = self.matching()?;
        let mut n = 0;
        while self.no_in == 0 && self.is_kw("in") {
            n += 1;
            if n > MAX_DEPTH {
                return self.too_long();
            }
            self.advance();
            let name = match self.advance() {
                T::Name(n) => n,
                _ => {
                    self.i -= 1;
                    return self.fail();
                }
            };
            let keys = match l {
                Expr::Group(v) => v,
                e => vec![e],
            };
            l = Expr::In(keys, name);
        }
        Ok(l)
    }

    fn matching(&mut self) -> R<Expr> {
        let mut l = self.comparison()?;
        let mut n = 0;
        loop {
            n += 1;
            if n > MAX_DEPTH {
                return self.too_long();
            }
            let neg = if self.is_p("~") {
                false
            } else if self.is_p("!~") {
                true
            } else {
                return Ok(l);
            };
            self.advance();
            let r = self.comparison()?;
            l = Expr::Match(neg, Box::new(l), Box::new(r));
        }
    }

    fn comparison(&mut self) -> R<Expr> {
        let l = self.concat()?;
        let op = match self.peek() {
            T::P(p @ ("<" | "<=" | "!=" | "==" | ">=")) => Some(*p),
            T::P(">") if self.no_gt == 0 => Some(">"),
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let r = self.concat()?;
            return Ok(Expr::Cmp(op, Box::new(l), Box::new(r)));
        }
        // `cmd | getline [var]`
        if self.is_p("|") && matches!(self.peek_at(1), T::Kw("getline")) {
            self.advance();
            self.advance();
            let var = self.opt_lvalue()?;
            return Ok(Expr::Getline(GetSrc::Cmd(Box::new(l)), var));
        }
        Ok(l)
    }

    fn starts_operand(&self) -> bool {
        match self.peek() {
            T::Num(_) | T::Str(_) | T::Ere(_) | T::Name(_) | T::FuncName(_) | T::Builtin(_) => true,
            T::P(p) => matches!(*p, "$" | "!" | "(" | "-" | "+" | "++" | "--"),
            T::Kw(k) => *k == "getline",
            _ => false,
        }
    }

    fn concat(&mut self) -> R<Expr> {
        let mut l = self.additive()?;
        let mut n = 0;
        loop {
            n += 1;
            if n > MAX_CHAIN {
                return self.too_long();
            }
            // `a -1` and `a +1` are arithmetic, not concatenation; `!` would be `a !~`.
            if !self.starts_operand() || self.is_p("-") || self.is_p("+") || self.is_p("!") {
                return Ok(l);
            }
            if self.no_in > 0 && self.is_kw("in") {
                return Ok(l);
            }
            let r = self.additive()?;
            l = Expr::Concat(Box::new(l), Box::new(r));
        }
    }

    fn additive(&mut self) -> R<Expr> {
        let mut l = self.multiplicative()?;
        let mut n = 0;
        loop {
            n += 1;
            if n > MAX_CHAIN {
                return self.too_long();
            }
            let op = match self.peek() {
                T::P(p @ ("+" | "-")) => *p,
                _ => return Ok(l),
            };
            self.advance();
            let r = self.multiplicative()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn multiplicative(&mut self) -> R<Expr> {
        let mut l = self.unary()?;
        let mut n = 0;
        loop {
            n += 1;
            if n > MAX_CHAIN {
                return self.too_long();
            }
            let op = match self.peek() {
                T::P(p @ ("*" | "/" | "%")) => *p,
                _ => return Ok(l),
            };
            self.advance();
            let start = self.i;
            let r = self.unary()?;
            // gawk folds a constant divisor while parsing (`mk_binary`): a literal 0, signed
            // or not, is an error before the program runs; a parenthesized one is not.
            let zero = |e: &Expr| matches!(e, Expr::Num(n) if *n == 0.0);
            let const_zero = match &r {
                Expr::Neg(x) | Expr::Plus(x) => zero(x),
                x => zero(x),
            };
            if op != "*" && const_zero && !matches!(self.toks[start].t, T::P("(")) {
                let msg = if op == "/" {
                    "division by zero attempted"
                } else {
                    "division by zero attempted in `%'"
                };
                self.const_errors.push((self.toks[start].line, msg));
            }
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn unary(&mut self) -> R<Expr> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> R<Expr> {
        if self.eat_p("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_p("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_p("+") {
            return Ok(Expr::Plus(Box::new(self.unary()?)));
        }
        self.power()
    }

    fn power(&mut self) -> R<Expr> {
        self.nested(Self::power_inner)
    }

    fn power_inner(&mut self) -> R<Expr> {
        let base = self.postfix()?;
        if self.eat_p("^") {
            // Right associative, and binds tighter than unary minus on its left only.
            let exp = if self.is_p("-") {
                self.advance();
                Expr::Neg(Box::new(self.power()?))
            } else {
                self.power()?
            };
            return Ok(Expr::Bin("^", Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn postfix(&mut self) -> R<Expr> {
        if self.is_p("++") || self.is_p("--") {
            let d = if self.is_p("++") { 1.0 } else { -1.0 };
            self.advance();
            let lv = self.nested(Self::postfix)?;
            if !Self::is_lvalue(&lv) {
                return self.fail();
            }
            return Ok(Expr::Incr(true, d, Box::new(lv)));
        }
        let e = self.primary()?;
        if Self::is_lvalue(&e) && (self.is_p("++") || self.is_p("--")) {
            let d = if self.is_p("++") { 1.0 } else { -1.0 };
            self.advance();
            return Ok(Expr::Incr(false, d, Box::new(e)));
        }
        Ok(e)
    }

    fn opt_lvalue(&mut self) -> R<Option<Box<Expr>>> {
        match self.peek() {
            T::Name(_) | T::P("$") => {
                let e = self.primary()?;
                Ok(Some(Box::new(e)))
            }
            _ => Ok(None),
        }
    }

    fn primary(&mut self) -> R<Expr> {
        let t = self.advance();
        match t {
            T::Num(n) => Ok(Expr::Num(n)),
            T::Str(s) => Ok(Expr::Str(s)),
            T::Ere(s) => Ok(Expr::Re(s)),
            T::P("$") => {
                let e = if self.is_p("++") || self.is_p("--") {
                    self.nested(Self::postfix)?
                } else if self.is_p("-") {
                    self.advance();
                    Expr::Neg(Box::new(self.nested(Self::primary)?))
                } else {
                    self.nested(Self::primary)?
                };
                Ok(Expr::Field(Box::new(e)))
            }
            T::P("(") => {
                self.no_gt += 0;
                let saved = (self.no_gt, self.no_in);
                self.no_gt = 0;
                self.no_in = 0;
                let first = self.expr();
                let first = match first {
                    Ok(f) => f,
                    Err(e) => {
                        (self.no_gt, self.no_in) = saved;
                        return Err(e);
                    }
                };
                let r = if self.is_p(",") {
                    let mut v = vec![first];
                    while self.eat_p(",") {
                        self.nls();
                        v.push(self.expr()?);
                    }
                    self.expect_p(")").map(|_| Expr::Group(v))
                } else {
                    self.expect_p(")").map(|_| first)
                };
                (self.no_gt, self.no_in) = saved;
                let e = r?;
                if let Expr::Group(_) = &e
                    && !self.is_kw("in")
                    && self.no_gt == 0
                {
                    return self.fail();
                }
                Ok(e)
            }
            T::Name(n) => {
                if self.eat_p("[") {
                    let idx = self.expr_list("]")?;
                    return Ok(Expr::Index(n, idx));
                }
                Ok(Expr::Var(n))
            }
            T::FuncName(n) => {
                self.expect_p("(")?;
                let args = if self.eat_p(")") {
                    Vec::new()
                } else {
                    self.expr_list(")")?
                };
                Ok(Expr::Call(n, args))
            }
            T::Builtin(b) => {
                if self.eat_p("(") {
                    let args = if self.eat_p(")") {
                        Vec::new()
                    } else {
                        self.expr_list(")")?
                    };
                    return Ok(Expr::Builtin(b, args));
                }
                if b == "length" {
                    return Ok(Expr::Builtin(b, Vec::new()));
                }
                self.i -= 1;
                self.fail()
            }
            T::Kw("getline") => {
                let var = self.opt_lvalue()?;
                if self.eat_p("<") {
                    let f = self.primary()?;
                    return Ok(Expr::Getline(GetSrc::File(Box::new(f)), var));
                }
                Ok(Expr::Getline(GetSrc::Main, var))
            }
            T::P("-") => Ok(Expr::Neg(Box::new(self.unary()?))),
            T::P("+") => Ok(Expr::Plus(Box::new(self.unary()?))),
            T::P("!") => Ok(Expr::Not(Box::new(self.unary()?))),
            _ => {
                self.i = self.i.saturating_sub(1);
                if matches!(self.peek(), T::Eof) {
                    self.i = self.toks.len() - 1;
                }
                self.fail()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn parse(s: &str) -> Result<Program, String> {
        Parser::new(lex(s).map_err(|e| e.msg)?)
            .program()
            .map_err(|e| format!("{}:{}: {}", e.line, e.col, e.msg))
    }

    #[test]
    fn parses_what_scripts_write() {
        for src in [
            "BEGIN { FS = \":\" } $3 > 100 { print $1, $3 > \"/tmp/x\" } END { print NR }",
            "{ a[$1] += $2 } END { for (k in a) printf \"%s %d\\n\", k, a[k] }",
            "NR==1, /end/ { n++ }; /x/",
            "BEGIN { while (i < 3) { i++; if (i == 2) continue; else print i } }",
            "BEGIN { if ((1, 2) in a) print \"y\"; \"date\" | getline d; x = y ? 1 : 2 }",
        ] {
            if let Err(e) = parse(src) {
                panic!("{src}: {e}");
            }
        }
        assert!(
            parse("BEGIN { FS = \":\" } $3 > 100 { print $1, $3 > \"/tmp/x\" } END { print NR }")
                .is_ok()
        );
        assert!(parse("{ a[$1] += $2 } END { for (k in a) printf \"%s %d\\n\", k, a[k] }").is_ok());
        assert!(parse("NR==1, /end/ { n++ }; /x/").is_ok());
        assert!(parse("function f(a, b) { return a + b }\nBEGIN { print f(1, 2) }").is_ok());
        assert!(
            parse("BEGIN { while (i < 3) { i++; if (i == 2) continue; else print i } }").is_ok()
        );
        assert!(
            parse("BEGIN { if ((1, 2) in a) print \"y\"; \"date\" | getline d; x = y ? 1 : 2 }")
                .is_ok()
        );
        let p = parse("{ print $1 \" \" -$2 }").unwrap();
        let Some(body) = &p.items[0].action else {
            panic!()
        };
        assert!(
            matches!(&body[0], Stmt::At(_, s) if matches!(&**s, Stmt::Print(args, None) if args.len() == 1))
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let ok = format!("BEGIN {{ x = {}1{} }}", "(".repeat(45), ")".repeat(45));
        assert!(parse(&ok).is_ok());
        let deep = format!("BEGIN {{ x = {}1{} }}", "(".repeat(5000), ")".repeat(5000));
        assert!(
            parse(&deep)
                .unwrap_err()
                .contains("nesting deeper than 150")
        );
        for deep in ["!", "$", "-", "++", "2^", "a=", "1?1:"] {
            let src = format!("BEGIN {{ x = {}1 }}", deep.repeat(5000));
            assert!(parse(&src).is_err(), "{deep}");
        }
        let ands = format!("BEGIN {{ x = 1{} }}", " && 1".repeat(5000));
        assert!(parse(&ands).is_err());
    }

    #[test]
    fn reports_where_gawk_does() {
        assert_eq!(
            parse("BEGIN { print ( }").unwrap_err(),
            "1:16: syntax error"
        );
        assert_eq!(
            parse("BEGIN {").unwrap_err(),
            "1:7: unexpected newline or end of string"
        );
        assert_eq!(
            parse("BEGIN { print 1\nprint 2 +\n}").unwrap_err(),
            "3:10: unexpected newline or end of string"
        );
    }
}
