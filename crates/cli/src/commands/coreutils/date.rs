//! `date` (coreutils 9.x `src/date.c`, glibc `strftime`): print the simulated time.
//!
//! **The clock:** the simulated kernel counts nanoseconds since boot and never reads the host
//! clock; `date` adds a fixed boot time, [`BOOT_EPOCH`] = 1280620800 (Sun Aug  1 00:00:00 UTC
//! 2010, the day v2.6.35 was released), so `date` right after start-up prints
//! `Sun Aug  1 00:00:00 UTC 2010` and `sleep 5; date +%s` prints 1280620805.
//!
//! **Differences:** the time zone is always UTC (`TZ` is not read; `-u` changes nothing);
//! `-d` accepts `@SECONDS`, `now`, `YYYY-MM-DD` and `YYYY-MM-DD HH:MM[:SS]`, not the whole of
//! coreutils' date grammar; the date cannot be set.

use super::{usage_error, write_out};
use crate::Shell;
use crate::commands::getopt::{Arg, l, sl};
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

/// Seconds since the Unix epoch at simulated boot.
pub const BOOT_EPOCH: i64 = 1_280_620_800;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "date",
        "date [-u] [-d @SECONDS|STRING] [-r FILE] [-R] [-I[FMT]] [+FORMAT]",
        "print the simulated date and time (boot is Sun Aug  1 00:00:00 UTC 2010)",
        Kind::External(date),
    );
    r.set_help("date", HELP);
}

const HELP: &str = "\
Usage: date [OPTION]... [+FORMAT]
Display date and time in the given FORMAT.

Mandatory arguments to long options are mandatory for short options too.
  -d, --date=STRING          display time described by STRING, not 'now'
  -I[FMT], --iso-8601[=FMT]  output date/time in ISO 8601 format.
                               FMT='date' for date only (the default),
                               'hours', 'minutes', 'seconds', or 'ns'
  -R, --rfc-email            output date and time in RFC 5322 format.
  -r, --reference=FILE       display the last modification time of FILE
  -u, --utc, --universal     print Coordinated Universal Time (UTC)
      --help        display this help and exit
      --version     output version information and exit

FORMAT controls the output.  Interpreted sequences are:

  %%   a literal %
  %a   abbreviated weekday name (e.g., Sun)
  %A   full weekday name (e.g., Sunday)
  %b   abbreviated month name (e.g., Jan)
  %B   full month name (e.g., January)
  %c   date and time (e.g., Thu Mar  3 23:05:25 2005)
  %C   century; like %Y, except omit last two digits (e.g., 20)
  %d   day of month (e.g., 01)
  %D   date; same as %m/%d/%y
  %e   day of month, space padded; same as %_d
  %F   full date; like %+4Y-%m-%d
  %H   hour (00..23)
  %I   hour (01..12)
  %j   day of year (001..366)
  %k   hour, space padded ( 0..23); same as %_H
  %l   hour, space padded ( 1..12); same as %_I
  %m   month (01..12)
  %M   minute (00..59)
  %n   a newline
  %N   nanoseconds (000000000..999999999)
  %p   locale's equivalent of either AM or PM; blank if not known
  %r   locale's 12-hour clock time (e.g., 11:11:04 PM)
  %R   24-hour hour and minute; same as %H:%M
  %s   seconds since the Epoch (1970-01-01 00:00 UTC)
  %S   second (00..60)
  %t   a tab
  %T   time; same as %H:%M:%S
  %u   day of week (1..7); 1 is Monday
  %w   day of week (0..6); 0 is Sunday
  %y   last two digits of year (00..99)
  %Y   year
  %z   +hhmm numeric time zone (e.g., -0400)
  %Z   alphabetic time zone abbreviation (e.g., EDT)

By default, date pads numeric fields with zeroes.
The following optional flags may follow '%':

  -  (hyphen) do not pad the field
  _  (underscore) pad with spaces
  0  (zero) pad with zeros
  ^  use upper case if possible
";

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    pub year: i64,
    /// 1..=12
    pub mon: u32,
    pub mday: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// 0 = Sunday
    pub wday: u32,
    /// 0-based day of the year
    pub yday: u32,
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A civil date to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `gmtime`.
pub fn gmtime(t: i64) -> Tm {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let (year, mon, mday) = civil(days);
    let yday = (days - days_from_civil(year, 1, 1)) as u32;
    Tm {
        year,
        mon,
        mday,
        hour: secs / 3600,
        min: secs / 60 % 60,
        sec: secs % 60,
        wday: (days + 4).rem_euclid(7) as u32,
        yday,
    }
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// glibc `strftime` in the C locale and UTC, with GNU's `-`, `_`, `0` and `^` flags.
pub fn strftime(fmt: &str, t: i64, nanos: u32) -> String {
    let tm = gmtime(t);
    let c: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] != '%' || i + 1 >= c.len() {
            out.push(c[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut pad: Option<char> = None;
        let mut upper = false;
        while i < c.len() && matches!(c[i], '-' | '_' | '0' | '^' | '#') {
            match c[i] {
                '^' => upper = true,
                '#' => {}
                p => pad = Some(p),
            }
            i += 1;
        }
        let Some(&conv) = c.get(i) else {
            out.push('%');
            break;
        };
        i += 1;
        let num = |v: i64, w: usize, def: char| -> String {
            match pad.unwrap_or(def) {
                '-' => v.to_string(),
                '_' => format!("{v:>w$}"),
                _ => format!("{v:0w$}"),
            }
        };
        let h12 = if tm.hour.is_multiple_of(12) {
            12
        } else {
            tm.hour % 12
        };
        let s = match conv {
            '%' => "%".to_string(),
            'a' => DAYS[tm.wday as usize][..3].to_string(),
            'A' => DAYS[tm.wday as usize].to_string(),
            'b' | 'h' => MONTHS[tm.mon as usize - 1][..3].to_string(),
            'B' => MONTHS[tm.mon as usize - 1].to_string(),
            'c' => strftime("%a %b %e %H:%M:%S %Y", t, nanos),
            'C' => num(tm.year.div_euclid(100), 2, '0'),
            'd' => num(tm.mday.into(), 2, '0'),
            'D' => strftime("%m/%d/%y", t, nanos),
            'e' => num(tm.mday.into(), 2, '_'),
            'F' => strftime("%Y-%m-%d", t, nanos),
            'H' => num(tm.hour.into(), 2, '0'),
            'I' => num(h12.into(), 2, '0'),
            'j' => num(i64::from(tm.yday) + 1, 3, '0'),
            'k' => num(tm.hour.into(), 2, '_'),
            'l' => num(h12.into(), 2, '_'),
            'm' => num(tm.mon.into(), 2, '0'),
            'M' => num(tm.min.into(), 2, '0'),
            'n' => "\n".to_string(),
            'N' => format!("{nanos:09}"),
            'p' => if tm.hour < 12 { "AM" } else { "PM" }.to_string(),
            'P' => if tm.hour < 12 { "am" } else { "pm" }.to_string(),
            'r' => strftime("%I:%M:%S %p", t, nanos),
            'R' => strftime("%H:%M", t, nanos),
            's' => t.to_string(),
            'S' => num(tm.sec.into(), 2, '0'),
            't' => "\t".to_string(),
            'T' => strftime("%H:%M:%S", t, nanos),
            'u' => (if tm.wday == 0 { 7 } else { tm.wday }).to_string(),
            'w' => tm.wday.to_string(),
            'x' => strftime("%m/%d/%y", t, nanos),
            'X' => strftime("%H:%M:%S", t, nanos),
            'y' => num(tm.year.rem_euclid(100), 2, '0'),
            'Y' => num(tm.year, 1, '0'),
            'z' => "+0000".to_string(),
            'Z' => "UTC".to_string(),
            ':' if c.get(i) == Some(&'z') => {
                i += 1;
                "+00:00".to_string()
            }
            other => format!("%{other}"),
        };
        if upper {
            out.push_str(&s.to_uppercase());
        } else {
            out.push_str(&s);
        }
    }
    out
}

/// `-d STRING`: seconds since the epoch, or `None` for coreutils' `invalid date`.
fn parse_date(s: &str, now: i64) -> Option<i64> {
    let t = s.trim();
    if let Some(n) = t.strip_prefix('@') {
        let n = n.trim();
        let int = n.split('.').next()?;
        return int.parse().ok();
    }
    if t.is_empty() || t.eq_ignore_ascii_case("now") || t.eq_ignore_ascii_case("today") {
        return Some(now);
    }
    let (d, time) = match t.split_once([' ', 'T']) {
        Some((a, b)) => (a, Some(b.trim())),
        None => (t, None),
    };
    let mut parts = d.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let mdays = [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if parts.next().is_some() || !(1..=12).contains(&m) || day == 0 || day > mdays[m as usize - 1] {
        return None;
    }
    let mut secs = 0i64;
    if let Some(tm) = time {
        let f: Vec<&str> = tm.split(':').collect();
        if f.len() < 2 || f.len() > 3 {
            return None;
        }
        let h: i64 = f[0].parse().ok()?;
        let mi: i64 = f[1].parse().ok()?;
        let se: i64 = f.get(2).map_or(Some(0), |x| x.parse().ok())?;
        if h > 23 || mi > 59 || se > 60 {
            return None;
        }
        secs = h * 3600 + mi * 60 + se;
    }
    Some(days_from_civil(y, m, day) * 86_400 + secs)
}

fn date(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('d', "date", Arg::Required),
        sl('u', "utc", Arg::No),
        l("universal", Arg::No),
        sl('R', "rfc-email", Arg::No),
        sl('I', "iso-8601", Arg::Optional),
        sl('r', "reference", Arg::Required),
    ];
    let Ok(p) = super::options(sh, pid, "date", argv, &opts, false, 1) else {
        return 1;
    };
    let nanos_now = sh.kernel().clock().now_nanos();
    let now = BOOT_EPOCH + (nanos_now / 1_000_000_000) as i64;
    let mut frac = (nanos_now % 1_000_000_000) as u32;
    let mut fmt = "%a %b %e %H:%M:%S %Z %Y".to_string();
    if p.operands.len() > 1 {
        usage_error(
            sh,
            pid,
            "date",
            &format!("extra operand '{}'", p.operands[1]),
        );
        return 1;
    }
    if let Some(op) = p.operands.first() {
        match op.strip_prefix('+') {
            Some(f) => fmt = f.to_string(),
            None => {
                if op.bytes().all(|b| b.is_ascii_digit()) && op.len() >= 8 {
                    sh.write_err(pid, "date: cannot set date: Operation not permitted\n");
                } else {
                    sh.write_err(pid, &format!("date: invalid date '{op}'\n"));
                }
                return 1;
            }
        }
    }
    if p.has("R") {
        fmt = "%a, %d %b %Y %H:%M:%S %z".to_string();
    }
    if let Some(g) = p.opts.iter().find(|g| g.key == "I") {
        fmt = match g.val.as_deref().unwrap_or("date") {
            "date" => "%Y-%m-%d",
            "hours" => "%Y-%m-%dT%H%:z",
            "minutes" => "%Y-%m-%dT%H:%M%:z",
            "seconds" => "%Y-%m-%dT%H:%M:%S%:z",
            "ns" => "%Y-%m-%dT%H:%M:%S,%N%:z",
            other => {
                sh.write_err(
                    pid,
                    &format!(
                        "date: invalid argument '{other}' for '--iso-8601'\nValid arguments are:\n  - 'hours'\n  - 'minutes'\n  - 'date'\n  - 'seconds'\n  - 'ns'\nTry 'date --help' for more information.\n"
                    ),
                );
                return 1;
            }
        }
        .to_string();
    }
    let mut t = now;
    if p.has("r") && p.has("d") {
        usage_error(
            sh,
            pid,
            "date",
            "the options to specify dates for printing are mutually exclusive",
        );
        return 1;
    }
    // -r FILE: the file's mtime (`stat`), nanoseconds included.
    if let Some(f) = p.last("r") {
        match sh.kernel().stat(pid, f) {
            Ok(st) => {
                t = BOOT_EPOCH + (st.mtime / 1_000_000_000) as i64;
                frac = (st.mtime % 1_000_000_000) as u32;
            }
            Err(e) => {
                sh.write_err(pid, &format!("date: {f}: {}\n", e.errno.strerror()));
                return 1;
            }
        }
    }
    if let Some(d) = p.last("d") {
        match parse_date(d, now) {
            Some(v) => {
                if v != now {
                    frac = 0;
                }
                t = v;
            }
            None => {
                sh.write_err(pid, &format!("date: invalid date '{d}'\n"));
                return 1;
            }
        }
    }
    let out = format!("{}\n", strftime(&fmt, t, frac));
    i32::from(!write_out(sh, pid, "date", out.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_glibc_strftime_in_utc() {
        assert_eq!(
            strftime("%a %b %e %H:%M:%S %Z %Y", 0, 0),
            "Thu Jan  1 00:00:00 UTC 1970"
        );
        assert_eq!(
            strftime("%a %b %e %H:%M:%S %Z %Y", BOOT_EPOCH, 0),
            "Sun Aug  1 00:00:00 UTC 2010"
        );
        assert_eq!(
            strftime("%F %T %j %u %s", 951_782_400, 0),
            "2000-02-29 00:00:00 060 2 951782400"
        );
        assert_eq!(strftime("%-d/%_m/%^a", 951_782_400, 0), "29/ 2/TUE");
        assert_eq!(parse_date("@86400", 0), Some(86_400));
        assert_eq!(parse_date("2010-08-01 00:00:05", 0), Some(BOOT_EPOCH + 5));
        assert_eq!(parse_date("2010-02-30", 0), None);
        assert_eq!(parse_date("xyz", 0), None);
    }
}
