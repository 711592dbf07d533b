//! A reference model (filled in below).
