#!/usr/bin/env bash
# The tours' pictures: run the three walkthroughs with --out into a temporary directory, drawn
# by the built-in SVG renderer (no Graphviz needed), and fail if a tour fails, a picture is
# missing or not a complete SVG document, or a view cannot be produced. With --docs, copy the
# pictures and index pages into docs/pictures/ (what the docs show).
set -euo pipefail
cd "$(dirname "$0")/.."
docs=no
[ "${1:-}" = "--docs" ] && docs=yes
cargo build -q -p cgsim
bin=target/debug/cgsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_svg() {
    local f=$1
    [ -s "$f" ] || { echo "pictures: $f is missing or empty" >&2; exit 1; }
    head -c 200 "$f" | grep -q '<svg' || { echo "pictures: $f is not SVG" >&2; exit 1; }
    tail -c 20 "$f" | grep -q '</svg>' || { echo "pictures: $f is truncated" >&2; exit 1; }
}

for tour in tour memory-tour notifications; do
    case $tour in
        tour) flag= ;;
        memory-tour) flag=--memory ;;
        notifications) flag=--notifications ;;
    esac
    out=$tmp/$tour
    # shellcheck disable=SC2086
    if ! "$bin" tour $flag --renderer builtin --out "$out" >"$tmp/$tour.log" 2>&1; then
        echo "pictures: cgsim tour $flag failed:" >&2
        tail -20 "$tmp/$tour.log" >&2
        exit 1
    fi
    # Every `dot` line of the script must have produced its picture.
    script=docs/$tour.sh
    want=$(grep -c '^dot ' "$script")
    got=$(find "$out" -name '[0-9][0-9]-*.svg' | wc -l)
    [ "$want" = "$got" ] || { echo "pictures: $script takes $want pictures, $out has $got" >&2; exit 1; }
    for f in "$out"/[0-9][0-9]-*.svg; do check_svg "$f"; done
    [ -s "$out/index.html" ] || { echo "pictures: $out/index.html missing" >&2; exit 1; }
    echo "pictures: $tour: $got pictures and index.html"
done

# Every view, from the command line, after the cgroup tour.
for view in hierarchy css sets links memcg events all; do
    "$bin" dot "$view" docs/tour.sh --renderer builtin -o "$tmp/view-$view.svg" 2>/dev/null
    check_svg "$tmp/view-$view.svg"
done
echo "pictures: every view drawn"

if [ $docs = yes ]; then
    # Only the tours' directories: docs/pictures also holds the explorer's screenshot.
    for tour in tour memory-tour notifications; do rm -rf "docs/pictures/$tour"; done
    mkdir -p docs/pictures
    for tour in tour memory-tour notifications; do
        mkdir -p "docs/pictures/$tour"
        cp "$tmp/$tour"/*.svg "$tmp/$tour"/*.dot "$tmp/$tour/index.html" "docs/pictures/$tour/"
    done
    echo "pictures: copied into docs/pictures/"
fi
