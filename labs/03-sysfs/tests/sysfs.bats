#!/usr/bin/env bats
# Lab 03 tests. The grader runs them inside the lab VM; in `make boot`,
# run them by hand with `run-tests`. Points are declared above each test.
#
# Writes go through the helper sysfs-write (tests/helpers/sysfs-write.c):
# one write(2), whose result it prints ("write: ok 2", "write: error
# EINVAL", "open: error EACCES"). A shell's `echo 7 > file` would add a
# newline, and loop forever on a store that returns 0.

setup() {
	bats_load_library kcl
	MODULE=$(module_file sysfs_lab)
	DEV=/sys/devices/platform/kcl-sysfs
	KOBJ=/sys/kernel/kcl_sysfs
	DRV=/sys/bus/platform/drivers/kcl-sysfs
}

teardown() {
	if [[ -n ${POLLER:-} ]]; then
		kill "$POLLER" 2>/dev/null || true
		wait "$POLLER" 2>/dev/null || true
	fi
	unload_module sysfs_lab
}

# read_raw FILE: RAW becomes the whole content of FILE, newlines included
# (the read builtin: no fork, and nothing stripped).
read_raw() {
	RAW=
	IFS= read -r -d '' RAW <"$1" || true
}

# assert_value FILE VALUE: FILE holds exactly VALUE and one newline.
assert_value() {
	read_raw "$1"
	assert_equal "$RAW" "$2"$'\n'
}

# store FILE TEXT: one write(2) of TEXT must succeed and take every byte.
store() {
	run sysfs-write "$1" "$2"
	assert_output "write: ok ${#2}"
	assert_success
}

# points: 5
@test "loading creates the device, its driver and /sys/kernel/kcl_sysfs with every attribute and mode" {
	run insmod "$MODULE"
	assert_success
	# read at once: a line without its newline is not in the log until the
	# kernel logs another
	assert_kernel_log "sysfs_lab: loaded: /sys/devices/platform/kcl-sysfs, /sys/kernel/kcl_sysfs"
	assert [ -d "$DEV" ]
	assert [ -L /sys/bus/platform/devices/kcl-sysfs ]
	assert_equal "$(readlink -f /sys/bus/platform/devices/kcl-sysfs)" "$DEV"
	# the driver is bound to the device
	assert [ -L "$DRV/kcl-sysfs" ]
	assert [ -d "$KOBJ" ]
	run stat -c '%n %a' "$DEV/debug_level" "$DEV/threshold" "$DEV/reads" \
		"$DEV/writes" "$DEV/secret" "$KOBJ/bound" "$KOBJ/default_threshold"
	assert_success
	assert_output "$DEV/debug_level 644
$DEV/threshold 644
$DEV/reads 444
$DEV/writes 444
$DEV/secret 600
$KOBJ/bound 444
$KOBJ/default_threshold 644"
}

# points: 8
@test "every attribute shows one value and a newline, starting from the defaults" {
	insmod "$MODULE"
	assert_value "$DEV/debug_level" 0
	assert_value "$DEV/threshold" 50
	assert_value "$DEV/writes" 0
	assert_value "$DEV/secret" kcl-secret-03
	assert_value "$KOBJ/bound" 1
	assert_value "$KOBJ/default_threshold" 50
	read_raw "$DEV/reads"
	assert_regex "$RAW" $'^[0-9]+\n$'
	# reading again gives the same (the counters aside)
	assert_value "$DEV/threshold" 50
	assert_value "$KOBJ/default_threshold" 50
	# and nothing after the newline: read_raw stops at a NUL byte, so
	# compare every byte the shows return, all files in one cat
	local files=("$DEV"/{reads,debug_level,threshold,writes,secret}
		"$KOBJ"/{bound,default_threshold})
	local file text="" expected=$BATS_TEST_TMPDIR/expected
	for file in "${files[@]:1}"; do
		read_raw "$file"
		text+=$RAW
	done
	# reads last here and first in the cat: the same count in both
	read_raw "${files[0]}"
	printf '%s' "$RAW$text" >"$expected"
	cat "${files[@]}" >"$BATS_TEST_TMPDIR/got"
	assert cmp "$expected" "$BATS_TEST_TMPDIR/got"
}

# points: 8
@test "a value is stored with or without a trailing newline and reads back" {
	insmod "$MODULE"
	local file value
	for file in "$DEV/threshold" "$KOBJ/default_threshold"; do
		for value in 7 $'7\n' 100 $'42\n' 0 $'100\n' 42; do
			store "$file" "$value"
			assert_value "$file" "${value%$'\n'}"
		done
	done
	for value in 2 $'1\n' 0 $'2\n'; do
		store "$DEV/debug_level" "$value"
		assert_value "$DEV/debug_level" "${value%$'\n'}"
	done
}

# points: 10
@test "bad values fail with EINVAL (ERANGE for an int overflow) and keep the old value" {
	insmod "$MODULE"
	store "$DEV/threshold" 42
	store "$DEV/debug_level" 1
	store "$KOBJ/default_threshold" 60
	local bad
	for bad in 101 -1 abc 7x " 7" "7 " 1.5 $'\n' $'7\n\n'; do
		run sysfs-write "$DEV/threshold" "$bad"
		assert_output "write: error EINVAL"
		assert_value "$DEV/threshold" 42
	done
	run sysfs-write "$DEV/threshold" 99999999999
	assert_output --regexp '^write: error (ERANGE|EINVAL)$'
	assert_value "$DEV/threshold" 42
	for bad in 3 -1 two; do
		run sysfs-write "$DEV/debug_level" "$bad"
		assert_output "write: error EINVAL"
		assert_value "$DEV/debug_level" 1
	done
	for bad in 101 -5 x; do
		run sysfs-write "$KOBJ/default_threshold" "$bad"
		assert_output "write: error EINVAL"
		assert_value "$KOBJ/default_threshold" 60
	done
}

# points: 5
@test "writing a read-only attribute fails with EACCES, even for root" {
	insmod "$MODULE"
	local file
	for file in "$DEV/reads" "$DEV/writes" "$KOBJ/bound"; do
		run sysfs-write "$file" 5
		assert_output "open: error EACCES"
	done
	assert_value "$DEV/writes" 0
	assert_value "$KOBJ/bound" 1
}

# points: 5
@test "secret is for root only; a user reads threshold but writes nothing" {
	insmod "$MODULE"
	store "$DEV/secret" $'swordfish\n'
	assert_value "$DEV/secret" swordfish
	run run-as-user cat "$DEV/secret"
	assert_failure
	assert_output --partial "Permission denied"
	local file
	for file in "$DEV/secret" "$DEV/threshold" "$DEV/debug_level" \
		"$KOBJ/default_threshold"; do
		run run-as-user sysfs-write "$file" 5
		assert_output "open: error EACCES"
	done
	run run-as-user cat "$DEV/threshold"
	assert_success
	assert_output 50
	# one word of visible characters
	local bad
	for bad in "two words" $'tab\there' $'\n' $'x\n\n'; do
		run sysfs-write "$DEV/secret" "$bad"
		assert_output "write: error EINVAL"
	done
	assert_value "$DEV/secret" swordfish
}

# points: 5
@test "an oversized write fails cleanly and keeps the value" {
	insmod "$MODULE"
	local longest
	printf -v longest '%31s' ''
	longest=${longest// /x}
	run sysfs-write "$DEV/secret" -n 31 x
	assert_output "write: ok 31"
	assert_value "$DEV/secret" "$longest"
	# a store sees at most one page (4096 bytes) of a longer write
	local size
	for size in 32 100 4096 5000; do
		run sysfs-write "$DEV/secret" -n "$size" y
		assert_output "write: error EINVAL"
	done
	assert_value "$DEV/secret" "$longest"
	for size in 4096 5000; do
		run sysfs-write "$DEV/threshold" -n "$size" 1
		assert_output --regexp '^write: error (ERANGE|EINVAL)$'
	done
	assert_value "$DEV/threshold" 50
}

# points: 5
@test "reads and writes count the successful shows and stores of the values" {
	insmod "$MODULE"
	assert_value "$DEV/writes" 0
	read_raw "$DEV/reads"
	local before=${RAW%$'\n'}
	read_raw "$DEV/threshold"
	read_raw "$DEV/threshold"
	read_raw "$DEV/debug_level"
	read_raw "$DEV/secret"
	assert_value "$DEV/reads" $((before + 4))
	store "$DEV/threshold" 10
	store "$DEV/debug_level" 0
	store "$DEV/secret" abc
	run sysfs-write "$DEV/threshold" 500
	assert_failure
	run sysfs-write "$DEV/secret" "a b"
	assert_failure
	run sysfs-write "$DEV/debug_level" 9
	assert_failure
	assert_value "$DEV/writes" 3
	# the counters themselves and the module-wide attributes do not count
	store "$KOBJ/default_threshold" 20
	read_raw "$KOBJ/default_threshold"
	assert_value "$DEV/writes" 3
	assert_value "$DEV/reads" $((before + 4))
}

# points: 5
@test "a writer and a reader on two CPUs never see half a secret, and every show and store counts" {
	insmod "$MODULE"
	# 600 stores on CPU 0, a reader on each other CPU: see
	# helpers/sysfs-race.c
	run sysfs-race "$DEV" 600
	assert_success
	assert_output --regexp '^ok: [0-9]+ stores, [0-9]+ shows$'
}

# points: 5
@test "debug_level 1 logs every store, 2 every show too, 0 nothing, and no level the secret" {
	insmod "$MODULE"
	store "$DEV/threshold" 20
	read_raw "$DEV/threshold"
	store "$DEV/secret" swordfish0
	store "$DEV/debug_level" 1
	store "$DEV/threshold" 30
	read_raw "$DEV/threshold"
	store "$DEV/secret" swordfish1
	read_raw "$DEV/secret"
	store "$DEV/debug_level" 2
	store "$DEV/threshold" 35
	read_raw "$DEV/threshold"
	read_raw "$DEV/secret"
	store "$DEV/secret" swordfish2
	store "$DEV/debug_level" 0
	store "$DEV/threshold" 40
	read_raw "$DEV/threshold"
	store "$DEV/secret" swordfish3
	read_raw "$DEV/secret"
	run kernel_log
	refute_output --partial swordfish
	# the device's lines, all of them (dev_info: "kcl-sysfs kcl-sysfs: ...")
	assert_equal "$(grep -o 'kcl-sysfs: .*' <<<"$output")" "kcl-sysfs: bound, threshold 50
kcl-sysfs: debug_level: 0 -> 1
kcl-sysfs: threshold: 20 -> 30
kcl-sysfs: secret: changed
kcl-sysfs: debug_level: 1 -> 2
kcl-sysfs: threshold: 30 -> 35
kcl-sysfs: threshold: read 35
kcl-sysfs: secret: read
kcl-sysfs: secret: changed"
}

# points: 10
@test "unbind and bind make the attributes go and come back, with no duplicate warning" {
	insmod "$MODULE"
	store "$DEV/threshold" 77
	store "$KOBJ/default_threshold" 30
	local i
	for ((i = 0; i < 3; i++)); do
		store "$DRV/unbind" kcl-sysfs
		assert [ -d "$DEV" ]
		assert [ ! -e "$DRV/kcl-sysfs" ]
		assert [ ! -e "$DEV/threshold" ]
		assert [ ! -e "$DEV/secret" ]
		assert [ ! -e "$DEV/reads" ]
		assert_value "$KOBJ/bound" 0
		store "$DRV/bind" kcl-sysfs
		assert [ -L "$DRV/kcl-sysfs" ]
		assert_value "$KOBJ/bound" 1
		# a new driver context, its threshold from default_threshold
		assert_value "$DEV/threshold" 30
		assert_value "$DEV/writes" 0
		store "$DEV/threshold" 77
	done
	run kernel_log
	refute_output --partial "duplicate filename"
	refute_output --partial "probe of kcl-sysfs failed"
	# each unbind and bind says so
	assert_equal "$(grep -c 'kcl-sysfs: unbound$' <<<"$output")" 3
	assert_equal "$(grep -c 'kcl-sysfs: bound, threshold 30$' <<<"$output")" 3
}

# points: 10
@test "a poller on threshold wakes within 5 s of a store, and not before" {
	insmod "$MODULE"
	local out=$BATS_TEST_TMPDIR/poll.out i
	# made here: the loop below may read it before the poller opens it
	: >"$out"
	sysfs-poll "$DEV/threshold" 8000 >>"$out" 2>&1 3>&- &
	POLLER=$!
	# wait until it has read the value and sits in poll()
	for ((i = 0; i < 500; i++)); do
		read_raw "$out"
		[[ $RAW == waiting* ]] && break
		sleep 0.02
	done
	assert_equal "$RAW" $'waiting 50\n'
	# no store yet, and a refused store or a read is no change either
	run sysfs-write "$DEV/threshold" 500
	assert_failure
	read_raw "$DEV/threshold"
	sleep 0.1
	read_raw "$out"
	assert_equal "$RAW" $'waiting 50\n'
	assert kill -0 "$POLLER"
	local start=${EPOCHREALTIME/./} status=0
	store "$DEV/threshold" 61
	wait "$POLLER" || status=$?
	POLLER=
	local elapsed_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	read_raw "$out"
	assert_regex "$RAW" $'^waiting 50\nwoke after [0-9]+ ms: 61\n$'
	assert_equal "$status" 0
	assert [ "$elapsed_ms" -le 5000 ]
}

# points: 5
@test "rmmod and insmod cycles leave nothing behind" {
	local i
	for ((i = 0; i < 5; i++)); do
		insmod "$MODULE"
		assert_value "$KOBJ/bound" 1
		assert [ -e "$DEV/threshold" ]
		rmmod sysfs_lab
		assert_kernel_log "sysfs_lab: unloaded"
		assert [ ! -e "$KOBJ" ]
		assert [ ! -e "$DEV" ]
		assert [ ! -e "$DRV" ]
	done
	run kernel_log
	refute_output --partial "duplicate filename"
	assert_equal "$(unexpected_taint)" 0
}

# after a load refused by a failing allocation: an error, and nothing left
load_refused_cleanly() {
	if ((FAILING_ALLOCATION == 1)); then
		# the kobject itself: kobject_create_and_add() returns NULL
		assert_output --regexp ' init returned ENOMEM$'
	else
		# the kernel's functions say how they failed (not always ENOMEM)
		assert_output --regexp ' init returned E[A-Z]+$'
	fi
	assert [ ! -e "$KOBJ" ]
	assert [ ! -e "$DEV" ]
	assert [ ! -e "$DRV" ]
}

# points: 4
@test "a failing allocation at load undoes every step before it: an error, nothing left in sysfs, nothing leaked (debug kernel)" {
	each_failing_allocation_at_load load_refused_cleanly "$MODULE"
}
