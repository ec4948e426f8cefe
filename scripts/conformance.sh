#!/usr/bin/env bash
# `make conformance`: what fleet.kdump writes, judged by the distributions' own tools (tests/conformance).
#
#   scripts/conformance.sh COLLECTION_DIR [pytest args, default tests/conformance]
#
# COLLECTION_DIR is the collection tree `make collection-tree` built (.../ansible_collections/fleet/kdump).
# The oracles come from FLEET_KDUMP_ORACLES (a directory laid out like ../shared/oracles, see
# scripts/fetch-oracles.sh). Without them the stage prints one line and counts as skipped (scripts/test.sh
# reads that line), never as passed. The last line is "conformance: N passed, N failed[, N skipped]",
# N counting oracle cases (files, refusal rules, boot entries ... judged), per oracle just above it.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
collection=$1
shift

oracles=${FLEET_KDUMP_ORACLES:-}
if [ -z "$oracles" ] || [ ! -d "$oracles" ]; then
  echo "conformance: skipped, no oracles (FLEET_KDUMP_ORACLES=${oracles:-unset}; scripts/fetch-oracles.sh DIR clones them)"
  exit 0
fi
FLEET_KDUMP_ORACLES="$(cd "$oracles" && pwd)"
export FLEET_KDUMP_ORACLES

tally="$(mktemp)"
trap 'rm -f "$tally"' EXIT
export FLEET_KDUMP_CONFORMANCE_TALLY="$tally"
cd "$collection" || exit 1
[ $# -gt 0 ] || set -- tests/conformance
"$repo/.venv/bin/python" -m pytest -p no:cacheprovider -q "$@"
rc=$?

"$repo/.venv/bin/python" - "$tally" "$rc" <<'EOF'
import json
import sys

path, rc = sys.argv[1], int(sys.argv[2])
try:
    with open(path) as handle:
        data = json.load(handle)
except (IOError, ValueError):
    data = {'oracles': {}, 'unjudged_failures': ['pytest ended before writing the tally (rc=%d)' % rc]}
passed = failed = skipped = 0
print('conformance per oracle:')
for oracle, counts in data['oracles'].items():
    passed += counts['passed']
    failed += counts['failed']
    skipped += counts['skipped']
    line = '  %-52s %5d passed, %d failed' % (oracle + ':', counts['passed'], counts['failed'])
    if counts['skipped']:
        line += ', %d skipped' % counts['skipped']
    print(line)
for test in data.get('unjudged_failures', []):
    print('  failed outside any oracle case: %s' % test)
    failed += 1
if rc != 0 and failed == 0:
    failed = 1  # pytest failed without telling us why: never report that as a pass
for name, version in sorted(data.get('versions', {}).items()):
    print('  oracle %s: %s' % (name, version))
summary = 'conformance: %d passed, %d failed' % (passed, failed)
if skipped:
    summary += ', %d skipped' % skipped
print(summary)
sys.exit(1 if failed else 0)
EOF
