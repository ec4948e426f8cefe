#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Container lab for fleet.kdump: a Debian 12 systemd image built offline from Debian packages
# (debootstrap + podman import, no registry) and fleets of SSH-reachable containers.
#
#   lab/container.sh setup-host        podman/runc/debootstrap, containers.conf, inotify sysctls (idempotent)
#   lab/container.sh build [--force]   build localhost/fleet-kdump-debian12:latest unless its recipe is unchanged
#   lab/container.sh fleet-up N        start N SSH containers on 127.0.0.1 ports, write an inventory
#   lab/container.sh fleet-down        remove the fleet's containers
#   lab/container.sh inventory         print the path of the fleet inventory
#
# Environment: LAB_DIR (state, default <repo>/.lab), LAB_NAME (fleet name, default "fleet"),
# LAB_SSH_PORT_BASE (default 22200), LAB_CANARIES (hosts in kdump_canary, default 1),
# LAB_MIRROR (default http://deb.debian.org/debian), LAB_IMAGE.
#
# Containers are never started --privileged: on a host whose kernel has /proc/sysrq-trigger a crash
# task would otherwise take the host down. This host has neither kexec nor sysrq-trigger anyway.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_DIR="${LAB_DIR:-${REPO_ROOT}/.lab}"
LAB_NAME="${LAB_NAME:-fleet}"
LAB_IMAGE="${LAB_IMAGE:-localhost/fleet-kdump-debian12:latest}"
LAB_MIRROR="${LAB_MIRROR:-http://deb.debian.org/debian}"
LAB_SUITE="bookworm"
LAB_SSH_PORT_BASE="${LAB_SSH_PORT_BASE:-22200}"
LAB_CANARIES="${LAB_CANARIES:-1}"
LAB_LABEL="fleet.kdump.lab"
RECIPE_LABEL="fleet.kdump.recipe"

# Packages of the image. openssh-server serves the SSH fleet; Molecule uses the podman connection.
IMAGE_PACKAGES="systemd,systemd-sysv,dbus,python3,python3-apt,sudo,iproute2,procps,ca-certificates,kmod,udev,openssh-server"
# Units that cannot work (or only make noise) in an unprivileged container.
MASKED_UNITS="systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
getty@tty1.service console-getty.service serial-getty@.service systemd-remount-fs.service
systemd-modules-load.service systemd-firstboot.service sys-kernel-debug.mount sys-kernel-tracing.mount
dev-hugepages.mount systemd-sysctl.service"

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (root podman is required)"; }

# ---------------------------------------------------------------------------------------------- setup-host
write_if_changed() {  # write_if_changed PATH CONTENT
    local path="$1" content="$2"
    if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
        return 0
    fi
    mkdir -p "$(dirname "$path")"
    printf '%s\n' "$content" >"$path.tmp.$$"
    mv "$path.tmp.$$" "$path"
    log "wrote $path"
}

cmd_setup_host() {
    need_root
    local missing=() pkg
    for pkg in podman runc debootstrap; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi

    # No CAP_SYS_RESOURCE: podman's default ulimits exceed the hard nofile limit, so derive it from ulimit -Hn.
    # crun refuses cgroup v1 hybrid hosts (runc works); no systemd PID 1 / D-Bus on the host (cgroupfs, file events).
    local nofile
    nofile="$(ulimit -Hn)"
    [ "$nofile" = unlimited ] && nofile=1048576
    write_if_changed /etc/containers/containers.conf "# Managed by fleet.kdump lab/container.sh setup-host
[containers]
default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=32768:32768\"]

[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\""

    # Each systemd container uses ~6 inotify instances; the default 128 hangs fleets beyond ~25 containers.
    write_if_changed /etc/sysctl.d/60-fleet-kdump-lab.conf "fs.inotify.max_user_instances = 8192
fs.inotify.max_user_watches = 524288"
    local key want have
    for key in fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=524288; do
        want="${key#*=}"
        have="$(sysctl -n "${key%%=*}")"
        if [ "$have" -lt "$want" ]; then
            sysctl -q -w "$key"
            log "sysctl $key (was $have)"
        fi
    done
    log "host ready"
}

# --------------------------------------------------------------------------------------------------- build
# Everything below that shapes the image goes into the recipe hash (see recipe_hash).
customize_rootfs() {  # customize_rootfs ROOTFS
    local root="$1" unit
    for unit in $MASKED_UNITS; do
        ln -sf /dev/null "$root/etc/systemd/system/$unit"
    done
    # A fresh machine-id per container (systemd fills an empty file at boot).
    : >"$root/etc/machine-id"
    rm -f "$root/var/lib/dbus/machine-id"
    mkdir -p "$root/etc/systemd/journald.conf.d"
    printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' >"$root/etc/systemd/journald.conf.d/lab.conf"
    printf 'fleet-kdump-lab\n' >"$root/etc/hostname"
    printf 'deb %s %s main\n' "$LAB_MIRROR" "$LAB_SUITE" >"$root/etc/apt/sources.list"
    # No SSH host keys in the image (every container would share them): generate at first start.
    rm -f "$root"/etc/ssh/ssh_host_*
    mkdir -p "$root/etc/systemd/system/ssh.service.d"
    printf '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' \
        >"$root/etc/systemd/system/ssh.service.d/lab-hostkeys.conf"
    printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n' \
        >"$root/etc/ssh/sshd_config.d/lab.conf"
    install -d -m 0700 "$root/root/.ssh"
    # Empty lists, dated 1970: apt's cache_valid_time must see a stale cache, not a fresh empty one.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    mkdir -p "$root/var/lib/apt/lists/partial"
    touch -d @0 "$root/var/lib/apt/lists"
    rm -rf "$root"/var/log/*.log "$root"/tmp/* "$root"/var/tmp/*
}

recipe_hash() {
    {
        printf '%s\n' "$LAB_SUITE" "$LAB_MIRROR" "$IMAGE_PACKAGES" "$MASKED_UNITS"
        printf '%s\n' "${IMPORT_CHANGES[@]}"
        declare -f customize_rootfs
    } | sha256sum | cut -c1-16
}

IMPORT_CHANGES=('CMD ["/sbin/init"]' 'ENV container=podman' 'STOPSIGNAL SIGRTMIN+3')

import_rootfs() {  # import_rootfs ROOTFS HASH
    local change args=()
    for change in "${IMPORT_CHANGES[@]}" "LABEL ${RECIPE_LABEL}=$2"; do
        args+=(--change "$change")
    done
    tar --numeric-owner -C "$1" -c . | podman import --quiet "${args[@]}" - "$LAB_IMAGE" >/dev/null
}

image_recipe() {
    podman image inspect --format "{{ index .Labels \"${RECIPE_LABEL}\" }}" "$LAB_IMAGE" 2>/dev/null || true
}

cmd_build() {
    need_root
    lab_state_dir
    # Concurrent builds (parallel make targets) would both debootstrap: the second waits, then finds it built.
    exec 9>"$LAB_DIR/build.lock"
    flock 9
    local force=0 hash have old_id
    [ "${1:-}" = --force ] && force=1
    hash="$(recipe_hash)"
    have="$(image_recipe)"
    if [ "$force" -eq 0 ] && [ "$have" = "$hash" ]; then
        log "image $LAB_IMAGE is up to date (recipe $hash)"
        return 0
    fi
    log "building $LAB_IMAGE (recipe $hash${have:+, image has $have})"
    local work start
    start=$(date +%s)
    work="$(mktemp -d "$LAB_DIR/rootfs.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$work'" EXIT
    debootstrap --variant=minbase --include="$IMAGE_PACKAGES" "$LAB_SUITE" "$work/root" "$LAB_MIRROR" \
        >"$LAB_DIR/debootstrap.log" 2>&1 || { tail -20 "$LAB_DIR/debootstrap.log" >&2; die "debootstrap failed"; }
    customize_rootfs "$work/root"
    old_id="$(podman image inspect --format '{{.Id}}' "$LAB_IMAGE" 2>/dev/null || true)"
    import_rootfs "$work/root" "$hash"
    # The replaced image is now untagged: drop it unless a container still uses it.
    if [ -n "$old_id" ]; then podman image rm "$old_id" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
    trap - EXIT
    log "built $LAB_IMAGE in $(($(date +%s) - start)) s"
}

# ---------------------------------------------------------------------------------------------- fleet
fleet_dir() { printf '%s/%s' "$LAB_DIR" "$LAB_NAME"; }

lab_state_dir() {  # the state dir ignores itself, so keys and inventories never reach git
    mkdir -p "$LAB_DIR"
    [ -f "$LAB_DIR/.gitignore" ] || printf '*\n' >"$LAB_DIR/.gitignore"
}

fleet_containers() {
    podman ps -a --filter "label=${LAB_LABEL}=${LAB_NAME}" --format '{{.Names}}'
}

cmd_fleet_down() {
    need_root
    local names
    names="$(fleet_containers)"
    if [ -n "$names" ]; then
        # shellcheck disable=SC2086
        podman rm -f -t 5 $names >/dev/null
        log "removed $(wc -w <<<"$names") container(s) of fleet $LAB_NAME"
    fi
    rm -f "$(fleet_dir)/inventory.yml"
}

cmd_fleet_up() {
    need_root
    local count="${1:-}"
    [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "fleet-up needs a host count N >= 1, got '${count}'"
    [ -n "$(image_recipe)" ] || die "image $LAB_IMAGE missing: run lab/container.sh build"
    cmd_fleet_down
    local dir key i name port start
    dir="$(fleet_dir)"
    lab_state_dir
    mkdir -p "$dir"
    chmod 0700 "$LAB_DIR" "$dir"
    key="$dir/id_ed25519"
    # A throwaway key per lab, never reused outside it.
    [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C "fleet-kdump-lab-$LAB_NAME" -f "$key"
    start=$(date +%s)
    for i in $(seq 1 "$count"); do
        name="${LAB_NAME}-$(printf '%02d' "$i")"
        port=$((LAB_SSH_PORT_BASE + i))
        podman run -d --name "$name" --hostname "$name" \
            --label "${LAB_LABEL}=${LAB_NAME}" \
            --publish "127.0.0.1:${port}:22" \
            --volume "$key.pub:/root/.ssh/authorized_keys:ro" \
            "$LAB_IMAGE" >/dev/null
    done
    write_inventory "$count"
    wait_for_ssh "$count"
    log "fleet $LAB_NAME: $count container(s) reachable over SSH in $(($(date +%s) - start)) s"
    log "inventory: $dir/inventory.yml"
}

write_inventory() {  # write_inventory N
    local count="$1" dir i name port group
    dir="$(fleet_dir)"
    {
        printf '# Generated by lab/container.sh fleet-up %s; removed by fleet-down.\n' "$count"
        printf 'all:\n  vars:\n'
        printf '    ansible_user: root\n'
        printf '    ansible_host: 127.0.0.1\n'
        printf '    ansible_python_interpreter: /usr/bin/python3\n'
        printf '    ansible_ssh_private_key_file: %s\n' "$dir/id_ed25519"
        printf '    ansible_ssh_common_args: >-\n'
        printf '      -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR\n'
        printf '  children:\n'
        printf '    kdump_hosts:\n      children:\n'
        for group in kdump_canary kdump_rest; do
            printf '        %s:\n          hosts:\n' "$group"
            for i in $(seq 1 "$count"); do
                if { [ "$group" = kdump_canary ] && [ "$i" -le "$LAB_CANARIES" ]; } ||
                    { [ "$group" = kdump_rest ] && [ "$i" -gt "$LAB_CANARIES" ]; }; then
                    name="${LAB_NAME}-$(printf '%02d' "$i")"
                    port=$((LAB_SSH_PORT_BASE + i))
                    printf '            %s:\n              ansible_port: %s\n' "$name" "$port"
                fi
            done
        done
    } >"$dir/inventory.yml"
}

wait_for_ssh() {  # wait_for_ssh N
    local count="$1" dir i port deadline pending
    dir="$(fleet_dir)"
    deadline=$(($(date +%s) + ${LAB_SSH_TIMEOUT:-180}))
    for i in $(seq 1 "$count"); do
        port=$((LAB_SSH_PORT_BASE + i))
        # The published port accepts TCP before sshd runs: wait for a real login.
        until ssh -q -i "$dir/id_ed25519" -p "$port" -o BatchMode=yes -o ConnectTimeout=5 \
            -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
            root@127.0.0.1 true 2>/dev/null; do
            if [ "$(date +%s)" -ge "$deadline" ]; then
                pending="${LAB_NAME}-$(printf '%02d' "$i")"
                die "no SSH login on $pending (127.0.0.1:$port) after ${LAB_SSH_TIMEOUT:-180} s"
            fi
            sleep 1
        done
    done
}

cmd_inventory() { printf '%s/inventory.yml\n' "$(fleet_dir)"; }

usage() { sed -n '4,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

main() {
    local cmd="${1:-}"
    shift || true
    case "$cmd" in
    setup-host) cmd_setup_host "$@" ;;
    build) cmd_build "$@" ;;
    fleet-up) cmd_fleet_up "$@" ;;
    fleet-down) cmd_fleet_down "$@" ;;
    inventory) cmd_inventory "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
    esac
}

main "$@"
