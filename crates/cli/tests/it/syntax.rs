//! Lexer, parser and expander tests: each case is source text and the tree (or fields, or
//! error) it must give, written in a compact notation.

use cgsim::shell::ast::{Connector, Program, RedirKind, SimpleCommand, Word, WordPart};
use cgsim::shell::expand::{Env, expand_fields, expand_string};
use cgsim::{SyntaxError, parse};

/// Compact notation: words as `<...>` with parts `lit`, `'quoted'`, `$X`/`"$X"`, `$(...)`;
/// `&&`, `||`, `;`, `&` between commands; assignments as `NAME=<...>`; redirections `1>`.
fn show_word(w: &Word) -> String {
    let mut s = String::from("<");
    for p in &w.parts {
        match p {
            WordPart::Lit {
                text,
                quoted: false,
            } => s.push_str(text),
            WordPart::Lit { text, quoted: true } => s.push_str(&format!("'{text}'")),
            WordPart::Param {
                name,
                quoted: false,
            } => s.push_str(&format!("${name}")),
            WordPart::Param { name, quoted: true } => s.push_str(&format!("\"${name}\"")),
            WordPart::Subst { program, quoted } => {
                let q = if *quoted { "\"" } else { "" };
                s.push_str(&format!("{q}$({}){q}", show_program(program)));
            }
        }
    }
    s.push('>');
    s
}

fn show_cmd(c: &SimpleCommand) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(
        c.assigns
            .iter()
            .map(|a| format!("{}={}", a.name, show_word(&a.value))),
    );
    parts.extend(c.words.iter().map(show_word));
    for r in &c.redirects {
        let op = match r.kind {
            RedirKind::Out => ">",
            RedirKind::Append => ">>",
            RedirKind::In => "<",
            RedirKind::Dup => ">&",
        };
        parts.push(format!("{}{op}{}", r.fd, show_word(&r.target)));
    }
    let mut s = format!("{}@{}", parts.join(" "), c.line);
    if let Some(next) = &c.pipe_to {
        s.push_str(" | ");
        s.push_str(&show_cmd(next));
    }
    s
}

fn show_program(p: &Program) -> String {
    let mut items = Vec::new();
    for item in &p.items {
        let mut s = show_cmd(&item.and_or.first);
        for (conn, c) in &item.and_or.rest {
            s.push_str(match conn {
                Connector::And => " && ",
                Connector::Or => " || ",
            });
            s.push_str(&show_cmd(c));
        }
        if item.background {
            s.push_str(" &");
        }
        items.push(s);
    }
    items.join(" ; ")
}

fn tree(src: &str) -> String {
    match parse(src) {
        Ok(p) => show_program(&p),
        Err(e) => format!("ERR {e}"),
    }
}

#[test]
fn parses_the_subset() {
    let cases: &[(&str, &str)] = &[
        ("echo hi", "<echo> <hi>@1"),
        ("echo a; echo b", "<echo> <a>@1 ; <echo> <b>@1"),
        ("echo a\necho b\n", "<echo> <a>@1 ; <echo> <b>@2"),
        ("a && b || c", "<a>@1 && <b>@1 || <c>@1"),
        ("a &&\n\n  b", "<a>@1 && <b>@3"),
        (
            "sleep 1000 &\necho $!",
            "<sleep> <1000>@1 & ; <echo> <$!>@2",
        ),
        ("sleep 1 & sleep 2 &", "<sleep> <1>@1 & ; <sleep> <2>@1 &"),
        ("# only a comment\n", ""),
        ("echo a # trailing comment", "<echo> <a>@1"),
        ("echo a#b", "<echo> <a#b>@1"),
        ("echo 'it''s'", "<echo> <'its'>@1"),
        ("echo \"a b\" c", "<echo> <'a b'> <c>@1"),
        ("echo \"\"", "<echo> <''>@1"),
        ("echo \\$HOME \\\\", "<echo> <'$'HOME> <'\\'>@1"),
        ("echo \"\\$x \\\" \\q\"", "<echo> <'$x \" \\q'>@1"),
        ("echo a\\\nb", "<echo> <ab>@1"),
        (
            "echo $X ${Y}z $$ $? $! $1",
            "<echo> <$X> <$Yz> <$$> <$?> <$!> <$1>@1",
        ),
        ("echo \"$X-${Y}\"", "<echo> <''\"$X\"'-'\"$Y\">@1"),
        ("echo $ a$", "<echo> <$> <a$>@1"),
        ("X=1", "X=<1>@1"),
        ("X=\"a b\" Y= cmd arg", "X=<'a b'> Y=<> <cmd> <arg>@1"),
        ("cmd X=1", "<cmd> <X=1>@1"),
        ("1X=1", "<1X=1>@1"),
        ("echo x > f", "<echo> <x> 1><f>@1"),
        ("echo x>>f 2>err", "<echo> <x> 1>><f> 2><err>@1"),
        ("cat < in 2>&1", "<cat> 0<<in> 2>&<1>@1"),
        ("echo 12>f", "<echo> 12><f>@1"),
        ("echo a2>f", "<echo> <a2> 1><f>@1"),
        ("> f", "1><f>@1"),
        (
            "echo $(echo a; echo b) c",
            "<echo> <$(<echo> <a>@1 ; <echo> <b>@1)> <c>@1",
        ),
        ("echo \"$(cat f)\"", "<echo> <''\"$(<cat> <f>@1)\">@1"),
        ("echo $(echo ')') x", "<echo> <$(<echo> <')'>@1)> <x>@1"),
        (
            "echo $(echo $(echo in))",
            "<echo> <$(<echo> <$(<echo> <in>@1)>@1)>@1",
        ),
        (
            "echo $(\necho a\n)\necho b",
            "<echo> <$(<echo> <a>@2)>@1 ; <echo> <b>@4",
        ),
        (
            "[ -d /x ] && echo yes",
            "<[> <-d> </x> <]>@1 && <echo> <yes>@1",
        ),
        ("mount | grep cgroup", "<mount>@1 | <grep> <cgroup>@1"),
        (
            "cat tasks | wc -l > n && echo |\n  cat &",
            "<cat> <tasks>@1 | <wc> <-l> 1><n>@1 && <echo>@1 | <cat>@2 &",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(tree(src), *want, "source: {src:?}");
    }
}

fn err(src: &str) -> SyntaxError {
    parse(src).expect_err(src)
}

#[test]
fn syntax_errors_name_the_line() {
    let cases: &[(&str, usize, &str, bool)] = &[
        ("echo 'abc", 1, "Unterminated quoted string", true),
        (
            "echo ok\necho \"abc\n",
            3,
            "Unterminated quoted string",
            true,
        ),
        ("echo a\n\necho b &&", 3, "end of file unexpected", true),
        ("&& echo", 1, "\"&&\" unexpected", false),
        ("echo a\n; echo", 2, "\";\" unexpected", false),
        ("echo >", 1, "end of file unexpected", true),
        ("echo > ;", 1, "\";\" unexpected", false),
        ("echo a )", 1, "\")\" unexpected", false),
        (
            "echo $(echo a",
            1,
            "end of file unexpected (expecting \")\")",
            true,
        ),
        ("echo ${1abc}", 1, "Bad substitution", false),
        ("echo ${X", 1, "Missing '}'", true),
        (
            "echo $((1+2))",
            1,
            "arithmetic expansion $((...)) is not supported by the cgsim shell",
            false,
        ),
        ("echo a | | wc", 1, "\"|\" unexpected", false),
        ("echo a |", 1, "end of file unexpected", true),
        ("| wc", 1, "\"|\" unexpected", false),
        (
            "echo a\n(cd /)",
            2,
            "subshells and functions (\"(\") are not supported by the cgsim shell",
            false,
        ),
        (
            "cat <<EOF",
            1,
            "here-documents (\"<<\") are not supported by the cgsim shell",
            false,
        ),
        (
            "\n\nif true; then echo; fi",
            3,
            "\"if\" is not supported (the cgsim shell runs simple commands only)",
            false,
        ),
        (
            "echo `date`",
            1,
            "backquote command substitution is not supported; use $(...)",
            false,
        ),
    ];
    for &(src, line, message, incomplete) in cases {
        let e = err(src);
        assert_eq!(
            (e.line, e.message.as_str(), e.incomplete),
            (line, message, incomplete),
            "source: {src:?}"
        );
    }
    assert_eq!(
        err("x\n'").to_string(),
        "2: Syntax error: Unterminated quoted string"
    );
}

/// An environment with fixed variables; `$(...)` returns its program's word count as text.
struct FakeEnv;

impl Env for FakeEnv {
    fn param(&mut self, name: &str) -> String {
        match name {
            "E" => String::new(),
            "W" => "  two  words ".to_string(),
            "L" => "a\nb".to_string(),
            "$" => "42".to_string(),
            "?" => "1".to_string(),
            other => format!("<{other}>"),
        }
    }

    fn command_subst(&mut self, program: &Program) -> String {
        let n: usize = program
            .items
            .iter()
            .map(|i| i.and_or.first.words.len())
            .sum();
        format!("out {n} words")
    }
}

fn fields(src: &str) -> Vec<String> {
    let p = parse(src).unwrap();
    let mut env = FakeEnv;
    p.items[0]
        .and_or
        .first
        .words
        .iter()
        .flat_map(|w| expand_fields(w, &mut env))
        .collect()
}

#[test]
fn expansion_and_field_splitting() {
    let cases: &[(&str, &[&str])] = &[
        ("echo $W", &["echo", "two", "words"]),
        ("echo \"$W\"", &["echo", "  two  words "]),
        ("echo x$W.y", &["echo", "x", "two", "words", ".y"]),
        ("echo $E", &["echo"]),
        ("echo \"$E\"", &["echo", ""]),
        ("echo ''$E", &["echo", ""]),
        ("echo $L", &["echo", "a", "b"]),
        ("echo $$ $? ${X}", &["echo", "42", "1", "<X>"]),
        ("echo $(a b c)", &["echo", "out", "3", "words"]),
        ("echo \"$(a b c)\"", &["echo", "out 3 words"]),
        ("echo '$W'", &["echo", "$W"]),
    ];
    for (src, want) in cases {
        assert_eq!(fields(src), *want, "source: {src:?}");
    }
    // Assignments and redirection targets do not split.
    let p = parse("X=$W").unwrap();
    assert_eq!(
        expand_string(&p.items[0].and_or.first.assigns[0].value, &mut FakeEnv),
        "  two  words "
    );
}
