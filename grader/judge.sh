#!/usr/bin/env bash
# Turn what one lab's VMs reported into the lab's JSON result (stdout).
#
#   grader/judge.sh LAB_DIR WORK_DIR
#
# WORK_DIR holds build.log, build.status (ok|error), seconds, and one run-N/
# folder per VM boot: results.log (the guest's result channel), console.log
# (the kernel console) and vm.status (grader/qemu.sh's exit status).
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"
# shellcheck source=grader/symbolize.sh
. "$(dirname "$0")/symbolize.sh"

lab_dir=$1 work=$2
LAB_EXPECTED_SPLATS="" LAB_EXPECTED_LEFTOVERS=""
# shellcheck source=labs/01-hello/lab.conf
. "$lab_dir/lab.conf"
lab_id=$(basename "$lab_dir")
# The kinds of kernel report: "KIND|CHARGED TO|EVIDENCE", EVIDENCE being an
# extended regex for the report's first line. A report fails the test it is
# charged to (unless LAB_EXPECTED_SPLATS allows it there) and the lab's
# clean-kernel check. CHARGED TO: "running", the test during which it
# appears; "allocator", the test whose process allocated the object the
# report is about (its "comm ..., pid N" line): kmemleak looks for leaks once
# the tests are over. The first kind that matches names a line, so the
# specific kinds come first.
KERNEL_REPORTS='
kasan|running|BUG: KASAN: 
kmemleak|allocator|unreferenced object 0x[0-9a-f]+ \(size [0-9]+\)
lockdep|running|WARNING: (possible .*(locking|lock inversion)|inconsistent lock state|suspicious RCU usage|.*lock held|bad unlock balance|held lock freed|.*lock order detected)
atomic-sleep|running|BUG: (sleeping function called from invalid context|scheduling while atomic)
ubsan|running|UBSAN: 
debug-objects|running|ODEBUG: 
slab-corruption|running|BUG [A-Za-z0-9_.:-]+ \(.*\): 
list-corruption|running|list_(add|del) corruption
usercopy|running|usercopy: Kernel memory
lockup|running|BUG: soft lockup|INFO: task .* blocked for more than|rcu: INFO: .* detected stalls
oops|running|Oops|general protection fault|kernel BUG at|BUG: unable to handle
panic|running|Kernel panic
warning|running|WARNING:
bug|running|BUG:
'
# Any line of any kind.
SPLAT=$(awk -F '|' 'NF >= 3 { sub(/^[^|]*\|[^|]*\|/, ""); printf "%s%s", sep, $0; sep = "|" }' \
	<<<"$KERNEL_REPORTS")
# Taint bits every lab module sets: O (out-of-tree, 4096), E (unsigned, 8192);
# and those an expected splat brings: D (died, 128), W (warning, 512).
TAINT_MODULE=$((4096 | 8192)) TAINT_SPLAT=$((128 | 512))
# Kernel-log lines kept per failing test, and for the whole lab.
TEST_LOG_LINES=15
LAB_LOG_LINES=200
# Kernel-console lines one test may write before it counts as a flood.
FLOOD_LINES=2000
# Whom a report during rmmod is charged to: the unload check, not a test.
UNLOAD_CHARGE="(unloading a module)"
# Two kernel-log lines that differ only in what matches this (CPU and pid
# numbers, addresses, times) say the same thing: shown once, and counted.
SAME_BUT_NUMBERS='0x[0-9a-f]+|[0-9]+'

# section RUN NAME: section NAME of a run's result channel ("@@kcl NAME" up
# to the next "@@kcl" line).
section() {
	[[ -f $1/results.log ]] || return 0
	awk -v want="$2" '
		/^@@kcl / { inside = ($2 == want); next }
		{ gsub(/\r/, "") }
		inside' "$1/results.log"
}

# header RUN NAME: the value of a one-line header "@@kcl NAME VALUE".
header() {
	[[ -f $1/results.log ]] || return 0
	awk -v want="$2" '$1 == "@@kcl" && $2 == want { gsub(/\r/, "", $3); print $3; exit }' \
		"$1/results.log"
}

# The guest's kernel-log markers (grader/guest/init and bats-kcl/load.bash)
# carry the run's token; lines without it are ordinary log lines, whoever
# wrote them. markers RUN: the markers of the run's kernel log (stdin), in
# order, one per line, with
# fields separated by \037: "begin,,TAINT", "test,NAME,TAINT,NUMBER,PID",
# "end,,TAINT" and "stuck,NUMBER", TAINT being /proc/sys/kernel/tainted at that point.
markers() {
	awk -v tok="$(run_token "$1")" -v OFS='\037' '
		match($0, "kcl: lab tests (begin|end) " tok " tainted [0-9]+$") {
			split(substr($0, RSTART), w, " ")
			print w[4], "", w[7]
		}
		match($0, "kcl-test [0-9]+ " tok " tainted [0-9]+( pid [0-9]+)?: ") {
			split(substr($0, RSTART), w, " ")
			print "test", substr($0, RSTART + RLENGTH), w[5] + 0, w[2], (w[6] == "pid") ? w[7] + 0 : ""
		}
		match($0, "kcl: test [0-9]+ " tok " stuck ") {
			split(substr($0, RSTART), w, " ")
			print "stuck", w[3]
		}'
}

# kernel_log_of RUN dmesg|console: the kernel log of a run: what the guest
# sent at the end (dmesg: for a VM that got there), or the kernel console,
# which has every message up to the end (a crash, the time limit).
kernel_log_of() {
	if [[ $2 == dmesg ]]; then
		section "$1" dmesg
	else
		tr -d '\r' <"$1/console.log" 2>/dev/null || true
	fi
}

run_token() {
	local line
	[[ -f $1/run.env ]] || return 0
	while IFS= read -r line; do
		[[ $line == KCL_MARK_TOKEN=* ]] && printf '%s\n' "${line#*=}"
	done <"$1/run.env"
	return 0
}

# attributed_log RUN: the run's kernel log (stdin) from the start of its
# tests, each line prefixed with the name of the test during
# which it was written and a tab; "(after the tests)" for the final unload.
# A test's marker becomes an empty line of that test, so a test that wrote
# nothing still shows.
attributed_log() {
	awk -v tok="$(run_token "$1")" '
		$0 ~ "kcl: lab tests begin " tok " " { started = 1; next }
		!started { next }
		match($0, "kcl-test [0-9]+ " tok " tainted [0-9]+( pid [0-9]+)?: ") {
			test = substr($0, RSTART + RLENGTH)
			print test "\t"
			next
		}
		$0 ~ "kcl: lab tests end " tok " " { test = "(after the tests)"; next }
		{ print test "\t" $0 }'
}

# Kernel-console lines per test of a run, for the tests that wrote more than
# FLOOD_LINES: "NAME<TAB>LINES". The console has every message (the ring
# buffer behind dmesg keeps only the last ones), unless grader/qemu.sh cut
# it: then LINES is "at least N".
flooding_tests() {
	kernel_log_of "$1" console | attributed_log "$1" | awk -F '\t' -v most="$FLOOD_LINES" '
		$2 ~ /^\[\.\.\. console output past / { cut = "at least " }
		$2 != "" { lines[$1]++ }
		END {
			for (name in lines)
				if (lines[name] > most)
					print name "\t" cut lines[name]
		}'
}

# The report lines of an attributed log (stdin), one per line, as
# "EXPECTED<TAB>CHARGED TO<TAB>LINE<TAB>KIND<TAB>NUMBER": CHARGED TO the test
# it is charged to (KERNEL_REPORTS), or UNLOAD_CHARGE for a report whose
# call trace runs through delete_module (rmmod: a test's teardown, or a
# module's exit, is not what the test checks); NUMBER the line's number in
# the log; EXPECTED "expected" when an entry of LAB_EXPECTED_SPLATS ("test
# name|extended regex") allows the line during the test it appeared in,
# else "unexpected".
#
#   classified_splats PIDS
#
# PIDS: the first pid of each test, "PID<TAB>NAME" in the order of the run
# (pids rise through it). A kmemleak report counts only when its backtrace
# names a lab module, or its allocator is insmod-failing (a lab module loaded
# with an allocation made to fail): the object was allocated by the lab's
# code (or on its behalf), and the kernel's own objects in flight during a
# scan are not the student's doing.
classified_splats() {
	# regexes reach awk through ENVIRON: -v turns "\(" into "(" in gawk
	KCL_REPORTS=$KERNEL_REPORTS KCL_EXPECTED=$LAB_EXPECTED_SPLATS \
		awk -F '\t' -v modules="$LAB_MODULES" -v pids="$1" -v unload="$UNLOAD_CHARGE" '
		BEGIN {
			reports = ENVIRON["KCL_REPORTS"]
			expected = ENVIRON["KCL_EXPECTED"]
			n = split(expected, lines, "\n")
			for (i = 1; i <= n; i++) {
				if (lines[i] !~ /\|/) continue
				name = substr(lines[i], 1, index(lines[i], "|") - 1)
				allowed[name] = substr(lines[i], index(lines[i], "|") + 1)
			}
			n = split(modules, names, " ")
			for (i = 1; i <= n; i++) lab_module[names[i]]
			kinds = 0
			n = split(reports, lines, "\n")
			for (i = 1; i <= n; i++) {
				if (split(lines[i], f, "|") < 3) continue
				kinds++
				kind[kinds] = f[1]
				charged[kinds] = f[2]
				evidence[kinds] = substr(lines[i], length(f[1] f[2]) + 3)
			}
			tests = split(pids, lines, "\n")
			for (i = 1; i <= tests; i++) {
				first_pid[i] = substr(lines[i], 1, index(lines[i], "\t") - 1) + 0
				test_of_pid[i] = substr(lines[i], index(lines[i], "\t") + 1)
			}
		}
		{ test_of[NR] = $1; text[NR] = $2 }
		END {
			for (i = 1; i <= NR; i++) {
				k = kind_of(text[i])
				if (!k) continue
				if (charged[k] == "allocator") leak(i, k)
				else running(i, k)
			}
		}
		# the number of the first kind of report LINE heads, or 0
		function kind_of(line,    k) {
			for (k = 1; k <= kinds; k++)
				if (line ~ evidence[k]) return k
			return 0
		}
		function emit(i, k, test) {
			print verdict(test_of[i], text[i]) "\t" test "\t" text[i] "\t" kind[k] "\t" i
		}
		# a report of the test running: its lines follow it in that test,
		# up to the end of the trace or the next report
		function running(i, k,    j, test) {
			test = test_of[i]
			for (j = i + 1; j <= NR && test_of[j] == test_of[i]; j++) {
				if (text[j] ~ /---\[ end trace/ || kind_of(text[j])) break
				if (text[j] ~ /[ _]delete_module[.+]/) test = unload
			}
			emit(i, k, test)
		}
		# a leak report: its lines, indented, follow its first
		function leak(i, k,    j, test, ours, n, f, m) {
			test = test_of[i]
			for (j = i + 1; j <= NR && text[j] ~ /^(\[[ 0-9.]*\] )?(kmemleak: )?  /; j++) {
				if (match(text[j], /comm ".*", pid [0-9]+/)) {
					n = split(substr(text[j], RSTART, RLENGTH), f, " ")
					test = allocator(f[n] + 0, test)
					# the init of a lab module made to fail (insmod-failing):
					# the module is gone, its frames are bare addresses
					if (f[1] == "comm" && f[2] == "\"insmod-failing\",") ours = 1
				}
				for (m in lab_module)
					if (index(text[j], "[" m "]")) ours = 1
			}
			if (ours) emit(i, k, test)
		}
		function verdict(test, line) {
			return ((test in allowed) && line ~ allowed[test]) ? "expected" : "unexpected"
		}
		# the test whose pids hold PID; OTHERWISE for a pid before the
		# first test (a kernel thread) or 0 (an interrupt)
		function allocator(pid, otherwise,    i) {
			if (pid <= 0) return otherwise
			for (i = tests; i >= 1; i--)
				if (first_pid[i] > 0 && first_pid[i] <= pid) return test_of_pid[i]
			return otherwise
		}'
}

# The tests the lab declares, in order: a JSON array of {name, max_points,
# hidden}: hidden for an instructor's extra test.
declared_tests() {
	local file kind
	while IFS=$'\t' read -r file _ kind; do
		kcl_bats_tests "$file" | sed "s/\$/\t$kind/"
	done < <(kcl_lab_test_files "$lab_dir") | jq -R -s '[split("\n")[] | select(length > 0) | split("\t") |
		{name: .[0], max_points: (.[1] | tonumber? // 0)}
		+ (if .[2] == "hidden" then {hidden: true} else {} end)]'
}

# bats TAP (--tap --timing) of a run as a JSON array of {number, name,
# result, ms, note, message}; "# ..." lines after a test are its diagnostics.
tap_results() {
	section "$1" tap | jq -c -R -s '
		reduce (split("\n")[]) as $line ([];
			if ($line | test("^(not )?ok [0-9]+ ")) then
				($line | capture("^(?<not>not )?ok (?<n>[0-9]+) (?<rest>.*)$")) as $m
				| ($m.rest | capture("^(?<name>.*?)(?: in (?<ms>[0-9]+)ms)?(?: # (?<note>.*))?$")) as $r
				| . + [{number: ($m.n | tonumber), name: $r.name,
					result: (if $m.not then "fail"
						elif (($r.note // "") | test("^skip"; "i")) then "skip"
						else "pass" end),
					ms: (($r.ms // "0") | tonumber), note: ($r.note // ""),
					message: ""}]
			elif (length > 0 and ($line | startswith("#"))) then
				.[-1].message += (($line | sub("^# ?"; "")) + "\n")
			else . end)'
}

# A readable digest of the first splat in kernel-log lines (stdin): what
# happened, where (the RIP line names the faulting function), the taint
# line, and the call trace, innermost first.
splat_digest() {
	sed 's/^\[[ 0-9.]*\] //; s/^kmemleak: //' | KCL_SPLAT=$SPLAT awk '
		BEGIN { splat = ENVIRON["KCL_SPLAT"] }
		!head && $0 ~ splat { head = $0; next }
		!head { next }
		# the kernel code segment: a report without a fault (KASAN, a
		# lockdep splat) shows only the user registers, RIP: 0033:
		!rip && /RIP: 0010:/ { rip = $0; sub(/.*RIP: 0010:/, "", rip) }
		# 6.12 spells the taint out on a line of its own; 6.1 has only the
		# letters, on the CPU line
		/^Tainted: \[/ { taint = substr($0, 10); next }
		!taint && /Tainted: / {
			n = split(substr($0, index($0, "Tainted: ") + 9), word, " ")
			for (i = 1; i <= n && word[i] ~ /^[A-Z]+$/; i++)
				taint = taint (taint == "" ? "" : " ") word[i]
		}
		/Call Trace:|^ *backtrace( \(crc [0-9a-f]+\))?:/ { in_trace = 1; next }
		in_trace && ($1 ~ /:$/ || /<\/TASK>|^---\[|Modules linked in|^unreferenced object|new suspected memory leaks/) {
			in_trace = 0
			traced = 1
		}
		in_trace && !traced && $1 !~ /^(<TASK>|\?)$/ {
			fn = $1
			# kmemleak: "[<ADDRESS>] FUNCTION"; a raw address that
			# grader/symbolize.sh named is followed by "(NAME at FILE:LINE [MODULE])"
			if (fn ~ /^\[</) fn = $2
			if (match($0, /\([^()]* at [^()]*\)$/)) fn = substr($0, RSTART + 1, RLENGTH - 2)
			sub(/\+0x[0-9a-f\/x]*/, "", fn)
			trace = trace (trace == "" ? "" : " < ") fn
		}
		END {
			if (!head) exit
			print head
			if (rip != "") print "faulting function (RIP): " rip
			if (taint != "") print "taint: " taint
			if (trace != "")
				print (head ~ /^unreferenced object/ ? "allocated by: " : "call trace: ") trace
		}'
}

# The kernel log lines written during the test named $1, from an attributed
# log (stdin), in brief: each kernel report by its first line only (its
# digest says the rest), a report or line that comes again counted on the
# first, and at most TEST_LOG_LINES lines, the last saying where the whole
# log is ($2).
test_kernel_log() {
	KCL_SPLAT=$SPLAT KCL_NUMBERS=$SAME_BUT_NUMBERS \
		awk -F '\t' -v name="$1" -v most="$TEST_LOG_LINES" -v whole="$2" '
		BEGIN { splat = ENVIRON["KCL_SPLAT"]; numbers = ENVIRON["KCL_NUMBERS"] }
		$1 != name || $2 == "" { next }
		{ line = $2; sub(/^\[[ 0-9.]*\] /, "", line) }
		# a report ends with its last stack, KASAN with a rule, kmemleak
		# where its indented lines do
		body == "kasan" { if (line ~ /^=+$/) body = ""; next }
		body == "leak" && line ~ /^ / { next }
		body == "other" { if (line ~ /<\/TASK>/) body = ""; next }
		{ body = "" }
		line ~ /^---\[ end trace|^=+$|^-+\[ cut here \]-+$/ { next }
		line ~ splat {
			body = line ~ /KASAN/ ? "kasan" : line ~ /^unreferenced object/ ? "leak" : "other"
			keep(line, 1)
			next
		}
		{ keep(line) }
		# a line that came before, but for numbers that change (CPU, pid,
		# addresses), is counted, not shown
		function keep(line, is_report,    key) {
			key = line
			gsub(numbers, "N", key)
			if (key in seen) { again[seen[key]]++; return }
			seen[key] = ++kept
			text[kept] = line
			report[kept] = is_report
		}
		END {
			for (i = 1; i <= kept && i <= most; i++) {
				print text[i]
				if (again[i]) print "  (the same " (report[i] ? "report" : "line") " " again[i] " more time" (again[i] > 1 ? "s" : "") ")"
			}
			if (kept > most) print "[... " kept - most " more: the whole log is " whole "]"
		}'
}

# taint_letters BITS: the kernel's letters for taint bits, e.g. "D W".
taint_letters() {
	local letters=PFSRMBUDAWCIOELKXTN bit out=()
	for ((bit = 0; bit < 32; bit++)); do
		((($1 >> bit) & 1)) || continue
		out+=("${letters:bit:1}")
		[[ -n ${out[-1]} ]] || out[-1]="bit$bit"
	done
	echo "${out[*]}"
}

# Where the kernel console of a run ended: "TEST<TAB>HEADLINE", the test
# running last and the first line of trouble (a panic, Oops, lockup...) seen
# during the tests; for a VM that crashed or ran out of time.
console_end() {
	kernel_log_of "$1" console | attributed_log "$1" |
		KCL_SPLAT="$SPLAT|soft lockup|hung_task|blocked for more than" awk -F '\t' '
		BEGIN { splat = ENVIRON["KCL_SPLAT"] }
		{ test = $1 }
		head == "" && $2 ~ splat { head = $2; sub(/^\[[ 0-9.]*\] /, "", head) }
		END { print test "\t" head }'
}

# The run's leftovers (files that stayed after its modules were unloaded),
# minus those LAB_EXPECTED_LEFTOVERS ("test name|extended regex") allows
# because that test ran in this VM.
unexpected_leftovers() {
	local run=$1 tap=$2 line name allowed=()
	while IFS= read -r line; do
		[[ $line == *"|"* ]] || continue
		name=${line%%|*}
		jq -e --arg n "$name" 'any(.[]; .name == $n)' <<<"$tap" >/dev/null &&
			allowed+=("${line#*|}")
	done <<<"$LAB_EXPECTED_LEFTOVERS"
	section "$run" leftovers | while IFS= read -r line; do
		[[ -n $line ]] || continue
		for pattern in "${allowed[@]}"; do
			[[ $line =~ $pattern ]] && continue 2
		done
		printf '%s\n' "$line"
	done
}

# One run as JSON: what its VM did, its tests, its kernel-log findings.
judge_run() {
	local run=$1 vm_status outcome tap attributed classified splats tainted
	local marks kind name taint number prev_name="" prev_taint="" new bits
	local ended log_source klog digest console_log=${run#"$KCL_ROOT/"}/console.log
	local token
	token=$(run_token "$run")
	local -A taint_of=() name_of=()
	local bad_taints="" stuck leftovers floods killed='[]' where=""
	local evidence="" events='{}' logs='{}' taints='{}'
	vm_status=none
	[[ -f $run/vm.status ]] && vm_status=$(<"$run/vm.status")
	# the guest sent its kernel log at the end, unless it did not get there;
	# but when the ring buffer behind it lost the start of the tests (many
	# reports, such as a leak at every load), only the console has it all
	ended=false
	grep -q '^@@kcl end' "$run/results.log" 2>/dev/null && ended=true
	log_source=console
	if $ended && section "$run" dmesg |
		grep -qF "kcl: lab tests begin $token "; then
		log_source=dmesg
	fi
	case $vm_status in
	0)
		if $ended; then
			outcome=ended
		else
			outcome=crash
		fi
		;;
	3) outcome=crash ;;
	124) outcome=timeout ;;
	*) outcome=vm-error ;;
	esac
	if [[ $outcome != ended ]]; then
		evidence=$(tail -n 40 "$run/console.log" 2>/dev/null || true)
		where=$(console_end "$run")
	fi
	tap=$(tap_results "$run")
	klog=$(kernel_log_of "$run" "$log_source" | symbolize_log "$work/symbols" "$token")
	attributed=$(attributed_log "$run" <<<"$klog")
	marks=$(markers "$run" <<<"$klog")
	classified=$(classified_splats "$(awk -F '\037' '$1 == "test" && $5 != "" { print $5 "\t" $2 }' <<<"$marks")" \
		<<<"$attributed")
	# the unexpected reports, the same ones counted on the first
	splats=$(KCL_NUMBERS=$SAME_BUT_NUMBERS awk -F '\t' '
		BEGIN { numbers = ENVIRON["KCL_NUMBERS"] }
		$1 != "unexpected" { next }
		{ key = $3; gsub(numbers, "N", key) }
		!(key in times) { order[++kinds] = key; first[key] = $3 }
		{ times[key]++ }
		END {
			for (i = 1; i <= kinds && i <= 20; i++) {
				more = times[order[i]] - 1
				print first[order[i]] (more ? "  (and " more " more like it)" : "")
			}
		}' <<<"$classified")
	tainted=$(header "$run" tainted)
	tainted=${tainted:-0}

	# What each test tainted: the taint at its marker against the taint at
	# the next marker, the last against the taint after the final unload.
	# Without markers (a flood pushed them out of the ring buffer) all taint
	# beyond O/E counts.
	while IFS=$'\037' read -r kind name taint number _; do
		case $kind in
		stuck)
			killed=$(jq --arg n "${name_of[$name]:-test $name}" '. + [$n]' <<<"$killed")
			continue
			;;
		test) name_of[$number]=$name ;;
		begin | end) ;;
		final) [[ -n $prev_taint ]] || prev_taint=$TAINT_MODULE ;;
		*) continue ;;
		esac
		if [[ -n $prev_taint ]]; then
			new=$((taint & ~prev_taint & ~TAINT_MODULE))
			((new == 0)) || taint_of[=$prev_name]=$((${taint_of[=$prev_name]:-0} | new))
		fi
		prev_name=$name prev_taint=$taint
	done < <(printf '%s\nfinal\037\037%s\n' "$marks" "$tainted")
	for name in "${!taint_of[@]}"; do
		bits=${taint_of[$name]}
		name=${name#=}
		[[ -n $name ]] && taints=$(jq --arg n "$name" --arg t "$(taint_letters "$bits")" \
			'. + {($n): $t}' <<<"$taints")
		# an expected splat brings its D/W taint, during its test only
		awk -F '\t' -v n="$name" '$1 == "expected" && $2 == n { found = 1 }
			END { exit !found }' <<<"$classified" && bits=$((bits & ~TAINT_SPLAT))
		((bits == 0)) || bad_taints+="${name:-outside any test}: $(taint_letters "$bits") (/proc/sys/kernel/tainted = $tainted)"$'\n'
	done

	stuck=$(section "$run" unload | awk '$1 == "left-loaded" && $3 == "stuck" {print $2}')
	leftovers=$(unexpected_leftovers "$run" "$tap")
	floods=$(flooding_tests "$run")
	# the kernel log of each failing test (tap is compact: no jq when none fails)
	[[ $tap != *'"result":"fail"'* ]] ||
	while IFS= read -r name; do
		[[ -n $name ]] || continue
		logs=$(jq --arg n "$name" \
			--arg log "$(test_kernel_log "$name" "$console_log" <<<"$attributed")" \
			'. + {($n): $log}' <<<"$logs")
	done < <(jq -r '.[] | select(.result == "fail") | .name' <<<"$tap")
	# Every test a kernel report is charged to gets a digest of its first
	# one, and fails unless the report was expected there. An expected
	# report is one the lab makes the kernel write so that the student
	# reads it: its digest would give the answer away, so it says where
	# to read it instead.
	# \037, not a tab, between the fields: read merges runs of tabs, and the
	# test of a report outside any test is empty
	while IFS=$'\037' read -r expected name _ kind number; do
		[[ -n $name ]] || continue
		if [[ $expected == expected ]]; then
			digest="the kernel wrote a report ($kind) here, as this test"
			digest+=" expects: read it yourself, with dmesg in make boot"
			digest+=" LAB=${lab_id%%-*}, or in $console_log"
		else
			digest=$(sed -n "$number,$((number + 79))p" <<<"$attributed" | cut -f 2- | splat_digest)
		fi
		events=$(jq --arg n "$name" --arg kind "$kind" --arg expected "$expected" \
			--arg digest "$digest" \
			'. + {($n): {digest: $digest, kind: $kind, expected: ($expected == "expected")}}' \
			<<<"$events")
	done < <(awk -F '\t' -v OFS='\037' 'NF && !seen[$2]++ { $1 = $1; print }' <<<"$classified")
	jq -n --arg outcome "$outcome" --arg kernel "$(header "$run" begin)" \
		--argjson tap "$tap" --argjson logs "$logs" --argjson events "$events" \
		--argjson taints "$taints" --argjson killed "$killed" \
		--arg unload "$UNLOAD_CHARGE" \
		--arg splats "$splats" --arg bad_taints "${bad_taints%$'\n'}" \
		--arg floods "$floods" --arg leftovers "$leftovers" \
		--arg stuck "$stuck" --arg evidence "$evidence" --arg where "$where" \
		--arg log "$(awk -F '\t' '$2 != "" { print $2 }' <<<"$attributed" | head -n "$LAB_LOG_LINES")" '
		{outcome: $outcome, kernel: $kernel, evidence: $evidence,
		 last_test: ($where | split("\t")[0] // ""),
		 trouble: ($where | split("\t")[1] // ""),
		 tests: [$tap[] | . + (if ($logs[.name] // "") != ""
			then {kernel_log: $logs[.name]} else {} end)
			+ (if $events[.name] then {kernel_event: $events[.name].digest}
				+ (if $events[.name].expected then {}
				else {kernel_report: $events[.name].kind} end)
			else {} end)
			+ (if ($taints[.name] // "") != ""
			then {taint: $taints[.name]} else {} end)],
		 unload_event: ($events[$unload] | if . and (.expected | not) then .digest else "" end),
		 killed: $killed, splats: $splats, bad_taints: $bad_taints,
		 floods: $floods, leftovers: $leftovers,
		 stuck: $stuck, log: $log}'
}

# seconds_in FILE: the number of seconds FILE holds, or null.
seconds_in() {
	local value=""
	[[ -f $1 ]] && value=$(<"$1")
	if [[ $value =~ ^[0-9]+(\.[0-9]+)?$ ]]; then echo "$value"; else echo null; fi
}

build_status=error
[[ -f $work/build.status ]] && build_status=$(<"$work/build.status")
seconds=$(seconds_in "$work/seconds")
[[ $seconds != null ]] || seconds=0
timing="{\"build\": $(seconds_in "$work/build.seconds"), \"vm\": $(seconds_in "$work/vm.seconds")}"
warnings=$(grep -E ': warning:' "$work/build.log" 2>/dev/null || true)
declared=$(declared_tests)

if [[ $build_status != ok ]]; then
	jq -n --arg id "$lab_id" --arg title "$LAB_TITLE" --argjson tests "$declared" \
		--arg log "$(grep -v '^Skipping BTF' "$work/build.log" | head -n 60)" \
		--arg first "$(grep -m 1 -E 'error:|^(refused|missing|no folder|stopped|module build|building)' "$work/build.log")" \
		--arg warnings "$warnings" \
		--argjson checks "$((CHECK_CLEAN_KERNEL_POINTS + CHECK_UNLOAD_POINTS))" \
		--argjson seconds "$seconds" --argjson timing "$timing" '
		{id: $id, title: $title, verdict: "build-error", points: 0,
		 max_points: (([$tests[].max_points] | add) + $checks), seconds: $seconds, timing: $timing,
		 summary: ("does not build: " + (if $first != "" then $first else "see the build log below" end)),
		 build_log: $log, warnings: ($warnings | split("\n") | map(select(length > 0))),
		 tests: [$tests[] | . + {result: "fail", points: 0,
			message: "not run: the lab does not build"}],
		 kernel_log: ""}'
	exit 0
fi

# own_findings LOG: the findings of a static check ("FILE:LINE:...") on the
# lines the student wrote: those diff does not align with a line of the
# same file in skeletons/, so that a finding on given code, or on a TODO's
# stub the student has not replaced yet, is not theirs to fix.
own_findings() {
	local finding file line
	local -A written=()
	[[ -f $1 ]] || return 0
	while IFS= read -r finding; do
		file=${finding%%:*} line=${finding#*:}
		line=${line%%:*}
		if [[ -f $KCL_ROOT/skeletons/$lab_id/$file && -f $work/src/$file ]]; then
			[[ -v "written[$file]" ]] || written[$file]=" $(diff \
				--old-line-format= --unchanged-line-format= --new-line-format='%dn ' \
				"$KCL_ROOT/skeletons/$lab_id/$file" "$work/src/$file" || true)"
			[[ ${written[$file]} == *" $line "* ]] || continue
		fi
		printf '%s\n' "$finding"
	done <"$1"
}

sparse=$(own_findings "$work/sparse.log")
checkpatch=$(own_findings "$work/checkpatch.log")
# each run's JSON, read by the jq below as one array (--slurpfile)
for run in "$work"/run-*/; do judge_run "${run%/}"; done >"$work/runs.json"

jq -n --arg id "$lab_id" --arg title "$LAB_TITLE" \
	--argjson declared "$declared" --slurpfile runs "$work/runs.json" \
	--arg warnings "$warnings" --arg modules "$LAB_MODULES" \
	--argjson clean_points "$CHECK_CLEAN_KERNEL_POINTS" \
	--argjson unload_points "$CHECK_UNLOAD_POINTS" \
	--argjson flood_lines "$FLOOD_LINES" \
	--arg sparse "$sparse" --arg checkpatch "$checkpatch" \
	--arg filter "${TEST_FILTER:-}" --arg numbers "$SAME_BUT_NUMBERS" \
	--arg stopped "${STOP_AT_FIRST_FAILURE:-}" \
	--argjson seconds "$seconds" --argjson timing "$timing" '
	def lines: split("\n") | map(select(length > 0));
	# the worst outcome of all runs decides
	(["vm-error", "crash", "timeout"] | map(. as $o | select($runs | any(.outcome == $o)))
		| .[0] // "ended") as $outcome
	| ([$runs[] | select(.outcome != "ended")][0] // {}) as $broken
	| ($broken.last_test // "") as $last_test
	| ($broken.trouble // "") as $trouble
	| (if $outcome == "timeout" then "the VM hit its time limit"
		elif $outcome == "crash" then "the VM crashed"
		elif $filter != "" then "TEST_FILTER left it out"
		elif $stopped != "" then "the run stopped at the first failing test (STOP_AT_FIRST_FAILURE)"
		else "the VM did not run" end) as $what
	| ([$runs[].killed[]]) as $killed
	| def not_run($name): if $name == $last_test and $last_test != ""
		then "\($what) during this test" + (if $trouble != "" then ": " + $trouble else "" end)
		else "not run: \($what)" + (if $last_test != "" then " during \"\($last_test)\"" else "" end) end;
	([$runs[].tests[]] | map({key: .name, value: .}) | from_entries) as $by_name
	| [$declared[] | . as $t | ($by_name[$t.name] // null) as $r
		| if $r == null and ($killed | index($t.name)) then
			$t + {result: "fail", points: 0, message: "timed out, and could not be stopped: a process of this test stayed stuck in the kernel (uninterruptible sleep, state D) after its time limit; the grader killed the test and ran the others"}
		  elif $r == null then $t + {result: "fail", points: 0, message: not_run($t.name)}
		  else ($r.result | if $r.kernel_report then "fail" else . end) as $result
			# a kit test skips only what this kernel cannot check (a failing
			# allocation on the stock kernel): like a leak it cannot see, it
			# costs nothing there
			| $t + {result: $result, ms: $r.ms,
			points: (if $result == "pass" or $result == "skip" then $t.max_points else 0 end),
			message: (if $r.result == "fail" then
				($r.message + (if $r.note != "" then $r.note + "\n" else "" end))
				else "" end)}
			+ (if $r.kernel_report then {kernel_report: $r.kernel_report} else {} end)
			+ (if $r.kernel_log then {kernel_log: $r.kernel_log} else {} end)
			+ (if $r.kernel_event then {kernel_event: $r.kernel_event} else {} end)
			+ (if $r.taint then {taint: $r.taint} else {} end)
		  end]
	# a kernel report is shown once, where it first came; a later test
	# whose report differs only in numbers (CPU, pid, addresses) names it
	| reduce .[] as $t ({first: {}, tests: []};
		(($t.kernel_event // "") | gsub($numbers; "N")) as $key
		| .first[$key] as $first
		| if ($t.kernel_report | not) then .tests += [$t]
		  elif $first then .tests += [$t | .message +=
			"the kernel reported the same problem (\(.kernel_report)) as in \"\($first)\"\n"]
		  else .first[$key] = $t.name | .tests += [$t | .message +=
			"the kernel reported a problem (\(.kernel_report)) charged to this test:\n"
			+ .kernel_event + "\n"] end)
	| .tests
	# the assertion of a hidden test would show its source to the student
	| map(if .hidden and .result == "fail"
		then .message = "a hidden test: its details are for the instructor" else . end)
	as $tests
	| ($outcome == "ended") as $ran
	| ([$runs[].splats | select(. != "")] | join("\n")) as $splats
	| ([$runs[].bad_taints | select(. != "")] | join("\n")) as $bad_taints
	| ([$runs[].floods | lines[] | split("\t") | "\"\(.[0])\": \(.[1]) lines"]) as $floods
	| ([$runs[].stuck | select(. != "")] | join(" ")) as $stuck
	| ([$runs[].leftovers | lines[]]) as $leftovers
	| ([$runs[].unload_event | select(. != "")][0] // "") as $unload_event
	| [{name: "kernel log stays clean (no Oops, BUG, WARNING or panic; no taint beyond O/E)",
		max_points: $clean_points,
		result: (if $ran and $splats == "" and $bad_taints == "" and ($floods | length) == 0
			then "pass" else "fail" end),
		message: ([if ($ran | not) then not_run("") else empty end,
			if $splats != "" then "unexpected kernel messages:\n" + $splats else empty end,
			if $bad_taints != "" then "kernel tainted during a test (test: new taint flags):\n" + $bad_taints else empty end,
			if ($floods | length) > 0 then "kernel log flooded (more than \($flood_lines) lines during one test):\n" + ($floods | join("\n")) else empty end]
			| join("\n"))},
	   {name: ("modules unload cleanly after the tests (" + $modules + ")"),
		max_points: $unload_points,
		result: (if $ran and $stuck == "" and ($leftovers | length) == 0 and $unload_event == ""
			then "pass" else "fail" end),
		message: ([if ($ran | not) then not_run("") else empty end,
			if $stuck != "" then "rmmod failed for: " + $stuck else empty end,
			if ($leftovers | length) > 0 then "left behind after the modules were unloaded:\n" + ($leftovers | join("\n")) else empty end,
			if $unload_event != "" then "the kernel complained while a module was unloaded (rmmod, in a test or its teardown):\n" + $unload_event else empty end]
			| join("\n"))}]
	| map(. + {points: (if .result == "pass" then .max_points else 0 end)}) as $checks
	| ($tests + $checks) as $all
	| ($all | map(.points) | add) as $points
	| ($all | map(select(.result == "fail")) | length) as $failed
	| ($all | map(select(.result == "fail"))[0].name // "") as $first_failed
	| {id: $id, title: $title,
	   kernel: ([$runs[].kernel | select(. != "")][0] // ""),
	   verdict: (if $outcome == "crash" then "crash"
		elif $outcome == "timeout" then "timeout"
		elif $outcome == "vm-error" then "error"
		elif $failed == 0 then "pass" else "fail" end),
	   points: $points, max_points: ($all | map(.max_points) | add),
	   seconds: $seconds, timing: $timing,
	   summary: (if $outcome == "crash" or $outcome == "timeout" then
			$what + (if $last_test != "" then " during \"\($last_test)\"" else " before the tests began" end)
			+ (if $trouble != "" then ": " + $trouble else "" end)
			+ "; see the console below"
		elif $outcome == "vm-error" then "QEMU failed to run the VM: see the console below"
		elif $failed == 0 then "all tests and checks pass"
		else "\($failed) of \($all | length) tests and checks fail, first: \"\($first_failed)\"" end),
	   warnings: ($warnings | lines),
	   static: {sparse: ($sparse | lines), checkpatch: ($checkpatch | lines),
		compiler_warnings: ($warnings | lines | length)},
	   tests: $all,
	   kernel_log: ([$runs[].log | select(. != "")] | join("\n"))}
	+ ([$runs[].evidence | select(. != "")] | if length > 0
		then {console_tail: .[0]} else {} end)'
