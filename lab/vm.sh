#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# fleet.kdump VM lab: Debian VMs under QEMU with a real GRUB, for the kernel tier (reservation, reboot, crash).
#
#   lab/vm.sh setup-host                 install the host packages the lab needs (idempotent, apt)
#   lab/vm.sh build [SUITE]              build/cache the base image (bookworm|bullseye|trixie; default bookworm)
#                                        of the kdump stack FLEET_KDUMP_VM_STACK names
#   lab/vm.sh up NAME [PORT]             boot a VM on a copy-on-write overlay; returns once SSH login works
#   lab/vm.sh down NAME|--all            clean shutdown, then remove overlay, pid, sockets (serial log kept in logs/)
#   lab/vm.sh ssh NAME [COMMAND...]      root SSH into the VM
#   lab/vm.sh wait-ssh NAME [TIMEOUT]    wait until a real SSH login succeeds
#   lab/vm.sh inventory [GROUP [NAME...]] Ansible INI inventory of the running VMs (all, or NAMEs; group: vm)
#   lab/vm.sh serial NAME                path of the VM's serial console log
#   lab/vm.sh info NAME                  JSON (Molecule instance config): instance, address, port, user, identity_file, serial_log, suite, stack, accel
#   lab/vm.sh list                       running VMs
#   lab/vm.sh ssh-port NAME off|on       take the VM's SSH port forward away (a network drop as the controller
#                                        sees it: new connections refused, the guest runs on) or give it back
#   lab/vm.sh ssh-drop-on-crash NAME SECONDS [WAIT]  once the VM's serial console shows a new sysrq crash (within
#                                        WAIT s, default 3000), take its SSH port forward away for SECONDS, then back
#   lab/vm.sh image-path [SUITE]         path of the cached base image (empty if not built)
#   lab/vm.sh clean                      down --all, remove the lab key and logs (cached images stay)
#
# Environment:
#   FLEET_KDUMP_VM_SUITE   default suite (bookworm)
#   FLEET_KDUMP_VM_STACK   the image's kdump stack: kdump-tools (default, Debian's own) | kdumputils (the RHEL
#                          stack, kdump-utils on Debian: a lab harness for the rhel family, molecule/vm-rhel-stack;
#                          bookworm only). kdumputils installs kdump-utils from $FLEET_KDUMP_ORACLES/kdump-utils
#                          (../shared/oracles, scripts/fetch-oracles.sh) by its own `make install`, and adds only the
#                          shims Debian's layout forces (lab/vm/guest-setup.sh, each with its reason):
#                          /usr/sbin/makedumpfile -> /usr/bin/makedumpfile (kdump-utils' dracut module installs
#                          /sbin/makedumpfile; without it mkdumprd exits 0 with a capture initrd lacking makedumpfile),
#                          grep in the capture initrd via /etc/dracut.conf.d (kdump-lib-initramfs.sh reads
#                          /etc/kdump.conf with grep; without it the capture kernel silently ignores kdump.conf).
#   FLEET_KDUMP_LAB_DIR    runtime state (default: <repo>/.lab, git-ignored by its own .gitignore)
#   FLEET_KDUMP_LAB_CACHE  base image cache (default: /var/cache/fleet-kdump)
#   FLEET_KDUMP_VM_ACCEL   tcg (default) | kvm | auto (probe KVM with a short timeout, fall back to tcg)
#   FLEET_KDUMP_VM_MEMORY  MiB (default 1024)   FLEET_KDUMP_VM_CPUS (default 2)
#   FLEET_KDUMP_VM_BOOT_TIMEOUT  seconds to wait for SSH in `up` (default 600)
#   FLEET_KDUMP_VM_GUESTFWD  at `up`: space-separated GUESTADDR:PORT=HOSTADDR:HOSTPORT; each guest connection to
#                          GUESTADDR:PORT (in 10.0.2.0/24) is relayed to HOSTADDR:HOSTPORT on this machine
#                          (lab/vm/tcp-relay.py), e.g. 10.0.2.100:22=127.0.0.1:22281 for a dump server container
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
lab_dir=${FLEET_KDUMP_LAB_DIR:-$repo/.lab}
vm_root=$lab_dir/vm
cache_dir=${FLEET_KDUMP_LAB_CACHE:-/var/cache/fleet-kdump}
default_suite=${FLEET_KDUMP_VM_SUITE:-bookworm}
stack=${FLEET_KDUMP_VM_STACK:-kdump-tools}
memory=${FLEET_KDUMP_VM_MEMORY:-1024}
cpus=${FLEET_KDUMP_VM_CPUS:-2}
boot_timeout=${FLEET_KDUMP_VM_BOOT_TIMEOUT:-600}
key=$lab_dir/id_ed25519
host_packages=(qemu-system-x86 qemu-utils debootstrap fdisk e2fsprogs grub-pc-bin openssh-client util-linux mount make)

log() { printf '[lab/vm %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ssh_opts() {
    printf '%s\n' -i "$key" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=10 -o BatchMode=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=3
}

check_suite() {
    case $1 in
        bookworm | bullseye | trixie) ;;
        *) die "unknown suite '$1' (valid: bookworm, bullseye, trixie)" ;;
    esac
    case $stack in
        kdump-tools) ;;
        # measured on bookworm only (dracut-core 059, kexec-tools 2.0.25, makedumpfile 1.7.2)
        kdumputils) [ "$1" = bookworm ] || die "FLEET_KDUMP_VM_STACK=kdumputils is bookworm only (got suite '$1')" ;;
        *) die "FLEET_KDUMP_VM_STACK=$stack (valid: kdump-tools, kdumputils)" ;;
    esac
}

# the kdump-utils source tree the kdumputils stack installs (empty when there is none)
kdump_utils_source() {
    local dir=${FLEET_KDUMP_ORACLES:-}/kdump-utils
    if [ -n "${FLEET_KDUMP_ORACLES:-}" ] && [ -f "$dir/kdumpctl" ]; then
        (cd "$dir" && pwd)
    fi
}

# cache key: the recipe files and the suite; a change to either builds a new image. The kdumputils stack's
# images are named kdumputils-SUITE-DIGEST, their key also covers the kdump-utils source installed.
image_path() {
    local suite=$1 digest src
    if [ "$stack" = kdumputils ]; then
        src=$(kdump_utils_source)
        [ -n "$src" ] || die "FLEET_KDUMP_VM_STACK=kdumputils needs FLEET_KDUMP_ORACLES (a directory holding kdump-utils/)"
        digest=$({ cat "$here/vm/build-image.sh" "$here/vm/guest-setup.sh"
            (cd "$src" && find . -path ./.git -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum); } |
            sha256sum | cut -c1-12)
        printf '%s/kdumputils-%s-%s.qcow2\n' "$cache_dir" "$suite" "$digest"
        return
    fi
    digest=$(cat "$here/vm/build-image.sh" "$here/vm/guest-setup.sh" | sha256sum | cut -c1-12)
    printf '%s/debian-%s-%s.qcow2\n' "$cache_dir" "$suite" "$digest"
}

init_lab_dir() {
    mkdir -p "$vm_root" "$lab_dir/logs"
    [ -e "$lab_dir/.gitignore" ] || printf '*\n' >"$lab_dir/.gitignore"
    if [ ! -e "$key" ]; then
        ssh-keygen -q -t ed25519 -N '' -C "fleet-kdump-lab-$(date +%s)" -f "$key"
    fi
}

cmd_setup_host() {
    local missing=() pkg
    for pkg in "${host_packages[@]}"; do
        dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "host packages present"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
    log "installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

cmd_build() {
    local suite=${1:-$default_suite} image started
    check_suite "$suite"
    image=$(image_path "$suite")
    if [ -s "$image" ]; then
        log "cached image $image"
        printf '%s\n' "$image"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "building an image needs root (loop devices, debootstrap)"
    cmd_setup_host
    mkdir -p "$cache_dir"
    # one build per suite at a time (e.g. `make demo` beside `make molecule-vm`); the loser uses the winner's image
    exec 9>"$cache_dir/.build-$suite.lock"
    flock 9
    if [ -s "$image" ]; then
        exec 9>&-
        log "cached image $image (built meanwhile)"
        printf '%s\n' "$image"
        return 0
    fi
    started=$(date +%s)
    log "building $suite image, kdump stack $stack (debootstrap + GRUB; a few minutes)"
    if [ "$stack" = kdumputils ]; then
        "$here/vm/build-image.sh" "$suite" "$image" kdumputils "$(kdump_utils_source)"
    else
        "$here/vm/build-image.sh" "$suite" "$image"
        # kdumputils images are not pruned: their key also follows the kdump-utils source, remove them by hand
        prune_images "$suite" "$image"
    fi
    log "built $image in $(($(date +%s) - started)) s"
    exec 9>&-
    printf '%s\n' "$image"
}

# older images of a suite (an older recipe) go, unless a VM's overlay still uses one as its backing file
prune_images() {
    local suite=$1 keep=$2 old overlay used
    for old in "$cache_dir"/debian-"$suite"-*.qcow2; do
        if [ ! -f "$old" ] || [ "$old" = "$keep" ]; then continue; fi
        used=0
        for overlay in "$vm_root"/*/disk.qcow2; do
            [ -f "$overlay" ] && head -c 65536 "$overlay" | grep -aqF "$old" && used=1
        done
        [ "$used" = 1 ] || { rm -f "$old"; log "removed the outdated image $old"; }
    done
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local port=2222
    while ! port_free "$port" || grep -qsx "$port" "$vm_root"/*/port; do
        port=$((port + 1))
    done
    printf '%s\n' "$port"
}

# KVM on some hosts (e.g. PVM) hangs Debian kernels: probe with the image's own kernel and a short timeout;
# a working accelerator gets the kernel to its "cannot mount root" panic in a few seconds.
probe_kvm() {
    local image=$1 dir cached result
    cached=$lab_dir/kvm-probe
    if [ -s "$cached" ]; then
        cat "$cached"
        return
    fi
    result=tcg
    if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        dir=$(mktemp -d "$lab_dir/kvm-probe.XXXXXX")
        # snapshot=on: the cached base image is never written
        timeout 30 qemu-system-x86_64 -machine q35,accel=kvm -cpu host -m 512 -display none -no-reboot \
            -drive "file=$image,if=virtio,format=qcow2,snapshot=on" \
            -serial "file:$dir/serial.log" >/dev/null 2>&1 || true
        grep -q 'login:\|Reached target' "$dir/serial.log" 2>/dev/null && result=kvm
        rm -rf "$dir"
    fi
    printf '%s\n' "$result" | tee "$cached"
}

vm_dir() { printf '%s/%s\n' "$vm_root" "$1"; }

vm_running() {
    local dir pid
    dir=$(vm_dir "$1")
    [ -s "$dir/vm.pid" ] || return 1
    pid=$(cat "$dir/vm.pid")
    kill -0 "$pid" 2>/dev/null
}

cmd_wait_ssh() {
    local name=$1 timeout=${2:-$boot_timeout} dir port deadline opts
    dir=$(vm_dir "$name")
    port=$(cat "$dir/port")
    mapfile -t opts < <(ssh_opts)
    deadline=$(($(date +%s) + timeout))
    # the forwarded port accepts TCP even while the guest is down: only a real login counts
    until ssh "${opts[@]}" -p "$port" root@127.0.0.1 true 2>/dev/null; do
        vm_running "$name" || { tail -n 30 "$dir/serial.log" >&2 || true; die "$name: QEMU exited"; }
        if [ "$(date +%s)" -ge "$deadline" ]; then
            tail -n 40 "$dir/serial.log" >&2 || true
            die "$name: no SSH login within $timeout s (serial log: $dir/serial.log)"
        fi
        sleep 3
    done
}

cmd_up() {
    local name=${1:?usage: up NAME [PORT]} port=${2:-} suite=$default_suite image dir accel cpu started netdev forward
    [[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "VM name '$name' must be lowercase letters, digits and dashes"
    check_suite "$suite"
    init_lab_dir
    dir=$(vm_dir "$name")
    if vm_running "$name"; then
        log "$name already running (port $(cat "$dir/port"))"
        return 0
    fi
    image=$(cmd_build "$suite")
    rm -rf "$dir"
    mkdir -p "$dir"
    [ -n "$port" ] || port=$(pick_port)
    port_free "$port" || die "port $port on 127.0.0.1 is in use"
    printf '%s\n' "$port" >"$dir/port"
    printf '%s\n' "$suite" >"$dir/suite"
    printf '%s\n' "$stack" >"$dir/stack"
    printf '%s' "$name" >"$dir/hostname"
    netdev="user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22"
    for forward in ${FLEET_KDUMP_VM_GUESTFWD:-}; do
        [[ $forward =~ ^(10\.0\.2\.[0-9]+:[0-9]+)=([0-9.]+):([0-9]+)$ ]] ||
            die "FLEET_KDUMP_VM_GUESTFWD entry '$forward' is not GUESTADDR:PORT=HOSTADDR:HOSTPORT (guest address in 10.0.2.0/24)"
        netdev+=",guestfwd=tcp:${BASH_REMATCH[1]}-cmd:python3 $here/vm/tcp-relay.py ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
    done
    printf '%s\n' "${FLEET_KDUMP_VM_GUESTFWD:-}" >"$dir/guestfwd"
    qemu-img create -q -f qcow2 -F qcow2 -b "$image" "$dir/disk.qcow2"
    accel=${FLEET_KDUMP_VM_ACCEL:-tcg}
    [ "$accel" = auto ] && accel=$(probe_kvm "$image")
    case $accel in
        tcg) cpu=max ;;
        kvm) cpu=host ;;
        *) die "FLEET_KDUMP_VM_ACCEL=$accel (valid: tcg, kvm, auto)" ;;
    esac
    printf '%s\n' "$accel" >"$dir/accel"
    started=$(date +%s)
    # no -no-reboot: the enabling reboot and the capture kernel's reboot need a normal reset
    qemu-system-x86_64 -name "fleet-kdump-$name" -machine "q35,accel=$accel" -cpu "$cpu" -smp "$cpus" -m "$memory" \
        -drive "file=$dir/disk.qcow2,if=virtio,format=qcow2,cache=writeback,discard=unmap" \
        -netdev "$netdev" -device virtio-net-pci,netdev=n0 \
        -device virtio-rng-pci \
        -fw_cfg "name=opt/fleet.kdump/authorized_keys,file=$key.pub" \
        -fw_cfg "name=opt/fleet.kdump/hostname,file=$dir/hostname" \
        -chardev "file,id=ser0,path=$dir/serial.log,append=on" -serial chardev:ser0 \
        -monitor "unix:$dir/mon.sock,server,nowait" -display none -daemonize -pidfile "$dir/vm.pid"
    log "$name booting ($stack, $accel, ${memory} MiB, $cpus CPU, ssh 127.0.0.1:$port, serial $dir/serial.log)"
    cmd_wait_ssh "$name" "$boot_timeout"
    log "$name up: SSH after $(($(date +%s) - started)) s"
}

monitor() {
    local dir=$1 command=$2
    python3 - "$dir/mon.sock" "$command" <<'PY' 2>/dev/null
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
time.sleep(0.2)
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.5)
s.close()
PY
}

wait_exit() {
    local pid=$1 seconds=$2
    while [ "$seconds" -gt 0 ]; do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 1
        seconds=$((seconds - 1))
    done
    ! kill -0 "$pid" 2>/dev/null
}

cmd_down() {
    local name=${1:?usage: down NAME|--all} dir pid opts
    if [ "$name" = --all ]; then
        for dir in "$vm_root"/*/; do
            [ -d "$dir" ] && cmd_down "$(basename "$dir")"
        done
        return 0
    fi
    dir=$(vm_dir "$name")
    [ -d "$dir" ] || { log "$name: not in the lab"; return 0; }
    if vm_running "$name"; then
        pid=$(cat "$dir/vm.pid")
        mapfile -t opts < <(ssh_opts)
        # clean shutdown: poweroff over SSH, then ACPI via the monitor, then quit QEMU, then signals
        timeout 15 ssh "${opts[@]}" -p "$(cat "$dir/port")" root@127.0.0.1 'systemctl poweroff' >/dev/null 2>&1 || true
        if ! wait_exit "$pid" 60; then
            monitor "$dir" system_powerdown || true
            wait_exit "$pid" 20 || { monitor "$dir" quit || true; wait_exit "$pid" 5; } ||
                { kill -TERM "$pid" 2>/dev/null; wait_exit "$pid" 5; } || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    if [ -s "$dir/serial.log" ]; then
        cp "$dir/serial.log" "$lab_dir/logs/$name-$(date +%Y%m%d%H%M%S).serial.log"
    fi
    rm -rf "$dir"
    log "$name down"
}

# The controller's view of a network drop: QEMU stops listening on the VM's forwarded SSH port (new connections are
# refused, as from a host whose network is gone) while the guest runs on; `on` listens again.
cmd_ssh_port() {
    local name=${1:?usage: ssh-port NAME off|on} state=${2:-} dir port
    dir=$(vm_dir "$name")
    vm_running "$name" || die "$name is not running"
    port=$(cat "$dir/port")
    case $state in
        off) monitor "$dir" "hostfwd_remove n0 tcp:127.0.0.1:$port" || die "$name: the QEMU monitor did not answer"
             sleep 1; port_free "$port" || die "$name: port $port still accepts connections" ;;
        on) port_free "$port" || { log "$name: port $port already forwarded"; return 0; }
            monitor "$dir" "hostfwd_add n0 tcp:127.0.0.1:$port-:22" || die "$name: the QEMU monitor did not answer"
            sleep 1; ! port_free "$port" || die "$name: port $port is not forwarded again" ;;
        *) die "usage: ssh-port NAME off|on (got '$state')" ;;
    esac
    log "$name: SSH port forward $port $state"
}

# A network drop during a crash wait: watch the serial console for a crash newer than the call, then drop SSH.
cmd_ssh_drop_on_crash() {
    local name=${1:?usage: ssh-drop-on-crash NAME SECONDS [WAIT]} seconds=${2:?usage: ssh-drop-on-crash NAME SECONDS [WAIT]}
    local wait=${3:-3000} dir serial seen deadline crashed off_at
    [[ $seconds =~ ^[0-9]+$ && $wait =~ ^[0-9]+$ ]] || die "SECONDS and WAIT must be whole seconds (got '$seconds' '$wait')"
    dir=$(vm_dir "$name")
    serial=$dir/serial.log
    vm_running "$name" || die "$name is not running"
    seen=$(grep -c 'sysrq: Trigger a crash' "$serial" || true)
    deadline=$(($(date +%s) + wait))
    log "$name: waiting for a crash on the serial console (one seen before: $seen)"
    while [ "$(grep -c 'sysrq: Trigger a crash' "$serial" || true)" -le "$seen" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || die "$name: no new crash on the serial console within $wait s"
        sleep 1
    done
    crashed=$(date +%s)
    cmd_ssh_port "$name" off
    off_at=$(date +%s)
    sleep "$seconds"
    cmd_ssh_port "$name" on
    # on stdout: what the scenario asserts
    printf 'ssh refused from %s s to %s s after the crash\n' "$((off_at - crashed))" "$(($(date +%s) - crashed))"
}

cmd_ssh() {
    local name=${1:?usage: ssh NAME [COMMAND...]} dir opts
    shift
    dir=$(vm_dir "$name")
    [ -s "$dir/port" ] || die "$name is not running"
    mapfile -t opts < <(ssh_opts)
    exec ssh "${opts[@]}" -p "$(cat "$dir/port")" root@127.0.0.1 "$@"
}

# ServerAlive: a guest that reboots or crashes never closes its TCP connections through QEMU's user network, so
# without keepalives an SSH connection (e.g. Ansible's ControlMaster during ansible.builtin.reboot) hangs for good.
cmd_inventory() {
    local group=${1:-vm} dir name
    shift || true
    printf '[%s]\n' "$group"
    for dir in "$vm_root"/*/; do
        [ -s "$dir/port" ] || continue
        name=$(basename "$dir")
        vm_running "$name" || continue
        [ $# -eq 0 ] || [[ " $* " == *" $name "* ]] || continue
        printf "%s ansible_host=127.0.0.1 ansible_port=%s ansible_user=root ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=6' fleet_kdump_serial_log=%s\n" \
            "$name" "$(cat "$dir/port")" "$key" "$vm_root/$name/serial.log"
    done
}

cmd_info() {
    local name=${1:?usage: info NAME} dir
    dir=$(vm_dir "$name")
    vm_running "$name" || die "$name is not running"
    printf '{"instance": "%s", "name": "%s", "address": "127.0.0.1", "port": %s, "user": "root", "identity_file": "%s", "serial_log": "%s", "suite": "%s", "stack": "%s", "accel": "%s"}\n' \
        "$name" "$name" "$(cat "$dir/port")" "$key" "$dir/serial.log" "$(cat "$dir/suite")" "$(cat "$dir/stack" 2>/dev/null || echo kdump-tools)" "$(cat "$dir/accel")"
}

cmd_list() {
    local dir name
    for dir in "$vm_root"/*/; do
        [ -d "$dir" ] || continue
        name=$(basename "$dir")
        if vm_running "$name"; then
            printf '%s\trunning\tport=%s\tsuite=%s\taccel=%s\n' "$name" "$(cat "$dir/port")" "$(cat "$dir/suite")" "$(cat "$dir/accel")"
        else
            printf '%s\tstopped\n' "$name"
        fi
    done
}

cmd_clean() {
    cmd_down --all
    rm -rf "$vm_root" "$lab_dir/logs" "$key" "$key.pub" "$lab_dir/kvm-probe"
    log "lab state removed (cached images stay in $cache_dir)"
}

main() {
    local command=${1:-help}
    shift || true
    case $command in
        setup-host) cmd_setup_host ;;
        build) cmd_build "$@" >/dev/null ;;
        image-path) check_suite "${1:-$default_suite}"; image=$(image_path "${1:-$default_suite}"); if [ -s "$image" ]; then printf '%s\n' "$image"; fi ;;
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        ssh) cmd_ssh "$@" ;;
        ssh-port) cmd_ssh_port "$@" ;;
        ssh-drop-on-crash) cmd_ssh_drop_on_crash "$@" ;;
        wait-ssh) init_lab_dir; cmd_wait_ssh "$@" ;;
        inventory) cmd_inventory "$@" ;;
        serial) printf '%s/serial.log\n' "$(vm_dir "${1:?usage: serial NAME}")" ;;
        info) cmd_info "$@" ;;
        list) cmd_list ;;
        clean) cmd_clean ;;
        help | -h | --help) awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" ;;
        *) die "unknown command '$command' (see: lab/vm.sh help)" ;;
    esac
}

main "$@"
