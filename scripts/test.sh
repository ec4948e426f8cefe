#!/usr/bin/env bash
# The README's test command (`make test`): every stage in order, failing fast, then one summary line.
# Stages: ansible-lint (production), ansible-test sanity, ansible-test units, the collection
# tarball (built, checked for clutter, installed offline, galaxy-importer), the conformance tests (what we write
# judged by the distributions' own tools; skipped, and said so, without FLEET_KDUMP_ORACLES), the AWX-style
# ansible-runner test, then every Molecule scenario under molecule/ (default, fleet, remote, vm, vm-remote: a real crash
# dumped to a server over SSH, and vm-rhel-stack: the
# RHEL kdump stack on a Debian VM, skipped and said so without FLEET_KDUMP_ORACLES).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
log_dir=build/test-logs
mkdir -p "$log_dir"

stages=(lint sanity units package)
[ -d tests/conformance ] && stages+=(conformance)
[ -d tests/runner ] && stages+=(runner)
for scenario in default fleet remote vm vm-remote vm-rhel-stack; do
  [ -f "molecule/$scenario/molecule.yml" ] && stages+=("molecule-$scenario")
done

passed=0 failed=0 skipped_stages=0 ran=()
started=$(date +%s)
for stage in "${stages[@]}"; do
  t0=$(date +%s)
  echo "=== [$stage] $(date -u +%H:%M:%S) ==="
  case "$stage" in
    package) cmd=(scripts/check-package.sh) ;;
    *) cmd=(make --no-print-directory "$stage") ;;
  esac
  if "${cmd[@]}" 2>&1 | tee "$log_dir/$stage.log"; then
    if grep -q "^$stage: skipped" "$log_dir/$stage.log"; then
      # A stage that could not run (conformance without oracles) is reported as skipped, never as passed.
      skipped_stages=$((skipped_stages + 1)); ran+=("$stage SKIPPED: $(grep -m1 "^$stage: skipped" "$log_dir/$stage.log")")
    else
      passed=$((passed + 1)); ran+=("$stage ok $(( $(date +%s) - t0 ))s")
    fi
  else
    failed=$((failed + 1)); ran+=("$stage FAILED $(( $(date +%s) - t0 ))s (log: $log_dir/$stage.log)")
    break
  fi
done

echo
echo "=== make test: $(( $(date +%s) - started ))s ==="
for line in "${ran[@]}"; do echo "  $line"; done
not_run=$(( ${#stages[@]} - passed - failed - skipped_stages ))
[ "$not_run" -gt 0 ] && echo "  ($not_run stage(s) not run after the failure)"
if [ "$skipped_stages" -gt 0 ]; then
  echo "stages: $passed passed, $failed failed, $skipped_stages skipped"
else
  echo "stages: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
