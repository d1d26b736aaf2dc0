#!/bin/sh
# Private PostgreSQL cluster for boxoffice: pg.sh start|stop|status DIR [DBNAME]
# The cluster listens on a Unix socket inside DIR only (no TCP port), with
# trust auth for the local superuser "boxoffice". PostgreSQL refuses to run as
# root, so as root every server command runs as the "postgres" user.
set -eu

cmd=${1:-}
dir=${2:-}
db=${3:-boxoffice}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop|status DIR [DBNAME]" >&2; exit 2; }

find_bindir() {
	if command -v pg_config >/dev/null 2>&1; then
		b=$(pg_config --bindir 2>/dev/null || true)
		[ -x "$b/initdb" ] && { echo "$b"; return; }
	fi
	# Highest installed server version wins.
	for b in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		[ -x "$b/initdb" ] && { echo "$b"; return; }
	done
	echo "boxoffice: no PostgreSQL server found (apt-get install postgresql)" >&2
	exit 3
}
BIN=$(find_bindir)

as_server() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/.s.PGSQL.5432"
if [ ${#sock} -gt 100 ]; then
	echo "boxoffice: cluster path too long for a Unix socket: $dir" >&2
	exit 3
fi

case "$cmd" in
start)
	if [ ! -f "$dir/PG_VERSION" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			chown postgres: "$dir"
			if ! runuser -u postgres -- test -w "$dir"; then
				echo "boxoffice: user postgres cannot reach $dir (a parent folder is not searchable)" >&2
				exit 3
			fi
		fi
		chmod 700 "$dir"
		as_server "$BIN/initdb" -D "$dir" -U boxoffice --auth=trust -E UTF8 \
			--locale=C.UTF-8 >"$dir/../$(basename "$dir").initdb.log" 2>&1 || {
			echo "boxoffice: initdb failed; see $(dirname "$dir")/$(basename "$dir").initdb.log" >&2
			exit 3
		}
		cat >>"$dir/postgresql.conf" <<CONF
# boxoffice: private cluster, Unix socket only
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
CONF
		# A throwaway test cluster trades durability for speed.
		if [ "${PG_THROWAWAY:-0}" = 1 ]; then
			printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$dir/postgresql.conf"
		fi
	fi
	if ! as_server "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		# pg_ctl itself clears a stale postmaster.pid left by a crash.
		as_server "$BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null || {
			echo "boxoffice: PostgreSQL did not start; see $dir/server.log" >&2
			tail -5 "$dir/server.log" >&2 || true
			exit 3
		}
	fi
	if ! "$BIN/psql" -X -q -h "$dir" -U boxoffice -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
		"$BIN/createdb" -h "$dir" -U boxoffice "$db"
	fi
	;;
stop)
	if [ -f "$dir/PG_VERSION" ] && as_server "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		as_server "$BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
	fi
	;;
status)
	as_server "$BIN/pg_ctl" -D "$dir" status
	;;
*)
	echo "usage: pg.sh start|stop|status DIR [DBNAME]" >&2
	exit 2
	;;
esac
