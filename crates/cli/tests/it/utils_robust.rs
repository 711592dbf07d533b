//! Robustness of the utilities: arbitrary scripts and arguments given to `sed`, `awk`, `expr`,
//! `tr`, `cut`, `sort`, `bc`, `seq`, `date`, `find` and `xargs` never panic the shell; each
//! run ends with a status and leaves the kernel's invariants intact.

use cgsim::Shell;
use cgsim_cgroupfs::BootParams;
use proptest::prelude::*;

/// Run `src` on a fresh kernel (with a small input file) and return its status.
fn run(src: &str) -> i32 {
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let setup = "echo 'a b:1\nc d:22\n\ne f:3' > /tmp/in\n";
    let (_, status) = cgsim::transcript_of(&mut sh, &format!("{setup}{src}"));
    sh.kernel().check_invariants();
    status
}

/// Text without `'` (so it can sit in single quotes) but with every other metacharacter the
/// tools' parsers care about.
const TEXT: &str = "[a-z0-9 $(){}\\[\\]/\\\\.*+?^|&~,;:=<>!#%\"\n-]{0,24}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sed_scripts_never_panic(script in TEXT, flags in "(-n |-E |-s |)") {
        let st = run(&format!("sed {flags}-e '{script}' /tmp/in"));
        // GNU sed's `q`/`Q` take an exit code (`q5` exits 5); otherwise 0-4 or 127.
        let exit_code = script.contains('q') || script.contains('Q');
        prop_assert!((0..=4).contains(&st) || st == 127 || (exit_code && (0..256).contains(&st)), "status {st}");
    }

    #[test]
    fn awk_programs_never_panic(prog in TEXT) {
        let st = run(&format!("awk '{prog}' /tmp/in"));
        prop_assert!((0..256).contains(&st), "status {st}");
    }

    #[test]
    fn awk_printf_formats_never_panic(fmt in "[%0-9.*a-z -]{0,12}") {
        run(&format!("awk 'BEGIN {{ printf \"{fmt}\", 1, \"x\", 2.5 }}'"));
    }

    #[test]
    fn expr_tr_cut_sort_never_panic(a in "[a-z0-9:.\\\\()*+|&<>=%/-]{0,8}", b in "[a-z0-9:.\\[\\]*-]{0,8}") {
        run(&format!("expr '{a}' : '{b}' + '{a}'\ntr '{a}' '{b}' < /tmp/in\ncut -d: -f'{a}' /tmp/in\nsort -k'{a}' -t: /tmp/in"));
    }

    #[test]
    fn bc_seq_date_never_panic(a in "[0-9a-z.+*/%^()=<>!;&| -]{0,16}", n in "[0-9.e-]{0,5}") {
        run(&format!("echo '{a}' | bc\nseq '{n}' 3\ndate +'%{a}' -d @'{n}'"));
    }

    #[test]
    fn find_and_xargs_never_panic(expr in "(-name [a-z*?\\[\\]]{0,4} |-type [a-z] |-maxdepth [0-9x] |-o |! |\\( |\\) |-print |-exec echo \\{\\} \\; ){0,5}", xa in "(-n [0-9] |-I X |-0 |-r |-t ){0,3}") {
        run(&format!("find /tmp {expr}\necho a b c | xargs {xa}echo"));
    }
}
