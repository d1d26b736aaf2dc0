#!/bin/sh
# Runs every benchmark in bench/ (or the one named) against the database in
# the environment. Each prints readable output and `bench: NAME VALUE UNIT`
# lines. Benchmarks are not tests: they report, they do not pass or fail.
set -u
build=${1:-build}
only=${2:-}
status=0
for b in "$build"/bench/*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	[ -n "$only" ] && [ "$name" != "$only" ] && continue
	echo "== bench $name"
	"$b" || status=1
done
exit $status
