#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# `make demo`: build a small lab fleet (one Debian VM as the canary, SSH containers as the rest), run
# playbooks/site.yml with the crash test confirmed for the canary, and print the report's summary.
# The lab is torn down at the end unless KEEP=1.
#
# Environment: KEEP=1 (keep the lab), DEMO_CONTAINERS (default 3), FLEET_KDUMP_VM_SUITE (default bookworm),
# DEMO_CRASHKERNEL (default 192M: fits the 1 GiB canary), DEMO_REPORT_DIR (default <repo>/.lab/demo-report).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
lab_dir=${FLEET_KDUMP_LAB_DIR:-$repo/.lab}
containers=${DEMO_CONTAINERS:-3}
crashkernel=${DEMO_CRASHKERNEL:-192M}
report_dir=${DEMO_REPORT_DIR:-$lab_dir/demo-report}
canary=demo-canary
fleet_name=demo
inventory_vm=$lab_dir/demo-vm-inventory.ini
confirm_phrase='I understand this host will crash'
watcher_pid=""

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# shellcheck disable=SC2317  # called by the EXIT trap below
teardown() {
    local rc=$?
    if [ -n "$watcher_pid" ]; then
        kill "$watcher_pid" 2>/dev/null || true
        wait "$watcher_pid" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        say "KEEP=1: the lab stays up. VM: lab/vm.sh ssh $canary; containers: lab/container.sh (LAB_NAME=$fleet_name)"
        say "tear down later with: lab/vm.sh down $canary && LAB_NAME=$fleet_name lab/container.sh fleet-down"
    else
        say "tearing the lab down"
        lab/vm.sh down "$canary" || true
        if [ -x lab/container.sh ] && [ "$containers" -gt 0 ]; then
            LAB_NAME=$fleet_name lab/container.sh fleet-down || true
        fi
        rm -rf "$inventory_vm" "$lab_dir/demo-collection"
    fi
    exit "$rc"
}

# Narrates what the canary is doing from its serial console while Ansible waits silently
# (reboots, crash, capture kernel): the serial log is the only place these steps show.
watch_canary() {
    local serial=$1
    exec python3 - "$serial" <<'PY'
import os, sys, time
path = sys.argv[1]
events = [
    ("GNU GRUB", "canary: firmware/GRUB, booting"),
    ("Linux version", "canary: kernel starting"),
    ("crashkernel=", None),
    ("sysrq: Trigger a crash", "canary: sysrq-c received, kernel panicking on purpose"),
    ("Starting crashdump kernel", "canary: kexec into the capture kernel"),
    ("running makedumpfile --dump-dmesg", "canary: capture kernel up, saving dmesg"),
    ("running makedumpfile -", "canary: capture kernel writing the dump (makedumpfile)"),
    ("saved vmcore in", "canary: dump saved, rebooting into the normal kernel"),
    ("login:", "canary: boot finished"),
]
start = time.monotonic()
pos = os.path.getsize(path) if os.path.exists(path) else 0  # only what happens from now on
seen_crash = False
while True:
    try:
        with open(path, "rb") as handle:
            handle.seek(pos)
            data = handle.read()
    except FileNotFoundError:
        time.sleep(1)
        continue
    if data:
        cut = data.rfind(b"\n") + 1
        pos += cut
        for raw in data[:cut].splitlines():
            line = raw.decode("utf-8", "replace")
            for marker, text in events:
                if marker in line and text:
                    if marker == "Linux version" and seen_crash:
                        text = "canary: capture kernel (or normal kernel after capture) starting"
                    if marker.startswith("sysrq"):
                        seen_crash = True
                    print("    [%4ds] %s" % (time.monotonic() - start, text), flush=True)
                    break
    time.sleep(0.5)
PY
}

started=$(date +%s)
say "host packages and Python tools"
lab/vm.sh setup-host
[ -x lab/container.sh ] && [ "$containers" -gt 0 ] && lab/container.sh setup-host
[ -x .venv/bin/ansible-playbook ] || make --no-print-directory venv
# the collection as ansible_collections/fleet/kdump (a copy of the working tree, like `make` builds for tests)
collection_tree=$lab_dir/demo-collection
make --no-print-directory collection-tree BUILD="$collection_tree" >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$collection_tree:${HOME}/.ansible/collections
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-1}

say "images (cached after the first run: the VM image takes a few minutes once)"
lab/vm.sh build
[ -x lab/container.sh ] && [ "$containers" -gt 0 ] && lab/container.sh build

trap teardown EXIT
say "lab: VM $canary (canary) + $containers SSH container(s)"
if [ -x lab/container.sh ] && [ "$containers" -gt 0 ]; then
    LAB_NAME=$fleet_name LAB_CANARIES=0 LAB_SSH_PORT_BASE=${LAB_SSH_PORT_BASE:-22300} \
        lab/container.sh fleet-up "$containers"
fi
lab/vm.sh up "$canary"
{
    printf '# lab/demo.sh: the VM canary\n[kdump_canary]\n'
    lab/vm.sh inventory kdump_canary "$canary" | sed 1d
} >"$inventory_vm"
inventories=(-i "$inventory_vm")
if [ -x lab/container.sh ] && [ "$containers" -gt 0 ]; then
    inventories+=(-i "$(LAB_NAME=$fleet_name lab/container.sh inventory)")
fi

say "ansible-playbook playbooks/site.yml (configure all, reboot + crash-test the canary, roll out the rest)"
echo "    the canary reboots into its reservation, then crashes on purpose: expect 5-10 minutes under TCG"
watch_canary "$(lab/vm.sh serial "$canary")" &
watcher_pid=$!
rm -rf "$report_dir"
set +e
.venv/bin/ansible-playbook "${inventories[@]}" playbooks/site.yml \
    -e "$(printf '{"kdump_reboot": "if_needed", "kdump_crashkernel": "%s", "kdump_crash_test": true, "kdump_crash_test_confirm": "%s", "kdump_report_dir": "%s"}' \
        "$crashkernel" "$confirm_phrase" "$report_dir")"
play_rc=$?
set -e
kill "$watcher_pid" 2>/dev/null || true
wait "$watcher_pid" 2>/dev/null || true
watcher_pid=""

say "report: $report_dir"
echo "    $report_dir/kdump-report.md (for people), $report_dir/kdump-report.json (for machines)"
if [ -s "$report_dir/kdump-report.json" ]; then
    python3 - "$report_dir/kdump-report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
summary, hosts = report.get("summary", {}), report.get("hosts", [])
print("\nSummary: %s host(s): %s armed, %s reboot pending, %s not armed; crash tests passed on %s"
      % (summary.get("hosts"), summary.get("armed"), summary.get("reboot_pending"), summary.get("not_armed"),
         ", ".join(summary.get("crash_tests_passed") or []) or "none"))
for host in hosts:
    reasons = "; ".join(host.get("errors") or [])
    print("  %-14s %-15s crash test: %-8s %s" % (host.get("host"), host.get("state"),
          (host.get("crash_test") or {}).get("status"), reasons[:90]))
    for dump in host.get("dumps") or []:
        print("      dump %s (%s bytes, %s)\n        panic: %s" % (dump.get("path"), dump.get("size_bytes"),
              "complete" if dump.get("complete") else "INCOMPLETE", ((dump.get("panic") or "").splitlines() or [""])[0]))
PY
fi
echo
echo "serial console of the canary: $(lab/vm.sh serial "$canary") (kept under $lab_dir/logs/ after teardown)"
echo "demo finished in $(elapsed $(($(date +%s) - started))) (ansible-playbook exit code $play_rc)"
exit "$play_rc"
