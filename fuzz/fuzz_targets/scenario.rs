#![no_main]
// Whole multi-operation scenarios built with `arbitrary`, with fault injection on.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cgsim::fuzzing::scenario(data));
