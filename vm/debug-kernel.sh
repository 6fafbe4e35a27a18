#!/usr/bin/env bash
# The debug kernel (KERNEL=6.12-debug): built from Debian's linux-source-6.12
# with `make tinyconfig` plus vm/debug-kernel.config, laid out under
# build/vm/6.12-debug/root like an unpacked cloud kernel (boot/vmlinuz-REL,
# usr/src/linux-headers-REL: the build tree itself, after modules_prepare,
# which the labs' modules compile against). Called by vm/kernel.sh.
#
# Cached: the build is kept under the key of what it is made from (the
# source package's version, the fragment, BUILD_STEPS below) and done again
# only when one of them changes. One line per stage, with the time elapsed;
# the long compile prints a line a minute. Runs niced. Graders preparing
# side by side wait for the one that builds.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"

# The version of the steps below that shape the kernel (the source changes,
# the make targets): one more when they change, so that caches rebuild.
BUILD_STEPS=2
fragment=$KCL_ROOT/vm/debug-kernel.config
source_package=$(kcl_meta_package "$KCL_SERIES")
tree=$KCL_VM_DIR/src/linux
log=$KCL_VM_DIR/build.log
start=$(kcl_now_ms)

stage() { kcl_step "debug kernel: $* ($(kcl_elapsed "$start") s)"; }

missing=$(kcl_missing_packages KCL_DEBUG_PACKAGES | tr '\n' ' ')
[[ -z $missing ]] || kcl_die "the debug kernel needs Debian packages that are missing: ${missing% }
       install them with:  make deps"
tarball=$(dpkg-query -L "$source_package" | grep -m 1 -E '/linux-source-[0-9.]+\.tar\.xz$') ||
	kcl_die "$source_package has no source tarball; reinstall it:  apt-get install --reinstall $source_package"
version=$(dpkg-query -W -f '${Version}' "$source_package")
key=$(kcl_inputs_hash "$source_package $version|steps $BUILD_STEPS" "$fragment")

built() { [[ -f $KCL_VM_DIR/root/.unpacked && $(<"$KCL_VM_DIR/key") == "$key" ]]; }
if ! built; then
	mkdir -p "$KCL_VM_DIR"
	exec {lock}>"$KCL_VM_DIR/build.lock"
	if ! flock -n "$lock"; then
		kcl_step "debug kernel: another grader is building it; waiting for it"
		flock "$lock"
	fi
fi
if built; then
	kcl_cache_try_run "$tree/scripts/Makefile.compiler"
	exit 0
fi

# run_stage WHAT COMMAND...: a build step, its output in build.log; on failure,
# the step and the log's last lines.
run_stage() {
	local what=$1
	shift
	printf '\n==> %s: %s\n' "$what" "$*" >>"$log"
	"$@" >>"$log" 2>&1 || {
		tail -n 25 "$log" >&2
		kcl_die "debug kernel: $what failed; the whole log: ${log#"$KCL_ROOT"/}"
	}
}

kcl_step "debug kernel: building it from $source_package $version (once; about 10 minutes on 2 cores, more under load)"
rm -rf "$KCL_VM_DIR/root" "$KCL_VM_DIR/src" "$KCL_VM_DIR/key" "$KCL_VM_DIR/ready"
mkdir -p "$KCL_VM_DIR/src"
: >"$log"
stage "unpacking ${tarball##*/}"
run_stage "unpacking the source" tar -xf "$tarball" -C "$KCL_VM_DIR/src"
mv "$KCL_VM_DIR"/src/linux-source-* "$tree"

# Two changes to kmemleak, for scans right after a module's unload
# (grader/guest/kmemleak-module). It reports an object only once it is 5 s
# old: a test that loads and unloads a module takes less. And it spares an
# object whose contents changed since the last scan (its checksum), so that
# a new object needs two scans to be reported: under emulation a scan takes
# seconds. The judge counts only leaks allocated by a lab module, which
# nothing changes once the module is gone.
patch_kmemleak() {
	local from=$1 to=$2
	grep -qF -- "$from" "$tree/mm/kmemleak.c" ||
		kcl_die "debug kernel: mm/kmemleak.c has no line '$from'; review vm/debug-kernel.sh"
	sed -i "s/$(printf '%s' "$from" | sed 's/[][\\/.*^$&]/\\&/g')/$(printf '%s' "$to" | sed 's/[\\/&]/\\&/g')/" \
		"$tree/mm/kmemleak.c"
}
patch_kmemleak '#define MSECS_MIN_AGE		5000' '#define MSECS_MIN_AGE		0'
patch_kmemleak '&& update_checksum(object) && get_object(object)) {' \
	'&& false && update_checksum(object) && get_object(object)) {'

stage "configuring (tinyconfig + ${fragment#"$KCL_ROOT"/})"
kmake=(nice -n 19 make -C "$tree" -j"$(nproc)")
run_stage "tinyconfig" "${kmake[@]}" tinyconfig
run_stage "merging the fragment" "$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" \
	"$tree/.config" "$fragment"
run_stage "olddefconfig" "${kmake[@]}" olddefconfig
# every line of the fragment must hold after Kconfig's dependencies
dropped=$(grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "$fragment" |
	grep -vxF -f "$tree/.config" || true)
[[ -z $dropped ]] || kcl_die "debug kernel: Kconfig did not take these lines of ${fragment#"$KCL_ROOT"/} (a missing dependency):
$dropped"

stage "compiling bzImage and modules_prepare (a line a minute)"
(
	while sleep 60; do
		kcl_step "debug kernel: compiling, $(grep -c '^  CC ' "$log") files so far ($(kcl_elapsed "$start") s)"
	done
) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT
run_stage "compiling" "${kmake[@]}" bzImage modules_prepare
kill "$ticker" 2>/dev/null || true

release=$(make -s -C "$tree" kernelrelease)
# An external module's build reads the kernel's exported symbols from
# Module.symvers; a kernel built without modules has them in vmlinux.symvers.
cp "$tree/vmlinux.symvers" "$tree/Module.symvers"
mkdir -p "$KCL_VM_DIR/root/boot" "$KCL_VM_DIR/root/usr/src"
cp "$tree/arch/x86/boot/bzImage" "$KCL_VM_DIR/root/boot/vmlinuz-$release"
ln -s ../../../src/linux "$KCL_VM_DIR/root/usr/src/linux-headers-$release"
kcl_cache_try_run "$tree/scripts/Makefile.compiler"
printf '%s\n' "$release" >"$KCL_VM_DIR/release"
printf '%s\n' "$key" >"$KCL_VM_DIR/key"
# what the build cost, for make bench
printf '%s %s\n' "$(kcl_elapsed "$start")" "$(date -u +%Y-%m-%d)" >"$KCL_VM_DIR/build.seconds"
touch "$KCL_VM_DIR/root/.unpacked"
stage "built $release"
