#!/usr/bin/env bash
# Sourced by slides/render.sh and slides/diagrams.sh: their messages, and
# the options they share (--out DIR, --check, --help, then names).
# shellcheck disable=SC2034 # the variables set here are the caller's

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# usage: the comment of the script run, from "# usage:" to "# 2 on bad usage"
usage() {
	sed -n '/^# usage:/,/^# 2 on bad usage/s/^# \{0,1\}//p' "$0"
}

bad_usage() {
	printf '%s: %s\n' "$(basename "$0")" "$1" >&2
	usage >&2
	exit 2
}

# A path shown relative to the repository ($root) when it is inside it.
show_path() {
	printf '%s\n' "${1#"$root"/}"
}

# parse_options ARG...: sets check (true/false), out_dir (when --out is
# given; the caller sets its default first) and args (the other
# arguments). --check renders into a temporary folder: no --out with it.
parse_options() {
	local out_given=false
	check=false
	args=()
	while (($#)); do
		case $1 in
		--out)
			(($# >= 2)) || bad_usage "--out needs a folder"
			out_dir=$2
			out_given=true
			shift 2
			;;
		--out=*)
			out_dir=${1#--out=}
			out_given=true
			shift
			;;
		--check)
			check=true
			shift
			;;
		-h | --help)
			usage
			exit 0
			;;
		--)
			shift
			args+=("$@")
			break
			;;
		-*) bad_usage "unknown option $1" ;;
		*)
			args+=("$1")
			shift
			;;
		esac
	done
	[[ $check == true && $out_given == true ]] &&
		bad_usage "--check renders into a temporary folder: no --out with it"
	[[ -n $out_dir ]] || bad_usage "--out needs a folder"
}
