#!/usr/bin/env bash
# Print the newest Python >= 3.12 found (PATH, then pyenv); fall back to python3.11.
# ansible-core 2.21 needs Python >= 3.12; with 3.11 the Makefile uses requirements-dev-py311.txt.
set -euo pipefail
candidates=()
for v in 3.12 3.13 3.14; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
  for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python"$v"; do
    [ -x "$d" ] && candidates+=("$d")
  done
done
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    echo "$c"; exit 0
  fi
done
command -v python3.11 || command -v python3
