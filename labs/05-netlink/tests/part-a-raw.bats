#!/usr/bin/env bats
# Lab 05 tests, part (a): the raw netlink unit 31 of nlraw_lab. The grader
# runs them inside the lab VM; in `make boot`, run them by hand with
# `run-tests`. Points are declared above each test.
# nlprobe (tests/helpers/nlprobe.c) sends what nlclient does not: exact
# bytes, headers that lie, several sockets at once. Both have their own time
# limits; `timeout` bounds nlclient in case yours has none.

setup() {
	bats_load_library kcl
	MOD=$(module_file nlraw_lab)
}

teardown() {
	unload_module nlraw_lab
}

client() {
	timeout 30 nlclient "$@"
}

# points: 5
@test "unit 31 is unsupported before insmod and after rmmod, and works in between" {
	run nlprobe raw-socket
	assert_output EPROTONOSUPPORT
	run client echo hello
	assert_failure
	assert_output "nlclient: echo: EPROTONOSUPPORT"

	insmod "$MOD"
	assert_kernel_log "nlraw_lab: created netlink unit 31"
	run nlprobe raw-socket
	assert_output ok
	run client echo hello
	assert_success
	assert_output "seq 1: hello"

	rmmod nlraw_lab
	run nlprobe raw-socket
	assert_output EPROTONOSUPPORT
	run client echo hello
	assert_failure
	assert_output "nlclient: echo: EPROTONOSUPPORT"
	assert_kernel_log "nlraw_lab: released netlink unit 31 (echoed 1, dropped 0)"
}

# points: 6
@test "nlclient echo prints each reply with its sequence number, for any user" {
	insmod "$MOD"
	local long
	long=$(printf '%01000d' 7)
	run client echo hello "two words" "" "$long"
	assert_success
	assert_output "seq 1: hello
seq 2: two words
seq 3: 
seq 4: $long"
	run run-as-user timeout 30 nlclient echo "from a user" again
	assert_success
	assert_output "seq 1: from a user
seq 2: again"
}

# points: 5
@test "the raw echo is byte-exact and keeps the sequence number" {
	insmod "$MOD"
	run nlprobe raw-exact
	assert_success
	assert_output "ok: 18 echoes, byte for byte"
}

# points: 5
@test "a bogus nlmsg_pid still gets the reply on the sending socket" {
	insmod "$MOD"
	run nlprobe raw-bogus-pid
	assert_success
	assert_output "nlmsg_pid of another socket: sender got echo of 6 bytes, seq 7, the other socket got nothing
nlmsg_pid of no socket: sender got echo of 7 bytes, seq 8"
}

# points: 5
@test "concurrent clients each get all of their own replies and no one else's" {
	insmod "$MOD"
	run nlprobe raw-concurrent 4 200
	assert_success
	assert_output "ok: 4 clients, 200 echoes each, each got its own"
	rmmod nlraw_lab
	assert_kernel_log "nlraw_lab: released netlink unit 31 (echoed 800, dropped 0)"
}

# points: 3
@test "an echo that cannot be sent to a full socket is not counted" {
	local replies
	insmod "$MOD"
	run nlprobe raw-full 20
	assert_success
	assert_output --regexp '^20 echoes to a full socket: [0-9]+ replies$'
	replies=${output##*: }
	replies=${replies% replies}
	# the socket did fill up: some echoes went, the others could not
	assert [ "$replies" -gt 0 ]
	assert [ "$replies" -lt 20 ]
	rmmod nlraw_lab
	assert_kernel_log "nlraw_lab: released netlink unit 31 (echoed $replies, dropped 0)"
}

# points: 5
@test "malformed messages get no reply or an error, and the module still echoes" {
	insmod "$MOD"
	run nlprobe raw-malformed
	assert_success
	assert_output "datagram of 4 bytes: nothing
nlmsg_len 200 in 24 bytes: nothing
nlmsg_len 8 in 24 bytes: nothing
nlmsg_len 15 in 24 bytes: nothing
unterminated payload: error EINVAL for seq 2
empty payload: error EINVAL for seq 3
type 0x11: error EOPNOTSUPP for seq 4
then a good echo: echo of 11 bytes, seq 5"
	run client echo "still fine"
	assert_output "seq 1: still fine"
	rmmod nlraw_lab
	run kernel_log
	assert_line --partial "nlraw_lab: released netlink unit 31 (echoed 2, dropped 4)"
	refute_line --partial "Oops"
	refute_line --partial "BUG:"
}

# points: 4
@test "NLM_F_ACK gets an ack after the reply, and only when asked" {
	insmod "$MOD"
	run nlprobe raw-ack
	assert_success
	assert_output "with NLM_F_ACK: echo of 7 bytes, seq 21, then ack for seq 21, then nothing
without NLM_F_ACK: echo of 7 bytes, seq 22, then nothing"
}

# after a load refused by a failing allocation: the error, said
raw_load_refused() {
	assert_output --regexp ' init returned ENOMEM$'
	assert_kernel_log "nlraw_lab: cannot create netlink unit 31"
}

# points: 3
@test "a failing allocation at load or in an echo: ENOMEM, said, nothing leaked, and the echo works after (debug kernel)" {
	each_failing_allocation_at_load raw_load_refused "$MOD"
	insmod "$MOD"
	# the first allocation of nlraw_lab's code in an echo: the reply's
	run_failing_allocation 1 nlclient echo hello
	assert_failure
	assert_output "nlclient: echo: ENOMEM"
	run client echo again
	assert_output "seq 1: again"
	rmmod nlraw_lab
	assert_kernel_log "nlraw_lab: released netlink unit 31 (echoed 1, dropped 0)"
}
