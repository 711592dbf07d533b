#![no_main]
// Write arbitrary bytes to cgroup.event_control with eventfds and control files open.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cgsim::fuzzing::event_control(data));
