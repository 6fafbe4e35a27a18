#!/usr/bin/env bash
# `make bench`: what grading costs, against a bare VM boot of the same kernel
# and initramfs, measured side by side in one run.
#
# Each figure is the median, with min-max, of BENCH_RUNS runs (default 5):
#   bare boot       the VM boots from scratch, powers off as soon as it is up;
#                   one right before each run of the three figures below
#                   that have a target, the yardstick of that run
#   saved VM        a lab's VM starts from the saved VM (grader/qemu.sh),
#                   gets lab 01's files and powers off
#   all labs        make grade SRC=solutions, with warm caches
#   one lab again   lab 01 graded again after an edit of hello.c
#   make boot       make boot LAB=01 until the shell prompt shows
#   per bats test   (VM with 21 trivial tests - VM with 1) / 20
# then the ratios to the bare boot against their targets (the median of
# each run's ratio to its own boot: the host's speed drifts), where the last
# all-labs grade spent its time (per lab; per phase of its VMs, from the
# guest's clock), and the cold set-up time of `make vm` (once, into a scratch
# build folder; BENCH_COLD=0 leaves it out).
# Then the debug kernel (BENCH_DEBUG=0 leaves it out): all labs graded on
# 6.12-debug (median of BENCH_DEBUG_RUNS, default 3), as a ratio to the
# stock all-labs figure, and what its one-time build took (built first if
# it is not yet).
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

runs=${BENCH_RUNS:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || kcl_die "BENCH_RUNS=$runs: not a number of runs"
"$KCL_ROOT/vm/prepare.sh"
kcl_load_vm
scratch=$KCL_BUILD/bench
rm -rf "$scratch"
mkdir -p "$scratch"

# stats: seconds on stdin, one a line -> "median min max"
stats() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# measure LABEL COMMAND...: run COMMAND $runs times; it prints its seconds.
measure() {
	local label=$1 i
	shift
	kcl_step "$label: $runs runs"
	for ((i = 1; i <= runs; i++)); do
		"$@" || kcl_die "$label failed: see $scratch"
	done | stats
}

# timed COMMAND...: run COMMAND quietly, print its seconds.
timed() {
	local start
	start=$(kcl_now_ms)
	"$@" >>"$scratch/commands.log" 2>&1 || return 1
	kcl_elapsed "$start"
}

bare_boot() {
	timed "$KCL_ROOT/grader/qemu.sh" --mode bare --timeout 120
}

# A lab's VM started from the saved VM, until it powers off with lab 01's
# files in place (no tests).
printf 'KCL_MODE=bare\n' >"$scratch/bare.env"
saved_start() {
	timed "$KCL_ROOT/grader/qemu.sh" --run-env "$scratch/bare.env" \
		--lab-cpio "$scratch/all/work/01-hello/lab.cpio" --timeout 120
}

all_labs() {
	timed "$KCL_ROOT/grader/grade" --src solutions --out "$scratch/all"
}

# A copy of the solutions whose hello.c changes before each grade, as a
# student's edit would: the module is rebuilt, the rest comes from the cache.
edited=$scratch/edited
mkdir -p "$edited"
cp -r "$KCL_ROOT/solutions/01-hello" "$edited/"
edits=0
one_lab_after_edit() {
	edits=$((edits + 1))
	printf '/* edit %s */\n' "$edits $$" >>"$edited/01-hello/hello.c"
	timed "$KCL_ROOT/grader/grade" --lab 01 --src "$edited" --out "$scratch/one"
}

# make boot LAB=01, from the command to the shell prompt; then power off.
boot_to_prompt() {
	local input=$scratch/boot.in output=$scratch/boot.out start seconds pid keep
	rm -f "$input"
	mkfifo "$input"
	start=$(kcl_now_ms)
	LAB=01 SRC=solutions "$KCL_ROOT/grader/boot.sh" <"$input" >"$output" 2>&1 &
	pid=$!
	exec {keep}>"$input"
	until grep -q 'lab-vm:' "$output"; do
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	seconds=$(kcl_elapsed "$start")
	echo poweroff >&"$keep"
	exec {keep}>&-
	wait "$pid" || return 1
	echo "$seconds"
}

# A VM that runs COUNT tests shaped like the labs' (the helpers loaded in
# setup, one `run` and two assertions each).
synthetic_tests() {
	local count=$1 dir=$scratch/tests-$1 i
	mkdir -p "$dir/lab/tests"
	{
		echo 'setup() { bats_load_library kcl; }'
		for ((i = 1; i <= count; i++)); do
			printf '@test "trivial %s" {\n\trun echo %s\n\tassert_success\n\tassert_output %s\n}\n' "$i" "$i" "$i"
		done
	} >"$dir/lab/tests/bench.bats"
	printf 'LAB_ID=bench\nLAB_MODULES=""\nBATS_TEST_TIMEOUT=60\n' >"$dir/lab/lab.env"
	printf 'LAB_RUN_TESTS="/lab/tests/bench.bats"\nKCL_MARK_TOKEN=bench\n' >"$dir/run.env"
	(cd "$dir" && find lab | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$dir/lab.cpio"
}
synthetic_tests 1
synthetic_tests 21
synthetic_run() {
	local dir=$scratch/tests-$1
	timed "$KCL_ROOT/grader/qemu.sh" --run-env "$dir/run.env" \
		--lab-cpio "$dir/lab.cpio" --results "$dir/results.log" --timeout 300
}
per_test() {
	local one twenty_one
	one=$(synthetic_run 1) || return 1
	twenty_one=$(synthetic_run 21) || return 1
	grep -q '^ok 21 ' "$scratch/tests-21/results.log" || return 1
	awk -v a="$one" -v b="$twenty_one" 'BEGIN { printf "%.3f\n", (b - a) / 20 }'
}

echo "bench: kernel $KCL_RELEASE, accelerator $KCL_ACCEL, $(nproc) cores; median (min-max) of $runs runs"
kcl_step "warming the caches: one grade of every lab"
timed "$KCL_ROOT/grader/grade" --src solutions --out "$scratch/all" >/dev/null ||
	kcl_die "the solutions do not pass: see $scratch/all"
# lab 01 graded once before its edits, as a student re-grading has
one_lab_after_edit >/dev/null || kcl_die "lab 01 failed: see $scratch/one"

# The host's speed drifts (a shared machine may run twice as slow for a
# minute), so each run of a figure with a target comes right after a bare
# boot of its own, and its ratio is taken to that boot: the ratio shown is
# the median of those. Figures go round by round, each once a round.
# paired NAME COMMAND...: a bare boot, then COMMAND; "BOOT SECONDS" is
# appended to $scratch/NAME.pairs.
paired() {
	local name=$1 boot seconds
	shift
	boot=$(bare_boot) || kcl_die "the bare boot failed: see $scratch"
	seconds=$("$@") || kcl_die "$name failed: see $scratch"
	echo "$boot $seconds" >>"$scratch/$name.pairs"
}
for ((round = 1; round <= runs; round++)); do
	kcl_step "round $round of $runs: all labs, lab 01 after an edit, make boot, each after a bare boot"
	paired all all_labs
	paired one one_lab_after_edit
	paired shell boot_to_prompt
done
# figure NAME: "median min max" of a paired figure's seconds
figure() { awk '{ print $2 }' "$scratch/$1.pairs" | stats; }
# paired_ratio NAME: the median of a paired figure's ratios to its boots
paired_ratio() { awk '{ printf "%.4f\n", $2 / $1 }' "$scratch/$1.pairs" | stats | cut -d' ' -f1; }
read -r boot boot_min boot_max < <(awk '{ print $1 }' "$scratch"/*.pairs | stats)
read -r all all_min all_max < <(figure all)
read -r one one_min one_max < <(figure one)
read -r shell shell_min shell_max < <(figure shell)
result=$(measure "lab VM from the saved VM" saved_start)
read -r saved saved_min saved_max <<<"$result"
result=$(measure "bats cost per test" per_test)
read -r test test_min test_max <<<"$result"

# ratio NAME PAIRED_FIGURE TARGET
ratio() {
	awk -v name="$1" -v r="$(paired_ratio "$2")" -v t="$3" 'BEGIN {
		printf "  %-26s %5.1fx   target %sx: %s\n", name, r, t, (r <= t ? "within" : "over")
	}'
}
row() { printf '  %-26s %6.2f s  (%.2f-%.2f)\n' "$@"; }
echo
echo "figures (seconds, median and min-max):"
row "bare VM boot" "$boot" "$boot_min" "$boot_max"
row "lab VM from the saved VM" "$saved" "$saved_min" "$saved_max"
row "all 7 labs (warm caches)" "$all" "$all_min" "$all_max"
row "lab 01 after an edit" "$one" "$one_min" "$one_max"
row "make boot to the prompt" "$shell" "$shell_min" "$shell_max"
row "bats cost per test" "$test" "$test_min" "$test_max"
echo "ratios to the bare boot (median of each run's ratio to the boot right before it):"
ratio "all 7 labs" all 8
ratio "lab 01 after an edit" one 3
ratio "make boot to the prompt" shell 1.5
echo "where the last all-labs grade spent its time (seconds; $(nproc) labs at a time; a lab's VMs start with its build):"
jq -r '.labs[] | "  \(.id | . + " " * (12 - length)) build \(.timing.build)  VM \(.timing.vm)"
	+ "  test bodies \([.tests[].ms // 0] | add / 1000) (\([.tests[] | select(.ms)] | length) tests)"' \
	"$scratch/all/report.json"
# guest_phases RUN_DIR: "START BETWEEN BODIES AFTER TESTS SPAN" of one VM's
# test run, in seconds, from the guest's own clock (kernel-log timestamps of
# the markers on its console) and bats's timing of each test (setup, test,
# teardown): bats's start (to the first test's marker), bats between tests,
# the test bodies, the end (unload, leftovers, kernel log, power-off), the
# number of tests, and the span from the start of the tests to power-off.
guest_phases() {
	awk '
		FNR == 1 { file++ }
		file == 1 && /kcl: lab tests begin/ { begin = stamp($0) }
		file == 1 && /kcl: lab tests end/ { end = stamp($0) }
		file == 1 && /reboot: Power down/ { off = stamp($0) }
		file == 1 && / kcl-test [0-9]+ / { n++; mark[n] = stamp($0) }
		file == 2 && /^(not )?ok [0-9]+ .* in [0-9]+ms/ {
			t++; ms[t] = substr($NF, 1, length($NF) - 2) / 1000
		}
		function stamp(line) { sub(/^\[ */, "", line); return line + 0 }
		END {
			between = 0
			for (i = 1; i <= t; i++) {
				bodies += ms[i]
				between += (i < n ? mark[i + 1] : end) - mark[i] - ms[i]
			}
			printf "%.2f %.2f %.2f %.2f %d %.2f\n", mark[1] - begin, between,
				bodies, off - end, t, off - begin
		}' "$1/console.log" "$1/results.log"
}
echo "where the VMs of that grade spent their time (seconds of each VM's wall time, summed over its VMs):"
for run in "$scratch"/all/work/*/run-*; do
	# the lab's VMs run side by side: its wall time is its longest VM's
	read -r lab_vm <"${run%/run-*}/vm.seconds"
	echo "$lab_vm $(guest_phases "$run") ${run%/run-*}"
done | awk '
	{ start += $2; between += $3; bodies += $4; after += $5; tests += $6; vms++
	  lab_vm[$8] = $1; lab_vms[$8]++; if ($7 > span[$8]) span[$8] = $7 }
	END {
		for (lab in lab_vm) before += (lab_vm[lab] - span[lab]) * lab_vms[lab]
		printf "  %-52s %6.1f\n", "VM start, the lab'"'"'s files, the wait for its build", before
		printf "  %-52s %6.1f  (%.2f a VM)\n", "bats starting (gathering the tests, the file set-up)", start, start / vms
		printf "  %-52s %6.1f  (%.0f ms a test)\n", "bats between tests (" tests " tests)", between, between / tests * 1000
		printf "  %-52s %6.1f\n", "test bodies (bats'"'"'s timing: setup, test, teardown)", bodies
		printf "  %-52s %6.1f\n", "after the tests (unload, leftovers, log, power-off)", after
		printf "  %-52s %6.1f\n", "in all, " vms " VMs", before + start + between + bodies + after
	}'
# The floor: what no grader can save without dropping isolation or tests:
# one fresh VM per run of tests, and the tests' own work (bats's timing of
# each test), spread over the cores.
vms=$(find "$scratch/all/work" -mindepth 2 -maxdepth 2 -name 'run-*' | wc -l)
jq -r --argjson vms "$vms" --argjson boot "$boot" --argjson saved "$saved" \
	--argjson cores "$(nproc)" '
	([.labs[].tests[].ms // 0] | add / 1000) as $bodies |
	(($vms * $saved + $bodies) / $cores) as $floor |
	"floor of all labs: (\($vms) VMs x \($saved) s + test bodies \($bodies * 10 | round / 10) s) / \($cores) cores"
	+ " = \($floor * 10 | round / 10) s = \($floor / $boot * 10 | round / 10)x a bare boot"' \
	"$scratch/all/report.json"
jq -r --argjson boot "$boot" --argjson saved "$saved" '
	([.labs[0].tests[].ms // 0] | add / 1000) as $bodies |
	"floor of lab 01: VM \($saved) s + test bodies \($bodies * 10 | round / 10) s"
	+ " = \(($saved + $bodies) / $boot * 10 | round / 10)x a bare boot"' "$scratch/one/report.json"

if [[ ${BENCH_COLD:-1} != 0 ]]; then
	kcl_step "cold set-up: make vm into an empty build folder (downloads the kernel)"
	cold=$(timed env BUILD_DIR="$scratch/cold" "$KCL_ROOT/vm/prepare.sh") ||
		kcl_die "make vm failed: see $scratch/commands.log"
	echo "cold set-up (make vm, once, packages installed): $cold s"
	rm -rf "$scratch/cold"
fi

if [[ ${BENCH_DEBUG:-1} != 0 && $KCL_SERIES != *-debug ]]; then
	debug_series=6.12-debug
	kcl_step "the debug kernel: make vm KERNEL=$debug_series (builds it the first time)"
	KERNEL=$debug_series "$KCL_ROOT/vm/prepare.sh" || kcl_die "make vm KERNEL=$debug_series failed"
	debug_all() {
		timed "$KCL_ROOT/grader/grade" --kernel "$debug_series" --src solutions --out "$scratch/debug"
	}
	debug_all >/dev/null || kcl_die "the solutions do not pass on $debug_series: see $scratch/debug"
	runs=${BENCH_DEBUG_RUNS:-3}
	read -r debug debug_min debug_max < <(measure "all labs on $debug_series" debug_all)
	echo "the debug kernel ($debug_series, $(<"$KCL_BUILD/vm/$debug_series/release")):"
	row "all 7 labs (warm caches)" "$debug" "$debug_min" "$debug_max"
	awk -v d="$debug" -v s="$all" 'BEGIN {
		r = d / s
		printf "  %-26s %5.1fx   target 5x: %s\n", "all 7 labs against stock", r, (r <= 5 ? "within" : "over")
	}'
	read -r built built_on <"$KCL_BUILD/vm/$debug_series/build.seconds"
	echo "  its one-time build (make vm KERNEL=$debug_series, from source): $built s, on $built_on"
fi
