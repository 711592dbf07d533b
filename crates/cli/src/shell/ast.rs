//! The syntax tree of the small POSIX-sh subset the cgsim shell runs.
//!
//! **Differences:** only simple commands, pipelines of them (`|`), joined by `;`, newline, `&&`,
//! `||` and `&` exist; there are no compound commands (`if`, `for`, `{ }`, `( )`), functions or
//! here-documents.
//! The parser rejects those with a syntax error instead of misreading them.

/// A whole script: list items in source order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Program {
    pub items: Vec<ListItem>,
}

/// One `and_or` list, run in the foreground or (ended by `&`) in the background.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    pub and_or: AndOr,
    pub background: bool,
}

/// `cmd1 && cmd2 || cmd3`: evaluated left to right, each connector looking at the status so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: SimpleCommand,
    pub rest: Vec<(Connector, SimpleCommand)>,
}

/// `&&` or `||`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// `NAME=value ... word ... redirection ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The line the command starts on (1-based), for error messages.
    pub line: usize,
    pub assigns: Vec<Assign>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// The next stage of a pipeline (`cmd | next`): `next` reads what this command writes.
    pub pipe_to: Option<Box<SimpleCommand>>,
}

/// `NAME=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub name: String,
    pub value: Word,
}

/// `[N]>word`, `[N]>>word`, `[N]<word`, `[N]>&M`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor being redirected.
    pub fd: i32,
    pub kind: RedirKind,
    pub target: Word,
}

/// The redirection operators.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RedirKind {
    /// `>`: `O_WRONLY|O_CREAT|O_TRUNC`.
    Out,
    /// `>>`: `O_WRONLY|O_CREAT|O_APPEND`.
    Append,
    /// `<`: `O_RDONLY`.
    In,
    /// `>&M` / `<&M`: `dup2(M, fd)`.
    Dup,
}

/// A word before expansion: literal text and expansions, each remembering whether it was quoted.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    pub parts: Vec<WordPart>,
}

/// One piece of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Literal text; `quoted` when it came from quotes or a backslash escape.
    Lit { text: String, quoted: bool },
    /// `$NAME`, `${NAME}`, `$$`, `$!`, `$?`, `$#`, `$0`..`$9`.
    Param { name: String, quoted: bool },
    /// `$(program)`.
    Subst { program: Program, quoted: bool },
}

impl Word {
    /// The word's text if it is one unquoted literal (keywords and assignments are recognised
    /// only then).
    pub fn as_plain_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [
                WordPart::Lit {
                    text,
                    quoted: false,
                },
            ] => Some(text),
            _ => None,
        }
    }

    /// A word holding just `text` (quoted, so it never splits).
    pub fn literal(text: &str) -> Word {
        Word {
            parts: vec![WordPart::Lit {
                text: text.to_string(),
                quoted: true,
            }],
        }
    }
}

impl AndOr {
    /// Every command of the list, in order.
    pub fn commands(&self) -> impl Iterator<Item = &SimpleCommand> {
        std::iter::once(&self.first).chain(self.rest.iter().map(|(_, c)| c))
    }
}
