# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _family_debian as debian
from ansible_collections.fleet.kdump.plugins.module_utils import _family_ubuntu as ubuntu
from ansible_collections.fleet.kdump.plugins.module_utils._family import Host

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'reserve')


def test_ubuntu_is_kdump_tools_like_debian():
    table, base = ubuntu.TABLE, debian.TABLE
    assert (table.name, table.family) == ('ubuntu', 'debian')
    assert (table.config_file, table.service, table.backend) == ('/etc/default/kdump-tools', 'kdump-tools', 'kdump_tools')
    assert table.options is base.options and table.dump_layout is base.dump_layout
    assert table.initrd_candidates('6.8.0-45-generic') == ['/var/lib/kdump/initrd.img-6.8.0-45-generic']


@pytest.mark.parametrize('version, arch, expected', [
    (22, 'x86_64', '512M-:192M'),
    (20, 's390x', '512M-:192M'),
    (22, 'aarch64', debian.BIG_RANGE),
    (24, 'x86_64', debian.BIG_RANGE),
    (None, 'x86_64', '512M-:192M'),
])
def test_package_default_per_release_and_architecture(version, arch, expected):
    facts = Host(os_release={'ID': 'ubuntu'}, version=version, arch=arch)
    assert ubuntu.TABLE.default_crashkernel(facts) == [expected]


def test_the_grub_d_conffile_value_wins():
    with open(os.path.join(FIXTURES, 'kdump-tools.cfg')) as handle:
        files = {debian.GRUB_DEFAULTS: handle.read().replace('384M-:128M', '2G-4G:320M,4G-:512M')}
    facts = Host(os_release={'ID': 'ubuntu'}, version=24, arch='x86_64', read=files.get)
    assert ubuntu.TABLE.default_crashkernel(facts) == ['2G-4G:320M,4G-:512M']


def test_var_crash_is_shared_with_apport_only_on_ubuntu():
    assert ubuntu.TABLE.shared_dump_dirs == {'/var/crash': 'apport'}
    assert debian.TABLE.shared_dump_dirs == {}


def test_ubuntu_installs_linux_crashdump_and_reports_its_own_distribution():
    host = Host(os_release={'ID': 'ubuntu', 'VERSION_ID': '24.04'}, version=24)
    assert ubuntu.TABLE.packages(host) == ('linux-crashdump', 'kdump-tools', 'kexec-tools', 'makedumpfile')
    assert debian.TABLE.packages(host) == ('kdump-tools', 'kexec-tools', 'makedumpfile')
    facts = ubuntu.TABLE.ansible_facts(host)
    assert (facts['distribution'], facts['os_family'], facts['pkg_mgr']) == ('Ubuntu', 'Debian', 'apt')
    mint = Host(os_release={'ID': 'linuxmint', 'VERSION_ID': '21.3'}, version=21)
    assert ubuntu.TABLE.ansible_facts(mint)['distribution'] == 'Linux Mint'
