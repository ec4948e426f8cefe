# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _families
from ansible_collections.fleet.kdump.plugins.module_utils import _family_debian as debian
from ansible_collections.fleet.kdump.plugins.module_utils._family import Host

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


# -- kdump-config status ----------------------------------------------------------------------------

def test_kdump_config_status_ready():
    assert debian.parse_kdump_config_status(fixture('verify/kdump-config-status-ready.txt'))['ready'] is True


def test_kdump_config_status_not_ready_keeps_the_reason():
    status = debian.parse_kdump_config_status(fixture('verify/kdump-config-status-no-crashkernel.txt'))
    assert status['ready'] is False
    assert 'no crashkernel= parameter in the kernel cmdline' in status['messages']


def test_kdump_config_status_captured_in_bookworm_container():
    # Real stdout of `kdump-config status` (kdump-tools 1:1.8.1) inside a podman container.
    status = debian.parse_kdump_config_status(fixture('verify/kdump-config-status-container-bookworm.txt'))
    assert status['ready'] is False
    assert status['messages'][0] == 'kdump is not supported by this kernel ... failed!'


def test_the_table_parses_stdout_of_the_status_command_it_names():
    assert debian.TABLE.status_command == ('kdump-config', 'status')
    assert debian.TABLE.parse_status(0, fixture('verify/kdump-config-status-ready.txt'), '')['ready'] is True


# -- capture initrd ---------------------------------------------------------------------------------

def test_capture_initrd_candidates():
    assert debian.TABLE.initrd_candidates('6.1.0-28-amd64') == ['/var/lib/kdump/initrd.img-6.1.0-28-amd64']


def test_initrd_freshness_debian_uses_sysctl_record():
    sysctl = 'vm.nr_hugepages=0\nvm.nr_hugepages_mempolicy=0\n'
    assert debian.TABLE.initrd_freshness(1, sysctl_text=sysctl, latest_sysctls_text=sysctl)[0]
    assert not debian.TABLE.initrd_freshness(1, sysctl_text=sysctl, latest_sysctls_text='vm.nr_hugepages=4\n')[0]
    assert not debian.TABLE.initrd_freshness(1, sysctl_text=sysctl, latest_sysctls_text=None)[0]
    # a config file newer than the initrd does not matter to kdump-tools
    assert debian.TABLE.initrd_freshness(1, config_mtime=2, sysctl_text=None)[0]


# -- crashkernel= defaults (spec 2.5) ------------------------------------------------------------------

@pytest.mark.parametrize('os_id, version, arch, expected', [
    ('debian', 11, 'x86_64', '384M-:128M'),
    ('debian', 12, 'x86_64', '384M-:128M'),
    ('debian', 13, 'x86_64', '512M-:192M'),
    ('debian', 12, 'aarch64', debian.BIG_RANGE),
    ('debian', 13, 'ppc64le', debian.BIG_RANGE),
    ('debian', None, 'x86_64', '512M-:192M'),
])
def test_package_default_per_release_and_architecture(os_id, version, arch, expected):
    facts = Host(os_release={'ID': os_id}, version=version, arch=arch)
    assert debian.TABLE.default_crashkernel(facts) == [expected]


def test_the_conffile_value_wins_over_the_package_table():
    files = {debian.GRUB_DEFAULTS: fixture('reserve/kdump-tools.cfg')}
    facts = Host(os_release={'ID': 'debian'}, version=13, arch='x86_64', read=files.get)
    assert debian.TABLE.default_crashkernel(facts) == ['384M-:128M']


# -- packages, debconf and Ansible facts --------------------------------------------------------------

def test_packages_and_their_debconf_answers():
    config = fixture('packages/debconf-config-bookworm.dat')
    host = Host(os_release={'ID': 'debian', 'VERSION_ID': '12'}, version=12,
                read={'/var/cache/debconf/config.dat': config}.get)
    packages = debian.TABLE.packages(host)
    assert packages == ('kdump-tools', 'kexec-tools', 'makedumpfile')
    assert debian.TABLE.package_query.name == 'dpkg'
    assert debian.TABLE.package_answers(host, packages)['kdump-tools/use_kdump'] == 'true'


def test_no_debconf_database_means_no_answers():
    host = Host(os_release={'ID': 'debian'}, read={}.get)
    assert debian.TABLE.package_answers(host, debian.TABLE.packages(host)) == {}


@pytest.mark.parametrize('os_release, expected', [
    ({'ID': 'debian', 'VERSION_ID': '12'}, ('Debian', '12')),
    ({'ID': 'ubuntu', 'ID_LIKE': 'debian', 'VERSION_ID': '24.04'}, ('Ubuntu', '24')),
    ({'ID': 'linuxmint', 'ID_LIKE': 'ubuntu debian', 'VERSION_ID': '21.3'}, ('Linux Mint', '21')),
    # Debian testing/unstable has no VERSION_ID
    ({'ID': 'debian'}, ('Debian', 'NA')),
])
def test_ansible_facts(os_release, expected):
    # each host's own table (Ubuntu and its derivatives have theirs, of the Debian family)
    facts = _families.detect(os_release).ansible_facts(Host(os_release=os_release))
    assert (facts['distribution'], facts['distribution_major_version']) == expected
    assert facts['os_family'] == 'Debian' and facts['pkg_mgr'] == 'apt'


# kdump-config show: the real trixie kdump-config (kdump-tools 1:1.10.7, apt-get download + dpkg -x) run in a
# Debian 12 container with planted /var/lib/kdump files: before the initrd size is recorded, before the first
# reboot recorded the early-boot memory, and with both.
def test_kdump_config_show_suggested_size():
    assert debian.parse_kdump_config_show(0, fixture('verify/kdump-config-show-trixie-suggested.txt'), '') == (
        378 << 20, 'kdump-config show: crashkernel suggested size 378M')


@pytest.mark.parametrize('name, reason', [
    ('verify/kdump-config-show-trixie-no-meminfo.txt', "can't find early boot memory info"),
    ('verify/kdump-config-show-trixie-no-initrd-size.txt', "can't find decompressed initrd size"),
])
def test_kdump_config_show_unknown_size_keeps_the_reason(name, reason):
    size, detail = debian.parse_kdump_config_show(0, fixture(name), '')
    assert size is None and reason in detail and 'Unknown' in detail


def test_kdump_config_show_without_the_line_is_an_older_kdump_tools():
    size, detail = debian.parse_kdump_config_show(0, fixture('verify/kdump-config-status-ready.txt'), '')
    assert size is None and 'before 1:1.10' in detail


def test_the_table_names_the_estimator_and_the_capture_command_line_setting():
    assert debian.TABLE.estimate_command == ('kdump-config', 'show')
    assert debian.TABLE.initrd_list_command('/var/lib/kdump/initrd.img-6.1.0-28-amd64') == [
        'lsinitramfs', '-l', '/var/lib/kdump/initrd.img-6.1.0-28-amd64']
    key, default = debian.TABLE.capture_cmdline_append
    assert key == 'KDUMP_CMDLINE_APPEND' and debian.DUMP_UNIT in default.split()
    # the package template's commented default is what kdump-config appends when the variable is unset
    template = fixture('config/kdump-tools-bookworm.conf')
    assert '#KDUMP_CMDLINE_APPEND="%s"' % default in template
