//! The Linux Test Project's helper programs that its shell library (`testcases/lib/tst_test.sh`,
//! `testcases/kernel/controllers/cgroup_lib.sh`) and the memcg functional tests call, as
//! simulated programs following the C helpers of LTP release 20250530 (`testcases/lib/*.c`,
//! `tools/apicmds/ltpapicmd.c` for `tst_ncpus`): [`checkpoint`] (`tst_checkpoint`, and the wake
//! that `memcg_process` does at start), [`cgctl`] (`tst_cgctl`, over `lib/tst_cgroup.c`'s
//! behaviour), [`tools`] (`tst_ncpus`, `tst_getconf`, `tst_kvcmp`, `tst_sleep`,
//! `tst_timeout_kill`, `tst_rod`, `tst_res_`, `tst_supported_fs`, `tst_device`).
//! See `docs/ltp.md` for running LTP's scripts from a checkout bound with `--bind`.

pub mod cgctl;
pub mod checkpoint;
pub mod tools;

use super::Registry;
use cgsim_cgroupfs::{Fd, Kernel};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    tools::register(r);
    cgctl::register(r);
    r.add(
        "tst_checkpoint",
        "tst_checkpoint wait TIMEOUT ID | wake TIMEOUT ID NR_WAKE",
        "LTP: wait on or wake a checkpoint of the test's $LTP_IPC_PATH page",
        super::Kind::Program(checkpoint::tst_checkpoint),
    );
    r.set_help(
        "tst_checkpoint",
        "Usage: tst_checkpoint wait TIMEOUT ID\n   or: tst_checkpoint wake TIMEOUT ID NR_WAKE\n       TIMEOUT - timeout in ms\n       ID - checkpoint id\n       NR_WAKE - number of processes to wake up\n",
    );
}

/// A result type of LTP's C library (`include/tst_res_flags.h`); the value is the exit status
/// `tst_brk` gives a helper that runs outside a test (`tst_vbrk_`: `exit(TTYPE_RESULT(ttype))`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TestRes {
    Pass = 0,
    Fail = 1,
    Brok = 2,
    Warn = 4,
    Info = 16,
    Conf = 32,
}

impl TestRes {
    pub fn name(self) -> &'static str {
        match self {
            TestRes::Pass => "TPASS",
            TestRes::Fail => "TFAIL",
            TestRes::Brok => "TBROK",
            TestRes::Warn => "TWARN",
            TestRes::Info => "TINFO",
            TestRes::Conf => "TCONF",
        }
    }
}

/// `print_result` of `lib/tst_test.c`: `FILE:LINE: TTYPE: MESSAGE` on standard error (no
/// colours: standard error is not a terminal in the simulation).
pub fn tst_print(k: &Kernel, pid: Pid, file: &str, line: u32, res: TestRes, msg: &str) {
    let text = format!("{file}:{line}: {}: {msg}\n", res.name());
    let _ = k.write(pid, Fd(2), text.as_bytes());
}

/// `tst_strerrno`'s form of an errno for `TERRNO` messages: `: ENODEV (19)`.
pub fn terrno(e: cgsim_ktypes::Errno) -> String {
    format!(": {} ({})", e.name(), e as i32)
}
