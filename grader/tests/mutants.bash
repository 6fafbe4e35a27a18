# shellcheck shell=bash
# Mutants: a lab's solution with one plausible student bug, kept as
# labs/NN-name/mutants/NAME.patch. The patch's header says which test must
# catch it ("Caught-by: TEST NAME") and on which kind of kernel ("Kernel:
# stock" or "debug"; stock without one). Sourced by grader/tests/run.sh and
# grader/tests/catch-rate, after vm/common.sh.

# mutant_kernel PATCH: the kind of kernel that catches the mutant.
mutant_kernel() {
	local kind
	kind=$(sed -n 's/^Kernel: //p' "$1")
	echo "${kind:-stock}"
}

# mutant_caught_by PATCH: the name of the test (or check) that catches it.
mutant_caught_by() {
	sed -n 's/^Caught-by: //p' "$1"
}

# mutant_source LAB PATCH DIR: the lab's solution with the patch applied,
# in DIR/LAB; patch's complaints on stderr when it does not apply.
mutant_source() {
	local id=$1 patch=$2 dir=$3
	mkdir -p "$dir"
	cp -r "$KCL_ROOT/solutions/$id" "$dir/"
	patch -s -p1 -d "$dir/$id" <"$patch"
}

# mutant_filter LAB PATCH: the TEST_FILTER (a bats --filter regex) that
# runs only the test that must catch the mutant; empty when that is a
# check (the clean-kernel or unload check), which needs every test. The
# other tests say nothing of whether the mutant is caught: alone, a
# mutant's test costs little more than a boot.
mutant_filter() {
	local caught_by
	caught_by=$(mutant_caught_by "$2")
	kcl_lab_tests "$KCL_ROOT/labs/$1" | cut -f1 | grep -qxF -- "$caught_by" ||
		return 0
	# shellcheck disable=SC2016 # the $ is the regex's
	printf '^%s$\n' "$(printf '%s' "$caught_by" | sed 's/[][\\.*^$()+?{}|]/\\&/g')"
}

# mutant_result DIR LAB PATCH: the result of the catching test in
# DIR/report.json: pass, fail, ... or "missing".
mutant_result() {
	jq -r --arg id "$2" --arg name "$(mutant_caught_by "$3")" '.labs[] |
		select(.id == $id) | (.tests[] | select(.name == $name) | .result) //
		"missing"' "$1/report.json"
}
