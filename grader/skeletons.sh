#!/usr/bin/env bash
# `make skeletons`: write skeletons/ from solutions/.
#
# In a solution, the code a student writes stands between two marker lines:
#
#	/* SOLUTION: TODO 3: refuse bad parameter values */
#	...reference code...
#	/* END SOLUTION */
#
# The skeleton keeps the TODO line ("/* TODO 3: refuse bad parameter values */")
# and drops the code. Inside a block, a line "/* SKELETON: code */" becomes
# "code" in the skeleton (e.g. a stub return so that the skeleton compiles).
#
#   grader/skeletons.sh               regenerate skeletons/
#   grader/skeletons.sh --lab NN-name regenerate skeletons/NN-name only
#   grader/skeletons.sh --check       exit 1 if skeletons/ is out of date
#   grader/skeletons.sh --student-lines FILE
#                                     the numbers of FILE's lines inside a
#                                     block, one a line (make mutate)
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

# strip_solution FILE [lines]: FILE's skeleton; with "lines", the numbers
# of the lines that the skeleton drops or rewrites instead.
strip_solution() {
	awk -v lines="${2:-}" '
	function fail(msg) {
		printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
		failed = 1
		exit 1
	}
	match($0, /\/\* SOLUTION: TODO [0-9]+: .* \*\/$/) {
		if (inside) fail("SOLUTION block opened twice")
		inside = 1
		indent = substr($0, 1, RSTART - 1)
		todo = substr($0, RSTART + 13, RLENGTH - 16)
		if (!lines) print indent "/* " todo " */"
		next
	}
	/\/\* END SOLUTION \*\/$/ {
		if (!inside) fail("END SOLUTION without SOLUTION")
		inside = 0
		next
	}
	/SOLUTION/ && !/SKELETON:/ { fail("malformed SOLUTION marker") }
	lines { if (inside) print FNR; next }
	inside && match($0, /\/\* SKELETON: .* \*\/$/) {
		print substr($0, 1, RSTART - 1) substr($0, RSTART + 13, RLENGTH - 16)
		next
	}
	inside { next }
	{ print }
	END {
		if (!failed && inside) fail("SOLUTION block not closed")
	}' "$1"
}

# Write the skeleton of lab $2 into directory $1/$2.
generate_lab() {
	local out=$1 lab=$2 file
	mkdir -p "$out/$lab"
	for file in "$KCL_ROOT/solutions/$lab"/*; do
		[[ -f $file ]] || continue
		strip_solution "$file" >"$out/$lab/$(basename "$file")"
	done
}

# Write the skeletons of every lab into directory $1.
generate() {
	local lab
	for lab in "$KCL_ROOT"/solutions/*/; do
		generate_lab "$1" "$(basename "$lab")"
	done
}

if [[ ${1:-} == --student-lines ]]; then
	strip_solution "${2:?--student-lines needs a file}" lines
	exit
fi

if [[ ${1:-} == --lab ]]; then
	lab=${2:?--lab needs a lab id, e.g. 02-procfs}
	[[ -d $KCL_ROOT/solutions/$lab ]] || kcl_die "no solutions/$lab"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	generate_lab "$tmp" "$lab"
	rm -rf "$KCL_ROOT/skeletons/$lab"
	mkdir -p "$KCL_ROOT/skeletons"
	mv "$tmp/$lab" "$KCL_ROOT/skeletons/$lab"
	kcl_step "skeletons/$lab written from solutions/$lab"
	exit 0
fi

if [[ ${1:-} == --check ]]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	generate "$tmp"
	if ! diff -ru "$KCL_ROOT/skeletons" "$tmp" >"$tmp.diff"; then
		cat "$tmp.diff" >&2
		rm -f "$tmp.diff"
		kcl_die "skeletons/ is out of date with solutions/; run:  make skeletons"
	fi
	rm -f "$tmp.diff"
	exit 0
fi

tmp=$(mktemp -d "$KCL_ROOT/.skeletons.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
generate "$tmp"
rm -rf "$KCL_ROOT/skeletons"
mv "$tmp" "$KCL_ROOT/skeletons"
chmod 755 "$KCL_ROOT/skeletons"
trap - EXIT
kcl_step "skeletons/ written from solutions/"
