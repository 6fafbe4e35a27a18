#!/usr/bin/env bash
# `make test`: the kit's own tests.
#
#   - scripts pass shellcheck; skeletons/ is in sync with solutions/; the
#     slide diagrams (slides/diagrams/*.svg) are up to date with their
#     sources;
#   - every lab declares points that add up to 100;
#   - on each kernel series (KERNEL, default: 6.12, 6.1 and 6.12-debug):
#     every solution scores full marks with no compiler warning, every
#     skeleton builds, runs and scores below full marks;
#   - every mutant (grader/tests/mutants.bash) fails the test its
#     "Caught-by:" line names, which runs alone, on the kernel its "Kernel:"
#     line names: "stock" (the default) on the series in MUTANT_KERNELS
#     (default: the first stock series tested), "debug" on 6.12-debug,
#     where the debug kernel's checkers (KASAN, kmemleak, lockdep...) see
#     what no functional test can;
#   - on 6.12-debug, the solutions and the fixtures that say
#     FIXTURE_KERNEL=debug (no skeletons or repeat runs: its VMs are
#     slower, and what it adds is its reports);
#   - on those series too: every fixture of grader/tests/fixtures/ (a broken
#     or hostile submission) gets the verdict and evidence its fixture.conf
#     expects, within its time bound, and leaves the host untouched; every
#     solution gives the same per-test results in REPEAT_RUNS (default 5)
#     consecutive runs.
#
# LAB=NN (or "NN MM") limits the lab checks to those labs (and the fixtures
# to those that use only them). Fixtures and repeat runs are graded JOBS at
# a time (default: one per core), then the mutants MUTANT_JOBS at a time
# (default: two per core), without the advisory static checks.
# Ends with a line "N passed, N failed"; exit 1 when anything failed.
set -euo pipefail
# KERNEL may name several series here; vm/common.sh takes one, set per
# series below. The debug kernel is built from source the first time.
series_list=${KERNEL:-6.12 6.1 6.12-debug}
unset KERNEL
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../../vm/common.sh"
# shellcheck source=grader/tests/mutants.bash
. "$KCL_ROOT/grader/tests/mutants.bash"
kcl_require_host

stock_series=$(tr ' ' '\n' <<<"$series_list" | grep -v -- '-debug$' || true)
mutant_series=${MUTANT_KERNELS:-${stock_series%%$'\n'*}}
jobs_max=$(kcl_jobs_max "${JOBS:-}")
# Mutants spend much of their time in tests that wait for their time limit
# (a reader never woken, say), with the VM idle; and a busy machine can only
# make more of a mutant's tests fail, never the one that catches it. So they
# run after the fixtures, whose time bounds a busy machine would blur, two
# per core by default.
mutant_jobs=$(kcl_jobs_max "${MUTANT_JOBS:-$((2 * jobs_max))}")
REPEAT_RUNS=${REPEAT_RUNS:-5}
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
		*.sh | */grade | */grade-class | */init | */run-tests | */kmemleak-module | */load.bash | */bats-*.bash | */sparse-check | */catch-rate | */mutants.bash | */mutate/mutate | */mutate/sites | */mutate/score | .ci/run) echo "$file" ;;
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

# run_grade TAG ARGS...: grade into $scratch/TAG, output in $scratch/TAG.log.
run_grade() {
	local tag=$1
	shift
	# one lab at a time: this script runs its own checks side by side
	JOBS=1 "$KCL_ROOT/grader/grade" --out "$scratch/$tag" "$@" >"$scratch/$tag.log" 2>&1 || true
}

# graded TAG: whether $scratch/TAG/report.json was written; a failure if not.
graded() {
	[[ -f $scratch/$1/report.json ]] || {
		fail "grading $1 produced no report" "$(tail -n 30 "$scratch/$1.log")"
		return 1
	}
}

# grade TAG ARGS...: run_grade, then graded.
grade() {
	run_grade "$@"
	graded "$1"
}

# Report line of one lab: "verdict points warnings".
lab_result() {
	jq -r --arg id "$2" '.labs[] | select(.id == $id) |
		"\(.verdict) \(.points) \(.warnings | length) \(.static // {} |
			(.sparse // []) + (.checkpatch // []) | length)"' "$1/report.json"
}

lab_failures() {
	jq -r --arg id "$2" '.labs[] | select(.id == $id) |
		.summary, (.tests[] | select(.result == "fail") | "FAIL \(.name)\n\(.message)"),
		(.build_log // empty), (.static // {} | (.sparse // []) + (.checkpatch // []))[]' \
		"$1/report.json" | head -n 40
}

# check_mutant SERIES LAB PATCH: grade the lab's solution with the patch
# applied, without the advisory static checks; the test named by the
# patch's Caught-by: line must fail.
check_mutant() {
	local series=$1 id=$2 patch=$3 mutant caught_by tag result
	mutant=$(basename "$patch" .patch)
	caught_by=$(mutant_caught_by "$patch")
	tag=mutant-$series-$id-$mutant
	kcl_step "kernel $series: grading mutant $id/$mutant"
	if ! mutant_source "$id" "$patch" "$scratch/$tag.src" >"$scratch/$tag.patch.log" 2>&1; then
		fail "kernel $series: mutant $id/$mutant applies" "$(cat "$scratch/$tag.patch.log")"
		return 1
	fi
	STATIC_CHECKS=0 TEST_FILTER=$(mutant_filter "$id" "$patch") \
		grade "$tag" --src "$scratch/$tag.src" --lab "$id" || return 1
	result=$(mutant_result "$scratch/$tag" "$id" "$patch")
	if [[ $result == fail ]]; then
		pass "kernel $series: mutant $id/$mutant is caught by \"$caught_by\""
	else
		fail "kernel $series: mutant $id/$mutant is caught by \"$caught_by\" (that test: $result)" \
			"$(lab_failures "$scratch/$tag" "$id")"
		return 1
	fi
}

# check_fixture SERIES DIR: grade a fixture of grader/tests/fixtures/ (a
# small broken or hostile submission, see its fixture.conf) and check that
# each of its labs gets the verdict and evidence FIXTURE_EXPECT asks for,
# within FIXTURE_SECONDS (KVM seconds, scaled like every time limit).
check_fixture() {
	local series=$1 dir=$2 name tag src lab base patch start seconds bound
	local line id expr skeleton verdicts="" problems="" console longest refuted
	local FIXTURE_LABS FIXTURE_SECONDS FIXTURE_EXPECT FIXTURE_ENV="" FIXTURE_KERNEL=stock
	local FIXTURE_MUST_NOT_EXIST="" FIXTURE_MAX_BYTES="" FIXTURE_MUTANT=""
	local FIXTURE_REPORT_MATCH="" FIXTURE_REPORT_REFUTE="" FIXTURE_REPORT_MAX_LINES=""
	name=$(basename "$dir")
	tag=fixture-$series-$name
	# shellcheck source=grader/tests/fixtures/panic-in-init/fixture.conf
	. "$dir/fixture.conf"
	kcl_step "kernel $series: grading fixture $name"
	src=$scratch/$tag.src
	mkdir -p "$src"
	for lab in $FIXTURE_LABS; do
		base=solutions
		[[ -f $dir/$lab.skeleton.patch ]] && base=skeletons
		cp -r "$base/$lab" "$src/"
		# FIXTURE_MUTANT: a mutant of the lab (labs/NN-name/mutants/) as the patch
		for patch in "$dir/$lab.patch" "$dir/$lab.skeleton.patch" \
			${FIXTURE_MUTANT:+"$KCL_ROOT/labs/$lab/mutants/$FIXTURE_MUTANT.patch"}; do
			[[ -f $patch ]] || continue
			patch -s -p1 -d "$src/$lab" <"$patch" >"$scratch/$tag.patch.log" 2>&1 || {
				fail "kernel $series: fixture $name applies" "$(cat "$scratch/$tag.patch.log")"
				return 1
			}
		done
		# files of the fixture (symbolic links stay links) replace the lab's
		if [[ -d $dir/$lab ]]; then
			cp -a --remove-destination "$dir/$lab/." "$src/$lab/"
		fi
	done
	if [[ -n $FIXTURE_MUST_NOT_EXIST ]]; then
		rm -f "$FIXTURE_MUST_NOT_EXIST"
	fi
	start=$(kcl_now_ms)
	# shellcheck disable=SC2086 # FIXTURE_ENV is a list of NAME=VALUE words
	env $FIXTURE_ENV "$KCL_ROOT/grader/grade" --out "$scratch/$tag" --src "$src" \
		--lab "$FIXTURE_LABS" >"$scratch/$tag.log" 2>&1 || true
	seconds=$(kcl_elapsed "$start")
	bound=$((FIXTURE_SECONDS * $(kcl_time_scale "$series")))
	[[ -f $scratch/$tag/report.json ]] || {
		fail "kernel $series: fixture $name is graded" "$(tail -n 30 "$scratch/$tag.log")"
		return 1
	}
	awk -v s="$seconds" -v b="$bound" 'BEGIN { exit !(s <= b) }' ||
		problems+="took ${seconds}s, more than its bound of ${bound}s"$'\n'
	while IFS= read -r line; do
		[[ $line == *"|"* ]] || continue
		id=${line%%|*} expr=${line#*|}
		skeleton=null
		if [[ $expr == *"\$skeleton"* ]]; then
			[[ -f $scratch/skeletons-$series/report.json ]] ||
				grade "skeletons-$series" --src skeletons --lab "$id" || return 1
			skeleton=$(jq --arg id "$id" '.labs[] | select(.id == $id)' \
				"$scratch/skeletons-$series/report.json")
		fi
		verdicts+="$id $(jq -r --arg id "$id" '.labs[] | select(.id == $id) |
			"\(.verdict) \(.points)"' "$scratch/$tag/report.json"), "
		jq -e --arg id "$id" --argjson skeleton "${skeleton:-null}" \
			".labs[] | select(.id == \$id) | ($expr)" "$scratch/$tag/report.json" \
			>/dev/null 2>&1 || problems+="$id: expected $expr"$'\n'"$(lab_failures "$scratch/$tag" "$id")"$'\n'
	done <<<"$FIXTURE_EXPECT"
	if [[ -n $FIXTURE_MUST_NOT_EXIST && -e $FIXTURE_MUST_NOT_EXIST ]]; then
		problems+="$FIXTURE_MUST_NOT_EXIST exists on the host"$'\n'
	fi
	# the report the student reads (grader/report.sh lab, in the grade's
	# output): a line it must show, a pattern it must not, and at most
	# FIXTURE_REPORT_MAX_LINES lines for any one test
	if [[ -n $FIXTURE_REPORT_MATCH ]] && ! grep -qF -- "$FIXTURE_REPORT_MATCH" "$scratch/$tag.log"; then
		problems+="the report does not show: $FIXTURE_REPORT_MATCH"$'\n'
	fi
	if [[ -n $FIXTURE_REPORT_REFUTE ]]; then
		refuted=$(grep -E -- "$FIXTURE_REPORT_REFUTE" "$scratch/$tag.log" || true)
		[[ -z $refuted ]] || problems+="the report shows what it must not:"$'\n'"$refuted"$'\n'
	fi
	if [[ -n $FIXTURE_REPORT_MAX_LINES ]]; then
		longest=$(awk '
			/^   [A-Z]+ / { lines = 0; inside = 1 }
			inside && /^   / { if (++lines > most) most = lines; next }
			{ inside = 0 }
			END { print most + 0 }' "$scratch/$tag.log")
		((longest <= FIXTURE_REPORT_MAX_LINES)) ||
			problems+="a test's report has $longest lines, more than $FIXTURE_REPORT_MAX_LINES"$'\n'
	fi
	if [[ -n $FIXTURE_MAX_BYTES ]]; then
		for console in "$scratch/$tag"/work/*/run-*/console.log; do
			(($(stat -c %s "$console") <= FIXTURE_MAX_BYTES)) ||
				problems+="$console has $(stat -c %s "$console") bytes, more than $FIXTURE_MAX_BYTES"$'\n'
		done
	fi
	if [[ -z $problems ]]; then
		pass "kernel $series: fixture $name: ${verdicts%, } in ${seconds}s (bound ${bound}s)"
	else
		fail "kernel $series: fixture $name: ${verdicts%, } in ${seconds}s" "$problems"
		return 1
	fi
}

# per_test_results DIR ID: "NAME<TAB>RESULT" for each test of lab ID in
# DIR/report.json.
per_test_results() {
	jq -r --arg id "$2" '.labs[] | select(.id == $id) | .tests[] |
		[.name, .result] | @tsv' "$1/report.json"
}

# check_repeatable SERIES LAB: grade the lab's solution RUNS-1 more times
# after the solutions run; every run must give the same per-test results.
check_repeatable() {
	local series=$1 id=$2 run tag results first
	first=$(per_test_results "$scratch/solutions-$series" "$id")
	for ((run = 2; run <= REPEAT_RUNS; run++)); do
		tag=repeat-$series-$id-$run
		kcl_step "kernel $series: grading solution $id again (run $run of $REPEAT_RUNS)"
		grade "$tag" --src solutions --lab "$id" || return 1
		results=$(per_test_results "$scratch/$tag" "$id")
		if [[ $results != "$first" ]]; then
			fail "kernel $series: solution $id gives the same per-test results in $REPEAT_RUNS consecutive runs (run $run differs)" \
				"$(diff <(echo "$first") <(echo "$results"))"
			return 1
		fi
	done
	pass "kernel $series: solution $id gives the same per-test results in $REPEAT_RUNS consecutive runs"
}

# check_hidden_tests SERIES: lab 01's solution with the example hidden tests
# of grader/tests/hidden-example: they add their points, the one that fails
# costs its points, and no report shows its assertion.
check_hidden_tests() {
	local series=$1 tag=hidden-$1 expected got refusal
	kcl_step "kernel $series: grading 01-hello with hidden tests"
	# broken hidden tests: refused before any VM starts, file and test named
	if refusal=$("$KCL_ROOT/grader/grade" --src solutions --lab 01 \
		--extra-tests grader/tests/hidden-broken 2>&1); then
		fail "kernel $series: broken hidden tests are refused" "the grader graded them"
		return 1
	fi
	if grep -q 'no-points.bats:10: test "hidden: a test without points" has no' <<<"$refusal" &&
		grep -q 'unparsable.bats:10: syntax error' <<<"$refusal"; then
		pass "kernel $series: broken hidden tests are refused, with the file and the test"
	else
		fail "kernel $series: broken hidden tests are refused, with the file and the test" "$refusal"
		return 1
	fi
	grade "$tag" --src solutions --lab 01 \
		--extra-tests grader/tests/hidden-example || return 1
	if grep -rq 'HIDDEN-ASSERTION' "$scratch/$tag/report.json" \
		"$scratch/$tag/report.xml" "$scratch/$tag.log"; then
		fail "kernel $series: hidden tests add their points and keep their assertions out of the reports" \
			"a report shows the hidden assertion"
		return 1
	fi
	got=$(jq -r '.labs[0] | "\(.points)/\(.max_points) \([.tests[] | .hidden // false][-6:-2] | tojson) \([.tests[] | select(.hidden) | .result] | tojson)"' \
		"$scratch/$tag/report.json")
	expected='105/110 [false,false,true,true] ["pass","fail"]'
	if [[ $got == "$expected" ]]; then
		pass "kernel $series: hidden tests add their points and keep their assertions out of the reports"
	else
		fail "kernel $series: hidden tests add their points and keep their assertions out of the reports" \
			"expected $expected, got $got"
		return 1
	fi
}

# check_class SERIES: grade-class on a class of five entries (lab 01 only):
# the solution, the skeleton, one that does not build, one partly right (a
# mutant), and a file that is no submission; the gradebook says so.
check_class() {
	local series=$1 class=$scratch/class-$1 skeleton expected
	kcl_step "kernel $series: grading a class of five"
	rm -rf "$class"
	mkdir -p "$class/in/alice" "$class/in/bob" "$class/in/carol" "$class/in/dave"
	cp -r solutions/01-hello "$class/in/alice/"
	cp -r skeletons/01-hello "$class/in/bob/"
	cp -r solutions/01-hello "$class/in/carol/"
	patch -s -p1 -d "$class/in/carol/01-hello" <grader/tests/fixtures/build-error/01-hello.patch
	cp -r solutions/01-hello "$class/in/dave/"
	patch -s -p1 -d "$class/in/dave/01-hello" <labs/01-hello/mutants/wrong-errno.patch
	echo "not a submission" >"$class/in/erin.txt"
	"$KCL_ROOT/grader/grade-class" --submissions "$class/in" --lab 01 --jobs 1 \
		--out "$class/out" >"$class.log" 2>&1 || {
		fail "kernel $series: grade-class writes the gradebook" "$(tail -n 20 "$class.log")"
		return 1
	}
	skeleton=$(jq -r '.labs[] | select(.id == "01-hello") | .points' \
		"$scratch/skeletons-$series/report.json" 2>/dev/null || echo "?")
	expected=$(printf '%s\n' '"submission","01-hello","total","max","note"' \
		'"alice",100,100,100,""' \
		"\"bob\",$skeleton,$skeleton,100,\"01-hello: fail\"" \
		'"carol",0,0,100,"01-hello: build-error"' \
		'"dave",PARTIAL,PARTIAL,100,"01-hello: fail"' \
		'"erin.txt","",0,"","not a folder"')
	if [[ $(sed -E 's/^("dave"),[1-9][0-9],[1-9][0-9],/\1,PARTIAL,PARTIAL,/' "$class/out/gradebook.csv") == "$expected" ]]; then
		pass "kernel $series: grade-class writes the expected gradebook for five entries"
	else
		fail "kernel $series: grade-class writes the expected gradebook for five entries" \
			"expected:"$'\n'"$expected"$'\n'"got:"$'\n'"$(cat "$class/out/gradebook.csv")"
		return 1
	fi
}

# spawn SLOTS OUTPUT COMMAND...: run a check in the background, at most
# SLOTS at a time, its lines into OUTPUT (listed in outputs, in order).
spawn() {
	local slots=$1 output=$2
	shift 2
	kcl_wait_for_slot "$slots"
	outputs+=("$output")
	"$@" >"$output" &
}

cd "$KCL_ROOT"
mapfile -t scripts < <(shell_scripts)
check "scripts pass shellcheck (${#scripts[@]} files)" shellcheck -x "${scripts[@]}" || true
check "skeletons/ is in sync with solutions/" grader/skeletons.sh --check || true
check "the slide diagrams (SVG) are up to date with their sources" slides/diagrams.sh --check || true
check "the lecture slides render, self-contained" slides/render.sh --check || true
for id in "${lab_ids[@]}"; do
	check "$id: every test declares points, 100 in all" lint_lab_points "labs/$id" || true
done

for series in $series_list; do
	export KERNEL=$series
	kcl_step "kernel $series: preparing the VM"
	check "kernel $series: the VM prepares" "$KCL_ROOT/vm/prepare.sh" || continue

	# one VM at a time each: the solutions and the skeletons side by side
	# (on a debug kernel, no skeletons; two of its VMs side by side take
	# longer than one after the other)
	kcl_step "kernel $series: grading the solutions and the skeletons"
	run_grade "solutions-$series" --src solutions --lab "${lab_ids[*]}" &
	[[ $series == *-debug ]] ||
		run_grade "skeletons-$series" --src skeletons --lab "${lab_ids[*]}" &
	wait
	if graded "solutions-$series"; then
		for id in "${lab_ids[@]}"; do
			read -r verdict points warnings findings < <(lab_result "$scratch/solutions-$series" "$id")
			if [[ $verdict == pass && $points == 100 && $warnings == 0 && $findings == 0 ]]; then
				pass "kernel $series: solution $id scores 100/100, no warnings, no static findings"
			else
				fail "kernel $series: solution $id scores 100/100, no warnings, no static findings (got $verdict $points, $warnings warnings, $findings findings)" \
					"$(lab_failures "$scratch/solutions-$series" "$id")"
			fi
		done
	fi

	if [[ $series != *-debug ]] && graded "skeletons-$series"; then
		for id in "${lab_ids[@]}"; do
			# the plain skeleton is all given code: no static finding is the student's
			read -r verdict points warnings findings < <(lab_result "$scratch/skeletons-$series" "$id")
			if [[ $verdict == fail && $points -lt 100 && $warnings == 0 && $findings == 0 ]]; then
				pass "kernel $series: skeleton $id builds warning-free, runs, scores $points/100, no static findings"
			else
				fail "kernel $series: skeleton $id builds warning-free, runs, scores below 100, no static findings (got $verdict $points, $warnings warnings, $findings findings)" \
					"$(lab_failures "$scratch/skeletons-$series" "$id")"
			fi
		done
	fi

	# the kind of mutant this series checks
	if [[ $series == *-debug ]]; then
		mutant_kind=debug
	elif [[ " $mutant_series " == *" $series "* ]]; then
		mutant_kind=stock
	else
		continue
	fi
	# Repeat runs and fixtures grade in VMs of their own, $jobs_max at a
	# time, then the mutants, $mutant_jobs at a time; their lines are
	# printed in order once all are done.
	outputs=()
	if [[ $mutant_kind == stock && -f $scratch/solutions-$series/report.json ]]; then
		for id in "${lab_ids[@]}"; do
			spawn "$jobs_max" "$scratch/repeat-$series-$id.out" check_repeatable "$series" "$id"
		done
	fi
	if [[ $mutant_kind == stock && " ${lab_ids[*]} " == *" 01-hello "* ]]; then
		spawn "$jobs_max" "$scratch/hidden-$series.out" check_hidden_tests "$series"
		spawn "$jobs_max" "$scratch/class-$series.out" check_class "$series"
	fi
	for fixture in grader/tests/fixtures/*/; do
		# "LABS|KERNEL": the fixture's labs and kind of kernel
		fixture_wants=$(
			FIXTURE_KERNEL=stock
			# shellcheck source=grader/tests/fixtures/panic-in-init/fixture.conf
			. "$fixture/fixture.conf"
			echo "$FIXTURE_LABS|$FIXTURE_KERNEL"
		)
		[[ ${fixture_wants#*|} == "$mutant_kind" ]] || continue
		for id in ${fixture_wants%|*}; do
			[[ " ${lab_ids[*]} " == *" $id "* ]] || continue 2
		done
		spawn "$jobs_max" "$scratch/fixture-$series-$(basename "$fixture").out" \
			check_fixture "$series" "${fixture%/}"
	done
	wait
	for id in "${lab_ids[@]}"; do
		for patch in "labs/$id"/mutants/*.patch; do
			[[ -f $patch && $(mutant_kernel "$patch") == "$mutant_kind" ]] || continue
			spawn "$mutant_jobs" "$scratch/mutant-$series-$id-$(basename "$patch" .patch).out" \
				check_mutant "$series" "$id" "$patch"
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
