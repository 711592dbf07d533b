//! Word expansion: parameters, command substitution, then field splitting (XCU 2.6).
//!
//! **Differences:** no tilde expansion, no pathname expansion (globbing), no `${X:-y}` forms;
//! `IFS` is always space, tab and newline.

use super::ast::{Program, Word, WordPart};

/// What expansion needs from the shell.
pub trait Env {
    /// The value of `$name` (empty when unset).
    fn param(&mut self, name: &str) -> String;
    /// Run `$(program)` and return its standard output with trailing newlines removed.
    fn command_subst(&mut self, program: &Program) -> String;
}

fn is_ifs(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

/// Expand `word` into fields: unquoted expansions split on blanks, quoted text never does.
pub fn expand_fields(word: &Word, env: &mut dyn Env) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    for part in &word.parts {
        let (value, quoted) = match part {
            WordPart::Lit { text, quoted } => {
                cur.push_str(text);
                have |= *quoted || !text.is_empty();
                continue;
            }
            WordPart::Param { name, quoted } => (env.param(name), *quoted),
            WordPart::Subst { program, quoted } => (env.command_subst(program), *quoted),
        };
        if quoted {
            cur.push_str(&value);
            have = true;
            continue;
        }
        for c in value.chars() {
            if is_ifs(c) {
                if have {
                    fields.push(std::mem::take(&mut cur));
                    have = false;
                }
            } else {
                cur.push(c);
                have = true;
            }
        }
    }
    if have {
        fields.push(cur);
    }
    fields
}

/// Expand `word` into one string without field splitting (assignments, redirection targets).
pub fn expand_string(word: &Word, env: &mut dyn Env) -> String {
    let mut out = String::new();
    for part in &word.parts {
        match part {
            WordPart::Lit { text, .. } => out.push_str(text),
            WordPart::Param { name, .. } => out.push_str(&env.param(name)),
            WordPart::Subst { program, .. } => out.push_str(&env.command_subst(program)),
        }
    }
    out
}
