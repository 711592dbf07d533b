//! The syntax tree of POSIX `sh` as dash parses it (XCU 2.9, 2.10; dash's `parser.c` node
//! types `NCMD`, `NPIPE`, `NAND`/`NOR`, `NSEMI`/`NBACKGND`, `NSUBSHELL`, `NREDIR`, `NIF`,
//! `NWHILE`/`NUNTIL`, `NFOR`, `NCASE`, `NDEFUN`).

use std::sync::{Arc, OnceLock};

/// A whole script, or a compound list (the body of a loop, a group, a function...): list items
/// in source order.
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

/// `p1 && p2 || p3`: evaluated left to right, each connector looking at the status so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

/// `&&` or `||`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// `[!] cmd1 | cmd2 | ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `!`: the status is inverted.
    pub bang: bool,
    pub cmds: Vec<Command>,
}

/// One command of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
    /// A compound command with the redirections that follow it (`while ...; done < f`).
    Compound {
        line: usize,
        body: Box<Compound>,
        redirects: Vec<Redirect>,
    },
    /// `name() compound-command`: defines a function when run.
    FuncDef {
        line: usize,
        name: String,
        body: Arc<Command>,
    },
}

/// The compound commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compound {
    /// `{ list; }`.
    Brace(Program),
    /// `( list )`: runs in a forked subshell.
    Subshell(Program),
    /// `if c1; then b1; elif c2; then b2; else b3; fi`: the `(condition, body)` pairs, then
    /// the `else` body.
    If {
        arms: Vec<(Program, Program)>,
        else_body: Option<Program>,
    },
    /// `for name [in words]; do body; done`; without `in`, the positional parameters.
    For {
        var: String,
        words: Option<Vec<Word>>,
        body: Program,
    },
    /// `while cond; do body; done` (`until`: `until` is true).
    While {
        cond: Program,
        body: Program,
        until: bool,
    },
    /// `case word in pattern|pattern) body;; ... esac`.
    Case { word: Word, arms: Vec<CaseArm> },
}

/// One `pattern | pattern ) list ;;` of a `case`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: Program,
}

/// `NAME=value ... word ... redirection ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The line the command starts on (1-based), for error messages.
    pub line: usize,
    pub assigns: Vec<Assign>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// `NAME=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub name: String,
    pub value: Word,
}

/// `[N]>word`, `[N]>>word`, `[N]<word`, `[N]>&M`, `[N]<<word`...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor being redirected.
    pub fd: i32,
    pub kind: RedirKind,
    /// The file name, the fd to duplicate, or a here-document's delimiter.
    pub target: Word,
    /// A here-document's body, read after the end of the line that holds the operator.
    pub heredoc: Option<HereDoc>,
}

/// A here-document body: filled in by the lexer when it reaches the body, after the operator
/// was parsed (the tree is built before the body is read).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HereDoc(pub Arc<OnceLock<Word>>);

impl HereDoc {
    /// The body (empty if the input ended first).
    pub fn body(&self) -> Word {
        self.0.get().cloned().unwrap_or_default()
    }
}

/// The redirection operators.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RedirKind {
    /// `>`: `O_WRONLY|O_CREAT|O_TRUNC`.
    Out,
    /// `>|`: the same (no `noclobber` in this shell).
    Clobber,
    /// `>>`: `O_WRONLY|O_CREAT|O_APPEND`.
    Append,
    /// `<`: `O_RDONLY`.
    In,
    /// `<>`: `O_RDWR|O_CREAT`.
    ReadWrite,
    /// `>&M`: `dup2(M, fd)`, or close with `-`.
    DupOut,
    /// `<&M`.
    DupIn,
    /// `<<` and `<<-` (the tabs are stripped when the body is read).
    HereDoc,
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
    /// `$NAME`, `${NAME}`, `$$`, `$!`, `$?`, `$#`, `$0`..`$9`, and `${NAME<op>word}`.
    Param {
        name: String,
        op: ParamOp,
        quoted: bool,
    },
    /// `$(program)` or `` `program` ``.
    Subst { program: Program, quoted: bool },
    /// `$((expression))`: the expression text is expanded first, then evaluated.
    Arith { expr: Word, quoted: bool },
}

/// The parameter expansion forms of XCU 2.6.2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOp {
    /// `$x`, `${x}`.
    Plain,
    /// `${#x}`.
    Length,
    /// `${x-w}` / `${x:-w}` (`colon`: null counts as unset).
    Default { colon: bool, word: Word },
    /// `${x=w}` / `${x:=w}`.
    Assign { colon: bool, word: Word },
    /// `${x?w}` / `${x:?w}`.
    Error { colon: bool, word: Word },
    /// `${x+w}` / `${x:+w}`.
    Alternative { colon: bool, word: Word },
    /// `${x%w}` / `${x%%w}` (`longest`).
    TrimSuffix { longest: bool, word: Word },
    /// `${x#w}` / `${x##w}`.
    TrimPrefix { longest: bool, word: Word },
    /// A malformed `${...}` (`${1abc}`): expanding it fails with `Bad substitution`, as dash's
    /// `varvalue` does at run time.
    Bad,
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
    /// Every pipeline of the list, in order.
    pub fn pipelines(&self) -> impl Iterator<Item = &Pipeline> {
        std::iter::once(&self.first).chain(self.rest.iter().map(|(_, c)| c))
    }
}
