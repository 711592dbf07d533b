//! The VFS side of the devices controller: `inode_permission`'s call of
//! `devcgroup_inode_permission` (`fs/namei.c`, v2.6.35) when a device node is opened.
//!
//! **Kernel:** `security/device_cgroup.c` `devcgroup_inode_permission` (2.6.35's whitelist
//! check, or 3.10+'s `__devcgroup_check_permission`, by the preset's `devices.model`); the
//! rules themselves are `cgsim_cgroup::subsys::device_cgroup`.
//! **Differences:** the simulated `/dev` has character devices only (`null` 1:3, `zero` 1:5,
//! `console` 5:1) and no `mknod`, so `devcgroup_inode_mknod` is never reached from the shell.

use crate::Kernel;
use crate::namei::Attr;
use cgsim_cgroup::subsys::device_cgroup::{DevCgroup, DevNode, devcgroup_inode_permission};
use cgsim_ktypes::{Errno, Pid, Tracer};

impl<T: Tracer> Kernel<T> {
    /// `devcgroup_inode_permission(inode, mask)` for `pid` opening `attr` (read and/or
    /// write): EPERM when the task's devices cgroup does not grant the access. Nodes that are
    /// not character or block devices, and kernels without the subsystem, pass.
    pub(crate) fn devcgroup_inode_permission(
        &self,
        pid: Pid,
        attr: &Attr,
        read: bool,
        write: bool,
    ) -> Result<(), Errno> {
        let Some((major, minor)) = attr.rdev else {
            return Ok(());
        };
        // The simulated VFS has no block device nodes.
        if attr.file_type != crate::FileType::CharDevice {
            return Ok(());
        }
        let char_dev = true;
        let Some(id) = self.cgroups.subsys_id("devices") else {
            return Ok(());
        };
        // Lock order: Kernel::state -> cgroup_mutex -> css_set_lock (read) (task_subsys_state).
        let Some(dev) = self
            .cgroups
            .task_css(pid, id)
            .ok()
            .and_then(|css| css.private::<DevCgroup>())
        else {
            return Ok(());
        };
        devcgroup_inode_permission(
            &dev,
            DevNode {
                char_dev,
                major,
                minor,
            },
            read,
            write,
        )
    }
}
