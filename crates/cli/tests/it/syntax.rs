//! Lexer, parser and expander tests: each case is source text and the tree (or fields, or
//! error) it must give, written in a compact notation.

use cgsim::shell::ast::{
    Command, Compound, Connector, ParamOp, Pipeline, Program, RedirKind, SimpleCommand, Word,
    WordPart,
};
use cgsim::shell::expand::{Env, expand_fields, expand_string};
use cgsim::{SyntaxError, parse};

/// Compact notation: words as `<...>` with parts `lit`, `'quoted'`, `$X`/`"$X"`, `$(...)`,
/// `$((...))`; `&&`, `||`, `;`, `&` between commands; assignments as `NAME=<...>`;
/// redirections `1>`; compound commands in a bracketed form (`IF[..]`, `FOR x[..]`...).
fn show_word(w: &Word) -> String {
    let mut s = String::from("<");
    for p in &w.parts {
        match p {
            WordPart::Lit {
                text,
                quoted: false,
            } => s.push_str(text),
            WordPart::Lit { text, quoted: true } => s.push_str(&format!("'{text}'")),
            WordPart::Param { name, op, quoted } => {
                let q = if *quoted { "\"" } else { "" };
                let op = match op {
                    ParamOp::Plain => String::new(),
                    ParamOp::Length => "#".to_string(),
                    ParamOp::Default { colon, word } => {
                        format!("{}-{}", if *colon { ":" } else { "" }, show_word(word))
                    }
                    ParamOp::Assign { colon, word } => {
                        format!("{}={}", if *colon { ":" } else { "" }, show_word(word))
                    }
                    ParamOp::Error { colon, word } => {
                        format!("{}?{}", if *colon { ":" } else { "" }, show_word(word))
                    }
                    ParamOp::Alternative { colon, word } => {
                        format!("{}+{}", if *colon { ":" } else { "" }, show_word(word))
                    }
                    ParamOp::TrimSuffix { longest, word } => {
                        format!("{}{}", if *longest { "%%" } else { "%" }, show_word(word))
                    }
                    ParamOp::TrimPrefix { longest, word } => {
                        format!("{}{}", if *longest { "##" } else { "#" }, show_word(word))
                    }
                    ParamOp::Bad => "BAD".to_string(),
                };
                s.push_str(&format!("{q}${name}{op}{q}"));
            }
            WordPart::Subst { program, quoted } => {
                let q = if *quoted { "\"" } else { "" };
                s.push_str(&format!("{q}$({}){q}", show_program(program)));
            }
            WordPart::Arith { expr, quoted } => {
                let q = if *quoted { "\"" } else { "" };
                s.push_str(&format!("{q}$(({})){q}", show_word(expr)));
            }
        }
    }
    s.push('>');
    s
}

fn show_redirs(rs: &[cgsim::shell::ast::Redirect], parts: &mut Vec<String>) {
    for r in rs {
        let op = match r.kind {
            RedirKind::Out => ">",
            RedirKind::Clobber => ">|",
            RedirKind::Append => ">>",
            RedirKind::In => "<",
            RedirKind::ReadWrite => "<>",
            RedirKind::DupOut => ">&",
            RedirKind::DupIn => "<&",
            RedirKind::HereDoc => "<<",
        };
        let mut t = format!("{}{op}{}", r.fd, show_word(&r.target));
        if let Some(h) = &r.heredoc {
            t.push_str(&format!("[{}]", show_word(&h.body())));
        }
        parts.push(t);
    }
}

fn show_simple(c: &SimpleCommand) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(
        c.assigns
            .iter()
            .map(|a| format!("{}={}", a.name, show_word(&a.value))),
    );
    parts.extend(c.words.iter().map(show_word));
    show_redirs(&c.redirects, &mut parts);
    format!("{}@{}", parts.join(" "), c.line)
}

fn show_command(c: &Command) -> String {
    match c {
        Command::Simple(s) => show_simple(s),
        Command::FuncDef { name, body, .. } => format!("FN {name}[{}]", show_command(body)),
        Command::Compound {
            body, redirects, ..
        } => {
            let mut s = match &**body {
                Compound::Brace(p) => format!("{{{}}}", show_program(p)),
                Compound::Subshell(p) => format!("({})", show_program(p)),
                Compound::If { arms, else_body } => {
                    let mut s = String::from("IF");
                    for (c, b) in arms {
                        s.push_str(&format!("[{}]THEN[{}]", show_program(c), show_program(b)));
                    }
                    if let Some(e) = else_body {
                        s.push_str(&format!("ELSE[{}]", show_program(e)));
                    }
                    s
                }
                Compound::For { var, words, body } => {
                    let ws = match words {
                        Some(ws) => ws.iter().map(show_word).collect::<Vec<_>>().join(" "),
                        None => "\"$@\"".to_string(),
                    };
                    format!("FOR {var} IN {ws} DO[{}]", show_program(body))
                }
                Compound::While { cond, body, until } => format!(
                    "{}[{}]DO[{}]",
                    if *until { "UNTIL" } else { "WHILE" },
                    show_program(cond),
                    show_program(body)
                ),
                Compound::Case { word, arms } => {
                    let mut s = format!("CASE {}", show_word(word));
                    for a in arms {
                        let ps: Vec<String> = a.patterns.iter().map(show_word).collect();
                        s.push_str(&format!(" {})[{}]", ps.join("|"), show_program(&a.body)));
                    }
                    s
                }
            };
            let mut parts = Vec::new();
            show_redirs(redirects, &mut parts);
            if !parts.is_empty() {
                s.push(' ');
                s.push_str(&parts.join(" "));
            }
            s
        }
    }
}

fn show_pipeline(p: &Pipeline) -> String {
    let cmds: Vec<String> = p.cmds.iter().map(show_command).collect();
    format!("{}{}", if p.bang { "! " } else { "" }, cmds.join(" | "))
}

fn show_program(p: &Program) -> String {
    let mut items = Vec::new();
    for item in &p.items {
        let mut s = show_pipeline(&item.and_or.first);
        for (conn, c) in &item.and_or.rest {
            s.push_str(match conn {
                Connector::And => " && ",
                Connector::Or => " || ",
            });
            s.push_str(&show_pipeline(c));
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
        ("echo 12>f", "<echo> <12> 1><f>@1"),
        ("echo 2>f", "<echo> 2><f>@1"),
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
        (
            "if a; then b; elif c\nthen d; else e; fi",
            "IF[<a>@1]THEN[<b>@1][<c>@1]THEN[<d>@2]ELSE[<e>@2]",
        ),
        (
            "for i in 1 $x; do echo $i; done > f",
            "FOR i IN <1> <$x> DO[<echo> <$i>@1] 1><f>",
        ),
        ("for i\ndo :; done", "FOR i IN \"$@\" DO[<:>@2]"),
        (
            "while read l; do break 2; done < f",
            "WHILE[<read> <l>@1]DO[<break> <2>@1] 0<<f>",
        ),
        ("until false; do :; done", "UNTIL[<false>@1]DO[<:>@1]"),
        (
            "case $x in (a|b*) echo 1;; c) ;; esac",
            "CASE <$x> <a>|<b*>)[<echo> <1>@1] <c>)[]",
        ),
        ("case x in\n*) y\nesac", "CASE <x> <*>)[<y>@2]"),
        ("{ a; b & }", "{<a>@1 ; <b>@1 &}"),
        ("(a; b) | c", "(<a>@1 ; <b>@1) | <c>@1"),
        ("! a | b && ! c", "! <a>@1 | <b>@1 && ! <c>@1"),
        ("f() { local x; }", "FN f[{<local> <x>@1}]"),
        ("f ()\n{ :; }", "FN f[{<:>@2}]"),
        ("echo if then fi", "<echo> <if> <then> <fi>@1"),
        ("x=1 if", "x=<1> <if>@1"),
        (
            "echo ${x:-a b} ${x#*.} ${x%%\"*\"} ${#x} ${x:=y}",
            "<echo> <$x:-<a b>> <$x#<*.>> <$x%%<'*'>> <$x#> <$x:=<y>>@1",
        ),
        ("echo \"${x-$y}\"", "<echo> <''\"$x-<\"$y\">\">@1"),
        ("echo $((1 + $x))", "<echo> <$((<1 + \"$x\">))>@1"),
        (
            "echo `echo \\`echo in\\``",
            "<echo> <$(<echo> <$(<echo> <in>@1)>@1)>@1",
        ),
        (
            "cat <<E; echo $x\nbody $y\nE\necho after",
            "<cat> 0<<<E>[<'body '\"$y\"'\n'>]@1 ; <echo> <$x>@1 ; <echo> <after>@4",
        ),
        (
            "cat <<'E' <<-F\n$a\nE\n\t$b\n\tF\n",
            "<cat> 0<<<'E'>[<'$a\n'>] 0<<<F>[<''\"$b\"'\n'>]@1",
        ),
        (
            "exec 3<>f 4>&- 5<&0 >|g",
            "<exec> 3<><f> 4>&<-> 5<&<0> 1>|<g>@1",
        ),
        ("echo ~ ~/x a~", "<echo> <~> <~/x> <a~>@1"),
    ];
    let bad: Vec<String> = cases
        .iter()
        .filter(|(src, want)| tree(src) != *want)
        .map(|(src, want)| format!("source: {src:?}\n  got: {}\n want: {want}", tree(src)))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
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
        ("echo ${X", 1, "Missing '}'", true),
        ("echo a | | wc", 1, "\"|\" unexpected", false),
        ("echo a |", 1, "end of file unexpected", true),
        ("| wc", 1, "\"|\" unexpected", false),
        (
            "cat <<EOF",
            1,
            "end of file unexpected (expecting here-document delimiter)",
            true,
        ),
        (
            "cat <<EOF\nbody\n",
            3,
            "end of file unexpected (expecting here-document delimiter)",
            true,
        ),
        (
            "if true; then",
            1,
            "end of file unexpected (expecting \"fi\")",
            true,
        ),
        (
            "if true\nthen echo\n",
            3,
            "end of file unexpected (expecting \"fi\")",
            true,
        ),
        (
            "for i in 1 2; do\n",
            2,
            "end of file unexpected (expecting \"done\")",
            true,
        ),
        (
            "for i in 1 2\n",
            2,
            "end of file unexpected (expecting \"do\")",
            true,
        ),
        (
            "while true",
            1,
            "end of file unexpected (expecting \"do\")",
            true,
        ),
        (
            "case x in",
            1,
            "end of file unexpected (expecting \")\")",
            true,
        ),
        (
            "case x in a) echo",
            1,
            "end of file unexpected (expecting \"esac\")",
            true,
        ),
        (
            "{ echo",
            1,
            "end of file unexpected (expecting \"}\")",
            true,
        ),
        (
            "( echo",
            1,
            "end of file unexpected (expecting \")\")",
            true,
        ),
        (
            "echo a \\\n",
            2,
            "end of file unexpected (line continued with \\)",
            true,
        ),
        ("f() {", 1, "end of file unexpected (expecting \"}\")", true),
        ("echo $((", 1, "Missing '))'", true),
        ("echo `echo", 1, "EOF in backquote substitution", true),
        ("\n\nfi", 3, "\"fi\" unexpected", false),
        ("then x", 1, "\"then\" unexpected", false),
        ("done", 1, "\"done\" unexpected", false),
        ("}", 1, "\"}\" unexpected", false),
        ("echo a; )", 1, "\")\" unexpected", false),
        (
            "if true; fi",
            1,
            "\"fi\" unexpected (expecting \"then\")",
            false,
        ),
        ("if then", 1, "\"then\" unexpected", false),
        ("for 1 in a; do :; done", 1, "Bad for loop variable", false),
        ("echo $(( (1+2 ))", 1, "Missing '))'", false),
        ("echo (a)", 1, "word unexpected (expecting \")\")", false),
        ("echo a (b)", 1, "\"(\" unexpected", false),
    ];
    let bad: Vec<String> = cases
        .iter()
        .filter_map(|&(src, line, message, incomplete)| {
            let got = match parse(src) {
                Ok(_) => return Some(format!("source: {src:?} parsed")),
                Err(e) => (e.line, e.message, e.incomplete),
            };
            (got != (line, message.to_string(), incomplete))
                .then(|| format!("source: {src:?}\n  got: {got:?}"))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(
        err("x\n'").to_string(),
        "2: Syntax error: Unterminated quoted string"
    );
}

/// An environment with fixed variables; `$(...)` returns its program's item count as text.
struct FakeEnv;

impl Env for FakeEnv {
    fn get(&mut self, name: &str) -> Option<String> {
        Some(match name {
            "E" => String::new(),
            "U" => return None,
            "W" => "  two  words ".to_string(),
            "L" => "a\nb".to_string(),
            "$" => "42".to_string(),
            "?" => "1".to_string(),
            "C" => "a:b::c".to_string(),
            "N" => "7".to_string(),
            "IFS" => return None,
            other => format!("<{other}>"),
        })
    }

    fn positional(&mut self) -> Vec<String> {
        vec!["p 1".to_string(), "p2".to_string()]
    }

    fn assign(&mut self, _name: &str, _value: &str) -> Result<(), String> {
        Ok(())
    }

    fn command_subst(&mut self, program: &Program) -> Result<String, String> {
        Ok(format!("out {} items", program.items.len()))
    }

    fn readdir(&mut self, _dir: &str) -> Option<Vec<String>> {
        None
    }
}

fn fields(src: &str) -> Vec<String> {
    let p = parse(src).unwrap();
    let mut env = FakeEnv;
    let Command::Simple(c) = &p.items[0].and_or.first.cmds[0] else {
        panic!("not a simple command: {src}");
    };
    c.words
        .iter()
        .flat_map(|w| expand_fields(w, &mut env).unwrap())
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
        ("echo $(a; b; c)", &["echo", "out", "3", "items"]),
        ("echo \"$(a; b; c)\"", &["echo", "out 3 items"]),
        ("echo \"$@\"", &["echo", "p 1", "p2"]),
        ("echo $@", &["echo", "p", "1", "p2"]),
        ("echo \"$*\"", &["echo", "p 1 p2"]),
        ("echo \"x$@y\"", &["echo", "xp 1", "p2y"]),
        (
            "echo ${U:-a b} \"${U:-a b}\" ${U-'c d'}",
            &["echo", "a", "b", "a b", "c d"],
        ),
        (
            "echo ${E:-d} ${E-d}x ${W:+set} ${U:+set}y",
            &["echo", "d", "x", "set", "y"],
        ),
        ("echo ${#W} ${#U} ${#@}", &["echo", "13", "0", "6"]),
        (
            "echo $((N * 2 + 1)) $((0x10)) $((010))",
            &["echo", "15", "16", "8"],
        ),
        ("echo \"$((N > 3 ? 1 : 2))\"", &["echo", "1"]),
        ("echo '$W'", &["echo", "$W"]),
    ];
    for (src, want) in cases {
        assert_eq!(fields(src), *want, "source: {src:?}");
    }
    // Assignments and redirection targets do not split.
    let p = parse("X=$W").unwrap();
    let Command::Simple(c) = &p.items[0].and_or.first.cmds[0] else {
        panic!("not a simple command");
    };
    assert_eq!(
        expand_string(&c.assigns[0].value, &mut FakeEnv).unwrap(),
        "  two  words "
    );
    // Errors of ${x?} and arithmetic carry dash's text.
    let p = parse("echo ${U?} ${U:?gone} $((1+)) $((1/0)) ${1abc}").unwrap();
    let Command::Simple(c) = &p.items[0].and_or.first.cmds[0] else {
        panic!("not a simple command");
    };
    let errs: Vec<String> = c.words[1..]
        .iter()
        .map(|w| expand_fields(w, &mut FakeEnv).unwrap_err())
        .collect();
    assert_eq!(
        errs,
        [
            "U: parameter not set",
            "U: gone",
            "arithmetic expression: expecting primary: \"1+\"",
            "arithmetic expression: division by zero: \"1/0\"",
            "Bad substitution",
        ]
    );
}

/// Deep nesting must fail with a message, never overflow the host stack. The test
/// threads have Rust's default 2 MiB stack, a quarter of the main thread's.
#[test]
fn nesting_is_bounded_without_stack_overflow() {
    let deep = |open: &str, mid: &str, close: &str, n: usize| {
        format!(
            "{}{mid}{}\necho survived $?\n",
            open.repeat(n),
            close.repeat(n)
        )
    };
    let cases: Vec<(String, &str)> = vec![
        // A reproducer: 1600 nested `$(`.
        (
            format!("true {}{}", "$(".repeat(1600), ")".repeat(1600)),
            "Syntax error: nesting too deep",
        ),
        (
            deep("(", "true", ")", 5000),
            "Syntax error: nesting too deep",
        ),
        (
            deep("{ ", "true;", " }", 5000),
            "Syntax error: nesting too deep",
        ),
        (
            deep("if true; then ", "true", "; fi", 2000),
            "Syntax error: nesting too deep",
        ),
        (deep("echo `", "", "`", 1), "survived 0"),
        // At run time: within the parser's bound, but deeper than the interpreter's.
        (
            deep("(", "true", ")", 1100),
            "Syntax error: nesting too deep",
        ),
        (deep("(", "true", ")", 400), "survived 0"),
        (deep("echo $(", "echo x", ")", 400), "x\nsurvived 0"),
        (
            "f() { f; }; f; echo survived $?".to_string(),
            "f: function calls nested too deeply",
        ),
        (
            "e='eval \"$e\"'; eval \"$e\"; echo survived $?".to_string(),
            "eval: nested too deeply",
        ),
        (
            "echo '. /tmp/s' > /tmp/s; . /tmp/s; echo survived $?".to_string(),
            "nested too deeply",
        ),
    ];
    for (src, want) in cases {
        let (out, _) = cgsim::run_transcript(&src);
        assert!(
            out.contains(want),
            "{}...: {out}",
            &src[..src.len().min(40)]
        );
    }
    // Within the bounds, deep nesting works.
    let (out, st) = cgsim::run_transcript(&format!(
        "echo {}in{}\nf() {{ [ $1 -gt 0 ] && f $(($1 - 1)) || echo bottom; }}; f 500",
        "$(echo ".repeat(300),
        ")".repeat(300)
    ));
    assert_eq!((out.as_str(), st), ("in\nbottom\n", 0));
}
