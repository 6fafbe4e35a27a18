#!/usr/bin/env bats
# Lab 07 tests. The grader runs them inside the lab VM; in `make boot`, run
# them by hand with `run-tests`. Points are declared above each test.
#
# A buggy module can make a read, a write or a poll sleep forever. Nothing
# here waits without a limit: commands run under `timeout`, pipetest gives
# up by itself, and teardown wakes or kills whatever a test left asleep.
# A sleep that no signal ends (state D) is the one thing `timeout` cannot
# stop: for that, `pipetest rescue` empties and refills the pipes once a
# test has run for half its time limit (a passing test takes a few seconds).

bats_require_minimum_version 1.5.0

setup() {
	bats_load_library kcl
	# A module whose exit crashed stays half-removed, for good: it cannot
	# be loaded again, and opening its devices may wait forever for a lock
	# the crash left held. Every test would hang until its time limit.
	if ! module_live; then
		fail "chardev_lab is stuck half-removed: its exit crashed in an earlier test (see that test's kernel log)"
	fi
	MODULE=$(module_file chardev_lab)
	DEV0=/dev/kcl_pipe0
	DEV1=/dev/kcl_pipe1
	# seconds an operation that should end at once may take (generous:
	# the VM may run slowly, the host may be busy)
	LIMIT=$((BATS_TEST_TIMEOUT / 4))
	BG_PIDS=()
	pipetest rescue $((BATS_TEST_TIMEOUT / 2)) "$DEV0" "$DEV1" \
		>/dev/null 2>&1 3>&- &
	RESCUER=$!
}

teardown() {
	local pid dev
	kill "$RESCUER" 2>/dev/null || true
	wait "$RESCUER" 2>/dev/null || true
	# never touch a process asleep in a module that is gone (its code is)
	module_loaded chardev_lab || return 0
	# a reader or writer a buggy module left asleep, even uninterruptibly,
	# gets room, then data (not from a module stuck half-removed: see
	# setup); then every background command is killed
	if module_live; then
		timeout 5 pipetest release "$DEV0" "$DEV1" || true
	fi
	{
		for pid in "${BG_PIDS[@]}"; do
			kill -KILL "$pid" || true
		done
		for pid in "${BG_PIDS[@]}"; do
			if pipetest exited "$pid" 5 >/dev/null; then
				wait "$pid" || true
			fi
		done
	} 2>/dev/null
	if module_live; then
		unload_module chardev_lab
	fi
}

# Whether chardev_lab is not loaded, or loaded and working: not stuck
# "going", the state of a module whose exit started and never returned.
module_live() {
	local state
	module_loaded chardev_lab || return 0
	read -r state </sys/module/chardev_lab/initstate || return 0
	[[ $state != going ]]
}

# pipetool with a time limit, as root or as the VM's normal user.
tool() {
	timeout "$LIMIT" pipetool "$@"
}
user_tool() {
	timeout "$LIMIT" run-as-user pipetool "$@"
}

# start_bg NAME COMMAND...: run COMMAND in the background, its output in
# $BATS_TEST_TMPDIR/NAME.out; its pid is in $! afterwards.
start_bg() {
	local name=$1
	shift
	"$@" >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	BG_PIDS+=($!)
}

# finish_bg PID: wait (at most $LIMIT s) for a background command to end;
# its exit status in $bg_status.
finish_bg() {
	run pipetest exited "$1" "$LIMIT"
	assert_success
	bg_status=0
	wait "$1" || bg_status=$?
}

# points: 5
@test "loading creates /dev/kcl_pipe0 and /dev/kcl_pipe1 for every user, and fifo_size is checked" {
	insmod "$MODULE"
	local dev bad
	for dev in "$DEV0" "$DEV1"; do
		assert [ -c "$dev" ]
		assert_equal "$dev $(file_mode "$dev")" "$dev 666"
	done
	assert_kernel_log "chardev_lab: created 2 pipes of 4096 bytes, /dev/kcl_pipe0 to /dev/kcl_pipe1"
	assert_equal "$(cat /sys/module/chardev_lab/parameters/fifo_size)" 4096
	rmmod chardev_lab
	assert [ ! -e "$DEV0" ]
	assert [ ! -e "$DEV1" ]
	assert_kernel_log "chardev_lab: removed the pipes"
	# a power of two from 16 to 65536, or no module at all
	for bad in 0 8 100 4095 131072; do
		run insmod "$MODULE" fifo_size=$bad
		assert_failure
		assert_output --partial "Invalid argument"
		refute module_loaded chardev_lab
		assert [ ! -e "$DEV0" ]
		assert_kernel_log "chardev_lab: fifo_size=$bad: not a power of two from 16 to 65536"
	done
	# both ends of the range are fine
	insmod "$MODULE" fifo_size=65536
	assert_kernel_log "chardev_lab: created 2 pipes of 65536 bytes"
	rmmod chardev_lab
	insmod "$MODULE" fifo_size=16
	assert_kernel_log "chardev_lab: created 2 pipes of 16 bytes"
	assert [ -c "$DEV1" ]
}

# points: 5
@test "bytes written to a pipe are read back once, in order, from that pipe only, by any user" {
	insmod "$MODULE"
	run user_tool write "$DEV0" hello
	assert_success
	assert_output "wrote 5"
	run user_tool write "$DEV0" ", pipe"
	assert_output "wrote 6"
	# the other pipe has nothing
	run tool -n read "$DEV1" 100
	assert_failure
	assert_output "pipetool: read: Resource temporarily unavailable"
	run user_tool read "$DEV0" 3
	assert_success
	assert_output "read 3: hel"
	run user_tool read "$DEV0" 100
	assert_output "read 8: lo, pipe"
	# read once: the pipe is empty again
	run tool -n read "$DEV0" 100
	assert_failure
	assert_output "pipetool: read: Resource temporarily unavailable"
	run tool write "$DEV1" other
	assert_output "wrote 5"
	run tool -n read "$DEV0" 100
	assert_failure
	run tool read "$DEV1" 100
	assert_output "read 5: other"
}

# points: 5
@test "a write stores what fits and a read takes what is there: both may do less than asked" {
	insmod "$MODULE" fifo_size=16
	run tool -n write "$DEV0" abcdefghijklmnopqrstuvwxyz
	assert_success
	assert_output "wrote 16"
	run tool read "$DEV0" 10
	assert_output "read 10: abcdefghij"
	run tool write "$DEV0" 0123456789XYZ
	assert_output "wrote 10"
	run tool read "$DEV0" 100
	assert_output "read 16: klmnop0123456789"
	# the ring buffer wraps around: in and out go past its end
	run tool write "$DEV0" ABCDEFGHIJK
	assert_output "wrote 11"
	run tool read "$DEV0" 4
	assert_output "read 4: ABCD"
	run tool write "$DEV0" 0123456789
	assert_output "wrote 9"
	run tool read "$DEV0" 65536
	assert_output "read 16: EFGHIJK012345678"
	# and a short read writes nothing past what it returns
	run pipetest tail "$DEV0"
	assert_success
	assert_output "read 3 of 100 bytes, and nothing past them"
}

# points: 5
@test "with O_NONBLOCK, reading an empty pipe and writing a full one fail at once with EAGAIN" {
	insmod "$MODULE" fifo_size=16
	run tool -n read "$DEV0" 10
	assert_failure
	assert_output "pipetool: read: Resource temporarily unavailable"
	run tool -n write "$DEV0" 0123456789abcdef
	assert_success
	assert_output "wrote 16"
	run tool -n write "$DEV0" x
	assert_failure
	assert_output "pipetool: write: Resource temporarily unavailable"
	# with data, or room, O_NONBLOCK changes nothing
	run tool -n read "$DEV0" 4
	assert_output "read 4: 0123"
	run tool -n write "$DEV0" wxyz
	assert_output "wrote 4"
	run tool -n read "$DEV0" 100
	assert_output "read 16: 456789abcdefwxyz"
	run tool -n read "$DEV0" 10
	assert_failure
	assert_output "pipetool: read: Resource temporarily unavailable"
}

# points: 5
@test "a reader of an empty pipe sleeps interruptibly (state S) until a writer wakes it with the exact data" {
	insmod "$MODULE"
	start_bg reader pipetool read "$DEV0" 100
	local pid=$!
	run pipetest blocked "$pid" read "$LIMIT"
	assert_success
	assert_output "blocked in read, state S"
	# nothing wakes it by mistake
	sleep 0.1
	run pipetest blocked "$pid" read 1
	assert_output "blocked in read, state S"
	run tool write "$DEV0" "hello, sleeper"
	assert_success
	assert_output "wrote 14"
	finish_bg "$pid"
	assert_equal "reader status $bg_status" "reader status 0"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/reader.out")" "read 14: hello, sleeper"
}

# points: 5
@test "a writer to a full pipe sleeps until a reader makes room, and its bytes come after the others" {
	insmod "$MODULE" fifo_size=16
	run tool write "$DEV0" 0123456789abcdef
	assert_output "wrote 16"
	start_bg writer pipetool write "$DEV0" XYZ
	local pid=$!
	run pipetest blocked "$pid" write "$LIMIT"
	assert_success
	assert_output "blocked in write, state S"
	run tool read "$DEV0" 10
	assert_output "read 10: 0123456789"
	finish_bg "$pid"
	assert_equal "writer status $bg_status" "writer status 0"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/writer.out")" "wrote 3"
	run tool read "$DEV0" 100
	assert_output "read 9: abcdefXYZ"
}

# points: 5
@test "poll: an empty pipe is only writable, a pipe with data readable and writable, a full one only readable" {
	insmod "$MODULE" fifo_size=16
	run tool poll "$DEV0" in 100
	assert_success
	assert_output "poll: timeout"
	run tool poll "$DEV0" both 0
	assert_output "poll: POLLOUT POLLWRNORM"
	run tool write "$DEV0" abc
	assert_output "wrote 3"
	run tool poll "$DEV0" both 0
	assert_output "poll: POLLIN POLLOUT POLLRDNORM POLLWRNORM"
	run tool poll "$DEV0" in -1
	assert_output "poll: POLLIN POLLRDNORM"
	run tool write "$DEV0" 0123456789abc
	assert_output "wrote 13"
	run tool poll "$DEV0" out 100
	assert_output "poll: timeout"
	run tool poll "$DEV0" both 0
	assert_output "poll: POLLIN POLLRDNORM"
	run tool read "$DEV0" 100
	assert_output "read 16: abc0123456789abc"
	run tool poll "$DEV0" both 0
	assert_output "poll: POLLOUT POLLWRNORM"
}

# points: 5
@test "a process asleep in poll wakes up when data arrives, and when room appears" {
	insmod "$MODULE" fifo_size=16
	start_bg poll_in pipetool poll "$DEV0" in -1
	local pid=$!
	run pipetest blocked "$pid" poll "$LIMIT"
	assert_output "blocked in poll, state S"
	run tool write "$DEV0" hi
	assert_output "wrote 2"
	finish_bg "$pid"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/poll_in.out")" "poll: POLLIN POLLRDNORM"

	run tool write "$DEV0" 0123456789abcd
	assert_output "wrote 14"
	start_bg poll_out pipetool poll "$DEV0" out -1
	pid=$!
	run pipetest blocked "$pid" poll "$LIMIT"
	assert_output "blocked in poll, state S"
	run tool read "$DEV0" 5
	assert_output "read 5: hi012"
	finish_bg "$pid"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/poll_out.out")" "poll: POLLOUT POLLWRNORM"
}

# points: 5
@test "a signal interrupts a sleeping read or write: EINTR without SA_RESTART, restarted with it, and SIGKILL ends it" {
	insmod "$MODULE"
	run timeout "$LIMIT" pipetest signal "$DEV0" norestart
	assert_success
	assert_line "handler ran: 1"
	assert_line "read: Interrupted system call"
	# with SA_RESTART the read goes on after the handler, and gets the data
	run timeout "$LIMIT" pipetest signal "$DEV0" restart
	assert_success
	assert_line "handler ran: 1"
	assert_line "read 9: restarted"

	start_bg reader pipetool read "$DEV0" 10
	local pid=$!
	run pipetest blocked "$pid" read "$LIMIT"
	assert_output "blocked in read, state S"
	kill -KILL "$pid"
	finish_bg "$pid"
	# 137 = 128 + 9: killed by SIGKILL
	assert_equal "reader status $bg_status" "reader status 137"
	# and the pipe still works
	run tool write "$DEV0" ok
	run tool read "$DEV0" 10
	assert_output "read 2: ok"

	# a write that sleeps for room: the same
	run timeout "$LIMIT" pipetest signal "$DEV0" norestart write
	assert_success
	assert_line "handler ran: 1"
	assert_line "write: Interrupted system call"
	run timeout "$LIMIT" pipetest signal "$DEV0" restart write
	assert_success
	assert_line "handler ran: 1"
	assert_line "wrote 1"
}

# points: 4
@test "a signal interrupts a read or a write that waits for the lock, also after a wake-up: EINTR, and nothing taken or stored" {
	insmod "$MODULE"
	local kind
	for kind in read write; do
		# on one CPU, where pipetest's real-time priority decides who
		# runs first: it holds the lock before the waiter it woke runs
		run timeout "$LIMIT" taskset -c 0 pipetest lockwait "$DEV0" "$kind"
		assert_success
		assert_output "a $kind waiting for the lock: Interrupted system call
a $kind woken, then waiting for the lock: Interrupted system call
the pipe holds what it should"
	done
}

# points: 2
@test "a read or a write of 0 bytes returns 0 at once, even from an empty pipe or to a full one" {
	insmod "$MODULE"
	run timeout "$LIMIT" pipetest zero "$DEV0"
	assert_success
	assert_output "a read of 0 bytes from the empty pipe: 0
a write of 0 bytes to the full pipe: 0
the pipe holds what it should"
	run tool write "$DEV0" ""
	assert_success
	assert_output "wrote 0"
}

# points: 5
@test "each byte goes to exactly one of several sleeping readers, and a reader that finds no data sleeps again instead of returning 0" {
	insmod "$MODULE"
	# all on one CPU, where pipetest's real-time priority decides who runs
	# first: its read gets the lock before any reader the byte wakes up
	run timeout $((LIMIT * 3)) taskset -c 0 pipetest wakeone "$DEV0" 3
	assert_success
	assert_line "every reader went back to sleep"
	assert_line "3 readers, 3 bytes: each byte woke exactly one reader"
}

# points: 5
@test "a reader asleep on an empty pipe wakes once the bytes are in, even when the writer's copy has to wait for its page" {
	insmod "$MODULE"
	# the page is served once the reader woke up and slept again, or after
	# 300 ms: a wake-up sent before the byte is in comes too early
	run timeout "$LIMIT" pipetest lostwake "$DEV0"
	assert_success
	assert_output "a byte went in while the writer's copy waited for its page
the reader woke up and got it"
}

# points: 3
@test "10000 ping-pong rounds between two processes over the two pipes end in bounded time" {
	insmod "$MODULE"
	local bound=$((BATS_TEST_TIMEOUT * 3 / 4))
	# both on one CPU: a hand-over to the other CPU costs about 25 times as
	# much in the emulated VM, and the bound is about wake-ups, not CPUs
	run timeout $((bound + 5)) taskset -c 0 pipetest pingpong "$DEV0" "$DEV1" 10000 "$bound"
	assert_success
	assert_line "10000 rounds, every reply right"
}

# points: 5
@test "4 writers and 4 readers share a 64-byte pipe: no record is lost, duplicated, torn or reordered" {
	insmod "$MODULE" fifo_size=64
	local bound=$((BATS_TEST_TIMEOUT * 3 / 4))
	# pipetest pins them to the CPUs in turn: two readers and two writers
	# on each, so that two copies from the fifo can meet
	run timeout $((bound + 5)) pipetest records "$DEV0" 4 4 2000 "$bound"
	assert_success
	assert_line "8000 records from 4 writers, read by 4 readers: none lost, duplicated, torn or out of order"
}

# points: 4
@test "a read into and a write from memory never touched before work: the copy may fault and sleep" {
	insmod "$MODULE"
	run timeout "$LIMIT" pipetest fresh "$DEV0"
	assert_success
	assert_line "wrote 3000 bytes from memory never touched before"
	assert_line "read them back into memory never touched before, unchanged"
}

# Last: with a module that does not hold itself while a pipe is open, rmmod
# succeeds here and the reader sleeps on in freed memory; the tests after
# it would load the module over that memory again.
# points: 4
@test "rmmod is refused while a reader sleeps in a pipe; once the reader is killed the module unloads" {
	insmod "$MODULE"
	start_bg reader pipetool read "$DEV0" 10
	local pid=$!
	run pipetest blocked "$pid" read "$LIMIT"
	assert_output "blocked in read, state S"
	run rmmod chardev_lab
	assert_failure
	assert module_loaded chardev_lab
	assert [ -c "$DEV0" ]
	kill -KILL "$pid"
	finish_bg "$pid"
	run rmmod chardev_lab
	assert_success
	assert [ ! -e "$DEV0" ]
	assert_kernel_log "chardev_lab: removed the pipes"
}

# after a load refused by a failing allocation: the error, and nothing left
load_refused_cleanly() {
	assert_output --regexp ' init returned ENOMEM$'
	assert [ ! -e "$DEV0" ]
	assert [ ! -e "$DEV1" ]
}

# points: 4
@test "a failing allocation at load undoes every step before it: ENOMEM, no device, nothing leaked (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$MODULE"
}

# points: 2
@test "pipetool refuses bad usage with exit status 2 and its usage on stderr" {
	local args
	for args in "" "read $DEV0" "read $DEV0 0" "read $DEV0 65537" "read $DEV0 1x" \
		"write $DEV0" "poll $DEV0 sideways 0" "poll $DEV0 in -2" "poll $DEV0 in" \
		"-x read $DEV0 1" "frobnicate $DEV0 1"; do
		# shellcheck disable=SC2086 # the words are the arguments
		run -2 --separate-stderr pipetool $args
		assert_output ""
		[[ $stderr == *"usage: pipetool "* ]] ||
			fail "pipetool $args: no usage on stderr, but: $stderr"
	done
}

# points: 2
@test "pipetool ends every line it prints with a newline" {
	insmod "$MODULE"
	# run strips the last newline of the output: "end" shows it
	run timeout "$LIMIT" bash -c "pipetool write $DEV0 ab; pipetool read $DEV0 2; pipetool poll $DEV0 in 0; echo end"
	assert_output "wrote 2
read 2: ab
poll: timeout
end"
	run timeout "$LIMIT" bash -c "pipetool write $DEV0 ab >/dev/null; pipetool poll $DEV0 both 0; echo end"
	assert_output "poll: POLLIN POLLOUT POLLRDNORM POLLWRNORM
end"
}
