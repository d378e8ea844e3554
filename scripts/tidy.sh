#!/usr/bin/env bash
# clang-tidy over the project's own translation units, with the checks in .clang-tidy (findings are
# errors there). Reads the compile commands of a configured build directory.
#
#   scripts/tidy.sh [BUILD_DIR] [all|domain|changed:REF]
#
#   all          every project TU (slow: a TU that includes Beast costs 10-20 s of CPU)
#   domain       the TUs compiled without Asio/Beast (policy, store, protocol and base code):
#                what CI runs, a few minutes on two cores
#   changed:REF  the TUs whose source changed since git REF (e.g. changed:origin/main), for a
#                pre-commit check
# Exit status: 0 when clang-tidy found nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
scope=${2:-domain}
db="$build_dir/compile_commands.json"
[[ -f $db ]] || { echo "tidy: $db not found; configure first (make configure)" >&2; exit 2; }
tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
[[ -n $tidy ]] || { echo "tidy: run-clang-tidy not found (apt: clang-tidy)" >&2; exit 2; }

# The TU list from the compile database: the project's sources only (no generated PCH files).
mapfile -t files < <(/usr/bin/python3 - "$db" "$scope" "$PWD" <<'PY'
import json, subprocess, sys
db, scope, root = sys.argv[1], sys.argv[2], sys.argv[3]
entries = json.load(open(db))
files = []
for e in entries:
    f = e["file"]
    if not f.startswith(root + "/") or "/build" in f[len(root):] or not f.endswith(".cpp"):
        continue
    if scope == "domain" and "BOOST_ASIO_SEPARATE_COMPILATION" in e.get("command", ""):
        continue
    files.append(f)
if scope.startswith("changed:"):
    ref = scope.split(":", 1)[1]
    out = subprocess.run(["git", "diff", "--name-only", ref, "--", "*.cpp", "*.hpp"],
                         capture_output=True, text=True, check=True).stdout.split()
    changed = {root + "/" + p for p in out}
    stems = {p.rsplit(".", 1)[0] for p in changed}
    files = [f for f in files if f in changed or f.rsplit(".", 1)[0] in stems]
elif scope not in ("all", "domain"):
    sys.exit(f"tidy: unknown scope {scope!r} (all, domain, changed:REF)")
print("\n".join(sorted(set(files))))
PY
)
if [[ ${#files[@]} -eq 0 || -z ${files[0]} ]]; then
  echo "tidy: no translation units in scope '$scope'"
  exit 0
fi
echo "tidy: ${#files[@]} translation units ($scope)"
# g++'s own warning flags in the database are unknown to clang: not a finding. Nor is a warning of
# clang's own compiler that a -Werror build (CI's SD_WERROR=ON) would turn into an error: the
# findings are .clang-tidy's checks, and g++ builds the code. A finding is an error
# (.clang-tidy: WarningsAsErrors), so run-clang-tidy's status says whether there was one.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
"$tidy" -quiet -p "$build_dir" -j "$(nproc)" -extra-arg=-Wno-unknown-warning-option \
  -extra-arg=-Wno-error "${files[@]}" >"$log" 2>&1 || rc=$?
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^clang-tidy(-14)? |^Running clang-tidy|^Error while processing' "$log" || true
[[ $rc -eq 0 ]] && echo "tidy: clean" || echo "tidy: findings above (exit $rc)" >&2
exit $rc
