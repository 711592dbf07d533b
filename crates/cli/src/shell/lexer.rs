//! The tokenizer: words (with their quoting and expansions), operators, newlines and
//! here-document bodies.
//!
//! Follows the token rules of POSIX `sh` (XCU 2.3) as dash's `parser.c` (`readtoken1`) applies
//! them: `#` starts a comment only at the start of a word, a backslash quotes the next character
//! (backslash-newline joins lines), single quotes quote everything, double quotes keep `$` and
//! backquote expansions and honour `\$`, `` \` ``, `\"`, `\\` and backslash-newline; an IO
//! number is one digit directly before `<` or `>` (dash reads `12>f` as the word `12` and `>f`).
//! `$(...)` and backquotes are parsed recursively by [`super::parser::Parser`], so a `)` inside
//! quotes in the substitution does not end it. Keywords are recognised by the parser, which
//! knows when a word is in command position.
//! Here-document bodies are read at the newline that ends the line holding their operators.

use super::ast::{HereDoc, ParamOp, Program, RedirKind, Word, WordPart};
use super::parser::{MAX_DEPTH, Parser, SyntaxError};

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
        /// `<<-`: leading tabs are stripped from the here-document.
        strip_tabs: bool,
        text: &'static str,
    },
    Semi,
    DSemi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    Newline,
    LParen,
    RParen,
    Eof,
}

impl Tok {
    /// How a syntax error names the token (dash's `tokname`).
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => match w.as_plain_literal() {
                Some(k) if super::parser::is_keyword(k) => format!("\"{k}\""),
                _ => "word".to_string(),
            },
            Tok::Redir { text, .. } => format!("\"{text}\""),
            Tok::Semi => "\";\"".to_string(),
            Tok::DSemi => "\";;\"".to_string(),
            Tok::Amp => "\"&\"".to_string(),
            Tok::AndIf => "\"&&\"".to_string(),
            Tok::OrIf => "\"||\"".to_string(),
            Tok::Pipe => "\"|\"".to_string(),
            Tok::Newline => "newline".to_string(),
            Tok::LParen => "\"(\"".to_string(),
            Tok::RParen => "\")\"".to_string(),
            Tok::Eof => "end of file".to_string(),
        }
    }
}

/// A here-document whose operator was read and whose body comes after the next newline.
struct PendingHereDoc {
    delim: String,
    /// The delimiter had quotes: the body is taken literally.
    quoted: bool,
    strip_tabs: bool,
    slot: HereDoc,
}

/// The most bytes a here-document body may hold (a bound on input size).
pub const MAX_HEREDOC: usize = 16 << 20;

/// The lexer: a cursor over the script's characters.
pub(crate) struct Lexer<'a> {
    src: &'a [char],
    pos: usize,
    line: usize,
    /// How deeply this lexer's text is nested in substitutions and compound commands.
    pub depth: usize,
    pending: Vec<PendingHereDoc>,
    /// A here-document's delimiter line was never found before the end of the input.
    pub unterminated_heredoc: bool,
    /// The input ends with a backslash-newline (an interactive shell asks for more).
    pub continued_at_eof: bool,
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

/// Where a word being read ends, and which quoting rules apply inside it.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Ctx {
    /// An ordinary word: ends at a blank or an operator character.
    Plain,
    /// The word of `${x-word}` outside double quotes: ends at `}`.
    Brace,
    /// The word of `"${x-word}"`: double-quote rules, ends at `}`.
    BraceQuoted,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [char], pos: usize, line: usize) -> Lexer<'a> {
        Lexer {
            src,
            pos,
            line,
            depth: 0,
            pending: Vec::new(),
            unterminated_heredoc: false,
            continued_at_eof: false,
        }
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

    /// Remember a here-document whose body follows the current line.
    pub fn push_heredoc(&mut self, delim: &Word, strip_tabs: bool, slot: HereDoc) {
        let mut text = String::new();
        let mut quoted = false;
        for p in &delim.parts {
            match p {
                WordPart::Lit { text: t, quoted: q } => {
                    text.push_str(t);
                    quoted |= *q;
                }
                // dash takes `$x` in a delimiter literally.
                WordPart::Param { name, .. } => {
                    text.push('$');
                    text.push_str(name);
                }
                _ => quoted = true,
            }
        }
        self.pending.push(PendingHereDoc {
            delim: text,
            quoted,
            strip_tabs,
            slot,
        });
    }

    /// Read the bodies of the pending here-documents, starting at the current position (the
    /// start of the line after their operators).
    fn read_heredocs(&mut self) -> Result<(), SyntaxError> {
        for hd in std::mem::take(&mut self.pending) {
            let mut body = String::new();
            let start_line = self.line;
            let mut found = false;
            while self.pos < self.src.len() {
                let mut end = self.pos;
                while end < self.src.len() && self.src[end] != '\n' {
                    end += 1;
                }
                let mut l: String = self.src[self.pos..end].iter().collect();
                let had_newline = end < self.src.len();
                self.pos = if had_newline { end + 1 } else { end };
                self.line += 1;
                if hd.strip_tabs {
                    l = l.trim_start_matches('\t').to_string();
                }
                if l == hd.delim {
                    found = true;
                    break;
                }
                body.push_str(&l);
                if had_newline {
                    body.push('\n');
                }
                if body.len() > MAX_HEREDOC {
                    return Err(self.err("here-document too large", false));
                }
            }
            if !found {
                self.unterminated_heredoc = true;
            }
            let word = if hd.quoted {
                Word::literal(&body)
            } else {
                let chars: Vec<char> = body.chars().collect();
                let mut lx = Lexer::new(&chars, 0, start_line);
                lx.depth = self.depth;
                lx.heredoc_body()?
            };
            let _ = hd.slot.0.set(word);
        }
        Ok(())
    }

    /// An unquoted here-document body: `$` expansions and backquotes, and backslash escapes of
    /// `$`, `` ` ``, `\` and newline only (a `"` is an ordinary character).
    fn heredoc_body(&mut self) -> Result<Word, SyntaxError> {
        let mut parts = Parts::default();
        parts.empty_quoted();
        while let Some(c) = self.peek_at(0) {
            match c {
                '\\' => match self.peek_at(1) {
                    Some('\n') => {
                        self.pos += 2;
                        self.line += 1;
                    }
                    Some(e @ ('$' | '`' | '\\')) => {
                        parts.lit(e, true);
                        self.pos += 2;
                    }
                    _ => {
                        parts.lit('\\', true);
                        self.pos += 1;
                    }
                },
                '$' => {
                    self.pos += 1;
                    self.dollar(&mut parts, true)?;
                }
                '`' => {
                    self.pos += 1;
                    self.backquote(&mut parts, true)?;
                }
                c => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    parts.lit(c, true);
                    self.pos += 1;
                }
            }
        }
        Ok(parts.finish())
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
                    self.continued_at_eof = self.pos == self.src.len();
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
            if !self.pending.is_empty() {
                self.pending.clear();
                self.unterminated_heredoc = true;
            }
            return Ok(Token {
                tok: Tok::Eof,
                line,
            });
        };
        let two = self.peek_at(1);
        let (tok, len) = match c {
            '\n' => {
                self.pos += 1;
                self.line += 1;
                self.read_heredocs()?;
                return Ok(Token {
                    tok: Tok::Newline,
                    line,
                });
            }
            ';' if two == Some(';') => (Tok::DSemi, 2),
            ';' => (Tok::Semi, 1),
            '&' if two == Some('&') => (Tok::AndIf, 2),
            '&' => (Tok::Amp, 1),
            '|' if two == Some('|') => (Tok::OrIf, 2),
            '|' => (Tok::Pipe, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '<' | '>' => return Ok(self.redirect(None, line)),
            c if c.is_ascii_digit() && matches!(two, Some('<' | '>')) => {
                self.pos += 1;
                let fd = c.to_digit(10).map(|d| d as i32);
                return Ok(self.redirect(fd, line));
            }
            _ => {
                return Ok(Token {
                    tok: Tok::Word(self.word(Ctx::Plain)?),
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
            (Some('>'), Some('>')) => (RedirKind::Append, ">>", 2),
            (Some('>'), Some('&')) => (RedirKind::DupOut, ">&", 2),
            (Some('>'), Some('|')) => (RedirKind::Clobber, ">|", 2),
            (Some('>'), _) => (RedirKind::Out, ">", 1),
            (Some('<'), Some('<')) if self.peek_at(2) == Some('-') => {
                (RedirKind::HereDoc, "<<-", 3)
            }
            (Some('<'), Some('<')) => (RedirKind::HereDoc, "<<", 2),
            (Some('<'), Some('&')) => (RedirKind::DupIn, "<&", 2),
            (Some('<'), Some('>')) => (RedirKind::ReadWrite, "<>", 2),
            _ => (RedirKind::In, "<", 1),
        };
        self.pos += len;
        Token {
            tok: Tok::Redir {
                fd,
                kind,
                strip_tabs: text == "<<-",
                text,
            },
            line,
        }
    }

    /// One word, up to the next unquoted blank or operator character (or `}` inside `${}`).
    fn word(&mut self, ctx: Ctx) -> Result<Word, SyntaxError> {
        let mut parts = Parts::default();
        while let Some(c) = self.peek_at(0) {
            if ctx == Ctx::Plain && is_meta(c) {
                break;
            }
            if ctx != Ctx::Plain && c == '}' {
                break;
            }
            let dq = ctx == Ctx::BraceQuoted;
            match c {
                '\\' => match self.peek_at(1) {
                    Some('\n') => {
                        self.pos += 2;
                        self.line += 1;
                        self.continued_at_eof = self.pos == self.src.len();
                    }
                    Some(e) if !dq || matches!(e, '$' | '`' | '"' | '\\' | '}') => {
                        parts.lit(e, true);
                        self.pos += 2;
                    }
                    Some(_) => {
                        parts.lit('\\', true);
                        self.pos += 1;
                    }
                    None => {
                        parts.lit('\\', false);
                        self.pos += 1;
                    }
                },
                '\'' if !dq => {
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
                    super::grow(|| self.dollar(&mut parts, dq))?;
                }
                '`' => {
                    self.pos += 1;
                    self.backquote(&mut parts, dq)?;
                }
                _ => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    parts.lit(c, dq);
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
                    super::grow(|| self.dollar(parts, true))?;
                }
                Some('`') => {
                    self.pos += 1;
                    self.backquote(parts, true)?;
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

    /// After a `` ` ``: the text up to the closing backquote, with `\$`, `` \` ``, `\\` (and
    /// `\"` inside double quotes) unescaped, parsed as a program.
    fn backquote(&mut self, parts: &mut Parts, quoted: bool) -> Result<(), SyntaxError> {
        let start_line = self.line;
        let mut text = String::new();
        loop {
            match self.peek_at(0) {
                None => {
                    return Err(self.err("EOF in backquote substitution", true));
                }
                Some('`') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => match self.peek_at(1) {
                    Some(e @ ('$' | '`' | '\\')) => {
                        text.push(e);
                        self.pos += 2;
                    }
                    Some('"') if quoted => {
                        text.push('"');
                        self.pos += 2;
                    }
                    Some('\n') => {
                        self.pos += 2;
                        self.line += 1;
                    }
                    _ => {
                        text.push('\\');
                        self.pos += 1;
                    }
                },
                Some(c) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.err("nesting too deep", false));
        }
        let chars: Vec<char> = text.chars().collect();
        let program =
            super::grow(|| Parser::parse_nested_text(&chars, start_line, self.depth + 1))?;
        parts.subst(program, quoted);
        Ok(())
    }

    /// After a `$`: a parameter, `${...}`, `$(...)`, `$((...))`, or a literal `$`.
    fn dollar(&mut self, parts: &mut Parts, quoted: bool) -> Result<(), SyntaxError> {
        match self.peek_at(0) {
            Some('{') => {
                self.pos += 1;
                self.braced_param(parts, quoted)?;
            }
            Some('(') if self.peek_at(1) == Some('(') => {
                self.pos += 2;
                self.arith(parts, quoted)?;
            }
            Some('(') => {
                self.pos += 1;
                if self.depth >= MAX_DEPTH {
                    return Err(self.err("nesting too deep", false));
                }
                let (program, pos, line) = super::grow(|| {
                    Parser::parse_substitution(self.src, self.pos, self.line, self.depth + 1)
                })?;
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
                parts.param(
                    self.src[start..self.pos].iter().collect(),
                    ParamOp::Plain,
                    quoted,
                );
            }
            Some(c) if c.is_ascii_digit() || "$!?#@*-".contains(c) => {
                self.pos += 1;
                parts.param(c.to_string(), ParamOp::Plain, quoted);
            }
            _ => parts.lit('$', quoted),
        }
        Ok(())
    }

    /// After `$((`: the expression up to the matching `))`, with its expansions.
    fn arith(&mut self, parts: &mut Parts, quoted: bool) -> Result<(), SyntaxError> {
        let mut inner = Parts::default();
        let mut depth = 0usize;
        loop {
            match self.peek_at(0) {
                None => return Err(self.err("Missing '))'", true)),
                Some(')') if depth == 0 => {
                    if self.peek_at(1) == Some(')') {
                        self.pos += 2;
                        break;
                    }
                    return Err(self.err("Missing '))'", false));
                }
                Some(c @ ('(' | ')')) => {
                    if c == '(' {
                        depth += 1;
                    } else {
                        depth -= 1;
                    }
                    inner.lit(c, false);
                    self.pos += 1;
                }
                Some('$') => {
                    self.pos += 1;
                    super::grow(|| self.dollar(&mut inner, true))?;
                }
                Some('`') => {
                    self.pos += 1;
                    self.backquote(&mut inner, true)?;
                }
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some(c @ ('"' | '\'')) => {
                    // dash drops quotes inside arithmetic.
                    let _ = c;
                    self.pos += 1;
                }
                Some(c) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    inner.lit(c, false);
                    self.pos += 1;
                }
            }
        }
        parts.parts.push(WordPart::Arith {
            expr: inner.finish(),
            quoted,
        });
        Ok(())
    }

    /// After `${`: a name or special parameter, then `}` or an operator and its word.
    fn braced_param(&mut self, parts: &mut Parts, quoted: bool) -> Result<(), SyntaxError> {
        let mut length = false;
        if self.peek_at(0) == Some('#') && !matches!(self.peek_at(1), Some('}')) {
            // `${#x}` (but `${#}` is the parameter `#`, and `${#-x}` its default).
            if let Some(n) = self.peek_at(1)
                && (n == '_' || n.is_ascii_alphanumeric() || "$!?@*#-".contains(n))
                && !(matches!(n, '-' | '?' | '#') && self.peek_at(2) != Some('}'))
            {
                length = true;
                self.pos += 1;
            }
        }
        let start = self.pos;
        match self.peek_at(0) {
            None => return Err(self.err("Missing '}'", true)),
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                while self
                    .peek_at(0)
                    .is_some_and(|c| c == '_' || c.is_ascii_alphanumeric())
                {
                    self.pos += 1;
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while self.peek_at(0).is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
            }
            Some(c) if "$!?#@*-".contains(c) => self.pos += 1,
            Some(_) => {
                // dash reports a bad `${...}` when it expands the word.
                self.skip_to_brace();
                parts.param(String::new(), ParamOp::Bad, quoted);
                return Ok(());
            }
        }
        let name: String = self.src[start..self.pos].iter().collect();
        if length {
            if self.peek_at(0) != Some('}') {
                // dash reports a bad `${...}` when it expands the word.
                self.skip_to_brace();
                parts.param(String::new(), ParamOp::Bad, quoted);
                return Ok(());
            }
            self.pos += 1;
            parts.param(name, ParamOp::Length, quoted);
            return Ok(());
        }
        let colon = self.peek_at(0) == Some(':');
        if colon {
            self.pos += 1;
        }
        let op = match self.peek_at(0) {
            None => return Err(self.err("Missing '}'", true)),
            Some('\n') => return Err(self.err("Missing '}'", false)),
            Some('}') if !colon => {
                self.pos += 1;
                parts.param(name, ParamOp::Plain, quoted);
                return Ok(());
            }
            Some(c @ ('-' | '=' | '?' | '+')) => {
                self.pos += 1;
                let word = self.brace_word(quoted)?;
                match c {
                    '-' => ParamOp::Default { colon, word },
                    '=' => ParamOp::Assign { colon, word },
                    '?' => ParamOp::Error { colon, word },
                    _ => ParamOp::Alternative { colon, word },
                }
            }
            Some(c @ ('%' | '#')) if !colon => {
                self.pos += 1;
                let longest = self.peek_at(0) == Some(c);
                if longest {
                    self.pos += 1;
                }
                // The pattern follows unquoted rules even inside double quotes (dash).
                let word = self.brace_word(false)?;
                if c == '%' {
                    ParamOp::TrimSuffix { longest, word }
                } else {
                    ParamOp::TrimPrefix { longest, word }
                }
            }
            Some(_) => {
                // dash reports a bad `${...}` when it expands the word.
                self.skip_to_brace();
                parts.param(String::new(), ParamOp::Bad, quoted);
                return Ok(());
            }
        };
        parts.param(name, op, quoted);
        Ok(())
    }

    fn brace_word(&mut self, quoted: bool) -> Result<Word, SyntaxError> {
        let w = self.word(if quoted { Ctx::BraceQuoted } else { Ctx::Brace })?;
        if self.peek_at(0) != Some('}') {
            return Err(self.err("Missing '}'", true));
        }
        self.pos += 1;
        Ok(w)
    }

    fn skip_to_brace(&mut self) {
        while let Some(c) = self.peek_at(0) {
            self.pos += 1;
            if c == '}' {
                break;
            }
        }
    }
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

    fn param(&mut self, name: String, op: ParamOp, quoted: bool) {
        self.parts.push(WordPart::Param { name, op, quoted });
    }

    fn subst(&mut self, program: Program, quoted: bool) {
        self.parts.push(WordPart::Subst { program, quoted });
    }

    fn finish(self) -> Word {
        // An empty quoted placeholder is kept: `""$EMPTY` is still one (empty) field.
        Word { parts: self.parts }
    }
}
