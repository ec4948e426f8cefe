#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Benchmark (not a test): playbooks/site.yml against N fresh SSH containers, twice.
#   benchmarks/fleet.sh N [--keep]
# Prints the wall time of the first run (install + configure + verify + report), of the no-op rerun,
# per-host figures, and the machine it ran on; writes the same to benchmarks/results/fleet-N<N>.txt
# (full playbook output next to it in .lab/bench/). --keep leaves the containers running.
# Environment: FORKS (default 10), SERIAL (kdump_serial, default 20%), LAB_* as for lab/container.sh.
set -euo pipefail

count="${1:-}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 N [--keep]" >&2; exit 2; }
keep="${2:-}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
forks="${FORKS:-10}"
serial="${SERIAL:-20%}"
export LAB_NAME="${LAB_NAME:-bench}" LAB_SSH_PORT_BASE="${LAB_SSH_PORT_BASE:-23000}"
lab="$repo/lab/container.sh"
bin="$repo/.venv/bin"
[ -x "$bin/ansible-playbook" ] || { echo "no $bin/ansible-playbook: run make venv" >&2; exit 1; }

"$lab" setup-host
"$lab" build
"$lab" fleet-up "$count"
inventory="$("$lab" inventory)"
[ "$keep" = --keep ] || trap '"$lab" fleet-down' EXIT

# The collection under test is this checkout, reached through a private collections path so a
# concurrent `make` rewriting build/ cannot change what is measured.
work="$(dirname "$inventory")"
mkdir -p "$work/collections/ansible_collections/fleet"
ln -sfn "$repo" "$work/collections/ansible_collections/fleet/kdump"
export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_FORKS="$forks"
export ANSIBLE_PIPELINING=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.profile_tasks
unset ANSIBLE_CONFIG

run_site() {  # run_site NAME -> prints wall seconds; log in $work/NAME.log
    local name="$1" start end rc=0
    start=$(date +%s.%N)
    "$bin/ansible-playbook" -i "$inventory" fleet.kdump.site -e "kdump_serial=$serial" \
        -e "kdump_report_dir=$work/report-$name" >"$work/$name.log" 2>&1 || rc=$?
    end=$(date +%s.%N)
    echo "EXIT CODE: $rc" >>"$work/$name.log"
    [ "$rc" -eq 0 ] || { tail -40 "$work/$name.log" >&2; echo "site.yml run '$name' failed (rc=$rc)" >&2; exit 1; }
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

recap_summary() {  # per-host changed counts of a run: "min/median/max changed, failed total"
    grep -E "^${LAB_NAME}-[0-9]+ +: ok=" "$1" | sed -E 's/.*changed=([0-9]+).*failed=([0-9]+).*/\1 \2/' |
        sort -n | awk '{ c[NR] = $1; f += $2 } END { printf "changed per host min %d / median %d / max %d, failed %d", c[1], c[int((NR + 1) / 2)], c[NR], f }'
}

first=$(run_site first)
rerun=$(run_site rerun)
out="$repo/benchmarks/results/fleet-N${count}.txt"
{
    echo "# benchmarks/fleet.sh $count  ($(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$repo" rev-parse --short HEAD))"
    echo "hosts: $count SSH containers (1 kdump_canary, $((count - 1)) kdump_rest); forks $forks; kdump_serial $serial"
    echo "first run (install + configure + verify + report): ${first} s  = $(awk -v t="$first" -v n="$count" 'BEGIN { printf "%.2f", t / n }') s per host"
    echo "  $(recap_summary "$work/first.log")"
    echo "no-op rerun:                                        ${rerun} s  = $(awk -v t="$rerun" -v n="$count" 'BEGIN { printf "%.2f", t / n }') s per host"
    echo "  $(recap_summary "$work/rerun.log")"
    echo "slowest tasks of the first run (profile_tasks: wall time of each task over the hosts running it):"
    sed -n '/^TASKS RECAP/,$p' "$work/first.log" | grep -E -- '-{3,} [0-9.]+s$' | head -8 | sed 's/^/  /'
    echo "machine: $(uname -srm); $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
        "$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "tools: $("$bin/ansible-playbook" --version 2>/dev/null | sed -n 1p); $(podman --version); $(runc --version | sed -n 1p)"
    echo "full output: $work/first.log, $work/rerun.log"
    echo "packages come from http://deb.debian.org/debian over the network on each host (no local mirror)."
} | tee "$out"
