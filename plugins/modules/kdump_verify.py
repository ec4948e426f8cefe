#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kdump_verify
short_description: Prove that kdump is armed, find the host's crash dumps and read kernel diagnostics
version_added: 0.1.0
description:
  - Read-only check of one host's kdump readiness, gathered in a single module call.
  - Trusts the kernel, not the distribution's service state (Debian's C(kdump-tools) unit is V(active) even when
    nothing is loaded). The ground truth is C(/sys/kernel/kexec_crash_loaded).
  - Runs the checks C(kexec_supported), C(crashkernel_cmdline), C(memory_reserved), C(capture_kernel_loaded),
    C(service_enabled), C(capture_initrd), C(dump_dir), C(free_space), C(remote_target) and
    C(compression_supported), and reports each as RV(checks) with a readable detail.
  - Lists the dumps already written (newest first) with the panic line and the start of the backtrace taken from
    the dump's own dmesg file, so a report shows why each host crashed.
  - Reports the installed versions of the family's kdump packages (one C(dpkg-query) or C(rpm -q) call, no
    python-apt), their debconf answers on Debian and Ubuntu, and the distribution facts a role would otherwise
    gather with M(ansible.builtin.setup), as RV(ansible_facts). So one call tells a role whether anything is to do.
  - Gives every dump a RV(dumps[].crash) record read from its kernel log (the dmesg file saved with it, or
    C(makedumpfile --dump-dmesg) when only the vmcore exists) with a canonical title, the guilty frame, the
    kernel release, taints and a signature that is the same for the same crash on every host, to group a fleet's
    dumps (see C(docs/triage.md)).
  - In a container it reports RV(kexec_supported=false) and RV(ready=false) with the reason, never a traceback,
    because the kernel belongs to the host.
  - A check that cannot run because a tool is missing fails with a detail saying so; whether that makes the host
    not ready depends on O(require).
  - The C(free_space) check compares the free space of the dump directory with a conservative estimate of the
    next dump, returned as RV(estimated_dump_bytes). The estimate starts from C(MemTotal) (the size of a C(-d 0)
    ELF dump), subtracts C(MemFree) when the dump level excludes free pages (bit 16, as in C(-d 31)) and halves
    the rest when makedumpfile compresses pages. Cache, user and zero pages are not subtracted, so real C(-d 31)
    compressed dumps are normally much smaller; memory use at crash time can still differ from now.
author: fleet.kdump contributors (@fleet)
options:
  require:
    description:
      - The checks that must pass for RV(ready) to be V(true).
      - The default is the whole armed checklist (every check).
      - Checks not listed still run and are reported in RV(checks).
    type: list
    elements: str
    choices: [kexec_supported, crashkernel_cmdline, memory_reserved, capture_kernel_loaded, service_enabled,
              capture_initrd, dump_dir, free_space, remote_target, compression_supported]
  fail_if_not_ready:
    description:
      - Fail the task when RV(ready) is V(false); the message lists the failing required checks.
      - The result still holds every return value.
    type: bool
    default: false
  dumps_since:
    description:
      - Only report dumps written at or after this time, to prove a test crash wrote a B(new) dump.
      - Epoch seconds (V(1767225600)) or an ISO 8601 time (V(2026-01-01T00:00:00Z)). A time without offset is the
        managed host's local time.
      - A dump's time is the modification time of its core file, that is when writing it ended.
    type: str
  dump_path:
    description:
      - The local directory to check and to search for dumps.
      - Default is the dump directory of the host's kdump configuration (C(path) in C(/etc/kdump.conf),
        C(KDUMP_COREDIR) in C(/etc/default/kdump-tools), C(KDUMP_SAVEDIR) in C(/etc/sysconfig/kdump)),
        C(/var/crash) when unset.
      - When set, C(dump_dir) and C(free_space) are checked on it even if the configured target is remote.
    type: path
  family:
    description:
      - Which distribution family's dump layout, service and tools to expect.
      - V(auto) detects it from C(/etc/os-release).
      - An explicit family overrides the detection. It is a lab harness (the C(vm-rhel-stack) Molecule scenario drives
        kdump-utils on a Debian VM as V(rhel)), also useful on derivatives that carry another family's kdump
        tooling under an os-release the family does not claim.
    type: str
    choices: [auto, rhel, debian, suse]
    default: auto
  dump_layout:
    description:
      - Which family's dump directory names to search O(dump_path) for.
      - V(auto) is the layout of O(family). Another value serves a host that stores the dumps of other hosts,
        for example a Debian SSH or NFS dump target receiving RHEL clients' C(<ip>-<date>/vmcore) directories.
    type: str
    choices: [auto, rhel, debian, suse]
    default: auto
  ssh_known_hosts:
    description:
      - The known_hosts file the capture side trusts for an SSH dump target (root's, which kdump copies into the
        capture initrd or reads from the root file system). The login probe accepts only host keys pinned there.
    type: path
    default: /root/.ssh/known_hosts
  ssh_port:
    description:
      - The SSH port of the dump server. Default is the one the configuration names (SUSE's C(KDUMP_SAVEDIR) URL),
        else 22.
    type: int
  target_type:
    description:
      - The kind of dump target the caller is about to configure (C(kdump_target.type) of the role). RV(packages)
        then also lists the client packages the capture side needs for it beside the kdump stack, so that one call
        still tells the role everything to install.
      - V(nfs) adds the NFS client's mount helper (Debian and Ubuntu C(nfs-common), RHEL C(nfs-utils), SUSE
        C(nfs-client)); the other kinds need nothing more.
    type: str
    choices: [local, ssh, nfs, raw, ext2, ext3, ext4, xfs, virtiofs]
  panic_sysctl_file:
    description:
      - A sysctl drop-in whose checksum, mode and owner to report as RV(panic_sysctl_file), so that a caller can
        tell without another module call whether its panic settings file is already as it wants it.
    type: path
  estimate:
    description:
      - Also estimate the C(crashkernel=) size this host needs, without crashing it (RV(estimate)).
      - The distribution's own estimator where it has one, C(kdumpctl estimate) (RHEL 8.5 and later, kdump-utils) or the
        C(crashkernel suggested size) of C(kdump-config show) (kdump-tools 1:1.10 and later, Debian 13, Ubuntu 24.04);
        it is not run while the capture initrd is stale, because C(kdumpctl estimate) would rebuild it.
      - Elsewhere, or when the tool has no answer, a model in the spirit of C(kdumpctl estimate) adds up the kernel image in
        memory (C(/proc/iomem)), the loaded size of the modules in the capture initrd, the capture initrd file, its
        unpacked size (C(lsinitramfs -l) or C(lsinitrd)) and a runtime allowance.
      - Reads the capture initrd's listing, which takes seconds on a slow host; off by default.
    type: bool
    default: false
  diagnostics:
    description:
      - Non-destructive SysRq keys to trigger through C(/proc/sysrq-trigger); what the kernel prints for each is
        returned in RV(diagnostics).
      - Allowed keys are V(l) (backtrace of all active CPUs), V(m) (memory information), V(p) (registers),
        V(t) (task states) and V(w) (blocked tasks). Any other key (V(c) crashes the kernel, V(b) reboots,
        V(o) powers off, V(e) and V(i) kill processes, V(f) runs the OOM killer, ...) is refused with an error
        before anything runs.
      - These keys only print into the kernel log and change nothing on disk or in the kernel's state, so they run
        in check mode too. V(t) on a host with many tasks prints a lot, which a slow serial console may take
        seconds to drain.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - fleet.kdump.attributes
attributes:
  check_mode:
    details: The module never changes anything; check mode returns the same result.
  diff_mode:
    support: none
    details: Read-only, there is never a difference to show.
notes:
  - Needs root to read C(/proc/iomem) addresses, C(/proc/1/environ) and to use SysRq.
  - Remote targets are probed without mounting anything, each bounded by a timeout. An SSH target is checked as
    the capture kernel will use it, step by step (RV(remote_target)); the host name resolves, the port is open,
    the key file is readable, the key logs in non-interactively with the server's host key pinned in
    O(ssh_known_hosts) (C(ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=<file> -i <key>)),
    the dump path can be created and written (C(mkdir -p), C(mktemp -dqp) then C(rmdir), the commands the capture
    side runs) and the server has room for this host's estimated dump (C(df --output=avail)). The first failure
    is the check's reason. NFS uses C(showmount -e <server>) and
    looks for the export, or connects to TCP port 2049 when C(showmount) is not installed.
  - Dumps on SSH/NFS targets are not listed (they are not on this host); set O(dump_path) to a local mount of the
    target to list them.
  - A dump without a dmesg file has its kernel log read with C(makedumpfile --dump-dmesg <vmcore> <tmpfile>) (a
    read of the vmcore into a temporary file that is removed), bounded by a timeout; flattened dumps
    (C(makedumpfile -F) output) are not read that way.
  - Dump layouts. RHEL C(<path>/<ip>-<YYYY-MM-DD-HH:MM:SS>/vmcore) with C(vmcore-dmesg.txt), incomplete while
    C(vmcore-incomplete) exists. Debian C(<path>/<YYYYMMDDHHMM>/dump.<stamp>) with C(dmesg.<stamp>), incomplete
    while C(dump-incomplete) exists. SUSE C(<path>/<YYYY-MM-DD-HH-MM>/vmcore) with C(README.txt); without
    C(README.txt) the dump is reported incomplete.
seealso:
  - module: fleet.kdump.kdump_reserve
  - module: fleet.kdump.kdump_config
'''

EXAMPLES = r'''
- name: Check that kdump is armed
  fleet.kdump.kdump_verify:
  register: kdump_state

- name: Fail when kdump is not armed, listing why
  fleet.kdump.kdump_verify:
    fail_if_not_ready: true

- name: Only require what a container can prove
  fleet.kdump.kdump_verify:
    require: [service_enabled, dump_dir, compression_supported]

- name: Prove the test crash wrote exactly one new complete dump
  fleet.kdump.kdump_verify:
    dumps_since: "{{ crash_started_at }}"
  register: after_crash
  failed_when: >-
    after_crash.dumps | length != 1 or not after_crash.dumps[0].complete
    or 'sysrq triggered crash' not in (after_crash.dumps[0].panic | default('', true))

- name: Estimate the crashkernel= this host needs (the calibration starts there)
  fleet.kdump.kdump_verify:
    estimate: true
  register: kdump_state

- name: Capture memory information and blocked tasks from the kernel
  fleet.kdump.kdump_verify:
    diagnostics: [m, w]
  register: kernel_info
'''

RETURN = r'''
ready:
  description: Every check in O(require) passed.
  returned: always
  type: bool
  sample: true
reasons:
  description: One short line per failed required check, the check's name, a colon and its detail.
  returned: always
  type: list
  elements: str
  sample: ["kexec_supported: no kexec in container (podman): the kernel belongs to the host"]
checks:
  description: Every check with its result, in a stable order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The check's stable name.
      type: str
      sample: capture_kernel_loaded
    ok:
      description: Whether it passed.
      type: bool
      sample: true
    detail:
      description: What was found.
      type: str
      sample: capture kernel loaded (/sys/kernel/kexec_crash_loaded = 1)
family:
  description: The distribution family whose layout and tools were used.
  returned: always
  type: str
  sample: debian
container:
  description: Whether the module ran in a container.
  returned: always
  type: bool
  sample: false
kexec_supported:
  description: The kernel supports kdump here (C(/sys/kernel/kexec_crash_loaded) exists and not a container).
  returned: always
  type: bool
  sample: true
config_enabled:
  description:
    - The kdump configuration's own switch as read, C(USE_KDUMP) on Debian and Ubuntu.
    - V(null) where the family's file has no switch (on RHEL and SUSE the kdump service is the switch) or the
      file is missing.
  returned: always
  type: bool
  sample: true
crashkernel_running:
  description: The effective C(crashkernel=) values on the running kernel's command line, or V(null).
  returned: always
  type: str
  sample: 256M
reserved_bytes:
  description: Bytes reserved for the capture kernel (C(/sys/kernel/kexec_crash_size)), V(null) when unreadable.
  returned: always
  type: int
  sample: 268435456
crash_regions:
  description: The C(Crash kernel) regions of C(/proc/iomem) (empty when not root).
  returned: always
  type: list
  elements: str
  sample: ["0x2b000000-0x3affffff"]
crash_kernel_loaded:
  description: C(/sys/kernel/kexec_crash_loaded) is V(1).
  returned: always
  type: bool
  sample: true
service:
  description: The kdump service of the family. C(active) is reported but not trusted (Debian's unit is always active).
  returned: always
  type: dict
  contains:
    name:
      description: Unit name.
      type: str
      sample: kdump-tools
    enabled:
      description: C(systemctl is-enabled) says enabled; V(null) when systemctl is missing.
      type: bool
      sample: true
    active:
      description: C(systemctl is-active) says active; V(null) when systemctl is missing.
      type: bool
      sample: true
tool_status:
  description: The distribution tool's own verdict (C(kdumpctl status), C(kdump-config status)); V(null) on SUSE
    or when the tool is missing.
  returned: always
  type: dict
  contains:
    ready:
      description: Operational / ready to kdump according to the tool.
      type: bool
    messages:
      description: The tool's output lines.
      type: list
      elements: str
    last_test:
      description: RHEL 10+ notice about the last C(kdumpctl test).
      type: str
packages:
  description:
    - The kdump packages of the host's family, each with its installed version (epoch included where set), or
      V(null) when it is not installed (or only half installed).
    - RHEL 10 and Fedora 41 on C(kdump-utils), C(kexec-tools), C(makedumpfile); older RHEL C(kexec-tools),
      C(makedumpfile); Debian and Ubuntu C(kdump-tools), C(kexec-tools), C(makedumpfile); SUSE C(kdump),
      C(kexec-tools), C(makedumpfile).
    - With O(target_type=nfs) also the family's NFS client package (C(nfs-common), C(nfs-utils), C(nfs-client)).
  returned: always
  type: dict
  sample: {kdump-tools: "1:1.8.1", kexec-tools: "1:2.0.25-3+deb12u3", makedumpfile: null}
debconf:
  description:
    - The debconf answers of those packages (Debian and Ubuntu), question to value; a question never answered
      is V(null). kdump-tools' postinst rewrites C(USE_KDUMP) from C(kdump-tools/use_kdump) on every configure.
    - V(null) on families without debconf.
  returned: always
  type: dict
  sample: {"kdump-tools/use_kdump": "true", "kexec-tools/load_kexec": "true"}
ansible_facts:
  description:
    - Host facts with the values M(ansible.builtin.setup) gives them, so a playbook using this module needs no
      fact gathering. Empty when the distribution belongs to no family fleet.kdump knows.
  returned: always
  type: dict
  contains:
    distribution:
      description: As the C(distribution) fact (C(RedHat), C(Debian), C(openSUSE Leap), ...).
      type: str
      sample: Debian
    distribution_major_version:
      description: As the C(distribution_major_version) fact.
      type: str
      sample: "12"
    os_family:
      description: As the C(os_family) fact (C(RedHat), C(Debian), C(Suse)).
      type: str
      sample: Debian
    pkg_mgr:
      description: As the C(pkg_mgr) fact (C(apt), C(dnf), C(dnf5), C(zypper), ...).
      type: str
      sample: apt
    kernel:
      description: As the C(kernel) fact, the running kernel's release.
      type: str
      sample: 6.1.0-28-amd64
panic_sysctl_file:
  description: The file O(panic_sysctl_file) as it is now; V(null) when that option is not given.
  returned: always
  type: dict
  contains:
    path:
      description: The path asked for.
      type: str
      sample: /etc/sysctl.d/90-kdump-panic.conf
    checksum:
      description: SHA-1 of its content (as M(ansible.builtin.stat) computes it), V(null) when it does not exist.
      type: str
      sample: 5c1bd8ebd1a3a0b6ed3e0c8c0d6bb4aa8e8db7c1
    mode:
      description: Its permission bits in octal, V(null) when it does not exist.
      type: str
      sample: "0644"
    uid:
      description: Owner's user id, V(null) when it does not exist.
      type: int
      sample: 0
    gid:
      description: Group id, V(null) when it does not exist.
      type: int
      sample: 0
crash_test_command:
  description:
    - The distribution's own crash test as an argv list, C(kdumpctl test --force) where kdump-utils has it (RHEL 10
      and its rebuilds, Fedora 41 and later); it records the result, which C(kdumpctl status) reports after the
      reboot. V(null) elsewhere, where the plain SysRq crash (C(echo c > /proc/sysrq-trigger)) is the test.
    - Only data; the module never runs it.
  returned: always
  type: list
  elements: str
  sample: [kdumpctl, test, --force]
capture_panic:
  description:
    - Whether the capture kernel's command line carries C(panic=), so that a capture kernel that dies (out of memory)
      reboots the host instead of hanging; a calibration needs it.
    - Where fleet.kdump must put it there itself (Debian/Ubuntu), C(key) names the setting of the kdump configuration
      appended to the capture kernel's command line; elsewhere the tooling adds one and C(key) is V(null).
  returned: always
  type: dict
  contains:
    key:
      description: The setting, V(KDUMP_CMDLINE_APPEND); V(null) where the tooling puts a C(panic=) there itself.
      type: str
    value:
      description: The setting as the file holds it; V(null) when unset or empty (the tooling's default applies).
      type: str
    effective:
      description: What is appended, the value or the tooling's default.
      type: str
    panic:
      description: C(panic=) is on the capture kernel's command line.
      type: bool
    with_panic:
      description: RV(capture_panic.effective) with C(panic=10) added, V(null) when RV(capture_panic.panic).
      type: str
  sample: {key: KDUMP_CMDLINE_APPEND, value: null, panic: false,
           effective: reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb,
           with_panic: reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb panic=10}
estimate:
  description: The C(crashkernel=) size this host is estimated to need (see O(estimate)); V(null) without O(estimate).
  returned: always
  type: dict
  contains:
    bytes:
      description: The estimate in bytes, V(null) when nothing could be estimated.
      type: int
    size:
      description: The same as a crashkernel size, V(134M).
      type: str
    source:
      description: V(kdumpctl estimate), V(kdump-config show) or V(model).
      type: str
    detail:
      description: The tool's line, or the model's sum; why the tool was not used.
      type: str
    components:
      description: The model's parts in bytes (C(kernel_bytes), C(modules_bytes), C(initrd_bytes),
        C(unpacked_initrd_bytes), C(runtime_bytes)); empty for a tool's answer.
      type: dict
  sample: {bytes: 140509184, size: 134M, source: model, components: {},
           detail: kernel 30.1M + modules 2.1M + initrd 24.3M + unpacked initrd 61.5M + runtime 16M = 134M}
dump_path:
  description: The directory checked and searched for dumps.
  returned: always
  type: str
  sample: /var/crash
target:
  description: The configured dump target, C(type) and C(location).
  returned: always
  type: dict
  sample: {type: local, location: null}
capture_rebuild:
  description:
    - What makes this family's capture side pick up a changed remote target, its ssh key or root's known_hosts,
      beyond the service restart that a configuration change brings. The role runs it after a target change.
  returned: always
  type: dict
  contains:
    command:
      description: The argv to run (C(kdumpctl rebuild), C(mkdumprd -f)), V(null) where nothing needs rebuilding.
      type: list
      elements: str
    detail:
      description: Why, for the operator.
      type: str
  sample: {command: [kdumpctl, rebuild], detail: "kdumpctl rebuild: the capture initrd carries kdump.conf, ..."}
remote_target:
  description:
    - The SSH dump target's checks from this host, in the order the capture kernel depends on them
      (C(resolves), C(port_open), C(key_file), C(key_login), C(path_writable), C(free_space)); a step after a failed
      one is V(null) (not checked). The C(remote_target) entry of RV(checks) carries the first failure.
  returned: always (V(null) unless the configured target is ssh)
  type: dict
  contains:
    ok:
      description: Whether every step passed.
      type: bool
    detail:
      description: The first failure, C(<step>) then its reason, or what was found when all passed.
      type: str
    checks:
      description: One C({name, ok, detail}) per step.
      type: list
      elements: dict
  sample:
    ok: false
    detail: "path_writable: no write permission on the server: kdump cannot create a directory in /srv/crash (rc 1)"
    checks:
      - {name: resolves, ok: true, detail: dumps.example.com resolves to 192.0.2.10}
free_bytes:
  description: Free bytes for root-owned writes on the file system holding RV(dump_path) (its nearest existing parent).
  returned: always
  type: int
  sample: 2147483648
estimated_dump_bytes:
  description: Conservative estimate of the next dump's size (see the description), V(null) without C(MemTotal).
  returned: always
  type: int
  sample: 402653184
ram_bytes:
  description:
    - Total RAM as the kernel's C(crashkernel=) ranges see it, rounded up to 128M, the figure
      M(fleet.kdump.kdump_reserve) picks O(fleet.kdump.kdump_reserve#module:tiers) by. The C(System RAM) regions of
      C(/proc/iomem); without root C(MemTotal) plus the reservation. V(null) when neither is readable.
  returned: always
  type: int
  sample: 1073741824
memory_bytes:
  description: C(MemTotal) of C(/proc/meminfo) in bytes.
  returned: always
  type: int
  sample: 1029779456
boot_id:
  description: C(/proc/sys/kernel/random/boot_id); changes with every boot, including the reboot after a crash.
  returned: always
  type: str
  sample: 4f1e0d2c-0d3e-4c1b-9a53-1f6c3f7b2a10
kernel:
  description: Release of the running kernel.
  returned: always
  type: str
  sample: 6.1.0-28-amd64
findings:
  description: Security findings, also given as warnings; they do not make the host not ready. Each dump that every
    user of the host can read (a dump holds the memory of the crashed kernel) is one, on every family's layout,
    RHEL's C(<ip>-<date>) directories made by the capture kernel included.
  returned: always
  type: list
  elements: str
  sample: ["dump /var/crash/127.0.0.1-2026-12-01-10:02:11 is readable by every user of the host (vmcore,
    vmcore-dmesg.txt): a dump holds the memory of the crashed kernel; make the dump directory root-only (chmod 0700)"]
dumps:
  description: Dumps found under RV(dump_path), newest first, filtered by O(dumps_since).
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The dump's directory.
      type: str
      sample: /var/crash/202611272341
    time:
      description: When the core file was last written, ISO 8601 UTC.
      type: str
      sample: "2026-11-27T23:41:52Z"
    timestamp:
      description: The same time in epoch seconds.
      type: int
      sample: 1795822912
    size_bytes:
      description: Total size of the directory's files.
      type: int
      sample: 48234496
    complete:
      description: V(false) for leftovers of an interrupted capture (C(vmcore-incomplete), C(dump-incomplete)).
      type: bool
      sample: true
    files:
      description: File names in the dump's directory.
      type: list
      elements: str
      sample: [dmesg.202611272341, dump.202611272341]
    core:
      description: The core file's name.
      type: str
      sample: dump.202611272341
    dmesg:
      description: The dmesg file's name, V(null) when there is none.
      type: str
      sample: dmesg.202611272341
    panic:
      description: The panic line and the first lines of the backtrace (timestamps stripped), V(null) when the
        dump has no dmesg or it holds no panic.
      type: str
      sample: "Kernel panic - not syncing: sysrq triggered crash\nCPU: 0 PID: 1234 Comm: sh"
    world_readable:
      description: The dump's files that every user of the host can read (readable by others, in directories
        others may enter); each such dump is a RV(findings) entry.
      type: list
      elements: str
      sample: []
    crash:
      description:
        - What crashed, read from the dump's kernel log; C(docs/triage.md) gives the rules for titles and signatures.
        - Without a kernel log the title is V(no kernel log saved with the dump), without a report in it
          V(no crash report in the kernel log).
      type: dict
      contains:
        title:
          description: Canonical title in the style of kernel bug trackers.
          type: str
          sample: 'BUG: kernel NULL pointer dereference in smc_llc_add_link_cont'
        kind:
          description: The report class, for example V(sysrq), V(null_deref), V(soft_lockup), V(oom), V(panic).
          type: str
          sample: null_deref
        guilty_frame:
          description: The first stack frame that is not reporting, exception, interrupt or helper code; V(null) if none.
          type: str
          sample: smc_llc_add_link_cont
        frames:
          description: The guilty frame and its next callers, normalised (what the signature hashes).
          type: list
          elements: str
          sample: ['smc_llc_add_link_cont [smc]', 'smc_llc_srv_rkey_exchange [smc]', 'smc_llc_srv_add_link [smc]']
        signature:
          description: 16 hex digits, a SHA-256 of the title and the frames; equal for the same crash on any host.
          type: str
          sample: be976c34a33d4b51
        kernel:
          description: Release of the kernel that crashed.
          type: str
          sample: 6.4.0-rc3+
        taint:
          description: Taint letters at the time of the crash (V('') when not tainted, V(null) when unknown).
          type: str
          sample: WE
        tainted:
          description: Whether the kernel was tainted; V(null) when unknown.
          type: bool
        hardware:
          description: The C(Hardware name) line.
          type: str
        cpu:
          description: CPU of the crash.
          type: int
        pid:
          description: PID of the crashing (or, for a hung task, the blocked) task.
          type: int
        comm:
          description: Its command name.
          type: str
          sample: kworker/5:0
        arch:
          description: V(x86_64) or V(arm64), from the log's register and trace format.
          type: str
        panic:
          description: The C(Kernel panic - not syncing) line, V(null) when the log has none.
          type: str
        excerpt:
          description: The report header, the faulting PC, the trace from the guilty frame on and the panic line.
          type: str
        source:
          description: Where the kernel log came from, the dmesg file's name or V(makedumpfile --dump-dmesg); V(null)
            when there was none.
          type: str
          sample: vmcore-dmesg.txt
diagnostics:
  description: What the kernel printed for each O(diagnostics) key, by key. A key that could not run holds the reason.
  returned: always
  type: dict
  sample: {w: "sysrq: Show Blocked State\ntask:kworker/0:1 state:D stack:0 pid:42"}
msg:
  description: One line summary, V(kdump is ready) or the failed required checks.
  returned: always
  type: str
  sample: kdump is ready
changed:
  description: Always V(false).
  returned: always
  type: bool
  sample: false
'''

import errno
import hashlib
import os
import shutil
import socket
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fleet.kdump.plugins.module_utils import _families, crashkernel, kdump_conf, kdump_settings
from ansible_collections.fleet.kdump.plugins.module_utils import _crash_signature, crashkernel_estimate, kdump_state, makedumpfile
from ansible_collections.fleet.kdump.plugins.module_utils import _remote_target
from ansible_collections.fleet.kdump.plugins.module_utils._family import module_host
from ansible_collections.fleet.kdump.plugins.module_utils.common import (
    CommandRunner, container_name, host_path as host_path_under, parse_int, read_text)

# The file system root the module looks at; the unit tests point it at a temporary tree.
HOST_ROOT = '/'
# Bounds for the remote target probes (seconds).
PROBE_TIMEOUT = 20
# Bound for the estimators and the capture initrd's listing (seconds; a slow host unpacks the initrd to list it).
ESTIMATE_TIMEOUT = 180
CAPTURE_PANIC = 'panic=10'
# How long to let the kernel print after a SysRq key ('l' reaches other CPUs asynchronously).
SYSRQ_SETTLE_SECONDS = 0.5
DIAGNOSTICS_MAX_BYTES = 1024 * 1024
# Headers of the core files makedumpfile --dump-dmesg reads (kdump-compressed, ELF); a flattened stream
# (makedumpfile -F, Debian's dump.<stamp>, RHEL's vmcore.flat) starts with b'makedumpfile' and is not read.
DUMP_DMESG_READABLE = (b'KDUMP   ', b'\x7fELF')


def host_path(path):
    return host_path_under(HOST_ROOT, path)


def stat_or_none(path):
    try:
        return os.stat(path)
    except OSError:
        return None


def resolve_host(name):
    """The addresses ``name`` resolves to (raises OSError when it does not)."""
    return sorted(set(info[4][0] for info in socket.getaddrinfo(name, None, 0, socket.SOCK_STREAM)))


def open_port(address, port):
    """None when a TCP connection to ``address``:``port`` opens, else the reason."""
    try:
        socket.create_connection((address, port), timeout=_remote_target.CONNECT_TIMEOUT).close()
    except (OSError, socket.error) as exc:
        return str(exc)
    return None


def free_bytes_at(path):
    """Free bytes for root on the file system of ``path`` or its nearest existing parent."""
    current = path
    while current and not os.path.exists(current):
        parent = os.path.dirname(current.rstrip('/'))
        if parent == current:
            break
        current = parent
    try:
        info = os.statvfs(current or '/')
    except OSError:
        return None
    return info.f_bfree * info.f_frsize


class Verifier(object):
    def __init__(self, module):
        self.module = module
        self.runner = CommandRunner(module)
        self.warnings = []
        self.ssh_checks = None

    def run_tool(self, argv):
        """(rc, out, err) of a read-only tool, or None when the tool is not installed."""
        binary = self.module.get_bin_path(argv[0])
        if binary is None:
            return None
        return self.runner.read([binary] + list(argv[1:]))

    def bounded(self, argv, seconds=PROBE_TIMEOUT):
        """Prefix ``argv`` with coreutils' timeout so a hanging probe cannot hold the task."""
        timeout = self.module.get_bin_path('timeout')
        return ([timeout, str(seconds)] if timeout else []) + argv

    def run_bounded(self, argv, seconds=ESTIMATE_TIMEOUT):
        """(rc, out, err) of a read-only tool bounded by ``seconds``, or None when the tool is not installed."""
        binary = self.module.get_bin_path(argv[0])
        if binary is None:
            return None
        return self.runner.read(self.bounded([binary] + list(argv[1:]), seconds))

    # -- gathering ---------------------------------------------------------

    def table(self):
        """(family table, Host view, the table the host itself belongs to or None) of this host."""
        os_release = _families.read_os_release(host_path('/etc/os-release'))
        try:
            table, version = _families.resolve(self.module.params['family'], os_release)
        except ValueError as exc:
            self.module.fail_json(msg=str(exc))
        host = module_host(self.module, self.runner, os_release, version, root=HOST_ROOT)
        return table, host, _families.detect(os_release)

    def packages(self, table, host):
        """({package: installed version or None}, debconf answers or None) of the family's kdump packages and the
        client packages of the dump target the caller names (target_type)."""
        stack = list(table.packages(host))
        names = stack + [name for name in table.target_packages.get(self.module.params['target_type'], ())
                         if name not in stack]
        if not names or table.package_query is None:
            return {}, None
        result = self.run_tool(table.package_query.argv(names))
        if result is None:
            self.warnings.append('could not read the installed packages: %s is not installed'
                                 % table.package_query.argv(names)[0])
            versions = dict((name, None) for name in names)
        else:
            versions = table.package_query.parse(result[0], result[1], result[2], names)
        return versions, table.package_answers(host, stack)

    @staticmethod
    def file_state(path):
        state = {'path': path, 'checksum': None, 'mode': None, 'uid': None, 'gid': None}
        try:
            with open(host_path(path), 'rb') as handle:
                state['checksum'] = hashlib.sha1(handle.read()).hexdigest()
            st = os.stat(host_path(path))
        except (IOError, OSError):
            return state
        state.update(mode='%04o' % (st.st_mode & 0o7777), uid=st.st_uid, gid=st.st_gid)
        return state

    def container(self):
        detect_virt = None
        result = self.run_tool(['systemd-detect-virt', '--container'])
        if result is not None and result[0] == 0:
            detect_virt = result[1]
        return container_name(HOST_ROOT, detect_virt)

    def config(self, table):
        """(effective configuration, whether the configuration file exists)."""
        text = read_text(host_path(table.config_file))
        try:
            return kdump_settings.effective_config(table, text or ''), text is not None
        except ValueError as exc:
            self.warnings.append('could not parse %s: %s' % (table.config_file, exc))
            return {}, text is not None

    def service(self, table):
        name = table.service
        service = {'name': name, 'enabled': None, 'active': None, 'enabled_state': None}
        enabled = self.run_tool(['systemctl', 'is-enabled', name])
        if enabled is not None:
            state = (enabled[1] or '').strip() or 'not found (%s)' % (enabled[2] or '').strip()
            service['enabled_state'] = state
            service['enabled'] = state in ('enabled', 'enabled-runtime')
            active = self.run_tool(['systemctl', 'is-active', name])
            service['active'] = (active[1] or '').strip() == 'active'
        return service

    def journal_reason(self, name):
        """Why the capture kernel did not load, as the service's journal of this boot says it (or None)."""
        result = self.run_bounded(['journalctl', '--unit', name, '--boot', '--lines', '30', '--no-pager',
                                   '--output', 'cat'], PROBE_TIMEOUT)
        if result is None or result[0] != 0:
            return None
        return kdump_state.journal_reason(result[1], name)

    def tool_status(self, table):
        if table.status_command is None:
            return None
        result = self.run_tool(table.status_command)
        if result is None:
            return None
        return table.parse_status(*result)

    def initrd(self, table, kver):
        candidates = table.initrd_candidates(kver)
        info = {'path': None, 'candidates': candidates, 'fresh': None, 'detail': None}
        for candidate in candidates:
            st = stat_or_none(host_path(candidate))
            if st is None:
                continue
            config_st = stat_or_none(host_path(table.config_file))
            fresh, detail = table.initrd_freshness(
                st.st_mtime,
                config_mtime=config_st.st_mtime if config_st else None,
                sysctl_text=read_text(host_path('/etc/kdump/sysctl.conf')),
                latest_sysctls_text=read_text(host_path('/var/lib/kdump/latest_sysctls-%s' % kver)))
            info.update(path=candidate, fresh=fresh, detail=detail)
            break
        return info

    def remote(self, target, ssh_key, path=None, need_bytes=None, port=None):
        """(ok, detail) for an ssh/nfs/device target, None for a local one; ssh also sets self.ssh_checks."""
        kind, location = target.get('type'), target.get('location')
        if kind in (None, 'local'):
            return None
        if kind == 'ssh':
            ssh = self.module.get_bin_path('ssh')
            if ssh is None:
                return False, 'could not run: ssh client not installed'
            params = self.module.params
            self.ssh_checks = _remote_target.check_ssh(
                location, path or '/var/crash', ssh_key, need_bytes,
                resolve=resolve_host, connect=open_port,
                run=lambda argv: self.runner.read(self.bounded([ssh] + argv[1:])),
                readable=lambda key: os.access(host_path(key), os.R_OK),
                known_hosts=params['ssh_known_hosts'], port=params['ssh_port'] or port or _remote_target.DEFAULT_PORT)
            return self.ssh_checks['ok'], self.ssh_checks['detail']
        if kind == 'nfs':
            return self.nfs(location)
        if kind in kdump_conf.DEVICE_TARGETS:
            device = kdump_state.device_path(location)
            if os.path.exists(host_path(device)):
                return True, '%s target %s present' % (kind, device)
            return False, '%s target %s not found' % (kind, device)
        return True, 'not checked: %s target %s' % (kind, location)

    def nfs(self, location):
        server, export = kdump_state.split_nfs_location(location)
        if self.module.get_bin_path('showmount'):
            rc, out, err = self.runner.read(self.bounded([self.module.get_bin_path('showmount'), '-e', server]))
            if rc == 0:
                if kdump_state.export_listed(out, export):
                    return True, 'nfs server %s exports %s' % (server, export)
                return False, 'nfs server %s does not export %s' % (server, export)
            if 'RPC' not in (err or '') and 'rpc' not in (err or ''):
                return False, 'showmount -e %s failed (rc %d): %s' % (server, rc, (err or '').strip()[-300:])
            # NFSv4-only servers do not answer the MOUNT protocol: fall back to the NFS port.
        try:
            connection = socket.create_connection((server, 2049), timeout=5)
            connection.close()
        except (OSError, socket.error) as exc:
            return False, 'nfs server %s: TCP port 2049 unreachable (%s)' % (server, exc)
        return True, 'nfs server %s answers on TCP port 2049 (export %s not verified without showmount)' % (
            server, export)

    def compressions(self):
        result = self.run_tool(['makedumpfile', '-v'])
        if result is None:
            return None
        supported = makedumpfile.supported_compressions((result[1] or '') + (result[2] or ''))
        return supported or None

    # -- calibration -------------------------------------------------------

    @staticmethod
    def capture_panic(table, config):
        """Whether the capture kernel's command line carries panic= (RV capture_panic)."""
        if table.capture_cmdline_append is None:
            return {'key': None, 'value': None, 'effective': None, 'panic': True, 'with_panic': None}
        key, default = table.capture_cmdline_append
        value = (config.get('raw') or {}).get(key) or None
        # kdump-config: KDUMP_CMDLINE_APPEND=${KDUMP_CMDLINE_APPEND:="..."}: unset and empty both take the default.
        effective = value or default
        panic = any(word.startswith('panic=') for word in effective.split())
        return {'key': key, 'value': value, 'effective': effective, 'panic': panic,
                'with_panic': None if panic else '%s %s' % (effective, CAPTURE_PANIC)}

    def estimate(self, table, kver, initrd, container, loaded):
        """The crashkernel= estimate (RV estimate): the distribution's estimator, else the model."""
        if container or loaded is None:
            return {'bytes': None, 'size': None, 'source': None, 'components': {},
                    'detail': 'nothing to estimate: %s' % ('a container, the kernel belongs to the host' if container
                                                           else 'this kernel has no kexec')}
        notes = []
        if table.estimate_command:
            name = ' '.join(table.estimate_command)
            if initrd['fresh'] is False:
                notes.append('%s not run: the capture initrd is stale (%s)' % (name, initrd['detail']))
            else:
                result = self.run_bounded(list(table.estimate_command))
                if result is None:
                    notes.append('%s not installed' % table.estimate_command[0])
                else:
                    found, detail = table.parse_estimate(*result)
                    if found:
                        return {'bytes': found, 'size': crashkernel.format_bytes(found), 'source': name,
                                'detail': detail, 'components': {}}
                    notes.append(detail)
        if initrd['path'] is None:
            notes.insert(0, 'no capture initrd (%s) to estimate from' % ', '.join(initrd['candidates']))
            return {'bytes': None, 'size': None, 'source': 'model', 'detail': '; '.join(notes), 'components': {}}
        kernel = crashkernel_estimate.parse_iomem_kernel(read_text(host_path('/proc/iomem'), ''))
        if kernel is None:
            image = stat_or_none(host_path('/boot/vmlinuz-%s' % kver))
            if image is None:
                notes.insert(0, 'the kernel image size is unknown (no /proc/iomem addresses, no /boot/vmlinuz-%s)' % kver)
                return {'bytes': None, 'size': None, 'source': 'model', 'detail': '; '.join(notes), 'components': {}}
            kernel = crashkernel_estimate.COMPRESSED_KERNEL_FACTOR * image.st_size
            notes.append('kernel from the compressed image (%d x /boot/vmlinuz-%s): /proc/iomem addresses hidden'
                         % (crashkernel_estimate.COMPRESSED_KERNEL_FACTOR, kver))
        initrd_bytes = stat_or_none(host_path(initrd['path'])).st_size
        unpacked, modules = None, set()
        argv = table.initrd_list_command(initrd['path'])
        listing = self.run_bounded(argv) if argv else None
        if listing is not None and listing[0] == 0:
            unpacked, modules = crashkernel_estimate.parse_initrd_listing(listing[1])
        elif argv:
            notes.append('%s %s' % (' '.join(argv[:-1]), 'not installed' if listing is None else 'failed (rc %d)' % listing[0]))
        loaded = crashkernel_estimate.parse_proc_modules(read_text(host_path('/proc/modules'), ''))
        result = crashkernel_estimate.model(kernel, initrd_bytes, unpacked,
                                            sum(size for name, size in loaded.items() if name in modules),
                                            table.capture_runtime_bytes)
        result['source'] = 'model'
        if notes:
            result['detail'] += '; ' + '; '.join(notes)
        return result

    # -- crashes -----------------------------------------------------------

    def crash(self, dump):
        """The crash record of a dump (``dump['path']`` is still the host path here)."""
        text, source = None, None
        if dump['dmesg']:
            text = read_text(os.path.join(dump['path'], dump['dmesg']))
            source = dump['dmesg']
        elif dump['core'] and dump['complete']:
            text = self.dump_dmesg(os.path.join(dump['path'], dump['core']))
            source = 'makedumpfile --dump-dmesg' if text is not None else None
        crash = _crash_signature.parse_crash(text)
        crash['source'] = source
        return crash

    def dump_dmesg(self, core):
        """The kernel log inside a vmcore, or None (no makedumpfile, a flattened dump, a read error)."""
        try:
            with open(core, 'rb') as handle:
                head = handle.read(16)
        except (IOError, OSError):
            return None
        if not head.startswith(DUMP_DMESG_READABLE) or self.module.get_bin_path('makedumpfile') is None:
            return None
        work = tempfile.mkdtemp(prefix='kdump_verify_dmesg_', dir=getattr(self.module, 'tmpdir', None))
        try:
            output = os.path.join(work, 'dmesg')
            rc, _out, err = self.runner.read(self.bounded(
                [self.module.get_bin_path('makedumpfile'), '--dump-dmesg', core, output]))
            if rc != 0:
                self.warnings.append('makedumpfile --dump-dmesg %s failed (rc %d): %s'
                                     % (core, rc, (err or '').strip()[-300:]))
                return None
            return read_text(output)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # -- SysRq -------------------------------------------------------------

    def sysrq(self, key):
        """What the kernel printed for SysRq ``key``: new /dev/kmsg records, or new `dmesg` lines."""
        fd = None
        before = None
        try:
            fd = os.open(host_path('/dev/kmsg'), os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(fd, 0, os.SEEK_END)
        except OSError:
            if fd is not None:
                os.close(fd)
            fd = None
            result = self.run_tool(['dmesg'])
            before = result[1] if result and result[0] == 0 else ''
        try:
            try:
                # No O_CREAT: never create a file where the kernel offers no trigger.
                trigger = os.open(host_path('/proc/sysrq-trigger'), os.O_WRONLY)
                try:
                    os.write(trigger, key.encode('ascii'))
                finally:
                    os.close(trigger)
            except (IOError, OSError) as exc:
                reason = 'unavailable: could not write /proc/sysrq-trigger (%s)' % (exc.strerror or exc)
                self.warnings.append('diagnostics %s %s' % (key, reason))
                return reason
            time.sleep(SYSRQ_SETTLE_SECONDS)
            if fd is not None:
                lines = kdump_state.parse_kmsg_records(self.read_kmsg(fd))
            else:
                result = self.run_tool(['dmesg'])
                lines = kdump_state.new_dmesg_lines(before, result[1] if result and result[0] == 0 else '')
        finally:
            if fd is not None:
                os.close(fd)
        text = '\n'.join(lines)
        if len(text) > DIAGNOSTICS_MAX_BYTES:
            text = text[:DIAGNOSTICS_MAX_BYTES] + '\n[truncated]'
        return text

    @staticmethod
    def read_kmsg(fd):
        chunks = []
        total = 0
        while total <= DIAGNOSTICS_MAX_BYTES:
            try:
                data = os.read(fd, 8192)
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # records overwritten while reading: skip ahead
                    continue
                break  # EAGAIN: no more records
            if not data:
                break
            total += len(data)
            chunks.append(data.decode('utf-8', 'replace'))
        return chunks

    # -- main --------------------------------------------------------------

    def verify(self, require, since, keys, want_estimate=False):
        params = self.module.params
        table, facts_of_host, own_table = self.table()
        container = self.container()
        packages, debconf = self.packages(table, facts_of_host)

        loaded = parse_int(read_text(host_path(kdump_state.SYSFS_CRASH_LOADED)))
        size = parse_int(read_text(host_path(kdump_state.SYSFS_CRASH_SIZE)))
        fadump = None
        for path in kdump_state.SYSFS_FADUMP_REGISTERED:
            fadump = parse_int(read_text(host_path(path)))
            if fadump is not None:
                break
        cmdline = read_text(host_path('/proc/cmdline'), '')
        running = crashkernel.tokens_text(crashkernel.from_cmdline(cmdline))
        iomem = read_text(host_path('/proc/iomem'), '')
        regions = kdump_state.parse_iomem_crash(iomem)
        if size is None and regions:
            size = kdump_state.region_bytes(regions)
        meminfo = kdump_state.parse_meminfo(read_text(host_path('/proc/meminfo'), ''))
        kver = (read_text(host_path('/proc/sys/kernel/osrelease')) or os.uname()[2]).strip()
        boot_id = (read_text(host_path('/proc/sys/kernel/random/boot_id')) or '').strip() or None

        config, config_exists = self.config(table)
        target = config.get('target') or {'type': 'local', 'location': None}
        dump_path = params['dump_path'] or config.get('path') or table.default_path
        local = target.get('type') in (None, 'local') or bool(params['dump_path'])
        dump_level = config.get('dump_level')
        compression = config.get('compression')
        estimate = kdump_state.estimate_dump_bytes(meminfo, dump_level, compression)
        basis = 'MemTotal'
        if dump_level and dump_level & 16:
            basis += ' - MemFree (-d %d excludes free pages)' % dump_level
        if compression and compression != 'none':
            basis = '(%s) / 2 (%s compression)' % (basis, compression)

        dump_dir = None
        free = None
        dumps = []
        if local:
            local_path = host_path(dump_path)
            dump_dir = kdump_state.check_dump_dir(dump_path, stat_or_none(local_path))
            free = free_bytes_at(local_path)
            layout = table.dump_layout
            if params['dump_layout'] != 'auto':
                layout = _families.get(params['dump_layout']).dump_layout
            dumps = kdump_state.find_dumps(local_path, layout, since=since)
            for dump in dumps:
                dump['crash'] = self.crash(dump)
            if HOST_ROOT != '/':
                for dump in dumps:
                    dump['path'] = '/' + os.path.relpath(dump['path'], HOST_ROOT)
        findings = kdump_state.dump_findings(dumps)

        initrd = self.initrd(table, kver)
        facts = {
            'container': container,
            'kexec_crash_loaded': loaded,
            'fadump_registered': fadump,
            'crashkernel_running': running,
            'fadump_cmdline': kdump_state.fadump_on_cmdline(cmdline),
            'reserved_bytes': size,
            'crash_regions': [kdump_state.format_region(region) for region in regions],
            'service': self.service(table),
            'config_enabled': config.get('enabled') if table.has_switch and config_exists else None,
            'config_disabled_detail': table.disabled_detail,
            'initrd': initrd,
            'target': target,
            'dump_path': dump_path,
            'dump_dir': dump_dir,
            'free_bytes': free,
            'estimated_dump_bytes': estimate,
            'estimate_basis': basis,
            'remote': self.remote(target, config.get('ssh_key'), config.get('path'), estimate,
                                  config.get('ssh_port')),
            'service_journal': self.journal_reason(table.service) if loaded == 0 and not container else None,
            'compression': compression,
            'supported_compressions': self.compressions(),
        }
        checks = kdump_state.build_checks(facts)
        ready, reasons = kdump_state.evaluate(checks, require)
        diagnostics = dict((key, self.sysrq(key)) for key in keys)
        service = dict((k, facts['service'][k]) for k in ('name', 'enabled', 'active'))
        ansible_facts = {}
        if own_table is not None:
            ansible_facts = dict(own_table.ansible_facts(facts_of_host), kernel=kver)
        sysctl_file = params['panic_sysctl_file']
        return {
            'changed': False,
            'ready': ready,
            'reasons': reasons,
            'checks': checks,
            'family': table.family,
            'container': bool(container),
            'kexec_supported': dict((check['name'], check['ok']) for check in checks)['kexec_supported'],
            'config_enabled': facts['config_enabled'],
            'crashkernel_running': running,
            'reserved_bytes': size,
            'crash_regions': facts['crash_regions'],
            'crash_kernel_loaded': loaded == 1,
            'service': service,
            'tool_status': self.tool_status(table),
            'crash_test_command': table.crash_test_command(facts_of_host),
            'capture_rebuild': {'command': list(table.capture_rebuild[0]) if table.capture_rebuild[0] else None,
                                'detail': table.capture_rebuild[1]},
            'packages': packages,
            'debconf': debconf,
            'ansible_facts': ansible_facts,
            'panic_sysctl_file': self.file_state(sysctl_file) if sysctl_file else None,
            'capture_panic': self.capture_panic(table, config),
            'estimate': self.estimate(table, kver, initrd, container, loaded) if want_estimate else None,
            'dump_path': dump_path,
            'target': target,
            'remote_target': self.ssh_checks,
            'free_bytes': free,
            'estimated_dump_bytes': estimate,
            'memory_bytes': meminfo.get('MemTotal'),
            'ram_bytes': kdump_state.kernel_ram_bytes(iomem, meminfo.get('MemTotal'), size),
            'boot_id': boot_id,
            'kernel': kver,
            'dumps': dumps,
            'findings': findings,
            'diagnostics': diagnostics,
        }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            require=dict(type='list', elements='str', choices=list(kdump_state.CHECK_NAMES)),
            fail_if_not_ready=dict(type='bool', default=False),
            dumps_since=dict(type='str'),
            dump_path=dict(type='path'),
            family=dict(type='str', default='auto', choices=['auto'] + list(_families.FAMILIES)),
            dump_layout=dict(type='str', default='auto', choices=['auto'] + list(_families.FAMILIES)),
            diagnostics=dict(type='list', elements='str', default=[]),
            panic_sysctl_file=dict(type='path'),
            estimate=dict(type='bool', default=False),
            ssh_known_hosts=dict(type='path', default=_remote_target.DEFAULT_KNOWN_HOSTS),
            ssh_port=dict(type='int'),
            target_type=dict(type='str', choices=['local', 'ssh', 'nfs', 'raw', 'ext2', 'ext3', 'ext4', 'xfs',
                                                  'virtiofs']),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        keys = kdump_state.validate_sysrq_keys(params['diagnostics'])
        since = kdump_state.parse_since(params['dumps_since'])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    require = params['require'] if params['require'] is not None else list(kdump_state.DEFAULT_REQUIRE)

    verifier = Verifier(module)
    result = verifier.verify(require, since, keys, want_estimate=params['estimate'])
    for warning in verifier.warnings + result['findings']:
        module.warn(warning)
    if params['fail_if_not_ready'] and not result['ready']:
        module.fail_json(msg='kdump is not ready: %s' % '; '.join(result['reasons']), **result)
    result['msg'] = 'kdump is ready' if result['ready'] else 'kdump is not ready: %s' % '; '.join(result['reasons'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
