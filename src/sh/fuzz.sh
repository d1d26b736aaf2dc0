#!/bin/sh
# Runs the libFuzzer harnesses built in BUILD/fuzz/ (make fuzz), each for
# SECONDS: usage fuzz.sh BUILD SECONDS NAME...
# New inputs go to BUILD/corpus/NAME (the seeds in tests/fuzz/corpus/NAME
# are read, never written), crashes to BUILD/crashes/NAME/, the log to
# BUILD/logs/NAME.log. Prints "fuzz: NAME EXECS execs CRASHES crashes" per
# harness; exits 1 when any crashed.
set -u
build=$1
seconds=$2
shift 2
failed=0
for name in "$@"; do
	bin="$build/fuzz/fuzz_$name"
	if [ ! -x "$bin" ]; then
		echo "fuzz: $name: no harness $bin" >&2
		failed=1
		continue
	fi
	corpus="$build/corpus/$name"
	crashes="$build/crashes/$name"
	log="$build/logs/$name.log"
	mkdir -p "$corpus" "$crashes" "$build/logs"
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	before=$(find "$crashes" -type f | wc -l)
	# -close_fd_mask=3: the targets' own error lines stay out of the log
	# (libFuzzer's and the sanitizers' reports still reach it)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=3 -artifact_prefix="$crashes/" $dict \
		"$corpus" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	after=$(find "$crashes" -type f | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	found=$((after - before))
	[ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1
	echo "fuzz: $name ${execs:-0} execs $found crashes"
	if [ "$found" -ne 0 ]; then
		failed=1
		echo "fuzz: $name: see $log and $crashes/" >&2
		grep -m 3 -E 'ERROR: |runtime error|fuzz: .* does not hold' "$log" >&2
	fi
done
exit $failed
