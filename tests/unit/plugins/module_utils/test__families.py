# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _families
from ansible_collections.fleet.kdump.plugins.module_utils._family import FamilyTable, SettingsError
from ansible_collections.fleet.kdump.plugins.module_utils.common import major_version, parse_os_release

DEBIAN_12 = '''PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
'''
ROCKY_9 = '''NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
'''
UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n'
SLES = 'NAME="SLES"\nVERSION_ID="15.6"\nID="sles"\nID_LIKE="suse"\n'
LEAP = 'NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.6"\n'
AL2023 = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n'
ARCH = 'NAME="Arch Linux"\nID=arch\n'


@pytest.mark.parametrize('text, family, major', [
    (DEBIAN_12, 'debian', 12), (ROCKY_9, 'rhel', 9), (UBUNTU, 'debian', 24), (AL2023, 'rhel', 2023),
    (SLES, 'suse', 15), (LEAP, 'suse', 15), (ARCH, None, None), ('', None, None),
])
def test_family_and_major_version_from_os_release(text, family, major):
    osr = parse_os_release(text)
    table = _families.detect(osr)
    assert (table.family if table else None) == family
    assert major_version(osr) == major


@pytest.mark.parametrize('text, table', [
    (UBUNTU, 'ubuntu'), ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', 'ubuntu'), (DEBIAN_12, 'debian'),
    ('ID=raspbian\nID_LIKE=debian\n', 'debian'), ('ID=devuan\nID_LIKE=debian\n', 'debian'),
])
def test_ubuntu_and_its_derivatives_get_their_own_table_of_the_debian_family(text, table):
    found = _families.detect(parse_os_release(text))
    assert (found.name, found.family) == (table, 'debian')


def test_family_debian_on_an_ubuntu_host_keeps_the_ubuntu_table_and_version():
    ubuntu = parse_os_release(UBUNTU)
    assert _families.resolve('debian', ubuntu) == (_families.get('ubuntu'), 24)
    assert _families.get('debian').name == 'debian'


def test_read_os_release_reads_the_given_path(tmp_path):
    path = tmp_path / 'os-release'
    path.write_text(ROCKY_9)
    assert _families.read_os_release(str(path))['ID'] == 'rocky'
    assert _families.read_os_release(str(tmp_path / 'missing')) == {}


def test_families_are_the_public_family_names():
    assert _families.FAMILIES == ('rhel', 'debian', 'suse')
    for name in _families.FAMILIES:
        assert _families.get(name).family == name


def test_get_passes_tables_through_and_refuses_unknown_names():
    table = _families.get('suse')
    assert isinstance(table, FamilyTable) and _families.get(table) is table
    with pytest.raises(SettingsError, match="family 'arch' is invalid; valid: rhel, debian, suse"):
        _families.get('arch')


def test_resolve_auto_explicit_and_foreign_family():
    rocky = parse_os_release(ROCKY_9)
    assert _families.resolve('auto', rocky) == (_families.get('rhel'), 9)
    assert _families.resolve('rhel', rocky) == (_families.get('rhel'), 9)
    # a family the host does not belong to: its table, and no version (the newest tooling is assumed)
    assert _families.resolve('debian', rocky) == (_families.get('debian'), None)
    with pytest.raises(ValueError, match='set family to one of rhel, debian, suse'):
        _families.resolve('auto', parse_os_release(ARCH))


def test_os_ids_belong_to_one_table_only():
    seen = {}
    for table in _families.TABLES:
        for ident in table.os_ids:
            assert ident not in seen, '%s claimed by %s and %s' % (ident, seen.get(ident), table.name)
            seen[ident] = table.name
