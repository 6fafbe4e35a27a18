#!/usr/bin/env bats
# Hidden tests an instructor got wrong (grader/tests/run.sh): an "if"
# without its "fi", so bash cannot parse the file, and the grader says
# where.

# points: 5
@test "hidden: an unfinished if" {
	if true; then
		echo yes
}
