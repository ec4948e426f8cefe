# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _families
from ansible_collections.fleet.kdump.plugins.module_utils import kdump_settings as ks

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


RHEL = fixture('kdump.conf.kdump-utils-x86_64')
DEBIAN = fixture('kdump-tools-bookworm.conf')
SUSE = fixture('sysconfig-kdump-suse')


def merge(family, text, version=None, **options):
    updates, warnings = ks.desired_updates(family, options, text, version)
    return ks.apply_merge(family, text, updates), warnings


def changed_lines(before, after):
    old, new = before.splitlines(), after.splitlines()
    return sorted(set(old) - set(new)), sorted(set(new) - set(old))


# --- effective_config of the untouched templates (the distro defaults) ---------------------------

def test_effective_rhel_template():
    config = ks.effective_config('rhel', RHEL)
    assert config['path'] == '/var/crash'
    assert config['target'] == {'type': 'local', 'location': None}
    assert (config['compression'], config['dump_level']) == ('lzo', 31)
    assert config['core_collector'] == 'makedumpfile -l --message-level 7 -d 31'
    assert (config['failure_action'], config['final_action']) == ('reboot', 'reboot')
    assert config['auto_reset_crashkernel'] is True
    assert config['keep_dumps'] is None and config['enabled'] is True
    assert config['ssh_key'] == '/root/.ssh/kdump_id_rsa'


def test_effective_debian_template():
    config = ks.effective_config('debian', DEBIAN)
    assert config['path'] == '/var/crash'
    assert (config['compression'], config['dump_level']) == ('zlib', 31)
    assert config['core_collector'] is None
    assert config['keep_dumps'] == 0 and config['enabled'] is True
    assert config['failure_action'] == 'reboot'
    assert config['raw']['USE_KDUMP'] == '1'


def test_effective_suse_template():
    config = ks.effective_config('suse', SUSE)
    assert config['path'] == '/var/crash'
    assert (config['compression'], config['dump_level'], config['keep_dumps']) == ('zlib', 31, 0)
    assert (config['failure_action'], config['final_action']) == ('reboot', 'reboot')


def test_effective_empty_files_apply_defaults():
    for family in _families.FAMILIES:
        config = ks.effective_config(family, '')
        assert config['path'] == '/var/crash'
        assert config['dump_level'] == 31
    assert ks.effective_config('debian', '')['enabled'] is False


def test_effective_rhel_targets_and_aliases():
    assert ks.effective_config('rhel', 'nfs srv:/export\n')['target'] == {'type': 'nfs', 'location': 'srv:/export'}
    text = 'dracut_args --mount "/dev/sdb1 /mnt xfs defaults"\ndefault shell\nauto_reset_crashkernel No\n'
    config = ks.effective_config('rhel', text)
    assert config['target'] == {'type': 'xfs', 'location': '/dev/sdb1'}
    assert config['failure_action'] == 'shell'
    assert config['auto_reset_crashkernel'] is True  # kdumpctl only treats the literal "no" as no
    assert ks.effective_config('rhel', 'core_collector scp\n')['dump_level'] is None


def test_effective_debian_fail_cmd_translation():
    assert ks.effective_config('debian', 'KDUMP_FAIL_CMD="halt -f"\n')['failure_action'] == 'halt'
    assert ks.effective_config('debian', 'KDUMP_FAIL_CMD="/bin/custom"\n')['failure_action'] == '/bin/custom'
    assert ks.effective_config('debian', 'USE_KDUMP=0\n')['enabled'] is False


# --- RHEL ---------------------------------------------------------------------------------------

def test_rhel_merge_every_option():
    after, warnings = merge('rhel', RHEL, 9, path='/srv/crash', target={'type': 'ssh', 'location': 'kd@dumps'},
                            ssh_key='/root/.ssh/k', compression='zstd', dump_level=17, failure_action='shell',
                            final_action='poweroff', pre_hook='/usr/local/bin/pre', post_hook='/usr/local/bin/post',
                            extra_bins=['/usr/bin/a', '/usr/bin/b'], extra_modules=['gfs2'],
                            dracut_args='--add-drivers "e1000"', auto_reset_crashkernel=False,
                            settings={'force_rebuild': True, 'fence_kdump_nodes': 'n1 n2'})
    assert warnings == []
    assert ks.validate_result('rhel', after) == []
    removed, added = changed_lines(RHEL, after)
    assert removed == ['auto_reset_crashkernel yes', 'core_collector makedumpfile -l --message-level 7 -d 31',
                       'path /var/crash']
    assert added == sorted(['auto_reset_crashkernel no', 'core_collector makedumpfile -F -z --message-level 7 -d 17',
                            'path /srv/crash', 'ssh kd@dumps', 'sshkey /root/.ssh/k', 'failure_action shell',
                            'final_action poweroff', 'kdump_pre /usr/local/bin/pre', 'kdump_post /usr/local/bin/post',
                            'extra_bins /usr/bin/a /usr/bin/b', 'extra_modules gfs2',
                            'dracut_args --add-drivers "e1000"', 'force_rebuild 1', 'fence_kdump_nodes n1 n2'])
    config = ks.effective_config('rhel', after)
    assert config['target'] == {'type': 'ssh', 'location': 'kd@dumps'}
    assert (config['compression'], config['dump_level']) == ('zstd', 17)
    # a second pass changes nothing
    again, _warnings = merge('rhel', after, 9, path='/srv/crash', target={'type': 'ssh', 'location': 'kd@dumps'},
                             compression='zstd', dump_level=17, failure_action='shell', auto_reset_crashkernel=False)
    assert again == after


def test_rhel_switching_target_replaces_the_old_one_and_adds_F():
    text = 'ssh a@b\ncore_collector makedumpfile -l -d 31\n'
    after, _warnings = merge('rhel', text, 9, target={'type': 'nfs', 'location': 'srv:/export'})
    assert after == 'nfs srv:/export\ncore_collector makedumpfile -l -d 31\n'
    after, _warnings = merge('rhel', after, 9, target={'type': 'raw', 'location': '/dev/vg/kdump'})
    assert after == 'raw /dev/vg/kdump\ncore_collector makedumpfile -F -l -d 31\n'
    local, _warnings = merge('rhel', after, 9, target={'type': 'local'})
    assert ks.effective_config('rhel', local)['target'] == {'type': 'local', 'location': None}


def test_rhel7_uses_default_and_refuses_final_action():
    after, _warnings = merge('rhel', 'failure_action reboot\n', 7, failure_action='halt')
    assert after == 'default halt\n'
    with pytest.raises(ks.SettingsError, match='RHEL 7'):
        merge('rhel', '', 7, final_action='halt')


def test_rhel8_replaces_deprecated_default_and_ignores_auto_reset():
    after, warnings = merge('rhel', 'default shell\n', 8, failure_action='reboot', auto_reset_crashkernel=False)
    assert after == 'failure_action reboot\n'
    assert any('RHEL 9' in warning for warning in warnings)


def test_rhel_keep_dumps_is_ignored_with_warning():
    after, warnings = merge('rhel', RHEL, 9, keep_dumps=3)
    assert after == RHEL
    assert 'no dump retention' in warnings[0]


def test_rhel_raw_core_collector_needs_F_for_ssh():
    with pytest.raises(ks.SettingsError, match='lacks -F'):
        merge('rhel', '', 9, target={'type': 'ssh', 'location': 'a@b'}, core_collector='makedumpfile -l -d 31')
    after, _warnings = merge('rhel', '', 9, target={'type': 'ssh', 'location': 'a@b'}, core_collector='scp')
    assert after == 'ssh a@b\ncore_collector scp\n'


def test_rhel_dracut_mount_plus_target_is_refused_by_validation():
    text = 'dracut_args --mount "/dev/sdb1 /mnt ext4 defaults"\n'
    after, _warnings = merge('rhel', text, 9, target={'type': 'ssh', 'location': 'a@b'})
    assert any('more than one dump target' in problem for problem in ks.validate_result('rhel', after))


@pytest.mark.parametrize('key, fragment', [
    ('net', 'nfs or ssh'), ('options', 'KDUMP_COMMANDLINE_APPEND'), ('link_delay', 'deprecated'),
    ('disk_timeout', 'deprecated'), ('debug_mem_level', 'rd.memdebug'), ('blacklist', 'rd.driver.blacklist'),
    ('override_resettable', 'removed'), ('default', 'failure_action option'),
])
def test_rhel_deprecated_settings_name_the_replacement(key, fragment):
    with pytest.raises(ks.SettingsError, match="'%s' is deprecated" % key) as exc:
        merge('rhel', RHEL, 9, settings={key: 'x'})
    assert fragment in str(exc.value)


def test_rhel_unknown_and_target_settings():
    with pytest.raises(ks.SettingsError, match="'nfs4' is not a known rhel kdump setting; valid: auto_reset"):
        merge('rhel', RHEL, 9, settings={'nfs4': 'x'})
    with pytest.raises(ks.SettingsError, match='use the target option'):
        merge('rhel', RHEL, 9, settings={'ssh': 'a@b'})
    with pytest.raises(ks.SettingsError, match='conflicts with the path option'):
        merge('rhel', RHEL, 9, path='/a', settings={'path': '/b'})


def test_rhel_empty_lists_and_dracut_args_remove_the_directives():
    text = RHEL + 'extra_bins /usr/bin/a\nextra_modules gfs2\ndracut_args --add-drivers "e1000"\n'
    after, warnings = merge('rhel', text, 9, extra_bins=[], extra_modules=[], dracut_args='')
    assert warnings == [] and after == RHEL
    assert ks.validate_result('rhel', after) == []


def test_rhel_settings_null_removes():
    after, _warnings = merge('rhel', RHEL, 9, settings={'auto_reset_crashkernel': None})
    assert 'auto_reset_crashkernel yes\n' not in after
    assert after == RHEL.replace('auto_reset_crashkernel yes\n', '')


# --- Debian -------------------------------------------------------------------------------------

def test_debian_merge_lab_scenario_and_idempotency():
    options = dict(path='/srv/crash', compression='lzo', dump_level=31, keep_dumps=3)
    after, warnings = merge('debian', DEBIAN, None, **options)
    assert warnings == []
    removed, added = changed_lines(DEBIAN, after)
    assert removed == ['KDUMP_COREDIR="/var/crash"']
    assert added == ['KDUMP_COREDIR="/srv/crash"', 'KDUMP_NUM_DUMPS="3"', 'MAKEDUMP_ARGS="-F -l -d 31"']
    # the new lines sit under their commented template lines
    assert '#KDUMP_NUM_DUMPS=\nKDUMP_NUM_DUMPS="3"\n' in after
    assert '#MAKEDUMP_ARGS="-c -d 31"\nMAKEDUMP_ARGS="-F -l -d 31"\n' in after
    again, _warnings = merge('debian', after, None, **options)
    assert again == after
    config = ks.effective_config('debian', after)
    assert (config['path'], config['compression'], config['dump_level'], config['keep_dumps']) == \
        ('/srv/crash', 'lzo', 31, 3)


def test_debian_remote_targets_and_fail_cmd():
    after, _warnings = merge('debian', DEBIAN, None, target={'type': 'ssh', 'location': 'kd@dumps'}, ssh_key='/root/k',
                             failure_action='poweroff')
    values = ks.effective_config('debian', after)
    assert values['target'] == {'type': 'ssh', 'location': 'kd@dumps'}
    assert values['raw']['KDUMP_FAIL_CMD'] == 'poweroff -f' and values['failure_action'] == 'poweroff'
    after, _warnings = merge('debian', after, None, target={'type': 'nfs', 'location': 'srv:/export'})
    values = ks.effective_config('debian', after)
    assert values['target'] == {'type': 'nfs', 'location': 'srv:/export'} and 'SSH' not in values['raw']
    after, _warnings = merge('debian', after, None, target={'type': 'local'})
    assert 'NFS' not in ks.effective_config('debian', after)['raw']


def test_debian_core_collector_becomes_makedump_args_with_leading_F():
    after, _warnings = merge('debian', DEBIAN, None, core_collector='makedumpfile -c --message-level 7 -d 1')
    assert 'MAKEDUMP_ARGS="-F -c --message-level 7 -d 1"\n' in after
    with pytest.raises(ks.SettingsError, match='always runs makedumpfile'):
        merge('debian', DEBIAN, None, core_collector='cp --sparse=always')


@pytest.mark.parametrize('options, fragment', [
    ({'failure_action': 'shell'}, 'no kdump-tools equivalent'),
    ({'failure_action': 'dump_to_rootfs'}, 'no kdump-tools equivalent'),
    ({'final_action': 'halt'}, 'always runs "reboot -f"'),
    ({'pre_hook': '/bin/true'}, 'no pre-dump hook'),
    ({'extra_modules': ['gfs2']}, 'initramfs-tools'),
    ({'dracut_args': '--foo'}, 'does not use dracut'),
    ({'target': {'type': 'raw', 'location': '/dev/sdb'}}, 'valid: local, ssh, nfs'),
    ({'target': {'type': 'ssh', 'location': '-oProxyCommand=x@dumps'}}, 'not a valid ssh destination'),
    ({'settings': {'KDUMP_SYSCTL': 'x'}}, '/etc/kdump/sysctl.conf'),
    ({'settings': {'BOGUS': 'x'}}, "'BOGUS' is not a known debian kdump setting"),
])
def test_debian_refusals(options, fragment):
    with pytest.raises(ks.SettingsError, match=fragment.replace('(', r'\(')):
        merge('debian', DEBIAN, None, **options)


def test_debian_final_action_reboot_is_a_no_op():
    after, _warnings = merge('debian', DEBIAN, None, final_action='reboot')
    assert after == DEBIAN


def test_debian_cmdline_append_keeps_dump_unit_and_use_kdump():
    after, warnings = merge('debian', '', None, settings={'KDUMP_CMDLINE_APPEND': 'nr_cpus=1 irqpoll'})
    assert after == 'USE_KDUMP="1"\nKDUMP_CMDLINE_APPEND="nr_cpus=1 irqpoll systemd.unit=kdump-tools-dump.service"\n'
    assert 'kdump-tools-dump.service' in warnings[0]
    assert ks.findings('debian', 'KDUMP_CMDLINE_APPEND="nr_cpus=1"\n')


def test_debian_enabled_owns_use_kdump():
    # enabled (default true) switches a USE_KDUMP=0 on: a config that loads nothing is never the result
    after, warnings = merge('debian', 'USE_KDUMP=0\n', None, path='/var/crash')
    assert after == 'USE_KDUMP="1"\nKDUMP_COREDIR="/var/crash"\n' and warnings == []
    assert ks.effective_config('debian', after)['enabled'] is True
    after, _warnings = merge('debian', after, None, enabled=False)
    assert after == 'USE_KDUMP="0"\nKDUMP_COREDIR="/var/crash"\n'
    assert ks.effective_config('debian', after)['enabled'] is False
    # a value that already means the same stays byte-for-byte
    assert merge('debian', 'USE_KDUMP=0\n', None, enabled=False)[0] == 'USE_KDUMP=0\n'
    assert merge('debian', 'USE_KDUMP=1\n', None, enabled=True)[0] == 'USE_KDUMP=1\n'
    assert merge('debian', '', None, enabled=False)[0] == 'USE_KDUMP="0"\n'
    with pytest.raises(ks.SettingsError, match="'USE_KDUMP' is written by the enabled option"):
        merge('debian', DEBIAN, None, settings={'USE_KDUMP': 1})


def test_debian_exclusive_disabled_overrides_the_template_use_kdump():
    updates, _warnings = ks.desired_updates('debian', {'enabled': False}, '', None)
    text = ks.render_exclusive('debian', updates, [])
    assert text.startswith('USE_KDUMP="0"\nKDUMP_KERNEL=')


@pytest.mark.parametrize('family', ['rhel', 'suse'])
def test_families_without_a_switch_refuse_enabled_false(family):
    template = RHEL if family == 'rhel' else SUSE
    assert merge(family, template, 9, enabled=True)[0] == template
    with pytest.raises(ks.SettingsError, match='has no switch, kdump is switched off by its service'):
        merge(family, template, 9, enabled=False)


def test_debian_exclusive_keeps_base_variables():
    updates, _warnings = ks.desired_updates('debian', {'path': '/var/crash', 'compression': 'lzo'}, '', None)
    text = ks.render_exclusive('debian', updates, ['Ansible managed'])
    assert text == ('# Ansible managed\n\nUSE_KDUMP="1"\nKDUMP_KERNEL="/var/lib/kdump/vmlinuz"\n'
                    'KDUMP_INITRD="/var/lib/kdump/initrd.img"\nKDUMP_COREDIR="/var/crash"\n'
                    'MAKEDUMP_ARGS="-F -l -d 31"\n')


# --- SUSE ---------------------------------------------------------------------------------------

def test_suse_merge_every_supported_option():
    after, _warnings = merge('suse', SUSE, None, path='/srv/crash', target={'type': 'ssh', 'location': 'kd@dumps'},
                             ssh_key='/root/.ssh/id', dump_level=1, compression='lzo', failure_action='shell',
                             final_action='reboot', pre_hook='/p', post_hook='/q', extra_bins=['/p', '/q'], keep_dumps=5,
                             settings={'KDUMP_CPUS': 4})
    values = ks.effective_config('suse', after)['raw']
    assert values['KDUMP_SAVEDIR'] == 'ssh://kd@dumps/srv/crash'
    assert values['KDUMP_SSH_IDENTITY'] == '/root/.ssh/id'
    assert (values['KDUMP_DUMPLEVEL'], values['KDUMP_DUMPFORMAT']) == ('1', 'lzo')
    assert values['KDUMP_CONTINUE_ON_ERROR'] == 'false'
    assert (values['KDUMP_PRESCRIPT'], values['KDUMP_POSTSCRIPT'], values['KDUMP_REQUIRED_PROGRAMS']) == \
        ('/p', '/q', '/p /q')
    assert (values['KDUMP_KEEP_OLD_DUMPS'], values['KDUMP_CPUS']) == ('5', '4')
    removed, added = changed_lines(SUSE, after)
    assert len(removed) == len(added) == 10  # every change replaced its template line in place
    config = ks.effective_config('suse', after)
    assert config['target'] == {'type': 'ssh', 'location': 'kd@dumps'} and config['path'] == '/srv/crash'


def test_suse_nfs_and_path_only():
    after, _warnings = merge('suse', SUSE, None, target={'type': 'nfs', 'location': 'srv:/export'}, path='/var/crash')
    assert 'KDUMP_SAVEDIR="nfs://srv/export/var/crash"\n' in after
    with pytest.raises(ks.SettingsError, match='give target together with path'):
        merge('suse', after, None, path='/other')
    after, _warnings = merge('suse', SUSE, None, path='/data/crash')
    assert 'KDUMP_SAVEDIR="/data/crash"\n' in after


@pytest.mark.parametrize('options, fragment', [
    ({'core_collector': 'makedumpfile -c'}, 'MAKEDUMPFILE_OPTIONS'),
    ({'failure_action': 'halt'}, 'valid: reboot, shell'),
    ({'final_action': 'poweroff'}, 'valid: reboot'),
    ({'settings': {'KDUMP_COPY_KERNEL': 'yes'}}, 'removed in kdump 1.9'),
    ({'extra_modules': ['x']}, 'not supported on SUSE'),
])
def test_suse_refusals(options, fragment):
    with pytest.raises(ks.SettingsError, match=fragment):
        merge('suse', SUSE, None, **options)


def test_suse_compression_none_is_elf_not_none():
    after, _warnings = merge('suse', SUSE, None, compression='none')
    assert 'KDUMP_DUMPFORMAT="ELF"\n' in after  # "none" would skip the dump entirely


# --- input checks common to every family ----------------------------------------------------------

@pytest.mark.parametrize('options, fragment', [
    ({'path': 'var/crash'}, "path 'var/crash' is relative"),
    ({'dump_level': 32}, 'dump_level 32 is invalid'),
    ({'dump_level': -1}, 'dump_level -1 is invalid'),
    ({'dump_level': 'high'}, "dump_level 'high' is invalid"),
    ({'dump_level': True}, 'dump_level True is invalid'),
    ({'compression': 'gzip'}, "compression 'gzip' is invalid; valid: auto, zlib"),
    ({'target': {'type': 'ssh', 'location': 'dumps.example.com'}}, 'use user@host'),
    ({'target': {'type': 'nfs', 'location': 'srv/export'}}, 'use host:/export'),
    ({'target': {'type': 'local', 'location': 'x'}}, 'a local target has no location'),
    ({'target': {'type': 'tape', 'location': 'x'}}, "target.type 'tape' is invalid"),
    ({'target': {'type': 'ssh'}}, 'needs target.location'),
    ({'failure_action': 'explode'}, "failure_action 'explode' is invalid"),
    ({'keep_dumps': -2}, 'keep_dumps -2 is invalid'),
])
@pytest.mark.parametrize('family', _families.FAMILIES)
def test_bad_input_names_value_and_valid(family, options, fragment):
    with pytest.raises(ks.SettingsError) as exc:
        ks.desired_updates(family, options, '', None)
    assert fragment in str(exc.value)


@pytest.mark.parametrize('value', ['/var/cr#sh', '/var/crash\nssh a@b'])
def test_kdump_conf_cannot_carry_hash_or_newline(value):
    with pytest.raises(ks.SettingsError, match='kdump.conf cannot carry it'):
        ks.desired_updates('rhel', {'path': value}, RHEL, 9)


def test_hash_is_fine_in_shell_files_but_newline_is_not():
    after, _warnings = merge('debian', '', None, settings={'FTP_PASSWORD': 'p#ss'})
    assert ks.effective_config('debian', after)['raw']['FTP_PASSWORD'] == 'p#ss'
    with pytest.raises(ks.SettingsError, match='newline'):
        merge('debian', '', None, settings={'FTP_PASSWORD': 'a\nb'})
