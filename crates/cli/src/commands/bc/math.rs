//! `bc -l`'s math library (GNU bc 1.07 `libmath.b`): `s(x)`, `c(x)`, `a(x)`, `l(x)`, `e(x)`
//! and `j(n,x)`, each answering at the caller's `scale`.
//!
//! GNU bc defines these in bc; each function here takes the same arithmetic steps with bc's
//! own rules (every product, quotient and square root truncated at the `scale` of the moment,
//! the working `scale` raised and restored as the library does), so the digits printed,
//! including the last one, are GNU bc's: `e(x)` halves `x` below 1 and squares the Taylor
//! sum back at `scale + 6 + 0.44x`; `l(x)` takes square roots until `x` is in (0.5, 2) and
//! sums `2·atanh((x-1)/(x+1))` at `scale + 6`; `s(x)` reduces `x` by multiples of π/2
//! (`a(1)` at `1.1·scale + 2`) and sums the series at `scale + 2`; `c(x)` is
//! `s(x + π/2)` at `1.2·scale`; `a(x)` uses `atan(x) = atan(.2) + atan((x-.2)/(1+.2x))` at
//! `scale + 3` with π/4 and `atan(.2)` as constants up to 60 digits; `j(n,x)` sums the
//! series of the Bessel function at `1.5·scale` plus the factor's digits. `l(x)` for
//! `x <= 0` answers `1 - 10^scale`.
//!
//! **Differences:** `e(x)` for `|x|` above 20000 (a result of about 8700 digits or more) is a
//! runtime error instead of a long computation.

use super::{Dec, RtErr};
use std::cmp::Ordering;

/// A decimal constant (`.2`, `.7853...`).
fn num(t: &str) -> Dec {
    let (i, f) = t.split_once('.').unwrap_or((t, ""));
    Dec {
        m: format!("{i}{f}").parse().unwrap_or_default(),
        s: f.len() as u32,
    }
}

/// An integer value for `scale = EXPR` (bc truncates it).
fn as_scale(d: &Dec) -> Result<u32, RtErr> {
    u32::try_from(d.to_i64())
        .ok()
        .filter(|&s| s <= super::MAX_DIGITS)
        .ok_or_else(|| RtErr("cgsim: scale too large for the math library".into()))
}

fn div(a: &Dec, b: &Dec, scale: u32) -> Result<Dec, RtErr> {
    a.div(b, scale)
        .ok_or_else(|| RtErr("Divide by zero".into()))
}

fn gt(a: &Dec, b: &Dec) -> bool {
    a.cmp(b) == Ordering::Greater
}

/// `e(x)`.
pub(super) fn exp(x: &Dec, scale: u32) -> Result<Dec, RtErr> {
    let neg = x.m < 0.into();
    let mut x = if neg { x.neg() } else { x.clone() };
    if gt(&x, &Dec::int(20_000)) {
        return Err(RtErr("cgsim: argument too large for e()".into()));
    }
    let z = scale;
    // The working scale for the sum, and x halved (f times) until it is at most 1.
    let n = as_scale(&Dec::int(6 + i64::from(z)).add(&num(".44").mul(&x, z)))?;
    let mut sc = x.s + 1;
    let mut f = 0;
    while gt(&x, &Dec::int(1)) {
        f += 1;
        x = div(&x, &Dec::int(2), sc)?;
        sc += 1;
    }
    sc = n;
    let mut v = Dec::int(1).add(&x);
    let (mut a, mut d) = (x.clone(), Dec::int(1));
    let mut i = 2i64;
    loop {
        a = a.mul(&x, sc);
        d = d.mul(&Dec::int(i), sc);
        let e = div(&a, &d, sc)?;
        if e.is_zero() {
            for _ in 0..f {
                v = v.mul(&v, sc);
            }
            return if neg {
                div(&Dec::int(1), &v, z)
            } else {
                div(&v, &Dec::int(1), z)
            };
        }
        v = v.add(&e);
        i += 1;
    }
}

/// `l(x)` (natural logarithm).
pub(super) fn ln(x: &Dec, scale: u32) -> Result<Dec, RtErr> {
    if x.m <= 0.into() {
        let t = Dec::int(1).add(
            &Dec::int(10)
                .pow(i64::from(scale), scale)
                .unwrap_or(Dec::int(0))
                .neg(),
        );
        return div(&t, &Dec::int(1), scale);
    }
    let z = scale;
    let sc = 6 + z;
    let mut x = x.clone();
    let mut f = Dec::int(2);
    while x.cmp(&Dec::int(2)) != Ordering::Less {
        f = f.mul(&Dec::int(2), sc);
        x = x.sqrt(sc).unwrap_or(Dec::int(0));
    }
    while x.cmp(&num(".5")) != Ordering::Greater {
        f = f.mul(&Dec::int(2), sc);
        x = x.sqrt(sc).unwrap_or(Dec::int(0));
    }
    let mut n = div(&x.add(&Dec::int(-1)), &x.add(&Dec::int(1)), sc)?;
    let mut v = n.clone();
    let m = n.mul(&n, sc);
    let mut i = 3i64;
    loop {
        n = n.mul(&m, sc);
        let e = div(&n, &Dec::int(i), sc)?;
        if e.is_zero() {
            v = f.mul(&v, sc);
            return div(&v, &Dec::int(1), z);
        }
        v = v.add(&e);
        i += 2;
    }
}

/// `s(x)` (sine, radians).
pub(super) fn sin(x: &Dec, scale: u32) -> Result<Dec, RtErr> {
    let z = scale;
    let sc = as_scale(&num("1.1").mul(&Dec::int(i64::from(z)), z).add(&Dec::int(2)))?;
    // π/4 at the raised scale; x reduced by the nearest multiple of π/2... in units of π/4.
    let quarter = atan(&Dec::int(1), sc)?;
    let neg = x.m < 0.into();
    let mut x = if neg { x.neg() } else { x.clone() };
    let n = div(&div(&x, &quarter, 0)?.add(&Dec::int(2)), &Dec::int(4), 0)?;
    x = x.add(&Dec::int(4).mul(&n, 0).mul(&quarter, 0).neg());
    if !n.rem(&Dec::int(2), 0).is_some_and(|r| r.is_zero()) {
        x = x.neg();
    }
    let sc = z + 2;
    let (mut v, mut e) = (x.clone(), x.clone());
    let s = x.neg().mul(&x, sc);
    let mut i = 3i64;
    loop {
        e = e.mul(&div(&s, &Dec::int(i * (i - 1)), sc)?, sc);
        if e.is_zero() {
            let v = if neg { v.neg() } else { v };
            return div(&v, &Dec::int(1), z);
        }
        v = v.add(&e);
        i += 2;
    }
}

/// `c(x)` (cosine, radians): `s(x + π/2)` at a higher scale.
pub(super) fn cos(x: &Dec, scale: u32) -> Result<Dec, RtErr> {
    let z = scale;
    let sc = as_scale(&Dec::int(i64::from(z)).mul(&num("1.2"), z))?;
    let half_pi = atan(&Dec::int(1), sc)?.mul(&Dec::int(2), sc);
    let v = sin(&x.add(&half_pi), sc)?;
    div(&v, &Dec::int(1), z)
}

/// π/4 and atan(.2) to 60 digits: `a(1)` and `a(.2)` answer from them up to scale 60.
const QUARTER_PI: &str = ".785398163397448309615660845819875721049292349843776455243736";
const ATAN_FIFTH: &str = ".197395559849880758370049765194790293447585103787852101517688";

/// The constant cut to 25, 40 or 60 digits, as the library holds it, for `scale`.
fn known(c: &str, scale: u32) -> Option<Dec> {
    let digits = match scale {
        0..=25 => 25,
        26..=40 => 40,
        41..=60 => 60,
        _ => return None,
    };
    Some(num(&c[..=digits]))
}

/// `a(x)` (arctangent, radians).
pub(super) fn atan(x: &Dec, scale: u32) -> Result<Dec, RtErr> {
    let neg = x.m < 0.into();
    let m = Dec::int(if neg { -1 } else { 1 });
    let mut x = if neg { x.neg() } else { x.clone() };
    let fifth = num(".2");
    for (at, c) in [(Dec::int(1), QUARTER_PI), (fifth.clone(), ATAN_FIFTH)] {
        if x.cmp(&at) == Ordering::Equal
            && let Some(k) = known(c, scale)
        {
            return div(&k, &m, scale);
        }
    }
    let z = scale;
    let mut a = Dec::int(0);
    if gt(&x, &fifth) {
        a = atan(&fifth, z + 5)?;
    }
    let sc = z + 3;
    let mut f = 0i64;
    while gt(&x, &fifth) {
        f += 1;
        let den = Dec::int(1).add(&x.mul(&fifth, sc));
        x = div(&x.add(&fifth.neg()), &den, sc)?;
    }
    let (mut v, mut n) = (x.clone(), x.clone());
    let s = x.neg().mul(&x, sc);
    let mut i = 3i64;
    loop {
        n = n.mul(&s, sc);
        let e = div(&n, &Dec::int(i), sc)?;
        if e.is_zero() {
            let t = Dec::int(f).mul(&a, z).add(&v);
            return div(&t, &m, z);
        }
        v = v.add(&e);
        i += 2;
    }
}

/// `j(n,x)`: the Bessel function of integer order `n` (the integer part of `n`).
pub(super) fn bessel_j(n: &Dec, x: &Dec, scale: u32) -> Result<Dec, RtErr> {
    let z = scale;
    let mut n = div(n, &Dec::int(1), 0)?;
    let mut odd_neg = false;
    if n.m < 0.into() {
        n = n.neg();
        odd_neg = n
            .rem(&Dec::int(2), 0)
            .is_some_and(|r| r.cmp(&Dec::int(1)).is_eq());
    }
    let ni = n.to_i64();
    if ni > 100_000 {
        return Err(RtErr("cgsim: order too large for j()".into()));
    }
    let mut fact = Dec::int(1);
    for i in 2..=ni {
        fact = fact.mul(&Dec::int(i), 0);
    }
    let sc = as_scale(&num("1.5").mul(&Dec::int(i64::from(z)), 0))?;
    let too_big = || RtErr("exponent too large in raise".into());
    let xn = x.pow(ni, sc).ok_or_else(too_big)?;
    let two_n = Dec::int(2).pow(ni, sc).ok_or_else(too_big)?;
    let f = div(&div(&xn, &two_n, sc)?, &fact, sc)?;
    let (mut v, mut e) = (Dec::int(1), Dec::int(1));
    let s = div(&x.neg().mul(x, sc), &Dec::int(4), sc)?;
    let sc = as_scale(
        &num("1.5")
            .mul(&Dec::int(i64::from(z)), sc)
            .add(&Dec::int(i64::from(f.length())))
            .add(&Dec::int(-i64::from(f.s))),
    )?;
    let mut i = 1i64;
    loop {
        e = div(
            &div(&e.mul(&s, sc), &Dec::int(i), sc)?,
            &Dec::int(ni + i),
            sc,
        )?;
        if e.is_zero() {
            let fv = f.mul(&v, z);
            let fv = if odd_neg { fv.neg() } else { fv };
            return div(&fv, &Dec::int(1), z);
        }
        v = v.add(&e);
        i += 1;
    }
}
