#!/usr/bin/env bash
# The README's test command (`make test`): every stage in order, failing fast, then one summary line.
# Stages: ansible-lint (production), ansible-test sanity, ansible-test units, the collection
# tarball (built, checked for clutter, installed offline, galaxy-importer), the AWX-style
# ansible-runner test, then every Molecule scenario under molecule/ (default, fleet, vm).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
log_dir=build/test-logs
mkdir -p "$log_dir"

stages=(lint sanity units package)
[ -d tests/runner ] && stages+=(runner)
for scenario in default fleet vm; do
  [ -f "molecule/$scenario/molecule.yml" ] && stages+=("molecule-$scenario")
done

passed=0 failed=0 ran=()
started=$(date +%s)
for stage in "${stages[@]}"; do
  t0=$(date +%s)
  echo "=== [$stage] $(date -u +%H:%M:%S) ==="
  case "$stage" in
    package) cmd=(scripts/check-package.sh) ;;
    *) cmd=(make --no-print-directory "$stage") ;;
  esac
  if "${cmd[@]}" 2>&1 | tee "$log_dir/$stage.log"; then
    passed=$((passed + 1)); ran+=("$stage ok $(( $(date +%s) - t0 ))s")
  else
    failed=$((failed + 1)); ran+=("$stage FAILED $(( $(date +%s) - t0 ))s (log: $log_dir/$stage.log)")
    break
  fi
done

echo
echo "=== make test: $(( $(date +%s) - started ))s ==="
for line in "${ran[@]}"; do echo "  $line"; done
skipped=$(( ${#stages[@]} - passed - failed ))
[ "$skipped" -gt 0 ] && echo "  ($skipped stage(s) not run after the failure)"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
