# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# shellcheck shell=bash
#
# Shared by benchmarks/fleet.sh and benchmarks/vm.sh (sourced, not run): the idle gate, timed runs with the
# controller's CPU, the SSH processes of a run, and the LSR peer role's location.
#
# The idle gate: before each timed run the 1-minute load average must be at most BENCH_IDLE_LOAD (default: the
# number of CPUs, so 2 on this 2-core machine). A run waits up to BENCH_IDLE_WAIT seconds (default 300) for the
# load to fall, since the previous timed run itself leaves it high for a minute or two; if it does not fall, the
# benchmark stops with exit code 3 and writes nothing. With --force (BENCH_FORCE=1) it does not wait and the
# result file says FORCED with the loads measured. The load after each run is recorded too; it includes the
# run's own work, so it is information, not a gate.

BENCH_FORCE=${BENCH_FORCE:-0}
BENCH_IDLE_LOAD=${BENCH_IDLE_LOAD:-$(nproc)}
BENCH_IDLE_WAIT=${BENCH_IDLE_WAIT:-300}
# The LSR kdump role 1.6.1 is pinned outside the collection, in the shared peers folder (its README says how to
# run it on Debian). It is used from there, never copied into the collection.
FLEET_KDUMP_PEERS=${FLEET_KDUMP_PEERS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/peers}
# The LSR role on Debian 12: it has no Debian vars file, so give it the Ubuntu vars without linux-crashdump
# (peers/README.md).
# shellcheck disable=SC2034  # used by the scripts that source this file
LSR_DEBIAN_VARS='{"__kdump_packages":["iproute2","kexec-tools","kdump-tools","openssh-client"],"__kdump_conf_file":"/etc/default/kdump-tools","__kdump_service":"kdump-tools","kdump_kdump_tools":{"USE_KDUMP":1,"KDUMP_COREDIR":"/var/crash"}}'
BENCH_NOT_IDLE=()   # "run: load" of each timed run that started above the limit (only with --force)

bench_log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

bench_load() { cut -d' ' -f1 /proc/loadavg; }

bench_check_peer() {
    [ -f "$FLEET_KDUMP_PEERS/lsr-kdump/tasks/main.yml" ] || {
        echo "no LSR kdump role in $FLEET_KDUMP_PEERS/lsr-kdump (set FLEET_KDUMP_PEERS to the folder holding lsr-kdump/)" >&2
        exit 1
    }
}

bench_above() {  # bench_above LOAD -> true if LOAD > BENCH_IDLE_LOAD
    awk -v l="$1" -v m="$BENCH_IDLE_LOAD" 'BEGIN { exit !(l > m) }'
}

bench_wait_idle() {  # bench_wait_idle RUN: wait for an idle machine; stop (exit 3) if it stays busy, unless forced
    local run=$1 waited=0 load
    load=$(bench_load)
    if [ "$BENCH_FORCE" = 1 ]; then
        bench_above "$load" && BENCH_NOT_IDLE+=("$run: $load")
        return 0
    fi
    while bench_above "$load"; do
        if [ "$waited" -ge "$BENCH_IDLE_WAIT" ]; then
            bench_log "refusing to record: 1-min load $load > $BENCH_IDLE_LOAD before '$run' after waiting ${waited} s" \
                "($(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | awk '{ printf "%s %s%%; ", $2, $1 }'))." \
                "Nothing was written. Rerun on an idle machine, or with --force to record it marked FORCED."
            exit 3
        fi
        [ "$waited" -eq 0 ] && bench_log "load $load > $BENCH_IDLE_LOAD: waiting up to ${BENCH_IDLE_WAIT} s before '$run'"
        sleep 10
        waited=$((waited + 10))
        load=$(bench_load)
    done
}

# bench_timed RUN LOG COMMAND... -> runs COMMAND (output to LOG) after the idle gate and records in
# $BENCH_WORK/RUN.time: "wall user sys rc load_before load_after", user/sys being the CPU seconds of COMMAND and
# the children it waited for (ansible-playbook, its workers, the SSH clients; not the SSH ControlPersist masters,
# which detach: bench_ssh_masters measures them).
bench_timed() {
    local run=$1 log=$2 before after rc=0
    shift 2
    bench_wait_idle "$run"
    before=$(bench_load)
    /usr/bin/time -o "$BENCH_WORK/$run.rusage" -f '%e %U %S' "$@" >"$log" 2>&1 || rc=$?
    after=$(bench_load)
    echo "EXIT CODE: $rc" >>"$log"
    echo "$(tail -n 1 "$BENCH_WORK/$run.rusage") $rc $before $after" >"$BENCH_WORK/$run.time"
    return "$rc"
}

bench_field() {  # bench_field RUN N -> field N of RUN's .time (1 wall, 2 user, 3 sys, 4 rc, 5 load before, 6 after)
    cut -d' ' -f"$2" "$BENCH_WORK/$1.time"
}

bench_ssh_wrapper() {  # bench_ssh_wrapper PATH LOG: an ssh_executable that logs one line per SSH process started
    cat >"$1" <<EOF
#!/bin/sh
echo "\$\$ \$*" >>"$2"
exec ssh "\$@"
EOF
    chmod 0755 "$1"
}

bench_tree_cpu() {  # bench_tree_cpu PID... -> CPU seconds used by these processes and all their descendants so far
    python3 - "$@" <<'PY'
import os, sys
tick = os.sysconf('SC_CLK_TCK')
stat = {}
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            with open('/proc/%s/stat' % pid) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        # after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15), counting from 0 at state
        stat[int(pid)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
children = {}
for pid, (ppid, _cpu) in stat.items():
    children.setdefault(ppid, []).append(pid)
todo, total = [int(p) for p in sys.argv[1:] if p.isdigit()], 0
while todo:
    pid = todo.pop()
    if pid in stat:
        total += stat[pid][1]
        todo.extend(children.get(pid, []))
print('%.2f' % (total / float(tick)))
PY
}

bench_ssh_masters() {  # bench_ssh_masters CONTROL_DIR -> "count cpu_seconds" of the SSH masters of a run; stops them
    local pids
    # a ControlPersist master renames itself "ssh: <control path> [mux]"
    pids=$(pgrep -f -- "$1/" || true)
    if [ -z "$pids" ]; then
        echo "0 0.00"
        return 0
    fi
    # shellcheck disable=SC2086
    echo "$(wc -w <<<"$pids") $(bench_tree_cpu $pids)"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
}

bench_tasks() {  # bench_tasks LOG N -> the N slowest tasks of a run, from the profile_tasks summary
    sed -n '/^TASKS RECAP/,$p' "$1" | grep -E -- '-{3,} +[0-9.]+s$' | head -n "$2" | sed 's/  */ /g; s/^/  /'
}

bench_machine() {
    echo "machine: $(uname -srm); $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
        "$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(. /etc/os-release && echo "$PRETTY_NAME")"
}

bench_gate_line() {  # the idle gate's verdict for the result file
    if [ "${#BENCH_NOT_IDLE[@]}" -gt 0 ]; then
        echo "FORCED: recorded with --force on a machine that was not idle (1-min load above $BENCH_IDLE_LOAD before: $(
            IFS=';'
            echo "${BENCH_NOT_IDLE[*]}"))"
    elif [ "$BENCH_FORCE" = 1 ]; then
        echo "FORCED: recorded with --force (every timed run still started at 1-min load <= $BENCH_IDLE_LOAD)"
    else
        echo "idle: every timed run started at 1-min load <= $BENCH_IDLE_LOAD ($(nproc) CPUs)"
    fi
}
