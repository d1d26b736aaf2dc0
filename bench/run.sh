#!/bin/sh
# Runs every benchmark in bench/ (or the one named) against the database in
# the environment. Each prints readable output and `bench: NAME VALUE UNIT`
# lines. Benchmarks are not tests: they report, they do not pass or fail.
set -u
build=${1:-build}
only=${2:-}
status=0
# Benchmarks make databases and load demos: the cluster's superuser's work
# (with-testdb.sh made PGUSER a station login). The functions they time
# run as their owner (db/026) whoever calls them.
[ -n "${BOXOFFICE_TEST_ADMIN:-}" ] && export PGUSER="$BOXOFFICE_TEST_ADMIN"
for b in "$build"/bench/*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	# http_floor is bench/serve's bare server, not a benchmark of its own
	[ "$name" = http_floor ] && continue
	[ -n "$only" ] && [ "$name" != "$only" ] && continue
	echo "== bench $name"
	"$b" || status=1
done
exit $status
