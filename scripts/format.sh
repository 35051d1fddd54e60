#!/bin/bash
# The house formats, one command for every language of the tree:
#   C (*.c, *.h)       clang-format 14, Debian 12's package   .clang-format
#   Python (*.py/pyi)  ruff: `ruff check` (E, F, W, I) and    ruff.toml
#                      `ruff format`, from build/venv
#   Lua (*.lua)        stylua, from build/tools/stylua         .stylua.toml
#   Go (*.go)          gofmt, from the Go toolchain
#
#   scripts/format.sh           formats every tracked file in place
#   scripts/format.sh --check   changes nothing: prints each file that is not
#                               formatted, with its diff, and exits 1 if any
#
# It installs nothing: scripts/setup-debian.sh test does (clang-format from
# apt, ruff into build/venv, stylua into build/tools/stylua). A missing tool
# is an error naming it, never a language skipped. The files are the tracked
# ones plus new files not ignored by git, so build/ never counts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=format
case ${1:-} in
"") ;;
--check) mode=check ;;
*)
  echo "usage: scripts/format.sh [--check]" >&2
  exit 2
  ;;
esac

# ---- the tools --------------------------------------------------------------

clang_format=${CLANG_FORMAT:-clang-format}
ruff="$root/build/venv/bin/ruff"
stylua="$root/build/tools/stylua/node_modules/.bin/stylua"
gofmt=$(command -v gofmt || true)
if [ -z "$gofmt" ] && command -v go >/dev/null; then
  gofmt="$(go env GOROOT)/bin/gofmt"
fi

missing=()
if ! command -v "$clang_format" >/dev/null; then
  missing+=("clang-format (C): apt-get install clang-format")
elif ! "$clang_format" --version | grep -q 'version 14\.'; then
  # Each clang-format release formats a little differently: the tree is
  # formatted with Debian 12's, and --check must not depend on who runs it.
  missing+=("clang-format 14 (C), found: $("$clang_format" --version)")
fi
[ -x "$ruff" ] || missing+=("ruff (Python): $ruff")
[ -x "$stylua" ] || missing+=("stylua (Lua): $stylua")
[ -n "$gofmt" ] && [ -x "$gofmt" ] || missing+=("gofmt (Go): the Go toolchain")
if [ ${#missing[@]} -ne 0 ]; then
  echo "format.sh: missing tool(s); scripts/setup-debian.sh test installs them:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi

# ---- the files --------------------------------------------------------------

files() {
  git ls-files -z --cached --others --exclude-standard -- "$@" |
    while IFS= read -r -d '' f; do
      [ -f "$f" ] && printf '%s\n' "$f"
    done
}
mapfile -t c_files < <(files '*.c' '*.h')
mapfile -t py_files < <(files '*.py' '*.pyi')
mapfile -t lua_files < <(files '*.lua')
mapfile -t go_files < <(files '*.go')

# ---- format -----------------------------------------------------------------

if [ "$mode" = format ]; then
  status=0
  [ ${#c_files[@]} -eq 0 ] || "$clang_format" -i --style=file "${c_files[@]}"
  if [ ${#py_files[@]} -ne 0 ]; then
    # --fix sorts imports (I001); what is left once formatted is printed
    # and fails: a line too long that ruff cannot split, an unused name.
    "$ruff" check --quiet --fix --exit-zero "${py_files[@]}" >/dev/null
    "$ruff" format --quiet "${py_files[@]}"
    "$ruff" check --quiet --output-format concise "${py_files[@]}" || status=1
  fi
  if [ ${#lua_files[@]} -ne 0 ]; then
    # Twice: stylua 2.5's first pass can leave a call it would hug on the
    # next one (seen on tests/lua/errors.lua); the second pass is stable.
    "$stylua" --config-path "$root/.stylua.toml" "${lua_files[@]}"
    "$stylua" --config-path "$root/.stylua.toml" "${lua_files[@]}"
  fi
  [ ${#go_files[@]} -eq 0 ] || "$gofmt" -w "${go_files[@]}"
  if [ "$status" -ne 0 ]; then
    echo "format.sh: formatted, but ruff check found what needs a hand (above)" >&2
  fi
  exit "$status"
fi

# ---- check ------------------------------------------------------------------

bad=()
max_diff_lines=60

show_diff() { # file, diff text
  local n
  n=$(printf '%s\n' "$2" | wc -l)
  # sed, not head: head would stop reading, and pipefail fail the pipe.
  printf '%s\n' "$2" | sed -n "1,${max_diff_lines}p"
  if [ "$n" -gt "$max_diff_lines" ]; then
    echo "... ($((n - max_diff_lines)) more diff lines for $1)"
  fi
}

for f in "${c_files[@]}"; do
  if ! d=$("$clang_format" --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" -); then
    echo "--- not formatted (clang-format): $f"
    show_diff "$f" "$d"
    bad+=("$f")
  fi
done

if [ ${#py_files[@]} -ne 0 ]; then
  if ! "$ruff" check --quiet --output-format concise "${py_files[@]}"; then
    echo "--- ruff check: the findings above ([*]: scripts/format.sh fixes them; the rest by hand)"
    bad+=("ruff check")
  fi
  mapfile -t py_bad < <("$ruff" format --check --quiet --output-format concise "${py_files[@]}" 2>/dev/null |
    sed -n 's/^\(.*\):[0-9]*:[0-9]*: unformatted: .*/\1/p')
  for f in "${py_bad[@]}"; do
    echo "--- not formatted (ruff format): $f"
    show_diff "$f" "$("$ruff" format --diff --quiet "$f" 2>&1 || true)"
    bad+=("$f")
  done
fi

for f in "${lua_files[@]}"; do
  if ! d=$("$stylua" --config-path "$root/.stylua.toml" --check --color Never "$f" 2>&1); then
    echo "--- not formatted (stylua): $f"
    show_diff "$f" "$d"
    bad+=("$f")
  fi
done

if [ ${#go_files[@]} -ne 0 ]; then
  mapfile -t go_bad < <("$gofmt" -l "${go_files[@]}")
  for f in "${go_bad[@]}"; do
    echo "--- not formatted (gofmt): $f"
    show_diff "$f" "$("$gofmt" -d "$f")"
    bad+=("$f")
  done
fi

total=$((${#c_files[@]} + ${#py_files[@]} + ${#lua_files[@]} + ${#go_files[@]}))
if [ ${#bad[@]} -ne 0 ]; then
  echo "format.sh --check: ${#bad[@]} of $total files not formatted:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "run scripts/format.sh to format them" >&2
  exit 1
fi
echo "format.sh --check: $total files formatted (C ${#c_files[@]}, Python ${#py_files[@]}, Lua ${#lua_files[@]}, Go ${#go_files[@]})"
