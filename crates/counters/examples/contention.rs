//! Runs `cgsim bench contention` without the cgsim binary:
//! `cargo run --release -p cgsim-counters --example contention -- [--quick] [--svg PATH]`.
//! The report itself lives in `crates/cli/src/contention.rs`, included here by path.

#[path = "../../cli/src/contention.rs"]
mod contention;

fn main() -> std::io::Result<()> {
    let mut opts = contention::ContentionOpts {
        quick: false,
        svg: "contention.svg".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => opts.quick = true,
            "--svg" => {
                if let Some(p) = args.next() {
                    opts.svg = p.into();
                }
            }
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    contention::run(&opts, &mut std::io::stdout().lock())
}
