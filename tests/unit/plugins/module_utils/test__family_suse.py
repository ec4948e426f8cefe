# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _family_suse as suse
from ansible_collections.fleet.kdump.plugins.module_utils._family import Host

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'reserve')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.mark.parametrize('savedir, target, path', [
    ('file:///var/crash', {'type': 'local', 'location': None}, '/var/crash'),
    ('ssh://kdump:secret@dumps/srv/d', {'type': 'ssh', 'location': 'kdump@dumps'}, '/srv/d'),
    ('sftp://kdump@dumps/srv/d', {'type': 'ssh', 'location': 'kdump@dumps'}, '/srv/d'),
    ('nfs://srv/export/var/crash', {'type': 'nfs', 'location': 'srv:/export/var/crash'}, None),
    ('cifs://u:p@host/share/x', {'type': 'cifs', 'location': 'u@host'}, '/share/x'),
])
def test_suse_savedir_urls(savedir, target, path):
    assert suse.parse_savedir(savedir) == (target, path)


def test_capture_initrd_candidates():
    assert '/var/lib/kdump/initrd' in suse.TABLE.initrd_candidates('6.4.0-150600.21-default')
    assert suse.TABLE.status_command is None  # SUSE has no status tool: the kernel's state is the proof


def test_calibrate_high_and_low():
    assert suse.parse_calibrate(fixture('kdumptool-calibrate.txt')) == ['170M,high', '72M,low']
    assert suse.parse_calibrate('Low: 192\nHigh: 0\n') == ['192M']
    assert suse.parse_calibrate('Total: 256\n') == ['256M']
    with pytest.raises(ValueError, match='no Low/High/Total'):
        suse.parse_calibrate('garbage')


def test_default_crashkernel_needs_kdumptool():
    with pytest.raises(ValueError, match='needs kdumptool'):
        suse.default_crashkernel(Host(os_release={'ID': 'sles'}, version=15))
    failing = Host(os_release={'ID': 'sles'}, version=15, which={'kdumptool': '/usr/sbin/kdumptool'}.get,
                   run=lambda argv: (1, '', 'kdumptool: cannot calibrate\n'))
    with pytest.raises(ValueError, match='kdumptool calibrate failed'):
        suse.default_crashkernel(failing)


def test_packages_and_ansible_facts_of_leap():
    host = Host(os_release={'ID': 'opensuse-leap', 'ID_LIKE': 'suse opensuse', 'VERSION_ID': '15.6'}, version=15)
    assert suse.TABLE.packages(host) == ('kdump', 'kexec-tools', 'makedumpfile')
    assert suse.TABLE.package_query.name == 'rpm'
    assert suse.TABLE.package_answers(host, suse.TABLE.packages(host)) is None
    assert suse.TABLE.ansible_facts(host) == {'distribution': 'openSUSE Leap', 'distribution_major_version': '15',
                                              'os_family': 'Suse', 'pkg_mgr': 'zypper'}
