# shellcheck shell=bash
# shellcheck disable=SC2034 # the KCL_ variables are used by the scripts that source this
# Helpers shared by the vm/ and grader/ scripts. Source it; it sets nothing
# but variables prefixed KCL_ and functions prefixed kcl_.

KCL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KCL_BUILD=${BUILD_DIR:-$KCL_ROOT/build}

# Debian packages the kit needs on the host, one line each:
# "package  why". `make deps` installs them; every target checks them first.
KCL_HOST_PACKAGES=(
	"make           drives the kit"
	"gcc-12         builds modules (the kernel headers name gcc-12) and clients"
	"gcc            the gcc command (gcc-12 underneath) for the VM's programs"
	"libc6-dev      static user-space programs for the VM"
	"libcap-dev     run-as-user keeps or drops a capability (static libcap)"
	"libelf1        used by the kernel's build tools (modpost, objtool)"
	"libssl3        used by the kernel's build tools (sign-file)"
	"zlib1g         used by the kernel's build tools"
	"kmod           reads module metadata on the host (modinfo)"
	"cpio           packs the VM's initramfs"
	"xz-utils       unpacks compressed kernel modules"
	"qemu-system-x86 runs the lab VM"
	"busybox-static the VM's shell and tools"
	"bash-static    bash for bats inside the VM"
	"jq             writes the JSON report"
	"npm            fetches the pinned bats-core and its libraries"
	"ca-certificates lets npm reach its registry"
	"fakeroot       packs root-owned files and device nodes without root"
	"shellcheck     checks the kit's scripts (make test)"
	"patch          applies the mutants and fixtures (make test)"
	"pandoc         renders the lecture slides (make slides, make test)"
	"graphviz       renders the slide diagrams, slides/diagrams/*.dot (make slides, make test)"
	"fonts-dejavu-core the diagrams' font: the same SVG bytes on every host"
	"sparse         the advisory static check of the modules (__user mistakes)"
	"perl           runs the kernel's checkpatch.pl (advisory style report)"
)
# What the debug kernel (KERNEL=6.12-debug, vm/debug-kernel.sh) is built
# from and with; `make deps` installs these too.
KCL_DEBUG_PACKAGES=(
	"linux-source-6.12 the kernel's source, Debian's own patches applied"
	"bc             used by the kernel's build"
	"flex           used by the kernel's build (Kconfig)"
	"bison          used by the kernel's build (Kconfig)"
	"libelf-dev     objtool and the module build tools"
	"libssl-dev     the kernel's build tools (sign-file, certificates)"
	"binutils       addr2line names the source line of a leak (kmemleak)"
)
# What `make mutate` needs besides (grader/mutate/); `make deps` installs
# these too, and only make mutate checks them.
KCL_MUTATE_PACKAGES=(
	"coccinelle     spatch makes the mutants from the operators' semantic patches"
	"binutils       objcopy compares a mutant's objects with the solution's"
)

kcl_step() { printf '==> %s\n' "$*" >&2; }
kcl_warn() { printf 'warning: %s\n' "$*" >&2; }
kcl_die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# kcl_missing_packages LIST: the Debian packages of the list named LIST
# (KCL_HOST_PACKAGES, KCL_DEBUG_PACKAGES) that are not installed (one
# dpkg-query for all: every command of the kit checks them).
kcl_missing_packages() {
	local line pkgs=()
	local -n list=$1
	for line in "${list[@]}"; do
		pkgs+=("${line%% *}")
	done
	{ dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null || true; } |
		awk -v want="${pkgs[*]}" '$NF == "installed" { ok[$1] } END {
			n = split(want, pkg, " ")
			for (i = 1; i <= n; i++) if (!(pkg[i] in ok)) print pkg[i]
		}' |
		while read -r pkg; do
			# npm may come from outside Debian (e.g. a nodejs install)
			[[ $pkg == npm ]] && command -v npm >/dev/null && continue
			printf '%s\n' "$pkg"
		done
}

kcl_require_host() {
	local missing
	command -v dpkg-query >/dev/null ||
		kcl_die "this kit needs a Debian-based host (dpkg, apt-get)"
	missing=$(kcl_missing_packages KCL_HOST_PACKAGES | tr '\n' ' ')
	[[ -z $missing ]] && return 0
	kcl_die "missing Debian packages: ${missing% }
       install them with:  make deps
       (or: sudo apt-get install --no-install-recommends ${missing% })"
}

# Kernel series -> Debian package it comes from: the meta package naming the
# current cloud release, or the source the debug kernel is built from.
kcl_meta_package() {
	case $1 in
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	6.1) echo linux-image-cloud-amd64 ;;
	6.12-debug) echo linux-source-6.12 ;;
	*) kcl_die "unknown KERNEL=$1 (supported: 6.12, 6.1, 6.12-debug)" ;;
	esac
}

KCL_SERIES=${KERNEL:-6.12}
kcl_meta_package "$KCL_SERIES" >/dev/null
KCL_VM_DIR=$KCL_BUILD/vm/$KCL_SERIES
KCL_TOOLS_DIR=$KCL_BUILD/vm/tools
# the kernel's style checker (vm/checkpatch.sh)
KCL_CHECKPATCH=$KCL_TOOLS_DIR/checkpatch/checkpatch.pl

# Build outputs, kept under the hash of everything that went into them
# (grader/build.sh, grader/static.sh): grading again what did not change
# rebuilds nothing. `make clean` empties it.
KCL_CACHE_DIR=$KCL_BUILD/cache/$KCL_SERIES

# The compiler's version line, part of the key of every build step.
kcl_compiler_version() { gcc-12 --version | head -n 1; }

# kcl_kbuild_command COMPILER_VERSION: KCL_KBUILD, the command that runs
# Kbuild against the VM's kernel headers, with the outcomes of its
# compiler-option tests kept per compiler (try-run, see vm/kernel.sh): a
# module build then runs the compiler only for the module.
kcl_kbuild_command() {
	local tests
	tests=$KCL_CACHE_DIR/try-run-$(printf '%s' "$1" | sha256sum | cut -c1-16)
	mkdir -p "$KCL_CACHE_DIR"
	KCL_KBUILD=(make -s -C "$KCL_KDIR" KCL_TRY_RUN_CACHE="$tests")
}

# kcl_inputs_hash CONTEXT FILE...: a key for a build step, from a string
# (compiler, flags, kernel release) and the names and contents of its files.
kcl_inputs_hash() {
	local file
	{
		printf '%s\n' "$1"
		shift
		for file in "$@"; do
			printf '%s ' "${file##*/}"
			sha256sum <"$file"
		done
	} | sha256sum | cut -c1-32
}

# kcl_cache_store KEY FILE...: keep the files under KEY. Graders storing the
# same key at once: the first rename wins, the others drop their copy.
kcl_cache_store() {
	local key=$1 entry
	shift
	mkdir -p "$KCL_CACHE_DIR"
	entry=$(mktemp -d "$KCL_CACHE_DIR/.new.XXXXXX")
	cp "$@" "$entry/"
	mv -T "$entry" "$KCL_CACHE_DIR/$key" 2>/dev/null || rm -rf "$entry"
}

# Kbuild tests dozens of compiler options (try-run) in every build, each
# a compiler run: about 2 s of a module build. try-run is made to keep the
# outcomes in a file given by the grader (kcl_kbuild_command), one per
# compiler. kcl_cache_try_run FILE: patch try-run in FILE, the
# scripts/Makefile.compiler of a kernel build tree.
kcl_cache_try_run() {
	local file=$1
	if ! grep -q KCL_TRY_RUN_CACHE "$file"; then
		# shellcheck disable=SC1003,SC2016 # make's text, as it stands
		grep -qxF 'try-run = $(shell set -e;		\' "$file" ||
			kcl_die "${file#"$KCL_ROOT"/}: try-run changed; review kcl_cache_try_run in vm/common.sh"
	fi
	# again when vm/try-run.mk has changed since; graders preparing side by
	# side each write a copy of their own and rename it in place
	local new
	new=$(mktemp "$file.XXXXXX")
	awk -v cached="$KCL_ROOT/vm/try-run.mk" '
		/^try-run = / { skip = 1; while ((getline line < cached) > 0) print line }
		skip { if (/fi\)$/) skip = 0; next }
		{ print }' "$file" >"$new"
	if cmp -s "$new" "$file"; then
		rm "$new"
	else
		chmod 644 "$new"
		mv "$new" "$file"
	fi
}

# Set once `make vm` has run for the series: the release (uname -r) and the
# kernel build tree modules compile against.
kcl_load_vm() {
	[[ -f $KCL_VM_DIR/ready ]] ||
		kcl_die "the VM for KERNEL=$KCL_SERIES is not prepared; run:  make vm KERNEL=$KCL_SERIES"
	KCL_RELEASE=$(<"$KCL_VM_DIR/release")
	KCL_KDIR=$KCL_VM_DIR/root/usr/src/linux-headers-$KCL_RELEASE
	KCL_VMLINUZ=$KCL_VM_DIR/root/boot/vmlinuz-$KCL_RELEASE
	KCL_BASE_CPIO=$KCL_VM_DIR/base.cpio
}

# kcl_lab_source_names LAB_ID: the lab's own source files, one name a line:
# those of its skeleton, the only files taken from a submission.
kcl_lab_source_names() {
	local file
	for file in "$KCL_ROOT/skeletons/$1"/*.c "$KCL_ROOT/skeletons/$1"/*.h; do
		[[ -f $file ]] && printf '%s\n' "${file##*/}"
	done
	return 0
}

# Lab ids (one a line) from a list like "01 02-procfs all" (commas allowed).
kcl_lab_ids() {
	local want match
	for want in ${1//,/ }; do
		if [[ $want == all ]]; then
			for match in "$KCL_ROOT"/labs/[0-9]*/; do
				basename "$match"
			done
			continue
		fi
		match=("$KCL_ROOT"/labs/"$want"*/)
		[[ -d ${match[0]} ]] || kcl_die "LAB=$want: no such lab in labs/"
		basename "${match[0]}"
	done
}

# The folder of a submission: skeletons, solutions, or a path.
kcl_src_dir() {
	case $1 in
	skeletons | solutions) echo "$KCL_ROOT/$1" ;;
	*) (cd "$1" 2>/dev/null && pwd) || kcl_die "SRC=$1: no such folder" ;;
	esac
}

# The tests a lab declares, in order, as "NAME<TAB>POINTS" lines: POINTS is
# the "# points: N" line right above the @test, empty when there is none.
kcl_lab_tests() {
	kcl_bats_tests "$1"/tests/*.bats
}

# The test files a lab runs in the VM, as "SOURCE<TAB>NAME<TAB>KIND" lines:
# its own tests/*.bats (KIND public), then an instructor's hidden ones
# (EXTRA_TESTS=DIR, with DIR/NN-name/*.bats; KIND hidden), named
# hidden-*.bats in the VM.
kcl_lab_test_files() {
	local file
	for file in "$1"/tests/*.bats; do
		printf '%s\t%s\tpublic\n' "$file" "${file##*/}"
	done
	for file in "${EXTRA_TESTS:-/nonexistent}/${1##*/}"/*.bats; do
		[[ -f $file ]] && printf '%s\t%s\thidden\n' "$file" "hidden-${file##*/}"
	done
	return 0
}

# kcl_check_hidden_tests DIR: what is wrong with an instructor's hidden
# tests (DIR/NN-name/*.bats), one line per problem naming the file and the
# test; nothing when they are fine. A test without "# points: N" would
# count nothing, and a file bash cannot parse would fail in the VM with no
# test to charge; both are the instructor's to fix, before any grading.
# The syntax check reads each "@test ... {" line as a function's head, as
# bats itself does, so bash's line numbers are the file's.
kcl_check_hidden_tests() {
	local file
	for file in "$1"/[0-9][0-9]-*/*.bats; do
		[[ -f $file ]] || continue
		grep -q '^@test ' "$file" || echo "$file: no @test in it"
		awk -v file="$file" '
			/^# points: [0-9]+ *$/ { points = 1; next }
			/^@test / {
				if ($0 !~ /^@test +".*" *\{ *$/)
					print file ":" NR ": not a bats test line: " $0
				else if (!points) {
					name = $0
					sub(/^@test +/, "", name)
					sub(/ *\{ *$/, "", name)
					print file ":" NR ": test " name " has no \"# points: N\" line above it"
				}
				points = 0
			}' "$file"
		sed -E 's/^@test .*\{ *$/kcl_hidden_test() {/' "$file" |
			bash -n 2>&1 | sed "s|^bash: line |$file:|"
	done
	return 0
}

# The tests of bats files, in the same form.
kcl_bats_tests() {
	awk '
		/^# points: [0-9]+ *$/ { points = $3; next }
		/^@test / {
			name = $0
			sub(/^@test +"/, "", name)
			sub(/" *\{ *$/, "", name)
			print name "\t" points
			points = ""
		}' "$@"
}

# kcl_jobs_max N: how many jobs at a time: N (JOBS, --jobs), or one per
# core when N is empty; anything but a positive number is an error.
kcl_jobs_max() {
	local jobs=${1:-$(nproc)}
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || kcl_die "JOBS=$jobs: not a number of jobs"
	echo "$jobs"
}

# kcl_wait_for_slot MAX: wait until fewer than MAX background jobs of the
# calling shell run.
kcl_wait_for_slot() {
	while (($(jobs -rp | wc -l) >= $1)); do
		wait -n || true
	done
}

# Milliseconds since the epoch, for durations in reports.
kcl_now_ms() { date +%s%3N; }
# Seconds (one decimal) since a kcl_now_ms time.
kcl_elapsed() {
	awk -v ms=$(($(kcl_now_ms) - $1)) 'BEGIN { printf "%.1f\n", ms / 1000 }'
}

# KVM when the CPU advertises vmx/svm and /dev/kvm opens, else TCG;
# ACCEL=kvm|tcg overrides.
kcl_detect_accel() {
	if grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null &&
		{ : <>/dev/kvm; } 2>/dev/null; then
		echo kvm
	else
		echo tcg
	fi
}

case ${ACCEL:-auto} in
auto) KCL_ACCEL=$(kcl_detect_accel) ;;
tcg) KCL_ACCEL=tcg ;;
kvm)
	[[ $(kcl_detect_accel) == kvm ]] ||
		kcl_die "ACCEL=kvm, but KVM is not usable here (no vmx/svm flag, or /dev/kvm does not open); use ACCEL=tcg"
	KCL_ACCEL=kvm
	;;
*) kcl_die "unknown ACCEL=$ACCEL (use kvm or tcg)" ;;
esac
# vCPUs of the lab VM: two, so that code missing a lock can lose updates.
KCL_VM_CPUS=${VM_CPUS:-2}
[[ $KCL_VM_CPUS =~ ^[1-9][0-9]?$ ]] || kcl_die "VM_CPUS=$KCL_VM_CPUS: not a number of CPUs"
# kcl_time_scale SERIES: time limits in lab.conf are for KVM; software
# emulation is this much slower, and the debug kernel's checkers (KASAN,
# lockdep, a kmemleak scan per test) slow it down by as much again, more
# on a busy host.
kcl_time_scale() {
	local scale=4
	[[ $KCL_ACCEL != kvm ]] || scale=1
	[[ $1 != *-debug ]] || scale=$((scale * 4))
	echo "$scale"
}
KCL_TIME_SCALE=$(kcl_time_scale "$KCL_SERIES")
