//! The cgsim book (`docs/book`) and the reference docs, checked so they cannot go stale.
//!
//! * `book_transcripts`: every `docs/book/src/chNN/NAME.sh` runs on a freshly booted kernel, as
//!   the command on its first line would (`cgsim [--kernel VERSION] [--set SWITCH=VALUE]... run --echo [...]`), and
//!   its transcript must equal `NAME.out` beside it, which the chapter includes. A script's `dot
//!   VIEW` commands take pictures (as `cgsim run --out docs/book/src/chNN/NAME` does), drawn by
//!   the built-in SVG renderer so that every machine draws the same: `NAME/01-VIEW.svg` and
//!   `.dot` must be current. `CGSIM_BLESS=1 cargo test -p cgsim --test it book::` rewrites the
//!   `.out` files and pictures instead of failing.
//! * `book_chapters`: each chapter includes every transcript of its directory and shows every
//!   picture, every `console` block is such an include, each chapter links the kernel source
//!   it follows, and no chapter cites material outside the repository or the public kernel.
//! * `doc_links`: every relative link (and `#anchor`) in `README.md`, `docs/*.md` and the
//!   book resolves (a small offline link checker; external URLs are not fetched).
//! * `kernel_map_items_exist`: every Rust item and file named in `docs/kernel-map.md` exists.

use cgsim::Shell;
use cgsim::dot::{Pictures, Renderer};
use cgsim_cgroupfs::BootParams;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn book_src() -> PathBuf {
    repo().join("docs/book/src")
}

fn bless() -> bool {
    std::env::var_os("CGSIM_BLESS").is_some_and(|v| v == "1")
}

/// The chapter directories `chNN`, sorted.
fn chapter_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(book_src())
        .expect("docs/book/src")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("ch"))
        })
        .collect();
    dirs.sort();
    dirs
}

/// The files of `dir` ending in `.ext`, sorted.
fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// The boot parameters a script's first line asks for:
/// `# cgsim [--kernel VERSION] [--set SWITCH=VALUE]... RUN`,
/// where `RUN` is `run_args` (the reader's command, checked here so it stays right).
fn boot_params(rel: &str, src: &str, run_args: &str) -> BootParams {
    let first = src.lines().next().unwrap_or("");
    let args = first
        .strip_prefix("# cgsim ")
        .and_then(|s| s.strip_suffix(run_args))
        .unwrap_or_else(|| panic!("{rel}: the first line must be `# cgsim [...] {run_args}`"));
    let mut params = BootParams::default();
    let mut words = args.split_whitespace().peekable();
    // `--kernel VERSION` first (the preset), then `--set` switches on top, as `cgsim` does.
    if words.peek() == Some(&"--kernel") {
        words.next();
        let v = words.next().expect("--kernel takes a VERSION");
        params = BootParams::kernel(v).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }
    while let Some(w) = words.next() {
        assert_eq!(
            w, "--set",
            "{rel}: only --kernel, then --set, are understood here"
        );
        let arg = words.next().expect("--set takes SWITCH=VALUE");
        let (name, value) = arg.split_once('=').expect("SWITCH=VALUE");
        assert!(
            params.set(name, value).is_ok(),
            "{rel}: unknown switch or value {arg}"
        );
    }
    params
}

/// Compare `path` with `want`; when blessing, rewrite it instead. Returns a complaint.
fn check_file(path: &Path, want: &str) -> Option<String> {
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have == want {
        return None;
    }
    if bless() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create picture directory");
        }
        std::fs::write(path, want).expect("write blessed file");
        return None;
    }
    let line = have
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
    Some(format!(
        "{} is stale (first difference at line {}): rerun with CGSIM_BLESS=1\n  have: {:?}\n  want: {:?}",
        path.display(),
        line + 1,
        have.lines().nth(line).unwrap_or("<end>"),
        want.lines().nth(line).unwrap_or("<end>"),
    ))
}

/// Whether a script takes pictures (a `dot` command line).
fn takes_pictures(src: &str) -> bool {
    src.lines().any(|l| l == "dot" || l.starts_with("dot "))
}

/// Run one book script as its first line says and check its transcript and pictures.
fn check_script(script: &Path, problems: &mut Vec<String>) {
    let rel = script
        .strip_prefix(repo())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let src = std::fs::read_to_string(script).expect("script");
    let pictures = takes_pictures(&src);
    let stem = rel.trim_end_matches(".sh");
    let run_args = if pictures {
        format!("run --echo --renderer builtin --out {stem} {rel}")
    } else {
        format!("run --echo {rel}")
    };
    let mut sh = Shell::new(cgsim::boot(boot_params(&rel, &src, &run_args)));
    sh.set_echo_input(true);
    // The pictures are drawn into a scratch directory, then compared with the book's copies.
    let scratch = std::env::temp_dir().join(format!(
        "cgsim-book-{}-{}",
        std::process::id(),
        stem.replace('/', "-")
    ));
    if pictures {
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).expect("scratch directory");
        sh.views.pictures = Some(Pictures::new(&scratch, Renderer::Builtin));
    }
    let (text, status) = cgsim::transcript_of(&mut sh, &src);
    sh.kernel().check_invariants();
    if status != 0 {
        problems.push(format!("{rel}: exit status {status}, want 0\n{text}"));
        return;
    }
    problems.extend(check_file(&script.with_extension("out"), &text));
    let Some(taken) = sh.views.pictures.take().map(|p| p.taken) else {
        return;
    };
    let dir = script.with_extension("");
    let mut names = BTreeSet::new();
    for pic in &taken {
        for name in [&pic.svg, &pic.dot] {
            let want = std::fs::read_to_string(scratch.join(name)).expect("picture written");
            problems.extend(check_file(&dir.join(name), &want));
            names.insert(name.clone());
        }
    }
    // Pictures the script no longer takes must go (index.html is what `--out` adds).
    for old in std::fs::read_dir(&dir).into_iter().flatten() {
        let old = old.expect("dir entry").path();
        let name = old.file_name().unwrap().to_string_lossy().into_owned();
        if names.contains(&name) || name == "index.html" {
            continue;
        }
        if bless() {
            std::fs::remove_file(&old).expect("remove stale picture");
        } else {
            problems.push(format!("{}: no longer drawn by {rel}", old.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn book_transcripts() {
    let mut problems = Vec::new();
    let mut n = 0;
    for dir in chapter_dirs() {
        for script in files_with(&dir, "sh") {
            check_script(&script, &mut problems);
            n += 1;
        }
    }
    assert!(n >= 11, "only {n} book scripts found");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Phrases that point at material a reader of the book does not have.
const FORBIDDEN: &[&str] = &[
    "spec \u{a7}",
    "perf-anchors",
    "the lead",
    "seed article",
    "semantics specification",
];

#[test]
fn book_chapters() {
    let mut problems = Vec::new();
    for dir in chapter_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let md_path = book_src().join(format!("{name}.md"));
        let Ok(md) = std::fs::read_to_string(&md_path) else {
            problems.push(format!("{name}: no {name}.md"));
            continue;
        };
        for script in files_with(&dir, "sh") {
            let stem = script.file_stem().unwrap().to_string_lossy().into_owned();
            let include = format!("{{{{#include {name}/{stem}.out}}}}");
            if !md.contains(&include) {
                problems.push(format!("{name}.md does not show {include}"));
            }
            let pictures = script.with_extension("");
            if pictures.is_dir() {
                for svg in files_with(&pictures, "svg") {
                    let file = svg.file_name().unwrap().to_string_lossy().into_owned();
                    let link = format!("({name}/{stem}/{file})");
                    if !md.contains(&link) {
                        problems.push(format!("{name}.md does not show {link}"));
                    }
                }
            }
        }
        // Every console block is a transcript include.
        let mut in_console = false;
        for line in md.lines() {
            if line.starts_with("```console") {
                in_console = true;
            } else if in_console && line.starts_with("```") {
                in_console = false;
            } else if in_console && !(line.starts_with("{{#include ") && line.ends_with(".out}}")) {
                problems.push(format!(
                    "{name}.md: a console block holds {line:?}, not a generated transcript"
                ));
            }
        }
        if !md.contains("https://elixir.bootlin.com/linux/v") {
            problems.push(format!("{name}.md links no kernel source"));
        }
    }
    for path in walk(&book_src()) {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "md" | "sh" | "out") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lower = text.to_lowercase();
        for f in FORBIDDEN {
            if lower.contains(f) {
                problems.push(format!("{}: cites {f:?}", path.display()));
            }
        }
        for (i, _) in lower.match_indices("issue ") {
            if lower[i + 6..].starts_with(|c: char| c.is_ascii_digit()) {
                problems.push(format!("{}: cites an issue number", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every file under `dir`, recursively, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Markdown without fenced code blocks and inline code spans (links there are not links).
fn prose(md: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push('\n');
            continue;
        }
        if fenced {
            out.push('\n');
            continue;
        }
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

/// The anchors of a Markdown file's headings, as GitHub and mdBook make them: lower case,
/// punctuation other than `-` and `_` dropped, spaces turned into `-`.
fn anchors(md: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let mut a = String::new();
        for c in title.chars() {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                a.extend(c.to_lowercase());
            } else if c == ' ' {
                a.push('-');
            }
        }
        // A repeated heading gets -1, -2, ... after the first.
        let mut candidate = a.clone();
        let mut n = 0;
        while out.contains(&candidate) {
            n += 1;
            candidate = format!("{a}-{n}");
        }
        out.insert(candidate);
    }
    out
}

/// `path` with `.` and `..` resolved textually (the file need not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The link targets of `[text](target)` in prose.
fn link_targets(md: &str) -> Vec<String> {
    let text = prose(md);
    let mut out = Vec::new();
    for (i, _) in text.match_indices("](") {
        let rest = &text[i + 2..];
        if let Some(end) = rest.find(')') {
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            out.push(target.to_string());
        }
    }
    out
}

#[test]
fn doc_links() {
    let mut files = vec![repo().join("README.md")];
    files.extend(files_with(&repo().join("docs"), "md"));
    files.extend(
        walk(&book_src())
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "md")),
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let md = std::fs::read_to_string(file).expect("markdown file");
        for target in link_targets(&md) {
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let dest = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            if !dest.exists() {
                problems.push(format!(
                    "{}: link to {target}: no such file",
                    file.display()
                ));
                continue;
            }
            // mdBook turns `.md` links into `.html` ones, which only exist inside the book:
            // the book names other repository files as text (`docs/pictures.md`) instead.
            if file.starts_with(book_src()) && !normalize(&dest).starts_with(normalize(&book_src()))
            {
                problems.push(format!(
                    "{}: link to {target} leaves the book; name the file as text",
                    file.display()
                ));
            }
            if let Some(a) = anchor
                && dest.extension().is_some_and(|e| e == "md")
            {
                let text = std::fs::read_to_string(&dest).unwrap();
                if !anchors(&text).contains(a) {
                    problems.push(format!(
                        "{}: link to {target}: no such heading",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} relative links checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn anchors_follow_github() {
    let a = anchors(
        "# The charge path, retry by retry\n## `find_css_set`: a match\n## Notes\n## Notes\n",
    );
    let want: BTreeSet<String> = [
        "the-charge-path-retry-by-retry",
        "find_css_set-a-match",
        "notes",
        "notes-1",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(a, want);
    assert_eq!(
        link_targets("see [a](b.md#c) and `[x](y)`\n```\n[p](q)\n```\n"),
        ["b.md#c"]
    );
}

/// The Rust source of the workspace's crates, comments dropped, one string per file.
fn rust_sources() -> Vec<String> {
    walk(&repo().join("crates"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            std::fs::read_to_string(&p)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

/// Whether `name` is defined somewhere: an item (`fn`, `struct`, `enum`, `trait`, `type`,
/// `const`, `static`, `mod`), a field (`name:`) or an enum variant (`name,` / `name(` /
/// `name {` / `name =` at the start of a line).
fn defined(sources: &[String], name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    sources.iter().any(|src| {
        for kw in [
            "fn", "struct", "enum", "trait", "type", "const", "static", "mod",
        ] {
            for (i, _) in src.match_indices(&format!("{kw} {name}")) {
                let before_ok = i == 0 || !src[..i].ends_with(is_word);
                let after = &src[i + kw.len() + 1 + name.len()..];
                if before_ok && !after.starts_with(is_word) {
                    return true;
                }
            }
        }
        src.lines().any(|l| {
            let t = l
                .trim_start()
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            t.strip_prefix(name).is_some_and(|rest| {
                [":", ",", "(", " {", " =", " {"]
                    .iter()
                    .any(|s| rest.starts_with(s))
                    && !rest.starts_with("::")
            })
        })
    })
}

#[test]
fn kernel_map_items_exist() {
    let map = std::fs::read_to_string(repo().join("docs/kernel-map.md")).expect("kernel-map.md");
    let sources = rust_sources();
    // The check itself: a name that once stood in the map and is gone is caught.
    assert!(defined(&sources, "LruList") && !defined(&sources, "Lru"));
    // Names from outside the workspace that a row may mention.
    let external = ["Drop", "Result"];
    let mut problems = Vec::new();
    let mut crate_dirs: Vec<PathBuf> = Vec::new();
    // A file column may name a file of another crate than the section's (`state.rs` after
    // `crates/cgroupfs/src/mem.rs`): every crate's `src` is tried after the section's.
    let all_srcs: Vec<PathBuf> = std::fs::read_dir(repo().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("dir entry").path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    let mut rows = 0;
    for line in map.lines() {
        if line.starts_with("## ") {
            crate_dirs = line
                .split('`')
                .skip(1)
                .step_by(2)
                .map(|c| repo().join(c))
                .map(|p| {
                    if p.join("src").is_dir() {
                        p.join("src")
                    } else {
                        p
                    }
                })
                .collect();
            continue;
        }
        if !line.starts_with("| ") || line.starts_with("| kernel symbol") {
            continue;
        }
        let cols: Vec<&str> = line.split(" | ").collect();
        if cols.len() < 4 {
            continue;
        }
        rows += 1;
        let (items, files) = (cols[1], cols[2]);
        for span in items.split('`').skip(1).step_by(2) {
            if span.contains('/')
                || span.ends_with(".rs")
                || span.contains(' ') && !span.contains("::")
            {
                continue;
            }
            // `Kernel::{open, read}` names Kernel, open and read.
            let idents: Vec<&str> = span
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|s| !s.is_empty() && !s.starts_with(|c: char| c.is_ascii_digit()))
                .collect();
            for id in idents {
                if !external.contains(&id) && !defined(&sources, id) {
                    problems.push(format!(
                        "kernel-map.md: `{span}`: no item `{id}` in crates/"
                    ));
                }
            }
        }
        for span in files.split('`').skip(1).step_by(2) {
            let found = if span.contains('*') {
                let dir = span.rsplit_once('/').map_or("", |(d, _)| d);
                crate_dirs.iter().any(|c| c.join(dir).is_dir())
            } else {
                repo().join(span).exists()
                    || crate_dirs
                        .iter()
                        .chain(&all_srcs)
                        .any(|c| c.join(span).exists())
            };
            if !found {
                problems.push(format!("kernel-map.md: file `{span}` does not exist"));
            }
        }
    }
    assert!(rows > 80, "only {rows} kernel-map rows read");
    let mut msg = String::new();
    for p in &problems {
        let _ = writeln!(msg, "{p}");
    }
    assert!(problems.is_empty(), "{msg}");
}
