#!/usr/bin/env bats
# Hidden tests an instructor got wrong (grader/tests/run.sh): the second
# test has no points line, so the grader refuses to grade and names it.

# points: 5
@test "hidden: loading works" {
	insmod "$(module_file hello)"
}

@test "hidden: a test without points" {
	true
}
