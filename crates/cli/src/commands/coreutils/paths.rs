//! `basename`, `dirname` and `mktemp` (coreutils 9.x `src/basename.c`, `src/dirname.c`,
//! `src/mktemp.c`).
//!
//! **Differences:** `mktemp`'s random letters come from a deterministic generator seeded with
//! the pid and the simulated clock, so a transcript always shows the same names.

use super::{usage_error, write_out};
use crate::Shell;
use crate::commands::getopt::{Arg, l, s, sl};
use crate::commands::{Kind, Registry};
use cgsim_cgroupfs::OpenFlags;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "basename",
        "basename NAME [SUFFIX] | basename -a [-s SUFFIX] NAME...",
        "strip the directory (and a suffix) from file names",
        Kind::External(basename),
    );
    r.set_help("basename", BASENAME_HELP);
    r.add(
        "dirname",
        "dirname NAME...",
        "strip the last component from file names",
        Kind::External(dirname),
    );
    r.set_help("dirname", DIRNAME_HELP);
    r.add(
        "mktemp",
        "mktemp [-d] [-u] [-q] [-p DIR] [-t] [--suffix=SUFF] [TEMPLATE]",
        "create a unique temporary file or directory (in /tmp by default) and print its name",
        Kind::External(mktemp),
    );
    r.set_help("mktemp", MKTEMP_HELP);
}

const BASENAME_HELP: &str = "\
Usage: basename NAME [SUFFIX]
  or:  basename OPTION... NAME...
Print NAME with any leading directory components removed.
If specified, also remove a trailing SUFFIX.

Mandatory arguments to long options are mandatory for short options too.
  -a, --multiple       support multiple arguments and treat each as a NAME
  -s, --suffix=SUFFIX  remove a trailing SUFFIX; implies -a
  -z, --zero           end each output line with NUL, not newline
      --help        display this help and exit
      --version     output version information and exit

Examples:
  basename /usr/bin/sort          -> \"sort\"
  basename include/stdio.h .h     -> \"stdio\"
  basename -s .h include/stdio.h  -> \"stdio\"
  basename -a any/str1 any/str2   -> \"str1\" followed by \"str2\"
";

const DIRNAME_HELP: &str = "\
Usage: dirname [OPTION] NAME...
Output each NAME with its last non-slash component and trailing slashes
removed; if NAME contains no /'s, output '.' (meaning the current directory).

  -z, --zero     end each output line with NUL, not newline
      --help        display this help and exit
      --version     output version information and exit

Examples:
  dirname /usr/bin/          -> \"/usr\"
  dirname dir1/str dir2/str  -> \"dir1\" followed by \"dir2\"
  dirname stdio.h            -> \".\"
";

const MKTEMP_HELP: &str = "\
Usage: mktemp [OPTION]... [TEMPLATE]
Create a temporary file or directory, safely, and print its name.
TEMPLATE must contain at least 3 consecutive 'X's in last component.
If TEMPLATE is not specified, use tmp.XXXXXXXXXX, and --tmpdir is implied.
Files are created u+rw, and directories u+rwx, minus umask restrictions.

  -d, --directory     create a directory, not a file
  -u, --dry-run       do not create anything; merely print a name (unsafe)
  -q, --quiet         suppress diagnostics about file/dir-creation failure
      --suffix=SUFF   append SUFF to TEMPLATE; SUFF must not contain a slash.
                        This option is implied if TEMPLATE does not end in X
  -p DIR, --tmpdir[=DIR]  interpret TEMPLATE relative to DIR; if DIR is not
                        specified, use $TMPDIR if set, else /tmp.  With
                        this option, TEMPLATE must not be an absolute name;
                        unlike with -t, TEMPLATE may contain slashes, but
                        mktemp creates only the final component
  -t                  interpret TEMPLATE as a single file name component,
                        relative to a directory: $TMPDIR, if set; else the
                        directory specified via -p; else /tmp [deprecated]
      --help        display this help and exit
      --version     output version information and exit
";

/// coreutils' `base_name` after stripping trailing slashes.
pub(crate) fn base_of(name: &str) -> String {
    let t = name.trim_end_matches('/');
    if t.is_empty() {
        return if name.is_empty() {
            String::new()
        } else {
            "/".to_string()
        };
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// coreutils' `dir_name`.
pub(crate) fn dir_of(name: &str) -> String {
    let t = name.trim_end_matches('/');
    if t.is_empty() {
        return if name.starts_with('/') { "/" } else { "." }.to_string();
    }
    match t.rfind('/') {
        None => ".".to_string(),
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                "/".to_string()
            } else {
                d.to_string()
            }
        }
    }
}

fn basename(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('a', "multiple", Arg::No),
        sl('s', "suffix", Arg::Required),
        sl('z', "zero", Arg::No),
    ];
    let Ok(p) = super::options(sh, pid, "basename", argv, &opts, false, 1) else {
        return 1;
    };
    let ops = &p.operands;
    if ops.is_empty() {
        usage_error(sh, pid, "basename", "missing operand");
        return 1;
    }
    let multiple = p.has("a") || p.has("s");
    let (names, suffix): (Vec<&String>, Option<String>) = if multiple {
        (ops.iter().collect(), p.last("s").map(str::to_string))
    } else {
        if ops.len() > 2 {
            usage_error(sh, pid, "basename", &format!("extra operand '{}'", ops[2]));
            return 1;
        }
        (vec![&ops[0]], ops.get(1).cloned())
    };
    let eol = if p.has("z") { '\0' } else { '\n' };
    let mut out = String::new();
    for n in names {
        let mut b = base_of(n);
        if let Some(suf) = &suffix
            && b.len() > suf.len()
            && b.ends_with(suf.as_str())
        {
            b.truncate(b.len() - suf.len());
        }
        out.push_str(&b);
        out.push(eol);
    }
    i32::from(!write_out(sh, pid, "basename", out.as_bytes()))
}

fn dirname(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [sl('z', "zero", Arg::No)];
    let Ok(p) = super::options(sh, pid, "dirname", argv, &opts, false, 1) else {
        return 1;
    };
    if p.operands.is_empty() {
        usage_error(sh, pid, "dirname", "missing operand");
        return 1;
    }
    let eol = if p.has("z") { '\0' } else { '\n' };
    let out: String = p
        .operands
        .iter()
        .map(|n| format!("{}{eol}", dir_of(n)))
        .collect();
    i32::from(!write_out(sh, pid, "dirname", out.as_bytes()))
}

/// splitmix64: the letters of a temporary name.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn mktemp(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('d', "directory", Arg::No),
        sl('u', "dry-run", Arg::No),
        sl('q', "quiet", Arg::No),
        s('p', Arg::Required),
        l("tmpdir", Arg::Optional),
        s('t', Arg::No),
        l("suffix", Arg::Required),
    ];
    let Ok(p) = super::options(sh, pid, "mktemp", argv, &opts, false, 1) else {
        return 1;
    };
    if p.operands.len() > 1 {
        usage_error(sh, pid, "mktemp", "too many templates");
        return 1;
    }
    let quiet = p.has("q");
    let dir_opt: Option<String> = p
        .opts
        .iter()
        .rev()
        .find(|g| g.key == "p" || g.key == "tmpdir")
        .map(|g| g.val.clone().unwrap_or_default());
    let tmpdir_env = sh
        .var("TMPDIR")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let (template, use_dir) = match p.operands.first() {
        None => ("tmp.XXXXXXXXXX".to_string(), true),
        Some(t) => (t.clone(), dir_opt.is_some() || p.has("t")),
    };
    let mut template = template;
    if let Some(suf) = p.last("suffix") {
        if suf.contains('/') {
            usage_error(
                sh,
                pid,
                "mktemp",
                &format!("invalid suffix '{suf}', contains directory separator"),
            );
            return 1;
        }
        template.push_str(suf);
    }
    // The X run: the last run of X's before the suffix (with --suffix, before it).
    let suffix_len = p.last("suffix").map_or_else(
        || template.len() - template.trim_end_matches(|c| c != 'X').len(),
        str::len,
    );
    let body_end = template.len() - suffix_len;
    let xs = template[..body_end].len() - template[..body_end].trim_end_matches('X').len();
    if xs < 3 {
        let shown = &template;
        sh.write_err(pid, &format!("mktemp: too few X's in template '{shown}'\n"));
        return 1;
    }
    let full = if use_dir {
        if template.starts_with('/') && dir_opt.is_some() {
            sh.write_err(
                pid,
                &format!("mktemp: invalid template, '{template}'; with --tmpdir, it may not be absolute\n"),
            );
            return 1;
        }
        let dir = if p.has("t") {
            tmpdir_env.or(dir_opt.filter(|d| !d.is_empty()))
        } else {
            dir_opt.filter(|d| !d.is_empty()).or(tmpdir_env)
        }
        .unwrap_or_else(|| "/tmp".to_string());
        format!("{}/{template}", dir.trim_end_matches('/'))
    } else {
        template.clone()
    };
    let k = sh.kernel().clone();
    let start = full.len() - suffix_len - xs;
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let dir_mode = p.has("d");
    let mut last_err = None;
    for attempt in 0..100u64 {
        let mut seed = mix(pid.0 as u64 ^ k.clock().now_nanos().rotate_left(17) ^ (attempt << 40));
        let mut name = full.clone().into_bytes();
        for b in &mut name[start..start + xs] {
            seed = mix(seed);
            *b = LETTERS[(seed % LETTERS.len() as u64) as usize];
        }
        let name = String::from_utf8_lossy(&name).into_owned();
        let r = if p.has("u") {
            match k.stat(pid, &name) {
                Ok(_) => Err(cgsim_ktypes::Errno::EEXIST),
                Err(_) => Ok(()),
            }
        } else if dir_mode {
            k.mkdir(pid, &name, 0o700).map_err(|e| e.errno)
        } else {
            let flags = OpenFlags {
                create: true,
                excl: true,
                ..OpenFlags::RDWR
            };
            k.open(pid, &name, flags, 0o600)
                .map(|fd| {
                    let _ = k.close(pid, fd);
                })
                .map_err(|e| e.errno)
        };
        match r {
            Ok(()) => {
                return i32::from(!write_out(
                    sh,
                    pid,
                    "mktemp",
                    format!("{name}\n").as_bytes(),
                ));
            }
            Err(cgsim_ktypes::Errno::EEXIST) => continue,
            Err(e) => {
                last_err = Some(e);
                break;
            }
        }
    }
    if !quiet {
        let what = if dir_mode { "directory" } else { "file" };
        let e = last_err.unwrap_or(cgsim_ktypes::Errno::EEXIST);
        sh.write_err(
            pid,
            &format!(
                "mktemp: failed to create {what} via template '{full}': {}\n",
                e.strerror()
            ),
        );
    }
    1
}

#[cfg(test)]
mod tests {
    use super::{base_of, dir_of};

    #[test]
    fn names_split_as_coreutils() {
        assert_eq!(base_of("/usr/bin/sort"), "sort");
        assert_eq!(base_of("/usr/bin/"), "bin");
        assert_eq!(base_of("///"), "/");
        assert_eq!(base_of("a"), "a");
        assert_eq!(dir_of("/usr/bin/"), "/usr");
        assert_eq!(dir_of("stdio.h"), ".");
        assert_eq!(dir_of("/a"), "/");
        assert_eq!(dir_of("//a//b//"), "//a");
        assert_eq!(dir_of("/"), "/");
        assert_eq!(dir_of(""), ".");
    }
}
