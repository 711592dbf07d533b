//! Unit tests of path splitting (the string rules before any lookup).

use super::*;

#[test]
fn split_rules() {
    let long = format!("/{}", "x".repeat(NAME_MAX + 1));
    let max = format!("/{}", "x".repeat(NAME_MAX));
    let too_long = "/a".repeat(PATH_MAX / 2);
    // (path, Ok((absolute, components, trailing slash)) or errno)
    type Parsed<'a> = (bool, Vec<&'a str>, bool);
    let cases: Vec<(&str, Result<Parsed, Errno>)> = vec![
        ("/", Ok((true, vec![], false))),
        ("//a///b/", Ok((true, vec!["a", "b"], true))),
        ("a/./b", Ok((false, vec!["a", ".", "b"], false))),
        ("a\0/ignored", Ok((false, vec!["a"], false))),
        ("", Err(Errno::ENOENT)),
        ("\0", Err(Errno::ENOENT)),
        (&long, Err(Errno::ENAMETOOLONG)),
        (&max, Ok((true, vec![&max[1..]], false))),
        (&too_long, Err(Errno::ENAMETOOLONG)),
    ];
    for (path, want) in cases {
        let got = split(path)
            .map(|s| (s.absolute, s.comps, s.trailing_slash))
            .map_err(|e| e.errno);
        assert_eq!(got, want, "{:?}", &path[..path.len().min(20)]);
    }
}
