#!/bin/sh
# Build the API docs with private items, so that the kernel names cgsim keeps crate-private
# (`__mem_cgroup_try_charge`, `mem_cgroup_handle_oom`, ...) are found by rustdoc's search, and
# check that a few of them are. Open target/doc/cgsim/index.html and type a kernel name.
set -eu
cd "$(dirname "$0")/.."
cargo doc --workspace --no-deps --document-private-items
for name in __mem_cgroup_try_charge mem_cgroup_handle_oom find_css_set cgroup_attach_task \
    res_counter_charge page_counter_try_charge mem_cgroup_usage_register_event; do
    if ! grep -rqF "$name" target/doc/search.index/name target/doc/search.index/alias; then
        echo "rustdoc: $name is not in the search index" >&2
        exit 1
    fi
done
echo "rustdoc: target/doc/cgsim/index.html"
