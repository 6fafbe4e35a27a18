#!/usr/bin/env bats
# Lab 05 tests, part (b): the generic netlink family kcl_genl of genl_lab.
# The grader runs them inside the lab VM, after part (a); in `make boot`,
# run them by hand with `run-tests`. Points are declared above each test.
# nlprobe (tests/helpers/nlprobe.c) sends what nlclient does not: bad
# attributes, unknown commands, several sockets at once.

setup() {
	bats_load_library kcl
	MOD=$(module_file genl_lab)
}

teardown() {
	unload_module genl_lab
}

client() {
	timeout 30 nlclient "$@"
}

user_client() {
	run-as-user timeout 30 nlclient "$@"
}

# points: 4
@test "nlclient family resolves kcl_genl: its id, version and events group" {
	run client family
	assert_failure
	assert_output "nlclient: family: ENOENT"

	insmod "$MOD"
	assert_kernel_log "genl_lab: registered family kcl_genl"
	run client family
	assert_success
	assert_output --regexp '^kcl_genl id=[0-9]+ version=1 events=[0-9]+$'
	# the same numbers as the controller gives nlprobe
	assert_equal "$output" "$(nlprobe genl-resolve)"
	run user_client family
	assert_success
	assert_equal "$output" "$(nlprobe genl-resolve)"
}

# points: 4
@test "nlclient gecho echoes through the generic family, for any user" {
	insmod "$MOD"
	local longest
	longest=$(printf '%064d' 5)
	run client gecho hello "two words" "" "$longest"
	assert_success
	assert_output "seq 1: hello
seq 2: two words
seq 3: 
seq 4: $longest"
	run user_client gecho "from a user"
	assert_success
	assert_output "seq 1: from a user"
	run client gecho "${longest}5"
	assert_failure
	assert_output "nlclient: gecho: EINVAL"
}

# points: 5
@test "the policy rejects bad, unknown and missing attributes" {
	insmod "$MOD"
	run nlprobe genl-attrs
	assert_success
	assert_output "echo without KCL_A_MSG: EINVAL
echo, KCL_A_MSG unterminated: EINVAL
echo, KCL_A_MSG of 65 characters: EINVAL
echo, KCL_A_MSG of 64 characters: reply
echo, KCL_A_MSG empty: reply
echo with an unknown attribute: EINVAL
set without KCL_A_VALUE: EINVAL
set, KCL_A_VALUE 1001: ERANGE
set, KCL_A_VALUE 4294967295: ERANGE
set, KCL_A_VALUE of 2 bytes: EINVAL
set, KCL_A_VALUE 1000: ack
get: 1000"
	run client set 1001
	assert_failure
	assert_output "nlclient: set: ERANGE"
	run client get
	assert_output "value 1000"
}

# points: 3
@test "unknown commands give EOPNOTSUPP" {
	insmod "$MOD"
	run nlprobe genl-cmds
	assert_success
	assert_output "command 0: EOPNOTSUPP
command 4: EOPNOTSUPP
command 99: EOPNOTSUPP
KCL_CMD_ECHO as a dump: EOPNOTSUPP
KCL_CMD_ECHO with a reserved byte set: EINVAL"
}

# points: 5
@test "the admin command needs CAP_NET_ADMIN: EPERM without it, even for root; with it, even for a normal user, it sets the value" {
	insmod "$MOD"
	run user_client set 7
	assert_failure
	assert_output "nlclient: set: EPERM"
	run run-as-user -u 0 -g 0 -d CAP_NET_ADMIN timeout 30 nlclient set 7
	assert_failure
	assert_output "nlclient: set: EPERM"
	run client get
	assert_output "value 0"
	run client set 7
	assert_success
	assert_output "value set to 7"
	run user_client get
	assert_success
	assert_output "value 7"
	run run-as-user -k CAP_NET_ADMIN timeout 30 nlclient set 8
	assert_success
	assert_output "value set to 8"
}

# points: 5
@test "multicast members receive the event, non-members do not" {
	insmod "$MOD"
	run nlprobe genl-mcast 42
	assert_success
	assert_output "set 42: ack
member: event value=42 (seq 0, pid 0)
member, then: nothing
non-member: nothing
sender: nothing
set 43: ack
member after leaving: nothing"
}

# points: 5
@test "nlclient listen prints the events, for a normal user too" {
	insmod "$MOD"
	local out=$BATS_TEST_TMPDIR/listen pid i status=0
	timeout 30 run-as-user nlclient listen 2 >"$out" 2>&1 &
	pid=$!
	# it says "listening" once it is a member: the events come after that
	for ((i = 0; i < 600; i++)); do
		grep -q listening "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	client set 3
	client set 4
	wait "$pid" || status=$?
	run cat "$out"
	assert_output "listening
event value=3
event value=4"
	assert_equal "$status" 0
}

# points: 4
@test "after rmmod kcl_genl no longer resolves, and insmod brings it back" {
	insmod "$MOD"
	run client gecho before
	assert_output "seq 1: before"
	rmmod genl_lab
	assert_kernel_log "genl_lab: unregistered family kcl_genl"
	run client family
	assert_failure
	assert_output "nlclient: family: ENOENT"
	run nlprobe genl-resolve
	assert_output ENOENT
	run client gecho after
	assert_failure
	assert_output "nlclient: gecho: ENOENT"

	local round
	for round in 1 2 3; do
		insmod "$MOD"
		run client gecho "round $round"
		assert_output "seq 1: round $round"
		rmmod genl_lab
	done
	run nlprobe genl-resolve
	assert_output ENOENT
}

# points: 3
@test "nlclient's put_attr and parse_attrs take attributes no kernel sends: past the end, below a header, bytes left over, an exact fit" {
	run nlattrs
	assert_success
	assert_output "$(cat <<-'OUT'
		parse two attributes, the second padded: ok, found 1@0 2@8
		parse the last one unpadded: ok, found 1@0 2@8
		parse an empty attribute last: ok, found 1@0 3@8
		parse a nested flag, types 0 and past the max: ok, found 2@0
		parse 3 bytes left over: ok, found 1@0
		parse a length past the end: EPROTO
		parse a length one past the end: EPROTO
		parse a length below a header: EPROTO
		parse a length of 3, the last: EPROTO
		parse nothing: ok, found
		put 3 bytes: ok, nlmsg_len 28, nla_len 7, padding zeros
		put 3 bytes after an unaligned message: ok, nlmsg_len 32, nla_len 7, padding zeros
		put exactly what fits: ok, nlmsg_len 8192, nla_len 8172, padding zeros
		put one byte more: EMSGSIZE
		put into a full message: EMSGSIZE
	OUT
	)"
}

# points: 3
@test "nlclient's raw_echo, genl_transact, find_group and resolve_family refuse answers no kernel sends: empty, short, lying lengths, another seq or type, missing attributes" {
	run nlpeer
	assert_success
	assert_output "$(cat <<-'OUT'
		seq 7: hi
		raw_echo, a good reply: 0
		raw_echo, no answer: EAGAIN
		raw_echo, an empty datagram: EPROTO
		raw_echo, 10 bytes: EPROTO
		raw_echo, nlmsg_len past the datagram: EPROTO
		raw_echo, another nlmsg_seq: EPROTO
		raw_echo, another nlmsg_type: EPROTO
		raw_echo, an error, ENOMEM: ENOMEM
		raw_echo, an ack: EPROTO
		raw_echo, a payload without NUL: EPROTO
		raw_echo, the longest text that fits, 8175 bytes: 0
		raw_echo, one byte more: EMSGSIZE
		genl_transact, a good reply: 20
		genl_transact, no answer: EAGAIN
		genl_transact, an empty datagram: EPROTO
		genl_transact, 10 bytes: EPROTO
		genl_transact, nlmsg_len past the datagram: EPROTO
		genl_transact, another nlmsg_seq: EPROTO
		genl_transact, another nlmsg_type: EPROTO
		genl_transact, an error, ENOMEM: ENOMEM
		genl_transact, an ack: 0
		genl_transact, no room for a generic header: EPROTO
		find_group, events alone: 0, id 9
		find_group, other, then events: 0, id 9
		find_group, other alone: ENOENT
		find_group, an empty entry, then events: 0, id 9
		find_group, events with a 2-byte id: ENOENT
		find_group, other, then an entry past the end: EPROTO
		find_group, other, then a header claiming 8 bytes, last: EPROTO
		find_group, other, then an entry of length 3, last: EPROTO
		find_group, other, then 3 bytes left over: ENOENT
		find_group, an entry whose name runs past it: EPROTO
		resolve_family, a good reply: 0, id 0x20 version 1 events 9
		resolve_family, no group list: EPROTO
		resolve_family, no group events: ENOENT
		resolve_family, a 4-byte family id: EPROTO
		resolve_family, a 2-byte version: EPROTO
		resolve_family, no version: EPROTO
	OUT
	)"
}

# after a load refused by a failing allocation: an error, said
genl_load_refused() {
	# the kernel's functions say how they failed (not always ENOMEM)
	assert_output --regexp ' init returned E[A-Z]+$'
	assert_kernel_log "genl_lab: cannot register family kcl_genl: error -"
	run client family
	assert_output "nlclient: family: ENOENT"
}

# points: 3
@test "a failing allocation at load, in an echo or in an event: the error, said, nothing leaked, and the family works after (debug kernel)" {
	each_failing_allocation_at_load genl_load_refused "$MOD"
	insmod "$MOD"
	# the first allocation of genl_lab's code in an echo: the reply's
	run_failing_allocation 1 nlclient gecho hello
	assert_failure
	assert_output "nlclient: gecho: ENOMEM"
	run client gecho again
	assert_output "seq 1: again"
	# in a set, the event's: no event, but the value is set
	run_failing_allocation 1 nlclient set 5
	assert_success
	assert_output "value set to 5"
	run client get
	assert_output "value 5"
}
