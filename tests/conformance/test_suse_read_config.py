# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""/etc/sysconfig/kdump written by kdump_config, read by openSUSE kdump's own kdump-read-config.sh.

kdump-read-config.sh sources the file, so it runs in a throwaway, network-less container with every mount
read-only. Each file must read back to exactly the values the options ask for (every other variable at the
reader's default), with nothing on stderr, and set no variable that sysconfig.kdump.in does not know.
"""

from __future__ import annotations

import re

import pytest

import conformance_support as support

from ansible_collections.fleet.kdump.plugins.modules import kdump_config

ORACLE = 'kdump-read-config.sh (/etc/sysconfig/kdump)'
# compression option -> KDUMP_DUMPFORMAT (spec 3.2; "none" is an ELF dump, SUSE's "none" writes no dump at all)
DUMPFORMATS = {'zlib': 'compressed', 'lzo': 'lzo', 'snappy': 'snappy', 'zstd': 'zstd', 'none': 'ELF'}
AWKWARD = [
    'console=ttyS0,115200 "quoted words" it\'s',
    'dollar $HOME and `id` and $(id) stay text',
    'back\\slash \\" and a trailing backslash \\',
    "  leading and trailing blanks  ",
    'tab\tinside',
    "single ' and double \" together",
    'percent % hash # semicolon ; ampersand & pipe |',
]


@pytest.fixture(scope='module')
def oracle():
    return support.oracle_dir('suse-kdump')


@pytest.fixture(scope='module')
def host_files(tmp_path_factory):
    root = tmp_path_factory.mktemp('susehost')
    paths = {}
    for name in ('pre hook.sh', 'post.sh', 'lftp', 'nc'):
        path = root / name
        path.write_text('#!/bin/bash\nexit 0\n')
        path.chmod(0o755)
        paths[name] = str(path)
    paths['crash'] = str(tmp_path_factory.mktemp('susecrash'))
    return paths


def installed_template(oracle):
    """sysconfig.kdump.in as the x86_64 build installs it (the POWER-only fadump block dropped)."""
    text = (oracle / 'sysconfig.kdump.in').read_text()
    return re.sub(r'^@if @HAVE_FADUMP@ TRUE\n.*?^@endif\n', '', text, flags=re.MULTILINE | re.DOTALL)


def known_variables(oracle):
    """Variables sysconfig.kdump.in documents, and those kdump-read-config.sh reads with a default."""
    template = set(re.findall(r'^([A-Z_][A-Z0-9_]*)=', (oracle / 'sysconfig.kdump.in').read_text(), re.MULTILINE))
    reader = set(re.findall(r'^\s*option\s+(?:string|bool|int)\s+([A-Z_][A-Z0-9_]*)\s',
                            (oracle / 'kdump-read-config.sh').read_text(), re.MULTILINE))
    return template, reader


def cases(files):
    """(label, args, expected variables) - at least 50."""
    crash = files['crash']
    result = []

    def add(label, args, expected):
        if 'path' in args and (args.get('target') or {}).get('type', 'local') == 'local':
            expected = dict({'KDUMP_SAVEDIR': args['path'], 'KDUMP_PROTO': 'file'}, **expected)
        result.append((label, args, expected))

    # KDUMP_SAVEDIR forms
    add('local path', {'path': crash + '/dumps'}, {'KDUMP_SAVEDIR': crash + '/dumps', 'KDUMP_PROTO': 'file'})
    add('local path with a space', {'target': {'type': 'local'}, 'path': crash + '/crash dumps'},
        {'KDUMP_SAVEDIR': crash + '/crash dumps', 'KDUMP_PROTO': 'file'})
    for user, host, path in (('kdump', 'dumps.example.com', '/var/crash'), ('root', '192.0.2.7', '/srv/dumps'),
                             ('k-d', 'dumps', '/'), ('kdump', 'dumps.example.com', '/a/b/c')):
        add('ssh %s@%s%s' % (user, host, path), {'target': {'type': 'ssh', 'location': '%s@%s' % (user, host)},
                                                 'path': path},
            {'KDUMP_SAVEDIR': 'ssh://%s@%s%s' % (user, host, path), 'KDUMP_PROTO': 'ssh'})
    add('ssh with identity', {'target': {'type': 'ssh', 'location': 'kdump@dumps'}, 'path': '/var/crash',
                              'ssh_key': '/root/.ssh/kdump_id_ed25519'},
        {'KDUMP_SAVEDIR': 'ssh://kdump@dumps/var/crash', 'KDUMP_PROTO': 'ssh',
         'KDUMP_SSH_IDENTITY': '/root/.ssh/kdump_id_ed25519'})
    for location, path, url in (('nfs.example.com:/export', '/crash', 'nfs://nfs.example.com/export/crash'),
                                ('nfs:/export/', '/hosts/a', 'nfs://nfs/export/hosts/a'),
                                ('192.0.2.9:/srv/nfs', '/var/crash', 'nfs://192.0.2.9/srv/nfs/var/crash')):
        add('nfs %s + %s' % (location, path), {'target': {'type': 'nfs', 'location': location}, 'path': path},
            {'KDUMP_SAVEDIR': url, 'KDUMP_PROTO': 'nfs'})
    add('other URL via settings', {'settings': {'KDUMP_SAVEDIR': 'ftp://user:secret@ftp.example.com/crash'}},
        {'KDUMP_SAVEDIR': 'ftp://user:secret@ftp.example.com/crash', 'KDUMP_PROTO': 'ftp'})
    add('cifs URL via settings', {'settings': {'KDUMP_SAVEDIR': 'cifs://u:p@smb.example.com/share/crash'}},
        {'KDUMP_SAVEDIR': 'cifs://u:p@smb.example.com/share/crash', 'KDUMP_PROTO': 'cifs'})
    # dump level and format
    for level in (0, 1, 17, 31):
        add('dump level %d' % level, {'path': crash, 'dump_level': level}, {'KDUMP_DUMPLEVEL': str(level)})
    for compression, dumpformat in sorted(DUMPFORMATS.items()):
        add('compression %s' % compression, {'path': crash, 'compression': compression},
            {'KDUMP_DUMPFORMAT': dumpformat})
    add('level and format together', {'path': crash, 'dump_level': '7', 'compression': 'zstd'},
        {'KDUMP_DUMPLEVEL': '7', 'KDUMP_DUMPFORMAT': 'zstd'})
    # retention, failure and final action
    for keep in (0, 1, 5, 100):
        add('keep %d dumps' % keep, {'path': crash, 'keep_dumps': keep}, {'KDUMP_KEEP_OLD_DUMPS': str(keep)})
    add('failure_action shell', {'path': crash, 'failure_action': 'shell'}, {'KDUMP_CONTINUE_ON_ERROR': 'false'})
    add('failure_action reboot', {'path': crash, 'failure_action': 'reboot'}, {'KDUMP_CONTINUE_ON_ERROR': 'true'})
    add('final_action reboot', {'path': crash, 'final_action': 'reboot'}, {'KDUMP_IMMEDIATE_REBOOT': 'true'})
    # hooks and programs
    add('hooks', {'path': crash, 'pre_hook': files['pre hook.sh'], 'post_hook': files['post.sh']},
        {'KDUMP_PRESCRIPT': files['pre hook.sh'], 'KDUMP_POSTSCRIPT': files['post.sh']})
    add('extra programs', {'path': crash, 'extra_bins': [files['lftp'], files['nc']]},
        {'KDUMP_REQUIRED_PROGRAMS': '%s %s' % (files['lftp'], files['nc'])})
    # settings passthrough: awkward text, booleans, numbers
    for number, text in enumerate(AWKWARD):
        for variable in ('KDUMP_COMMANDLINE_APPEND', 'KDUMP_SMTP_PASSWORD'):
            add('%s awkward #%d' % (variable, number), {'path': crash, 'settings': {variable: text}}, {variable: text})
    add('notification list', {'path': crash, 'settings': {'KDUMP_NOTIFICATION_TO': 'ops@example.com sre@example.com',
                                                          'KDUMP_NOTIFICATION_CC': 'lead@example.com',
                                                          'KDUMP_SMTP_SERVER': 'smtp.example.com:587',
                                                          'KDUMP_SMTP_USER': 'kdump bot'}},
        {'KDUMP_NOTIFICATION_TO': 'ops@example.com sre@example.com', 'KDUMP_NOTIFICATION_CC': 'lead@example.com',
         'KDUMP_SMTP_SERVER': 'smtp.example.com:587', 'KDUMP_SMTP_USER': 'kdump bot'})
    add('booleans', {'path': crash, 'settings': {'KDUMP_AUTO_RESIZE': True, 'KDUMP_FADUMP': False,
                                                 'KDUMP_IMMEDIATE_REBOOT': False}},
        {'KDUMP_AUTO_RESIZE': 'true', 'KDUMP_FADUMP': 'false', 'KDUMP_IMMEDIATE_REBOOT': 'false'})
    add('numbers', {'path': crash, 'settings': {'KDUMP_CPUS': 4, 'KDUMP_VERBOSE': 15, 'KDUMP_FREE_DISK_SIZE': 128,
                                                'KDUMP_NET_TIMEOUT': '60'}},
        {'KDUMP_CPUS': '4', 'KDUMP_VERBOSE': '15', 'KDUMP_FREE_DISK_SIZE': '128', 'KDUMP_NET_TIMEOUT': '60'})
    add('kernel and command line', {'path': crash, 'settings': {
        'KDUMP_KERNELVER': '6.4.0-150600.23.7-default', 'KDUMP_COMMANDLINE': 'root=/dev/vda2 irqpoll nr_cpus=1',
        'KEXEC_OPTIONS': '-s', 'MAKEDUMPFILE_OPTIONS': '-X', 'KDUMP_NETCONFIG': 'eth0:dhcp4',
        'KDUMP_HOST_KEY': '*', 'KDUMP_CRASHKERNEL': 'crashkernel=72M,low crashkernel=300M,high',
        'KDUMP_TRANSFER': '/usr/local/bin/transfer "$1"'}},
        {'KDUMP_KERNELVER': '6.4.0-150600.23.7-default', 'KDUMP_COMMANDLINE': 'root=/dev/vda2 irqpoll nr_cpus=1',
         'KEXEC_OPTIONS': '-s', 'MAKEDUMPFILE_OPTIONS': '-X', 'KDUMP_NETCONFIG': 'eth0:dhcp4', 'KDUMP_HOST_KEY': '*',
         'KDUMP_CRASHKERNEL': 'crashkernel=72M,low crashkernel=300M,high',
         'KDUMP_TRANSFER': '/usr/local/bin/transfer "$1"'})
    add('everything at once', {'target': {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, 'path': '/srv/crash',
                               'ssh_key': '/root/.ssh/id', 'dump_level': 23, 'compression': 'lzo', 'keep_dumps': 2,
                               'failure_action': 'shell', 'final_action': 'reboot', 'post_hook': files['post.sh'],
                               'extra_bins': [files['nc']], 'settings': {'KDUMP_CPUS': 2, 'KDUMP_VERBOSE': 3}},
        {'KDUMP_SAVEDIR': 'ssh://kdump@dumps.example.com/srv/crash', 'KDUMP_PROTO': 'ssh',
         'KDUMP_SSH_IDENTITY': '/root/.ssh/id', 'KDUMP_DUMPLEVEL': '23', 'KDUMP_DUMPFORMAT': 'lzo',
         'KDUMP_KEEP_OLD_DUMPS': '2', 'KDUMP_CONTINUE_ON_ERROR': 'false', 'KDUMP_IMMEDIATE_REBOOT': 'true',
         'KDUMP_POSTSCRIPT': files['post.sh'], 'KDUMP_REQUIRED_PROGRAMS': files['nc'], 'KDUMP_CPUS': '2',
         'KDUMP_VERBOSE': '3'})
    return result


def unquote(text):
    """A value as kdump-read-config.sh prints it: NAME='it'\\''s' (or bare for KDUMP_PROTO)."""
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("'\\''", "'")
    return text


def read_configs(oracle, image, directory, paths):
    mounts = [(str(oracle), '/oracle', 'ro'), (str(directory), '/cases', 'ro'),
              (str(support.BIN / 'suse-read-config.sh'), '/usr/local/bin/suse-read-config.sh', 'ro')]
    inside = ['/cases/%s' % path.name for path in paths]
    proc = support.podman_run(image, ['bash', '/usr/local/bin/suse-read-config.sh', '/oracle'] + inside,
                              mounts=mounts, extra=['--read-only'])
    assert proc.returncode == 0, proc.stderr
    verdicts = {}
    current = None
    for line in proc.stdout.splitlines():
        kind, _tab, rest = line.partition('\t')
        if kind == '@@':
            current = verdicts.setdefault(rest.rsplit('/', 1)[-1], {'values': {}, 'stderr': [], 'sets': []})
        elif kind == 'V':
            name, _eq, value = rest.partition('=')
            current['values'][name] = unquote(value)
        elif kind == 'E':
            current['stderr'].append(rest)
        elif kind == 'S':
            current['sets'].append(rest)
    return verdicts


def test_every_sysconfig_kdump_reads_back_exactly(oracle, host_files, tmp_path):
    image = support.conformance_image(ORACLE)
    template = installed_template(oracle)
    documented, reader = known_variables(oracle)
    chosen = cases(host_files)
    assert len(chosen) >= 25
    written = []
    failures = []
    bases = (('template', template), ('scratch', None), ('exclusive', None))
    for number, (label, args, expected) in enumerate(chosen):
        for base_name, text in bases:
            path = tmp_path / ('sysconfig-%03d-%s' % (number, base_name))
            if text is not None:
                path.write_text(text)
            full = dict(args, family='suse', config_file=str(path))
            if base_name == 'exclusive':
                full['managed'] = 'exclusive'
            result, failed = support.run_module_inprocess(kdump_config.main, full)
            if failed:
                failures.append('%s on %s: kdump_config refused it: %s' % (label, base_name, result['msg']))
                continue
            written.append((label, base_name, path, expected))
    empty = tmp_path / 'sysconfig-empty'
    empty.write_text('')
    verdicts = read_configs(oracle, image, tmp_path, [empty] + [path for _l, _b, path, _e in written])
    defaults = verdicts[empty.name]['values']
    assert defaults.get('KDUMP_SAVEDIR') == '/var/crash' and not verdicts[empty.name]['stderr'], verdicts[empty.name]
    for label, base_name, path, expected in written:
        verdict = verdicts[path.name]
        problems = []
        want = dict(defaults, **expected)
        for name in sorted(set(want) | set(verdict['values'])):
            if verdict['values'].get(name) != want.get(name):
                problems.append('%s reads %r, wanted %r' % (name, verdict['values'].get(name), want.get(name)))
        if verdict['stderr']:
            problems.append('stderr: %s' % ' | '.join(verdict['stderr']))
        unknown = [name for name in verdict['sets'] if name not in documented]
        # MAKEDUMPFILE_OPTIONS is read by kdump-read-config.sh but not in the template (docs/conformance.md).
        unknown = [name for name in unknown if not (name == 'MAKEDUMPFILE_OPTIONS' and name in reader)]
        if unknown:
            problems.append('sets variables sysconfig.kdump.in does not know: %s' % unknown)
        if problems:
            failures.append('%s on %s (%s):\n  %s' % (label, base_name, path.name, '\n  '.join(problems)))
    support.judge(ORACLE, failures, len(chosen) * len(bases))
