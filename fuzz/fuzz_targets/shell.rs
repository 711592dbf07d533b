#![no_main]
// Parse and run arbitrary text as a cgsim script on a freshly booted kernel.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cgsim::fuzzing::shell(data));
