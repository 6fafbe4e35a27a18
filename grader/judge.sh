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

lab_dir=$1 work=$2
LAB_EXPECTED_SPLATS=""
# shellcheck source=labs/01-hello/lab.conf
. "$lab_dir/lab.conf"
lab_id=$(basename "$lab_dir")
# Lines that mean the kernel hit trouble, whoever caused it.
SPLAT='Oops|BUG:|WARNING:|Kernel panic|general protection fault|kernel BUG at'
# Taint bits every lab module sets: O (out-of-tree, 4096), E (unsigned, 8192);
# and those an expected splat brings: D (died, 128), W (warning, 512).
TAINT_MODULE=$((4096 | 8192)) TAINT_SPLAT=$((128 | 512))
# Kernel-log lines kept per failing test, and for the whole lab.
TEST_LOG_LINES=15
LAB_LOG_LINES=200

# section RUN NAME: section NAME of a run's result channel ("@@kcl NAME" up
# to the next "@@kcl" line).
section() {
	[[ -f $1/results.log ]] || return 0
	awk -v want="$2" '
		/^@@kcl / { inside = ($2 == want); next }
		inside' "$1/results.log" | tr -d '\r'
}

# header RUN NAME: the value of a one-line header "@@kcl NAME VALUE".
header() {
	[[ -f $1/results.log ]] || return 0
	awk -v want="$2" '$1 == "@@kcl" && $2 == want {print $3; exit}' \
		"$1/results.log" | tr -d '\r'
}

# The kernel log of a run from the start of its tests, each line prefixed
# with the name of the test during which it was written and a tab.
attributed_log() {
	section "$1" dmesg | awk '
		/kcl: lab tests begin/ { started = 1 }
		!started { next }
		/kcl-test [0-9]+: / {
			test = $0
			sub(/.*kcl-test [0-9]+: /, "", test)
		}
		/kcl: lab tests end/ { test = "" }
		{ print test "\t" $0 }'
}

# The splat lines of an attributed log (stdin) as "KIND<TAB>TEST<TAB>LINE":
# KIND is "expected" when an entry of LAB_EXPECTED_SPLATS ("test
# name|extended regex") allows the line during that test, else "unexpected".
classified_splats() {
	awk -F '\t' -v splat="$SPLAT" -v expected="$LAB_EXPECTED_SPLATS" '
		BEGIN {
			n = split(expected, lines, "\n")
			for (i = 1; i <= n; i++) {
				if (lines[i] !~ /\|/) continue
				name = substr(lines[i], 1, index(lines[i], "|") - 1)
				allowed[name] = substr(lines[i], index(lines[i], "|") + 1)
			}
		}
		# a test marker quotes the test name, whatever words it has
		$2 ~ splat && $2 !~ /kcl-test [0-9]+: / {
			kind = (($1 in allowed) && $2 ~ allowed[$1]) ? "expected" : "unexpected"
			print kind "\t" $1 "\t" $2
		}'
}

# The tests the lab declares, in order: a JSON array of {name, max_points}.
declared_tests() {
	kcl_lab_tests "$lab_dir" |
		jq -R -s '[split("\n")[] | select(length > 0) | split("\t") |
			{name: .[0], max_points: (.[1] | tonumber? // 0)}]'
}

# bats TAP (--tap --timing) of a run as a JSON array of {number, name,
# result, ms, note, message}; "# ..." lines after a test are its diagnostics.
tap_results() {
	section "$1" tap | jq -R -s '
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
	sed 's/^\[[ 0-9.]*\] //' | awk -v splat="$SPLAT" '
		!head && $0 ~ splat && !/kcl-test [0-9]+: / { head = $0; next }
		!head { next }
		!rip && /RIP: [0-9a-f]+:/ { rip = $0; sub(/.*RIP: [0-9a-f]+:/, "", rip) }
		# 6.12 spells the taint out on a line of its own; 6.1 has only the
		# letters, on the CPU line
		/^Tainted: \[/ { taint = substr($0, 10); next }
		!taint && /Tainted: / {
			n = split(substr($0, index($0, "Tainted: ") + 9), word, " ")
			for (i = 1; i <= n && word[i] ~ /^[A-Z]+$/; i++)
				taint = taint (taint == "" ? "" : " ") word[i]
		}
		/Call Trace:/ { in_trace = 1; next }
		in_trace && ($1 ~ /:$/ || /<\/TASK>|^---\[|Modules linked in/) {
			in_trace = 0
			traced = 1
		}
		in_trace && !traced && $1 !~ /^(<TASK>|\?)$/ {
			fn = $1
			sub(/\+0x.*/, "", fn)
			trace = trace (trace == "" ? "" : " < ") fn
		}
		END {
			if (!head) exit
			print head
			if (rip != "") print "faulting function (RIP): " rip
			if (taint != "") print "taint: " taint
			if (trace != "") print "call trace: " trace
		}'
}

# Kernel log lines written during the test named $1, from an attributed log
# (stdin).
test_kernel_log() {
	awk -F '\t' -v name="$1" '$1 == name { print $2 }'
}

# One run as JSON: what its VM did, its tests, its kernel-log findings.
judge_run() {
	local run=$1 vm_status outcome tap attributed classified splats tainted
	local bad_taint stuck
	local evidence="" events='{}'
	local logs='{}' name
	vm_status=$(cat "$run/vm.status" 2>/dev/null || echo none)
	case $vm_status in
	0)
		if grep -q '^@@kcl end' "$run/results.log" 2>/dev/null; then
			outcome=ended
		else
			outcome=crash
		fi
		;;
	3) outcome=crash ;;
	124) outcome=timeout ;;
	*) outcome=vm-error ;;
	esac
	[[ $outcome == ended ]] || evidence=$(tail -n 40 "$run/console.log" 2>/dev/null || true)
	tap=$(tap_results "$run")
	attributed=$(attributed_log "$run")
	classified=$(classified_splats <<<"$attributed")
	splats=$(awk -F '\t' '$1 == "unexpected" { print $3 }' <<<"$classified" | head -n 20)
	tainted=$(header "$run" tainted)
	tainted=${tainted:-0}
	bad_taint=$((tainted & ~TAINT_MODULE))
	if grep -q '^expected' <<<"$classified"; then
		bad_taint=$((bad_taint & ~TAINT_SPLAT))
	fi
	stuck=$(section "$run" unload | awk '$1 == "left-loaded" && $3 == "stuck" {print $2}')
	while IFS= read -r name; do
		[[ -n $name ]] || continue
		logs=$(jq --arg n "$name" \
			--arg log "$(test_kernel_log "$name" <<<"$attributed" | tail -n "$TEST_LOG_LINES")" \
			'. + {($n): $log}' <<<"$logs")
	done < <(jq -r '.[] | select(.result == "fail") | .name' <<<"$tap")
	# Every test during which the kernel complained gets a digest of it.
	while IFS= read -r name; do
		[[ -n $name ]] || continue
		events=$(jq --arg n "$name" \
			--arg digest "$(test_kernel_log "$name" <<<"$attributed" | splat_digest)" \
			'. + {($n): $digest}' <<<"$events")
	done < <(awk -F '\t' 'NF && !seen[$2]++ { print $2 }' <<<"$classified")
	jq -n --arg outcome "$outcome" --arg kernel "$(header "$run" begin)" \
		--argjson tap "$tap" --argjson logs "$logs" --argjson events "$events" \
		--arg splats "$splats" \
		--arg tainted "$tainted" --argjson bad_taint "$bad_taint" \
		--arg stuck "$stuck" --arg evidence "$evidence" \
		--arg log "$(cut -f 2 <<<"$attributed" | head -n "$LAB_LOG_LINES")" '
		{outcome: $outcome, kernel: $kernel, evidence: $evidence,
		 tests: [$tap[] | . + (if ($logs[.name] // "") != ""
			then {kernel_log: $logs[.name]} else {} end)
			+ (if ($events[.name] // "") != ""
			then {kernel_event: $events[.name]} else {} end)],
		 splats: $splats, tainted: $tainted, bad_taint: $bad_taint,
		 stuck: $stuck, log: $log}'
}

build_status=$(cat "$work/build.status" 2>/dev/null || echo error)
seconds=$(cat "$work/seconds" 2>/dev/null || echo 0)
timing=$(jq -n --arg build "$(cat "$work/build.seconds" 2>/dev/null)" \
	--arg vm "$(cat "$work/vm.seconds" 2>/dev/null)" \
	'{build: ($build | tonumber? // null), vm: ($vm | tonumber? // null)}')
warnings=$(grep -E ': warning:' "$work/build.log" 2>/dev/null || true)
declared=$(declared_tests)

if [[ $build_status != ok ]]; then
	jq -n --arg id "$lab_id" --arg title "$LAB_TITLE" --argjson tests "$declared" \
		--arg log "$(tail -n 60 "$work/build.log")" --arg warnings "$warnings" \
		--argjson seconds "$seconds" --argjson timing "$timing" '
		{id: $id, title: $title, verdict: "build-error", points: 0,
		 max_points: 100, seconds: $seconds, timing: $timing,
		 summary: "does not build: see the compiler output below",
		 build_log: $log, warnings: ($warnings | split("\n") | map(select(length > 0))),
		 tests: [$tests[] | . + {result: "fail", points: 0,
			message: "not run: the lab does not build"}],
		 kernel_log: ""}'
	exit 0
fi

runs=$(for run in "$work"/run-*/; do judge_run "${run%/}"; done | jq -s .)

jq -n --arg id "$lab_id" --arg title "$LAB_TITLE" \
	--argjson declared "$declared" --argjson runs "$runs" \
	--arg warnings "$warnings" --arg modules "$LAB_MODULES" \
	--argjson clean_points "$CHECK_CLEAN_KERNEL_POINTS" \
	--argjson unload_points "$CHECK_UNLOAD_POINTS" \
	--argjson seconds "$seconds" --argjson timing "$timing" '
	# the worst outcome of all runs decides
	(["vm-error", "crash", "timeout"] | map(. as $o | select($runs | any(.outcome == $o)))
		| .[0] // "ended") as $outcome
	| def not_run: if $outcome == "timeout" then "not run: the VM hit its time limit"
		elif $outcome == "crash" then "not run: the VM crashed"
		else "not run: no result" end;
	([$runs[].tests[]] | map({key: .name, value: .}) | from_entries) as $by_name
	| [$declared[] | . as $t | ($by_name[$t.name] // null) as $r
		| if $r == null then $t + {result: "fail", points: 0, message: not_run}
		  else $t + {result: $r.result, ms: $r.ms,
			points: (if $r.result == "pass" then $t.max_points else 0 end),
			message: (if $r.result == "fail" then
				($r.message + (if $r.note != "" then $r.note + "\n" else "" end))
				else "" end)}
			+ (if $r.kernel_log then {kernel_log: $r.kernel_log} else {} end)
			+ (if $r.kernel_event then {kernel_event: $r.kernel_event} else {} end)
		  end] as $tests
	| ($outcome == "ended") as $ran
	| ([$runs[].splats | select(. != "")] | join("\n")) as $splats
	| ([$runs[] | select(.bad_taint != 0) | .tainted] | join(", ")) as $bad_taint
	| ([$runs[].stuck | select(. != "")] | join(" ")) as $stuck
	| [{name: "kernel log stays clean (no Oops, BUG, WARNING or panic; no taint beyond O/E)",
		max_points: $clean_points,
		result: (if $ran and $splats == "" and $bad_taint == "" then "pass" else "fail" end),
		message: (if ($ran | not) then not_run
			elif $splats != "" then "unexpected kernel messages:\n" + $splats
			elif $bad_taint != "" then "kernel tainted: /proc/sys/kernel/tainted = " + $bad_taint
			else "" end)},
	   {name: ("modules unload cleanly after the tests (" + $modules + ")"),
		max_points: $unload_points,
		result: (if $ran and $stuck == "" then "pass" else "fail" end),
		message: (if ($ran | not) then not_run
			elif $stuck != "" then "rmmod failed for: " + $stuck else "" end)}]
	| map(. + {points: (if .result == "pass" then .max_points else 0 end)}) as $checks
	| ($tests + $checks) as $all
	| ($all | map(.points) | add) as $points
	| ($all | map(select(.result == "fail")) | length) as $failed
	| {id: $id, title: $title,
	   kernel: ([$runs[].kernel | select(. != "")][0] // ""),
	   verdict: (if $outcome == "crash" then "crash"
		elif $outcome == "timeout" then "timeout"
		elif $outcome == "vm-error" then "error"
		elif $failed == 0 then "pass" else "fail" end),
	   points: $points, max_points: ($all | map(.max_points) | add),
	   seconds: $seconds, timing: $timing,
	   summary: (if $outcome == "crash" then "the VM crashed (kernel panic or reset): see the console"
		elif $outcome == "timeout" then "the VM did not finish within its time limit: see the console"
		elif $outcome == "vm-error" then "QEMU failed to run the VM"
		elif $failed == 0 then "all tests and checks pass"
		else "\($failed) of \($all | length) tests and checks fail" end),
	   warnings: ($warnings | split("\n") | map(select(length > 0))),
	   tests: $all,
	   kernel_log: ([$runs[].log | select(. != "")] | join("\n"))}
	+ ([$runs[].evidence | select(. != "")] | if length > 0
		then {console_tail: .[0]} else {} end)'
