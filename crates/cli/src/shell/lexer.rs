//! The tokenizer: words (with their quoting and expansions), operators and newlines.
//!
//! Follows the token rules of POSIX `sh` (XCU 2.3) for the subset in [`super::ast`]:
//! `#` starts a comment only at the start of a word, a backslash quotes the next character
//! (backslash-newline joins lines), single quotes quote everything, double quotes keep `$`
//! expansions and honour `\$`, `` \` ``, `\"`, `\\` and backslash-newline.
//! `$(...)` is parsed recursively by [`super::parser::Parser`], so a `)` inside quotes in the
//! substitution does not end it.

use super::ast::{Program, RedirKind, Word, WordPart};
use super::parser::{Parser, SyntaxError};

/// A token and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub line: usize,
}

/// The token kinds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Word(Word),
    /// A redirection operator with its optional `N` prefix (the IO number).
    Redir {
        fd: Option<i32>,
        kind: RedirKind,
        text: &'static str,
    },
    Semi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    Newline,
    RParen,
    Eof,
    /// An operator of full sh that this subset rejects, with the message to give.
    Unsupported {
        text: &'static str,
        why: &'static str,
    },
}

impl Tok {
    /// How a syntax error names the token (dash's spelling).
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(_) => "word".to_string(),
            Tok::Redir { text, .. } => format!("\"{text}\""),
            Tok::Semi => "\";\"".to_string(),
            Tok::Amp => "\"&\"".to_string(),
            Tok::AndIf => "\"&&\"".to_string(),
            Tok::OrIf => "\"||\"".to_string(),
            Tok::Pipe => "\"|\"".to_string(),
            Tok::Newline => "newline".to_string(),
            Tok::RParen => "\")\"".to_string(),
            Tok::Eof => "end of file".to_string(),
            Tok::Unsupported { text, .. } => format!("\"{text}\""),
        }
    }
}

/// The lexer: a cursor over the script's characters.
pub(crate) struct Lexer<'a> {
    src: &'a [char],
    pos: usize,
    line: usize,
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>'
    )
}

/// Whether `s` is a valid shell variable name.
pub fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [char], pos: usize, line: usize) -> Lexer<'a> {
        Lexer { src, pos, line }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn line(&self) -> usize {
        self.line
    }

    fn peek_at(&self, off: usize) -> Option<char> {
        self.src.get(self.pos + off).copied()
    }

    fn err(&self, msg: impl Into<String>, incomplete: bool) -> SyntaxError {
        SyntaxError {
            line: self.line,
            message: msg.into(),
            incomplete,
        }
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token, SyntaxError> {
        // Blanks, line continuations and comments.
        loop {
            match self.peek_at(0) {
                Some(' ' | '\t') => self.pos += 1,
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some('#') => {
                    while let Some(c) = self.peek_at(0) {
                        if c == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let line = self.line;
        let Some(c) = self.peek_at(0) else {
            return Ok(Token {
                tok: Tok::Eof,
                line,
            });
        };
        let two = self.peek_at(1);
        let (tok, len) = match c {
            '\n' => {
                self.line += 1;
                (Tok::Newline, 1)
            }
            ';' if two == Some(';') => (
                Tok::Unsupported {
                    text: ";;",
                    why: "\";;\" unexpected (case is not supported)",
                },
                2,
            ),
            ';' => (Tok::Semi, 1),
            '&' if two == Some('&') => (Tok::AndIf, 2),
            '&' => (Tok::Amp, 1),
            '|' if two == Some('|') => (Tok::OrIf, 2),
            '|' => (Tok::Pipe, 1),
            '(' => (
                Tok::Unsupported {
                    text: "(",
                    why: "subshells and functions (\"(\") are not supported by the cgsim shell",
                },
                1,
            ),
            ')' => (Tok::RParen, 1),
            '<' | '>' => return Ok(self.redirect(None, line)),
            c if c.is_ascii_digit() => {
                // An IO number: digits directly followed by `<` or `>`.
                let mut n = 0;
                while self.peek_at(n).is_some_and(|c| c.is_ascii_digit()) {
                    n += 1;
                }
                if matches!(self.peek_at(n), Some('<' | '>')) {
                    let digits: String = self.src[self.pos..self.pos + n].iter().collect();
                    self.pos += n;
                    let fd = digits.parse::<i32>().ok();
                    if fd.is_none() {
                        return Err(self.err("Bad fd number", false));
                    }
                    return Ok(self.redirect(fd, line));
                }
                return Ok(Token {
                    tok: Tok::Word(self.word()?),
                    line,
                });
            }
            _ => {
                return Ok(Token {
                    tok: Tok::Word(self.word()?),
                    line,
                });
            }
        };
        self.pos += len;
        Ok(Token { tok, line })
    }

    fn redirect(&mut self, fd: Option<i32>, line: usize) -> Token {
        let c = self.peek_at(0);
        let n = self.peek_at(1);
        let (kind, text, len) = match (c, n) {
            (Some('>'), Some('>')) => (Some(RedirKind::Append), ">>", 2),
            (Some('>'), Some('&')) => (Some(RedirKind::Dup), ">&", 2),
            (Some('>'), Some('|')) => (Some(RedirKind::Out), ">|", 2),
            (Some('>'), _) => (Some(RedirKind::Out), ">", 1),
            (Some('<'), Some('<')) => (None, "<<", 2),
            (Some('<'), Some('&')) => (Some(RedirKind::Dup), "<&", 2),
            (Some('<'), Some('>')) => (None, "<>", 2),
            _ => (Some(RedirKind::In), "<", 1),
        };
        self.pos += len;
        let tok = match kind {
            Some(kind) => Tok::Redir {
                fd: Some(fd.unwrap_or(if text.starts_with('<') { 0 } else { 1 })),
                kind,
                text,
            },
            None => Tok::Unsupported {
                text,
                why: if text == "<<" {
                    "here-documents (\"<<\") are not supported by the cgsim shell"
                } else {
                    "\"<>\" redirections are not supported by the cgsim shell"
                },
            },
        };
        Token { tok, line }
    }

    /// One word, up to the next unquoted blank or operator character.
    fn word(&mut self) -> Result<Word, SyntaxError> {
        let mut parts = Parts::default();
        while let Some(c) = self.peek_at(0) {
            if is_meta(c) {
                break;
            }
            match c {
                '\\' => match self.peek_at(1) {
                    Some('\n') => {
                        self.pos += 2;
                        self.line += 1;
                    }
                    Some(e) => {
                        parts.lit(e, true);
                        self.pos += 2;
                    }
                    None => {
                        parts.lit('\\', false);
                        self.pos += 1;
                    }
                },
                '\'' => {
                    self.pos += 1;
                    parts.empty_quoted();
                    loop {
                        match self.peek_at(0) {
                            None => return Err(self.err("Unterminated quoted string", true)),
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(ch) => {
                                if ch == '\n' {
                                    self.line += 1;
                                }
                                parts.lit(ch, true);
                                self.pos += 1;
                            }
                        }
                    }
                }
                '"' => {
                    self.pos += 1;
                    parts.empty_quoted();
                    self.double_quoted(&mut parts)?;
                }
                '$' => {
                    self.pos += 1;
                    self.dollar(&mut parts, false)?;
                }
                '`' => {
                    return Err(self.err(
                        "backquote command substitution is not supported; use $(...)",
                        false,
                    ));
                }
                _ => {
                    parts.lit(c, false);
                    self.pos += 1;
                }
            }
        }
        Ok(parts.finish())
    }

    fn double_quoted(&mut self, parts: &mut Parts) -> Result<(), SyntaxError> {
        loop {
            match self.peek_at(0) {
                None => return Err(self.err("Unterminated quoted string", true)),
                Some('"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some('\\') => match self.peek_at(1) {
                    Some('\n') => {
                        self.pos += 2;
                        self.line += 1;
                    }
                    Some(e @ ('$' | '`' | '"' | '\\')) => {
                        parts.lit(e, true);
                        self.pos += 2;
                    }
                    _ => {
                        parts.lit('\\', true);
                        self.pos += 1;
                    }
                },
                Some('$') => {
                    self.pos += 1;
                    self.dollar(parts, true)?;
                }
                Some('`') => {
                    return Err(self.err(
                        "backquote command substitution is not supported; use $(...)",
                        false,
                    ));
                }
                Some(c) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    parts.lit(c, true);
                    self.pos += 1;
                }
            }
        }
    }

    /// After a `$`: a parameter, `${...}`, `$(...)`, or a literal `$`.
    fn dollar(&mut self, parts: &mut Parts, quoted: bool) -> Result<(), SyntaxError> {
        match self.peek_at(0) {
            Some('{') => {
                let start = self.pos + 1;
                let mut end = start;
                while self.src.get(end).is_some_and(|&c| c != '}' && c != '\n') {
                    end += 1;
                }
                if self.src.get(end) != Some(&'}') {
                    return Err(self.err("Missing '}'", end >= self.src.len()));
                }
                let name: String = self.src[start..end].iter().collect();
                if !(is_name(&name) || is_special_param(&name)) {
                    return Err(self.err("Bad substitution", false));
                }
                self.pos = end + 1;
                parts.param(name, quoted);
            }
            Some('(') if self.peek_at(1) == Some('(') => {
                return Err(self.err(
                    "arithmetic expansion $((...)) is not supported by the cgsim shell",
                    false,
                ));
            }
            Some('(') => {
                self.pos += 1;
                let (program, pos, line) =
                    Parser::parse_substitution(self.src, self.pos, self.line)?;
                self.pos = pos;
                self.line = line;
                parts.subst(program, quoted);
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self
                    .peek_at(0)
                    .is_some_and(|c| c == '_' || c.is_ascii_alphanumeric())
                {
                    self.pos += 1;
                }
                parts.param(self.src[start..self.pos].iter().collect(), quoted);
            }
            Some(c) if c.is_ascii_digit() || "$!?#@*-".contains(c) => {
                self.pos += 1;
                parts.param(c.to_string(), quoted);
            }
            _ => parts.lit('$', quoted),
        }
        Ok(())
    }
}

/// `$$`, `$!`, `$?`, `$#`, `$@`, `$*`, `$-` and the positional parameters.
pub fn is_special_param(s: &str) -> bool {
    matches!(s, "$" | "!" | "?" | "#" | "@" | "*" | "-")
        || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

/// Builds a word's part list, merging adjacent literal characters with the same quoting.
#[derive(Default)]
struct Parts {
    parts: Vec<WordPart>,
}

impl Parts {
    fn lit(&mut self, c: char, quoted: bool) {
        if let Some(WordPart::Lit { text, quoted: q }) = self.parts.last_mut()
            && *q == quoted
        {
            text.push(c);
            return;
        }
        self.parts.push(WordPart::Lit {
            text: c.to_string(),
            quoted,
        });
    }

    /// `''` and `""` make a word even when empty.
    fn empty_quoted(&mut self) {
        if !matches!(self.parts.last(), Some(WordPart::Lit { quoted: true, .. })) {
            self.parts.push(WordPart::Lit {
                text: String::new(),
                quoted: true,
            });
        }
    }

    fn param(&mut self, name: String, quoted: bool) {
        self.parts.push(WordPart::Param { name, quoted });
    }

    fn subst(&mut self, program: Program, quoted: bool) {
        self.parts.push(WordPart::Subst { program, quoted });
    }

    fn finish(self) -> Word {
        // An empty quoted placeholder is kept: `""$EMPTY` is still one (empty) field.
        Word { parts: self.parts }
    }
}
