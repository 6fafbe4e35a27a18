#!/usr/bin/env bats
# Lab 08 tests. The grader runs them inside the lab VM; in `make boot`, run
# them by hand with `run-tests`. Points are declared above each test.
#
# Nothing here waits without a limit: commands run under `timeout`, shmtest
# gives up by itself, and teardown kills whatever a test left running.

bats_require_minimum_version 1.5.0

setup() {
	bats_load_library kcl
	MODULE=$(module_file shm_lab)
	DEV=/dev/kcl_shm
	# seconds an operation that should end at once may take (generous:
	# the VM may run slowly, the host may be busy)
	LIMIT=$((BATS_TEST_TIMEOUT / 4))
	BG_PIDS=()
}

teardown() {
	local pid
	{
		for pid in "${BG_PIDS[@]}"; do
			kill -KILL "$pid" || true
		done
		for pid in "${BG_PIDS[@]}"; do
			if shmtest exited "$pid" 5 >/dev/null; then
				wait "$pid" || true
			fi
		done
	} 2>/dev/null
	unload_module shm_lab
}

# shmtool with a time limit.
tool() {
	timeout "$LIMIT" shmtool "$@"
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
	run shmtest exited "$1" "$LIMIT"
	assert_success
	bg_status=0
	wait "$1" || bg_status=$?
}

# wait_for_line FILE LINE: until FILE has that line (at most $LIMIT s).
wait_for_line() {
	local i
	for ((i = 0; i < LIMIT * 50; i++)); do
		grep -qxF -- "$2" "$1" && return 0
		sleep 0.02
	done
	fail "no line \"$2\" in $1 after $LIMIT s: $(cat "$1")"
}

# wait_for_stats LINE: until shmtool stats prints LINE (at most $LIMIT s).
wait_for_stats() {
	local i
	for ((i = 0; i < LIMIT * 50; i++)); do
		[[ $(shmtool stats) == "$1" ]] && return 0
		sleep 0.02
	done
	fail "shmtool stats still prints \"$(shmtool stats)\", not \"$1\", after $LIMIT s"
}

# points: 5
@test "loading creates /dev/kcl_shm for root only, and pages and rate_hz are checked" {
	insmod "$MODULE"
	assert [ -c "$DEV" ]
	assert_equal "$(file_mode "$DEV")" 600
	assert_kernel_log "shm_lab: /dev/kcl_shm: 192 records of 64 bytes in 3 data pages, timer at 0 Hz"
	assert_equal "$(cat /sys/module/shm_lab/parameters/pages)" 4
	assert_equal "$(cat /sys/module/shm_lab/parameters/rate_hz)" 0
	rmmod shm_lab
	assert [ ! -e "$DEV" ]
	assert_kernel_log "shm_lab: removed /dev/kcl_shm: head 0, dropped 0, bad tail 0"
	local bad
	for bad in 0 1 65 1000; do
		run insmod "$MODULE" pages=$bad
		assert_failure
		assert_output --partial "Invalid argument"
		refute module_loaded shm_lab
		assert [ ! -e "$DEV" ]
		assert_kernel_log "shm_lab: pages=$bad: not from 2 to 64"
	done
	run insmod "$MODULE" rate_hz=1001
	assert_failure
	assert_output --partial "Invalid argument"
	refute module_loaded shm_lab
	assert_kernel_log "shm_lab: rate_hz=1001: not from 0 to 1000"
	# both ends of the ranges are fine
	insmod "$MODULE" pages=2 rate_hz=1000
	assert_kernel_log "shm_lab: /dev/kcl_shm: 64 records of 64 bytes in 1 data pages, timer at 1000 Hz"
	rmmod shm_lab
	insmod "$MODULE" pages=64
	assert_kernel_log "shm_lab: /dev/kcl_shm: 4032 records of 64 bytes in 63 data pages, timer at 0 Hz"
}

# points: 3
@test "a user other than root cannot open /dev/kcl_shm" {
	insmod "$MODULE"
	run timeout "$LIMIT" run-as-user shmtool stats
	assert_failure 1
	assert_output "shmtool: open /dev/kcl_shm: Permission denied"
	run timeout "$LIMIT" run-as-user shmtool produce 1
	assert_failure 1
	run tool stats
	assert_output "head 0 tail 0 dropped 0 bad_tail 0"
}

# points: 5
@test "shmtool info prints the geometry of the area, and the area starts zeroed" {
	insmod "$MODULE"
	run tool info
	assert_success
	assert_output "192 records of 64 bytes, data pages at offset 4096, 12288 bytes"
	run tool stats
	assert_output "head 0 tail 0 dropped 0 bad_tail 0"
	run timeout "$LIMIT" shmtest shared
	assert_success
	assert_output "bytes of the control page past the geometry that are not 0: 0
tail through one mapping, then the other: 0 0"
	rmmod shm_lab
	insmod "$MODULE" pages=2
	run tool info
	assert_output "64 records of 64 bytes, data pages at offset 4096, 4096 bytes"
	rmmod shm_lab
	insmod "$MODULE" pages=64
	run tool info
	assert_output "4032 records of 64 bytes, data pages at offset 4096, 258048 bytes"
}

# points: 6
@test "mmap: the control page at offset 0, the data pages at offset 4096, shared, never larger, nowhere else" {
	insmod "$MODULE"
	run timeout "$LIMIT" shmtest maps
	assert_success
	assert_output "control page, read-write: ok
control page, read-only: ok
control page, 2 pages: Invalid argument
control page, private: Invalid argument
data pages, all of them: ok
data pages, the first one: ok
data pages, one page more: Invalid argument
data pages, private: Invalid argument
offset 2 pages: Invalid argument
offset past the area: Invalid argument"
}

# points: 6
@test "the data pages stay read-only: PROT_WRITE fails with EACCES, mprotect cannot add it, a write gets SIGSEGV" {
	insmod "$MODULE"
	run timeout "$LIMIT" shmtest readonly
	assert_success
	assert_output "data pages, read-write: Permission denied
data pages, write-only: Permission denied
mprotect of the data pages to read-write: Permission denied
a write into the data pages: SIGSEGV
a read of the data pages: ok"
}

# points: 4
@test "mremap cannot grow a mapping, and past the end of a mapping there is nothing" {
	insmod "$MODULE"
	run timeout "$LIMIT" shmtest grow
	assert_success
	assert_output "mremap of the control page to 2 pages: Bad address
mremap of the data pages to one page more: Bad address
a read one byte past the control page: SIGSEGV
a read one byte past the data pages: SIGSEGV"
}

# points: 5
@test "records produced with write(2) are read from the mapping whole, in order, each once" {
	insmod "$MODULE"
	run tool produce 5
	assert_success
	assert_output "asked for 5 records"
	run tool stats
	assert_output "head 5 tail 0 dropped 0 bad_tail 0"
	run timeout "$LIMIT" shmtest check
	assert_success
	assert_output "5 records, seq 0 to 4: whole, in order"
	run tool consume 3
	assert_success
	assert_output "consumed 3 records: seq 0 to 2, 0 missing, 0 duplicates"
	run tool stats
	assert_output "head 5 tail 3 dropped 0 bad_tail 0"
	run tool produce 150
	run timeout "$LIMIT" shmtest check
	assert_output "152 records, seq 3 to 154: whole, in order"
	# around the end of the ring and back to its start
	run tool consume 152
	assert_output "consumed 152 records: seq 3 to 154, 0 missing, 0 duplicates"
	run tool produce 100
	run timeout "$LIMIT" shmtest check
	assert_output "100 records, seq 155 to 254: whole, in order"
	run tool consume 100
	assert_output "consumed 100 records: seq 155 to 254, 0 missing, 0 duplicates"
	run tool stats
	assert_output "head 255 tail 255 dropped 0 bad_tail 0"
}

# points: 4
@test "write(2) takes a decimal count from 1 to 100000, anything else fails with EINVAL, and there is no read(2)" {
	insmod "$MODULE" pages=2
	run timeout "$LIMIT" shmtest write 3
	assert_output "wrote 1"
	run timeout "$LIMIT" shmtest write $'2\n'
	assert_output "wrote 2"
	local bad
	for bad in 0 -1 abc 1x "" 100001 4294967297; do
		run timeout "$LIMIT" shmtest write "$bad"
		assert_output "write: Invalid argument"
	done
	run timeout "$LIMIT" shmtest write 100000
	assert_output "wrote 6"
	run tool stats
	assert_output "head 64 tail 0 dropped 99941 bad_tail 0"
	run timeout "$LIMIT" shmtest read
	assert_output "read: Invalid argument"
}

# points: 6
@test "while the consumer stalls, the ring fills, then each record is dropped and counted, never overwritten" {
	insmod "$MODULE" pages=2
	run tool produce 100
	run tool stats
	assert_output "head 64 tail 0 dropped 36 bad_tail 0"
	run timeout "$LIMIT" shmtest check
	assert_output "64 records, seq 0 to 63: whole, in order"
	run tool consume 10
	assert_output "consumed 10 records: seq 0 to 9, 0 missing, 0 duplicates"
	run tool produce 25
	run tool stats
	assert_output "head 74 tail 10 dropped 51 bad_tail 0"
	run tool consume 64
	assert_success
	assert_output "consumed 64 records: seq 10 to 73, 0 missing, 0 duplicates"
	run tool produce 1
	run tool stats
	assert_output "head 75 tail 74 dropped 51 bad_tail 0"
	rmmod shm_lab
	assert_kernel_log "shm_lab: removed /dev/kcl_shm: head 75, dropped 51, bad tail 0"
}

# points: 6
@test "100000 records from a producer on one CPU reach a consumer on the other with no gap and no duplicate" {
	insmod "$MODULE"
	local bound=$((BATS_TEST_TIMEOUT * 3 / 4))
	start_bg consumer taskset -c 1 shmtool consume 100000 --timeout $((bound * 1000))
	local pid=$!
	run timeout $((bound + 2)) taskset -c 0 shmtest pump 100000 "$bound"
	assert_success
	assert_output "asked for 100000 records"
	finish_bg "$pid"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/consumer.out")" \
		"consumed 100000 records: seq 0 to 99999, 0 missing, 0 duplicates"
	assert_equal "consumer status $bg_status" "consumer status 0"
	run tool stats
	assert_output "head 100000 tail 100000 dropped 0 bad_tail 0"
}

# points: 4
@test "with rate_hz, a timer produces records that wake the consumer, beside write(2)" {
	insmod "$MODULE" rate_hz=1000 pages=64
	# no --timeout: poll(2) returns only when a record wakes it (a poll
	# with a time limit looks at the ring once more when it runs out)
	run tool consume 200
	assert_success
	assert_output --regexp '^consumed 200 records: seq [0-9]+ to [0-9]+, 0 missing, 0 duplicates$'
	# both producers at once: one sequence
	run tool produce 300
	run tool consume 400
	assert_success
	assert_output --regexp '^consumed 400 records: seq [0-9]+ to [0-9]+, 0 missing, 0 duplicates$'
	rmmod shm_lab
	refute module_loaded shm_lab
}

# points: 5
@test "poll: an empty ring is not readable, a ring with a record is" {
	insmod "$MODULE"
	run timeout "$LIMIT" shmtest poll 100
	assert_success
	assert_output "poll: timeout"
	run tool produce 1
	run timeout "$LIMIT" shmtest poll 0
	assert_output "poll: POLLIN POLLRDNORM"
	run tool consume 1
	assert_success
	run timeout "$LIMIT" shmtest poll 100
	assert_output "poll: timeout"
	run tool consume 1 --timeout 100
	assert_failure 1
	assert_output "shmtool: timeout after 0 of 1 records"
}

# points: 5
@test "a consumer asleep in poll wakes up when a record is produced" {
	insmod "$MODULE"
	start_bg consumer shmtool consume 2
	local pid=$!
	run shmtest blocked "$pid" "$LIMIT"
	assert_success
	assert_output "blocked in poll, state S"
	# nothing wakes it by mistake
	sleep 0.1
	run shmtest blocked "$pid" 1
	assert_output "blocked in poll, state S"
	run tool produce 1
	# it takes that one and sleeps again
	wait_for_stats "head 1 tail 1 dropped 0 bad_tail 0"
	run shmtest blocked "$pid" "$LIMIT"
	assert_output "blocked in poll, state S"
	run tool produce 1
	finish_bg "$pid"
	assert_equal "consumer status $bg_status" "consumer status 0"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/consumer.out")" \
		"consumed 2 records: seq 0 to 1, 0 missing, 0 duplicates"
}

# points: 6
@test "a hostile consumer: a tail ahead of head or out of range is refused, counted and logged once; the rest of the page is ignored" {
	insmod "$MODULE" pages=2
	run tool produce 5
	# ahead of head
	shmtest poke tail 6
	run tool produce 3
	run tool stats
	assert_output "head 5 tail 6 dropped 0 bad_tail 3"
	assert_kernel_log "shm_lab: refused tail 6 (head 5, 64 records)"
	# far ahead, and far behind: refused, not logged again
	shmtest poke tail 0xffffffffffffffff
	run tool produce 2
	shmtest poke tail 0x8000000000000000
	run tool produce 1
	run tool stats
	assert_output "head 5 tail 9223372036854775808 dropped 0 bad_tail 6"
	run kernel_log
	assert_equal "$(grep -c 'shm_lab: refused tail' <<<"$output")" 1
	# a tail back in range: the ring works again
	shmtest poke tail 2
	run tool produce 1
	run tool stats
	assert_output "head 6 tail 2 dropped 0 bad_tail 6"
	run timeout "$LIMIT" shmtest check
	assert_output "4 records, seq 2 to 5: whole, in order"
	# the kernel's own copies count, not what the page says
	shmtest poke head 1000000
	shmtest poke nr_records 1000000
	shmtest poke record_size 1
	shmtest poke dropped 7
	run tool produce 1
	shmtest poke nr_records 64
	shmtest poke record_size 64
	run tool stats
	assert_output "head 7 tail 2 dropped 7 bad_tail 6"
	run timeout "$LIMIT" shmtest check
	assert_output "5 records, seq 2 to 6: whole, in order"
	# full, with 64 records after tail 2
	run tool produce 70
	run tool stats
	assert_output "head 66 tail 2 dropped 11 bad_tail 6"
	run timeout "$LIMIT" shmtest check
	assert_output "64 records, seq 2 to 65: whole, in order"
	rmmod shm_lab
	assert_kernel_log "shm_lab: removed /dev/kcl_shm: head 66, dropped 11, bad tail 6"
}

# after a load refused by a failing allocation: the error, and nothing left
load_refused_cleanly() {
	assert_output --regexp ' init returned ENOMEM$'
	assert [ ! -e "$DEV" ]
}

# points: 4
@test "a failing allocation at load undoes every step before it: ENOMEM, no device, nothing leaked (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$MODULE"
}

# points: 2
@test "shmtool refuses bad usage with exit status 2 and its usage on stderr" {
	local args
	for args in "" "frobnicate" "info x" "stats x" "produce" "produce 0" \
		"produce 100001" "produce 1x" "consume" "consume 0" \
		"consume 100000001" "consume 5 --timeout" "consume 5 --timeout -1" \
		"consume 5 --timeout 3600001" "consume 5 --wait 3"; do
		# shellcheck disable=SC2086 # the words are the arguments
		run -2 --separate-stderr shmtool $args
		assert_output ""
		[[ $stderr == *"usage: shmtool "* ]] ||
			fail "shmtool $args: no usage on stderr, but: $stderr"
	done
}

# points: 2
@test "shmtool ends every line it prints with a newline" {
	insmod "$MODULE"
	# run strips the last newline of the output: "end" shows it
	run timeout "$LIMIT" bash -c "shmtool info; shmtool produce 1; shmtool stats; shmtool consume 1; echo end"
	assert_output "192 records of 64 bytes, data pages at offset 4096, 12288 bytes
asked for 1 records
head 1 tail 0 dropped 0 bad_tail 0
consumed 1 records: seq 0 to 0, 0 missing, 0 duplicates
end"
	# and on stderr
	run timeout "$LIMIT" bash -c "shmtool consume 1 --timeout 10 2>&1; echo end"
	assert_output "shmtool: timeout after 0 of 1 records
end"
}

# points: 2
@test "shmtool reports a failing mmap as shmtool: mmap: MESSAGE on stderr, and exits with 1" {
	insmod "$MODULE" pages=2
	# the control page claims more data pages than there are: the kernel
	# refuses a mapping larger than its region
	shmtest poke data_size 8192
	run -1 --separate-stderr tool consume 1 --timeout 1000
	assert_output ""
	assert_equal "$stderr" "shmtool: mmap: Invalid argument"
}

# Last: with a module that a mapping does not hold, rmmod succeeds here and
# the mapping outlives the module's code.
# points: 5
@test "rmmod is refused while a mapping exists, even with the file closed, and works after munmap" {
	insmod "$MODULE"
	start_bg holder shmtest hold
	local pid=$!
	wait_for_line "$BATS_TEST_TMPDIR/holder.out" "mapped, file closed"
	run rmmod shm_lab
	assert_failure
	assert module_loaded shm_lab
	assert [ -c "$DEV" ]
	kill -USR1 "$pid"
	wait_for_line "$BATS_TEST_TMPDIR/holder.out" "unmapped"
	run rmmod shm_lab
	assert_success
	assert [ ! -e "$DEV" ]
	kill -TERM "$pid"
	finish_bg "$pid"
}
