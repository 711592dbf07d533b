//! Switch names and values as the shell spells them.

use super::*;

#[test]
fn set_by_name() {
    let mut p = CoreProfile::default();
    for (name, value) in [
        ("core.base_files", "v2_6_25"),
        ("core.tasks_write_parse", "sscanf_eio"),
        ("core.mount_opts", "v2_6_25"),
        ("core.proc_cgroups_hier_column", "subsys_bits"),
        ("core.proc_cgroups_columns", "v2_6_25"),
        ("core.rmdir_css_refs", "ebusy"),
        ("core.css_refcnt_base", "0"),
        ("core.attach_exiting", "esrch"),
    ] {
        p.set(name, value).unwrap();
    }
    assert_eq!(p, CoreProfile::v2_6_25());
    assert_eq!(
        p.set("core.mount_opts", "v9"),
        Err(cgsim_ktypes::Errno::EINVAL)
    );
    assert_eq!(p.set("core.nope", "1"), Err(cgsim_ktypes::Errno::EINVAL));
    p.set("core.mount_opts", "v4").unwrap();
    assert_eq!(p.mount_opts, MountOpts::V4);
    p.set("core.attach_exiting", "skip_3_10").unwrap();
    assert_eq!(p.attach_exiting, AttachExiting::Skip3_10);
}
