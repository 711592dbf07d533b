//! The shell language: lexer, parser, syntax tree, expansion and the interpreter.

pub mod arith;
pub mod ast;
pub mod expand;
pub mod interp;
mod lexer;
pub mod parser;

pub use lexer::is_name;
