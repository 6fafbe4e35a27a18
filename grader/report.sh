#!/usr/bin/env bash
# Render grading results.
#
#   grader/report.sh lab LAB.json         one lab: verdict line, then what failed
#   grader/report.sh summary REPORT.json  the table of all graded labs
#   grader/report.sh junit REPORT.json    JUnit XML (stdout)
#   grader/report.sh markdown REPORT.json GitHub-flavoured Markdown (stdout), e.g.
#                                         for a CI job summary
set -euo pipefail

mode=$1 file=$2

case $mode in
lab)
	jq -r --arg file "$file" '
	def indent($n): split("\n") | map(select(length > 0) | ($n * " ") + .) | join("\n");
	# a long message keeps its first lines, the lines bats-assert marks
	# with ">" (the cause) and their neighbours, and its last lines
	def brief($n): split("\n") as $l | ($l | length) as $len
		| if $len <= $n then . else
		  [range(0; $len) | . as $i | select($i < $n - 10 or $i >= $len - 3
			or any($l[([$i - 1, 0] | max):($i + 2)][]; startswith(">")))]
		  | reduce .[] as $i ({prev: -1, out: []};
			(if $i > .prev + 1
			 then .out += ["[... \($i - .prev - 1) lines cut: the whole message is in \($file)]"]
			 else . end)
			| .out += [$l[$i]] | .prev = $i)
		  | .out | join("\n") end;
	"[\(.id)] \(.verdict | ascii_upcase)  \(.points)/\(.max_points) points  \(.seconds)s  \(.summary)",
	(if (.warnings | length) > 0 then
		"   compiler warnings (\(.warnings | length)):\n" + (.warnings[:10] | join("\n") | indent(5))
	 else empty end),
	(if ((.static.sparse // []) + (.static.checkpatch // []) | length) > 0 then
		"   static checks (advisory, no points): sparse \(.static.sparse | length), checkpatch \(.static.checkpatch | length)\n"
		+ (.static.sparse[:5] + .static.checkpatch[:5] | join("\n") | indent(5))
	 else empty end),
	(if .verdict == "build-error" then .build_log | indent(5) else empty end),
	(.tests[] | select(.result == "fail" or .kernel_event) |
		(if .result == "fail" then "   FAIL \(if .hidden then "(hidden) " else "" end)\(.name)  (0/\(.max_points))"
		 else "   \(.result | ascii_upcase) \(.name)  (\(.points)/\(.max_points))" end),
		(.message | brief(30) | indent(7) | select(length > 0)),
		(if .kernel_event and (.kernel_report | not) then .kernel_event | indent(7)
		 else empty end),
		(if .kernel_log and .result == "fail" then "       kernel log during this test:\n" + (.kernel_log | indent(9))
		 else empty end)),
	(if .console_tail then "   last lines of the kernel console:\n" + (.console_tail | indent(5))
	 else empty end)' "$file"
	;;
summary)
	jq -r '
	"",
	"Summary (kernel \(.kernel), \(.accel), source \(.src))",
	(.labs[] | "  \(.id | . + (" " * (14 - length)))  \(.verdict | . + (" " * (12 - length)))  \(.points)/\(.max_points)  \(.seconds)s"),
	"  total: \(.points)/\(.max_points) points in \(.seconds)s"' "$file"
	printf '  reports: %s, %s\n' "$file" "${file%.json}.xml"
	;;
markdown)
	# Student output (test messages, logs) goes into fenced code blocks, each
	# fence longer than any run of backticks in its text; other text is escaped.
	jq -r '
	def clean: tostring | gsub("[\u0000-\u0008\u000b-\u001f\u007f]"; "");
	def html: clean | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;");
	def inline: html | gsub("\\s+"; " ") | gsub("(?<c>[\\\\`*_~\\[\\]|#!$])"; "\\\(.c)");
	def cap($n): if length > $n then .[:$n] + "\n[... cut here: the whole text is in report.json]" else . end;
	def fenced: (clean | cap(3000) | sub("\n+\\z"; "")) as $text
		| ([$text | scan("`+") | length] | max // 0) as $run
		| ("`" * ([3, $run + 1] | max)) as $fence
		| $fence + "text", $text, $fence, "";
	def mark: if . == "pass" then "\u2705" else "\u274c" end;
	"## \(if all(.labs[]; .verdict == "pass") then "pass" else "fail" end | mark) Grade: \(.points)/\(.max_points) points",
	"",
	"Kernel \(.kernel | inline), accelerator \(.accel | inline)"
		+ (if .accel == "tcg" then " (software emulation, time limits x4)" else "" end)
		+ ", source \(.src | inline), \(.seconds) s.",
	"",
	"| lab | title | verdict | points | seconds |",
	"|---|---|---|--:|--:|",
	(.labs[] | "| \(.id | inline) | \(.title | inline) | \(.verdict | mark) \(.verdict | inline) | \(.points)/\(.max_points) | \(.seconds) |"),
	(.labs[] | select(.verdict != "pass") |
		"",
		"<details><summary><b>\(.id | html)</b>: \(.verdict | html), \(.points)/\(.max_points) points: \(.summary | html)</summary>",
		"",
		(if (.warnings // []) | length > 0 then
			"Compiler warnings (\(.warnings | length)):", (.warnings[:10] | join("\n") | fenced)
		 else empty end),
		(if .build_log then "Compiler output:", (.build_log | fenced) else empty end),
		(if .console_tail then "Last lines of the kernel console:", (.console_tail | fenced) else empty end),
		(.tests[] | select(.result == "fail") |
			"\u274c **\(.name | inline)** (0/\(.max_points) points)",
			"",
			(if (.message // "") != "" then .message | fenced else empty end),
			(if (.kernel_log // "") != "" then "Kernel log during this test:", (.kernel_log | fenced)
			 else empty end)),
		"</details>")' "$file"
	;;
junit)
	jq -r '
	def xml: tostring | gsub("[\u0000-\u0008\u000b\u000c\u000e-\u001f]"; "") | @html;
	def attr: "\"" + xml + "\"";
	[.labs[].tests[]] as $all
	| "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	"<testsuites name=\"kernel-comm-labs\" tests=\"\($all | length)\" failures=\"\($all | map(select(.result == "fail")) | length)\" time=\"\(.seconds)\">",
	(.labs[] |
		"  <testsuite name=\(.id | attr) tests=\"\(.tests | length)\" failures=\"\(.tests | map(select(.result == "fail")) | length)\" skipped=\"\(.tests | map(select(.result == "skip")) | length)\" time=\"\(.seconds)\">",
		"    <properties><property name=\"verdict\" value=\(.verdict | attr)/><property name=\"points\" value=\"\(.points)/\(.max_points)\"/></properties>",
		(.id as $lab | .tests[] |
			"    <testcase classname=\($lab | attr) name=\(.name | attr) time=\"\((.ms // 0) / 1000)\">"
			+ (if .result == "fail" then
				"<failure message=\(.message | split("\n")[0] | attr)>\(.message + (.kernel_log // "") | xml)</failure>"
			   elif .result == "skip" then "<skipped/>"
			   else "" end)
			+ "</testcase>"),
		(if .build_log then "    <system-out>\(.build_log | xml)</system-out>" else empty end),
		"  </testsuite>"),
	"</testsuites>"' "$file"
	;;
*)
	echo "usage: grader/report.sh lab|summary|markdown|junit FILE" >&2
	exit 2
	;;
esac
