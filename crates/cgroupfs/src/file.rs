//! Open file descriptions: what an fd points at, with its offset and access mode.
//!
//! **Kernel:** `struct file` (`include/linux/fs.h`), `fs/read_write.c` `vfs_read`/`vfs_write`,
//! `fs/file_table.c` `fput`, 2.6.25. Several fds (after `fork` or `dup2`) share one description
//! and therefore one offset, as in the kernel.
//! **Differences:** a `/proc` file's text is generated when the file is opened (the kernel's
//! `seq_file` generates it at the first read), which is observably the same for `cat`.

use crate::ConsoleStream;
use crate::cgroupfs::CgFile;
use crate::eventfd::EventfdFile;
use cgsim_ktypes::Tracer;

/// What an open file description refers to.
pub enum FileKind<T: Tracer> {
    /// A regular tmpfs file: reads and writes go to the inode's content.
    Tmpfs { sb: u32, ino: u64 },
    /// A directory opened for reading (`read` fails with EISDIR; `readdir` takes paths).
    Dir,
    /// `/dev/null`.
    Null,
    /// `/dev/zero`.
    Zero,
    /// The console; the stream tag says how the shell shows what is written through it.
    Console(ConsoleStream),
    /// Text generated at open (a `/proc` file).
    Snapshot(Vec<u8>),
    /// `/proc/<pid>/oom_score_adj` or `oom_adj`: its text at open, and writes set the task's
    /// value.
    OomScoreAdj {
        pid: cgsim_ktypes::Pid,
        text: Vec<u8>,
        /// `oom_adj` rather than `oom_score_adj`.
        oom_adj: bool,
    },
    /// A debugfs fault-injection attribute or `/proc/PID/make-it-fail`: its text at open;
    /// writes go to `fault_inject.rs`.
    Knob {
        file: crate::fault_inject::KnobFile,
        text: Vec<u8>,
    },
    /// A cgroup control file, with the core's per-open state.
    Cgroup(CgFile<T>),
    /// An eventfd (`[eventfd]` anonymous inode).
    Eventfd(EventfdFile),
    /// One end of a pipe (`pipe:[ino]`).
    Pipe(crate::pipe::PipeEnd),
    /// `/proc/pressure/{io,memory,cpu}`: read at each read (`psi_show` of `psi_system`), and
    /// the trigger written through this open file (`seq->private`, `psi.rs`).
    ProcPressure {
        res: cgsim_cgroup::psi::PsiRes,
        trigger: Option<cgsim_cgroup::psi_group::TriggerKey>,
    },
    /// An inotify instance (`anon_inode:inotify`, `inotify.rs`).
    Inotify(crate::inotify::InotifyFile),
}

/// One open file description.
#[doc(alias = "file")]
pub struct OpenFile<T: Tracer> {
    pub kind: FileKind<T>,
    pub readable: bool,
    pub writable: bool,
    pub append: bool,
    pub nonblock: bool,
    /// `f_pos`.
    pub pos: u64,
    /// How many fds name this description (`f_count`).
    pub refs: usize,
    /// The mount the file was opened through (`f_path.mnt`), 0 for none; keeps `umount` busy.
    pub mnt: u64,
    /// The dentry it was opened through, for fsnotify (`fsnotify.rs`); `None` for files with
    /// no path (pipes, eventfd, inotify) and internal opens, which report no events.
    pub fsn: Option<Box<crate::fsnotify::FsnPath>>,
}

impl<T: Tracer> OpenFile<T> {
    pub fn new(kind: FileKind<T>, readable: bool, writable: bool) -> OpenFile<T> {
        OpenFile {
            kind,
            readable,
            writable,
            append: false,
            nonblock: false,
            pos: 0,
            refs: 0,
            mnt: 0,
            fsn: None,
        }
    }
}

/// Copy from `data` at `pos` into `buf`; returns the byte count (0 at or past the end).
pub fn read_at(data: &[u8], pos: u64, buf: &mut [u8]) -> usize {
    let start = usize::try_from(pos).unwrap_or(usize::MAX).min(data.len());
    let n = buf.len().min(data.len() - start);
    buf[..n].copy_from_slice(&data[start..start + n]);
    n
}

/// Write `src` into `data` at `pos`, zero-filling any hole.
pub fn write_at(data: &mut Vec<u8>, pos: usize, src: &[u8]) {
    if data.len() < pos {
        data.resize(pos, 0);
    }
    let end = pos + src.len();
    if data.len() < end {
        data.resize(end, 0);
    }
    data[pos..end].copy_from_slice(src);
}
