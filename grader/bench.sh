#!/usr/bin/env bash
# `make bench`: what grading costs, against a bare VM boot.
#
# Medians over BENCH_RUNS runs (default 5) of: a bare boot (the VM powers off
# as soon as it is up), the lab-01 build, and a whole lab-01 grade of the
# solution; then the ratio grade / bare boot, and where the last grade spent
# its time (build, VM, each test).
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

runs=${BENCH_RUNS:-5}
lab=01-hello
target_ratio=3
"$KCL_ROOT/vm/prepare.sh"
kcl_load_vm
scratch=$KCL_BUILD/bench
rm -rf "$scratch"
mkdir -p "$scratch"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_runs LABEL COMMAND...: run COMMAND $runs times, print the median seconds.
time_runs() {
	local label=$1 i start
	shift
	kcl_step "$label: $runs runs"
	for ((i = 1; i <= runs; i++)); do
		start=$(kcl_now_ms)
		"$@" >/dev/null 2>&1 || kcl_die "$label failed: $*"
		kcl_elapsed "$start"
	done | median
}

bare_boot() {
	"$KCL_ROOT/grader/qemu.sh" --initrd "$KCL_BASE_CPIO" --mode bare --timeout 120
}
build_lab() {
	"$KCL_ROOT/grader/build.sh" "$KCL_ROOT/labs/$lab" "$KCL_ROOT/solutions/$lab" \
		"$scratch/build"
}
grade_lab() {
	"$KCL_ROOT/grader/grade" --lab "$lab" --src solutions --out "$scratch/grade"
}

echo "bench: kernel $KCL_RELEASE, $KCL_ACCEL, $(nproc) cores; medians of $runs runs"
boot=$(time_runs "bare VM boot" bare_boot)
build=$(time_runs "lab $lab build" build_lab)
grade=$(time_runs "lab $lab grade" grade_lab)
ratio=$(awk -v g="$grade" -v b="$boot" 'BEGIN { printf "%.1f", g / b }')
verdict=$(awk -v r="$ratio" -v t="$target_ratio" 'BEGIN { print (r <= t ? "within" : "over") }')

printf '  %-22s %6.1f s\n' "bare VM boot" "$boot" "lab $lab build" "$build" \
	"lab $lab grade" "$grade"
printf '  grade / bare boot      %6.1fx  (%s the target of %sx)\n' "$ratio" "$verdict" "$target_ratio"
echo "where the last lab $lab grade spent its time:"
jq -r '.labs[0] |
	"  build                  \(.timing.build) s",
	"  VM (boot, tests, off)  \(.timing.vm) s, of which the tests:",
	(.tests[] | select(.ms) | "    \(.ms | tostring | . + " ms" | (" " * (9 - length)) + .)  \(.name)"),
	"  tests in all           \([.tests[].ms // 0] | add) ms"' "$scratch/grade/report.json"
