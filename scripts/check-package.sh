#!/usr/bin/env bash
# Build the collection tarball, check it holds only content (no dev/test clutter), install it offline
# into an empty collections path, check that ansible-builder reads its dependency metadata there, and run
# galaxy-importer on it (the checks of a Galaxy / Automation Hub upload), requiring zero errors.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
version=$(sed -n 's/^version: *//p' galaxy.yml)
.venv/bin/ansible-galaxy collection build --force --output-path "$out" . >/dev/null
tarball="$out/fleet-kdump-$version.tar.gz"
tar -tzf "$tarball" | sort > "$out/contents"
clutter=$(grep -E '^(\.venv|\.lab|\.ci|\.git|build|tests|molecule|lab|benchmarks|scripts)(/|$)|^(Makefile|requirements-dev.*|constraints-dev\.txt)$' "$out/contents" || true)
if [ -n "$clutter" ]; then
  echo "tarball holds dev/test files:"; echo "$clutter"; exit 1
fi
for must in MANIFEST.json FILES.json README.md LICENSE meta/runtime.yml plugins/modules/kdump_reserve.py \
            plugins/modules/kdump_config.py plugins/modules/kdump_verify.py roles/kdump/tasks/main.yml playbooks/site.yml; do
  grep -qx "$must" "$out/contents" || { echo "tarball lacks $must"; exit 1; }
done
ANSIBLE_COLLECTIONS_PATH="$out/install" .venv/bin/ansible-galaxy collection install --offline -p "$out/install" "$tarball" >/dev/null
ANSIBLE_COLLECTIONS_PATH="$out/install" .venv/bin/ansible-doc -t module fleet.kdump.kdump_reserve >/dev/null

# ansible-builder reads meta/execution-environment.yml of each installed collection, paths relative to its root.
.venv/bin/ansible-builder introspect "$out/install" > "$out/introspect" 2>&1 || { cat "$out/introspect"; exit 1; }
if grep -q 'Expected requirements file not present' "$out/introspect" || ! grep -q 'openssh-client' "$out/introspect"; then
  echo "ansible-builder introspect does not find fleet.kdump's system dependencies (bindep.txt):"; cat "$out/introspect"; exit 1
fi

# galaxy-importer exits 0 even when it logs errors: its log is the verdict. ERROR lines, the importer's
# "Error when ..." warnings and ansible-builder's missing-file notice all count as errors.
# It writes importer_result.json into its working directory: run it in $out.
root=$(pwd)
(cd "$out" && GALAXY_IMPORTER_CONFIG="$root/tests/galaxy-importer.cfg" PATH="$root/.venv/bin:$PATH" \
   "$root/.venv/bin/python" -m galaxy_importer.main "$tarball" > "$out/importer.log" 2>&1) || { cat "$out/importer.log"; exit 1; }
errors=$(grep -E '^(ERROR|CRITICAL):|^WARNING: Error|Expected requirements file not present' "$out/importer.log" || true)
grep -q '^Importer processing completed successfully' "$out/importer.log" || errors+=$'\nthe importer did not complete'
if [ -n "$errors" ]; then
  cat "$out/importer.log"; echo; echo "galaxy-importer errors:"; echo "$errors"; exit 1
fi
warnings=$(grep -c '^WARNING:' "$out/importer.log" || true)
grep '^WARNING:' "$out/importer.log" || true
echo "package: $(basename "$tarball") $(wc -l < "$out/contents") entries, installed offline, ansible-doc renders," \
     "ansible-builder finds its bindep.txt, galaxy-importer $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))'):" \
     "0 errors, $warnings warning(s)"
