//! Unit tests of `generic_permission` and the sticky rule.

use super::*;

#[test]
fn classes_and_root_override() {
    let root = Cred::ROOT;
    let user = Cred::user(1000);
    let e = IdKind::Effective;
    // A root-owned 0644 control file: readable by all, writable by root only.
    assert!(permission(&user, e, 0o644, 0, 0, false, R_OK));
    assert!(!permission(&user, e, 0o644, 0, 0, false, W_OK));
    assert!(permission(&root, e, 0o644, 0, 0, false, W_OK));
    // Root bypasses read on 0000, but cannot execute a file without any x bit.
    assert!(permission(&root, e, 0o000, 1000, 1000, false, R_OK | W_OK));
    assert!(!permission(&root, e, 0o644, 0, 0, false, X_OK));
    assert!(permission(&root, e, 0o000, 1000, 1000, true, X_OK));
    // The owner class is picked even if "other" would allow more.
    assert!(!permission(&user, e, 0o077, 1000, 1000, false, R_OK));
    // Sticky /tmp.
    assert!(!sticky_allows(&user, 0o1777, 0, 1001));
    assert!(sticky_allows(&user, 0o1777, 0, 1000));
    assert!(sticky_allows(&user, 0o0777, 0, 1001));
}
