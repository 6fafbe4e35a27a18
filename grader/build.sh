#!/usr/bin/env bash
# Build one lab of a submission with the grader's own Kbuild and flags, and
# pack what the VM needs into a cpio archive.
#
#   grader/build.sh LAB_DIR SUBMISSION_LAB_DIR WORK_DIR
#
# Nothing of the submission runs on the host. Only the lab's own source files
# (the names in skeletons/NN-name/) are taken, as regular files of bounded
# size; a Makefile, Kbuild or script in the submission is never used. An
# #include that could reach a host file is refused before anything is
# compiled, and the compiler runs with time, memory and output limits.
# Writes WORK_DIR/build.log (refusals and compiler output), WORK_DIR/sparse.log
# (sparse's findings on the modules, advisory; empty when sparse is missing or
# STATIC_CHECKS=0) and, on success, WORK_DIR/lab.cpio (atomically). Exit 1 on a
# build error or a refusal.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

# absolute: Kbuild runs in the kernel's tree, not here
lab_dir=$(cd "$1" && pwd) submission=$2
mkdir -p "$3"
work=$(cd "$3" && pwd)
kcl_load_vm
# shellcheck source=labs/01-hello/lab.conf
. "$lab_dir/lab.conf"
lab_id=$(basename "$lab_dir")
BUILD_TIMEOUT=${BUILD_TIMEOUT:-120}
SOURCE_MAX_BYTES=${SOURCE_MAX_BYTES:-262144}
# Bounds for one compiler run: address space (KiB), size of any file it
# writes (KiB), bytes of its output kept in build.log.
BUILD_MEMORY_KB=4194304 BUILD_FILE_KB=262144 BUILD_LOG_BYTES=262144
# UBSan, its runtime linked in: undefined behaviour that happens to work
# (an index one past an array, a shift too far, a signed overflow) stops
# the program with "runtime error: ..." on stderr, and fails its test
USER_CFLAGS=(-static -O2 -Wall -Wextra -fmax-errors=20
	-fsanitize=undefined -fno-sanitize-recover=all)

# only what this script makes: VMs may already run from WORK_DIR/run-*.
# WORK_DIR/src keeps what Kbuild made last time, the sources aside: after an
# edit it rebuilds only that object (for lab 01, 2.2 s instead of 3.3 s in a
# fresh tree, which also compiles the .mod.c and module-common files).
rm -rf "$work/lab" "$work/lab.cpio" "$work/build.log" "$work/symbols"
rm -f "$work/src/Kbuild"
mkdir -p "$work/src" "$work/lab/modules" "$work/lab/bin" "$work/lab/tests" "$work/symbols"
log=$work/build.log
: >"$log"
: >"$work/sparse.log"

fail() {
	printf '%s\n' "$*" >>"$log"
	exit 1
}

# refuse_host_includes FILE: fail unless every #include (or #include_next,
# #import, digraph %:include) of FILE names a plain relative header: no
# absolute path, no "..", no macro. Quoted names then resolve in the lab's
# source folder, the lab's include/ or the kernel headers only. .incbin
# (assembler file inclusion) is refused too.
refuse_host_includes() {
	local file=$1 name
	name=$(basename "$file")
	# Backslash-newline joins lines before the preprocessor sees them.
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$file" | awk -v name="$name" '
		{ line = $0 }
		line ~ /^[ \t]*(#|%:)[ \t]*(include|include_next|import|embed)/ {
			target = line
			sub(/^[ \t]*(#|%:)[ \t]*[a-z_]+[ \t]*/, "", target)
			if (target !~ /^("[A-Za-z0-9_.\/+-]+"|<[A-Za-z0-9_.\/+-]+>)/ ||
			    target ~ /^["<]\// || target ~ /(^["<]|\/)\.\.(\/|[">])/) {
				printf "refused %s:%d: %s (only the kernel headers, the lab'"'"'s include/ and the lab'"'"'s own files may be included)\n", name, NR, line
				bad = 1
			}
		}
		/\.incbin/ {
			printf "refused %s:%d: .incbin (including a file into the object) is not allowed\n", name, NR
			bad = 1
		}
		END { exit bad }' >>"$log"
}

# run_limited COMMAND...: run a compiler step with the limits above; its
# output goes to build.log, cut at BUILD_LOG_BYTES, with the scratch folder
# taken out of file names. timeout signals the whole
# process group, so no compiler process outlives the limit.
run_limited() {
	local status
	set +e
	(
		ulimit -v "$BUILD_MEMORY_KB" -f "$BUILD_FILE_KB"
		timeout --kill-after=5 "$BUILD_TIMEOUT" "$@" 2>&1
	) | sed "s|$work/src/||g" | head -c "$BUILD_LOG_BYTES" >>"$log"
	status=${PIPESTATUS[0]}
	set -e
	if ((status == 124 || status == 137)); then
		printf 'stopped: the compiler ran longer than %ss\n' "$BUILD_TIMEOUT" >>"$log"
	fi
	return "$status"
}

[[ -d $submission ]] || fail "no folder $lab_id in the submission ($submission)"
[[ ! -L $submission ]] ||
	fail "refused $lab_id: the lab folder is a symbolic link (to $(readlink "$submission")); submit a real folder"

# The lab's own files: what the student was given to edit.
shopt -s nullglob
mapfile -t expected < <(kcl_lab_source_names "$lab_id")
refused=0 sources=()
for name in "${expected[@]}"; do
	file=$submission/$name
	# last build's copy: the submission may no longer have it
	rm -f "$work/src/$name"
	if [[ -L $file ]]; then
		printf 'refused %s: a symbolic link (to %s); submit the file itself\n' \
			"$name" "$(readlink "$file")" >>"$log"
		refused=1
	elif [[ -e $file && ! -f $file ]]; then
		printf 'refused %s: not a regular file\n' "$name" >>"$log"
		refused=1
	elif [[ -f $file ]]; then
		if (($(stat -c %s "$file") > SOURCE_MAX_BYTES)); then
			printf 'refused %s: %s bytes, more than the %s a source file may have\n' \
				"$name" "$(stat -c %s "$file")" "$SOURCE_MAX_BYTES" >>"$log"
			refused=1
		elif refuse_host_includes "$file"; then
			cp "$file" "$work/src/"
			sources+=("$work/src/$name")
		else
			refused=1
		fi
	fi
done
((refused == 0)) || fail "the submission was refused: see the lines above"
for file in "$submission"/*.c "$submission"/*.h; do
	[[ " ${expected[*]} " == *" $(basename "$file") "* ]] ||
		printf 'ignored %s: not a file of this lab (%s)\n' \
			"$(basename "$file")" "${expected[*]}" >>"$log"
done

includes=() lab_headers=()
if [[ -d $lab_dir/include ]]; then
	includes=(-I"$lab_dir/include")
	lab_headers=("$lab_dir"/include/*.h)
fi

# A step built before from the same inputs (sources, headers, flags, this
# script, compiler, kernel) is taken from the cache with its compiler
# messages: re-grading after one edit rebuilds that step only.
compiler=$(kcl_compiler_version)

# from_cache KEY DEST: copy the outputs of step KEY into DEST, its compiler
# messages into build.log and its sparse findings into sparse.log; fails when
# KEY was never built.
from_cache() {
	local entry=$KCL_CACHE_DIR/$1 file
	[[ -d $entry ]] || return 1
	for file in "$entry"/*; do
		case ${file##*/} in
		build-messages) cat "$file" >>"$log" ;;
		sparse.log) cp "$file" "$work/" ;;
		*.ko.debug) cp "$file" "$work/symbols/${file##*/}" ;;
		*) cp "$file" "$2/" ;;
		esac
	done
}

# to_cache KEY LOG_OFFSET FILE...: keep the outputs of a step that succeeded,
# with its messages (build.log from byte LOG_OFFSET on).
to_cache() {
	local key=$1 offset=$2
	shift 2
	tail -c +$((offset + 1)) "$log" >"$work/build-messages"
	kcl_cache_store "$key" "$work/build-messages" "$@"
	rm "$work/build-messages"
}

for module in $LAB_MODULES; do
	[[ -f $work/src/$module.c ]] || fail "missing $module.c (the module $module)"
	printf 'obj-m += %s.o\n' "$module" >>"$work/src/Kbuild"
done
if [[ -n $LAB_MODULES ]]; then
	# Messages and WARN splats name hello.c, not the grader's scratch path.
	# The lab's stack variables start as a pattern, not zero as the kernel
	# has them (INIT_STACK_ALL_ZERO): bytes nobody wrote show. -g: the host
	# names the source line of a leak (grader/symbolize.sh).
	printf 'ccflags-y += -fmax-errors=20 -ffile-prefix-map=%s/= %s\n' \
		"$work/src" "${includes[*]}" >>"$work/src/Kbuild"
	printf 'ccflags-y += -ftrivial-auto-var-init=pattern -g\n' >>"$work/src/Kbuild"
	# sparse checks the modules in the same Kbuild run (C=2: every source,
	# rebuilt or not), which costs it about 0.3 s instead of a Kbuild run of
	# its own (0.9 s with nothing to rebuild); advisory, as are its findings
	checker=() sparse=none
	if [[ ${STATIC_CHECKS:-1} != 0 ]] && command -v sparse >/dev/null; then
		sparse=$(sparse --version 2>&1)
		checker=(C=2 CHECK="$KCL_ROOT/grader/sparse-check")
	fi
	key=$(kcl_inputs_hash "modules $LAB_MODULES|$KCL_RELEASE|$compiler|$sparse" \
		"$0" "$KCL_ROOT/grader/sparse-check" "${sources[@]}" "${lab_headers[@]}")
	if ! from_cache "$key" "$work/lab/modules"; then
		offset=$(stat -c %s "$log")
		kcl_kbuild_command "$compiler"
		: >"$work/sparse.raw"
		KCL_SPARSE_LOG=$work/sparse.raw run_limited "${KCL_KBUILD[@]}" \
			M="$work/src" "${checker[@]}" modules || fail "module build failed"
		sed "s|$work/src/||g" "$work/sparse.raw" | grep -E ': (warning|error): ' |
			head -n 200 >"$work/sparse.log" || true
		rm "$work/sparse.raw"
		for module in $LAB_MODULES; do
			# debug info is most of a .ko; the VM boots faster without it.
			# The host keeps it, to name the lines of a report.
			strip --strip-debug -o "$work/lab/modules/$module.ko" "$work/src/$module.ko"
			cp "$work/src/$module.ko" "$work/symbols/$module.ko.debug"
		done
		to_cache "$key" "$offset" "$work"/lab/modules/*.ko "$work"/symbols/*.ko.debug \
			"$work/sparse.log"
	fi
fi

# user programs of the submission, then the lab's own test helpers, which
# may also use the code the labs' tests share (labs/common/*.h) and include
# the submission's programs, to test their functions one by one
build_program() {
	local source=$1 shared=${2:-} name key offset shared_headers=() flags=()
	local program programs=()
	if [[ -n $shared ]]; then
		shared_headers=("$shared"/*.h)
		flags=(-I"$shared" -I"$work/src")
		for program in $LAB_PROGRAMS; do
			programs+=("$work/src/$program.c")
		done
	fi
	name=$(basename "$source" .c)
	key=$(kcl_inputs_hash "program $name|${USER_CFLAGS[*]}|$compiler" \
		"$0" "$source" "$(dirname "$source")"/*.h "${lab_headers[@]}" \
		"${shared_headers[@]}" "${programs[@]}")
	from_cache "$key" "$work/lab/bin" && return 0
	offset=$(stat -c %s "$log")
	run_limited gcc "${USER_CFLAGS[@]}" "${includes[@]}" "${flags[@]}" \
		-o "$work/lab/bin/$name" "$source" || fail "building $name failed"
	to_cache "$key" "$offset" "$work/lab/bin/$name"
}
for program in $LAB_PROGRAMS; do
	[[ -f $work/src/$program.c ]] || fail "missing $program.c (the program $program)"
	build_program "$work/src/$program.c"
done
for helper in "$lab_dir"/tests/helpers/*.c; do
	build_program "$helper" "$KCL_ROOT/labs/common"
done

# Each test file goes with bats's own preprocessed form of it, made here by
# the same bats-core: bats-preprocess reads a file line by line, about 0.2 s
# a VM under TCG. The guest's bats takes .NAME.src in place of running it
# (vm/initramfs.sh) unless the test file is newer; a file bats warns about
# gets none, so the warning still shows in the VM.
bats_root=$KCL_TOOLS_DIR/node_modules/bats
while IFS=$'\t' read -r file name _; do
	cp "$file" "$work/lab/tests/$name"
	premade=$work/lab/tests/.$name.src
	if ! LC_ALL=C BATS_ROOT=$bats_root BATS_LIBDIR=lib CHECK_BATS_COMMENT_COMMANDS=1 \
		"$bats_root/libexec/bats-core/bats-preprocess" "$work/lab/tests/$name" \
		>"$premade" 2>"$premade.err" || [[ -s $premade.err ]]; then
		rm "$premade"
	fi
	rm "$premade.err"
done < <(kcl_lab_test_files "$lab_dir")
cat >"$work/lab/lab.env" <<ENV
LAB_ID=$lab_id
LAB_MODULES="$LAB_MODULES"
BATS_TEST_TIMEOUT=$((LAB_TEST_TIMEOUT * KCL_TIME_SCALE))
ENV
# in one rename: a VM booted before the build waits for this file
(cd "$work" && find lab | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$work/lab.cpio.new"
mv "$work/lab.cpio.new" "$work/lab.cpio"
