//! Which distribution's tools a kernel preset comes with.
//!
//! A learner who boots the 2.6.35 preset reads a RHEL 6 tutorial, so the tools they type must
//! answer as RHEL 6's did, not as today's: `mount` is util-linux-ng 2.17.2 (its own error
//! messages, `/etc/mtab` kept by mount(8) itself), `ps` is procps 3.2.8 with Red Hat's cgroup
//! patch. The 3.x presets come with RHEL 7's tools (util-linux 2.23.2 on libmount, procps-ng
//! 3.3.10), 4.19 and 6.6 with Debian 12's (util-linux 2.38.1, procps-ng 4.0.2), which are what
//! the rest of the simulator's commands follow.
//!
//! **Follows:** the packages of each release: RHEL 6.0 ships `util-linux-ng-2.17.2` and
//! `procps-3.2.8` (its spec file applies `procps-3.2.7-ps-cgroup.patch`, "added cgroup display
//! to ps"); RHEL 7.0 ships `util-linux-2.23.2` and `procps-ng-3.3.10`.
//! **Differences:** coreutils, grep, sed and the shell follow Debian 12 on every preset; only
//! `mount`, `umount` and `ps`, whose output tutorials show and whose wording changed, follow
//! the preset.

use crate::Shell;
use cgsim_cgroupfs::KernelVersion;

/// The userland a preset carries (`docs/profiles.md`, "The userland").
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Userland {
    /// RHEL 6: util-linux-ng 2.17.2, procps 3.2.8 (with Red Hat's `cgroup` column).
    Rhel6,
    /// RHEL 7: util-linux 2.23.2, procps-ng 3.3.10.
    Rhel7,
    /// Debian 12: util-linux 2.38.1, procps-ng 4.0.2.
    Debian12,
}

impl Userland {
    /// The userland of a kernel version: 2.6.25 and 2.6.35 run RHEL 6's tools, 3.10 and 3.19
    /// RHEL 7's, 4.19 and 6.6 Debian 12's.
    pub fn of_kernel(v: KernelVersion) -> Userland {
        match v {
            KernelVersion::V2_6_25 | KernelVersion::V2_6_35 => Userland::Rhel6,
            KernelVersion::V3_10 | KernelVersion::V3_19 => Userland::Rhel7,
            _ => Userland::Debian12,
        }
    }

    /// The userland of the shell's kernel (its preset, whatever `--set` changed).
    pub fn of(sh: &Shell) -> Userland {
        Userland::of_kernel(sh.kernel().params().kernel)
    }
}
