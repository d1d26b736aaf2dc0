#!/bin/sh
# with-testdb.sh CMD...: runs CMD against a throwaway PostgreSQL cluster that
# is removed afterwards, whatever CMD's outcome. Exports PGHOST/PGUSER/
# PGDATABASE so every client (boxoffice, tests, psql) finds it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/boxoffice-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
	"$here/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PG_THROWAWAY=${PG_THROWAWAY:-1} "$here/pg.sh" start "$tmp/pg" boxoffice_test
export PGHOST="$tmp/pg" PGUSER=boxoffice PGDATABASE=boxoffice_test
export BOXOFFICE_TEST_TMP="$tmp"
unset PGSERVICE PGPORT PGHOSTADDR || true
status=0
"$@" || status=$?
exit $status
