#!/usr/bin/env bash
# Proves the thread-safety check can fail. clang++ -Wthread-safety (as scripts/thread_safety.sh
# runs it) over thread_safety_snippet.cpp: the snippet as written must pass, and each
# -DSD_TSA_CASE=N — a guarded member written without its lock, an SD_REQUIRES helper called
# without it, a wait on a lock no longer held — must fail with that thread-safety error. If the
# annotations stopped reaching clang (a macro expanding to nothing, an attribute lost from
# core::Mutex), the broken cases would compile and this test fails.
#
#   tests/lint/thread_safety_test.sh ROOT [CLANG]   exit 0 pass, 1 fail, 77 skipped (no clang++)
set -uo pipefail
root=${1:?usage: thread_safety_test.sh ROOT [CLANG]}
clang=${2:-}
[[ -n $clang ]] || clang=$(command -v clang++-14 || command -v clang++ || true)
if [[ -z $clang ]] || ! command -v "$clang" >/dev/null; then
  echo "clang++ not found: skipped"
  exit 77
fi
snippet=$root/tests/lint/thread_safety_snippet.cpp
flags=(-std=c++20 -fsyntax-only -I"$root" -Wno-everything -Wthread-safety -Werror=thread-safety)
expected=(
  [1]="writing variable 'value_' requires holding mutex 'mu_'"
  [2]="calling function 'PutLocked' requires holding mutex 'mu_'"
  [3]="calling function 'Wait' requires holding mutex 'mu_'"
)
status=0
if out=$("$clang" "${flags[@]}" "$snippet" 2>&1); then
  echo "ok: the locked version passes"
else
  echo "FAIL: the locked version does not pass:"
  echo "$out"
  status=1
fi
for n in 1 2 3; do
  if out=$("$clang" "${flags[@]}" -DSD_TSA_CASE=$n "$snippet" 2>&1); then
    echo "FAIL: case $n passed: the analysis did not see the missing lock"
    status=1
  elif grep -q -F "${expected[$n]}" <<<"$out"; then
    echo "ok: case $n fails: ${expected[$n]}"
  else
    echo "FAIL: case $n failed, but not with \"${expected[$n]}\":"
    echo "$out"
    status=1
  fi
done
exit $status
