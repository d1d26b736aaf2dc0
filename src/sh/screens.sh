#!/bin/sh
# Prints text captures of every screen, as a clerk sees them, for the
# README: `make run` once (demo data), then `sh src/sh/screens.sh [W H]`.
# Uses the binary and the database `make run` uses; changes nothing.
set -eu
w=${1:-80}
h=${2:-24}
bin=${BOXOFFICE:-./boxoffice}
sock=boxoffice-screens-$$
t="tmux -L $sock"
trap '$t kill-server 2>/dev/null || true' EXIT

show() { # title, keys...
	title=$1
	shift
	for k in "$@"; do
		$t send-keys -t cap "$k"
		sleep 0.4
	done
	sleep 1
	printf '### %s (%sx%s)\n\n```\n' "$title" "$w" "$h"
	$t capture-pane -p -t cap | sed -e 's/[[:space:]]*$//'
	printf '```\n\n'
}

$t new-session -d -s cap -x "$w" -y "$h" "BOXOFFICE_STATE=${BOXOFFICE_STATE:-var} BOXOFFICE_MOUSE=0 $bin --station counter-1"
sleep 1.5
show "Main menu"
show "Events" 1
show "Inventory" F2 2
show "Counter sale (Enter on a type, then 2)" Enter 2
show "Ticket Orders" Escape y F2 3
show "Order detail (Enter on an order)" Enter
show "New ticket order (n)" Escape n
show "My Tickets (a name typed)" Escape y F2 4 a n
show "Check-in" F2 5
show "Check-in on a list (F6, then Enter on main)" F6 Enter
show "Dashboard" F2 6
show "Organizations" F2 7
show "Audit log" F2 8
show "Help (F1 on Ticket Orders)" F2 3 F1
