#!/bin/sh
# Build the cgsim book (docs/book) as offline HTML into docs/book/book/.
# Installs mdBook first if it is missing. The transcripts and pictures the book includes are
# checked by `cargo test -p cgsim --test it book::` (regenerate with CGSIM_BLESS=1).
set -eu
MDBOOK_VERSION=0.5.4
cd "$(dirname "$0")/.."
if ! command -v mdbook >/dev/null 2>&1; then
    cargo install mdbook --locked --version "$MDBOOK_VERSION" --no-default-features --features search
fi
mdbook build docs/book
echo "book: docs/book/book/index.html"
