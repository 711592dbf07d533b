//! The limit-file parsers of each era as tables: `kernel/res_counter.c` `res_counter_memparse_write_strategy`, v2.6.34 (res_counter) and `mm/page_counter.c` `page_counter_memparse` (page_counter).

use cgsim_counters::{
    Counter, PAGE_COUNTER_MAX, PageCounter, PageCounterProfile, RES_COUNTER_MAX, RESOURCE_MAX,
    ResCounterProfile, ResMember, SpinResCounter,
};
use cgsim_ktypes::{Bytes, CpuId, Errno, NoTrace, Pages};

fn res(profile: ResCounterProfile) -> SpinResCounter {
    SpinResCounter::new_root(profile, 0)
}

#[test]
fn res_counter_memparse_write_strategy_by_era() {
    use ResCounterProfile as P;
    let e = Err(Errno::EINVAL);
    let rows: &[(&str, ResCounterProfile, Result<u64, Errno>)] = &[
        ("4M", P::V2_6_34, Ok(4 << 20)),
        ("4m", P::V2_6_34, Ok(4 << 20)),
        ("1", P::V2_6_34, Ok(4096)),
        ("4097", P::V2_6_34, Ok(8192)),
        ("0", P::V2_6_34, Ok(0)),
        ("", P::V2_6_34, Ok(0)),
        ("010", P::V2_6_34, Ok(4096)),
        ("0x1000", P::V2_6_34, Ok(4096)),
        ("1k", P::V2_6_34, Ok(4096)),
        ("4MB", P::V2_6_34, e),
        ("abc", P::V2_6_34, e),
        (" 4M", P::V2_6_34, e),
        ("1T", P::V2_6_34, e),
        ("-1", P::V2_6_34, Ok(RESOURCE_MAX)),
        ("-01", P::V2_6_34, Ok(RESOURCE_MAX)),
        ("-2", P::V2_6_34, e),
        ("-", P::V2_6_34, e),
        ("-1k", P::V2_6_34, e),
        ("-1", P::V2_6_25, e),
        ("-1", P::V3_12, Ok(RES_COUNTER_MAX)),
        // `kernel/res_counter.c` `res_counter_memparse_write_strategy`, v2.6.34: LLONG_MAX rounds up past itself.
        ("9223372036854775807", P::V2_6_34, Ok(9223372036854775808)),
        // Kernel quirk: before 3.12 the round-up wraps to 0; 3.12 saturates.
        ("18446744073709551615", P::V2_6_34, Ok(0)),
        ("18446744073709551615", P::V3_12, Ok(RES_COUNTER_MAX)),
    ];
    for (input, profile, want) in rows {
        let got = res(*profile)
            .memparse_write_strategy(input.as_bytes())
            .map(|b| b.0);
        assert_eq!(got, *want, "input {input:?} with {profile:?}");
    }
}

#[test]
fn page_counter_memparse_rounds_down() {
    let e = Err(Errno::EINVAL);
    let rows: &[(&str, PageCounterProfile, Result<u64, Errno>)] = &[
        ("1", PageCounterProfile::V3_19, Ok(0)),
        ("4096", PageCounterProfile::V3_19, Ok(1)),
        ("4097", PageCounterProfile::V3_19, Ok(1)),
        ("8191", PageCounterProfile::V3_19, Ok(1)),
        ("4M", PageCounterProfile::V3_19, Ok(1024)),
        ("-1", PageCounterProfile::V3_19, Ok(PAGE_COUNTER_MAX)),
        ("-01", PageCounterProfile::V3_19, e),
        ("-2", PageCounterProfile::V3_19, e),
        ("max", PageCounterProfile::V3_19, e),
        ("1T", PageCounterProfile::V3_19, e),
        ("1T", PageCounterProfile::V4_19, Ok(1 << 28)),
        (
            "18446744073709551615",
            PageCounterProfile::V3_19,
            Ok(PAGE_COUNTER_MAX),
        ),
        ("4M ", PageCounterProfile::V3_19, e),
    ];
    for (input, profile, want) in rows {
        let c = PageCounter::new_root(*profile, 0);
        assert_eq!(
            c.memparse(input.as_bytes()).map(|p| p.0),
            *want,
            "input {input:?} with {profile:?}"
        );
    }
}

#[test]
fn res_counter_write_2_6_25_stores_without_checks() {
    let c = res(ResCounterProfile::V2_6_25);
    c.charge(Bytes(8192), &NoTrace, CpuId(0)).unwrap();
    // 2.6.25: a limit below usage is accepted by res_counter_write.
    assert_eq!(c.write(ResMember::Limit, b"4096\n", false), Ok(5));
    assert_eq!(c.read(ResMember::Limit), "4096\n");
    assert_eq!(c.read(ResMember::Usage), "8192\n");
    // The base-10 parser wants the whole string, after trailing whitespace is stripped.
    let before = c.state();
    for bad in [&b"12k"[..], b"0x10", b" 5", b"-1", b"1 2"] {
        assert_eq!(c.write(ResMember::Limit, bad, false), Err(Errno::EINVAL));
        assert_eq!(c.state(), before, "{:?} changed nothing", bad);
    }
    // With the memcg strategy the value is memparsed and rounded up.
    assert_eq!(c.write(ResMember::Limit, b"1k\0junk", true), Ok(7));
    assert_eq!(c.read_u64(ResMember::Limit), 4096);
}

#[test]
fn trait_parse_and_set_limit_leave_state_on_error() {
    fn check<C: Counter>(c: &C) {
        let before = (c.limit(), c.usage(), c.failcnt());
        assert_eq!(c.parse_limit(b"12x"), Err(Errno::EINVAL));
        c.try_charge(Pages(3), &NoTrace, CpuId(0)).unwrap();
        assert_eq!(c.set_limit(Bytes(8192)), Err(Errno::EBUSY));
        assert_eq!(c.limit(), before.0);
        assert_eq!(c.set_limit(Bytes(3 * 4096)), Ok(()));
        assert_eq!(c.margin(), Pages(0));
    }
    check(&SpinResCounter::new_root(Default::default(), 0));
    check(&PageCounter::new_root(Default::default(), 0));
}
