//! The parser: tokens to [`Program`], one line at a time so a script runs up to its first
//! syntax error, as `dash` does.
//!
//! Grammar (a subset of POSIX XCU 2.10):
//!
//! ```text
//! line    := and_or ((';' | '&') and_or)* [';' | '&'] (NEWLINE | EOF | ')')
//! and_or  := simple (('&&' | '||') NEWLINE* simple)*
//! simple  := (ASSIGNMENT | redirect)* [WORD (WORD | redirect)*]
//! redirect:= [IO_NUMBER] ('>' | '>>' | '<' | '>&' | '<&') WORD
//! ```
//!
//! Reserved words (`if`, `for`, `while`, ...) in command position are a syntax error: the
//! subset has no compound commands, and running `if` as a command would mislead.

use super::ast::{
    AndOr, Assign, Connector, ListItem, Program, Redirect, SimpleCommand, Word, WordPart,
};
use super::lexer::{Lexer, Tok, Token, is_name};
use std::fmt;

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

/// Parse a whole script.
pub fn parse(src: &str) -> Result<Program, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut p = Parser::new(&chars, 1);
    let mut items = Vec::new();
    while let Some(line) = p.next_line()? {
        items.extend(line);
    }
    Ok(Program { items })
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "{", "}", "!", "function", "select",
];

/// A parser over a character buffer.
pub struct Parser<'a> {
    lx: Lexer<'a>,
    peeked: Option<Token>,
    /// Parsing the inside of `$(...)`: `)` ends the program.
    nested: bool,
}

impl<'a> Parser<'a> {
    /// A parser for `src` whose first line is numbered `first_line`.
    pub fn new(src: &'a [char], first_line: usize) -> Parser<'a> {
        Parser {
            lx: Lexer::new(src, 0, first_line),
            peeked: None,
            nested: false,
        }
    }

    /// Parse the program inside `$(` ... `)`, starting at `pos`; returns it with the position
    /// and line just after the closing parenthesis.
    pub(crate) fn parse_substitution(
        src: &'a [char],
        pos: usize,
        line: usize,
    ) -> Result<(Program, usize, usize), SyntaxError> {
        let mut p = Parser {
            lx: Lexer::new(src, pos, line),
            peeked: None,
            nested: true,
        };
        let mut items = Vec::new();
        loop {
            p.skip_newlines()?;
            let t = p.peek()?;
            match t.tok {
                Tok::RParen => {
                    p.next()?;
                    break;
                }
                Tok::Eof => {
                    return Err(SyntaxError {
                        line: t.line,
                        message: "end of file unexpected (expecting \")\")".to_string(),
                        incomplete: true,
                    });
                }
                _ => items.extend(p.list()?),
            }
        }
        debug_assert!(p.peeked.is_none());
        Ok((Program { items }, p.lx.pos(), p.lx.line()))
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
        self.list().map(Some)
    }

    fn unexpected(t: &Token) -> SyntaxError {
        match &t.tok {
            Tok::Unsupported { why, .. } => SyntaxError {
                line: t.line,
                message: why.to_string(),
                incomplete: false,
            },
            tok => SyntaxError {
                line: t.line,
                message: format!("{} unexpected", tok.describe()),
                incomplete: tok == &Tok::Eof,
            },
        }
    }

    /// `and_or` items up to the end of the line (or `)` inside a substitution).
    fn list(&mut self) -> Result<Vec<ListItem>, SyntaxError> {
        let mut items = Vec::new();
        loop {
            let and_or = self.and_or()?;
            let t = self.peek()?.clone();
            let background = match t.tok {
                Tok::Semi => {
                    self.next()?;
                    false
                }
                Tok::Amp => {
                    self.next()?;
                    true
                }
                Tok::Newline => {
                    self.next()?;
                    items.push(ListItem {
                        and_or,
                        background: false,
                    });
                    return Ok(items);
                }
                Tok::Eof => {
                    items.push(ListItem {
                        and_or,
                        background: false,
                    });
                    return Ok(items);
                }
                Tok::RParen if self.nested => {
                    items.push(ListItem {
                        and_or,
                        background: false,
                    });
                    return Ok(items);
                }
                _ => return Err(Self::unexpected(&t)),
            };
            items.push(ListItem { and_or, background });
            let nested = self.nested;
            match self.peek()?.tok {
                Tok::Newline => {
                    self.next()?;
                    return Ok(items);
                }
                Tok::Eof => return Ok(items),
                Tok::RParen if nested => return Ok(items),
                _ => {}
            }
        }
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

    /// `pipeline: simple ('|' linebreak simple)*`, chained through `pipe_to`.
    fn pipeline(&mut self) -> Result<SimpleCommand, SyntaxError> {
        let mut cmd = self.simple()?;
        if self.peek()?.tok == Tok::Pipe {
            self.next()?;
            self.skip_newlines()?;
            cmd.pipe_to = Some(Box::new(self.pipeline()?));
        }
        Ok(cmd)
    }

    fn simple(&mut self) -> Result<SimpleCommand, SyntaxError> {
        let line = self.peek()?.line;
        let mut cmd = SimpleCommand {
            line,
            assigns: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
            pipe_to: None,
        };
        loop {
            let t = self.peek()?.clone();
            match t.tok {
                Tok::Word(w) => {
                    self.next()?;
                    if cmd.words.is_empty() {
                        if let Some(a) = as_assignment(&w) {
                            cmd.assigns.push(a);
                            continue;
                        }
                        if let Some(kw) = w.as_plain_literal()
                            && RESERVED.contains(&kw)
                        {
                            return Err(SyntaxError {
                                line: t.line,
                                message: format!(
                                    "\"{kw}\" is not supported (the cgsim shell runs simple commands only)"
                                ),
                                incomplete: false,
                            });
                        }
                    }
                    cmd.words.push(w);
                }
                Tok::Redir { fd, kind, .. } => {
                    self.next()?;
                    let target = self.next()?;
                    let Tok::Word(target) = target.tok else {
                        return Err(Self::unexpected(&target));
                    };
                    cmd.redirects.push(Redirect {
                        fd: fd.unwrap_or(1),
                        kind,
                        target,
                    });
                }
                _ => {
                    if cmd.assigns.is_empty() && cmd.words.is_empty() && cmd.redirects.is_empty() {
                        return Err(Self::unexpected(&t));
                    }
                    return Ok(cmd);
                }
            }
        }
    }
}

/// `NAME=value` when the word starts with an unquoted `NAME=`.
fn as_assignment(w: &Word) -> Option<Assign> {
    let Some(WordPart::Lit {
        text,
        quoted: false,
    }) = w.parts.first()
    else {
        return None;
    };
    let eq = text.find('=')?;
    let name = &text[..eq];
    if !is_name(name) {
        return None;
    }
    let mut parts = w.parts.clone();
    let rest = text[eq + 1..].to_string();
    if rest.is_empty() {
        parts.remove(0);
    } else {
        parts[0] = WordPart::Lit {
            text: rest,
            quoted: false,
        };
    }
    Some(Assign {
        name: name.to_string(),
        value: Word { parts },
    })
}
