#!/usr/bin/env bash
# `make deps`: install the Debian packages the kit needs on the host.
set -euo pipefail
# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"

command -v apt-get >/dev/null || kcl_die "this kit needs a Debian-based host (apt-get)"
sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || kcl_die "run make deps as root, or install sudo"
	sudo=(sudo)
fi
missing=$({
	kcl_missing_packages KCL_HOST_PACKAGES
	kcl_missing_packages KCL_DEBUG_PACKAGES
	kcl_missing_packages KCL_MUTATE_PACKAGES
} | sort -u | tr '\n' ' ')
missing=${missing% }
# The kernel packages are fetched later by name: apt must know them.
lists_known=true
apt-cache show --no-all-versions "$(kcl_meta_package 6.12)" >/dev/null 2>&1 ||
	lists_known=false
export DEBIAN_FRONTEND=noninteractive
if [[ -n $missing || $lists_known == false ]]; then
	kcl_step "refreshing the package lists (apt-get update)"
	"${sudo[@]}" apt-get update -q
fi
if [[ -z $missing ]]; then
	kcl_step "all Debian packages the kit needs are installed"
	exit 0
fi
kcl_step "installing: $missing"
# shellcheck disable=SC2086 # one word per package
"${sudo[@]}" apt-get install -y -q --no-install-recommends $missing
