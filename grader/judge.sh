#!/usr/bin/env bash
# Turn what one lab's VM reported into the lab's JSON result (stdout).
#
#   grader/judge.sh LAB_DIR WORK_DIR
#
# WORK_DIR holds build.log, build.status (ok|error), and after a boot
# results.log (the guest's result channel), console.log (the kernel console),
# vm.status (grader/qemu.sh's exit status) and seconds.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

lab_dir=$1 work=$2
# shellcheck source=labs/01-hello/lab.conf
. "$lab_dir/lab.conf"
lab_id=$(basename "$lab_dir")
results=$work/results.log
console=$work/console.log
# Lines that mean the kernel hit trouble, whoever caused it.
SPLAT='Oops|BUG:|WARNING:|Kernel panic|general protection fault|kernel BUG at'
# Kernel-log lines kept per failing test, and for the whole lab.
TEST_LOG_LINES=15
LAB_LOG_LINES=200

# Section $1 of the result channel ("@@kcl $1" up to the next "@@kcl").
section() {
	[[ -f $results ]] || return 0
	awk -v want="$1" '
		/^@@kcl / { inside = ($2 == want); next }
		inside' "$results" | tr -d '\r'
}

# The tests the lab declares, in order: a JSON array of {name, max_points}.
declared_tests() {
	awk '
		/^# points: [0-9]+ *$/ { points = $3; next }
		/^@test / {
			name = $0
			sub(/^@test +"/, "", name)
			sub(/" *\{ *$/, "", name)
			print name "\t" (points == "" ? 0 : points)
			points = ""
		}' "$lab_dir"/tests/*.bats |
		jq -R -s '[split("\n")[] | select(length > 0) | split("\t") |
			{name: .[0], max_points: (.[1] | tonumber)}]'
}

# bats TAP (--tap --timing) as a JSON array of {number, name, result, ms,
# message}; "# ..." lines after a test are its diagnostics.
tap_results() {
	section tap | jq -R -s '
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

# Kernel log lines written during test number $1 (between its marker and the
# next one).
test_kernel_log() {
	section dmesg | awk -v n="$1" '
		/kcl-test [0-9]+: / { inside = ($0 ~ ("kcl-test " n ": ")); next }
		/kcl: lab tests end/ { inside = 0 }
		inside' | tail -n "$TEST_LOG_LINES"
}

lab_log() {
	section dmesg | sed -n '/kcl: lab tests begin/,$p'
}

build_status=$(cat "$work/build.status" 2>/dev/null || echo error)
vm_status=$(cat "$work/vm.status" 2>/dev/null || echo none)
seconds=$(cat "$work/seconds" 2>/dev/null || echo 0)
timing=$(jq -n --arg build "$(cat "$work/build.seconds" 2>/dev/null)" \
	--arg vm "$(cat "$work/vm.seconds" 2>/dev/null)" \
	'{build: ($build | tonumber? // null), vm: ($vm | tonumber? // null)}')
# A one-line header: "@@kcl NAME VALUE".
header() {
	awk -v want="$1" '$1 == "@@kcl" && $2 == want {print $3; exit}' \
		"$results" 2>/dev/null | tr -d '\r'
}
kernel=$(header begin)
ended=false
grep -q '^@@kcl end' "$results" 2>/dev/null && ended=true

warnings=$(grep -E ': warning:' "$work/build.log" 2>/dev/null || true)
declared=$(declared_tests)

if [[ $build_status != ok ]]; then
	jq -n --arg id "$lab_id" --arg title "$LAB_TITLE" --argjson tests "$declared" \
		--arg log "$(tail -n 60 "$work/build.log")" --arg warnings "$warnings" \
		--argjson seconds "$seconds" '
		{id: $id, title: $title, verdict: "build-error", points: 0,
		 max_points: 100, seconds: $seconds,
		 summary: "does not build: see the compiler output below",
		 build_log: $log, warnings: ($warnings | split("\n") | map(select(length > 0))),
		 tests: [$tests[] | . + {result: "fail", points: 0,
			message: "not run: the lab does not build"}],
		 kernel_log: ""}'
	exit 0
fi

tap=$(tap_results)
splats=$(lab_log | grep -E "$SPLAT" | head -n 20 || true)
tainted=$(header tainted)
stuck=$(section unload | awk '$1 == "left-loaded" && $3 == "stuck" {print $2}')

# Per-test kernel log for the tests that failed.
test_logs='{}'
for number in $(jq -r '.[] | select(.result == "fail") | .number' <<<"$tap"); do
	test_logs=$(jq --arg n "$number" --arg log "$(test_kernel_log "$number")" \
		'. + {($n): $log}' <<<"$test_logs")
done

case $vm_status in
0) outcome=$([[ $ended == true ]] && echo ended || echo crash) ;;
3) outcome=crash ;;
124) outcome=timeout ;;
*) outcome=vm-error ;;
esac
evidence=""
if [[ $outcome != ended ]]; then
	evidence=$(tail -n 40 "$console" 2>/dev/null || true)
fi

jq -n --arg id "$lab_id" --arg title "$LAB_TITLE" --arg kernel "$kernel" \
	--argjson declared "$declared" --argjson tap "$tap" \
	--argjson test_logs "$test_logs" --arg outcome "$outcome" \
	--arg splats "$splats" --arg tainted "${tainted:-}" --arg stuck "$stuck" \
	--arg warnings "$warnings" --arg evidence "$evidence" \
	--arg lab_log "$(lab_log | head -n "$LAB_LOG_LINES")" \
	--argjson clean_points "$CHECK_CLEAN_KERNEL_POINTS" \
	--argjson unload_points "$CHECK_UNLOAD_POINTS" \
	--argjson seconds "$seconds" --argjson timing "$timing" \
	--arg modules "$LAB_MODULES" '
	def not_run: if $outcome == "timeout" then "not run: the VM hit its time limit"
		elif $outcome == "crash" then "not run: the VM crashed"
		else "not run: no result" end;
	($tap | map({key: .name, value: .}) | from_entries) as $by_name
	| [$declared[] | . as $t | ($by_name[$t.name] // null) as $r
		| if $r == null then $t + {result: "fail", points: 0, message: not_run}
		  else $t + {result: $r.result, ms: $r.ms,
			points: (if $r.result == "pass" then $t.max_points else 0 end),
			message: (if $r.result == "fail" then
				($r.message + (if $r.note != "" then $r.note + "\n" else "" end))
				else "" end)}
			+ (if $r.result == "fail" and (($test_logs[$r.number | tostring] // "") != "")
				then {kernel_log: $test_logs[$r.number | tostring]} else {} end)
		  end] as $tests
	| (($tainted | tonumber? // 0) as $t | ($t - ($t % 16384)) + ($t % 4096)) as $bad_taint
	| ($outcome == "ended") as $ran
	| [{name: "kernel log stays clean (no Oops, BUG, WARNING or panic; no taint beyond O/E)",
		max_points: $clean_points,
		result: (if $ran and $splats == "" and $bad_taint == 0 then "pass" else "fail" end),
		message: (if ($ran | not) then not_run
			elif $splats != "" then "unexpected kernel messages:\n" + $splats
			elif $bad_taint != 0 then "kernel tainted: /proc/sys/kernel/tainted = " + $tainted
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
	| {id: $id, title: $title, kernel: $kernel,
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
	   kernel_log: $lab_log}
	+ (if $evidence != "" then {console_tail: $evidence} else {} end)'
