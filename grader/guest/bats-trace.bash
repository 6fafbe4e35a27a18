# shellcheck shell=bash
# shellcheck disable=SC2034 # the BATS_ variables are bats-core's own
# A cheaper stack-trace recorder for bats-core 1.13.0, appended to its
# lib/bats-core/tracing.bash when the VM is built (vm/initramfs.sh): these
# definitions replace bats's own.
#
# Bats records where each command of a test runs, from a DEBUG trap, so that
# a failure can say "(in test file x.bats, line N)". Its handler builds the
# stack trace for every command: under TCG, a test's loop of 500
# assignments took 1.4 s with it, 0.01 s without. This one joins the call
# stack into one string, half the cost of copying it into an array, and
# builds the trace only when a test fails: the same loop takes 0.52 s
# (measured in the VM). Failure messages, --trace and timeouts print
# exactly what bats prints.
#
# Frames: one string, its fields joined by the unit separator (0x1f, in no
# path or name): BATS_STACK_TRACE_LIMIT, depth, then depth line numbers,
# depth source files and depth function names, as seen from the handler.
# Commands of bats and its libraries never reach the handler: the DEBUG trap
# skips them itself (vm/initramfs.sh), which also stands for bats's
# BATS_DEBUG_EXCLUDE_PATHS check; the kit does not add paths to it.

bats_debug_trap() {
	# no new frames while an interruption or a timeout is being handled:
	# they would replace the interrupted command's
	[[ -v BATS_INTERRUPTED || -v BATS_TIMED_OUT ]] && return
	[[ ${BATS_TRACE_LEVEL:-0} == 0 ]] || bats_emit_trace
	local IFS=$'\x1f'
	BATS_DEBUG_LASTLAST_FRAMES=${BATS_DEBUG_LAST_FRAMES-}
	BATS_DEBUG_LAST_FRAMES="${BATS_STACK_TRACE_LIMIT-0}$IFS${#FUNCNAME[@]}$IFS${BASH_LINENO[*]}$IFS${BASH_SOURCE[*]}$IFS${FUNCNAME[*]}"
}

# kcl_split_frames NAME FRAMES: the fields of the frames string FRAMES (see
# above) into the array NAME, empty fields kept.
kcl_split_frames() {
	local -n fields=$1
	fields=()
	[[ -n $2 ]] || return 0
	# the here-string ends in a newline: IFS white space, dropped
	IFS=$'\x1f\n' read -r -d '' -a fields <<<"$2" || true
}

# bats_get_failure_stack_trace NAME: the failed command's stack trace, as
# bats_capture_stack_trace builds it, into the array NAME.
bats_get_failure_stack_trace() {
	local -n trace=$1
	local frames_string=${BATS_DEBUG_LASTLAST_FRAMES-}
	[[ -z ${BATS_DEBUG_LAST_STACK_TRACE_IS_VALID:-} ]] ||
		frames_string=$BATS_DEBUG_LAST_FRAMES
	local frames
	kcl_split_frames frames "$frames_string"
	trace=()
	((${#frames[@]})) || return 0
	local i depth=${frames[1]}
	for ((i = 1; i < depth - frames[0]; ++i)); do
		# line, function, file; Bash < 4.4 may lose the test file's name
		trace+=("${frames[i + 1]} ${frames[i + 2 + 2 * depth]} ${frames[i + 2 + depth]:-$BATS_TEST_SOURCE}")
	done
}

bats_error_trap() {
	# run and the assertions in the on_failure hook leave the DEBUG trap
	# alone (see kcl_untraced)
	local kcl_untraced_depth=1
	bats_check_status_from_trap
	bats::on_failure "$BATS_ERROR_STATUS"

	# The DEBUG trap also ran for this trap's own command, at the failed
	# command's place: then the frames before it are the failure's.
	local frames
	kcl_split_frames frames "${BATS_DEBUG_LAST_FRAMES-}"
	local depth=${frames[1]:-0}
	if [[ ${BASH_LINENO[*]} == "${frames[*]:2:depth}" &&
		${BASH_SOURCE[*]} == "${frames[*]:2+depth:depth}" &&
		-z $BATS_DEBUG_LAST_STACK_TRACE_IS_VALID ]]; then
		BATS_DEBUG_LAST_FRAMES=${BATS_DEBUG_LASTLAST_FRAMES-}
	fi
	BATS_DEBUG_LAST_STACK_TRACE_IS_VALID=1
}
