# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties every family table must have: one option <-> key mapping serves writer, reader and conflicts."""

from __future__ import annotations

import os

import pytest

from ansible.module_utils.facts.system.distribution import Distribution

from ansible_collections.fleet.kdump.plugins.module_utils import _families, kdump_settings
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    OPTION_NAMES, TARGET_TYPES, Context, FamilyTable, Host, SettingsError, key)

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')
TEMPLATES = {'rhel': 'kdump.conf.kdump-utils-x86_64', 'debian': 'kdump-tools-bookworm.conf',
             'suse': 'sysconfig-kdump-suse'}
TABLES = [pytest.param(table, id=table.name) for table in _families.TABLES]

# Values to write for each option, tried in order: a table may refuse some (SettingsError) but must accept
# one of them for every option whose value it stores.
SAMPLES = {
    'path': ['/srv/crash'],
    # (nfs reads back differently on SUSE, whose KDUMP_SAVEDIR URL does not mark where the export ends)
    'target': [{'type': 'ssh', 'location': 'kd@dumps.example.com'}],
    'ssh_key': ['/root/.ssh/kdump_id_ed25519'],
    'dump_level': [17],
    'compression': ['zstd', 'lzo'],
    'core_collector': ['makedumpfile -F -l --message-level 7 -d 1'],
    'failure_action': ['halt', 'shell', 'reboot'],
    'final_action': ['poweroff', 'reboot'],
    'pre_hook': ['/usr/local/bin/kdump-pre'],
    'post_hook': ['/usr/local/bin/kdump-post'],
    'extra_bins': [['/usr/bin/a', '/usr/bin/b']],
    'extra_modules': [['gfs2']],
    'dracut_args': ['--add-drivers e1000'],
    'keep_dumps': [3],
    'auto_reset_crashkernel': [False],
    'enabled': [False, True],
}
# Where the value read back differs from the one written by design of the family's tooling.
READ_BACK = {
    ('debian', 'core_collector'): 'makedumpfile -F -l --message-level 7 -d 1',  # MAKEDUMP_ARGS with -F first
}


def template(table):
    with open(os.path.join(FIXTURES, TEMPLATES[table.family])) as handle:
        return handle.read()


def write_one(table, name, value, text=''):
    updates, warnings = kdump_settings.desired_updates(table, {name: value}, text, host=Host(version=9))
    return updates, warnings, kdump_settings.apply_merge(table, text, updates)


def accepted_samples(table, name):
    """(value, updates, written text) for each sample of ``name`` the table accepts."""
    accepted = []
    for value in SAMPLES[name]:
        try:
            updates, _warnings, text = write_one(table, name, value)
        except SettingsError:
            continue
        accepted.append((value, updates, text))
    return accepted


@pytest.mark.parametrize('table', TABLES)
def test_every_vocabulary_option_is_declared_by_every_table(table):
    # stored, refused or ignored: a new option cannot be forgotten in a family
    assert set(OPTION_NAMES) <= set(table.option_keys())


@pytest.mark.parametrize('table', TABLES)
@pytest.mark.parametrize('name', OPTION_NAMES)
def test_what_the_writer_writes_the_reader_reads_back(table, name):
    keys = table.keys_of(name)
    accepted = accepted_samples(table, name)
    if not keys:
        # no key of its own: the option is refused or only warned about, and changes nothing
        for value, _updates, _text in accepted:
            assert kdump_settings.desired_updates(table, {name: value}, template(table))[0] == \
                kdump_settings.desired_updates(table, {}, template(table))[0]
        return
    assert accepted, '%s stores %s in %s but refuses every sample' % (table.name, name, keys)
    option = [candidate for candidate in table.options if name in candidate.names][0]
    for value, updates, text in accepted:
        own = option.write(Context(table, '', {name: value}, Host(version=9)))
        assert own, 'writing %s=%r changed nothing' % (name, value)
        assert set(key for key, _value in own) <= set(keys), 'the writer used a key the table does not declare'
        assert set(own) <= set(updates)
        expected = READ_BACK.get((table.name, name), value)
        assert kdump_settings.effective_config(table, text)[name] == expected
        # and on top of the distribution's own template, the same
        updates, _warnings = kdump_settings.desired_updates(table, {name: value}, template(table), host=Host(version=9))
        merged = kdump_settings.apply_merge(table, template(table), updates)
        assert kdump_settings.effective_config(table, merged)[name] == expected
        # a second run changes nothing
        again, _warnings = kdump_settings.desired_updates(table, {name: value}, merged, host=Host(version=9))
        assert kdump_settings.apply_merge(table, merged, again) == merged


@pytest.mark.parametrize('table', TABLES)
def test_every_declared_key_conflicts_with_its_option_in_settings(table):
    refused_anyway = set(table.reserved_settings) | set(table.deprecated_settings(None))
    for option in table.options:
        for name in option.names:
            accepted = accepted_samples(table, name) if name in SAMPLES else []
            for file_key in option.keys:
                if file_key in refused_anyway or not accepted:
                    continue
                assert file_key in table.settings_keys, '%s is not a %s setting' % (file_key, table.name)
                with pytest.raises(SettingsError, match="settings key '%s' conflicts with the %s option"
                                   % (file_key, name)):
                    kdump_settings.desired_updates(table, {name: accepted[0][0], 'settings': {file_key: 'x'}}, '')


@pytest.mark.parametrize('table', TABLES)
def test_reserved_settings_are_owned_by_an_option(table):
    owned = set(key for option in table.options for key in option.keys)
    assert set(table.reserved_settings) <= owned


@pytest.mark.parametrize('table', TABLES)
def test_the_table_describes_its_host_completely(table):
    assert table.config_file.startswith('/etc/')
    assert table.service and table.default_path == '/var/crash'
    assert table.initrd_candidates('6.1.0-28-amd64')
    assert table.dump_layout.description
    assert table.family in _families.FAMILIES


@pytest.mark.parametrize('table', TABLES)
def test_the_table_names_its_packages_and_facts_as_ansible_does(table):
    # Ansible's own table from distribution name to os_family: a role keying vars files on these facts
    # must find the same files whether setup or kdump_verify gathered them.
    os_family_of = Distribution.OS_FAMILY
    host = Host(os_release={'ID': table.os_ids[0], 'VERSION_ID': '9.4'}, version=9)
    assert table.packages(host) and table.package_query is not None
    assert table.os_family in Distribution.OS_FAMILY_MAP
    for os_id, name in table.distributions.items():
        assert os_id in table.os_ids or os_id.startswith(table.os_id_prefixes), os_id
        assert os_family_of[name] == table.os_family, name
    facts = table.ansible_facts(host)
    assert sorted(facts) == ['distribution', 'distribution_major_version', 'os_family', 'pkg_mgr']
    assert facts['os_family'] == table.os_family and facts['distribution_major_version'] == '9'


def test_target_types_are_kdump_conf_targets_and_local():
    assert TARGET_TYPES == ('local', 'raw', 'ext2', 'ext3', 'ext4', 'xfs', 'nfs', 'ssh', 'virtiofs')


def test_a_table_may_not_map_an_option_twice():
    table = _families.get('suse')
    with pytest.raises(ValueError, match='maps path more than once'):
        table.derive(options=table.options + (key('path', 'KDUMP_SAVEDIR'),))


def test_derive_keeps_everything_but_the_changes():
    debian = _families.get('debian')
    variant = debian.derive(name='variant', service='kdump-variant')
    assert isinstance(variant, FamilyTable)
    assert (variant.name, variant.service, variant.family) == ('variant', 'kdump-variant', 'debian')
    assert variant.options == debian.options and variant.config_file == debian.config_file


def test_key_reads_default_for_missing_and_empty_values():
    option = key('keep_dumps', 'KDUMP_NUM_DUMPS', default=0, parse=int)
    table = _families.get('debian')
    assert option.read(Context(table, '')) == {'keep_dumps': 0}
    assert option.read(Context(table, 'KDUMP_NUM_DUMPS=""\n')) == {'keep_dumps': 0}
    assert option.read(Context(table, 'KDUMP_NUM_DUMPS=4\n')) == {'keep_dumps': 4}
    assert option.write(Context(table, '', {'keep_dumps': 5})) == [('KDUMP_NUM_DUMPS', '5')]
    assert option.write(Context(table, '', {})) == []
