#!/bin/sh
# with-testdb.sh CMD...: runs CMD against a throwaway PostgreSQL cluster that
# is removed afterwards, whatever CMD's outcome. Exports PGHOST/PGUSER/
# PGDATABASE so every client (boxoffice, tests, psql) finds it. With
# $BOXOFFICE set, the database is migrated by the cluster's superuser and
# PGUSER becomes a supervisor login ("tester"), as a station logs in: the
# tests run with a station's privileges, not the owner's; the superuser's
# name is in BOXOFFICE_TEST_ADMIN for the tests' own direct SQL.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/boxoffice-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
	"$here/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
PG_THROWAWAY=${PG_THROWAWAY:-1} "$here/pg.sh" start "$tmp/pg" boxoffice_test
export PGHOST="$tmp/pg" PGUSER=boxoffice PGDATABASE=boxoffice_test
export BOXOFFICE_TEST_TMP="$tmp"
unset PGSERVICE PGPORT PGHOSTADDR || true
if [ -n "${BOXOFFICE:-}" ]; then
	"$BOXOFFICE" migrate --supervisor tester >"$tmp/migrate.log" 2>&1 || {
		cat "$tmp/migrate.log" >&2
		exit 3
	}
	export BOXOFFICE_TEST_ADMIN=boxoffice PGUSER=tester
fi
status=0
"$@" || status=$?
exit $status
