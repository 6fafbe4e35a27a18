# shellcheck shell=bash
# Naming the student's code in a kernel report after the module is gone.
# Sourced by grader/judge.sh.
#
# A report about a module that is still loaded names its functions
# ("ctx_write+0x45/0x90 [procfs_lab]"); one that comes after the module was
# unloaded (a kmemleak leak, found by the scan at the end of a run on the debug
# kernel) has only raw addresses ("0xffffffffc0201a4b"). The guest
# writes where each section of a lab module was loaded to the kernel log at
# insmod (grader/guest/kmemleak-module: "kcl: module NAME TOKEN loaded at
# .text ADDRESS .init.text ADDRESS ..."), and grader/build.sh keeps each
# module with its debug info (WORK/symbols/NAME.ko.debug): addr2line turns an
# address back into a function and a line of the student's source.

# symbol_map SYMBOLS_DIR TOKEN: from the kernel log (stdin), one line per
# loaded section: "START END MODULE SECTION", the addresses in hex without
# 0x, the latest load first (the debug kernel looks for leaks once the
# tests are over: a leak may come from any load of the module, and one
# that landed elsewhere still names its functions).
symbol_map() {
	local dir=$1 token=$2 name section start
	local -A size_of=()
	while read -r name section start; do
		[[ -f $dir/$name.ko.debug ]] || continue
		[[ -v "size_of[$name $section]" ]] ||
			size_of[$name $section]=$(readelf -S -W "$dir/$name.ko.debug" 2>/dev/null |
				awk -v s="$section" '{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == s { print $5; exit }')
		[[ -n ${size_of[$name $section]} ]] || continue
		start=${start#0x}
		printf '%s %x %s %s\n' "$start" $((16#$start + 16#${size_of[$name $section]})) "$name" "$section"
	done < <(awk -v tok="$token" '
		match($0, "kcl: module [A-Za-z0-9_]+ " tok " loaded at") {
			n = split(substr($0, RSTART), w, " ")
			for (i = 7; i < n; i += 2) print w[3], w[i], w[i + 1]
		}' | tac | awk '!seen[$0]++')
}

# symbolize_log SYMBOLS_DIR TOKEN: the kernel log (stdin) with each raw
# address that falls in a loaded lab module followed by " (FUNCTION at
# FILE:LINE)"; unchanged, and with no process started, when no line has
# one.
symbolize_log() {
	local dir=$1 token=$2 log map start end name section address names
	log=$(cat)
	if [[ ! -d $dir ]] || ! grep -qE '(^|[^+/x0-9a-f])0xffffffff[0-9a-f]{8}($|[^0-9a-f/])' <<<"$log"; then
		printf '%s\n' "$log"
		return 0
	fi
	map=$(symbol_map "$dir" "$token" <<<"$log")
	# "ADDRESS<TAB>NAME" for every raw address in a module's section
	names=$(grep -oE '0xffffffff[0-9a-f]{8}' <<<"$log" | sort -u |
		while read -r address; do
			while read -r start end name section; do
				[[ -n $start ]] || continue
				((16#${address#0x} >= 16#$start && 16#${address#0x} < 16#$end)) || continue
				# a backtrace holds return addresses: the call is the
				# byte before; of the functions inlined there, the first
				# in a .c file is the lab's own
				printf '%s\t%s [%s]\n' "$address" "$(addr2line -f -i -p -e "$dir/$name.ko.debug" \
					-j "$section" "$(printf '0x%x' $((16#${address#0x} - 16#$start - 1)))" |
					sed 's/^ *(inlined by) //; s| at .*/| at |' |
					awk '/ at [^ ]*\.c:/ { print; found = 1; exit } NR == 1 { first = $0 }
						END { if (!found) print first }')" "$name"
				break
			done <<<"$map"
		done)
	[[ -n $names ]] || {
		printf '%s\n' "$log"
		return 0
	}
	awk -F '\t' 'NR == FNR { name[$1] = $2; next }
		# the load markers keep their addresses bare
		/kcl: module [A-Za-z0-9_]+ [0-9a-z]+ loaded at/ { print; next }
		{
			out = ""
			rest = $0
			# mawk has no {8}
			while (match(rest, /0xffffffff[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]/)) {
				a = substr(rest, RSTART, RLENGTH)
				out = out substr(rest, 1, RSTART + RLENGTH - 1)
				if (a in name) out = out " (" name[a] ")"
				rest = substr(rest, RSTART + RLENGTH)
			}
			print out rest
		}' <(printf '%s\n' "$names") - <<<"$log"
}
