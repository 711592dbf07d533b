//! The shell language: lexer, parser, syntax tree, expansion and the interpreter.

pub mod arith;
pub mod ast;
pub mod expand;
pub mod interp;
mod lexer;
pub mod parser;

pub use lexer::is_name;

/// Run `f` with at least 256 KiB of stack left, moving to a new 4 MiB segment on the heap
/// when the current stack is nearly used up (the `stacker` crate, as rustc does for its own
/// recursion). Every recursive step of the parser, the expander and the interpreter goes
/// through here, so nesting depth is limited by the explicit bounds
/// ([`parser::MAX_DEPTH`], [`interp::MAX_CALL_DEPTH`]) and input size, never by the host
/// thread's stack.
pub(crate) fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, f)
}
