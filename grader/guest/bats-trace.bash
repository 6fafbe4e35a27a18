# shellcheck shell=bash
# shellcheck disable=SC2034 # the BATS_ variables are bats-core's own
# A cheaper stack-trace recorder for bats-core 1.13.0, appended to its
# lib/bats-core/tracing.bash when the VM is built (vm/initramfs.sh): these
# definitions replace bats's own.
#
# Bats records where each command of a test runs, from a DEBUG trap, so that
# a failure can say "(in test file x.bats, line N)". Its handler builds the
# stack trace for every command, about 1.3 ms a command under TCG: a test
# running a few hundred commands spends more time there than in its own
# work. This one keeps the call stack as it is (one array copy) and builds
# the trace only when a test fails, for about 0.65 ms a command. Failure
# messages, --trace and timeouts print exactly what bats prints.
#
# Frames array: [0] BATS_STACK_TRACE_LIMIT, [1] depth, then depth line
# numbers, depth source files and depth function names, as seen from the
# handler. Commands of bats and its libraries never reach the handler: the
# DEBUG trap skips them itself (vm/initramfs.sh), which also stands for
# bats's BATS_DEBUG_EXCLUDE_PATHS check; the kit does not add paths to it.

bats_debug_trap() {
	# no new frames while an interruption or a timeout is being handled:
	# they would replace the interrupted command's
	if [[ ${BATS_INTERRUPTED-NOTSET} == NOTSET &&
		${BATS_TIMED_OUT-NOTSET} == NOTSET ]]; then
		BATS_DEBUG_LASTLAST_FRAMES=(${BATS_DEBUG_LAST_FRAMES[@]+"${BATS_DEBUG_LAST_FRAMES[@]}"})
		BATS_DEBUG_LAST_FRAMES=("${BATS_STACK_TRACE_LIMIT-0}" "${#FUNCNAME[@]}"
			"${BASH_LINENO[@]}" "${BASH_SOURCE[@]}" "${FUNCNAME[@]}")
		[[ ${BATS_TRACE_LEVEL:-0} == 0 ]] || bats_emit_trace
	fi
}

# bats_get_failure_stack_trace NAME: the failed command's stack trace, as
# bats_capture_stack_trace builds it, into the array NAME.
bats_get_failure_stack_trace() {
	local -n trace=$1
	local frames_var=BATS_DEBUG_LASTLAST_FRAMES
	[[ -z ${BATS_DEBUG_LAST_STACK_TRACE_IS_VALID:-} ]] ||
		frames_var=BATS_DEBUG_LAST_FRAMES
	local -n frames=$frames_var
	trace=()
	((${#frames[@]})) || return 0
	local i depth=${frames[1]}
	for ((i = 1; i < depth - frames[0]; ++i)); do
		# line, function, file; Bash < 4.4 may lose the test file's name
		trace+=("${frames[i + 1]} ${frames[i + 2 + 2 * depth]} ${frames[i + 2 + depth]:-$BATS_TEST_SOURCE}")
	done
}

bats_error_trap() {
	bats_check_status_from_trap
	bats::on_failure "$BATS_ERROR_STATUS"

	# The DEBUG trap also ran for this trap's own command, at the failed
	# command's place: then the frames before it are the failure's.
	local depth=${BATS_DEBUG_LAST_FRAMES[1]:-0}
	if [[ ${BASH_LINENO[*]} == "${BATS_DEBUG_LAST_FRAMES[*]:2:depth}" &&
		${BASH_SOURCE[*]} == "${BATS_DEBUG_LAST_FRAMES[*]:2+depth:depth}" &&
		-z $BATS_DEBUG_LAST_STACK_TRACE_IS_VALID ]]; then
		BATS_DEBUG_LAST_FRAMES=(${BATS_DEBUG_LASTLAST_FRAMES[@]+"${BATS_DEBUG_LASTLAST_FRAMES[@]}"})
	fi
	BATS_DEBUG_LAST_STACK_TRACE_IS_VALID=1
}
