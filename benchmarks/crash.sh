#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Crash benchmark on a lab VM (lab/vm.sh): for each collector, crash the VM with sysrq-c and measure
#   crash_to_ssh   "sysrq: Trigger a crash" on the serial console -> first SSH login of the new boot
#   capture_boot   sysrq line -> kdump-tools' first line in the capture kernel ("running makedumpfile --dump-dmesg")
#   collector      kdump-tools' "running makedumpfile <args>" -> "saved vmcore in" (makedumpfile piped into the dump file)
#   dump_phase     sysrq line -> "saved vmcore in" (capture kernel boot + dmesg + collector)
#   dump_bytes     size of the dump file written
#   mdf_usr/sys    makedumpfile's own CPU time in the capture kernel (user: page checks and compression;
#                  sys: reading the old memory, the pipe, the page cache), from a bash `time` wrapper the
#                  benchmark VM (only) puts in front of /usr/bin/makedumpfile
# Times come from a follower that stamps each serial console line when it appears (wall clock of the host).
# Collectors, side by side in one run on the same VM (the order alternates between rounds, to cancel drift):
#   ours    the fleet.kdump default: the fastest compression this makedumpfile really supports (lzo on Debian 12)
#   distro  kdump-tools' default, -c (zlib)
#   none    control: no compression at all, the floor any compression flag could reach
# Usage: benchmarks/crash.sh [ROUNDS, default 2]   (env: FLEET_KDUMP_VM_SUITE, BENCH_CRASHKERNEL=192M, BENCH_KEEP=1)
# Writes benchmarks/results/crash-<suite>-<date>.txt and prints it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
rounds=${1:-2}
suite=${FLEET_KDUMP_VM_SUITE:-bookworm}
crashkernel=${BENCH_CRASHKERNEL:-192M}
vm=bench-crash
dump_level=31
work=$(mktemp -d /tmp/fleet-kdump-bench.XXXXXX)
follower_pid=""

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
vssh() { lab/vm.sh ssh "$vm" "$@"; }

cleanup() {
    [ -n "$follower_pid" ] && kill "$follower_pid" 2>/dev/null
    [ "${BENCH_KEEP:-0}" = 1 ] || lab/vm.sh down "$vm" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# stamp every serial console line with the host's wall clock as it appears
# (from the end of the log as it is now; exec: killing the background job must kill the follower itself)
follow_serial() {
    exec python3 -u - "$1" "$2" <<'PY'
import os, sys, time
src, out = sys.argv[1], sys.argv[2]
pos = os.path.getsize(src)
with open(out, "a", buffering=1) as sink:
    while os.path.exists(src):
        with open(src, "rb") as handle:
            handle.seek(pos)
            data = handle.read()
        cut = data.rfind(b"\n") + 1
        if cut:
            now = time.time()
            pos += cut
            for raw in data[:cut].splitlines():
                sink.write("%.2f %s\n" % (now, raw.decode("utf-8", "replace")))
        time.sleep(0.05)
PY
}

boot_id() { vssh cat /proc/sys/kernel/random/boot_id 2>/dev/null || true; }

wait_new_boot() {
    local old=$1 deadline=$(($(date +%s) + 1200)) now
    while :; do
        now=$(boot_id)
        if [ -n "$now" ] && [ "$now" != "$old" ]; then
            date +%s.%N
            return 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { log "VM did not come back"; return 1; }
        sleep 1
    done
}

started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
lab/vm.sh build "$suite"
image_started=$(date +%s)
FLEET_KDUMP_VM_SUITE=$suite lab/vm.sh up "$vm"
boot_to_ssh=$(($(date +%s) - image_started))
serial=$(lab/vm.sh serial "$vm")

# "our default" is what the collection itself picks: makedumpfile.fastest() over what `makedumpfile -v` says
# this build supports (plugins/module_utils/makedumpfile.py, loaded from the file: it is pure stdlib)
read -r ours_name ours_flag supported < <(vssh makedumpfile -v 2>&1 | python3 -c '
import importlib.util, sys
spec = importlib.util.spec_from_file_location("makedumpfile", sys.argv[1])
mdf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mdf)
supported = mdf.supported_compressions(sys.stdin.read())
name = mdf.fastest(supported)
print(name, mdf.COMPRESSION_FLAGS[name], ",".join(sorted(supported)))
' "$repo/plugins/module_utils/makedumpfile.py")
log "makedumpfile supports: $supported; ours = $ours_name ($ours_flag), distro = zlib (-c)"

log "arming kdump by hand: crashkernel=$crashkernel, USE_KDUMP=1, reboot"
vssh "set -e
sed -i 's/^GRUB_CMDLINE_LINUX=\"\\(.*\\)\"/GRUB_CMDLINE_LINUX=\"\\1 crashkernel=$crashkernel\"/' /etc/default/grub
update-grub >/dev/null 2>&1
sed -i 's/^USE_KDUMP=.*/USE_KDUMP=1/' /etc/default/kdump-tools
grep -q crashkernel=$crashkernel /boot/grub/grub.cfg"
# Benchmark VM only, for both collectors alike:
# - makedumpfile's own CPU split: a bash `time` wrapper in front of the distro binary;
# - no kvm modules: TCG's CPU offers SVM, so udev in the capture kernel loads kvm_amd, seconds of emulated
#   work that land inside the collector window in some crashes and not in others (milliseconds on hardware).
vssh 'printf "%s\n" "blacklist kvm_amd" "blacklist kvm_intel" "blacklist kvm" >/etc/modprobe.d/fleet-bench-no-kvm.conf
dpkg-divert --quiet --local --rename --divert /usr/bin/makedumpfile.distrib --add /usr/bin/makedumpfile
cat >/usr/bin/makedumpfile && chmod 0755 /usr/bin/makedumpfile' <<'WRAPPER'
#!/bin/bash
TIMEFORMAT="fleet-bench-cpu user=%U sys=%S"
time /usr/bin/makedumpfile.distrib "$@"
WRAPPER
old=$(boot_id)
vssh 'systemctl reboot' >/dev/null 2>&1 || true
wait_new_boot "$old" >/dev/null
vssh 'grep -o "crashkernel=[^ ]*" /proc/cmdline; cat /sys/kernel/kexec_crash_loaded'

kernel=$(vssh uname -r)
makedumpfile_version=$(vssh makedumpfile -v 2>&1 | head -n 1)
rows=()
for round in $(seq 1 "$rounds"); do
    order=(ours distro none)
    [ $((round % 2)) -eq 0 ] && order=(none distro ours)
    for variant in "${order[@]}"; do
        case $variant in
            ours) comp=$ours_name args="-F $ours_flag -d $dump_level" ;;
            distro) comp=zlib args="-F -c -d $dump_level" ;;
            none) comp=none args="-F -d $dump_level" ;;
        esac
        log "round $round, $variant: MAKEDUMP_ARGS=\"$args\""
        vssh "set -e
sed -i '/^MAKEDUMP_ARGS=/d' /etc/default/kdump-tools
echo 'MAKEDUMP_ARGS=\"$args\"' >>/etc/default/kdump-tools
kdump-config reload >/dev/null
test \"\$(cat /sys/kernel/kexec_crash_loaded)\" = 1
rm -rf /var/crash/2*"
        stamped=$work/serial-$variant-$round.log
        : >"$stamped"
        follow_serial "$serial" "$stamped" &
        follower_pid=$!
        sleep 1
        old=$(boot_id)
        timeout 20 "$repo/lab/vm.sh" ssh "$vm" 'sync; sleep 1; echo c > /proc/sysrq-trigger' >/dev/null 2>&1 || true
        back=$(wait_new_boot "$old")
        sleep 1
        kill "$follower_pid" 2>/dev/null
        wait "$follower_pid" 2>/dev/null || true
        follower_pid=""
        size=$(vssh 'stat -c %s /var/crash/2*/dump.*' | head -n 1)
        # shellcheck disable=SC2016  # $t expands in the guest's shell, not here
        readable=$(vssh 'set -e; t=$(mktemp -d); makedumpfile -R $t/v < /var/crash/2*/dump.* >/dev/null; makedumpfile --dump-dmesg $t/v $t/d >/dev/null 2>&1; grep -c "sysrq: Trigger a crash" $t/d; rm -rf $t' || echo 0)
        row=$(python3 - "$stamped" "$back" "$variant" "$comp" "$args" "$size" "$readable" <<'PY'
import sys
path, back, variant, comp, args, size, readable = sys.argv[1:]
lines = [l.rstrip("\n").split(" ", 1) for l in open(path, encoding="utf-8")]
lines = [(float(t), text) for t, text in ((p[0], p[1] if len(p) > 1 else "") for p in lines)]
def first(marker, after=0.0):
    for t, text in lines:
        if t >= after and marker in text:
            return t
    raise SystemExit("marker %r not on the serial console" % marker)
import re
def line_of(marker, after=0.0):
    for t, text in lines:
        if t >= after and marker in text:
            return text
sysrq = first("sysrq: Trigger a crash")
dmesg = first("running makedumpfile --dump-dmesg", sysrq)
collect = first("running makedumpfile -F", sysrq)
saved = first("saved vmcore in", collect)
# the same step on the capture kernel's own clock (the "[  83.137884]" prefix of its console lines)
stamp = lambda text: float(re.search(r"\[\s*([0-9]+\.[0-9]+)\]", text).group(1))
guest = stamp(line_of("saved vmcore in", collect)) - stamp(line_of("running makedumpfile -F", sysrq))
cpu = re.search(r"fleet-bench-cpu user=([0-9.]+) sys=([0-9.]+)", line_of("fleet-bench-cpu", collect) or "")
user, system = (float(cpu.group(1)), float(cpu.group(2))) if cpu else (float("nan"), float("nan"))
print("%-7s %-5s %-12s %9.1f %9.1f %9.1f %9.1f %9.1f %8.1f %8.1f %12d %s" % (
    variant, comp, args.replace(" ", "_"), float(back) - sysrq, dmesg - sysrq, saved - collect, guest, saved - sysrq,
    user, system, int(size), "yes" if int(readable or 0) > 0 else "NO"))
PY
)
        log "$row"
        rows+=("$row")
    done
done

result=benchmarks/results/crash-$suite-$(date +%Y%m%d-%H%M).txt
{
    echo "# fleet.kdump crash benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo "# VM: Debian $suite, kernel $kernel, $makedumpfile_version"
    echo "# QEMU accel=$(cat "$repo/.lab/vm/$vm/accel" 2>/dev/null || echo tcg), ${FLEET_KDUMP_VM_MEMORY:-1024} MiB, ${FLEET_KDUMP_VM_CPUS:-2} vCPU, crashkernel=$crashkernel; host: $(nproc) cores"
    echo "# boot to SSH (fresh overlay): ${boot_to_ssh} s; benchmark VM only: kvm modules blacklisted, makedumpfile behind a bash \`time\` wrapper"
    echo "# seconds, from serial console lines stamped on arrival; crash_to_ssh ends at the first SSH login of the new boot"
    echo "# capture_boot: sysrq -> kdump-tools' first action in the capture kernel; collector: 'running makedumpfile' -> 'saved vmcore'"
    echo "# coll_gst: the collector step on the capture kernel's console clock; dump_phs: sysrq -> 'saved vmcore'"
    echo "# mdf_usr/mdf_sys: makedumpfile's CPU seconds in the capture kernel (user = page checks + compression)"
    echo "# host load average at the start: $load_start (other jobs on the host slow TCG down; compare within one run)"
    printf '%-7s %-5s %-12s %9s %9s %9s %9s %9s %8s %8s %12s %s\n' variant comp MAKEDUMP_ARGS crash_ssh capt_boot \
        collector coll_gst dump_phs mdf_usr mdf_sys dump_bytes readable
    printf '%s\n' "${rows[@]}"
    python3 - "${rows[@]}" <<'PY'
import statistics, sys
COLUMNS = "variant comp args crash_ssh capt_boot collector coll_gst dump_phs mdf_usr mdf_sys dump_bytes readable".split()
rows = [dict(zip(COLUMNS, r.split())) for r in sys.argv[1:]]
def median(variant, column):
    return statistics.median(float(r[column]) for r in rows if r["variant"] == variant)
def ratio(column, variant="ours", base="distro"):
    return median(variant, column) / median(base, column)
print("# medians over %d round(s): collector ours/distro = %.2f (guest clock %.2f; target <= 0.50); "
      "dump size ours/distro = %.2f (target <= 1.25)" % (
          sum(r["variant"] == "ours" for r in rows), ratio("collector"), ratio("coll_gst"), ratio("dump_bytes")))
print("# makedumpfile user CPU ours/distro = %.2f; collector none/distro = %.2f (no compression at all: the floor)"
      % (ratio("mdf_usr"), ratio("collector", "none")))
PY
} | tee "$result"
log "written $result in $(($(date +%s) - started)) s"
