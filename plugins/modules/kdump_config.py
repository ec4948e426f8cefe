#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kdump_config
short_description: Configure where and how kdump saves crash dumps, in the distribution's own file
version_added: 0.1.0
description:
  - Takes one kdump vocabulary (dump directory, target, filtering, compression, failure handling) and writes it to
    the file of the host's distribution family, C(/etc/kdump.conf) on the RHEL family (kdump-utils / kexec-tools),
    C(/etc/default/kdump-tools) on Debian and Ubuntu (kdump-tools) and C(/etc/sysconfig/kdump) on SUSE.
  - Refuses what the distribution's tooling would reject at boot (a kdump configuration error is only discovered
    after the machine has crashed). Every refusal names the value and what would be valid, and leaves the file
    byte-identical.
  - With O(managed=merge) only the given settings change; every other line, comment and blank line is kept
    byte-for-byte. With O(managed=exclusive) the file holds exactly what this task manages under an
    C(Ansible managed) header.
  - Creates a missing local dump directory with mode C(0700), owner root (dumps contain all of memory,
    secrets included). An existing directory that other users can reach (for example the package's own
    C(/var/crash), mode C(0755)) is tightened to C(0700) and reported in RV(path_secured) and RV(findings);
    the module never loosens a mode. On Ubuntu, C(/var/crash) with the sticky bit belongs to apport too (users'
    crash reports), so it is left as is and reported in RV(findings).
  - Does not restart the kdump service; RV(restart_required) tells the caller to do it.
author: fleet.kdump contributors (@fleet)
options:
  path:
    description:
      - Directory the dumps are saved in; absolute. Written as C(path) (RHEL), C(KDUMP_COREDIR) (Debian) or the path
        part of C(KDUMP_SAVEDIR) (SUSE).
      - With an ssh target it is the directory on the remote host; with a filesystem or nfs target on the RHEL
        family it is relative to the target's root (the export for nfs).
      - When unset the distribution default V(/var/crash) applies.
    type: str
  target:
    description:
      - Where the dump goes. Omit to keep the current target (merge) or use the local filesystem (exclusive).
      - V(local) removes any remote or device target. V(ssh) and V(nfs) work on every family; V(raw), the filesystem
        types and V(virtiofs) only on the RHEL family (V(virtiofs) from RHEL 9).
    type: dict
    suboptions:
      type:
        description: Kind of target.
        type: str
        choices: [local, raw, ext2, ext3, ext4, xfs, nfs, ssh, virtiofs]
        default: local
      location:
        description:
          - V(user@host) for V(ssh), V(host:/export) for V(nfs), a device path for V(raw), a device path,
            V(UUID=...) or V(LABEL=...) for the filesystem types, the tag for V(virtiofs). Not used for V(local).
          - Required for every type but V(local).
        type: str
  ssh_key:
    description:
      - Private key used for an ssh target (C(sshkey), C(SSH_KEY), C(KDUMP_SSH_IDENTITY)).
        The distributions default to V(/root/.ssh/kdump_id_rsa) (RHEL, Debian).
    type: str
  dump_level:
    description:
      - makedumpfile C(-d) bitmask 0-31 (1 zero pages, 2 page cache, 4 private cache, 8 user data, 16 free pages).
        The distributions default to V(31). Mutually exclusive with O(core_collector).
      - Omitted means unchanged (merge) or the distribution default (exclusive).
    type: raw
  compression:
    description:
      - Per-page compression of the dump. V(auto) picks the fastest the host's makedumpfile was built with
        (order lzo, snappy, zstd, zlib; lzo and snappy are both fast, lzo is the RHEL default and well exercised,
        zstd gives smaller files a little slower, zlib is slowest but always built).
      - The host's makedumpfile is asked with C(makedumpfile -v) first, because a flag it was not built with makes
        it write an uncompressed dump without failing. An explicit value it lacks is an error; when makedumpfile is
        not installed yet a warning says it could not be checked (and V(auto) uses V(zlib)).
      - V(none) writes no compression flag. Mutually exclusive with O(core_collector).
    type: str
    choices: [auto, zlib, lzo, snappy, zstd, none]
  core_collector:
    description:
      - The collector command as a raw string (RHEL C(core_collector)); on Debian it must start with
        C(makedumpfile) and its arguments become C(MAKEDUMP_ARGS). Not available on SUSE.
      - For ssh and raw targets makedumpfile needs C(-F); the module adds it when it builds the command itself and
        refuses a raw string without it.
      - Mutually exclusive with O(dump_level) and O(compression), which the command already sets.
    type: str
  failure_action:
    description:
      - What the capture kernel does when saving fails. Written as C(failure_action), as C(default) on RHEL 7,
        as C(KDUMP_FAIL_CMD) (V(reboot) to C(reboot -f) etc.) on Debian and as C(KDUMP_CONTINUE_ON_ERROR) on SUSE.
      - Debian has no equivalent of V(shell) and V(dump_to_rootfs), SUSE only of V(reboot) and V(shell); those are
        refused with the reason.
    type: str
    choices: [reboot, halt, poweroff, shell, dump_to_rootfs]
  final_action:
    description:
      - What happens after a successful dump (RHEL 8 and later). Debian and SUSE always reboot, so only V(reboot)
        is accepted there.
    type: str
    choices: [reboot, halt, poweroff]
  pre_hook:
    description: Executable run before the dump (C(kdump_pre), C(KDUMP_PRESCRIPT)). Must exist and be executable.
    type: str
  post_hook:
    description: Executable run after the dump (C(kdump_post), C(KDUMP_POSTSCRIPT)). Must exist and be executable.
    type: str
  extra_bins:
    description:
      - Extra programs for the kdump initrd (C(extra_bins), C(KDUMP_REQUIRED_PROGRAMS)). Each must exist and be
        executable. An empty list removes the setting.
    type: list
    elements: str
  extra_modules:
    description: Extra kernel modules for the kdump initrd (RHEL family only). An empty list removes the setting.
    type: list
    elements: str
  dracut_args:
    description:
      - Extra dracut arguments (RHEL family only). A C(--mount) in them counts as the dump target, so it cannot be
        combined with another target. An empty string removes the setting.
    type: str
  fence_kdump_nodes:
    description:
      - The other nodes of a Pacemaker cluster, which the capture kernel notifies with C(fence_kdump_send) so that
        they wait for the dump instead of fencing this node (C(fence_kdump_nodes); RHEL family only, needs the
        C(fence-agents-kdump) package). Never this host itself, which kdumpctl refuses and so does this module.
      - An empty list removes the setting.
    type: list
    elements: str
  keep_dumps:
    description:
      - How many dumps to keep (C(KDUMP_NUM_DUMPS) on Debian, C(KDUMP_KEEP_OLD_DUMPS) on SUSE; V(0) keeps all).
        The RHEL family has no retention setting; there it is ignored with a warning.
    type: int
  auto_reset_crashkernel:
    description:
      - Whether kdump-utils may rewrite C(crashkernel=) on package and kernel updates (RHEL 9 and later only;
        ignored with a warning elsewhere). Set V(false) when the C(crashkernel=) value is managed by
        M(fleet.kdump.kdump_reserve) with a custom size, or the next update reverts it.
    type: bool
  enabled:
    description:
      - Whether the configuration switches kdump on.
      - Only Debian and Ubuntu have such a switch in the file, C(USE_KDUMP), read by C(kdump-tools) at boot.
        V(true) writes C(USE_KDUMP=1), also over an existing C(USE_KDUMP=0) (which the package writes when
        debconf says no); V(false) writes C(USE_KDUMP=0). C(USE_KDUMP) in O(settings) is refused.
      - The RHEL family and SUSE have no switch in their files; there the C(kdump) service is the switch
        (enable or disable it). V(true) changes nothing there; V(false) is refused with that advice, because
        ignoring it would leave kdump armed.
    type: bool
    default: true
  settings:
    description:
      - Any other directive (RHEL) or variable (Debian, SUSE) of the family's file, as a dictionary. Keys are checked
        against the set the family's tooling knows; unknown keys fail, deprecated ones fail naming the replacement.
        A V(null) value removes the key. Booleans become V(yes)/V(no) (RHEL), V(1)/V(0) (Debian) or
        V(true)/V(false) (SUSE).
      - On Debian a C(KDUMP_CMDLINE_APPEND) without C(systemd.unit=kdump-tools-dump.service) gets it added.
    type: dict
  managed:
    description:
      - V(merge) changes only what is given. V(exclusive) rewrites the whole file with what is given (on Debian plus
        C(USE_KDUMP) from O(enabled) and the package's C(KDUMP_KERNEL)/C(KDUMP_INITRD)); everything else takes the
        distribution default.
    type: str
    choices: [merge, exclusive]
    default: merge
  family:
    description:
      - Which distribution family's file to write. V(auto) detects it from C(/etc/os-release).
      - An explicit family overrides the detection. It is a lab harness (the C(vm-rhel-stack) Molecule scenario drives
        kdump-utils on a Debian VM as V(rhel)), also useful on derivatives that carry another family's kdump
        tooling under an os-release the family does not claim.
    type: str
    choices: [auto, rhel, debian, suse]
    default: auto
  config_file:
    description: The file to write; defaults to the family's file.
    type: path
  backup:
    description: Keep a timestamped copy of the file before changing it.
    type: bool
    default: false
  check_target:
    description:
      - Before anything is written, refuse an ssh or nfs target whose server name does not resolve on this host,
        and an ssh target whose private key (O(ssh_key), else the family's default) is missing or unreadable here.
        The file stays byte-identical and no dump directory is created.
      - In check mode a missing key is only a warning, because a run that creates it (the role's key generation)
        does not create it in check mode.
      - Off by default, so that a configuration can be prepared before its server exists; the role turns it on
        for C(kdump_target).
    type: bool
    default: false
extends_documentation_fragment:
  - fleet.kdump.attributes
notes:
  - Debian's C(MAKEDUMP_ARGS) always starts with C(-F) because kdump-config only recognises a leading C(-F).
  - On SUSE an nfs target becomes C(KDUMP_SAVEDIR=nfs://host/export/path); the URL does not record where the
    export ends, so C(config.target.location) reads back as C(host:/export/path).
seealso:
  - module: fleet.kdump.kdump_reserve
  - module: fleet.kdump.kdump_verify
'''

EXAMPLES = r'''
- name: Save dumps locally, fastest compression the host supports, keep three
  fleet.kdump.kdump_config:
    path: /var/crash
    compression: auto
    dump_level: 31
    keep_dumps: 3

- name: Send dumps to a dump server over ssh and keep kdump-utils away from crashkernel=
  fleet.kdump.kdump_config:
    target:
      type: ssh
      location: kdump@dumps.example.com
    ssh_key: /root/.ssh/kdump_id_ed25519
    path: /srv/dumps
    failure_action: dump_to_rootfs
    auto_reset_crashkernel: false

- name: Own /etc/default/kdump-tools completely
  fleet.kdump.kdump_config:
    managed: exclusive
    family: debian
    compression: lzo
    settings:
      KDUMP_CMDLINE_APPEND: reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb
'''

RETURN = r'''
backend:
  description: Which file format was written.
  returned: always
  type: str
  sample: kdump_tools
files:
  description: Files changed (or that would change in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/default/kdump-tools]
config:
  description: The effective settings after the change, parsed back from the file in the cross-distro vocabulary.
  returned: always
  type: dict
  contains:
    path:
      description: Dump directory (distribution default applied); V(null) for a SUSE nfs URL.
      type: str
      sample: /var/crash
    target:
      description: Dump target, C(type) and C(location) (V(null) for local).
      type: dict
      sample: {type: local, location: null}
    ssh_key:
      description: SSH private key (distribution default applied where it has one).
      type: str
    dump_level:
      description: makedumpfile dump level, V(null) when the collector is not makedumpfile.
      type: int
      sample: 31
    compression:
      description: V(zlib), V(lzo), V(snappy), V(zstd), V(none), or V(null) when unknown.
      type: str
      sample: lzo
    core_collector:
      description: The collector command as written in the file (Debian C(makedumpfile MAKEDUMP_ARGS)), or V(null).
      type: str
    failure_action:
      description: Action when saving fails (on Debian a custom C(KDUMP_FAIL_CMD) is returned as is).
      type: str
      sample: reboot
    final_action:
      description: Action after a successful dump.
      type: str
      sample: reboot
    fence_kdump_nodes:
      description: The cluster nodes notified by fence_kdump, V(null) when none (RHEL family).
      type: list
      elements: str
    keep_dumps:
      description: Retention count, V(null) where the family has none.
      type: int
    enabled:
      description: Debian C(USE_KDUMP) as boolean; V(true) on the other families (no switch in their file).
      type: bool
    pre_hook:
      description: Pre-dump executable.
      type: str
    post_hook:
      description: Post-dump executable.
      type: str
    extra_bins:
      description: Extra initrd programs.
      type: list
      elements: str
    extra_modules:
      description: Extra initrd kernel modules.
      type: list
      elements: str
    dracut_args:
      description: Extra dracut arguments.
      type: str
    auto_reset_crashkernel:
      description: RHEL C(auto_reset_crashkernel) as boolean, V(null) when absent.
      type: bool
    raw:
      description: Every directive or variable of the file as read (last one wins).
      type: dict
restart_required:
  description: The file changed; restart the kdump service (C(kdumpctl restart), C(kdump-config reload),
    C(systemctl restart kdump)) for it to take effect.
  returned: always
  type: bool
service:
  description: The systemd unit of the family's kdump service, the one that reads this file.
  returned: always
  type: str
  sample: kdump-tools
path_created:
  description: The local dump directory was created (or would be, in check mode).
  returned: always
  type: bool
path_secured:
  description: The existing local dump directory lost its group/other permissions (or would, in check mode).
  returned: always
  type: bool
findings:
  description: Problems noticed, such as a dump directory that was reachable by other users.
  returned: always
  type: list
  elements: str
diff:
  description: Before and after content of the file.
  returned: always
  type: dict
backup_file:
  description: Path of the backup copy.
  returned: when O(backup=true) and the file changed
  type: str
'''

import os
import re
import socket
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fleet.kdump.plugins.module_utils import _families, _remote_target, kdump_settings, kdump_state
from ansible_collections.fleet.kdump.plugins.module_utils import makedumpfile
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    COMPRESSION_CHOICES, FAILURE_ACTIONS, FINAL_ACTIONS, TARGET_TYPES, module_host)
from ansible_collections.fleet.kdump.plugins.module_utils.common import CommandRunner, read_text, write_file

EXCLUSIVE_HEADER = (
    'Ansible managed: written by fleet.kdump.kdump_config (managed=exclusive).',
    'Local changes are replaced on the next run.',
)
OS_RELEASE = '/etc/os-release'
# The options about the module itself rather than about kdump.
MODULE_PARAMS = ('managed', 'family', 'config_file', 'backup', 'check_target')


def host_os_release():
    return _families.read_os_release(OS_RELEASE)


def resolve_host(module, runner):
    """(family table, Host view); the version is only known when the family is the host's own."""
    os_release = host_os_release()
    try:
        table, version = _families.resolve(module.params['family'], os_release)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    return table, module_host(module, runner, os_release, version)


def resolve_compression(module, runner, requested, warnings):
    """Turn compression=auto into a concrete one and check an explicit one against the host's makedumpfile."""
    if requested is None or requested == 'none':
        return requested
    binary = module.get_bin_path('makedumpfile')
    supported = set()
    built = None
    if binary:
        rc, out, err = runner.read([binary, '-v'])
        supported = makedumpfile.supported_compressions(out or err)
        built = makedumpfile.version(out or err)
    if not supported:
        if requested == 'auto':
            warnings.append('makedumpfile is not installed (or its -v output was not understood): compression=auto '
                            'chose zlib, which every makedumpfile build supports')
            return 'zlib'
        warnings.append('makedumpfile is not installed (or its -v output was not understood): could not check that '
                        'it supports compression %s; an unsupported flag silently writes an uncompressed dump'
                        % requested)
        return requested
    if requested == 'auto':
        return makedumpfile.fastest(supported)
    if requested not in supported:
        module.fail_json(msg='compression %r is not built into this host\'s makedumpfile %s (supported: %s); it would '
                             'silently write an uncompressed dump. Use compression=auto or one of the supported'
                             % (requested, built or '', ', '.join(sorted(supported))))
    return requested


def check_executable(module, option, path):
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        module.fail_json(msg='%s %r must be an existing executable file on the host (kdumpctl fails to start '
                             'otherwise)' % (option, path))


def ensure_dump_dir(module, config, findings, shared_dirs):
    """Keep the local dump directory root-only: create it 0700 when missing, tighten it when others can reach it.

    Returns (created, secured). Only group/other bits are removed, so a mode is never loosened. A directory the
    family table names as shared with another tool keeps that tool's sticky world-writable mode (reported).
    """
    if config['target']['type'] != 'local' or not config['path']:
        return False, False
    path = config['path']
    if os.path.isdir(path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if not mode & 0o077:
            return False, False
        if path in shared_dirs and mode & stat.S_ISVTX:
            findings.append('dump directory %s (mode %04o) is shared with %s, which needs it writable by everyone '
                            'with the sticky bit: left as is; dumps there are protected only by their own file modes, '
                            'set path to a directory of its own (for example %s/kdump) to keep them root-only'
                            % (path, mode, shared_dirs[path], path.rstrip('/')))
            return False, False
        findings.append('dump directory %s had mode %04o: dumps hold all of memory (keys, passwords); '
                        'set to %04o' % (path, mode, mode & ~0o077))
        if not module.check_mode:
            try:
                os.chmod(path, mode & ~0o077)
            except OSError as exc:
                module.fail_json(msg='could not restrict dump directory %s to root: %s' % (path, exc))
        return False, True
    if os.path.lexists(path):
        module.fail_json(msg='path %r exists but is not a directory' % path)
    if module.check_mode:
        return True, False
    try:
        os.makedirs(path, 0o700)
        os.chmod(path, 0o700)
        os.chown(path, 0, 0)
    except OSError as exc:
        module.fail_json(msg='could not create dump directory %s: %s' % (path, exc))
    return True, False


def lookup_server(name):
    """The addresses ``name`` resolves to on this host (raises OSError when it does not)."""
    return sorted(set(info[4][0] for info in socket.getaddrinfo(name, None, 0, socket.SOCK_STREAM)))


def target_problems(module, config, warnings):
    """What makes the configured remote target unusable from this host, found before anything is written."""
    target = config.get('target') or {}
    kind, location = target.get('type'), target.get('location')
    if kind not in ('ssh', 'nfs') or not location:
        return []
    problems = []
    if kind == 'ssh':
        server = _remote_target.split_destination(location)[1]
    else:
        server = kdump_state.split_nfs_location(location)[0]
    try:
        if not lookup_server(server):
            raise OSError('no address')
    except (OSError, ValueError) as exc:
        problems.append('the %s server %s of target %s does not resolve on this host (%s)'
                        % (kind, server, location, exc))
    key = config.get('ssh_key')
    if kind == 'ssh' and key and not (os.path.isfile(key) and os.access(key, os.R_OK)):
        message = ('the ssh key %s is missing or unreadable on this host: the capture kernel could not log in to %s'
                   % (key, location))
        if module.check_mode:
            warnings.append(message + ' (check mode: a key created in this run does not exist yet)')
        else:
            problems.append(message)
    return problems


# What a private key looks like (PEM, OpenSSH, PuTTY): ssh_key and the settings name a key file, they never carry one.
KEY_MATERIAL = re.compile(r'-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File-|b3BlbnNzaC1rZXktdjE')


def refuse_key_material(module):
    """Refuse, without echoing it, a private key given where the path of a key file belongs.

    The value is added to the module's no_log values, so no result or log line carries it.
    """
    params = module.params
    candidates = [('ssh_key', params['ssh_key'])]
    candidates += [('settings.%s' % name, value) for name, value in sorted((params['settings'] or {}).items())]
    for name, value in candidates:
        if isinstance(value, str) and KEY_MATERIAL.search(value):
            module.no_log_values.add(value)
            module.no_log_values.update(line for line in value.splitlines() if len(line) > 8)
            module.fail_json(msg='%s holds private key material, not a path: give the path of the key file on the host '
                                 '(for example /root/.ssh/kdump_id_ed25519); the value is not shown' % name)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='str'),
            target=dict(type='dict', options=dict(
                type=dict(type='str', default='local', choices=list(TARGET_TYPES)),
                location=dict(type='str'),
            ), required_if=[('type', kind, ['location']) for kind in TARGET_TYPES if kind != 'local']),
            ssh_key=dict(type='str', no_log=False),
            dump_level=dict(type='raw'),
            compression=dict(type='str', choices=list(COMPRESSION_CHOICES)),
            core_collector=dict(type='str'),
            failure_action=dict(type='str', choices=list(FAILURE_ACTIONS)),
            final_action=dict(type='str', choices=list(FINAL_ACTIONS)),
            pre_hook=dict(type='str'),
            post_hook=dict(type='str'),
            extra_bins=dict(type='list', elements='str'),
            extra_modules=dict(type='list', elements='str'),
            dracut_args=dict(type='str'),
            fence_kdump_nodes=dict(type='list', elements='str'),
            keep_dumps=dict(type='int'),
            auto_reset_crashkernel=dict(type='bool'),
            enabled=dict(type='bool', default=True),
            settings=dict(type='dict'),
            managed=dict(type='str', choices=['merge', 'exclusive'], default='merge'),
            family=dict(type='str', choices=['auto'] + list(_families.FAMILIES), default='auto'),
            config_file=dict(type='path'),
            backup=dict(type='bool', default=False),
            check_target=dict(type='bool', default=False),
        ),
        # The collector command already sets the dump level and the compression.
        mutually_exclusive=[('core_collector', 'dump_level'), ('core_collector', 'compression')],
        supports_check_mode=True,
    )
    params = module.params
    refuse_key_material(module)
    runner = CommandRunner(module)
    warnings = []
    table, host = resolve_host(module, runner)
    config_file = params['config_file'] or table.config_file
    before = read_text(config_file)

    # Every other option is the cross-distro vocabulary, which the family table maps (or refuses).
    options = dict((name, value) for name, value in params.items() if name not in MODULE_PARAMS)
    options['compression'] = resolve_compression(module, runner, params['compression'], warnings)
    exclusive = params['managed'] == 'exclusive'
    try:
        updates, notes = kdump_settings.desired_updates(table, options, '' if exclusive else (before or ''), host=host)
        if exclusive:
            after = kdump_settings.render_exclusive(table, updates, EXCLUSIVE_HEADER)
        else:
            after = kdump_settings.apply_merge(table, before or '', updates)
    except (kdump_settings.SettingsError, ValueError) as exc:
        module.fail_json(msg=str(exc))
    warnings.extend(notes)
    problems = kdump_settings.validate_result(table, after)
    if problems:
        module.fail_json(msg='the resulting %s would be refused by the kdump tooling: %s'
                         % (config_file, '; '.join(problems)), problems=problems)

    for option in ('pre_hook', 'post_hook'):
        if params[option]:
            check_executable(module, option, params[option])
    for program in params['extra_bins'] or ():
        check_executable(module, 'extra_bins entry', program)

    config = kdump_settings.effective_config(table, after)
    problems = table.host_problems(config, host)
    if problems:
        module.fail_json(msg='the resulting %s would be refused by the kdump tooling on this host: %s'
                         % (config_file, '; '.join(problems)), problems=problems)
    if params['check_target']:
        problems = target_problems(module, config, warnings)
        if problems:
            module.fail_json(msg='the dump target cannot work from this host, %s not written: %s'
                             % (config_file, '; '.join(problems)), problems=problems)
    findings = kdump_settings.findings(table, after)
    path_created, path_secured = ensure_dump_dir(module, config, findings, table.shared_dump_dirs)
    try:
        written = write_file(module, config_file, before, after, backup=params['backup'])
    except (IOError, OSError) as exc:
        # write_file writes a temp file beside the config and moves it into place: a failed write (a full disk)
        # leaves the config as it was and removes the temp file.
        module.fail_json(msg='could not write %s: %s; the file is unchanged' % (config_file, exc),
                         path_created=path_created, path_secured=path_secured)

    for message in warnings + findings:
        module.warn(message)
    result = dict(
        changed=written['changed'] or path_created or path_secured,
        backend=table.backend,
        files=[config_file] if written['changed'] else [],
        config=config,
        restart_required=written['changed'],
        service=table.service,
        path_created=path_created,
        path_secured=path_secured,
        findings=findings,
        diff=written['diff'],
    )
    if written['backup_file']:
        result['backup_file'] = written['backup_file']
    module.exit_json(**result)


if __name__ == '__main__':
    main()
