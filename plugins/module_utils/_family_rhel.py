# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The RHEL family table: RHEL, CentOS, Rocky, Alma, Oracle Linux, Fedora, Amazon Linux (kdump-spec section 1).

kdump-utils (before 2024: kexec-tools) reads /etc/kdump.conf, kdumpctl runs the service ``kdump``, dracut
builds the capture initrd. Older releases differ by version: RHEL 7 knows ``default`` instead of
``failure_action`` and no ``final_action``; ``auto_reset_crashkernel`` and ``virtiofs`` came with RHEL 9.
"""

from __future__ import annotations

import re

from ansible_collections.fleet.kdump.plugins.module_utils import kdump_conf, makedumpfile, package_db
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    DEFAULT_DUMP_PATH, DEFAULT_SSH_KEY, KDUMP_CONF, DumpLayout, FamilyTable, Option, SettingsError, check_target,
    fresh_if_newer_than_config, ignored, is_makedumpfile, join_words, key, no_switch, split_collector)

# kdump-utils default collector (kdump.conf template, x86_64); -F is added for ssh/raw targets.
DEFAULT_COLLECTOR = 'makedumpfile -l --message-level 7 -d 31'
FLATTEN_TARGETS = ('ssh', 'raw')


# ---------------------------------------------------------------------------------------------
# options

def _write_target(ctx):
    if ctx.options.get('target') is None:
        return []
    kind, location = check_target(ctx.options['target'])
    if kind == 'virtiofs' and ctx.version is not None and ctx.version < 9:
        raise SettingsError('target.type virtiofs needs RHEL 9 or later (this host: RHEL %s)' % ctx.version)
    return [(directive, location if directive == kind else None) for directive in kdump_conf.TARGET_DIRECTIVES]


def _read_target(ctx):
    targets = ctx.document.targets()
    if not targets:
        return {'target': {'type': 'local', 'location': None}}
    directive, value = targets[0]
    if directive == 'dracut_args':
        spec = kdump_conf.mount_spec(value) or []
        return {'target': {'type': spec[2] if len(spec) > 2 else 'mount', 'location': spec[0] if spec else None}}
    return {'target': {'type': directive, 'location': value}}


def _write_collector(ctx):
    options = ctx.options
    if options.get('target') is not None:
        kind = check_target(options['target'])[0]
    else:
        targets = [found for found in ctx.document.targets() if found[0] in kdump_conf.TARGET_DIRECTIVES]
        kind = targets[0][0] if targets else 'local'
    flatten = kind in FLATTEN_TARGETS
    collector = options.get('core_collector')
    if collector is not None:
        if flatten and is_makedumpfile(collector) and not makedumpfile.has_flatten(split_collector(collector)[1]):
            raise SettingsError('core_collector %r lacks -F: the %s target needs makedumpfile -F (flattened) output '
                                '(mkdumprd refuses it)' % (collector, kind))
        return [('core_collector', collector)]
    existing = ctx.values.get('core_collector')
    wants_args = options.get('compression') is not None or options.get('dump_level') is not None
    if wants_args and not is_makedumpfile(existing or DEFAULT_COLLECTOR):
        existing = None
    head, args = split_collector(existing or DEFAULT_COLLECTOR)
    if wants_args or (existing and flatten and is_makedumpfile(existing) and not makedumpfile.has_flatten(args)):
        new_args = makedumpfile.set_args(args, options.get('compression'), options.get('dump_level'),
                                         True if flatten else None)
        return [('core_collector', '%s %s' % (head, new_args))]
    return []


def _read_collector(ctx):
    written = ctx.values.get('core_collector')
    collector = written or DEFAULT_COLLECTOR
    result = {'core_collector': written, 'compression': None, 'dump_level': None}
    if is_makedumpfile(collector):
        args = split_collector(collector)[1]
        result.update(compression=makedumpfile.compression_from_args(args),
                      dump_level=makedumpfile.dump_level_from_args(args))
    return result


def _write_failure_action(ctx):
    action = ctx.options.get('failure_action')
    if action is None:
        return []
    if ctx.version is not None and ctx.version < 8:
        # RHEL 7 kexec-tools only knows the (later deprecated) 'default' directive.
        return [('failure_action', None), ('default', action)]
    return [('default', None), ('failure_action', action)]


def _write_final_action(ctx):
    action = ctx.options.get('final_action')
    if action is None:
        return []
    if ctx.version is not None and ctx.version < 8:
        raise SettingsError('final_action %r cannot be set on RHEL %s: kexec-tools there has no final_action '
                            '(it always reboots after a dump)' % (action, ctx.version))
    return [('final_action', action)]


def auto_reset_crashkernel(host):
    """Whether kdump-utils rewrites crashkernel= on package and kernel updates unless told ``no`` (spec 1.11).

    The installed kdumpctl decides when there is one: the setting exists where its parser knows the word, and an
    unknown directive would stop kdumpctl from starting. Before kdumpctl is installed, the release decides: the
    setting came with kexec-tools 2.0.23 (late 2021), so EL 9 and later, every supported Fedora and Amazon Linux
    2023 (Fedora-derived, RHEL-9-era tooling, spec 1.1) have it; an unknown version is taken as current.
    kdump_reserve (is ``no`` needed?) and kdump_config (may ``no`` be written?) both ask this one rule.
    """
    kdumpctl = host.which('kdumpctl')
    script = host.read(kdumpctl) if kdumpctl else None
    if script is not None:
        return 'auto_reset_crashkernel' in script
    return host.version is None or host.version >= 9


def _write_auto_reset(ctx):
    value = ctx.options.get('auto_reset_crashkernel')
    if value is None:
        return []
    if not auto_reset_crashkernel(ctx.host):
        if ctx.version is not None and ctx.version < 9:
            why = 'it exists only on RHEL 9 and later (this host: RHEL %s)' % ctx.version
        else:
            why = "this host's kdumpctl does not know it (it came with kexec-tools 2.0.23, RHEL 9)"
        ctx.warnings.append('auto_reset_crashkernel ignored: %s' % why)
        return []
    return [('auto_reset_crashkernel', 'yes' if value else 'no')]


def _read_auto_reset(ctx):
    if 'auto_reset_crashkernel' not in ctx.values:
        return {'auto_reset_crashkernel': None}
    # kdumpctl compares literally with "no": any other value means yes.
    return {'auto_reset_crashkernel': ctx.values['auto_reset_crashkernel'] != 'no'}


OPTIONS = (
    Option('target', kdump_conf.TARGET_DIRECTIVES, _write_target, _read_target, {'target': [
        {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, {'type': 'nfs', 'location': 'nfs.example.com:/export'},
        {'type': 'xfs', 'location': 'LABEL=crash'}, {'type': 'raw', 'location': '/dev/vg/kdump'},
        {'type': 'local', 'location': None}]}),
    key('ssh_key', 'sshkey', default=DEFAULT_SSH_KEY, examples=['/root/.ssh/kdump_id_ed25519']),
    key('path', 'path', default=DEFAULT_DUMP_PATH, examples=['/srv/crash']),
    Option(('dump_level', 'compression', 'core_collector'), ('core_collector',), _write_collector, _read_collector,
           {'dump_level': [17], 'compression': ['zstd', 'none'],
            'core_collector': ['makedumpfile -F -l --message-level 7 -d 1', 'cp --sparse=always']}),
    Option('failure_action', ('failure_action', 'default'), _write_failure_action,
           lambda ctx: {'failure_action': ctx.values.get('failure_action') or ctx.values.get('default') or 'reboot'},
           {'failure_action': ['dump_to_rootfs', 'shell']}),
    Option('final_action', ('final_action',), _write_final_action,
           lambda ctx: {'final_action': ctx.values.get('final_action') or 'reboot'}, {'final_action': ['poweroff']}),
    key('pre_hook', 'kdump_pre', examples=['/usr/local/bin/kdump-pre']),
    key('post_hook', 'kdump_post', examples=['/usr/local/bin/kdump-post']),
    key('extra_bins', 'extra_bins', render=lambda value: join_words(value) or None, parse=str.split,
        examples=[['/usr/bin/a', '/usr/bin/b']]),
    key('extra_modules', 'extra_modules', render=lambda value: join_words(value) or None, parse=str.split,
        examples=[['gfs2', 'dm_crypt']]),
    key('dracut_args', 'dracut_args', render=lambda value: value or None, examples=['--add-drivers e1000']),
    key('fence_kdump_nodes', 'fence_kdump_nodes', render=lambda value: join_words(value) or None, parse=str.split,
        examples=[['node2.example.com', '192.0.2.12']]),
    Option('auto_reset_crashkernel', ('auto_reset_crashkernel',), _write_auto_reset, _read_auto_reset,
           {'auto_reset_crashkernel': [False, True]}),
    ignored('keep_dumps', 'keep_dumps ignored: kdump-utils (RHEL family) has no dump retention setting'),
    no_switch('/etc/kdump.conf', 'kdump'),
)


def _deprecated_settings(version):
    deprecated = dict(kdump_conf.DEPRECATED_DIRECTIVES)
    if version is None or version >= 8:
        deprecated['default'] = 'the failure_action option'
    return deprecated


def _bool_text(name, value):
    if name.startswith('force_'):
        return '1' if value else '0'
    return 'yes' if value else 'no'


def fence_kdump_problems(config, host):
    """kdumpctl (check_fence_kdump_config) refuses fence_kdump_nodes naming this host or one of its addresses."""
    nodes = (config['raw'].get('fence_kdump_nodes') or '').split()
    if not nodes:
        return []
    local = set([host.hostname]) if host.hostname else set()
    hostname = host.which('hostname')
    if hostname:
        rc, out, _err = host.run([hostname, '-I'])
        if rc == 0:
            local.update(out.split())
    clashing = [node for node in nodes if node in local]
    if clashing:
        return ['fence_kdump_nodes %r names this host (%s); list only the other cluster nodes'
                % (' '.join(nodes), ', '.join(clashing))]
    return []


# ---------------------------------------------------------------------------------------------
# service and state

def parse_kdumpctl_status(rc, stdout, stderr):
    """`kdumpctl status` (RHEL): exit 0 'Kdump is operational', exit 3 'not operational' (spec 1.6).

    Messages go to stderr prefixed 'kdump: ' since 2020; older versions print to stdout.
    """
    text = '\n'.join(part for part in (stderr, stdout) if part)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    messages = [re.sub(r'^kdump:\s*', '', line) for line in lines]
    operational = None
    if any(re.search(r'Kdump is operational', m) for m in messages):
        operational = True
    if any(re.search(r'Kdump is (not operational|unsupported)', m) for m in messages):
        operational = False
    if operational is None and rc in (0, 3):
        operational = rc == 0
    last_test = None
    for message in messages:
        if re.match(r'^(Notice|WARNING):.*(vmcore creation test|manual check)', message):
            last_test = message
    return {'ready': operational, 'rc': rc, 'messages': messages, 'last_test': last_test}


def _classify_dump(files):
    """(complete, core file, dmesg file) for a RHEL dump directory (spec 1.9)."""
    dmesg = 'vmcore-dmesg.txt' if 'vmcore-dmesg.txt' in files else (
        'vmcore-dmesg-incomplete.txt' if 'vmcore-dmesg-incomplete.txt' in files else None)
    for name in ('vmcore', 'vmcore.flat'):
        if name in files:
            return 'vmcore-incomplete' not in files, name, dmesg
    if 'vmcore-incomplete' in files:
        return False, 'vmcore-incomplete', dmesg
    return None, None, dmesg


# <ip>-YYYY-MM-DD-HH:MM:SS; raw targets: YYYY-MM-DD-HH:MM; `kdumpctl test`: kdump-test-<id>.
DUMP_LAYOUT = DumpLayout(r'^(?:.+-)?\d{4}-\d{2}-\d{2}-\d{2}:\d{2}(?::\d{2})?$|^kdump-test-.+$', _classify_dump,
                         '<path>/<ip>-<YYYY-MM-DD-HH:MM:SS>/vmcore with vmcore-dmesg.txt, incomplete while '
                         'vmcore-incomplete exists')


def initrd_candidates(kver):
    """Where kdumpctl puts the kdump initrd: /boot, or /var/lib/kdump when /boot is read-only (spec 1.8)."""
    return ['/boot/initramfs-%skdump.img' % kver, '/var/lib/kdump/initramfs-%skdump.img' % kver]


# ---------------------------------------------------------------------------------------------
# crashkernel= and the crash test

MODULES_DIR = '/usr/lib/modules'


def default_crashkernel(host):
    """The distribution default: crashkernel=auto on RHEL 6-8 kernels, else kdumpctl's (spec 1.10)."""
    if host.version is not None and host.version <= 8 and host.os_id not in ('fedora', 'amzn'):
        return ['auto']
    kdumpctl = host.which('kdumpctl')
    if kdumpctl:
        rc, out, _err = host.run([kdumpctl, 'get-default-crashkernel'])
        if rc == 0 and out.strip():
            return [out.strip().split()[-1]]
    default_file = '%s/%s/crashkernel.default' % (MODULES_DIR, host.kernel)
    content = host.read(default_file)
    if content and content.strip():
        return [content.strip().replace('crashkernel=', '')]
    raise ValueError('size=auto: neither kdumpctl get-default-crashkernel nor %s gave a default; install kdump-utils '
                     '(or kexec-tools) or give an explicit size' % default_file)


def ships_kdump_utils(host):
    """RHEL 10 and Fedora 41 on ship kdumpctl in kdump-utils (>= 1.0.45); before, kexec-tools did (spec 1.1)."""
    if host.version is None:
        return False
    if host.os_id == 'fedora':
        return host.version >= 41
    return host.os_id != 'amzn' and host.version >= 10


def crash_test_command(host):
    """`kdumpctl test` (kdump-utils >= 1.0.45: RHEL 10, Fedora 41) records its result for `kdumpctl status`."""
    return ['kdumpctl', 'test', '--force'] if ships_kdump_utils(host) else None


def packages(host):
    """The kdump stack to install (spec 1.1)."""
    if ships_kdump_utils(host):
        return ('kdump-utils', 'kexec-tools', 'makedumpfile')
    return ('kexec-tools', 'makedumpfile')


# An nfs target: dracut's nfs module (mkdumprd) puts mount.nfs from nfs-utils into the capture initrd.
TARGET_PACKAGES = {'nfs': ('nfs-utils',)}


def pkg_mgr(host):
    """Ansible's rule: dnf5 where /usr/bin/dnf (or microdnf) is dnf5, else dnf; ostree hosts are special."""
    if host.resolve('/run/ostree-booted'):
        return 'atomic_container'
    for path in ('/usr/bin/dnf', '/usr/bin/microdnf'):
        real = host.resolve(path)
        if real:
            return 'dnf5' if real == '/usr/bin/dnf5' else 'dnf'
    return 'unknown'


RECOMMENDED = re.compile(r'^Recommended crashkernel:\s*(\d+)M\s*$', re.MULTILINE)


def parse_kdumpctl_estimate(rc, stdout, stderr):
    """(bytes or None, detail) from `kdumpctl estimate` (RHEL >= 8.5/9, kdump-utils; spec 1.6, 4.3).

    It prints 'Reserved crashkernel:    NM' and 'Recommended crashkernel: NM' (the larger of the distribution
    default for this RAM and kernel + modules + 3 x initrd + 16M runtime + LUKS) on stdout; errors go to stderr.
    """
    match = RECOMMENDED.search(stdout or '')
    if rc != 0 or not match:
        return None, 'kdumpctl estimate gave no recommendation (rc %d): %s' % (
            rc, ((stderr or '').strip() or (stdout or '').strip())[-300:])
    if int(match.group(1)) == 0:
        return None, 'kdumpctl estimate: Recommended crashkernel: 0M'
    return int(match.group(1)) << 20, 'kdumpctl estimate: Recommended crashkernel: %sM' % match.group(1)


TABLE = FamilyTable(
    name='rhel',
    family='rhel',
    os_ids=('rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol', 'amzn', 'cloudlinux', 'eurolinux', 'circle',
            'navy'),
    config_file='/etc/kdump.conf',
    file_format=KDUMP_CONF,
    backend='kdump_conf',
    options=OPTIONS,
    settings_keys=kdump_conf.KNOWN_DIRECTIVES,
    deprecated_settings=_deprecated_settings,
    reserved_settings=dict((directive, "settings key %r is a dump target: use the target option "
                                       "(type: %s, location: ...)" % (directive, directive))
                           for directive in kdump_conf.TARGET_DIRECTIVES),
    bool_text=_bool_text,
    host_problems=fence_kdump_problems,
    service='kdump',
    status_command=('kdumpctl', 'status'),
    parse_status=parse_kdumpctl_status,
    dump_layout=DUMP_LAYOUT,
    initrd_candidates=initrd_candidates,
    initrd_freshness=fresh_if_newer_than_config,
    default_crashkernel=default_crashkernel,
    auto_reset_crashkernel=auto_reset_crashkernel,
    prefers_grubby=True,
    crash_test_command=crash_test_command,
    os_family='RedHat',
    distributions={'rhel': 'RedHat', 'centos': 'CentOS', 'fedora': 'Fedora', 'rocky': 'Rocky',
                   'almalinux': 'AlmaLinux', 'ol': 'OracleLinux', 'amzn': 'Amazon', 'cloudlinux': 'CloudLinux',
                   'eurolinux': 'EuroLinux'},
    pkg_mgr=pkg_mgr,
    packages=packages,
    package_query=package_db.RPM,
    target_packages=TARGET_PACKAGES,
    # kdumpctl estimate rebuilds a stale capture initrd first: kdump_verify runs it only when the initrd is fresh.
    estimate_command=('kdumpctl', 'estimate'),
    parse_estimate=parse_kdumpctl_estimate,
    initrd_list_command=lambda path: ['lsinitrd', path],
    # mkdumprd copies the sshkey and root's known_hosts into the capture initrd; a known_hosts change alone does not
    # make kdumpctl start rebuild it (only kdump.conf and the other trigger files do).
    capture_rebuild=(('kdumpctl', 'rebuild'), 'kdumpctl rebuild: the capture initrd carries kdump.conf, the ssh key '
                                              'and root\'s known_hosts'),
    # No capture_cmdline_append: kdump-utils' KDUMP_COMMANDLINE_APPEND (/etc/sysconfig/kdump) carries panic=10 on every
    # architecture (spec 1.5).
)
