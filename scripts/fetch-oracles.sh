#!/usr/bin/env bash
# Clone the distributions' own kdump tools at the commits the conformance tests are pinned to (the table in
# ../shared/oracles/README.md), for a machine with GitHub access:
#
#   scripts/fetch-oracles.sh DIR          # then: export FLEET_KDUMP_ORACLES=DIR; make conformance
#
# DIR gets the layout the tests expect: DIR/kdump-utils, DIR/grubby, DIR/suse-kdump. An existing checkout at
# the right commit is kept; anything else at those paths is refused rather than overwritten. The tools are run
# by the tests, never copied into the collection (each keeps its own GPL-2.0-or-later licence).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dest=$1

# name|repository|commit|tag (the tag is only a fallback for servers that refuse to fetch a commit by id)
oracles=(
  "kdump-utils|https://github.com/rhkdump/kdump-utils.git|63f248c94a4af61e3e2c3d89108020e2b36793a6|v1.0.61"
  "grubby|https://github.com/fedora-riscv/grubby.git|d6967109223a4e10698fd8fc5a717637bce85d94|"
  "suse-kdump|https://github.com/openSUSE/kdump.git|34da4b8824555565b3ba2d03da33ec7802a14ecf|v2.1.9"
)

fetch() {  # fetch NAME URL COMMIT TAG
  local name=$1 url=$2 commit=$3 tag=$4 dir
  dir="$dest/$name"
  if [ -d "$dir/.git" ]; then
    if [ "$(git -C "$dir" rev-parse HEAD)" = "$commit" ]; then
      echo "$name: already at $commit"
      return 0
    fi
    echo "$name: $dir is a checkout of another commit; move it away first" >&2
    return 1
  fi
  if [ -e "$dir" ]; then
    echo "$name: $dir exists and is not a git checkout; move it away first" >&2
    return 1
  fi
  git init -q "$dir"
  git -C "$dir" remote add origin "$url"
  if ! git -C "$dir" fetch -q --depth 1 origin "$commit"; then
    if [ -n "$tag" ]; then
      git -C "$dir" fetch -q --depth 1 origin "refs/tags/$tag:refs/tags/$tag"
    else
      git -C "$dir" fetch -q origin
    fi
  fi
  git -C "$dir" -c advice.detachedHead=false checkout -q "$commit"
  if [ "$(git -C "$dir" rev-parse HEAD)" != "$commit" ]; then
    echo "$name: $url did not give commit $commit" >&2
    return 1
  fi
  echo "$name: $url at $commit"
}

mkdir -p "$dest"
for entry in "${oracles[@]}"; do
  IFS='|' read -r name url commit tag <<<"$entry"
  fetch "$name" "$url" "$commit" "$tag"
done
echo "export FLEET_KDUMP_ORACLES=$(cd "$dest" && pwd)"
