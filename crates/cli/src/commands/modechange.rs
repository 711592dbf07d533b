//! `chmod`'s MODE operand as coreutils 9.1 reads it (gnulib `lib/modechange.c`
//! `mode_compile` and `mode_adjust`): an octal number, or symbolic clauses separated by commas,
//! each `[ugoa]*` followed by one or more `[-+=]` operations with permissions `[rwxXst]*` or a
//! copy of another class (`u`, `g`, `o`). Without a class the umask limits what `+`, `-` and
//! `=` change, as in `chmod +x script.sh` with umask 022.
//!
//! **Follows:** `X` (execute only for a directory or a file that some class can already
//! execute), `s` (set-user/group-ID, for the `u`/`g` classes), `t` (sticky, for `a`/`o`),
//! `=` clearing the class's bits first; an octal mode of up to four digits sets the bits as
//! given (directories keep their set-ID bits unless five digits are given, which cgsim's files
//! do not have).

/// A compiled mode: a number, or the symbolic clauses.
#[derive(Clone, Debug)]
pub enum Mode {
    Octal(u32),
    Symbolic(Vec<Clause>),
}

#[derive(Clone, Debug)]
pub struct Clause {
    /// The class bits (`u` 0o4700, `g` 0o2070, `o` 0o1007); empty means "all, under umask".
    who: u32,
    ops: Vec<(char, Perm)>,
}

#[derive(Clone, Debug)]
enum Perm {
    Bits { bits: u32, cond_x: bool },
    Copy(char),
}

const USR: u32 = 0o4700;
const GRP: u32 = 0o2070;
const OTH: u32 = 0o1007;
const ALL: u32 = 0o7777;

/// `mode_compile`: `None` for an invalid mode (coreutils: `invalid mode: 'X'`).
pub fn compile(s: &str) -> Option<Mode> {
    if !s.is_empty() && s.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let v = u32::from_str_radix(s, 8).ok()?;
        return (v <= 0o7777).then_some(Mode::Octal(v));
    }
    let mut clauses = Vec::new();
    for part in s.split(',') {
        let b = part.as_bytes();
        let mut i = 0;
        let mut who = 0;
        while i < b.len() {
            who |= match b[i] {
                b'u' => USR,
                b'g' => GRP,
                b'o' => OTH,
                b'a' => ALL,
                _ => break,
            };
            i += 1;
        }
        let mut ops = Vec::new();
        if i == b.len() {
            return None;
        }
        while i < b.len() {
            let op = b[i] as char;
            if !matches!(op, '+' | '-' | '=') {
                return None;
            }
            i += 1;
            let perm = match b.get(i) {
                Some(c @ (b'u' | b'g' | b'o')) => {
                    i += 1;
                    Perm::Copy(*c as char)
                }
                _ => {
                    let (mut bits, mut cond_x) = (0, false);
                    while let Some(c) = b.get(i) {
                        bits |= match c {
                            b'r' => 0o444,
                            b'w' => 0o222,
                            b'x' => 0o111,
                            b'X' => {
                                cond_x = true;
                                0
                            }
                            b's' => 0o6000,
                            b't' => 0o1000,
                            _ => break,
                        };
                        i += 1;
                    }
                    Perm::Bits { bits, cond_x }
                }
            };
            ops.push((op, perm));
        }
        clauses.push(Clause { who, ops });
    }
    Some(Mode::Symbolic(clauses))
}

/// `mode_adjust`: the new permission bits of a file whose bits are `old`.
pub fn adjust(mode: &Mode, old: u32, is_dir: bool, umask: u32) -> u32 {
    let clauses = match mode {
        Mode::Octal(v) => return *v,
        Mode::Symbolic(c) => c,
    };
    let mut m = old & ALL;
    for c in clauses {
        // A clause without a class affects every class but not the umask's bits.
        let affected = if c.who == 0 { ALL } else { c.who };
        let ignored = if c.who == 0 { umask & ALL } else { 0 };
        for (op, perm) in &c.ops {
            let mut value = match perm {
                Perm::Copy(src) => {
                    let v = match src {
                        'u' => (m & 0o700) >> 6,
                        'g' => (m & 0o070) >> 3,
                        _ => m & 0o007,
                    };
                    v * 0o111
                }
                Perm::Bits { bits, cond_x } => {
                    let x = if *cond_x && (is_dir || m & 0o111 != 0) {
                        0o111
                    } else {
                        0
                    };
                    bits | x
                }
            };
            value &= affected & !ignored;
            match op {
                '+' => m |= value,
                '-' => m &= !value,
                _ => {
                    // `=` keeps the other classes' bits and the umask's; a directory also
                    // keeps set-ID bits its clause does not name.
                    let mut preserved = (!affected & ALL) | ignored;
                    if is_dir {
                        preserved |= 0o6000 & !c.who;
                    }
                    m = (m & preserved) | value;
                }
            }
        }
    }
    m & ALL
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(s: &str, old: u32) -> u32 {
        adjust(&compile(s).unwrap(), old, false, 0o022)
    }

    #[test]
    fn symbolic_modes_as_coreutils() {
        assert_eq!(sym("+x", 0o644), 0o755);
        assert_eq!(sym("u+x", 0o644), 0o744);
        assert_eq!(sym("go-r", 0o644), 0o600);
        assert_eq!(sym("a=r", 0o755), 0o444);
        assert_eq!(sym("u=rwx,g=rx,o=", 0o600), 0o750);
        assert_eq!(sym("+w", 0o444), 0o644);
        assert_eq!(sym("g=u", 0o740), 0o770);
        assert_eq!(sym("a+X", 0o644), 0o644);
        assert_eq!(sym("a+X", 0o744), 0o755);
        assert_eq!(adjust(&compile("a+X").unwrap(), 0o644, true, 0o022), 0o755);
        assert_eq!(sym("u+s", 0o755), 0o4755);
        assert_eq!(sym("+t", 0o777), 0o1777);
        assert!(compile("+q").is_none());
        assert!(compile("u").is_none());
        assert!(compile("8").is_none());
        assert!(matches!(compile("755"), Some(Mode::Octal(0o755))));
    }
}
