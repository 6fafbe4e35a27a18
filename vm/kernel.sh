#!/usr/bin/env bash
# Fetch the Debian cloud kernel of one series and its matching headers, and
# unpack them under build/vm/<series>/root. Nothing is installed on the host:
# the packages are downloaded with `apt-get download` and unpacked with
# `dpkg-deb -x`. Idempotent: a prepared series is left as it is.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"

# The value of field $2 of package $1 (the candidate version).
package_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n 1
}

# Dependency names of package $1 that match the pattern $2.
package_deps_matching() {
	package_field "$1" Depends | tr ',' '\n' |
		sed -E 's/^ *([^ |]+).*/\1/' | grep -E "$2" || true
}

# The debug kernel is built from source, not fetched.
[[ $KCL_SERIES != *-debug ]] || exec "$KCL_ROOT/vm/debug-kernel.sh"

# the headers' copy of Kbuild's compiler tests (kcl_cache_try_run)
try_run_file() {
	echo "$KCL_VM_DIR"/root/usr/src/linux-headers-*-common/scripts/Makefile.compiler
}
if [[ -f $KCL_VM_DIR/root/.unpacked ]]; then
	kcl_cache_try_run "$(try_run_file)"
	exit 0
fi

meta=$(kcl_meta_package "$KCL_SERIES")
image=$(package_deps_matching "$meta" '^linux-image-[0-9]')
[[ -n $image ]] || kcl_die "apt does not know $meta; refresh the package lists with:  make deps"
release=${image#linux-image-}
version=$(package_field "$image" Version)
headers=linux-headers-$release
helpers=$(package_deps_matching "$headers" '^linux-(headers-.*-common|kbuild-)')
[[ -n $helpers ]] || kcl_die "apt does not know $headers; refresh the package lists with:  make deps"

kcl_step "kernel $KCL_SERIES: downloading $release (Debian $version)"
debs=$KCL_VM_DIR/debs
rm -rf "$debs" "$KCL_VM_DIR/root"
mkdir -p "$debs"
pkgs=("$image=$version" "$headers=$version")
for helper in $helpers; do
	pkgs+=("$helper=$version")
done
(cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "${pkgs[@]}") >&2 ||
	kcl_die "apt-get download failed for: ${pkgs[*]}"

kcl_step "kernel $KCL_SERIES: unpacking into ${KCL_VM_DIR#"$KCL_ROOT"/}/root"
root=$KCL_VM_DIR/root
for deb in "$debs"/*.deb; do
	dpkg-deb -x "$deb" "$root"
done

# The headers' Makefile includes the common part by absolute path; point it at
# the unpacked copy. Without vmlinux, Kbuild skips the BTF step (and pahole).
kdir=$root/usr/src/linux-headers-$release
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
rm -f "$kdir/vmlinux"
[[ -f $root/boot/vmlinuz-$release ]] || kcl_die "no vmlinuz in $image"
rm -rf "$debs" "$root/usr/share/doc"
kcl_cache_try_run "$(try_run_file)"
printf '%s\n' "$release" >"$KCL_VM_DIR/release"
touch "$root/.unpacked"
