//! Printing the kernel's function-graph trace the way `/sys/kernel/debug/tracing/trace` shows it.
//!
//! **Kernel:** `kernel/trace/trace_functions_graph.c` (output format, durations off).
//! The shell prints [`HEADER`] when tracing is switched on, then after each command the call
//! tree of the kernel functions that command made the simulator run.

use cgsim_ktypes::trace::{TraceEvent, render_function_graph};

/// The header of the `trace` file with the `function_graph` tracer.
pub const HEADER: &str = "# tracer: function_graph\n\
#\n\
# CPU  DURATION                  FUNCTION CALLS\n\
# |     |   |                     |   |   |   |\n";

/// Render recorded events as function-graph lines.
pub fn render(events: &[TraceEvent]) -> String {
    render_function_graph(events)
}
