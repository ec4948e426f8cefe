#!/usr/bin/env bash
# Build the collection tarball, check it holds only content (no dev/test clutter), and install it
# offline into an empty collections path.
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
echo "package: $(basename "$tarball") $(wc -l < "$out/contents") entries, installed offline, ansible-doc renders"
