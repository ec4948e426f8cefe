#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Benchmark (not a test): the per-host no-op on one Debian 12 VM under TCG (lab/vm.sh), fleet.kdump's role
# against the LSR kdump role 1.6.1 (the peer, pinned in ../shared/peers), in the same run on the same VM:
#   1. fleet.kdump.kdump converges the fresh VM (kdump_reboot=if_needed: the reservation becomes live), then its
#      no-op rerun is timed twice;
#   2. the LSR role converges the same VM (its template rewrites /etc/default/kdump-tools), then its no-op rerun
#      is timed twice;
#   3. a play of 10 x `command: true`, timed twice: what one module round-trip costs on this VM.
# Each play is the role alone (gather_facts false, as both roles gather what they need), with docs/ansible.cfg.
# Prints and writes benchmarks/results/vm-noop-<suite>.txt: the times, the SSH processes per run, the CPU of the
# controller and of QEMU, the slowest tasks, the ratio fleet.kdump/LSR (target <= 1/3) and each no-op in
# round-trips. Playbook output stays in .lab/bench-vm/.
#   benchmarks/vm.sh [--force] [--suite bookworm|bullseye|trixie]
#   --force  record on a busy machine; the file then says FORCED and the loads (see benchmarks/lib.sh: without it
#            each timed run waits for the 1-min load to fall to the CPU count, then stops with exit 3, writing nothing)
# Environment: FLEET_KDUMP_PEERS (the folder holding lsr-kdump/, default <repo>/../shared/peers), BENCH_RESULTS
# (default benchmarks/results), BENCH_IDLE_LOAD, BENCH_IDLE_WAIT, BENCH_KEEP=1 (leave the VM running),
# FLEET_KDUMP_VM_* as for lab/vm.sh. Takes the VM lab lock itself (one VM workload at a time). About 25-35 min.
set -euo pipefail

usage() { sed -n '4,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
args=("$@")
suite=bookworm
while [ $# -gt 0 ]; do
    case "$1" in
        --force) export BENCH_FORCE=1 ;;
        --suite) [ -n "${2:-}" ] || usage; suite=$2; shift ;;
        *) usage ;;
    esac
    shift
done
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lock_dir=${LOCK_DIR:-/tmp/fleet-kdump-locks}
if [ -z "${FLEET_KDUMP_VM_LOCKED:-}" ]; then
    mkdir -p "$lock_dir"
    echo "[bench] waiting for the VM lab lock $lock_dir/vm-lab.lock" >&2
    FLEET_KDUMP_VM_LOCKED=1 exec flock "$lock_dir/vm-lab.lock" "${BASH_SOURCE[0]}" "${args[@]}"
fi
# shellcheck source=benchmarks/lib.sh
. "$repo/benchmarks/lib.sh"
bench_check_peer
cd "$repo"
bin=$repo/.venv/bin
[ -x "$bin/ansible-playbook" ] || { echo "no $bin/ansible-playbook: run make venv" >&2; exit 1; }
results=${BENCH_RESULTS:-$repo/benchmarks/results}
vm=bench-noop
BENCH_WORK=$repo/.lab/bench-vm/$(date +%Y%m%d-%H%M%S)
mkdir -p "$BENCH_WORK/collections/ansible_collections/fleet"
ln -sfn "$repo" "$BENCH_WORK/collections/ansible_collections/fleet/kdump"
export ANSIBLE_CONFIG=$repo/docs/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$BENCH_WORK/collections ANSIBLE_NOCOLOR=1
export ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_TIMEOUT=30
export PROFILE_TASKS_TASK_OUTPUT_LIMIT=12 ANSIBLE_ROLES_PATH=$FLEET_KDUMP_PEERS

cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] || lab/vm.sh down "$vm" >/dev/null 2>&1 || true; }
trap cleanup EXIT

cat >"$BENCH_WORK/ours.yml" <<'PLAY'
- name: fleet.kdump role
  hosts: all
  gather_facts: false
  roles:
    - role: fleet.kdump.kdump
PLAY
cat >"$BENCH_WORK/lsr.yml" <<'PLAY'
- name: LSR kdump 1.6.1 (the peer)
  hosts: all
  gather_facts: false
  roles:
    - role: lsr-kdump
PLAY
cat >"$BENCH_WORK/baseline.yml" <<'PLAY'
- name: Round-trip baseline
  hosts: all
  gather_facts: false
  tasks:
    - name: Run true
      ansible.builtin.command: "true"
      changed_when: false
      loop: "{{ range(10) | list }}"
PLAY

bench_log "fresh $suite VM $vm"
lab/vm.sh down "$vm" >/dev/null 2>&1 || true
FLEET_KDUMP_VM_SUITE=$suite lab/vm.sh build "$suite" >/dev/null
FLEET_KDUMP_VM_SUITE=$suite lab/vm.sh up "$vm" >/dev/null
inventory=$BENCH_WORK/inventory.ini
lab/vm.sh inventory vm "$vm" >"$inventory"
vm_dir=${FLEET_KDUMP_LAB_DIR:-$repo/.lab}/vm/$vm
qemu_pid=$(cat "$vm_dir/vm.pid")

play() {  # play NAME PLAYBOOK [ARGS...] -> untimed (converges); output in $BENCH_WORK/NAME.log
    local name=$1 rc=0
    shift
    bench_log "$name"
    "$bin/ansible-playbook" -i "$inventory" "$@" >"$BENCH_WORK/$name.log" 2>&1 || rc=$?
    echo "EXIT CODE: $rc" >>"$BENCH_WORK/$name.log"
    [ "$rc" -eq 0 ] || { tail -40 "$BENCH_WORK/$name.log" >&2; echo "$name failed (rc $rc): $BENCH_WORK/$name.log" >&2; exit 1; }
}

timed() {  # timed NAME PLAYBOOK [ARGS...] -> timed; $BENCH_WORK/NAME.{log,time,ssh,masters,qemu}
    local name=$1 qemu_before cp
    shift
    # the SSH control sockets in a short private directory (a socket path has at most 107 bytes)
    cp=$(mktemp -d /tmp/fleet-kdump-bench.XXXXXX)
    bench_ssh_wrapper "$BENCH_WORK/ssh-$name" "$BENCH_WORK/$name.ssh"
    : >"$BENCH_WORK/$name.ssh"
    qemu_before=$(bench_tree_cpu "$qemu_pid")
    bench_log "$name (timed)"
    ANSIBLE_SSH_EXECUTABLE="$BENCH_WORK/ssh-$name" ANSIBLE_SSH_CONTROL_PATH_DIR="$cp" \
        bench_timed "$name" "$BENCH_WORK/$name.log" "$bin/ansible-playbook" -i "$inventory" "$@" || {
        tail -40 "$BENCH_WORK/$name.log" >&2
        echo "$name failed (rc $(bench_field "$name" 4)): $BENCH_WORK/$name.log" >&2
        exit 1
    }
    bench_ssh_masters "$cp" >"$BENCH_WORK/$name.masters"
    rm -rf "$cp"
    awk -v a="$qemu_before" -v b="$(bench_tree_cpu "$qemu_pid")" 'BEGIN { printf "%.2f", b - a }' >"$BENCH_WORK/$name.qemu"
    grep -qE 'changed=0 +unreachable=0 +failed=0' "$BENCH_WORK/$name.log" ||
        { echo "$name was not a no-op (changed or failed): $BENCH_WORK/$name.log" >&2; exit 1; }
    bench_log "$name: $(bench_field "$name" 1) s"
}

ours_vars=(-e kdump_reboot=if_needed)
lsr_vars=(-e "$LSR_DEBIAN_VARS" -e kdump_reboot_ok=true)
play ours-converge "$BENCH_WORK/ours.yml" "${ours_vars[@]}"
timed ours-noop-1 "$BENCH_WORK/ours.yml" "${ours_vars[@]}"
timed ours-noop-2 "$BENCH_WORK/ours.yml" "${ours_vars[@]}"
play lsr-converge "$BENCH_WORK/lsr.yml" "${lsr_vars[@]}"
timed lsr-noop-1 "$BENCH_WORK/lsr.yml" "${lsr_vars[@]}"
timed lsr-noop-2 "$BENCH_WORK/lsr.yml" "${lsr_vars[@]}"
timed baseline-1 "$BENCH_WORK/baseline.yml"
timed baseline-2 "$BENCH_WORK/baseline.yml"

mean() { awk -v a="$(bench_field "$1" 1)" -v b="$(bench_field "$2" 1)" 'BEGIN { printf "%.1f", (a + b) / 2 }'; }
ours=$(mean ours-noop-1 ours-noop-2)
lsr=$(mean lsr-noop-1 lsr-noop-2)
base=$(mean baseline-1 baseline-2)
line() {  # line NAME
    local masters
    masters=$(cat "$BENCH_WORK/$1.masters")
    printf '  %-12s %6.1f s  load %s -> %s; SSH processes %s; controller CPU %s s (+ SSH master %s s); QEMU CPU %s s\n' \
        "$1" "$(bench_field "$1" 1)" "$(bench_field "$1" 5)" "$(bench_field "$1" 6)" "$(wc -l <"$BENCH_WORK/$1.ssh")" \
        "$(awk -v u="$(bench_field "$1" 2)" -v s="$(bench_field "$1" 3)" 'BEGIN { printf "%.1f", u + s }')" \
        "${masters#* }" "$(cat "$BENCH_WORK/$1.qemu")"
}
mkdir -p "$results"
out=$results/vm-noop-$suite.txt
{
    echo "# benchmarks/vm.sh --suite $suite ($(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD))"
    bench_gate_line
    echo "VM: Debian $suite, QEMU accel=$(cat "$vm_dir/accel" 2>/dev/null || echo tcg), ${FLEET_KDUMP_VM_CPUS:-2} vCPU," \
        "${FLEET_KDUMP_VM_MEMORY:-1024} MiB; one VM for all runs; docs/ansible.cfg; each play is the role alone"
    echo "fleet.kdump: roles/kdump after its own converge (kdump_reboot=if_needed: the reservation is live, kdump armed)"
    echo "LSR: lsr-kdump 1.6.1 from $FLEET_KDUMP_PEERS after its own converge, Debian vars of peers/README.md"
    echo
    echo "no-op rerun, per host: fleet.kdump $ours s, LSR $lsr s (mean of two runs each)"
    echo "ratio fleet.kdump/LSR: $(awk -v a="$ours" -v b="$lsr" 'BEGIN { printf "%.2f", a / b }') (target <= 0.33)"
    echo "10 x command: true: $base s, so one module round-trip ~ $(awk -v b="$base" 'BEGIN { printf "%.1f", b / 10 }') s;" \
        "fleet.kdump's no-op ~ $(awk -v a="$ours" -v b="$base" 'BEGIN { printf "%.1f", a / (b / 10) }') round-trips," \
        "LSR's ~ $(awk -v a="$lsr" -v b="$base" 'BEGIN { printf "%.1f", a / (b / 10) }')"
    echo
    for name in ours-noop-1 ours-noop-2 lsr-noop-1 lsr-noop-2 baseline-1 baseline-2; do line "$name"; done
    for name in ours-noop-2 lsr-noop-2; do
        echo "slowest tasks of $name (profile_tasks):"
        bench_tasks "$BENCH_WORK/$name.log" 8
    done
    echo "raw (name wall user sys rc load_before load_after):"
    for name in ours-noop-1 ours-noop-2 lsr-noop-1 lsr-noop-2 baseline-1 baseline-2; do
        echo "  $name $(cat "$BENCH_WORK/$name.time")"
    done
    bench_machine
    echo "tools: $("$bin/ansible-playbook" --version 2>/dev/null | sed -n 1p); $(qemu-system-x86_64 --version | sed -n 1p)"
    echo "full output: $BENCH_WORK"
} >"$BENCH_WORK/result.txt"
cp "$BENCH_WORK/result.txt" "$out"
cat "$out"
