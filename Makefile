# kernel-comm-labs: the front door. `make help` lists what it does.
#
# Variables (all optional):
#   LAB=01|01-hello|"01 02"|all   labs to grade or boot (default: all)
#   SRC=skeletons|solutions|DIR   the code to grade (default: skeletons)
#   KERNEL=6.12|6.1|6.12-debug    kernel series of the VM (default: 6.12;
#                                 make test: all three); 6.12-debug is
#                                 built once from source, with KASAN,
#                                 kmemleak, lockdep and more
#   VM_CPUS=N                     vCPUs of the lab VM (default: 2)
#   ACCEL=kvm|tcg                 accelerator (default: kvm when usable)
#   EXTRA_TESTS=DIR               hidden tests, DIR/NN-name/*.bats (grade,
#                                 boot, mutate)
#   SUBMISSIONS=DIR               one folder per student (grade-class)
#   MUTANT="NAME..." RUNS=N       mutants of labs/NN-name/mutants/ and runs
#                                 of each (catch-rate; default 20)
#   JOBS=N                        labs (grade), submissions (grade-class) or
#                                 mutants (mutate) graded at a time
#                                 (default: one per core)
#   SURVIVORS_OF=SERIES           mutate: grade only what the last run on
#                                 SERIES did not kill (e.g. KERNEL=6.12-debug
#                                 SURVIVORS_OF=6.12)

SHELL := /bin/bash
LAB ?= all
SRC ?= skeletons
export LAB SRC KERNEL ACCEL VM_CPUS EXTRA_TESTS SUBMISSIONS SURVIVORS_OF

.DEFAULT_GOAL := help
.PHONY: help deps vm grade grade-class boot test catch-rate mutate skeletons slides bench clean

help:
	@echo "kernel-comm-labs: labs on how user space and the Linux kernel talk"
	@echo
	@echo "  make deps                 install the Debian packages the kit needs (once, uses sudo)"
	@echo "  make grade [LAB=01]       build, boot and test labs; report in build/report.{json,xml}"
	@echo "                            (another SRC: in build/graded-NAME/)"
	@echo "        [SRC=skeletons|solutions|DIR] [KERNEL=6.12|6.1|6.12-debug]"
	@echo "        [ACCEL=kvm|tcg] [VM_CPUS=N] [JOBS=N]"
	@echo "        [EXTRA_TESTS=DIR]         add an instructor's hidden tests (DIR/NN-name/*.bats)"
	@echo "  make grade-class SUBMISSIONS=DIR  grade every submission folder in DIR, in parallel;"
	@echo "                            gradebook in build/class/gradebook.csv"
	@echo "  make boot LAB=01          a shell in the lab VM with the lab's modules in /lab"
	@echo "  make vm [KERNEL=6.12]     fetch the kernel and build the VM image (grade does it too);"
	@echo "                            KERNEL=6.12-debug builds the debug kernel (once, ~10 min)"
	@echo "  make test                 the kit's own tests (solutions, skeletons, mutants, lint)"
	@echo "  make catch-rate LAB=NN MUTANT=NAME [RUNS=20]"
	@echo "                            how often a mutant's test catches it (racy mutants)"
	@echo "  make mutate [LAB=01] [KERNEL=...] [EXTRA_TESTS=DIR] [JOBS=N]"
	@echo "                            mutation score: mechanical mutants of the solutions, graded;"
	@echo "                            table and survivors in build/mutate/SERIES/; SURVIVORS_OF=6.12"
	@echo "                            grades only what the last 6.12 run did not kill"
	@echo "  make bench                time grading against a bare VM boot (medians, ratios, floors)"
	@echo "  make slides               render the diagrams (slides/diagrams/*.dot -> .svg) and the"
	@echo "                            lecture slides to build/slides/*.html"
	@echo "  make skeletons            regenerate skeletons/ from solutions/ (kit maintainers)"
	@echo "  make clean                remove build/"
	@echo
	@echo "Students: edit skeletons/NN-name/, then  make grade LAB=NN"
	@echo "Details: README.md, labs/NN-name/README.md, grader/README.md, vm/README.md"

deps:
	@vm/deps.sh

vm:
	@vm/prepare.sh

grade:
	@grader/grade

grade-class:
	@grader/grade-class

boot:
	@grader/boot.sh

test:
	@grader/tests/run.sh

skeletons:
	@grader/skeletons.sh

slides:
	@slides/render.sh

catch-rate:
	@grader/tests/catch-rate --runs "$(or $(RUNS),20)" "$(LAB)" $(MUTANT)

mutate:
	@grader/mutate/mutate

bench:
	@grader/bench.sh

clean:
	rm -rf build
