//! Unit tests of the pieces with no kernel behind them: glibc's getopt_long, libcgroup's
//! `-g controllers:path` parsing and path building, and the cgconfig.conf lexer.

use super::api::{concat_path, dirname, parse_cgroup_spec};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};

fn argv(s: &str) -> Vec<String> {
    s.split(' ').map(str::to_string).collect()
}

fn opts(got: &[Got]) -> Vec<String> {
    got.iter()
        .map(|g| match g {
            Got::Opt(c, a, _) => format!(
                "{}={}",
                char::from_u32(*c as u32).unwrap_or('?'),
                a.as_deref().unwrap_or("")
            ),
            Got::Bad(m) => format!("bad:{m}"),
        })
        .collect()
}

const LONGS: [LongOpt; 3] = [
    LongOpt {
        name: "recursive",
        has_arg: HasArg::No,
        val: 'r' as i32,
    },
    LongOpt {
        name: "group",
        has_arg: HasArg::Required,
        val: 'g' as i32,
    },
    LongOpt {
        name: "grip",
        has_arg: HasArg::No,
        val: 'x' as i32,
    },
];

#[test]
fn getopt_permutes_operands_after_options() {
    let (got, ops) = getopt_long(&argv("cgdelete a -r b -gcpu:/x -- -c"), "rhg:", &LONGS);
    assert_eq!(opts(&got), ["r=", "g=cpu:/x"]);
    assert_eq!(ops, ["a", "b", "-c"]);
}

#[test]
fn getopt_plus_stops_at_the_first_operand() {
    let (got, ops) = getopt_long(&argv("cgexec -g cpu:/ sh -c x"), "+g:sh", &LONGS);
    assert_eq!(opts(&got), ["g=cpu:/"]);
    assert_eq!(ops, ["sh", "-c", "x"]);
}

#[test]
fn getopt_long_prefixes_and_errors() {
    let (got, _) = getopt_long(&argv("t --rec --group=a:b --gro c:d"), "rg:", &LONGS);
    assert_eq!(opts(&got), ["r=", "g=a:b", "g=c:d"]);
    let (got, _) = getopt_long(&argv("t --gr"), "", &LONGS);
    assert_eq!(
        opts(&got),
        ["bad:t: option '--gr' is ambiguous; possibilities: '--group' '--grip'"]
    );
    let (got, _) = getopt_long(&argv("t --nope"), "", &LONGS);
    assert_eq!(opts(&got), ["bad:t: unrecognized option '--nope'"]);
    let (got, _) = getopt_long(&argv("t --recursive=1"), "", &LONGS);
    assert_eq!(
        opts(&got),
        ["bad:t: option '--recursive' doesn't allow an argument"]
    );
    let (got, _) = getopt_long(&argv("t -r -q"), "r", &LONGS);
    assert_eq!(opts(&got), ["r=", "bad:t: invalid option -- 'q'"]);
    let (got, _) = getopt_long(&argv("t -g"), "g:", &LONGS);
    assert_eq!(opts(&got), ["bad:t: option requires an argument -- 'g'"]);
}

#[test]
fn cgroup_spec_is_strtok() {
    let s = parse_cgroup_spec("cpu,cpuacct:/a/b").unwrap();
    assert_eq!(
        (s.controllers, s.path),
        (vec!["cpu".into(), "cpuacct".into()], "/a/b".into())
    );
    // strtok skips empty fields: ":/a" has no path, "cpu:/a:b" names /a.
    assert!(parse_cgroup_spec(":/a").is_none());
    assert!(parse_cgroup_spec("cpu").is_none());
    assert!(parse_cgroup_spec("cpu:").is_none());
    assert_eq!(parse_cgroup_spec("cpu:/a:b").unwrap().path, "/a");
}

#[test]
fn paths_as_the_library_builds_them() {
    assert_eq!(concat_path("/cg/cpu/", "a"), "/cg/cpu/a/");
    assert_eq!(concat_path("/cg/cpu/", "/a"), "/cg/cpu/a/");
    assert_eq!(concat_path("/cg/cpu/", "a/"), "/cg/cpu/a/");
    assert_eq!(concat_path("/cg/cpu/", "/"), "/cg/cpu/");
    assert_eq!(concat_path("/cg/cpu/", ""), "/cg/cpu/");
    assert_eq!(dirname("a/b"), "a");
    assert_eq!(dirname("a"), ".");
    assert_eq!(dirname("/a"), "/");
    assert_eq!(dirname("/"), "/");
}
