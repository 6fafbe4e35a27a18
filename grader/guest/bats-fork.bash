# shellcheck shell=bash
# shellcheck disable=SC2034 # the BATS_ variables are bats-core's own
# Each test in a fork of bats-exec-file, for bats-core 1.13.0 (vm/initramfs.sh
# appends bats-exec-test to this file as the function bats_exec_test_main,
# and bats-exec-file calls bats_run_test_in_fork for each test it runs one
# after the other; run in parallel, tests still start bats-exec-test).
#
# Bats starts a new bash for each test, which reads bats-exec-test and the
# libraries bats-exec-file has already read: about 0.1 s a test under TCG,
# before the test's own setup. A fork of bats-exec-file has them all and
# starts in a few milliseconds. The fork begins as the new bash would: no
# traps and none of bats-exec-file's own BATS_ variables, only those a new
# process gets (exported). One difference remains, and the docs say so:
# $$ and $PPID are those of bats-exec-file; $BASHPID is the test's process.

# bats_run_test_in_fork ARGS...: what bats_run_test_with_retries does, with
# bats-exec-test's arguments, but in a fork, and never failing itself: it
# sets bats_exec_file_status as bats-exec-file's caller of it would. The fork
# runs outside any `if` or `||`: there bash would ignore `set -e` in it, and
# a failing command would not end its test.
bats_run_test_in_fork() {
	local status try_number
	kcl_fork_unset_list
	for ((try_number = 1; ; ++try_number)); do
		set +e
		(bats_exec_test_main "$@" "$try_number")
		status=$?
		set -e
		((status == BATS_RETRY_RETURN_CODE)) || break
	done
	((status == 0)) || bats_exec_file_status=$status
}

# kcl_fork_unset_list: the BATS_ variables of bats-exec-file that a test's
# fork drops, in kcl_fork_unset: those not exported, nor read-only. Made
# again only when their names change: between tests bats-exec-file adds or
# removes some (an interruption) but exports none (8 ms a test under TCG).
kcl_fork_unset_list() {
	[[ ${!BATS_@} == "${kcl_fork_names-}" ]] && return
	kcl_fork_names=${!BATS_@}
	kcl_fork_unset=()
	local name
	# warnings.bash's texts of bats's warnings stay (BW01: run's command
	# not found; without them, bats ends the test with an error instead)
	for name in ${!BATS_@}; do
		[[ ${!name@a} == *[xr]* || $name == BATS_WARNING_SHORT_DESCS ]] ||
			kcl_fork_unset+=("$name")
	done
}

# bats_exec_test_fresh_state: what a new bash running bats-exec-test would
# not have. bats-exec-test's own `source` lines are taken out: bats-exec-file
# has read those libraries, whose only state is set here again.
bats_exec_test_fresh_state() {
	trap - DEBUG ERR
	unset "${kcl_fork_unset[@]}"
	# tracing.bash's
	BATS_EMIT_TRACE_LAST_STACK_DIFF=0
	# shellcheck disable=SC2317 # called by bats
	bats::on_failure() {
		:
	}
}
