#!/bin/sh
# Runs every test binary against the database in the environment (see
# src/sh/with-testdb.sh); prints cmocka's summaries, fails if any test fails.
set -u
build=${1:-build}
failed=0
ran=0
# Gate caches, journals, invoices and receipts that tests make go to a
# throwaway folder, never the user's ~/.local/state (a test may set its own).
if [ -z "${BOXOFFICE_STATE:-}" ]; then
	BOXOFFICE_STATE=$(mktemp -d "${TMPDIR:-/tmp}/boxoffice-test-state.XXXXXX")
	export BOXOFFICE_STATE
	trap 'rm -rf "$BOXOFFICE_STATE"' EXIT
fi
for t in "$build"/tests/unit_* "$build"/tests/db_*; do
	[ -x "$t" ] || continue
	ran=$((ran + 1))
	echo "== $(basename "$t")"
	if ! "$t"; then
		failed=$((failed + 1))
		echo "!! $(basename "$t") failed"
	fi
done
echo "test programs: $ran run, $failed failed"
[ "$ran" -gt 0 ] && [ "$failed" -eq 0 ]
