# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties every family table must have: one option <-> key mapping serves writer, reader and conflicts.

The values come from the tables' own ``examples``, so a new option is tested here as soon as a table lists it.
"""

from __future__ import annotations

import os

import pytest

from ansible.module_utils.facts.system.distribution import Distribution

from ansible_collections.fleet.kdump.plugins.module_utils import _families, kdump_settings
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    TARGET_TYPES, Context, FamilyTable, Host, SettingsError, key)

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')
TEMPLATES = {'rhel': 'kdump.conf.kdump-utils-x86_64', 'debian': 'kdump-tools-bookworm.conf',
             'suse': 'sysconfig-kdump-suse'}
TABLES = [pytest.param(table, id=table.name) for table in _families.TABLES]


def stores(table, name):
    return bool(table.keys_of(name))


# Every (table, option) pair of the vocabulary: those the table stores in its file, and the others.
STORED = [pytest.param(table, name, id='%s-%s' % (table.name, name))
          for table in _families.TABLES for name in _families.OPTION_NAMES if stores(table, name)]
NOT_STORED = [pytest.param(table, name, id='%s-%s' % (table.name, name))
              for table in _families.TABLES for name in _families.OPTION_NAMES if not stores(table, name)]


def template(table):
    with open(os.path.join(FIXTURES, TEMPLATES[table.family])) as handle:
        return handle.read()


def option_of(table, name):
    found = [option for option in table.options if name in option.names]
    return found[0] if found else None


def examples_anywhere(name):
    """Every example any table gives for ``name``: values to try on a table that does not store it."""
    return [value for table in _families.TABLES for option in table.options
            for value in option.examples.get(name, ())]


def write(table, options, text):
    updates, warnings = kdump_settings.desired_updates(table, options, text, host=Host(version=9))
    return kdump_settings.apply_merge(table, text, updates), updates, warnings


@pytest.mark.parametrize('table, name', STORED)
def test_what_the_writer_writes_the_reader_reads_back(table, name):
    option = option_of(table, name)
    assert option.examples.get(name), '%s stores %s in %s but gives no example' % (table.name, name, option.keys)
    for value in option.examples[name]:
        own = option.write(Context(table, '', {name: value}, Host(version=9)))
        assert own, 'writing %s=%r changed nothing' % (name, value)
        assert set(file_key for file_key, _text in own) <= set(option.keys), 'the writer used an undeclared key'
        for start in ('', template(table)):
            text, updates, _warnings = write(table, {name: value}, start)
            if not start:
                assert set(own) <= set(updates)
            assert kdump_settings.effective_config(table, text)[name] == value, (name, value, text)
            assert kdump_settings.validate_result(table, text) == []
            again, _updates, _warnings = write(table, {name: value}, text)
            assert again == text, 'a second run changed the file'


@pytest.mark.parametrize('table, name', NOT_STORED)
def test_an_option_the_table_does_not_store_changes_nothing_or_is_refused(table, name):
    option = option_of(table, name)
    untouched = kdump_settings.desired_updates(table, {}, template(table))[0]
    for value in examples_anywhere(name):
        try:
            updates, _warnings = kdump_settings.desired_updates(table, {name: value}, template(table))
        except SettingsError as exc:
            assert name in str(exc)  # the refusal names the option (and why, or the family's file)
            if option is None:
                assert '%s %r is not supported on %s: %s has no such setting' % (
                    name, value, table.name, table.config_file) == str(exc)
            continue
        assert option is not None, 'an option no table entry lists must be refused'
        assert updates == untouched


@pytest.mark.parametrize('table', TABLES)
def test_every_declared_key_conflicts_with_its_option_in_settings(table):
    refused_anyway = set(table.reserved_settings) | set(table.deprecated_settings(None))
    for option in table.options:
        for name in option.names:
            for file_key in option.keys:
                if file_key in refused_anyway or not option.examples.get(name):
                    continue
                assert file_key in table.settings_keys, '%s is not a %s setting' % (file_key, table.name)
                with pytest.raises(SettingsError, match="settings key '%s' conflicts with the %s option"
                                   % (file_key, name)):
                    kdump_settings.desired_updates(table, {name: option.examples[name][0],
                                                           'settings': {file_key: 'x'}}, '')


@pytest.mark.parametrize('table', TABLES)
def test_reserved_settings_are_owned_by_an_option(table):
    owned = set(file_key for option in table.options for file_key in option.keys)
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


def test_the_vocabulary_is_what_the_tables_list():
    assert set(_families.OPTION_NAMES) == set(name for table in _families.TABLES for name in table.option_names())
    for name in ('path', 'target', 'dump_level', 'compression', 'enabled'):
        assert all(name in table.option_names() for table in _families.TABLES)


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
