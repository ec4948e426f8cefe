# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import socket
import stat

import pytest

from ansible.module_utils import basic

from ansible_collections.fleet.kdump.plugins.modules import kdump_config
from ansible_collections.fleet.kdump.plugins.module_utils import _families, kdump_settings
from ansible_collections.fleet.kdump.tests.unit.plugins.modules import utils

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')
BOOKWORM_V = 'makedumpfile-v-1.7.2-bookworm.txt'


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


# An os-release of each family (ID, VERSION_ID), as the host would show it.
OS_IDS = {'rhel': 'rhel', 'debian': 'debian', 'suse': 'sles', 'ubuntu': 'ubuntu'}


def os_release(family, version):
    if family is None:
        return {'ID': 'arch'}
    return {'ID': OS_IDS[family], 'VERSION_ID': str(version)}


@pytest.fixture
def host(monkeypatch, tmp_path):
    """A fake host: os-release family, makedumpfile -v output, captured warnings and commands."""
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', utils.exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', utils.fail_json)
    state = {'family': ('debian', 12, {}), 'makedumpfile': fixture(BOOKWORM_V), 'warnings': [], 'commands': []}
    monkeypatch.setattr(kdump_config, 'host_os_release', lambda: os_release(*state['family'][:2]))

    def get_bin_path(self, name, *args, **kwargs):
        return '/usr/sbin/makedumpfile' if name == 'makedumpfile' and state['makedumpfile'] is not None else None

    def run_command(self, argv, *args, **kwargs):
        state['commands'].append(list(argv))
        assert argv == ['/usr/sbin/makedumpfile', '-v']
        return 0, state['makedumpfile'], ''

    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', get_bin_path)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: state['warnings'].append(msg))
    state['tmp'] = tmp_path
    return state


def conf_file(tmp_path, fixture_name, name='conf'):
    path = tmp_path / name
    path.write_text(fixture(fixture_name))
    return str(path)


def run(args):
    return utils.run_module(kdump_config.main, args)


# --- Debian: the lab scenario -----------------------------------------------------------------------

def test_debian_lab_scenario_then_idempotent(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    dump_dir = str(host['tmp'] / 'crash')
    args = {'config_file': path, 'path': dump_dir, 'compression': 'auto', 'dump_level': 31, 'keep_dumps': 3}
    result, failed = run(args)
    assert not failed, result
    assert result['changed'] is True and result['restart_required'] is True
    assert result['backend'] == 'kdump_tools' and result['files'] == [path]
    assert result['service'] == 'kdump-tools'
    assert result['path_created'] is True
    assert stat.S_IMODE(os.stat(dump_dir).st_mode) == 0o700
    text = open(path).read()
    assert 'MAKEDUMP_ARGS="-F -l -d 31"\n' in text  # bookworm makedumpfile: lzo is the fastest built in
    assert result['diff']['before'] == fixture('kdump-tools-bookworm.conf') and result['diff']['after'] == text
    assert result['config'] == kdump_settings.effective_config('debian', text)
    assert (result['config']['path'], result['config']['compression'], result['config']['dump_level'],
            result['config']['keep_dumps']) == (dump_dir, 'lzo', 31, 3)
    assert host['commands'] == [['/usr/sbin/makedumpfile', '-v']]
    again, failed = run(args)
    assert not failed
    assert again['changed'] is False and again['files'] == [] and again['path_created'] is False
    assert open(path).read() == text


def test_check_mode_writes_nothing_but_reports(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    dump_dir = str(host['tmp'] / 'crash')
    result, failed = run({'config_file': path, 'path': dump_dir, 'keep_dumps': 2, '_ansible_check_mode': True})
    assert not failed
    assert result['changed'] is True and result['path_created'] is True
    assert 'KDUMP_NUM_DUMPS="2"' in result['diff']['after']
    assert open(path).read() == fixture('kdump-tools-bookworm.conf')
    assert not os.path.exists(dump_dir)


def test_backup(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    result, failed = run({'config_file': path, 'keep_dumps': 2, 'backup': True, 'path': str(host['tmp'])})
    assert not failed
    assert open(result['backup_file']).read() == fixture('kdump-tools-bookworm.conf')


def test_existing_loose_dump_dir_is_tightened_and_reported(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    dump_dir = host['tmp'] / 'crash'
    dump_dir.mkdir()
    os.chmod(str(dump_dir), 0o755)
    result, failed = run({'config_file': path, 'path': str(dump_dir), '_ansible_check_mode': True})
    assert not failed and result['changed'] and result['path_secured'] is True
    assert stat.S_IMODE(os.stat(str(dump_dir)).st_mode) == 0o755, 'check mode must not chmod'
    result, failed = run({'config_file': path, 'path': str(dump_dir)})
    assert not failed
    assert stat.S_IMODE(os.stat(str(dump_dir)).st_mode) == 0o700
    assert result['path_created'] is False and result['path_secured'] is True and result['changed']
    assert len(result['findings']) == 1 and 'mode 0755' in result['findings'][0]
    assert result['findings'][0] in host['warnings']
    again, failed = run({'config_file': path, 'path': str(dump_dir)})
    assert not failed and again['path_secured'] is False and again['findings'] == []


@pytest.mark.parametrize('distro, kept', [('ubuntu', True), ('debian', False)])
def test_ubuntu_keeps_apports_sticky_var_crash(host, monkeypatch, distro, kept):
    host['family'] = (distro, 24, {})
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    dump_dir = host['tmp'] / 'crash'
    dump_dir.mkdir()
    os.chmod(str(dump_dir), 0o1777)
    # the Ubuntu table names /var/crash; this test's /var/crash is a temporary directory
    monkeypatch.setattr(_families.get('ubuntu'), 'shared_dump_dirs', {str(dump_dir): 'apport'})
    result, failed = run({'config_file': path, 'path': str(dump_dir)})
    assert not failed
    assert result['path_secured'] is (not kept)
    assert stat.S_IMODE(os.stat(str(dump_dir)).st_mode) == (0o1777 if kept else 0o1700)
    if kept:
        assert 'is shared with apport' in result['findings'][0] and 'left as is' in result['findings'][0]
        assert result['findings'][0] in host['warnings']


def test_stricter_dump_dir_mode_is_never_loosened(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    dump_dir = host['tmp'] / 'crash'
    dump_dir.mkdir()
    os.chmod(str(dump_dir), 0o500)
    result, failed = run({'config_file': path, 'path': str(dump_dir)})
    assert not failed and result['path_secured'] is False
    assert stat.S_IMODE(os.stat(str(dump_dir)).st_mode) == 0o500


def test_debian_failure_action_translated(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    result, failed = run({'config_file': path, 'failure_action': 'halt', 'path': str(host['tmp'])})
    assert not failed
    assert result['config']['raw']['KDUMP_FAIL_CMD'] == 'halt -f'
    assert result['config']['failure_action'] == 'halt'


# --- compression probing ----------------------------------------------------------------------------

def test_explicit_compression_missing_from_build_fails_file_untouched(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    result, failed = run({'config_file': path, 'compression': 'zstd'})
    assert failed
    assert "compression 'zstd' is not built into this host's makedumpfile 1.7.2" in result['msg']
    assert 'supported: lzo, none, zlib' in result['msg']
    assert open(path).read() == fixture('kdump-tools-bookworm.conf')


def test_makedumpfile_missing_warns(host):
    host['makedumpfile'] = None
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    result, failed = run({'config_file': path, 'compression': 'zstd', 'path': str(host['tmp'])})
    assert not failed
    assert result['config']['compression'] == 'zstd'
    assert any('could not check' in warning for warning in host['warnings'])
    result, failed = run({'config_file': path, 'compression': 'auto', 'path': str(host['tmp'])})
    assert result['config']['compression'] == 'zlib'
    assert any('chose zlib' in warning for warning in host['warnings'])
    assert host['commands'] == []


# --- RHEL and SUSE through the module -----------------------------------------------------------------

def test_rhel_exclusive_has_header_and_only_what_is_managed(host):
    host['family'] = ('rhel', 9, {})
    host['makedumpfile'] = ('makedumpfile: version 1.7.5 (released on 8 May 2024)\n'
                            'lzo\tenabled\nsnappy\tenabled\nzstd\tenabled\n\n')
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    args = {'config_file': path, 'managed': 'exclusive', 'target': {'type': 'ssh', 'location': 'kd@dumps'},
            'path': '/srv/dumps', 'compression': 'auto', 'auto_reset_crashkernel': False}
    result, failed = run(args)
    assert not failed, result
    assert result['backend'] == 'kdump_conf' and result['service'] == 'kdump'
    assert open(path).read() == (
        '# Ansible managed: written by fleet.kdump.kdump_config (managed=exclusive).\n'
        '# Local changes are replaced on the next run.\n\n'
        'ssh kd@dumps\npath /srv/dumps\ncore_collector makedumpfile -F -l --message-level 7 -d 31\n'
        'auto_reset_crashkernel no\n')
    assert result['path_created'] is False  # remote path: nothing to create here
    assert result['config']['target'] == {'type': 'ssh', 'location': 'kd@dumps'}
    again, failed = run(args)
    assert not failed
    assert again['changed'] is False


def test_rhel_merge_hooks_must_exist_and_be_executable(host):
    host['family'] = ('rhel', 9, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    hook = host['tmp'] / 'pre.sh'
    result, failed = run({'config_file': path, 'pre_hook': str(hook)})
    assert failed and 'pre_hook' in result['msg'] and str(hook) in result['msg']
    hook.write_text('#!/bin/bash\nexit 0\n')
    os.chmod(str(hook), 0o644)
    result, failed = run({'config_file': path, 'pre_hook': str(hook)})
    assert failed and 'existing executable' in result['msg']
    assert open(path).read() == fixture('kdump.conf.kdump-utils-x86_64')
    os.chmod(str(hook), 0o755)
    result, failed = run({'config_file': path, 'pre_hook': str(hook), 'path': str(host['tmp'])})
    assert not failed
    assert result['config']['pre_hook'] == str(hook)


# The first-class option and the settings passthrough write the same directive; both are checked.
FENCE_NODES_FORMS = {
    'option': lambda nodes: {'fence_kdump_nodes': nodes},
    'settings': lambda nodes: {'settings': {'fence_kdump_nodes': ' '.join(nodes)}},
}


@pytest.mark.parametrize('form', sorted(FENCE_NODES_FORMS))
def test_rhel_fence_kdump_nodes_naming_this_host_is_refused(host, form):
    host['family'] = ('rhel', 9, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    nodes = ['peer.example.com', socket.gethostname()]
    result, failed = run(dict(FENCE_NODES_FORMS[form](nodes), config_file=path, path=str(host['tmp'])))
    assert failed and 'names this host (%s)' % socket.gethostname() in result['msg']
    assert open(path).read() == fixture('kdump.conf.kdump-utils-x86_64')
    result, failed = run(dict(FENCE_NODES_FORMS[form](['peer.example.com']), config_file=path, path=str(host['tmp'])))
    assert not failed and result['config']['raw']['fence_kdump_nodes'] == 'peer.example.com'


def test_rhel_fence_kdump_nodes_naming_a_local_address_is_refused(host, monkeypatch):
    host['family'] = ('rhel', 9, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')

    def get_bin_path(self, name, *args, **kwargs):
        return {'hostname': '/usr/bin/hostname'}.get(name)

    def run_command(self, argv, *args, **kwargs):
        assert argv == ['/usr/bin/hostname', '-I']
        return 0, '192.0.2.2 10.88.0.1 fd00::2 \n', ''  # hostname -I output format

    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', get_bin_path)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    result, failed = run({'config_file': path, 'path': str(host['tmp']),
                          'settings': {'fence_kdump_nodes': 'peer.example.com 10.88.0.1'}})
    assert failed and 'names this host (10.88.0.1)' in result['msg']
    result, failed = run({'config_file': path, 'path': str(host['tmp']), 'fence_kdump_nodes': ['10.88.0.1']})
    assert failed and 'names this host (10.88.0.1)' in result['msg']
    assert open(path).read() == fixture('kdump.conf.kdump-utils-x86_64')


def test_debian_use_kdump_0_is_switched_on_and_off_by_enabled(host):
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    with open(path, 'w') as handle:
        handle.write(fixture('kdump-tools-bookworm.conf').replace('USE_KDUMP=1', 'USE_KDUMP=0'))
    result, failed = run({'config_file': path, 'path': str(host['tmp'])})
    assert not failed and result['changed']
    assert 'USE_KDUMP="1"\n' in open(path).read() and result['config']['enabled'] is True
    assert not any('USE_KDUMP' in warning for warning in host['warnings'])
    result, failed = run({'config_file': path, 'path': str(host['tmp']), 'enabled': False})
    assert not failed and result['changed'] and result['config']['enabled'] is False
    assert 'USE_KDUMP="0"\n' in open(path).read()
    again, failed = run({'config_file': path, 'path': str(host['tmp']), 'enabled': False})
    assert not failed and not again['changed']


def test_amazon_linux_2023_writes_auto_reset_no_as_kdump_reserve_asks(host):
    host['family'] = ('rhel', 2023, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    result, failed = run({'config_file': path, 'path': str(host['tmp']), 'auto_reset_crashkernel': False})
    assert not failed and result['config']['auto_reset_crashkernel'] is False
    assert 'auto_reset_crashkernel no\n' in open(path).read()


def test_a_kdumpctl_without_auto_reset_gets_no_such_line(host, monkeypatch):
    host['family'] = ('rhel', 2023, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    with open(path, 'w') as handle:
        handle.write('path /var/crash\n')
    script = host['tmp'] / 'kdumpctl'
    script.write_text('#!/bin/bash\ncase "$opt" in path | core_collector) ;; esac\n')

    def get_bin_path(self, name, *args, **kwargs):
        return str(script) if name == 'kdumpctl' else None

    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', get_bin_path)
    result, failed = run({'config_file': path, 'auto_reset_crashkernel': False, '_ansible_check_mode': True})
    assert not failed and result['files'] == [] and result['config']['auto_reset_crashkernel'] is None
    assert open(path).read() == 'path /var/crash\n'
    assert any("kdumpctl does not know it" in warning for warning in host['warnings'])


def test_rhel7_via_host_version(host):
    host['family'] = ('rhel', 7, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    result, failed = run({'config_file': path, 'failure_action': 'shell', 'path': str(host['tmp'])})
    assert not failed
    assert result['config']['raw']['default'] == 'shell' and 'failure_action' not in result['config']['raw']


def test_explicit_family_differs_from_host_uses_no_version(host):
    host['family'] = ('debian', 12, {})
    path = conf_file(host['tmp'], 'kdump.conf.kdump-utils-x86_64')
    result, failed = run({'config_file': path, 'family': 'rhel', 'failure_action': 'halt', 'path': str(host['tmp'])})
    assert not failed
    assert result['config']['raw']['failure_action'] == 'halt'


def test_suse_merge(host):
    host['family'] = ('suse', 15, {})
    path = conf_file(host['tmp'], 'sysconfig-kdump-suse')
    result, failed = run({'config_file': path, 'dump_level': '1', 'compression': 'lzo', 'keep_dumps': 4,
                          'path': str(host['tmp'])})
    assert not failed, result
    assert result['backend'] == 'sysconfig' and result['service'] == 'kdump'
    assert (result['config']['dump_level'], result['config']['compression'], result['config']['keep_dumps']) == \
        (1, 'lzo', 4)


def test_unknown_family_fails(host):
    host['family'] = (None, None, {})
    result, failed = run({'config_file': str(host['tmp'] / 'x')})
    assert failed and 'set family' in result['msg']


# --- every option a table stores goes through the module ---------------------------------------------------

# The module checks these against the host (they must exist and be executable): tested above, not with examples.
HOST_CHECKED = ('pre_hook', 'post_hook', 'extra_bins')
TABLE_EXAMPLES = [pytest.param(table.family, name, value, id='%s-%s-%d' % (table.name, name, index))
                  for table in [_families.get(family) for family in _families.FAMILIES]
                  for option in table.options for name in option.names if option.keys and name not in HOST_CHECKED
                  for index, value in enumerate(option.examples.get(name, ()))]


@pytest.mark.parametrize('family, name, value', TABLE_EXAMPLES)
def test_the_module_passes_every_table_option_through(host, family, name, value):
    host['family'] = (family, 9, {})
    host['makedumpfile'] = None  # any compression example, whatever the test machine's makedumpfile was built with
    path = conf_file(host['tmp'], FILES[family])
    # check mode: a local dump path is neither created nor tightened on the machine running the tests
    result, failed = run({'config_file': path, name: value, '_ansible_check_mode': True})
    assert not failed, result
    assert result['config'][name] == value
    assert kdump_settings.effective_config(family, result['diff']['after'])[name] == value
    assert open(path).read() == fixture(FILES[family])


# --- every bad input leaves the file byte-identical -------------------------------------------------------

BAD = [
    ('rhel', {'target': {'type': 'ssh', 'location': 'a@b'},
              'settings': {'dracut_args': '--mount "/dev/sdb1 /mnt ext4 defaults"'}}, 'more than one dump target'),
    ('rhel', {'target': {'type': 'ssh', 'location': 'dumps.example.com'}}, 'use user@host'),
    ('rhel', {'target': {'type': 'nfs', 'location': 'dumps'}}, 'use host:/export'),
    ('rhel', {'path': 'crash'}, "path 'crash' is relative"),
    ('rhel', {'dump_level': 32}, 'dump_level 32 is invalid: use an integer 0-31'),
    ('rhel', {'dump_level': -1}, 'dump_level -1 is invalid'),
    ('rhel', {'dump_level': 'high'}, "dump_level 'high' is invalid"),
    ('rhel', {'compression': 'gzip'}, 'gzip'),
    ('rhel', {'core_collector': 'makedumpfile -l -d 31', 'dump_level': 1},
     'parameters are mutually exclusive: core_collector|dump_level'),
    ('debian', {'core_collector': 'makedumpfile -l -d 31', 'compression': 'lzo'},
     'parameters are mutually exclusive: core_collector|compression'),
    ('suse', {'target': {'type': 'ssh'}}, 'type is ssh but all of the following are missing: location'),
    ('rhel', {'target': {'type': 'raw'}}, 'type is raw but all of the following are missing: location'),
    ('rhel', {'enabled': False}, 'systemctl disable --now kdump'),
    ('rhel', {'path': '/var/crash#x'}, 'kdump.conf cannot carry it'),
    ('rhel', {'dracut_args': '--add-drivers "a\nb"'}, 'kdump.conf cannot carry it'),
    ('rhel', {'settings': {'net': 'a@b'}}, "'net' is deprecated"),
    ('rhel', {'settings': {'link_delay': 5}}, "'link_delay' is deprecated"),
    ('rhel', {'settings': {'disk_timeout': 5}}, "'disk_timeout' is deprecated"),
    ('rhel', {'settings': {'debug_mem_level': 1}}, 'rd.memdebug'),
    ('rhel', {'settings': {'blacklist': 'e1000'}}, 'rd.driver.blacklist'),
    ('rhel', {'settings': {'options': 'e1000 x=1'}}, 'KDUMP_COMMANDLINE_APPEND'),
    ('rhel', {'settings': {'override_resettable': 1}}, "'override_resettable' is deprecated"),
    ('rhel', {'settings': {'nonsense': 1}}, "'nonsense' is not a known rhel kdump setting"),
    ('rhel', {'post_hook': '/nonexistent/post.sh'}, "post_hook '/nonexistent/post.sh' must be an existing"),
    ('debian', {'failure_action': 'shell'}, 'no kdump-tools equivalent'),
    ('debian', {'settings': {'HOSTTAG': 'ip\n'}}, 'newline'),
    ('debian', {'settings': {'USE_KDUMP': 1}}, 'use enabled instead'),
    ('suse', {'failure_action': 'poweroff'}, 'valid: reboot, shell'),
]
FILES = {'rhel': 'kdump.conf.kdump-utils-x86_64', 'debian': 'kdump-tools-bookworm.conf',
         'suse': 'sysconfig-kdump-suse'}


@pytest.mark.parametrize('family, args, fragment', BAD)
def test_bad_input_fails_and_file_is_byte_identical(host, family, args, fragment):
    path = conf_file(host['tmp'], FILES[family])
    args = dict(args, config_file=path, family=family)
    result, failed = run(args)
    assert failed, result
    assert fragment in result['msg']
    assert open(path).read() == fixture(FILES[family])


# --- check_target: a remote target that cannot work from this host is refused before anything is written ----

@pytest.fixture
def network(monkeypatch):
    """Name resolution on the fake host: only the names listed resolve."""
    names = {'dumps.example.com': ['192.0.2.10'], 'nfs.example.com': ['192.0.2.20']}

    def resolve(name):
        if name not in names:
            raise socket.gaierror(-2, 'Name or service not known')
        return names[name]

    monkeypatch.setattr(kdump_config, 'lookup_server', resolve)
    return names


def key_file(tmp_path, mode=0o600):
    key = tmp_path / 'kdump_id_ed25519'
    key.write_text('stand-in for a private key file\n')
    key.chmod(mode)
    return str(key)


@pytest.mark.parametrize('family', ['rhel', 'debian', 'suse'])
def test_check_target_accepts_a_resolving_server_and_a_readable_key(host, network, family):
    path = conf_file(host['tmp'], FILES[family])
    args = {'config_file': path, 'family': family, 'check_target': True, 'path': '/srv/crash',
            'target': {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, 'ssh_key': key_file(host['tmp'])}
    result, failed = run(args)
    assert not failed, result
    assert result['changed'] is True
    assert result['config']['target'] == {'type': 'ssh', 'location': 'kdump@dumps.example.com'}


# (family, target, key: None = none given, 'missing', 'readable') -> fragment of the refusal
TARGET_REFUSALS = [
    pytest.param('rhel', {'type': 'ssh', 'location': 'dumps.example.com'}, 'readable', 'use user@host',
                 id='rhel-ssh-without-user'),
    pytest.param('debian', {'type': 'ssh', 'location': 'dumps.example.com'}, 'readable', 'use user@host',
                 id='debian-ssh-without-user'),
    pytest.param('rhel', {'type': 'ssh', 'location': 'kdump@nowhere.example.com'}, 'readable',
                 'the ssh server nowhere.example.com of target kdump@nowhere.example.com does not resolve on this host '
                 '([Errno -2] Name or service not known)', id='rhel-unknown-host'),
    pytest.param('debian', {'type': 'ssh', 'location': 'kdump@nowhere.example.com'}, 'readable',
                 'does not resolve on this host', id='debian-unknown-host'),
    pytest.param('suse', {'type': 'ssh', 'location': 'kdump@nowhere.example.com'}, 'readable',
                 'does not resolve on this host', id='suse-unknown-host'),
    pytest.param('rhel', {'type': 'nfs', 'location': 'nowhere.example.com:/export'}, None,
                 'the nfs server nowhere.example.com of target nowhere.example.com:/export does not resolve',
                 id='rhel-nfs-unknown-host'),
    pytest.param('rhel', {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, 'missing',
                 'is missing or unreadable on this host: the capture kernel could not log in to '
                 'kdump@dumps.example.com', id='rhel-missing-key'),
    pytest.param('debian', {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, 'missing',
                 'is missing or unreadable on this host', id='debian-missing-key'),
]


@pytest.mark.parametrize('family, target, key, fragment', TARGET_REFUSALS)
def test_check_target_refuses_before_anything_is_written(host, network, family, target, key, fragment):
    path = conf_file(host['tmp'], FILES[family])
    args = {'config_file': path, 'family': family, 'check_target': True, 'path': '/srv/crash', 'target': target}
    if key == 'readable':
        args['ssh_key'] = key_file(host['tmp'])
    elif key == 'missing':
        args['ssh_key'] = str(host['tmp'] / 'no-such-key')
    result, failed = run(args)
    assert failed, result
    assert fragment in result['msg']
    assert open(path).read() == fixture(FILES[family])
    assert not os.path.exists('/srv/crash') or target['type'] != 'local'


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads every file whatever its mode')
def test_check_target_refuses_an_unreadable_key(host, network):
    path = conf_file(host['tmp'], FILES['rhel'])
    key = key_file(host['tmp'], mode=0o000)
    args = {'config_file': path, 'family': 'rhel', 'check_target': True, 'ssh_key': key,
            'target': {'type': 'ssh', 'location': 'kdump@dumps.example.com'}}
    result, failed = run(args)
    assert failed
    assert result['msg'] == ('the dump target cannot work from this host, %s not written: the ssh key %s is missing or '
                             'unreadable on this host: the capture kernel could not log in to kdump@dumps.example.com'
                             % (path, key))
    assert open(path).read() == fixture(FILES['rhel'])


def test_check_target_refuses_a_key_path_that_is_not_a_readable_file(host, network):
    """A directory where the key file belongs (the root-run variant of an unreadable key)."""
    path = conf_file(host['tmp'], FILES['debian'])
    key = host['tmp'] / 'keys'
    key.mkdir()
    args = {'config_file': path, 'family': 'debian', 'check_target': True, 'ssh_key': str(key),
            'target': {'type': 'ssh', 'location': 'kdump@dumps.example.com'}}
    result, failed = run(args)
    assert failed
    assert 'the ssh key %s is missing or unreadable on this host' % key in result['msg']
    assert open(path).read() == fixture(FILES['debian'])


def test_check_target_with_a_local_dump_dir_creates_nothing_when_refused(host, network):
    """The refusal comes before the dump directory policy: nothing is created on the host."""
    path = conf_file(host['tmp'], FILES['debian'])
    dump_dir = host['tmp'] / 'crash'
    args = {'config_file': path, 'family': 'debian', 'check_target': True, 'path': str(dump_dir),
            'target': {'type': 'ssh', 'location': 'kdump@nowhere.example.com'}}
    result, failed = run(args)
    assert failed
    assert not dump_dir.exists()
    assert open(path).read() == fixture(FILES['debian'])


def test_check_target_in_check_mode_only_warns_about_a_key_not_made_yet(host, network):
    path = conf_file(host['tmp'], FILES['debian'])
    args = {'config_file': path, 'family': 'debian', 'check_target': True, '_ansible_check_mode': True,
            'target': {'type': 'ssh', 'location': 'kdump@dumps.example.com'},
            'ssh_key': str(host['tmp'] / 'made-later')}
    result, failed = run(args)
    assert not failed, result
    assert result['changed'] is True
    assert any('check mode: a key created in this run does not exist yet' in warning for warning in host['warnings'])
    assert open(path).read() == fixture(FILES['debian'])


def test_without_check_target_an_unknown_host_is_written_as_given(host, network):
    path = conf_file(host['tmp'], FILES['rhel'])
    result, failed = run({'config_file': path, 'family': 'rhel', 'ssh_key': str(host['tmp'] / 'absent'),
                          'target': {'type': 'ssh', 'location': 'kdump@nowhere.example.com'}})
    assert not failed, result
    assert result['config']['target']['location'] == 'kdump@nowhere.example.com'


# --- faults: the disk fills while the config is written ----------------------------------------------

def _no_temp_files(directory):
    return [name for name in os.listdir(directory) if name.startswith('.ansible_tmp_')] == []


def test_disk_full_injected_at_the_write_leaves_the_config_intact(host, monkeypatch):
    """ENOSPC injected at the write edge (os.fdopen's handle fails after half the bytes), on any machine."""
    from ansible_collections.fleet.kdump.plugins.module_utils import common
    path = conf_file(host['tmp'], 'kdump-tools-bookworm.conf')
    real_fdopen = os.fdopen

    class FullDisk(object):
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[:len(data) // 2])
            raise OSError(28, 'No space left on device')

    monkeypatch.setattr(common.os, 'fdopen', lambda fd, mode='r', *a, **kw: FullDisk(real_fdopen(fd, mode, *a, **kw)))
    result, failed = run({'config_file': path, 'keep_dumps': 2, 'path': str(host['tmp'])})
    monkeypatch.undo()
    assert failed, result
    assert result['msg'] == 'could not write %s: [Errno 28] No space left on device; the file is unchanged' % path
    assert open(path).read() == fixture('kdump-tools-bookworm.conf')
    assert _no_temp_files(str(host['tmp']))


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 16 KiB tmpfs mounted at tmp_path/tiny (needs root and mount(8)); unmounted afterwards."""
    import shutil
    import subprocess
    mountpoint = tmp_path / 'tiny'
    mountpoint.mkdir()
    if os.geteuid() != 0 or shutil.which('mount') is None:
        pytest.skip('a real tmpfs needs root and mount(8); the injected ENOSPC test covers the write edge')
    proc = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=16k,mode=0755', 'tmpfs', str(mountpoint)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip('cannot mount a tmpfs here: %s' % proc.stderr.strip())
    try:
        yield mountpoint
    finally:
        subprocess.run(['umount', str(mountpoint)], check=False)


def test_disk_full_on_a_real_tmpfs_leaves_the_config_intact(host, tiny_tmpfs):
    path = tiny_tmpfs / 'kdump-tools'
    path.write_text(fixture('kdump-tools-bookworm.conf'))
    # fill the rest of the file system
    with open(str(tiny_tmpfs / 'filler'), 'wb', buffering=0) as handle:
        try:
            while True:
                handle.write(b'\0' * 512)
        except OSError:
            pass
    result, failed = run({'config_file': str(path), 'keep_dumps': 2, 'path': str(host['tmp'])})
    assert failed, result
    assert 'No space left on device' in result['msg'] and result['msg'].endswith('the file is unchanged')
    assert path.read_text() == fixture('kdump-tools-bookworm.conf')
    assert sorted(os.listdir(str(tiny_tmpfs))) == ['filler', 'kdump-tools']


# --- security: private key material is refused without being echoed ------------------------------------------

# A throwaway ed25519 key made for this test (ssh-keygen -t ed25519 -N ''); it protects nothing.
PRIVATE_KEY = '''-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBm0Vqj5hZl2yQ6cJH2YzqZ3l8oV1m3e0tqk2mJ4b8v7gAAAJgTj3S0E49z
-----END OPENSSH PRIVATE KEY-----
'''


@pytest.mark.parametrize('family, args, name', [
    ('rhel', {'ssh_key': PRIVATE_KEY}, 'ssh_key'),
    ('rhel', {'settings': {'sshkey': PRIVATE_KEY}}, 'settings.sshkey'),
    ('debian', {'settings': {'SSH_KEY': PRIVATE_KEY.replace('\n', ' ')}}, 'settings.SSH_KEY'),
    ('suse', {'settings': {'KDUMP_SSH_IDENTITY': 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ'}}, 'settings.KDUMP_SSH_IDENTITY'),
])
def test_private_key_material_is_refused_and_never_echoed(host, family, args, name):
    path = conf_file(host['tmp'], FILES[family])
    result, failed = run(dict(args, config_file=path, family=family))
    assert failed
    assert result['msg'] == ('%s holds private key material, not a path: give the path of the key file on the host '
                             '(for example /root/.ssh/kdump_id_ed25519); the value is not shown' % name)
    assert 'b3BlbnNzaC1rZXktdjE' not in repr(result) and 'PRIVATE KEY' not in repr(result)
    assert open(path).read() == fixture(FILES[family])


def test_private_key_material_is_masked_in_what_ansible_returns(monkeypatch, tmp_path):
    """Through the real fail_json (not the tests' stand-in): nothing of the key is in what the module prints."""
    import json
    monkeypatch.setattr(kdump_config, 'host_os_release', lambda: os_release('rhel', 9))
    path = conf_file(tmp_path, FILES['rhel'])
    out = []
    monkeypatch.setattr(basic, 'print', out.append, raising=False)
    with utils.set_module_args({'ssh_key': PRIVATE_KEY, 'config_file': path}):
        with pytest.raises(SystemExit):
            kdump_config.main()
    returned = json.loads(out[-1])
    assert returned['failed'] and 'private key material' in returned['msg']
    assert not [line for line in PRIVATE_KEY.splitlines() if line in out[-1]]
