#![no_main]
// Write arbitrary bytes to cgroup control files of a booted kernel with a mounted hierarchy.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cgsim::fuzzing::control_write(data));
