//! The parser: tokens to [`Program`], one top-level line at a time so a script runs up to its
//! first syntax error, as dash does (`parser.c` `list`, `andor`, `pipeline`, `command`,
//! `simplecmd`).
//!
//! Grammar (POSIX XCU 2.10, as dash accepts it):
//!
//! ```text
//! line     := and_or ((';' | '&') and_or)* [';' | '&'] (NEWLINE | EOF)
//! list     := linebreak and_or (sep linebreak and_or)* [sep]      (a compound list)
//! and_or   := pipeline (('&&' | '||') linebreak pipeline)*
//! pipeline := ['!'] command ('|' linebreak command)*
//! command  := simple | compound redirect* | NAME '(' ')' linebreak command
//! compound := '{' list '}' | '(' list ')' | if | for | while | until | case
//! simple   := (ASSIGNMENT | redirect)* [WORD (WORD | redirect)*]
//! redirect := [DIGIT] ('>' | '>>' | '>|' | '<' | '<>' | '>&' | '<&' | '<<' | '<<-') WORD
//! ```
//!
//! Reserved words are recognised only in command position (and `in`/`do` where `for` and
//! `case` expect them), as XCU 2.4 says. Nesting (compound commands inside each other,
//! `$(...)` inside `$(...)`) is bounded by [`MAX_DEPTH`]: deeper input is a syntax error
//! instead of a host stack overflow. **Differences:** dash has no such bound (it recurses until
//! its C stack runs out).

use super::ast::{
    AndOr, Assign, CaseArm, Command, Compound, Connector, HereDoc, ListItem, Pipeline, Program,
    RedirKind, Redirect, SimpleCommand, Word, WordPart,
};
use super::lexer::{Lexer, Tok, Token, is_name};
use std::fmt;
use std::sync::Arc;

/// How deeply compound commands and substitutions may nest.
pub const MAX_DEPTH: usize = 1000;

/// A syntax error: the line it was found on and dash's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
    /// The input ended in the middle of a construct (an interactive shell asks for more).
    pub incomplete: bool,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: Syntax error: {}", self.line, self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Parse a whole script. A here-document whose delimiter never comes is an incomplete input
/// here (the interactive shell asks for more lines), though a script runs it with the body it
/// has, as dash does.
pub fn parse(src: &str) -> Result<Program, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut p = Parser::new(&chars, 1);
    let mut items = Vec::new();
    while let Some(line) = p.next_line()? {
        items.extend(line);
    }
    if p.lx.continued_at_eof {
        return Err(SyntaxError {
            line: p.lx.line(),
            message: "end of file unexpected (line continued with \\)".to_string(),
            incomplete: true,
        });
    }
    if p.lx.unterminated_heredoc {
        return Err(SyntaxError {
            line: p.lx.line(),
            message: "end of file unexpected (expecting here-document delimiter)".to_string(),
            incomplete: true,
        });
    }
    Ok(Program { items })
}

const KEYWORDS: &[&str] = &[
    "!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until",
    "while", "{", "}",
];

/// Whether `s` is a reserved word.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Words that end a compound list.
const LIST_END: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

/// A parser over a character buffer.
pub struct Parser<'a> {
    lx: Lexer<'a>,
    peeked: Option<Token>,
}

impl<'a> Parser<'a> {
    /// A parser for `src` whose first line is numbered `first_line`.
    pub fn new(src: &'a [char], first_line: usize) -> Parser<'a> {
        Parser {
            lx: Lexer::new(src, 0, first_line),
            peeked: None,
        }
    }

    /// Parse the program inside `$(` ... `)`, starting at `pos`; returns it with the position
    /// and line just after the closing parenthesis.
    pub(crate) fn parse_substitution(
        src: &'a [char],
        pos: usize,
        line: usize,
        depth: usize,
    ) -> Result<(Program, usize, usize), SyntaxError> {
        let mut p = Parser {
            lx: Lexer::new(src, pos, line),
            peeked: None,
        };
        p.lx.depth = depth;
        let prog = p.list(true, true)?;
        let t = p.next()?;
        match t.tok {
            Tok::RParen => {}
            Tok::Eof => {
                return Err(SyntaxError {
                    line: t.line,
                    message: "end of file unexpected (expecting \")\")".to_string(),
                    incomplete: true,
                });
            }
            _ => return Err(Self::unexpected(&t)),
        }
        debug_assert!(p.peeked.is_none());
        Ok((prog, p.lx.pos(), p.lx.line()))
    }

    /// Parse a whole nested text (the inside of backquotes, or `eval`'s argument).
    pub(crate) fn parse_nested_text(
        src: &'a [char],
        line: usize,
        depth: usize,
    ) -> Result<Program, SyntaxError> {
        let mut p = Parser::new(src, line);
        p.lx.depth = depth;
        let mut items = Vec::new();
        while let Some(l) = p.next_line()? {
            items.extend(l);
        }
        Ok(Program { items })
    }

    fn peek(&mut self) -> Result<&Token, SyntaxError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lx.next_token()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn next(&mut self) -> Result<Token, SyntaxError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lx.next_token(),
        }
    }

    fn skip_newlines(&mut self) -> Result<(), SyntaxError> {
        while self.peek()?.tok == Tok::Newline {
            self.next()?;
        }
        Ok(())
    }

    /// The position (in characters) the parser has read up to.
    /// (A peeked end-of-file token consumed only blanks and comments.)
    pub fn pos(&self) -> usize {
        self.lx.pos()
    }

    /// The next line's list items; `None` at the end of the input.
    pub fn next_line(&mut self) -> Result<Option<Vec<ListItem>>, SyntaxError> {
        self.skip_newlines()?;
        if self.peek()?.tok == Tok::Eof {
            return Ok(None);
        }
        let mut items = Vec::new();
        loop {
            let and_or = self.and_or()?;
            let t = self.next()?;
            let background = match t.tok {
                Tok::Semi => false,
                Tok::Amp => true,
                Tok::Newline | Tok::Eof => {
                    items.push(ListItem {
                        and_or,
                        background: false,
                    });
                    return Ok(Some(items));
                }
                _ => return Err(Self::unexpected(&t)),
            };
            items.push(ListItem { and_or, background });
            match self.peek()?.tok {
                Tok::Newline => {
                    self.next()?;
                    return Ok(Some(items));
                }
                Tok::Eof => return Ok(Some(items)),
                _ => {}
            }
        }
    }

    fn unexpected(t: &Token) -> SyntaxError {
        SyntaxError {
            line: t.line,
            message: format!("{} unexpected", t.tok.describe()),
            incomplete: t.tok == Tok::Eof,
        }
    }

    /// `"X" unexpected (expecting "Y")`, or the end-of-file form (which asks for more input).
    fn expecting(t: &Token, what: &str) -> SyntaxError {
        SyntaxError {
            line: t.line,
            message: format!("{} unexpected (expecting \"{what}\")", t.tok.describe()),
            incomplete: t.tok == Tok::Eof,
        }
    }

    /// The keyword the next token spells, if it is an unquoted reserved word.
    fn peek_keyword(&mut self) -> Result<Option<&'static str>, SyntaxError> {
        Ok(match &self.peek()?.tok {
            Tok::Word(w) => w
                .as_plain_literal()
                .and_then(|s| KEYWORDS.iter().find(|k| **k == s).copied()),
            _ => None,
        })
    }

    /// Consume the keyword `kw` or fail with dash's "expecting" message.
    fn expect_keyword(&mut self, kw: &str) -> Result<(), SyntaxError> {
        if self.peek_keyword()? == Some(kw) {
            self.next()?;
            return Ok(());
        }
        let t = self.next()?;
        Err(Self::expecting(&t, kw))
    }

    /// A compound list: and_or lists separated by `;`, `&` or newlines, up to a closing
    /// keyword, `)`, `;;` or the end of input (left for the caller). With `allow_empty` the
    /// list may be empty (a `case` arm); `in_subst` lets `)` end it.
    fn list(&mut self, allow_empty: bool, _in_subst: bool) -> Result<Program, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines()?;
            let end = match self.peek()?.tok {
                Tok::RParen | Tok::DSemi | Tok::Eof => true,
                _ => matches!(self.peek_keyword()?, Some(k) if LIST_END.contains(&k)),
            };
            if end {
                break;
            }
            let and_or = self.and_or()?;
            let background = match self.peek()?.tok {
                Tok::Semi => {
                    self.next()?;
                    false
                }
                Tok::Amp => {
                    self.next()?;
                    true
                }
                Tok::Newline => false,
                _ => {
                    items.push(ListItem {
                        and_or,
                        background: false,
                    });
                    break;
                }
            };
            items.push(ListItem { and_or, background });
        }
        // An empty list before the end of input is left to the caller, whose "expecting"
        // message names what is missing (dash: `end of file unexpected (expecting "fi")`).
        if items.is_empty() && !allow_empty && self.peek()?.tok != Tok::Eof {
            let t = self.next()?;
            return Err(Self::unexpected(&t));
        }
        Ok(Program { items })
    }

    fn and_or(&mut self) -> Result<AndOr, SyntaxError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let conn = match self.peek()?.tok {
                Tok::AndIf => Connector::And,
                Tok::OrIf => Connector::Or,
                _ => break,
            };
            self.next()?;
            self.skip_newlines()?;
            rest.push((conn, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        let mut bang = false;
        if self.peek_keyword()? == Some("!") {
            self.next()?;
            bang = true;
        }
        let mut cmds = vec![super::grow(|| self.command())?];
        while self.peek()?.tok == Tok::Pipe {
            self.next()?;
            self.skip_newlines()?;
            cmds.push(super::grow(|| self.command())?);
        }
        Ok(Pipeline { bang, cmds })
    }

    fn enter(&mut self, line: usize) -> Result<(), SyntaxError> {
        self.lx.depth += 1;
        if self.lx.depth > MAX_DEPTH {
            return Err(SyntaxError {
                line,
                message: "nesting too deep".to_string(),
                incomplete: false,
            });
        }
        Ok(())
    }

    fn command(&mut self) -> Result<Command, SyntaxError> {
        let line = self.peek()?.line;
        let lparen = self.peek()?.tok == Tok::LParen;
        let compound = match (lparen, self.peek_keyword()?) {
            (true, _) => {
                self.next()?;
                self.enter(line)?;
                let body = self.list(false, true)?;
                let close = self.next()?;
                if close.tok != Tok::RParen {
                    return Err(Self::expecting(&close, ")"));
                }
                self.lx.depth -= 1;
                Compound::Subshell(body)
            }
            (_, Some("{")) => {
                self.next()?;
                self.enter(line)?;
                let body = self.list(false, false)?;
                self.expect_keyword("}")?;
                self.lx.depth -= 1;
                Compound::Brace(body)
            }
            (_, Some("if")) => {
                self.next()?;
                self.enter(line)?;
                let c = self.if_rest()?;
                self.lx.depth -= 1;
                c
            }
            (_, Some(kw @ ("while" | "until"))) => {
                self.next()?;
                self.enter(line)?;
                let cond = self.list(false, false)?;
                self.expect_keyword("do")?;
                let body = self.list(false, false)?;
                self.expect_keyword("done")?;
                self.lx.depth -= 1;
                Compound::While {
                    cond,
                    body,
                    until: kw == "until",
                }
            }
            (_, Some("for")) => {
                self.next()?;
                self.enter(line)?;
                let c = self.for_rest()?;
                self.lx.depth -= 1;
                c
            }
            (_, Some("case")) => {
                self.next()?;
                self.enter(line)?;
                let c = self.case_rest()?;
                self.lx.depth -= 1;
                c
            }
            (_, Some(kw)) if kw != "!" && kw != "in" => {
                let t = self.next()?;
                return Err(Self::unexpected(&t));
            }
            _ => return self.simple_or_function(),
        };
        let mut redirects = Vec::new();
        while let Tok::Redir { .. } = self.peek()?.tok {
            redirects.push(self.redirect()?);
        }
        Ok(Command::Compound {
            line,
            body: Box::new(compound),
            redirects,
        })
    }

    fn if_rest(&mut self) -> Result<Compound, SyntaxError> {
        let mut arms = Vec::new();
        let mut else_body = None;
        loop {
            let cond = self.list(false, false)?;
            self.expect_keyword("then")?;
            let body = self.list(false, false)?;
            arms.push((cond, body));
            match self.peek_keyword()? {
                Some("elif") => {
                    self.next()?;
                }
                Some("else") => {
                    self.next()?;
                    else_body = Some(self.list(false, false)?);
                    self.expect_keyword("fi")?;
                    break;
                }
                _ => {
                    self.expect_keyword("fi")?;
                    break;
                }
            }
        }
        Ok(Compound::If { arms, else_body })
    }

    fn for_rest(&mut self) -> Result<Compound, SyntaxError> {
        let t = self.next()?;
        let var = match &t.tok {
            Tok::Word(w) => match w.as_plain_literal() {
                Some(n) if is_name(n) => n.to_string(),
                _ => {
                    return Err(SyntaxError {
                        line: t.line,
                        message: "Bad for loop variable".to_string(),
                        incomplete: false,
                    });
                }
            },
            _ => return Err(Self::unexpected(&t)),
        };
        self.skip_newlines()?;
        let mut words = None;
        if self.peek_keyword()? == Some("in") {
            self.next()?;
            let mut ws = Vec::new();
            loop {
                let t = self.next()?;
                match t.tok {
                    Tok::Word(w) => ws.push(w),
                    Tok::Semi | Tok::Newline => break,
                    _ => return Err(Self::unexpected(&t)),
                }
            }
            words = Some(ws);
        } else if self.peek()?.tok == Tok::Semi {
            self.next()?;
        }
        self.skip_newlines()?;
        self.expect_keyword("do")?;
        let body = self.list(false, false)?;
        self.expect_keyword("done")?;
        Ok(Compound::For { var, words, body })
    }

    fn case_rest(&mut self) -> Result<Compound, SyntaxError> {
        let t = self.next()?;
        let Tok::Word(word) = t.tok else {
            return Err(Self::unexpected(&t));
        };
        self.skip_newlines()?;
        self.expect_keyword("in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines()?;
            if self.peek_keyword()? == Some("esac") {
                self.next()?;
                break;
            }
            if self.peek()?.tok == Tok::LParen {
                self.next()?;
            }
            let mut patterns = Vec::new();
            loop {
                let t = self.next()?;
                match t.tok {
                    Tok::Word(w) => patterns.push(w),
                    _ => return Err(Self::expecting(&t, ")")),
                }
                let t = self.next()?;
                match t.tok {
                    Tok::Pipe => continue,
                    Tok::RParen => break,
                    _ => return Err(Self::expecting(&t, ")")),
                }
            }
            let body = self.list(true, false)?;
            arms.push(CaseArm { patterns, body });
            self.skip_newlines()?;
            if self.peek()?.tok == Tok::DSemi {
                self.next()?;
                continue;
            }
            self.expect_keyword("esac")?;
            break;
        }
        Ok(Compound::Case { word, arms })
    }

    fn redirect(&mut self) -> Result<Redirect, SyntaxError> {
        let t = self.next()?;
        let Tok::Redir {
            fd,
            kind,
            strip_tabs,
            ..
        } = t.tok
        else {
            return Err(Self::unexpected(&t));
        };
        let target = self.next()?;
        let Tok::Word(target) = target.tok else {
            return Err(Self::unexpected(&target));
        };
        let fd = fd.unwrap_or(match kind {
            RedirKind::In | RedirKind::ReadWrite | RedirKind::DupIn | RedirKind::HereDoc => 0,
            _ => 1,
        });
        let heredoc = if kind == RedirKind::HereDoc {
            let slot = HereDoc::default();
            self.lx.push_heredoc(&target, strip_tabs, slot.clone());
            Some(slot)
        } else {
            None
        };
        Ok(Redirect {
            fd,
            kind,
            target,
            heredoc,
        })
    }

    fn simple_or_function(&mut self) -> Result<Command, SyntaxError> {
        let line = self.peek()?.line;
        let mut cmd = SimpleCommand {
            line,
            assigns: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
        };
        loop {
            // Look at the token without copying it: a word may hold a whole nested program.
            let kind = match &self.peek()?.tok {
                Tok::Word(_) => 0,
                Tok::Redir { .. } => 1,
                _ => 2,
            };
            match kind {
                0 => {
                    let t = self.next()?;
                    let Tok::Word(mut w) = t.tok else {
                        unreachable!("peeked a word")
                    };
                    if cmd.words.is_empty() {
                        w = match as_assignment(w) {
                            Ok(a) => {
                                cmd.assigns.push(a);
                                continue;
                            }
                            Err(w) => w,
                        };
                        // `name()`: a function definition.
                        if cmd.assigns.is_empty()
                            && cmd.redirects.is_empty()
                            && self.peek()?.tok == Tok::LParen
                        {
                            self.next()?;
                            let close = self.next()?;
                            if close.tok != Tok::RParen {
                                return Err(Self::expecting(&close, ")"));
                            }
                            let name = match w.as_plain_literal() {
                                Some(n) if is_name(n) => n.to_string(),
                                _ => {
                                    return Err(SyntaxError {
                                        line: t.line,
                                        message: "Bad function name".to_string(),
                                        incomplete: false,
                                    });
                                }
                            };
                            self.skip_newlines()?;
                            self.enter(line)?;
                            let body = super::grow(|| self.command())?;
                            self.lx.depth -= 1;
                            return Ok(Command::FuncDef {
                                line,
                                name,
                                body: Arc::new(body),
                            });
                        }
                    }
                    cmd.words.push(w);
                }
                1 => {
                    let r = self.redirect()?;
                    cmd.redirects.push(r);
                }
                _ => {
                    let t = self.peek()?;
                    if (cmd.assigns.is_empty() && cmd.words.is_empty() && cmd.redirects.is_empty())
                        || t.tok == Tok::LParen
                    {
                        let t = self.next()?;
                        return Err(Self::unexpected(&t));
                    }
                    return Ok(Command::Simple(cmd));
                }
            }
        }
    }
}

/// `NAME=value` when the word starts with an unquoted `NAME=`; otherwise the word back.
fn as_assignment(mut w: Word) -> Result<Assign, Word> {
    let Some(WordPart::Lit {
        text,
        quoted: false,
    }) = w.parts.first()
    else {
        return Err(w);
    };
    let Some(eq) = text.find('=') else {
        return Err(w);
    };
    let name = text[..eq].to_string();
    if !is_name(&name) {
        return Err(w);
    }
    let rest = text[eq + 1..].to_string();
    if rest.is_empty() {
        w.parts.remove(0);
    } else {
        w.parts[0] = WordPart::Lit {
            text: rest,
            quoted: false,
        };
    }
    Ok(Assign { name, value: w })
}
