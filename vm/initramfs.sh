#!/usr/bin/env bash
# Build the base initramfs of one kernel series: busybox, bash, bats-core with
# bats-support/bats-assert, the guest init and tools, an unprivileged user,
# and the kernel modules the guest loads itself. Built once; each lab's files are
# appended later as a second, small cpio archive (the kernel unpacks both).
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"
release=$(<"$KCL_VM_DIR/release")

out=$KCL_VM_DIR/base.cpio
guest=$KCL_ROOT/grader/guest
inputs=("$guest"/* "$KCL_ROOT/vm/package-lock.json" "$0")
if [[ -f $out ]]; then
	newer=$(find "${inputs[@]}" -newer "$out" | head -n 1)
	[[ -z $newer ]] && exit 0
fi

# bats-core and its libraries, pinned by vm/package-lock.json (shared by
# every series).
tools=$KCL_TOOLS_DIR
if ! cmp -s "$KCL_ROOT/vm/package-lock.json" "$tools/package-lock.json"; then
	kcl_step "fetching bats-core, bats-support, bats-assert (pinned versions)"
	rm -rf "$tools"
	mkdir -p "$tools"
	cp "$KCL_ROOT/vm/package.json" "$KCL_ROOT/vm/package-lock.json" "$tools/"
	if ! (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error) >&2; then
		# without its lock file, the next run fetches again
		rm -rf "$tools"
		kcl_die "npm could not fetch the pinned bats packages"
	fi
fi

kcl_step "kernel $KCL_SERIES: building the base initramfs"
# A private stage: several graders may rebuild at once.
stage=$(mktemp -d "$KCL_VM_DIR/base.stage.XXXXXX")
trap 'rm -rf "$stage" "$stage.cpio"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/lib/bats,etc,proc,sys,dev,tmp,root,home/student,lab,lib/modules/kcl}

cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list | grep -vx busybox); do
	ln -s busybox "$stage/bin/$applet"
done
cp /bin/bash-static "$stage/bin/bash"
ln -sf ../../bin/busybox "$stage/usr/bin/env"

"$tools/node_modules/bats/install.sh" "$stage/usr" >/dev/null
rm -rf "$stage/usr/share/man"
# patch_line FILE OLD NEW: replace the line OLD of a bats-core file by NEW;
# stop if a new bats-core no longer has that line, so the patch gets reviewed.
patch_line() {
	local file=$1
	grep -qxF -- "$2" "$file" ||
		kcl_die "${file##*/} changed: review the bats-core patches in vm/initramfs.sh"
	OLD=$2 NEW=$3 awk '$0 == ENVIRON["OLD"] { $0 = ENVIRON["NEW"] } { print }' \
		"$file" >"$file.patched"
	cat "$file.patched" >"$file"
	rm "$file.patched"
}
# rename_to_kcl_lib FILE NAME: the function NAME of a bats file becomes
# kcl_lib_NAME (its definition line, as it stands), for a NAME of ours that
# calls it.
rename_to_kcl_lib() {
	local definition
	definition=$(grep -m 1 "^$2() {" "$1") ||
		kcl_die "${1##*/} changed: review the bats-core patches in vm/initramfs.sh"
	patch_line "$1" "$definition" "kcl_lib_$definition"
}
exec_test=$stage/usr/libexec/bats-core/bats-exec-test
exec_file=$stage/usr/libexec/bats-core/bats-exec-file
bats_lib=$stage/usr/lib/bats-core
# The tests' fork of bats-exec-file (below) takes bats-exec-test as it is and
# leans on what these files do at the top level: a new bats-core stops the
# build here to have it reviewed.
sha256sum --quiet -c - <<SUMS ||
65b555a2528a6bd0974ae00d804aafbc2ad92deb17544d85525eb922e4978c23  $exec_test
70b9e75fc8524a9947f405c10434e3ef65d4d1668ab5b975b1c1291bf8f24829  $exec_file
de29295e88762bdcb6b6bb9dae022fcc336e4ff822e7492fb7f019ef95eca8ea  $bats_lib/test_functions.bash
ca259ae16ed17b2a1432f9027084936de39630eb89932c2e8b70806874ddec2c  $bats_lib/common.bash
2ef554c88c88264d7ccd225b0b85745bc219de1bfd294ba9ad1ff55081704fa2  $bats_lib/preprocessing.bash
ab5180c77afd2f81ef3b72602da706ac0f27290ade4358869fa97a0458d031cd  $bats_lib/warnings.bash
9d10bb607c511cb22f122aef5bbb16252a35469f3412602842f86b4670d1bbc4  $stage/usr/libexec/bats-core/bats-gather-tests
SUMS
	kcl_die "bats-core changed: review the patches below and grader/guest/bats-*.bash"
# bats-core 1.13.0 bug #1206 (fix proposed upstream in PR #1226): the per-test
# timeout watchdog's pid is local to a function, so a failing test leaves the
# watchdog running and bats waits the whole BATS_TEST_TIMEOUT at the end.
# shellcheck disable=SC2016 # bash code, not to expand here
patch_line "$exec_test" '    declare -r BATS_killer_pid=$!' \
	'    declare -gr BATS_killer_pid=$!'
# Bats spends most of a test's time under TCG in its DEBUG trap, which runs
# before every command, the assertion libraries' included: about 0.5 ms a
# command it skips, 1.3 ms a command it records (measured in the VM).
# - Commands of bats and its libraries (under /usr/lib, /usr/libexec) are
#   skipped by the trap itself, without calling its handler;
tracing=$stage/usr/lib/bats-core/tracing.bash
# - the handler joins the call stack into a string and builds a stack trace
#   only when a test fails (grader/guest/bats-trace.bash, 0.35 ms a
#   command). It replaces functions of this exact tracing.bash, so a new
#   bats-core stops the build here to have it reviewed.
sha256sum --quiet -c - <<<"e9fec77d452ce5db635257f17ef2c37632718189de4464c7c1bb8b88e196668b  $tracing" ||
	kcl_die "${tracing##*/} changed: review grader/guest/bats-trace.bash against it"
cat "$guest/bats-trace.bash" >>"$tracing"
# - the trap's own test is one [[ ]] (bats is under /usr: /usr/lib* is both
#   folders), 8% cheaper than a case, kept in kcl_debug_trap for
#   grader/guest/bats-untraced.bash;
# shellcheck disable=SC2016
patch_line "$tracing" "  trap 'bats_debug_trap \"\$BASH_SOURCE\"' DEBUG" \
	"  kcl_debug_trap='[[ \$BASH_SOURCE == /usr/lib* ]] || bats_debug_trap'; trap \"\$kcl_debug_trap\" DEBUG"
# - run, and the assertions (below), run with the trap off
#   (grader/guest/bats-untraced.bash, appended to test_functions.bash).
rename_to_kcl_lib "$bats_lib/test_functions.bash" run
# - run's subshell merges stderr into stdout first, then runs the command
#   alone: bash lets a program replace the subshell only when nothing
#   follows it in there, no function wraps it and it has no redirection of
#   its own, so bats's `bats_merge_stdout_and_stderr "$@"` cost one more
#   process for each run of a program.
# shellcheck disable=SC2016
patch_line "$bats_lib/test_functions.bash" \
	'    output="$("$pre_command" "$@")" && status=0 || status=$?' \
	'    if [[ $output_case == merged ]]; then output="$(exec 2>&1; "$@")" && status=0 || status=$?; else output="$("$pre_command" "$@")" && status=0 || status=$?; fi'
cat "$guest/bats-untraced.bash" >>"$bats_lib/test_functions.bash"
# - a test that reads its file again registers the file's other tests with
#   less work (grader/guest/bats-test-function.bash).
rename_to_kcl_lib "$bats_lib/test_functions.bash" bats_test_function
cat "$guest/bats-test-function.bash" >>"$bats_lib/test_functions.bash"
# - bats-gather-tests lists a file's tests with less work when no filter is in
#   effect (grader/guest/bats-gather.bash).
gather=$stage/usr/libexec/bats-core/bats-gather-tests
rename_to_kcl_lib "$gather" bats_test_function
# shellcheck disable=SC2016
patch_line "$gather" 'function should_skip_because_of_focus() {' \
	'source "$BATS_ROOT/$BATS_LIBDIR/bats-core/kcl-gather.bash"; function should_skip_because_of_focus() {'
cp "$guest/bats-gather.bash" "$bats_lib/kcl-gather.bash"
# - no test forks a subshell to look for ps or pkill, or runs mkdir -p on a
#   folder that the first test made.
# shellcheck disable=SC2016
patch_line "$exec_test" '  if ! (command -v ps || command -v pkill) >/dev/null; then' \
	'  if ! command -v ps >/dev/null && ! command -v pkill >/dev/null; then'
# shellcheck disable=SC2016
patch_line "$exec_test" '  if ! mkdir -p "$tests_tmpdir"; then' \
	'  if [[ ! -d $tests_tmpdir ]] && ! mkdir -p "$tests_tmpdir"; then'
# - nor does bats start: a single test file needs no pipeline of six
#   processes to drop its duplicates, nor a basename process for its name
#   (50 ms a VM).
# shellcheck disable=SC2016
patch_line "$stage/usr/libexec/bats-core/bats-exec-suite" \
	"IFS=\$'\\n' read -d '' -r -a BATS_UNIQUE_TEST_FILENAMES < <(printf \"%s\\n\" \"\$@\" | nl | sort -k 2 | uniq -f 1 | sort -n | cut -f 2-) || true" \
	"if ((\$# < 2)); then BATS_UNIQUE_TEST_FILENAMES=(\"\$@\"); else IFS=\$'\\n' read -d '' -r -a BATS_UNIQUE_TEST_FILENAMES < <(printf \"%s\\n\" \"\$@\" | nl | sort -k 2 | uniq -f 1 | sort -n | cut -f 2-) || true; fi"
# shellcheck disable=SC2016
patch_line "$exec_file" \
	'  ln -s "$BATS_TEST_FILENAME" "$BATS_FILE_TMPDIR-$(basename "$BATS_TEST_FILENAME").source_file"' \
	'  ln -s "$BATS_TEST_FILENAME" "$BATS_FILE_TMPDIR-${BATS_TEST_FILENAME##*/}.source_file"'
# - each test runs in a fork of bats-exec-file, which has read bats and its
#   libraries already, instead of a new bash that reads them again
#   (grader/guest/bats-fork.bash): bats-exec-test becomes a function, without
#   its `source` lines, and the pid that its timeout signals is the test's.
fork=$bats_lib/exec-test-in-fork.bash
{
	cat "$guest/bats-fork.bash"
	printf '\nbats_exec_test_main() {\nbats_exec_test_fresh_state\n'
	tail -n +2 "$exec_test"
	printf '}\n'
} >"$fork"
for lib in test_functions tracing common preprocessing; do
	# shellcheck disable=SC2016
	patch_line "$fork" "source \"\$BATS_ROOT/\$BATS_LIBDIR/bats-core/$lib.bash\"" \
		": $lib.bash: read by bats-exec-file"
done
# shellcheck disable=SC2016
patch_line "$fork" '  local -ri target_pid=$$' '  local -ri target_pid=$BASHPID'
# - a test's timeout countdown is one process that waits in `read -t` on a
#   FIFO nobody writes, instead of a subshell that starts another, which
#   closes 256 descriptors and becomes sleep: one process and 256 closes
#   fewer a test.
mkfifo "$bats_lib/countdown.fifo"
# shellcheck disable=SC2016
patch_line "$fork" '    (eval exec {0..255}">&-"; sleep "$timeout") &' \
	"    trap 'exit 0' TERM"
# shellcheck disable=SC2016
patch_line "$fork" '    trap "kill $!; exit 0" TERM' \
	'    read -r -t "$timeout" <>"$BATS_ROOT/$BATS_LIBDIR/bats-core/countdown.fifo" || true'
patch_line "$fork" '    wait' '    :'
# - the DEBUG trap is on only while the test's own functions run (setup, the
#   test, teardown): it records nothing of bats's commands in between, yet
#   under TCG each of them paid for the trap's look at it, 0.1 ms. A failed
#   test's teardown runs from bats's EXIT trap with the trap left as it
#   was, where it records nothing, as before.
patch_line "$fork" '  bats_setup_tracing' '  bats_setup_tracing; trap - DEBUG'
# shellcheck disable=SC2016
patch_line "$fork" '    setup "$@"' '    trap "$kcl_debug_trap" DEBUG; setup "$@"'
patch_line "$fork" '  BATS_TEST_COMPLETED=1' '  trap - DEBUG; BATS_TEST_COMPLETED=1'
# shellcheck disable=SC2016
patch_line "$fork" '  teardown >>"$BATS_OUT" 2>&1 || bats_teardown_trap_status="$?"' \
	'  [[ $BATS_TEARDOWN_STARTED == as-exit-trap ]] || trap "$kcl_debug_trap" DEBUG; teardown >>"$BATS_OUT" 2>&1 || bats_teardown_trap_status="$?"; trap - DEBUG'
# - a test's output file is emptied rather than removed (an rm process, 10 ms
#   a test): the next try of the test, if any, appends to it alike, and bats
#   removes the run's folder at the end.
# shellcheck disable=SC2016
patch_line "$fork" '  rm -f "$BATS_OUT"' '  : >"$BATS_OUT"'
# - the assertion libraries are read once, here, for all the tests of a file
#   (grader/guest/bats-kcl/load.bash reads them only when they are missing):
#   a test file that does not load kcl has them too.
# shellcheck disable=SC2016
patch_line "$exec_file" 'bats_read_tests_list_file' \
	'source "$BATS_ROOT/$BATS_LIBDIR/bats-core/exec-test-in-fork.bash"; source /usr/lib/bats/kcl/assert-libs.bash; bats_read_tests_list_file'
# shellcheck disable=SC2016,SC1003 # a line that ends in a backslash
patch_line "$exec_file" '        bats_run_test_with_retries "${flags[@]}" "$filename" "$test_name" \' \
	'        bats_run_test_in_fork "${flags[@]}" "$filename" "$test_name" \'
# shellcheck disable=SC2016
patch_line "$exec_file" '          "$test_number_in_suite" "$test_number_in_file" || bats_exec_file_status=$?' \
	'          "$test_number_in_suite" "$test_number_in_file"'
# - bats-preprocess matches three patterns against every line of a test
#   file (0.13 s for lab 01's); a line without "@test" or "bats" matches none.
# shellcheck disable=SC2016
patch_line "$stage/usr/libexec/bats-core/bats-preprocess" \
	"    line=\"\${line//\$'\\r'/}\"" \
	"    line=\"\${line//\$'\\r'/}\"; [[ \$line == *@test* || \$line == *bats* ]] || { printf '%s\\n' \"\$line\"; continue; }"
# - a test file's preprocessed form is .NAME.src beside it when the grader
#   made it (grader/build.sh) and the test file has not changed since.
# shellcheck disable=SC2016
patch_line "$bats_lib/preprocessing.bash" \
	'  CHECK_BATS_COMMENT_COMMANDS=1 "$BATS_ROOT/libexec/bats-core/bats-preprocess" "$BATS_TEST_FILENAME" >"$BATS_TEST_SOURCE"' \
	'  local premade="${BATS_TEST_FILENAME%/*}/.${BATS_TEST_FILENAME##*/}.src"; if [[ -f $premade && ! $BATS_TEST_FILENAME -nt $premade ]]; then cat "$premade"; else CHECK_BATS_COMMENT_COMMANDS=1 "$BATS_ROOT/libexec/bats-core/bats-preprocess" "$BATS_TEST_FILENAME"; fi >"$BATS_TEST_SOURCE"'
# - bats's scripts start bash directly: `#!/usr/bin/env bash` costs an exec
#   of env for every test.
for script in "$stage/usr/bin/bats" "$stage/usr/libexec/bats-core"/*; do
	patch_line "$script" '#!/usr/bin/env bash' '#!/bin/bash'
done
for lib in bats-support bats-assert; do
	mkdir -p "$stage/usr/lib/bats/$lib"
	cp -r "$tools/node_modules/$lib/load.bash" "$tools/node_modules/$lib/src" \
		"$stage/usr/lib/bats/$lib/"
done
# The libraries' load.bash files run `dirname` once per sourced file, in
# every test: about 15 fork+exec, 0.2 s a test under TCG. The same sources
# in one file, in load order, cost one `source`.
cp -r "$guest/bats-kcl" "$stage/usr/lib/bats/kcl"
for lib in bats-support bats-assert; do
	# shellcheck disable=SC2016 # matches the literal text of load.bash
	sed -n 's|^source "$(dirname "${BASH_SOURCE\[0\]}")/\(src/.*\)"$|\1|p' \
		"$tools/node_modules/$lib/load.bash" |
		while read -r part; do
			cat "$tools/node_modules/$lib/$part"
		done
done >"$stage/usr/lib/bats/kcl/assert-libs.bash"
# The assertions named assert_* and refute_* run without bats's DEBUG trap
# (grader/guest/bats-untraced.bash): each is renamed kcl_lib_NAME and NAME
# calls it through kcl_untraced. Two of them tell assert_output from
# assert_stderr by their caller's name.
assert_libs=$stage/usr/lib/bats/kcl/assert-libs.bash
untraced=$(sed -n 's/^\(assert_[a-z_]*\|refute_[a-z_]*\)() {$/\1/p' "$assert_libs")
[[ $untraced == *assert_output* ]] ||
	kcl_die "bats-assert changed: review grader/guest/bats-untraced.bash"
for name in $untraced; do
	rename_to_kcl_lib "$assert_libs" "$name"
done
# shellcheck disable=SC2016
patch_line "$assert_libs" '  local -r caller=${FUNCNAME[1]}' \
	'  local -r caller=${FUNCNAME[1]#kcl_lib_}'
for name in $untraced; do
	printf '%s() { kcl_untraced kcl_lib_%s "$@"; }\n' "$name" "$name"
done >>"$assert_libs"

install -m 755 "$guest/init" "$stage/init"
install -m 755 "$guest/run-tests" "$stage/usr/bin/run-tests"
# first in PATH on a kernel with kmemleak (init, /etc/profile)
install -D -m 755 "$guest/kmemleak-module" "$stage/usr/lib/kcl/debug/kmemleak-module"
ln -s kmemleak-module "$stage/usr/lib/kcl/debug/insmod"
ln -s kmemleak-module "$stage/usr/lib/kcl/debug/rmmod"
ln -s kmemleak-module "$stage/usr/lib/kcl/debug/leak-scan"
gcc -static -O2 -Wall -Wextra -Werror -o "$stage/usr/bin/run-as-user" "$guest/run-as-user.c" -lcap
gcc -static -O2 -Wall -Wextra -Werror -o "$stage/usr/bin/insmod-failing" "$guest/insmod-failing.c"

# Kernel modules the guest loads itself, with what they depend on, in load
# order: pvpanic (a panic ends QEMU at once), and the virtio-serial port the
# lab's files may come on (built into 6.12, modules in 6.1). A module built
# into the kernel has no file and is left out.
moddir=$KCL_VM_DIR/root/lib/modules/$release
# add_module NAME LIST: NAME's dependencies, then NAME, appended to LIST.
add_module() {
	local file dep
	# the debug kernel has it all built in, and no modules folder
	[[ -d $moddir/kernel ]] || return 0
	file=$(find "$moddir/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" \) -print -quit)
	[[ -n $file ]] || return 0
	grep -qx "$1" "$stage/lib/modules/kcl/"*.order 2>/dev/null && return 0
	for dep in $(modinfo -F depends "$file" | tr ',' ' '); do
		add_module "$dep" "$2"
	done
	# 6.12 ships its modules xz-compressed, 6.1 does not
	if [[ $file == *.xz ]]; then
		xz -dc "$file" >"$stage/lib/modules/kcl/$1.ko"
	else
		cp "$file" "$stage/lib/modules/kcl/$1.ko"
	fi
	echo "$1" >>"$stage/lib/modules/kcl/$2.order"
}
: >"$stage/lib/modules/kcl/boot.order"
: >"$stage/lib/modules/kcl/lab-port.order"
add_module pvpanic boot
add_module pvpanic-pci boot
add_module virtio_pci lab-port
add_module virtio_console lab-port

cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
student:x:1000:1000:student:/home/student:/bin/bash
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
student:x:1000:
EOF
cat >"$stage/etc/profile" <<'EOF'
export PS1='lab-vm:\w# ' PATH=/lab/bin:/bin:/usr/bin
# the debug kernel: insmod and rmmod look for leaks (grader/guest/init)
[ -e /sys/kernel/debug/kmemleak ] && PATH=/usr/lib/kcl/debug:$PATH
# init is a script: a plain poweroff would only signal it
alias poweroff='poweroff -f' reboot='poweroff -f'
EOF

# fakeroot: root-owned files and /dev/console without needing root here.
(cd "$stage" && fakeroot -- sh -c '
	mknod -m 600 dev/console c 5 1
	chown -R 1000:1000 home/student
	find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc') >"$stage.cpio"
mv "$stage.cpio" "$out"
