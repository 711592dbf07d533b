//! C `printf` conversions (`%d %i %o %u %x %X %c %s %e %E %f %F %g %G %%` with flags
//! `-+ #0`, width and precision), as glibc formats them: what `awk`'s `printf`/`sprintf`
//! and `seq -f` print.

/// The largest width or precision honoured.
pub const MAX_WIDTH: usize = 1 << 20;

/// One conversion specification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spec {
    pub minus: bool,
    pub plus: bool,
    pub space: bool,
    pub alt: bool,
    pub zero: bool,
    /// `None`: not given; `Some(None)`: `*` (taken from the arguments).
    pub width: Option<Option<usize>>,
    pub prec: Option<Option<usize>>,
    pub conv: char,
}

/// Parse the specification after a `%` at `s[i..]`; returns it and the index after it, or
/// `None` when no conversion letter follows.
pub fn parse_spec(s: &[char], mut i: usize) -> Option<(Spec, usize)> {
    let mut sp = Spec::default();
    while let Some(&c) = s.get(i) {
        match c {
            '-' => sp.minus = true,
            '+' => sp.plus = true,
            ' ' => sp.space = true,
            '#' => sp.alt = true,
            '0' => sp.zero = true,
            _ => break,
        }
        i += 1;
    }
    let num = |i: &mut usize| -> Option<Option<usize>> {
        if s.get(*i) == Some(&'*') {
            *i += 1;
            return Some(None);
        }
        let start = *i;
        while s.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        // Widths and precisions are capped at 2^20 (glibc fails with EOVERFLOW past INT_MAX).
        (*i > start).then(|| {
            s[start..*i]
                .iter()
                .collect::<String>()
                .parse::<usize>()
                .ok()
                .map(|n| n.min(MAX_WIDTH))
        })
    };
    sp.width = num(&mut i);
    if s.get(i) == Some(&'.') {
        i += 1;
        sp.prec = Some(num(&mut i).unwrap_or(Some(0)));
    }
    // Length modifiers mean nothing here.
    while s
        .get(i)
        .is_some_and(|c| matches!(c, 'h' | 'l' | 'L' | 'q' | 'j' | 'z' | 't'))
    {
        i += 1;
    }
    let c = *s.get(i)?;
    if !"diouxXcseEfFgGaA%".contains(c) {
        return None;
    }
    sp.conv = c;
    Some((sp, i + 1))
}

impl Spec {
    fn width(&self) -> usize {
        self.width.flatten().unwrap_or(0).min(MAX_WIDTH)
    }

    fn prec(&self) -> Option<usize> {
        self.prec.map(|p| p.unwrap_or(0).min(MAX_WIDTH))
    }

    /// Pad `body` (sign and digits already together) to the width.
    fn pad(&self, sign: &str, digits: &str, numeric: bool) -> String {
        let w = self.width();
        let len = sign.chars().count() + digits.chars().count();
        if len >= w {
            return format!("{sign}{digits}");
        }
        let fill = w - len;
        if self.minus {
            format!("{sign}{digits}{}", " ".repeat(fill))
        } else if self.zero && numeric {
            format!("{sign}{}{digits}", "0".repeat(fill))
        } else {
            format!("{}{sign}{digits}", " ".repeat(fill))
        }
    }

    fn sign(&self, neg: bool) -> &'static str {
        if neg {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }

    /// `%d %i %o %u %x %X` of an integer.
    pub fn int(&self, v: i128) -> String {
        let neg = v < 0;
        let a = v.unsigned_abs();
        let mut digits = match self.conv {
            'o' => format!("{a:o}"),
            'x' => format!("{a:x}"),
            'X' => format!("{a:X}"),
            _ => a.to_string(),
        };
        if let Some(p) = self.prec() {
            if p == 0 && a == 0 {
                digits.clear();
            }
            while digits.len() < p {
                digits.insert(0, '0');
            }
        }
        if self.alt && a != 0 {
            match self.conv {
                'o' if !digits.starts_with('0') => digits.insert(0, '0'),
                'x' => digits.insert_str(0, "0x"),
                'X' => digits.insert_str(0, "0X"),
                _ => {}
            }
        }
        let sign = if matches!(self.conv, 'd' | 'i') {
            self.sign(neg)
        } else {
            ""
        };
        let zero_ok = self.prec.is_none();
        let s = Spec {
            zero: self.zero && zero_ok,
            ..self.clone()
        };
        s.pad(sign, &digits, true)
    }

    /// `%e %f %g %E %F %G` (and `%a` as `%e`) of a float.
    pub fn float(&self, v: f64) -> String {
        let neg = v.is_sign_negative();
        let a = v.abs();
        let upper = self.conv.is_ascii_uppercase();
        if !a.is_finite() {
            let t = if a.is_nan() { "nan" } else { "inf" };
            let t = if upper {
                t.to_uppercase()
            } else {
                t.to_string()
            };
            return self.pad(self.sign(neg && !a.is_nan()), &t, false);
        }
        let p = self.prec().unwrap_or(6);
        let body = match self.conv.to_ascii_lowercase() {
            'f' => fixed(a, p, self.alt),
            'e' | 'a' => exp(a, p, self.alt, upper),
            _ => general(a, p, self.alt, upper),
        };
        self.pad(self.sign(neg), &body, true)
    }

    /// `%s` (precision truncates) and `%c`.
    pub fn string(&self, s: &str) -> String {
        let t: String = match self.prec() {
            Some(p) if self.conv == 's' => s.chars().take(p).collect(),
            _ => s.to_string(),
        };
        self.pad("", &t, false)
    }
}

fn fixed(a: f64, p: usize, alt: bool) -> String {
    let mut s = format!("{a:.p$}");
    if alt && p == 0 {
        s.push('.');
    }
    s
}

fn exp(a: f64, p: usize, alt: bool, upper: bool) -> String {
    let s = format!("{a:.p$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let mut m = m.to_string();
    if alt && p == 0 {
        m.push('.');
    }
    let sign = if e < 0 { '-' } else { '+' };
    let ec = if upper { 'E' } else { 'e' };
    format!("{m}{ec}{sign}{:02}", e.abs())
}

/// `%g`: `%e` if the exponent is < -4 or >= the precision, else `%f`; trailing zeros go
/// unless `#`.
fn general(a: f64, p: usize, alt: bool, upper: bool) -> String {
    let p = if p == 0 { 1 } else { p };
    // The exponent after rounding to p significant digits.
    let e = if a == 0.0 {
        0
    } else {
        let s = format!("{a:.*e}", p - 1);
        s.split_once('e').map_or(0, |(_, e)| e.parse().unwrap_or(0))
    };
    let mut s = if e < -4 || e >= p as i32 {
        exp(a, p - 1, alt, upper)
    } else {
        fixed(a, (p as i32 - 1 - e).max(0) as usize, alt)
    };
    if !alt {
        let (mant, tail) = match s.find(['e', 'E']) {
            Some(i) => (s[..i].to_string(), s[i..].to_string()),
            None => (s.clone(), String::new()),
        };
        if mant.contains('.') {
            let m = mant.trim_end_matches('0').trim_end_matches('.');
            s = format!("{m}{tail}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(spec: &str, v: f64) -> String {
        let c: Vec<char> = spec.chars().collect();
        parse_spec(&c, 1).unwrap().0.float(v)
    }

    fn d(spec: &str, v: i128) -> String {
        let c: Vec<char> = spec.chars().collect();
        parse_spec(&c, 1).unwrap().0.int(v)
    }

    #[test]
    fn floats_format_as_glibc() {
        assert_eq!(f("%g", 0.1), "0.1");
        assert_eq!(f("%g", 100000.0), "100000");
        assert_eq!(f("%g", 1000000.0), "1e+06");
        assert_eq!(f("%g", 0.0001), "0.0001");
        assert_eq!(f("%g", 0.00001), "1e-05");
        assert_eq!(f("%.6g", 1.23456789), "1.23457");
        assert_eq!(f("%e", 12345.678), "1.234568e+04");
        assert_eq!(f("%.2f", 2.345), "2.35");
        assert_eq!(f("%08.3f", -3.5), "-003.500");
        assert_eq!(f("%-6.1f", 1.25), "1.2   ");
        assert_eq!(f("%G", 1e-10), "1E-10");
    }

    #[test]
    fn integers_format_as_glibc() {
        assert_eq!(d("%5d", 42), "   42");
        assert_eq!(d("%-5d", 42), "42   ");
        assert_eq!(d("%05d", -42), "-0042");
        assert_eq!(d("%x", 255), "ff");
        assert_eq!(d("%#o", 8), "010");
        assert_eq!(d("%+d", 3), "+3");
        assert_eq!(d("%.3d", 7), "007");
    }
}
