#!/usr/bin/env bash
# Render the lecture decks, slides/NN-name.md, to HTML slide shows with
# pandoc (its built-in dzslides format). Each deck becomes one
# self-contained file: styles, scripts and diagrams are inside it, nothing
# is fetched from the network, and it opens offline in any browser.
#
# First it renders the diagrams, slides/diagrams/*.dot, to their committed
# SVGs with slides/diagrams.sh (not with --check: that one uses the SVGs as
# committed; `make test` checks them with slides/diagrams.sh --check).
#
# usage: slides/render.sh [--out DIR] [DECK...]
#        slides/render.sh --check [DECK...]
#
#   DECK       slides/03-sysfs.md, 03-sysfs or 03 (default: every
#              slides/NN-*.md)
#   --out DIR  where the HTML files go (default: build/slides in the
#              repository, or $BUILD_DIR/slides when BUILD_DIR is set)
#   --check    render into a temporary folder, check that each output is a
#              complete HTML file with one slide per heading of its deck (at
#              least 10), a title slide and no external script or
#              stylesheet, then remove the folder
#
# Exits 1 when pandoc is missing, a deck fails to render or a check fails,
# 2 on bad usage.
set -euo pipefail

slides_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$slides_dir")
# fewer slides than this in a deck is a sign that its headings went wrong
min_slides=10

# shellcheck source=slides/common.sh
. "$slides_dir/common.sh"

# resolve_deck ARG: the deck file ARG names (a path, NN-name[.md] or NN).
resolve_deck() {
	local arg=$1 name matches
	if [[ -f $arg && $arg == *.md ]]; then
		(cd "$(dirname "$arg")" && printf '%s/%s\n' "$(pwd)" "$(basename "$arg")")
		return
	fi
	name=$(basename "$arg" .md)
	if [[ -f $slides_dir/$name.md ]]; then
		printf '%s\n' "$slides_dir/$name.md"
		return
	fi
	shopt -s nullglob
	matches=("$slides_dir/$name"-*.md)
	shopt -u nullglob
	[[ ${#matches[@]} -eq 1 ]] || die "no single deck matches '$arg' in slides/"
	printf '%s\n' "${matches[0]}"
}

# The slides a deck should give: its level 1 and 2 headings, outside fenced
# code blocks.
count_headings() {
	awk '
		/^(```|~~~)/ { fenced = !fenced; next }
		!fenced && /^##? / { n++ }
		END { print n + 0 }' "$1"
}

# The slides an HTML output has, title slide apart.
count_slides() {
	grep -c '<section [^>]*class="[^"]*slide' "$1" || true
}

# check_output HTML DECK: the checks of --check; prints what is wrong.
check_output() {
	local html=$1 deck=$2 want got
	if [[ ! -s $html ]]; then
		echo "empty output"
		return 1
	fi
	if ! head -c 200 "$html" | grep -qi '<!DOCTYPE html>' || ! grep -q '</html>' "$html"; then
		echo "not a complete HTML document"
		return 1
	fi
	if ! grep -q '<section class="title">' "$html"; then
		echo "no title slide: give the deck a title (YAML metadata block)"
		return 1
	fi
	want=$(count_headings "$deck")
	got=$(count_slides "$html")
	if ((got != want)); then
		echo "$got slides for $want headings"
		return 1
	fi
	if ((got < min_slides)); then
		echo "only $got slides (at least $min_slides expected)"
		return 1
	fi
	if grep -Eiq '<(script|link|img|iframe)[^>]*(src|href)="?(https?:)?//' "$html"; then
		echo "refers to an external script, stylesheet or image"
		return 1
	fi
}

# The look of the decks, on top of dzslides' own (800x600 slides).
write_style() {
	cat >"$1" <<-'EOF'
		<style>
		  section { padding: 24px 40px 16px; overflow: hidden;
		    font-size: 21px; line-height: 1.3; color: #1b1f24; }
		  section h2 { margin: 0 0 12px; padding-bottom: 6px; font-size: 32px;
		    text-align: left; color: #1d3557; border-bottom: 2px solid #d8dee9; }
		  section.title h1.title { margin: 150px 40px 0; font-size: 46px;
		    color: #1d3557; }
		  section.title footer { display: none; }
		  section.title h1.subtitle { margin: 24px 40px 0; font-size: 26px;
		    font-weight: normal; color: #4a5568; }
		  section p { margin: 8px 0; font-size: 21px; }
		  section ul, section ol { margin: 6px 0 6px 26px; }
		  section li { margin: 3px 0; }
		  section li > ul, section li > ol { margin: 2px 0 2px 22px; }
		  section li > p { margin: 2px 0; }
		  code { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace;
		    font-size: 0.86em; color: #2d3748; }
		  section pre { margin: 8px 0; padding: 7px 10px; font-size: 14px;
		    line-height: 1.25; background: #f5f7fa; border: 1px solid #d8dee9;
		    border-radius: 6px; overflow: hidden; }
		  section :not(pre) > code { white-space: nowrap; }
		  section pre code { font-size: inherit; white-space: pre; }
		  section table { width: auto !important; margin: 8px 0;
		    border-collapse: collapse; font-size: 16px; }
		  section col { width: auto !important; }
		  section th, section td { padding: 3px 8px; text-align: left;
		    vertical-align: top; border-bottom: 1px solid #d8dee9; }
		  section th { background: #edf1f7; }
		  section blockquote { height: auto; margin: 10px 0; padding: 8px 14px;
		    font-size: 19px; color: #1b1f24; background: #fff8e1;
		    border-left: 5px solid #f0b429; }
		  section blockquote:before, section blockquote:after { content: none; }
		  section blockquote p { margin: 2px 0; font-size: 19px; }
		  div.columns { display: flex; gap: 18px; }
		  div.column { flex: 1; min-width: 0; }
		  .small { font-size: 17px; }
		  .small p { font-size: 17px; }
		  .view section { overflow: hidden; }
		  section figure { width: auto; height: auto; margin: 4px 0 0;
		    background: none; text-align: center; }
		  section figure > * { position: static; }
		  section figure > img { width: auto; height: auto; max-width: 100%;
		    max-height: 470px; }
		  section figcaption { margin: 2px 0 0; font-size: 15px; color: #4a5568; }
		</style>
	EOF
}

out_dir=${BUILD_DIR:-$root/build}/slides
parse_options "$@"

command -v pandoc >/dev/null || die "pandoc not found; install pandoc: make deps"
if [[ $check == false ]]; then
	"$slides_dir/diagrams.sh" || die "the diagrams did not render"
fi

decks=()
if ((${#args[@]})); then
	for arg in "${args[@]}"; do
		decks+=("$(resolve_deck "$arg")")
	done
else
	shopt -s nullglob
	decks=("$slides_dir"/[0-9][0-9]-*.md)
	shopt -u nullglob
	((${#decks[@]})) || die "no decks (NN-name.md) in $(show_path "$slides_dir")"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kcl-slides.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [[ $check == true ]]; then
	out_dir=$work/out
fi
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
style=$work/style.html
write_style "$style"

# pandoc 2.19 renamed --self-contained to --embed-resources; the old name
# only warns there, but --fail-if-warnings would turn that into a failure.
embed=(--self-contained)
if pandoc --help | grep -q -- '--embed-resources'; then
	embed=(--embed-resources --standalone)
fi

failed=0
for deck in "${decks[@]}"; do
	name=$(basename "$deck" .md)
	html=$out_dir/$name.html
	log=$work/$name.log
	if ! pandoc --from markdown --to dzslides --standalone "${embed[@]}" \
		--slide-level=2 --fail-if-warnings \
		--resource-path "$(dirname "$deck")" \
		--include-in-header "$style" \
		--output "$html" "$deck" 2>"$log"; then
		printf 'error: %s: pandoc could not render it:\n' "$name" >&2
		sed 's/^/  /' "$log" >&2
		failed=$((failed + 1))
		continue
	fi
	slides=$(count_slides "$html")
	if [[ $check == true ]]; then
		if problem=$(check_output "$html" "$deck"); then
			printf 'ok: %s: %s slides, self-contained\n' "$name" "$slides"
		else
			printf 'error: %s: %s\n' "$name" "$problem" >&2
			failed=$((failed + 1))
		fi
	else
		printf 'rendered %s: %s slides -> %s\n' "$name" "$slides" "$(show_path "$html")"
	fi
done

if ((failed)); then
	die "$failed of ${#decks[@]} decks failed"
fi
if [[ $check == true ]]; then
	printf '%d decks render and pass the checks\n' "${#decks[@]}"
fi
