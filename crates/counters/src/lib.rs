//! res_counter, page_counter and the per-CPU charge stock (issue 3; being written).
