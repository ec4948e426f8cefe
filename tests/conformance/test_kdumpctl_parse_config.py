# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""/etc/kdump.conf written by kdump_config, judged by kdump-utils' own ``parse_config`` (kdumpctl).

* Every file kdump_config writes is accepted: a matrix of the unit-test option sets plus hypothesis-generated
  valid option sets, written from scratch, in exclusive mode and merged onto the kdump-utils templates and onto
  messy files (comments, odd spacing, inline comments, quotes).
* Every rule by which parse_config refuses a file has a case where kdump_config refuses the same input before
  writing, leaving the file byte-identical.

The oracle runs in one bash process per batch (tests/conformance/bin/kdumpctl-parse-config.sh).
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import conformance_support as support

from ansible_collections.fleet.kdump.plugins.module_utils import _families
from ansible_collections.fleet.kdump.plugins.modules import kdump_config

ORACLE = 'kdumpctl parse_config'
EXAMPLES = int(os.environ.get('FLEET_KDUMP_CONFORMANCE_EXAMPLES', '1100'))
# Two oracle processes share the batch (the machine has two cores).
ORACLE_PROCESSES = 2


# -------------------------------------------------------------------------------------------- the oracle

def parse_config(oracle, paths):
    """{path: (rc, output)} from kdumpctl's parse_config for every file in ``paths``."""
    paths = [str(path) for path in paths]
    chunks = [paths[index::ORACLE_PROCESSES] for index in range(ORACLE_PROCESSES)]
    procs = [subprocess.Popen(['bash', str(support.BIN / 'kdumpctl-parse-config.sh'), str(oracle)] + chunk,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
             for chunk in chunks if chunk]
    results = {}
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, 'the oracle runner failed: %s' % err
        current = None
        for line in out.splitlines():
            if line.startswith('@@\t'):
                _tag, rc, path = line.split('\t', 2)
                current = path
                results[current] = [int(rc), '']
            elif line.startswith('..\t') and current is not None:
                results[current][1] += line[3:] + '\n'
    missing = set(paths) - set(results)
    assert not missing, 'the oracle said nothing about %s' % sorted(missing)[:5]
    return dict((path, tuple(value)) for path, value in results.items())


@pytest.fixture(scope='module')
def oracle():
    path = support.oracle_dir('kdump-utils')
    if not shutil_which('ssh'):
        pytest.skip('ssh (openssh-client) is missing: kdumpctl checks ssh targets with ssh -G')
    return path


def shutil_which(name):
    import shutil
    return shutil.which(name)


@pytest.fixture(scope='module')
def templates(oracle):
    """The /etc/kdump.conf kdump-utils generates for RHEL 9.6+/10 and Fedora, per architecture."""
    result = {}
    for arch in ('x86_64', 'aarch64', 's390x', 'ppc64le'):
        proc = subprocess.run(['bash', str(oracle / 'gen-kdump-conf.sh'), arch], stdout=subprocess.PIPE,
                              universal_newlines=True, check=True)
        result['template-%s' % arch] = proc.stdout
    return result


# Hand-written files as people leave them: comments everywhere, tabs, runs of blanks, trailing blanks,
# inline comments, whole-value quotes, no newline at the end. Each must itself be valid for kdumpctl.
MESSY = {
    'messy-spacing': (
        '# kdump.conf edited by hand\n'
        '\n'
        '   # indented comment\n'
        'path\t\t/var/crash   \n'
        '  core_collector    makedumpfile  -l  --message-level 7 -d 31\n'
        '\n\n'
        'failure_action\treboot # what to do\n'
        '#ssh user@old.example.com\n'
        '   \t\n'
        'final_action   reboot'),
    'messy-quotes-and-comments': (
        '# header\n'
        'auto_reset_crashkernel "yes"\n'
        'path "/var/crash"\n'
        'dracut_args --omit-drivers "nouveau"   # keep the initrd small\n'
        '# extra_bins /usr/bin/lftp\n'
        'extra_modules  e1000e\n'),
    'messy-remote-target': (
        '# dumps go to the dump server\n'
        'nfs   dumps.example.com:/export/crash\n'
        'path /hosts # relative to the export\n'
        'core_collector makedumpfile -l --message-level 1 -d 31\n'
        '\n'
        '# failure_action shell\n'),
    'messy-ssh': (
        'ssh\tkdump@192.0.2.7\n'
        'sshkey /root/.ssh/kdump_id_rsa\n'
        '\tcore_collector makedumpfile -F -l --message-level 7 -d 31\n'
        'final_action poweroff\n'),
    'empty-file': '',
    'comments-only': '# nothing configured yet\n\n#path /var/crash\n',
}


@pytest.fixture(scope='module')
def bases(templates):
    result = dict(templates)
    result.update(MESSY)
    return result


@pytest.fixture(scope='module')
def host_files(tmp_path_factory):
    """Executables that hooks and extra_bins may name (kdump_config checks that they exist)."""
    root = tmp_path_factory.mktemp('hostfiles')
    paths = {}
    for name in ('pre.sh', 'post.sh', 'emergency.sh', 'tool-a', 'tool-b', 'tool-c'):
        path = root / name
        path.write_text('#!/bin/bash\nexit 0\n')
        path.chmod(0o755)
        paths[name] = str(path)
    paths['crash_root'] = str(tmp_path_factory.mktemp('crash'))
    return paths


def run_config(args):
    return support.run_module_inprocess(kdump_config.main, args)


def assert_accepted(oracle, cases):
    """``cases``: list of (label, path, args). Judge every written file; all must be accepted."""
    verdicts = parse_config(oracle, [path for _label, path, _args in cases])
    failures = []
    for label, path, args in cases:
        rc, output = verdicts[str(path)]
        if rc != 0:
            failures.append('%s: kdumpctl refused what kdump_config wrote (rc=%s): %s\nargs: %r\nfile:\n%s'
                            % (label, rc, output.strip(), args, open(str(path)).read()))
    support.judge(ORACLE + ' (accepted)', failures, len(cases))


def test_bases_are_valid_for_kdumpctl(oracle, bases, tmp_path):
    """The starting files themselves are valid, so any refusal later is ours."""
    cases = []
    for name, text in sorted(bases.items()):
        path = tmp_path / name
        path.write_text(text)
        cases.append((name, path, None))
    assert_accepted(oracle, cases)


# ------------------------------------------------------------------------------- the unit-test matrix

def matrix(files):
    """The option sets of the RHEL unit tests (tests/unit/plugins/...kdump_config / kdump_settings)."""
    crash = files['crash_root']
    return [
        {'path': crash, 'compression': 'lzo', 'dump_level': 31},
        {'managed': 'exclusive', 'target': {'type': 'ssh', 'location': 'kd@dumps'}, 'path': '/srv/dumps',
         'compression': 'zstd', 'auto_reset_crashkernel': False},
        {'target': {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, 'ssh_key': '/root/.ssh/kdump_id_ed25519',
         'path': '/srv/dumps', 'failure_action': 'dump_to_rootfs', 'auto_reset_crashkernel': False},
        {'target': {'type': 'nfs', 'location': 'nfs.example.com:/export/crash'}, 'path': '/var/crash',
         'dump_level': 1, 'compression': 'zlib', 'failure_action': 'shell', 'final_action': 'poweroff',
         'pre_hook': files['pre.sh'], 'post_hook': files['post.sh'], 'extra_bins': [files['tool-a'], files['tool-b']],
         'extra_modules': ['e1000e', 'mlx5_core'], 'dracut_args': '--omit-drivers "nouveau"',
         'auto_reset_crashkernel': True, 'settings': {'force_rebuild': True, 'fence_kdump_args': '-p 7410 -f auto'}},
        {'target': {'type': 'raw', 'location': '/dev/vdb1'}, 'dump_level': 17},
        {'target': {'type': 'raw', 'location': '/dev/disk/by-id/virtio-dump'}, 'core_collector': 'makedumpfile -F -c -d 31'},
        {'target': {'type': 'ext4', 'location': 'UUID=0b7a4c1e-6a52-4f1e-9d1a-5d1e8b1d9c3a'}, 'path': '/crash'},
        {'target': {'type': 'xfs', 'location': 'LABEL=dumps'}, 'path': '/crash', 'compression': 'snappy'},
        {'target': {'type': 'virtiofs', 'location': 'hostshare'}, 'path': '/crash'},
        {'target': {'type': 'local'}, 'path': crash, 'dracut_args': '--mount "/dev/vdb1 /var/crash ext4 defaults"'},
        {'target': {'type': 'local'}, 'path': crash, 'core_collector': 'cp --sparse=always'},
        {'target': {'type': 'ssh', 'location': 'root@[2001:db8::1]'}, 'core_collector': 'scp'},
        {'target': {'type': 'nfs', 'location': '[2001:db8::2]:/export'}, 'path': '/'},
        {'path': crash, 'failure_action': 'halt', 'final_action': 'halt'},
        {'path': crash, 'compression': 'none'},
        {'path': crash, 'settings': {'fence_kdump_nodes': 'node-a.example.com node-b.example.com', 'force_no_rebuild': 1}},
        {'path': crash, 'fence_kdump_nodes': ['node-a.example.com', '192.0.2.31'], 'settings': {'fence_kdump_args': '-p 7410'}},
        {'path': crash, 'fence_kdump_nodes': []},
        {'path': crash, 'settings': {'auto_reset_crashkernel': 'no', 'kdump_emergency': files['emergency.sh']}},
        {'path': crash, 'settings': {'core_collector': 'makedumpfile -l --message-level 7 -d 31', 'kdump_post': None}},
        {'path': crash, 'extra_bins': [], 'extra_modules': [], 'dracut_args': ''},
    ]


@pytest.mark.parametrize('managed', ['merge', 'exclusive'])
def test_unit_matrix_on_every_base_is_accepted(oracle, bases, host_files, tmp_path, managed):
    cases = []
    bases = dict(bases, scratch=None)
    for base_name, text in sorted(bases.items(), key=lambda item: item[0]):
        for number, args in enumerate(matrix(host_files)):
            path = tmp_path / ('%s-%02d.conf' % (base_name, number))
            if text is not None:
                path.write_text(text)
            full = dict(args, family='rhel', config_file=str(path))
            full.setdefault('managed', managed)
            result, failed = run_config(full)
            assert not failed, 'kdump_config refused a valid option set on %s: %s\n%r' % (base_name, result['msg'], full)
            cases.append(('%s #%d %s' % (base_name, number, managed), path, full))
    assert_accepted(oracle, cases)


# ------------------------------------------------------------------------------- the RHEL table's examples

def table_examples(files):
    """(label, args) for every example the RHEL family table lists: an option is judged as soon as it is listed.

    The options the module checks on the host (the file must exist and be executable) get the test's own files.
    """
    host_checked = {'pre_hook': files['pre.sh'], 'post_hook': files['post.sh'],
                    'extra_bins': [files['tool-a'], files['tool-b']]}
    examples = []
    for option in _families.get('rhel').options:
        if not option.keys:
            continue  # ignored or refused on this family: nothing is written
        for name in option.names:
            for number, value in enumerate(option.examples.get(name, ())):
                examples.append(('%s #%d' % (name, number), {name: host_checked.get(name, value)}))
    return examples


def test_every_example_of_the_rhel_table_is_accepted(oracle, bases, host_files, tmp_path):
    """Each example, merged onto every base and written alone in exclusive mode (check mode: the file judged is
    the diff's ``after``, so no dump directory of the machine is created or tightened)."""
    examples = table_examples(host_files)
    assert len(examples) >= 15, examples
    cases = []
    runs = [(name, text, 'merge') for name, text in sorted(bases.items())] + [('scratch', None, 'exclusive')]
    for base_name, text, managed in runs:
        for number, (label, args) in enumerate(examples):
            source = tmp_path / ('%s-%s-%02d.in' % (base_name, managed, number))
            if text is not None:
                source.write_text(text)
            full = dict(args, family='rhel', config_file=str(source), managed=managed, _ansible_check_mode=True)
            result, failed = run_config(full)
            assert not failed, 'kdump_config refused the table example %s on %s: %s' % (label, base_name, result['msg'])
            path = tmp_path / ('%s-%s-%02d.conf' % (base_name, managed, number))
            path.write_text(result['diff']['after'])
            cases.append(('%s on %s (%s)' % (label, base_name, managed), path, full))
    assert_accepted(oracle, cases)


# ------------------------------------------------------------------------------- hypothesis

# Host names as people write them. All-numeric labels are left out on purpose: ssh reads "2.2" as the address
# 2.0.0.2, so kdumpctl refuses them (a refusal case below covers that).
_label = st.from_regex(r'\A[a-z]([a-z0-9-]{0,8}[a-z0-9])?\Z')
_host = st.one_of(
    st.lists(_label, min_size=1, max_size=4).map('.'.join),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda parts: '.'.join(str(p) for p in parts)),
    st.sampled_from(['[2001:db8::1]', '2001:db8::7', '[fe80::1%eth0]']),
)
_user = st.from_regex(r'\A[a-z_][a-z0-9_.-]{0,10}\Z')
_segment = st.from_regex(r'\A[A-Za-z0-9_][A-Za-z0-9._-]{0,12}\Z')
_abs_path = st.lists(_segment, min_size=0, max_size=3).map(lambda parts: '/' + '/'.join(parts))
_nfs_host = st.one_of(st.lists(_label, min_size=1, max_size=3).map('.'.join), st.just('[2001:db8::5]'))
_module_name = st.from_regex(r'\A[a-z][a-z0-9_]{0,12}\Z')
_uuid = st.uuids().map(str)

TARGETS = st.one_of(
    st.just({'type': 'local'}),
    st.builds(lambda user, host: {'type': 'ssh', 'location': '%s@%s' % (user, host)}, _user, _host),
    st.builds(lambda host, export: {'type': 'nfs', 'location': '%s:%s' % (host, export)}, _nfs_host, _abs_path),
    st.builds(lambda dev: {'type': 'raw', 'location': dev},
              st.one_of(st.sampled_from(['/dev/vdb', '/dev/sdb1', '/dev/mapper/vg-dump']),
                        _segment.map(lambda s: '/dev/disk/by-id/' + s))),
    st.builds(lambda kind, dev: {'type': kind, 'location': dev}, st.sampled_from(['ext4', 'xfs', 'ext3', 'ext2']),
              st.one_of(_uuid.map(lambda u: 'UUID=' + u), _segment.map(lambda s: 'LABEL=' + s),
                        st.sampled_from(['/dev/vdc1', '/dev/mapper/vg-crash']))),
    st.builds(lambda tag: {'type': 'virtiofs', 'location': tag}, _segment),
)
DRACUT_ARGS = st.sampled_from([
    '--omit-drivers "nouveau"', '--add-drivers "e1000e mlx5_core"', '-a "lvm"', '--omit "plymouth resume"',
    '--kernel-cmdline "rd.lvm.lv=vg/root"', '--add-drivers virtio_net --omit-drivers floppy', '',
])
MOUNT_ARGS = st.sampled_from([
    '--mount "/dev/vdb1 /var/crash ext4 defaults"', '--mount "UUID=1b2c /kdumproot xfs defaults,noatime"',
    '-a lvm --mount "/dev/mapper/vg-dump /mnt/dump ext4 defaults"',
])


@st.composite
def option_sets(draw, files):
    """A valid option set for the RHEL family: everything kdumpctl would accept."""
    args = {}
    mount = draw(st.booleans()) and draw(st.integers(0, 9)) == 0
    target = {'type': 'local'} if mount else draw(st.one_of(st.none(), TARGETS))
    if target is not None:
        args['target'] = target
    kind = (target or {}).get('type', 'keep')
    if kind in ('local', 'keep'):
        # Always a path below the test's directory: kdump_config creates (and tightens) a local dump directory.
        args['path'] = files['crash_root'] + draw(_abs_path)
    elif draw(st.booleans()):
        args['path'] = draw(_abs_path)
    if kind == 'ssh' or draw(st.integers(0, 4)) == 0:
        if draw(st.booleans()):
            args['ssh_key'] = draw(st.sampled_from(['/root/.ssh/kdump_id_rsa', '/root/.ssh/kdump_id_ed25519']))
    if draw(st.integers(0, 5)) == 0 and kind != 'keep':
        flatten = kind in ('ssh', 'raw')
        choices = ['makedumpfile -F -l --message-level 7 -d 31', 'makedumpfile -F -c -d %d' % draw(st.integers(0, 31))]
        if not flatten:
            choices += ['makedumpfile -z -d 17 --message-level 1', 'cp --sparse=always']
        if kind in ('ssh', 'raw'):
            choices.append('cat')
        if kind == 'ssh':
            choices.append('scp')
        args['core_collector'] = draw(st.sampled_from(choices))
    else:
        if draw(st.booleans()):
            args['dump_level'] = draw(st.one_of(st.integers(0, 31), st.integers(0, 31).map(str)))
        if draw(st.booleans()):
            args['compression'] = draw(st.sampled_from(['auto', 'zlib', 'lzo', 'snappy', 'zstd', 'none']))
    for name, choices in (('failure_action', ['reboot', 'halt', 'poweroff', 'shell', 'dump_to_rootfs']),
                          ('final_action', ['reboot', 'halt', 'poweroff'])):
        if draw(st.booleans()):
            args[name] = draw(st.sampled_from(choices))
    if draw(st.booleans()):
        args['pre_hook'] = files['pre.sh']
    if draw(st.booleans()):
        args['post_hook'] = files['post.sh']
    if draw(st.booleans()):
        args['extra_bins'] = draw(st.lists(st.sampled_from([files['tool-a'], files['tool-b'], files['tool-c']]),
                                           max_size=3, unique=True))
    if draw(st.booleans()):
        args['extra_modules'] = draw(st.lists(_module_name, max_size=4, unique=True))
    if mount:
        args['dracut_args'] = draw(MOUNT_ARGS)
    elif draw(st.booleans()):
        args['dracut_args'] = draw(DRACUT_ARGS)
    if draw(st.booleans()):
        args['auto_reset_crashkernel'] = draw(st.booleans())
    passthrough = {}
    if draw(st.booleans()):
        rebuild = draw(st.sampled_from([True, False, 0, 1, '0', '1', None]))
        passthrough['force_rebuild'] = rebuild
        if rebuild not in (True, 1, '1') and draw(st.booleans()):
            passthrough['force_no_rebuild'] = draw(st.sampled_from([True, False, None]))
    if draw(st.booleans()):
        passthrough['fence_kdump_args'] = draw(st.sampled_from(['-p 7410 -f auto -c 0 -i 10', '-p 7411', None]))
    if draw(st.booleans()):
        # kdumpctl greps each node in "hostname -I" output as a regex followed by a space, so a node like "a0"
        # clashes with any address ending in "a0" (docs/conformance.md): nodes here end in a domain.
        nodes = draw(st.lists(_label.map(lambda label: 'node-%s.example.com' % label), min_size=1, max_size=3,
                              unique=True))
        # the first-class option or the settings passthrough, which write the same directive
        if draw(st.booleans()):
            args['fence_kdump_nodes'] = nodes
        else:
            passthrough['fence_kdump_nodes'] = ' '.join(nodes)
    if draw(st.booleans()):
        passthrough['kdump_emergency'] = draw(st.sampled_from([files['emergency.sh'], None]))
    if passthrough:
        args['settings'] = passthrough
    args['managed'] = draw(st.sampled_from(['merge', 'exclusive']))
    return args


def test_generated_option_sets_are_accepted(oracle, bases, host_files, tmp_path):
    cases = []
    refused = []
    numbers = itertools.count()
    base_names = sorted(bases) + ['scratch']

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(args=option_sets(host_files), base=st.sampled_from(base_names))
    def write_one(args, base):
        path = tmp_path / ('case-%05d.conf' % next(numbers))
        if base != 'scratch':
            path.write_text(bases[base])
        full = dict(args, family='rhel', config_file=str(path))
        result, failed = run_config(full)
        if failed:
            # A refusal is only right where the input clashes with what the base holds (a second target).
            if 'more than one dump target' not in result['msg']:
                refused.append('%s on %s: %s' % (full, base, result['msg']))
            return
        cases.append(('%s on %s' % (args, base), path, full))

    write_one()
    support.judge('kdump_config accepts valid option sets', refused, len(cases) + len(refused))
    assert len(cases) >= 1000 or EXAMPLES < 1000, 'only %d generated files' % len(cases)
    assert_accepted(oracle, cases)


# ------------------------------------------------------------------------------- refusals

# Every rule by which parse_config (and the checks it calls) refuses a file: the base the module starts from,
# the module's input, the file that input describes (which kdumpctl must refuse with the given message).
TEMPLATE_TAIL = 'path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n'
REFUSALS = [
    ('unknown directive', '', {'settings': {'nonsense': 'x'}}, 'nonsense x\n', 'Invalid kdump config option nonsense'),
    ('removed directive override_resettable', '', {'settings': {'override_resettable': 1}}, 'override_resettable 1\n',
     'Invalid kdump config option override_resettable'),
    ('unknown directive already in the file', 'path /var/crash\nnfs4 a:/b\n', {'dump_level': 1},
     'path /var/crash\nnfs4 a:/b\ncore_collector makedumpfile -l --message-level 7 -d 1\n', 'Invalid kdump config option nfs4'),
] + [
    ('deprecated %s' % name, '', {'settings': {name: value}}, '%s %s\n' % (name, value),
     'Deprecated kdump config option: %s' % name)
    for name, value in (('net', 'kdump@dumps.example.com'), ('options', 'e1000e debug=1'), ('link_delay', '10'),
                        ('disk_timeout', '30'), ('debug_mem_level', '1'), ('blacklist', 'nouveau'))
] + [
    ('deprecated net already in the file', 'net dumps:/export\n', {'path': '/srv/crash'}, 'net dumps:/export\npath /srv/crash\n',
     'Deprecated kdump config option: net'),
    ('empty value via settings', '', {'settings': {'fence_kdump_args': ''}}, 'fence_kdump_args \n',
     "Invalid kdump config value for option 'fence_kdump_args'"),
    ('empty value already in the file', 'kdump_post\n', {'dump_level': 1},
     'kdump_post\ncore_collector makedumpfile -l --message-level 7 -d 1\n',
     "Invalid kdump config value for option 'kdump_post'"),
    ('empty quoted value already in the file', 'final_action ""\n', {'dump_level': 1},
     'final_action ""\ncore_collector makedumpfile -l --message-level 7 -d 1\n',
     "Invalid kdump config value for option 'final_action'"),
    ('empty sshkey', 'sshkey  # none\n', {'path': '/srv/crash'}, 'sshkey  # none\npath /srv/crash\n',
     "Invalid kdump config value for option 'sshkey'"),
    ('duplicate directive already in the file', 'extra_modules e1000e\nextra_modules ixgbe\n', {'dump_level': 1},
     'extra_modules e1000e\nextra_modules ixgbe\ncore_collector makedumpfile -l --message-level 7 -d 1\n',
     'Duplicated kdump config value of option extra_modules'),
    ('default and failure_action', 'default shell\n', {'settings': {'failure_action': 'reboot'}},
     'default shell\nfailure_action reboot\n', 'Duplicated kdump config value of option failure_action'),
    ('two targets: option and dracut_args --mount', '',
     {'target': {'type': 'ssh', 'location': 'a@b'}, 'dracut_args': '--mount "/dev/vdb1 /mnt ext4 defaults"'},
     'ssh a@b\ndracut_args --mount "/dev/vdb1 /mnt ext4 defaults"\n', 'More than one dump targets specified'),
    ('two targets: dracut_args --mount onto a file with a target', 'nfs a:/b\n',
     {'dracut_args': '--mount "/dev/vdb1 /mnt ext4 defaults"'},
     'nfs a:/b\ndracut_args --mount "/dev/vdb1 /mnt ext4 defaults"\n', 'More than one dump targets specified'),
    ('two targets already in the file', 'nfs a:/b\nssh u@c\n', {'dump_level': 3},
     'nfs a:/b\nssh u@c\ncore_collector makedumpfile -l --message-level 7 -d 3\n', 'More than one dump targets specified'),
    ('two --mount in one dracut_args', '',
     {'target': {'type': 'local'}, 'dracut_args': '--mount "/dev/a /m ext4 defaults" --mount "/dev/b /n ext4 defaults"'},
     'dracut_args --mount "/dev/a /m ext4 defaults" --mount "/dev/b /n ext4 defaults"\n',
     'Multiple mount targets specified in one "dracut_args".'),
    ('--mount without a filesystem type', '', {'target': {'type': 'local'}, 'dracut_args': '--mount "/dev/vdb1 /mnt"'},
     'dracut_args --mount "/dev/vdb1 /mnt"\n', "Invalid kdump config value for option '_fstype'"),
    ('bad failure_action via settings', '', {'settings': {'failure_action': 'explode'}}, 'failure_action explode\n',
     'Usage kdump.conf: failure_action {reboot|halt|poweroff|shell|dump_to_rootfs}'),
    ('bad failure_action option', '', {'failure_action': 'explode'}, 'failure_action explode\n',
     'Usage kdump.conf: failure_action {reboot|halt|poweroff|shell|dump_to_rootfs}'),
    ('bad failure_action already in the file as default', 'default restart\n', {'path': '/srv/crash'},
     'default restart\npath /srv/crash\n', 'Usage kdump.conf: failure_action'),
    ('bad final_action via settings', '', {'settings': {'final_action': 'shell'}}, 'final_action shell\n',
     'Usage kdump.conf: final_action {reboot|halt|poweroff}'),
    ('bad final_action option', '', {'final_action': 'dump_to_rootfs'}, 'final_action dump_to_rootfs\n',
     'Usage kdump.conf: final_action {reboot|halt|poweroff}'),
    ('ssh without user@', '', {'target': {'type': 'ssh', 'location': 'dumps.example.com'}}, 'ssh dumps.example.com\n',
     "contains 'ssh <user>@<host>'"),
    ('ssh without user@ already in the file', 'ssh dumps.example.com\n', {'path': '/srv/crash'},
     'ssh dumps.example.com\npath /srv/crash\n', "contains 'ssh <user>@<host>'"),
    ('ssh host that ssh -G resolves differently (upper case)', '',
     {'target': {'type': 'ssh', 'location': 'kdump@Dumps.Example.COM'}}, 'ssh kdump@Dumps.Example.COM\n',
     'Invalid ssh destination kdump@Dumps.Example.COM provided.'),
    ('ssh host that ssh -G resolves differently (short IPv4 form)', '',
     {'target': {'type': 'ssh', 'location': 'kdump@2.2'}}, 'ssh kdump@2.2\n', 'Invalid ssh destination kdump@2.2 provided.'),
    ('ssh host that ssh -G resolves differently (IPv6 not canonical)', '',
     {'target': {'type': 'ssh', 'location': 'kdump@2001:db8:0::1'}}, 'ssh kdump@2001:db8:0::1\n',
     'Invalid ssh destination kdump@2001:db8:0::1 provided.'),
    ('ssh host that ssh -G resolves differently, already in the file', 'ssh kdump@Dumps\n', {'dump_level': 31},
     'ssh kdump@Dumps\ncore_collector makedumpfile -F -l --message-level 7 -d 31\n', 'Invalid ssh destination'),
    ('ssh destination with two @', '', {'target': {'type': 'ssh', 'location': 'a@b@c'}}, 'ssh a@b@c\n',
     'Invalid ssh destination'),
    ('--mount= form', '', {'target': {'type': 'local'}, 'dracut_args': '--mount="/dev/vdb1 /mnt ext4 defaults"'},
     'dracut_args --mount="/dev/vdb1 /mnt ext4 defaults"\n', "Invalid kdump config value for option '_fstype'"),
    ('ssh user that ssh reads as an option', '', {'target': {'type': 'ssh', 'location': '-oProxyCommand=x@dumps'}},
     'ssh -oProxyCommand=x@dumps\n', 'Invalid ssh destination'),
    ('fence_kdump_nodes naming this host', '', {'settings': {'fence_kdump_nodes': 'peer.example.com HOSTNAME'}},
     'fence_kdump_nodes peer.example.com HOSTNAME\n', 'Option fence_kdump_nodes cannot contain HOSTNAME'),
    ('fence_kdump_nodes naming a local address', '', {'settings': {'fence_kdump_nodes': 'LOCALIP'}},
     'fence_kdump_nodes LOCALIP\n', 'Option fence_kdump_nodes cannot contain LOCALIP'),
    ('fence_kdump_nodes option naming this host', '', {'fence_kdump_nodes': ['peer.example.com', 'HOSTNAME']},
     'fence_kdump_nodes peer.example.com HOSTNAME\n', 'Option fence_kdump_nodes cannot contain HOSTNAME'),
    ('fence_kdump_nodes option naming a local address', '', {'fence_kdump_nodes': ['LOCALIP']},
     'fence_kdump_nodes LOCALIP\n', 'Option fence_kdump_nodes cannot contain LOCALIP'),
]


def _local_ip():
    proc = subprocess.run(['hostname', '-I'], stdout=subprocess.PIPE, universal_newlines=True, check=False)
    addresses = proc.stdout.split()
    return addresses[0] if addresses else None


def _substitute(value, hostname, local_ip):
    if isinstance(value, dict):
        return dict((key, _substitute(item, hostname, local_ip)) for key, item in value.items())
    if isinstance(value, list):
        return [_substitute(item, hostname, local_ip) for item in value]
    if isinstance(value, str):
        return value.replace('HOSTNAME', hostname).replace('LOCALIP', local_ip or '')
    return value


def refusal_cases():
    hostname = socket.gethostname()
    local_ip = _local_ip()
    cases = []
    for name, base, args, described, message in REFUSALS:
        if 'LOCALIP' in repr(args) and not local_ip:
            continue
        cases.append((name, _substitute(base, hostname, local_ip), _substitute(args, hostname, local_ip),
                      _substitute(described, hostname, local_ip), _substitute(message, hostname, local_ip)))
    return cases


REMOTE = ('ssh', 'nfs', 'raw')


def _with_safe_path(args, base, crash_dir):
    """Give a local target a dump directory below the test's directory.

    Should kdump_config wrongly accept one of these inputs it must not create or chmod the host's /var/crash.
    """
    target = (args.get('target') or {}).get('type')
    remote_base = any(line.split()[:1] in (['ssh'], ['nfs'], ['raw']) for line in base.splitlines())
    if target in REMOTE or (target is None and remote_base):
        return args
    return dict(args, path=crash_dir)


@pytest.fixture(scope='module')
def refusal_verdicts(oracle, tmp_path_factory):
    """The refusal cases and kdumpctl's verdict on the file each describes."""
    cases = refusal_cases()
    root = tmp_path_factory.mktemp('described')
    described = []
    for number, case in enumerate(cases):
        path = root / ('described-%02d.conf' % number)
        path.write_text(case[3])
        described.append(str(path))
    verdicts = parse_config(oracle, described)
    return [(case, verdicts[path]) for case, path in zip(cases, described)]


def test_every_refusal_of_parse_config_is_refused_first_by_kdump_config(refusal_verdicts, tmp_path, host_files):
    failures = []
    for number, ((name, base, args, text, message), (rc, output)) in enumerate(refusal_verdicts):
        if rc == 0 or message not in output:
            failures.append('%s: kdumpctl did not refuse the described file with %r (rc=%s): %s'
                            % (name, message, rc, output.strip()))
            continue
        for managed in ('merge', 'exclusive'):
            if managed == 'exclusive' and base:
                continue  # exclusive ignores the base; the case is about what the base holds
            path = tmp_path / ('input-%02d-%s.conf' % (number, managed))
            path.write_bytes(base.encode())
            safe = _with_safe_path(args, base, host_files['crash_root'])
            result, failed = run_config(dict(safe, family='rhel', config_file=str(path), managed=managed))
            after = path.read_bytes()
            if not failed:
                failures.append('%s (%s): kdump_config accepted an input kdumpctl refuses (%s); it wrote:\n%s'
                                % (name, managed, message, after.decode()))
            elif after != base.encode():
                failures.append('%s (%s): kdump_config failed but changed the file' % (name, managed))
    support.judge(ORACLE + ' (refusal rules)', failures, len(refusal_verdicts))


def _refusal_messages(kdumpctl_text):
    """The messages parse_config and the checks it calls print before refusing (derror/dinfo, not dwarn)."""
    functions = ('_set_config', 'parse_config', 'check_failure_action_config', 'check_final_action_config',
                 'check_fence_kdump_config', 'check_ssh_config')
    messages = []
    for function in functions:
        match = re.search(r'^%s\(\)\n\{\n(.*?)^\}' % re.escape(function), kdumpctl_text, re.MULTILINE | re.DOTALL)
        assert match, 'kdumpctl has no function %s: the pinned oracle changed' % function
        for line in match.group(1).splitlines():
            found = re.search(r'\b(?:derror|dinfo)\s+\$?([\'"])(.*)\1\s*$', line.strip())
            if found:
                messages.append(found.group(2))
    return messages


def test_every_refusal_message_of_parse_config_has_a_case(oracle, refusal_verdicts):
    """Guard for the list above: each refusal message in the pinned kdumpctl is printed for some case."""
    messages = _refusal_messages((oracle / 'kdumpctl').read_text())
    assert len(messages) >= 10, messages
    outputs = [output for _case, (_rc, output) in refusal_verdicts]
    missing = []
    for template in messages:
        # The $var / ${...} parts of a message match anything.
        pattern = re.sub(r'\\\$(\\\{.*?\\\}|\w+)', '.+', re.escape(template))
        if not any(re.search(pattern, output) for output in outputs):
            missing.append(template)
    assert not missing, 'refusal messages of parse_config without a case: %s' % missing
