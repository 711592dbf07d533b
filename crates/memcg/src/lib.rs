//! The memory controller (issue 4; not yet written).
