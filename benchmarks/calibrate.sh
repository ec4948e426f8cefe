#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Calibration benchmark on lab VMs (lab/vm.sh): per suite and memory size, arm a fresh VM with a start reservation,
# run playbooks/calibrate.yml (it crashes the VM per step and leaves it at the recommended size), then crash it
# again BENCH_CONFIRM times at the recommended size (the first on the live, shrunk reservation; later ones on the
# reservation the boot after it made) and count the captures. Rows:
#   proven minimum, highest size that failed, recommended, ratio recommended/minimum (target <= 1.25),
#   captures at the recommended size (target 100 %), the calibration's wall time and steps, the estimate it started
#   from, and the distribution's default for the VM's RAM (kdump_reserve size=auto) for comparison.
# Usage: benchmarks/calibrate.sh [SUITE:MiB ...]      (default: bookworm:1024 bookworm:2048)
# Env: BENCH_START (256M), BENCH_FLOOR (64M), BENCH_RESOLUTION (16M), BENCH_MARGIN (1.25), BENCH_CONFIRM (2),
#      BENCH_KEEP=1 (leave the last VM running). Takes the VM lab lock itself (one VM workload at a time).
# Writes benchmarks/results/calibrate-<date>.txt and prints it; playbook logs go to .lab/bench-calibrate/.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lock_dir=${LOCK_DIR:-/tmp/fleet-kdump-locks}
if [ -z "${FLEET_KDUMP_VM_LOCKED:-}" ]; then
    mkdir -p "$lock_dir"
    echo "[bench] waiting for the VM lab lock $lock_dir/vm-lab.lock" >&2
    FLEET_KDUMP_VM_LOCKED=1 exec flock "$lock_dir/vm-lab.lock" "$0" "$@"
fi
cd "$repo"
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(bookworm:1024 bookworm:2048)
start=${BENCH_START:-256M}
floor=${BENCH_FLOOR:-64M}
resolution=${BENCH_RESOLUTION:-16M}
margin=${BENCH_MARGIN:-1.25}
confirm=${BENCH_CONFIRM:-2}
vm=bench-cal
phrase='I understand this host will crash'
work=$repo/.lab/bench-calibrate/$(date +%Y%m%d-%H%M)
mkdir -p "$work"

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
[ -x .venv/bin/ansible-playbook ] || make --no-print-directory venv
# the collection as ansible_collections/fleet/kdump: a copy of this checkout, like `make` builds for tests
make --no-print-directory collection-tree BUILD="$work/collection" >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$work/collection ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_PIPELINING=1
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_TIMEOUT=30
unset ANSIBLE_CONFIG

cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] || lab/vm.sh down "$vm" >/dev/null 2>&1 || true; }
trap cleanup EXIT

play() {  # play LOGNAME ansible-playbook-args... -> rc; output in $work/LOGNAME.log
    local name=$1 rc=0
    shift
    .venv/bin/ansible-playbook -i "$inventory" "$@" >"$work/$name.log" 2>&1 || rc=$?
    echo "EXIT CODE: $rc" >>"$work/$name.log"
    return $rc
}

cat >"$work/arm.yml" <<'PLAY'
- name: Arm the benchmark VM
  hosts: all
  gather_facts: false
  tasks:
    - name: Apply fleet.kdump.kdump
      ansible.builtin.include_role:
        name: fleet.kdump.kdump
    - name: The distribution's default for this VM (size=auto, check mode)
      fleet.kdump.kdump_reserve:
        size: auto
      check_mode: true
      register: bench_auto
    - name: Print it
      ansible.builtin.debug:
        msg: "BENCH distro_default={{ bench_auto.desired }} ram={{ bench_auto.reserved_bytes }} kernel={{ __kdump_verify.kernel | default('') }}"
PLAY

rows=()
for case in "${cases[@]}"; do
    suite=${case%%:*}
    memory=${case##*:}
    tag=$suite-$memory
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    log "$tag: fresh VM"
    lab/vm.sh down "$vm" >/dev/null 2>&1 || true
    FLEET_KDUMP_VM_SUITE=$suite lab/vm.sh build "$suite" >/dev/null
    FLEET_KDUMP_VM_SUITE=$suite FLEET_KDUMP_VM_MEMORY=$memory lab/vm.sh up "$vm" >/dev/null
    inventory=$work/inventory-$tag.ini
    lab/vm.sh inventory kdump_canary "$vm" >"$inventory"

    log "$tag: arm with crashkernel=$start"
    play "$tag-arm" "$work/arm.yml" -e "kdump_crashkernel=$start" -e kdump_reboot=if_needed ||
        { log "arming failed: $work/$tag-arm.log"; exit 1; }
    distro=$(grep -o 'BENCH distro_default=[^ ]*' "$work/$tag-arm.log" | tail -n 1 | cut -d= -f2)

    log "$tag: calibrate (floor $floor, resolution $resolution, margin $margin)"
    started=$(date +%s)
    rc=0
    play "$tag-calibrate" playbooks/calibrate.yml -e "kdump_crash_test_confirm='$phrase'" \
        -e "kdump_calibrate_floor=$floor" -e "kdump_calibrate_resolution=$resolution" \
        -e "kdump_calibrate_margin=$margin" -e "kdump_report_dir=$work/report-$tag" || rc=$?
    wall=$(($(date +%s) - started))
    [ "$rc" -eq 0 ] || log "$tag: calibration failed (rc $rc): $work/$tag-calibrate.log"
    record=$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
print(json.dumps(report["hosts"][0].get("calibration") or {}))' "$work/report-$tag/kdump-report.json" 2>/dev/null || echo '{}')

    captured=0
    recommended=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("recommended_size") or "")' "$record")
    if [ "$rc" -eq 0 ] && [ -n "$recommended" ]; then
        for round in $(seq 1 "$confirm"); do
            log "$tag: crash $round/$confirm at the recommended $recommended"
            if play "$tag-confirm-$round" playbooks/crash_test.yml -e kdump_crash_test=true \
                -e "kdump_crash_test_confirm='$phrase'" -e "kdump_report_dir=$work/report-$tag-confirm-$round" &&
                python3 -c '
import json, sys
host = json.load(open(sys.argv[1]))["hosts"][0]
sys.exit(0 if host["crash_test"]["status"] == "passed" and host["reserved_bytes"] == int(sys.argv[2]) else 1)' \
                    "$work/report-$tag-confirm-$round/kdump-report.json" \
                    "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["recommended"])' "$record")"; then
                captured=$((captured + 1))
            fi
        done
    fi
    load_end=$(cut -d' ' -f1-3 /proc/loadavg)
    row=$(python3 - "$record" "$tag" "$distro" "$wall" "$captured" "$confirm" "$load_start" "$load_end" \
        "$repo/plugins/module_utils/crashkernel.py" <<'PY'
import importlib.util, json, sys
record, tag, distro, wall, captured, confirm, load_start, load_end, ck_path = sys.argv[1:]
spec = importlib.util.spec_from_file_location("crashkernel", ck_path)
ck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ck)
c = json.loads(record)
ram = int(c.get("ram_bytes") or 0)
try:
    default = ck.format_bytes(ck.parse(distro, strict=False).size_for(ram)) if distro else "-"
except ValueError:
    default = "?"
steps = ",".join("%s:%s" % (s["size_text"], {"captured": "ok", "not_loaded": "noload", "no_dump": "fail",
                                               "incomplete_dump": "partial"}.get(s["outcome"], s["outcome"]))
                 for s in c.get("steps", []))
print("%-14s %-17s %5s %-10s %-8s %-8s %-8s %5s %-7s %6s %5s %-16s %-19s %s | %s" % (
    tag, c.get("kernel", "-"), "%dM" % (ram >> 20) if ram else "-", c.get("status", "FAILED"),
    c.get("minimum_size") or "-", c.get("highest_failure_size") or "-", c.get("recommended_size") or "-",
    c.get("ratio") or "-", "%s/%s" % (captured, confirm), c.get("seconds", wall), len(c.get("steps", [])),
    "%s(%s)" % (c.get("estimate_size") or "-", (c.get("estimate_source") or "-").replace(" ", "_")),
    "%s(%s)" % (default, distro or "-"), load_start.replace(" ", "/"), steps))
PY
)
    log "$row"
    rows+=("$row")
done

result=benchmarks/results/calibrate-$(date +%Y%m%d-%H%M).txt
{
    echo "# fleet.kdump calibration benchmark ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD))"
    echo "# lab VMs: QEMU accel=$(cat .lab/vm/$vm/accel 2>/dev/null || echo tcg), ${FLEET_KDUMP_VM_CPUS:-2} vCPU; host: $(nproc) cores, shared with other work"
    echo "# start crashkernel=$start, floor $floor, resolution $resolution, margin $margin; then $confirm crash(es) at the recommended size"
    echo "# minimum: smallest size that captured above every size that failed; highest_fail: largest size that did not capture"
    echo "# captured: crashes at the recommended size that wrote a complete dump (the first on the live, shrunk reservation,"
    echo "#   the next ones on the reservation of the boot after it); seconds: the calibration's wall time (steps crash the VM)"
    echo "# estimate: where the search started (kdump_verify estimate); distro_default: kdump_reserve size=auto for this RAM"
    echo "# load: host load average (1/5/15 min) when the case started; steps: size:outcome in the order tried"
    printf '%-14s %-17s %5s %-10s %-8s %-8s %-8s %5s %-7s %6s %5s %-16s %-19s %s | %s\n' case kernel ram status minimum \
        highest_fail recommend ratio captured seconds steps estimate distro_default load steps
    printf '%s\n' "${rows[@]}"
    echo "# host load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$result"
log "written $result (logs in $work)"
