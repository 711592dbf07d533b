//! Every command's `--help` text: the real tool's layout, usage lines and option spellings, in
//! cgsim's own words, listing the options cgsim simulates.

macro_rules! gnu {
    ($name:literal, $body:expr) => {
        concat!(
            $body,
            "      --help        display this help and exit\n",
            "      --version     output version information and exit\n",
            "\nGNU coreutils online help: <https://www.gnu.org/software/coreutils/>\n",
            "Full documentation <https://www.gnu.org/software/coreutils/",
            $name,
            ">\n"
        )
    };
}

/// util-linux's layout: blank line, `Usage:`, synopsis, description, options, then `-h` and
/// `-V` (`COL` pads ` -V, --version` to the tool's description column) and `For more details
/// see`.
macro_rules! util_linux {
    ($name:literal, $section:literal, $body:expr, $col:literal) => {
        concat!(
            "\n",
            $body,
            "\n -h, --help",
            $col,
            "   display this help\n -V, --version",
            $col,
            "display version\n",
            "\nFor more details see ",
            $name,
            "(",
            $section,
            ").\n"
        )
    };
}

/// Every command's `--help` text (what cgsim simulates of the real tool).
pub static HELP: &[(&str, &str)] = &[
    (
        "ls",
        gnu!(
            "ls",
            "Usage: ls [OPTION]... [FILE]...
List information about the FILEs (the current directory by default),
sorted by name.

Mandatory arguments to long options are mandatory for short options too.
  -a, --all                  also list entries whose names start with .
  -d, --directory            list directories themselves, not their contents
  -l                         use a long listing format
  -1                         list one file per line\n"
        ),
    ),
    (
        "cat",
        gnu!(
            "cat",
            "Usage: cat [OPTION]... [FILE]...
Concatenate FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.
\n"
        ),
    ),
    (
        "mkdir",
        gnu!(
            "mkdir",
            "Usage: mkdir [OPTION]... DIRECTORY...
Create the DIRECTORY(ies), if they do not already exist.

Mandatory arguments to long options are mandatory for short options too.
  -m, --mode=MODE   set the file mode (octal), instead of 0777 minus the umask
  -p, --parents     make missing parent directories too; no error if a
                    directory exists already\n"
        ),
    ),
    (
        "rmdir",
        gnu!(
            "rmdir",
            "Usage: rmdir [OPTION]... DIRECTORY...
Remove the DIRECTORY(ies), if they are empty.
\n"
        ),
    ),
    (
        "chmod",
        gnu!(
            "chmod",
            "Usage: chmod [OPTION]... MODE[,MODE]... FILE...
  or:  chmod [OPTION]... OCTAL-MODE FILE...
  or:  chmod [OPTION]... --reference=RFILE FILE...
Change the mode of each FILE to MODE (cgsim takes octal modes).

  -R, --recursive        change files and directories recursively\n"
        ),
    ),
    (
        "chown",
        gnu!(
            "chown",
            "Usage: chown [OPTION]... [OWNER][:[GROUP]] FILE...
  or:  chown [OPTION]... --reference=RFILE FILE...
Change the owner and/or group of each FILE to OWNER and/or GROUP.

  -R, --recursive        operate on files and directories recursively\n"
        ),
    ),
    (
        "grep",
        concat!(
            "Usage: grep [OPTION]... PATTERNS [FILE]...\n",
            "Search for PATTERNS in each FILE.\n",
            "Example: grep -i 'hello world' menu.h main.c\n",
            "(cgsim matches PATTERNS as fixed strings.)\n",
            "\n",
            "Pattern selection and interpretation:\n",
            "  -i, --ignore-case         ignore case distinctions in patterns and data\n",
            "  -w, --word-regexp         match only whole words\n",
            "\n",
            "Miscellaneous:\n",
            "  -v, --invert-match        select non-matching lines\n",
            "  -V, --version             display version information and exit\n",
            "      --help                display this help text and exit\n",
            "\n",
            "Output control:\n",
            "  -c, --count               print only a count of selected lines per FILE\n",
            "  -q, --quiet, --silent     suppress all normal output\n",
            "\n",
            "When FILE is '-', read standard input.  With no FILE, read standard input.\n",
            "Exit status is 0 if any line is selected, 1 otherwise;\n",
            "if any error occurs and -q is not given, the exit status is 2.\n",
            "\n",
            "Report bugs to: bug-grep@gnu.org\n",
            "GNU grep home page: <https://www.gnu.org/software/grep/>\n",
        ),
    ),
    (
        "wc",
        gnu!(
            "wc",
            "Usage: wc [OPTION]... [FILE]...
Print newline, word, and byte counts for each FILE, and a total line if
more than one FILE is specified.  With no FILE, or when FILE is -,
read standard input.

The options below select which counts are printed, always in the order:
newline, word, byte.
  -c, --bytes            print the byte counts
  -l, --lines            print the newline counts
  -w, --words            print the word counts\n"
        ),
    ),
    (
        "head",
        gnu!(
            "head",
            "Usage: head [OPTION]... [FILE]...
Print the first 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -c, --bytes=NUM          print the first NUM bytes of each file
  -n, --lines=NUM          print the first NUM lines instead of the first 10
  -q, --quiet, --silent    never print headers giving file names
  -v, --verbose            always print headers giving file names\n"
        ),
    ),
    (
        "tail",
        gnu!(
            "tail",
            "Usage: tail [OPTION]... [FILE]...
Print the last 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -c, --bytes=[+]NUM       print the last NUM bytes; or use -c +NUM to start
                             at byte NUM of each file
  -n, --lines=[+]NUM       print the last NUM lines instead of the last 10;
                             or use -n +NUM to start at line NUM
  -q, --quiet, --silent    never print headers giving file names
  -v, --verbose            always print headers giving file names\n"
        ),
    ),
    (
        "id",
        gnu!(
            "id",
            "Usage: id [OPTION]... [USER]...
Print user and group information of the current process.
\n"
        ),
    ),
    (
        "sleep",
        gnu!(
            "sleep",
            "Usage: sleep NUMBER[SUFFIX]...
  or:  sleep OPTION
Pause for NUMBER seconds of the simulated clock.  SUFFIX may be 's' for
seconds (the default), 'm' for minutes, 'h' for hours or 'd' for days.
NUMBER need not be an integer.  With two or more arguments, pause for the
sum of their values.
\n"
        ),
    ),
    (
        "dd",
        gnu!(
            "dd",
            "Usage: dd [OPERAND]...
  or:  dd OPTION
Copy a file, according to the operands.

  bs=BYTES        read and write up to BYTES bytes at a time (default: 512)
  count=N         copy only N input blocks
  if=FILE         read from FILE instead of standard input
  of=FILE         write to FILE instead of standard output
  status=LEVEL    what to print on standard error: 'none' prints nothing but
                  errors, 'noxfer' leaves out the final transfer statistics

N and BYTES may be followed by these multiplicative suffixes:
c=1, w=2, b=512, kB=1000, K=1024, MB=1000*1000, M=1024*1024,
GB=1000*1000*1000, G=1024*1024*1024.
\n"
        ),
    ),
    (
        "mount",
        util_linux!(
            "mount",
            "8",
            "Usage:
 mount [-lhV]
 mount [options] <source> <directory>

Mount a filesystem (cgsim: cgroup, tmpfs and proc).

Options:
 -n, --no-mtab           don't write to /etc/mtab
 -o, --options <list>    comma-separated list of mount options
 -t, --types <list>      the filesystem type
 -v, --verbose           say what is being done\n",
            "           "
        ),
    ),
    (
        "umount",
        util_linux!(
            "umount",
            "8",
            "Usage:
 umount [-hV]
 umount [options] <source> | <directory>

Unmount filesystems.

Options:\n",
            "           "
        ),
    ),
    (
        "swapon",
        util_linux!(
            "swapon",
            "8",
            "Usage:
 swapon [options] [<spec>]

Enable devices and files for paging and swapping.

Options:
 -a, --all                enable all swaps from /etc/fstab
 -s, --summary            display summary about used swap devices (DEPRECATED)\n",
            "            "
        ),
    ),
    (
        "swapoff",
        util_linux!(
            "swapoff",
            "8",
            "Usage:
 swapoff [options] [<spec>]

Disable devices and files for paging and swapping.

Options:
 -a, --all              disable all swaps from /proc/swaps\n",
            "          "
        ),
    ),
    (
        "dmesg",
        util_linux!(
            "dmesg",
            "1",
            "Usage:
 dmesg [options]

Display or control the kernel ring buffer.

Options:
 -C, --clear                 clear the kernel ring buffer
 -c, --read-clear            read and clear all messages\n",
            "               "
        ),
    ),
    (
        "setpriv",
        util_linux!(
            "setpriv",
            "1",
            "Usage:
 setpriv [options] <program> [<argument>...]

Run a program with different privilege settings.

Options:
 --ruid <uid|user>           set real uid
 --rgid <gid|user>           set real gid
 --reuid <uid|user>          set real and effective uid
 --regid <gid|group>         set real and effective gid
 --clear-groups              clear supplementary groups
 --keep-groups               keep supplementary groups
 --init-groups               initialize supplementary groups\n",
            "               "
        ),
    ),
    (
        "free",
        concat!(
            "\n",
            "Usage:\n",
            " free [options]\n",
            "\n",
            "Options:\n",
            " -b, --bytes         show output in bytes\n",
            " -k, --kibi          show output in kibibytes\n",
            " -m, --mebi          show output in mebibytes\n",
            " -g, --gibi          show output in gibibytes\n",
            " -h, --human         show human-readable output\n",
            " -t, --total         show total for RAM + swap\n",
            "\n",
            "     --help     display this help and exit\n",
            " -V, --version  output version information and exit\n",
            "\n",
            "For more details see free(1).\n",
        ),
    ),
    (
        "pagecache",
        concat!(
            "Usage: pagecache FILE...\n",
            "Read each FILE to its end, so that its pages enter the page cache and are\n",
            "charged to the reader's memory cgroup as cache, printing nothing.\n",
            "(A cgsim command: it does what `cat FILE > /dev/null` does.)\n",
            "\n",
            "      --help        display this help and exit\n",
        ),
    ),
];
