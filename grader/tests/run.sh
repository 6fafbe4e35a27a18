#!/usr/bin/env bash
# `make test`: the kit's own tests.
#
#   - scripts pass shellcheck; skeletons/ is in sync with solutions/;
#   - every lab declares points that add up to 100;
#   - on each kernel series (KERNEL, default: 6.12 and 6.1):
#     every solution scores full marks with no compiler warning, every
#     skeleton builds, runs and scores below full marks;
#   - every mutant (labs/NN-name/mutants/*.patch: a solution with one
#     plausible student bug) fails the test its "Caught-by:" line names, on
#     the series in MUTANT_KERNELS (default: the first series tested).
#
# LAB=NN (or "NN MM") limits the lab checks to those labs. Mutants are
# graded JOBS at a time (default: one per core).
# Ends with a line "N passed, N failed"; exit 1 when anything failed.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../../vm/common.sh"
kcl_require_host

series_list=${KERNEL:-6.12 6.1}
mutant_series=${MUTANT_KERNELS:-${series_list%% *}}
jobs_max=${JOBS:-$(nproc)}
lab_list=$(kcl_lab_ids "${LAB:-all}")
mapfile -t lab_ids <<<"$lab_list"
scratch=$KCL_BUILD/kit-tests${LAB:+-${LAB// /-}}
rm -rf "$scratch"
mkdir -p "$scratch"
passed=0 failed=0

pass() {
	printf 'ok - %s\n' "$1"
	passed=$((passed + 1))
}
fail() {
	printf 'not ok - %s\n' "$1"
	if [[ -n ${2:-} ]]; then
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
	failed=$((failed + 1))
}

# check NAME COMMAND...: run COMMAND, show its output only if it fails.
check() {
	local name=$1 log
	shift
	log=$scratch/check.log
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		fail "$name" "$(tail -n 30 "$log")"
		return 1
	fi
}

shell_scripts() {
	local file
	while IFS= read -r file; do
		case $file in
		*.sh | */grade | */init | */run-tests | */load.bash | .ci/run) echo "$file" ;;
		esac
	done < <(cd "$KCL_ROOT" && git ls-files --cached --others --exclude-standard)
}

lint_lab_points() {
	local lab=$1 total
	# shellcheck source=labs/01-hello/lab.conf
	. "$lab/lab.conf"
	total=$(kcl_lab_tests "$lab" | awk -F '\t' '
		$2 == "" { print "no points: " $1 > "/dev/stderr"; bad = 1 }
		seen[$1]++ { print "duplicate test name: " $1 > "/dev/stderr"; bad = 1 }
		{ sum += $2 }
		END { if (bad) exit 1; print sum }')
	total=$((total + CHECK_CLEAN_KERNEL_POINTS + CHECK_UNLOAD_POINTS))
	((total == 100)) || {
		echo "points add up to $total, not 100"
		return 1
	}
}

# grade TAG ARGS...: grade into $scratch/TAG; the report is TAG/report.json.
grade() {
	local tag=$1
	shift
	"$KCL_ROOT/grader/grade" --out "$scratch/$tag" "$@" >"$scratch/$tag.log" 2>&1 || true
	[[ -f $scratch/$tag/report.json ]] || {
		fail "grading $tag produced no report" "$(tail -n 30 "$scratch/$tag.log")"
		return 1
	}
}

# Report line of one lab: "verdict points warnings".
lab_result() {
	jq -r --arg id "$2" '.labs[] | select(.id == $id) |
		"\(.verdict) \(.points) \(.warnings | length)"' "$1/report.json"
}

lab_failures() {
	jq -r --arg id "$2" '.labs[] | select(.id == $id) |
		.summary, (.tests[] | select(.result == "fail") | "FAIL \(.name)\n\(.message)"),
		(.build_log // empty)' "$1/report.json" | head -n 40
}

# check_mutant SERIES LAB PATCH: grade the lab's solution with the patch
# applied; the test named by the patch's Caught-by: line must fail.
check_mutant() {
	local series=$1 id=$2 patch=$3 mutant caught_by tag result
	mutant=$(basename "$patch" .patch)
	caught_by=$(sed -n 's/^Caught-by: //p' "$patch")
	tag=mutant-$series-$id-$mutant
	kcl_step "kernel $series: grading mutant $id/$mutant"
	mkdir -p "$scratch/$tag.src"
	cp -r "solutions/$id" "$scratch/$tag.src/"
	if ! patch -s -p1 -d "$scratch/$tag.src/$id" <"$patch" >"$scratch/$tag.patch.log" 2>&1; then
		fail "kernel $series: mutant $id/$mutant applies" "$(cat "$scratch/$tag.patch.log")"
		return 1
	fi
	grade "$tag" --src "$scratch/$tag.src" --lab "$id" || return 1
	result=$(jq -r --arg id "$id" --arg name "$caught_by" '.labs[] | select(.id == $id) |
		(.tests[] | select(.name == $name) | .result) // "missing"' "$scratch/$tag/report.json")
	if [[ $result == fail ]]; then
		pass "kernel $series: mutant $id/$mutant is caught by \"$caught_by\""
	else
		fail "kernel $series: mutant $id/$mutant is caught by \"$caught_by\" (that test: $result)" \
			"$(lab_failures "$scratch/$tag" "$id")"
		return 1
	fi
}

cd "$KCL_ROOT"
mapfile -t scripts < <(shell_scripts)
check "scripts pass shellcheck (${#scripts[@]} files)" shellcheck -x "${scripts[@]}" || true
check "skeletons/ is in sync with solutions/" grader/skeletons.sh --check || true
for id in "${lab_ids[@]}"; do
	check "$id: every test declares points, 100 in all" lint_lab_points "labs/$id" || true
done

for series in $series_list; do
	export KERNEL=$series
	kcl_step "kernel $series: preparing the VM"
	check "kernel $series: the VM prepares" "$KCL_ROOT/vm/prepare.sh" || continue

	kcl_step "kernel $series: grading the solutions"
	if grade "solutions-$series" --src solutions --lab "${lab_ids[*]}"; then
		for id in "${lab_ids[@]}"; do
			read -r verdict points warnings < <(lab_result "$scratch/solutions-$series" "$id")
			if [[ $verdict == pass && $points == 100 && $warnings == 0 ]]; then
				pass "kernel $series: solution $id scores 100/100, no warnings"
			else
				fail "kernel $series: solution $id scores 100/100, no warnings (got $verdict $points, $warnings warnings)" \
					"$(lab_failures "$scratch/solutions-$series" "$id")"
			fi
		done
	fi

	kcl_step "kernel $series: grading the skeletons"
	if grade "skeletons-$series" --src skeletons --lab "${lab_ids[*]}"; then
		for id in "${lab_ids[@]}"; do
			read -r verdict points warnings < <(lab_result "$scratch/skeletons-$series" "$id")
			if [[ $verdict == fail && $points -lt 100 && $warnings == 0 ]]; then
				pass "kernel $series: skeleton $id builds warning-free, runs, scores $points/100"
			else
				fail "kernel $series: skeleton $id builds warning-free, runs, scores below 100 (got $verdict $points, $warnings warnings)" \
					"$(lab_failures "$scratch/skeletons-$series" "$id")"
			fi
		done
	fi

	[[ " $mutant_series " == *" $series "* ]] || continue
	# Each mutant is graded in a VM of its own, $jobs_max at a time; their
	# verdicts are printed in order once all are done.
	outputs=()
	for id in "${lab_ids[@]}"; do
		for patch in "labs/$id"/mutants/*.patch; do
			[[ -f $patch ]] || continue
			while (($(jobs -rp | wc -l) >= jobs_max)); do
				wait -n || true
			done
			outputs+=("$scratch/mutant-$series-$id-$(basename "$patch" .patch).out")
			check_mutant "$series" "$id" "$patch" >"${outputs[-1]}" &
		done
	done
	wait
	for output in "${outputs[@]}"; do
		cat "$output"
		passed=$((passed + $(grep -c '^ok - ' "$output" || true)))
		failed=$((failed + $(grep -c '^not ok - ' "$output" || true)))
	done
done

echo
echo "$passed passed, $failed failed"
((failed == 0))
