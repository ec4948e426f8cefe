#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Benchmark (not a test): fleet.kdump's playbooks/site.yml and the LSR kdump role 1.6.1 (the peer, pinned in
# ../shared/peers) side by side, each against N fresh SSH containers: a first converge, then the no-op rerun.
#   benchmarks/fleet.sh N [--forks F] [--force] [--keep] [--mitogen]
# Prints and writes benchmarks/results/fleet-N<N>.txt (fleet-N<N>-mitogen.txt with --mitogen): wall time of each
# run and per host, the ratios fleet.kdump/LSR for the first converge and the no-op, and for the no-ops a
# breakdown: CPU of ansible-playbook and its workers, SSH processes started per host and the CPU of the SSH
# masters, the targets' CPU, the slowest tasks (profile_tasks). Full playbook output stays in .lab/bench/.
#   --forks F   forks for both sides (default: min(N, 50))
#   --force     record on a busy machine; the file then says FORCED and the loads (see benchmarks/lib.sh: without
#               it a run waits for the 1-min load to fall to the CPU count, then stops with exit 3, writing nothing)
#   --keep      leave the LSR side's containers running (fleet.kdump's are always replaced by fresh ones)
#   --mitogen   both sides with the mitogen_linear strategy (pip install -r requirements-mitogen.txt)
# Both sides use docs/ansible.cfg (pipelining, ControlPersist, explicit gathering) with the same forks.
# Environment: FLEET_KDUMP_PEERS (the folder holding lsr-kdump/, default <repo>/../shared/peers), SERIAL
# (kdump_serial, default 20%), BENCH_RESULTS (default benchmarks/results), BENCH_IDLE_LOAD, BENCH_IDLE_WAIT,
# LAB_* as for lab/container.sh. Takes the container lab lock itself.
set -euo pipefail

usage() { sed -n '4,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
args=("$@")
count="${1:-}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || usage
shift
forks=$((count < 50 ? count : 50))
keep=0 mitogen=0
while [ $# -gt 0 ]; do
    case "$1" in
        --forks) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; forks=$2; shift ;;
        --force) export BENCH_FORCE=1 ;;
        --keep) keep=1 ;;
        --mitogen) mitogen=1 ;;
        *) usage ;;
    esac
    shift
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_dir=${LOCK_DIR:-/tmp/fleet-kdump-locks}
if [ -z "${FLEET_KDUMP_LAB_LOCKED:-}" ]; then
    mkdir -p "$lock_dir"
    echo "[bench] waiting for the container lab lock $lock_dir/container-lab.lock" >&2
    FLEET_KDUMP_LAB_LOCKED=1 exec flock "$lock_dir/container-lab.lock" "${BASH_SOURCE[0]}" "${args[@]}"
fi
# shellcheck source=benchmarks/lib.sh
. "$repo/benchmarks/lib.sh"
bench_check_peer
serial="${SERIAL:-20%}"
export LAB_NAME="${LAB_NAME:-bench}" LAB_SSH_PORT_BASE="${LAB_SSH_PORT_BASE:-23000}"
lab="$repo/lab/container.sh"
bin="$repo/.venv/bin"
[ -x "$bin/ansible-playbook" ] || { echo "no $bin/ansible-playbook: run make venv" >&2; exit 1; }
results="${BENCH_RESULTS:-$repo/benchmarks/results}"
suffix="" strategy=linear
if [ "$mitogen" = 1 ]; then suffix=-mitogen strategy=mitogen_linear; fi
out="$results/fleet-N${count}${suffix}.txt"

"$lab" setup-host
"$lab" build
inventory="$("$lab" inventory)"
BENCH_WORK="$(dirname "$inventory")/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$BENCH_WORK"
[ "$keep" = 1 ] || trap '"$lab" fleet-down' EXIT

# The collection under test is this checkout, reached through a private collections path so a
# concurrent `make` rewriting build/ cannot change what is measured.
mkdir -p "$BENCH_WORK/collections/ansible_collections/fleet"
ln -sfn "$repo" "$BENCH_WORK/collections/ansible_collections/fleet/kdump"
export ANSIBLE_CONFIG="$repo/docs/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$BENCH_WORK/collections" ANSIBLE_NOCOLOR=1
export ANSIBLE_FORKS="$forks" ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
export PROFILE_TASKS_TASK_OUTPUT_LIMIT=12 ANSIBLE_ROLES_PATH="$FLEET_KDUMP_PEERS"
if [ "$mitogen" = 1 ]; then
    strategies=$("$bin/python" -c 'import ansible_mitogen, os; print(os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy"))') ||
        { echo "--mitogen: no ansible_mitogen in $bin/python (pip install -r requirements-mitogen.txt)" >&2; exit 1; }
    export ANSIBLE_STRATEGY_PLUGINS="$strategies" ANSIBLE_STRATEGY="$strategy"
fi

# The peer's play: the role as its README runs it, with the Debian variables of peers/README.md.
cat >"$BENCH_WORK/lsr.yml" <<'PLAY'
- name: LSR kdump 1.6.1 (the peer)
  hosts: all
  gather_facts: false
  roles:
    - role: lsr-kdump
PLAY
# A container has no /sys/kernel/kexec_crash_size (no kexec in the host kernel), and the LSR role slurps it
# (until: success, so 4 attempts 5 s apart, then the role fails). For its runs only, a `slurp` on the role's
# module path answers that one file as a host booted with crashkernel=256M would, in the same single module
# execution; every other file is read as ansible.builtin.slurp reads it. fleet.kdump calls its modules by FQCN
# and runs without this path.
mkdir -p "$BENCH_WORK/lsr-library"
cat >"$BENCH_WORK/lsr-library/slurp.py" <<'MODULE'
#!/usr/bin/python
import base64
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(src=dict(type='path', required=True, aliases=['path'])),
                           supports_check_mode=True)
    src = module.params['src']
    try:
        with open(src, 'rb') as handle:
            data = handle.read()
    except OSError as error:
        if src != '/sys/kernel/kexec_crash_size':
            module.fail_json(msg='file not found: %s: %s' % (src, error))
        data = b'268435456\n'
    module.exit_json(content=base64.b64encode(data).decode(), source=src, encoding='base64')


main()
MODULE

side_up() {  # fresh containers for one side, with current package lists (untimed)
    local names name
    "$lab" fleet-up "$count" >&2
    names=$(podman ps --filter "label=fleet.kdump.lab=$LAB_NAME" --format '{{.Names}}' | sort)
    # The image has no package lists, as a real host always has; the LSR role does not refresh them (its install
    # fails with "No package matching"), and fleet.kdump refreshes lists older than a day. So both sides start
    # from lists refreshed here, outside the timed runs, and their first converges install the same way.
    printf '%s\n' "$names" | xargs -P 10 -I{} podman exec {} apt-get update -qq >/dev/null
    for name in $names; do podman inspect --format '{{.State.Pid}}' "$name"; done >"$BENCH_WORK/pids"
}

run() {  # run NAME ansible-playbook-args... -> timed into $BENCH_WORK/NAME.{log,time,ssh,targets}
    local name=$1 targets_before cp
    shift
    # the SSH control sockets in a short private directory (a socket path has at most 107 bytes)
    cp=$(mktemp -d /tmp/fleet-kdump-bench.XXXXXX)
    bench_ssh_wrapper "$BENCH_WORK/ssh-$name" "$BENCH_WORK/$name.ssh"
    : >"$BENCH_WORK/$name.ssh"
    # shellcheck disable=SC2046
    targets_before=$(bench_tree_cpu $(cat "$BENCH_WORK/pids"))
    bench_log "$name: ansible-playbook on $count hosts, forks $forks"
    ANSIBLE_SSH_EXECUTABLE="$BENCH_WORK/ssh-$name" ANSIBLE_SSH_CONTROL_PATH_DIR="$cp" \
        bench_timed "$name" "$BENCH_WORK/$name.log" "$bin/ansible-playbook" -i "$inventory" "$@" || {
        tail -40 "$BENCH_WORK/$name.log" >&2
        echo "run '$name' failed (rc=$(bench_field "$name" 4)); full output in $BENCH_WORK/$name.log" >&2
        exit 1
    }
    bench_ssh_masters "$cp" >"$BENCH_WORK/$name.masters"
    rm -rf "$cp"
    # shellcheck disable=SC2046
    awk -v a="$targets_before" -v b="$(bench_tree_cpu $(cat "$BENCH_WORK/pids"))" 'BEGIN { printf "%.2f", b - a }' \
        >"$BENCH_WORK/$name.targets"
    bench_log "$name: $(bench_field "$name" 1) s"
}

ssh_per_host() {  # ssh_per_host NAME -> "min/median/max" SSH processes started per host
    grep -oE -- '-o Port=[0-9]+' "$BENCH_WORK/$1.ssh" | sort | uniq -c | awk '{ print $1 }' | sort -n |
        awk '{ c[NR] = $1 } END { if (NR) printf "%d/%d/%d", c[1], c[int((NR + 1) / 2)], c[NR]; else printf "n/a" }'
}

recap_summary() {  # per-host changed counts of a run: "min/median/max changed, failed total"
    grep -E "^${LAB_NAME}-[0-9]+ +: ok=" "$1" | sed -E 's/.*changed=([0-9]+).*failed=([0-9]+).*/\1 \2/' |
        sort -n | awk '{ c[NR] = $1; f += $2 } END { printf "changed per host min %d / median %d / max %d, failed %d", c[1], c[int((NR + 1) / 2)], c[NR], f }'
}

per_host() { awk -v t="$(bench_field "$1" 1)" -v n="$count" 'BEGIN { printf "%.2f", t / n }'; }
ratio() { awk -v a="$(bench_field "$1" 1)" -v b="$(bench_field "$2" 1)" 'BEGIN { printf "%.2f", a / b }'; }

bench_log "fleet.kdump: site.yml on $count fresh containers"
side_up
run ours-first fleet.kdump.site -e "kdump_serial=$serial" -e "kdump_report_dir=$BENCH_WORK/report-first"
run ours-noop fleet.kdump.site -e "kdump_serial=$serial" -e "kdump_report_dir=$BENCH_WORK/report-noop"
bench_log "LSR kdump 1.6.1 ($FLEET_KDUMP_PEERS/lsr-kdump) on $count fresh containers"
side_up
export ANSIBLE_LIBRARY="$BENCH_WORK/lsr-library"
run lsr-first "$BENCH_WORK/lsr.yml" -e "$LSR_DEBIAN_VARS"
run lsr-noop "$BENCH_WORK/lsr.yml" -e "$LSR_DEBIAN_VARS"
unset ANSIBLE_LIBRARY

line() {  # line NAME LABEL
    printf '%-34s %8.1f s  %6s s/host  load %s -> %s\n' "$2" "$(bench_field "$1" 1)" "$(per_host "$1")" \
        "$(bench_field "$1" 5)" "$(bench_field "$1" 6)"
    echo "    $(recap_summary "$BENCH_WORK/$1.log")"
}
breakdown() {  # breakdown NAME
    local masters
    masters=$(cat "$BENCH_WORK/$1.masters")
    echo "    controller CPU: ansible-playbook + workers + SSH clients $(awk -v u="$(bench_field "$1" 2)" \
        -v s="$(bench_field "$1" 3)" 'BEGIN { printf "%.1f s (user %.1f, sys %.1f)", u + s, u, s }');" \
        "SSH masters (ControlPersist) ${masters#* } s in ${masters%% *} process(es)"
    echo "    SSH processes started: $(wc -l <"$BENCH_WORK/$1.ssh") ($(ssh_per_host "$1") per host, min/median/max);" \
        "targets' CPU (all containers) $(cat "$BENCH_WORK/$1.targets") s"
    echo "    slowest tasks (profile_tasks):"
    bench_tasks "$BENCH_WORK/$1.log" 8 | sed 's/^/  /'
}

mkdir -p "$results"
{
    echo "# benchmarks/fleet.sh $count --forks $forks$([ "$mitogen" = 0 ] || echo ' --mitogen')" \
        " ($(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$repo" rev-parse --short HEAD))"
    bench_gate_line
    echo "hosts: $count fresh SSH containers per side (1 kdump_canary, $((count - 1)) kdump_rest); forks $forks;" \
        "docs/ansible.cfg; strategy $strategy"
    echo "fleet.kdump: playbooks/site.yml (kdump_serial $serial; configure, canary gate, rollout, report)"
    echo "LSR: lsr-kdump 1.6.1 from $FLEET_KDUMP_PEERS, one play, Debian vars of peers/README.md"
    echo "  (containers lack /sys/kernel/kexec_crash_size: its slurp answers 256M from a shim, see fleet.sh)"
    echo "both: package lists refreshed in each fresh container before the timed runs (untimed)"
    echo
    line ours-first "fleet.kdump first converge:"
    line lsr-first "LSR first converge:"
    line ours-noop "fleet.kdump no-op rerun:"
    breakdown ours-noop
    line lsr-noop "LSR no-op rerun:"
    breakdown lsr-noop
    echo
    echo "ratio fleet.kdump/LSR: first converge $(ratio ours-first lsr-first), no-op rerun $(ratio ours-noop lsr-noop)"
    echo "raw (name wall user sys rc load_before load_after):"
    for name in ours-first ours-noop lsr-first lsr-noop; do echo "  $name $(cat "$BENCH_WORK/$name.time")"; done
    bench_machine
    echo "tools: $("$bin/ansible-playbook" --version 2>/dev/null | sed -n 1p); $(podman --version); $(runc --version | sed -n 1p)"
    echo "packages come from ${LAB_MIRROR:-http://deb.debian.org/debian} over the network on each host (no local mirror)."
    echo "full output: $BENCH_WORK/{ours,lsr}-{first,noop}.log"
} >"$BENCH_WORK/result.txt"
cp "$BENCH_WORK/result.txt" "$out"
cat "$out"
