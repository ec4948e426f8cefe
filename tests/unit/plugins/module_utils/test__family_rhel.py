# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _family_rhel as rhel
from ansible_collections.fleet.kdump.plugins.module_utils._family import Host

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'verify')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


# -- kdumpctl status ------------------------------------------------------------------------------

def test_kdumpctl_status_operational():
    status = rhel.parse_kdumpctl_status(0, '', fixture('kdumpctl-status-operational.stderr'))
    assert status['ready'] is True
    assert status['messages'] == ['Kdump is operational']


def test_kdumpctl_status_not_operational_exit_3():
    status = rhel.parse_kdumpctl_status(3, '', fixture('kdumpctl-status-not-operational.stderr'))
    assert status['ready'] is False


def test_kdumpctl_status_reports_last_test_notice():
    status = rhel.parse_kdumpctl_status(0, '', fixture('kdumpctl-status-rhel10-tested.stderr'))
    assert status['ready'] is True
    assert status['last_test'].startswith('Notice: Last successful vmcore creation test on')


def test_the_table_parses_the_status_command_it_names():
    assert rhel.TABLE.status_command == ('kdumpctl', 'status')
    assert rhel.TABLE.parse_status(0, '', fixture('kdumpctl-status-operational.stderr'))['ready'] is True


# -- capture initrd ---------------------------------------------------------------------------------

def test_capture_initrd_candidates():
    assert rhel.TABLE.initrd_candidates('5.14.0-427.el9.x86_64') == [
        '/boot/initramfs-5.14.0-427.el9.x86_64kdump.img', '/var/lib/kdump/initramfs-5.14.0-427.el9.x86_64kdump.img']


def test_initrd_freshness_rhel_mtime():
    assert rhel.TABLE.initrd_freshness(200, config_mtime=100)[0] is True
    fresh, detail = rhel.TABLE.initrd_freshness(100, config_mtime=200)
    assert fresh is False
    assert 'older than the kdump configuration' in detail
    assert rhel.TABLE.initrd_freshness(100)[0] is True


# -- crashkernel= defaults and the auto_reset_crashkernel rule -----------------------------------------

def host(os_id='rocky', version=9, tools=None, files=None, answers=None, kernel='5.14.0-427.el9.x86_64'):
    tools = tools or {}
    calls = []

    def run(argv):
        calls.append(argv)
        return (answers or {}).get(tuple(argv), (1, '', 'unexpected'))
    facts = Host(os_release={'ID': os_id}, version=version, kernel=kernel, read=(files or {}).get,
                 which=tools.get, run=run)
    facts.calls = calls
    return facts


@pytest.mark.parametrize('os_id, version', [('rhel', 7), ('rocky', 8), ('almalinux', 8)])
def test_el6_to_el8_default_is_the_kernels_crashkernel_auto(os_id, version):
    assert rhel.default_crashkernel(host(os_id, version)) == ['auto']


def test_el9_default_comes_from_kdumpctl():
    facts = host(tools={'kdumpctl': '/usr/bin/kdumpctl'},
                 answers={('/usr/bin/kdumpctl', 'get-default-crashkernel'): (0, '1G-4G:192M,4G-64G:256M,64G-:512M\n', '')})
    assert rhel.default_crashkernel(facts) == ['1G-4G:192M,4G-64G:256M,64G-:512M']
    assert facts.calls == [['/usr/bin/kdumpctl', 'get-default-crashkernel']]


def test_amazon_linux_and_fedora_never_use_crashkernel_auto():
    for os_id, version in (('amzn', 2), ('fedora', 8)):
        facts = host(os_id, version, files={'/usr/lib/modules/6.1/crashkernel.default': 'crashkernel=256M\n'},
                     kernel='6.1')
        assert rhel.default_crashkernel(facts) == ['256M']


def test_no_default_anywhere_names_both_sources():
    with pytest.raises(ValueError) as exc:
        rhel.default_crashkernel(host(kernel='5.14.0-70.el9.x86_64'))
    assert 'kdumpctl get-default-crashkernel' in str(exc.value)
    assert '/usr/lib/modules/5.14.0-70.el9.x86_64/crashkernel.default' in str(exc.value)


@pytest.mark.parametrize('os_id, version, expected', [
    ('rhel', 7, False), ('rocky', 8, False), ('rocky', 9, True), ('rhel', 10, True), ('fedora', 40, True),
    ('amzn', 2, False), ('amzn', 2023, True), ('rhel', None, True),
])
def test_auto_reset_crashkernel_rule(os_id, version, expected):
    assert rhel.TABLE.auto_reset_crashkernel(host(os_id, version)) is expected


@pytest.mark.parametrize('os_id, version, expected', [
    ('rhel', 9, None), ('rhel', 10, ['kdumpctl', 'test', '--force']), ('almalinux', 10, ['kdumpctl', 'test', '--force']),
    ('fedora', 40, None), ('fedora', 41, ['kdumpctl', 'test', '--force']), ('amzn', 2023, None), ('rhel', None, None),
])
def test_crash_test_command_needs_kdump_utils_with_kdumpctl_test(os_id, version, expected):
    assert rhel.TABLE.crash_test_command(host(os_id, version)) == expected


# -- packages and Ansible facts -----------------------------------------------------------------------

@pytest.mark.parametrize('os_id, version, expected', [
    ('rhel', 9, ('kexec-tools', 'makedumpfile')),
    ('rhel', 10, ('kdump-utils', 'kexec-tools', 'makedumpfile')),
    ('centos', 10, ('kdump-utils', 'kexec-tools', 'makedumpfile')),
    ('fedora', 40, ('kexec-tools', 'makedumpfile')),
    ('fedora', 41, ('kdump-utils', 'kexec-tools', 'makedumpfile')),
    ('amzn', 2023, ('kexec-tools', 'makedumpfile')),
    ('rocky', None, ('kexec-tools', 'makedumpfile')),
])
def test_packages_follow_the_kdump_utils_split(os_id, version, expected):
    assert rhel.TABLE.packages(host(os_id, version)) == expected


def resolving_host(links, os_release):
    """A Host whose symlinks are ``links`` ({path: target}); other paths do not exist."""
    return Host(os_release=os_release, resolve=links.get)


@pytest.mark.parametrize('links, expected', [
    ({'/usr/bin/dnf': '/usr/bin/dnf-3', '/usr/bin/microdnf': '/usr/bin/microdnf'}, 'dnf'),
    ({'/usr/bin/dnf': '/usr/bin/dnf5'}, 'dnf5'),
    ({'/usr/bin/microdnf': '/usr/bin/dnf5'}, 'dnf5'),
    ({'/run/ostree-booted': '/run/ostree-booted', '/usr/bin/dnf': '/usr/bin/dnf5'}, 'atomic_container'),
    ({}, 'unknown'),
])
def test_pkg_mgr_as_ansible_infers_it(links, expected):
    assert rhel.TABLE.pkg_mgr(resolving_host(links, {})) == expected


def test_ansible_facts_of_rocky_9():
    os_release = {'ID': 'rocky', 'ID_LIKE': 'rhel centos fedora', 'VERSION_ID': '9.4'}
    facts = rhel.TABLE.ansible_facts(resolving_host({'/usr/bin/dnf': '/usr/bin/dnf-3'}, os_release))
    assert facts == {'distribution': 'Rocky', 'distribution_major_version': '9', 'os_family': 'RedHat',
                     'pkg_mgr': 'dnf'}


def test_ansible_facts_of_rhel_10_and_an_unlisted_rebuild():
    assert rhel.TABLE.ansible_facts(resolving_host({}, {'ID': 'rhel', 'VERSION_ID': '10.0'}))['distribution'] \
        == 'RedHat'
    assert rhel.TABLE.ansible_facts(resolving_host({}, {'ID': 'navy', 'VERSION_ID': '9.3'}))['distribution'] == 'Navy'


# kdumpctl estimate: the real do_estimate of kdump-utils v1.0.61 (shared/oracles), run with its inputs stubbed
# (kernel 30M, initramfs 24M, no modules; baseline none for 1 GiB, 256M for the warning case).
def test_kdumpctl_estimate_recommended_size():
    assert rhel.parse_kdumpctl_estimate(0, fixture('kdumpctl-estimate-model.txt'), '') == (
        118 << 20, 'kdumpctl estimate: Recommended crashkernel: 118M')


def test_kdumpctl_estimate_with_the_warning_line():
    size, detail = rhel.parse_kdumpctl_estimate(0, fixture('kdumpctl-estimate-baseline-warning.txt'), '')
    assert size == 256 << 20 and detail.endswith('256M')


def test_kdumpctl_estimate_failure_names_the_reason():
    size, detail = rhel.parse_kdumpctl_estimate(1, '', 'kdump: Failed to parse /etc/kdump.conf\n')
    assert size is None and 'rc 1' in detail and 'Failed to parse /etc/kdump.conf' in detail


def test_the_table_names_the_estimator_and_lists_initrds_with_lsinitrd():
    assert rhel.TABLE.estimate_command == ('kdumpctl', 'estimate')
    assert rhel.TABLE.parse_estimate is rhel.parse_kdumpctl_estimate
    assert rhel.TABLE.initrd_list_command('/boot/initramfs-6.1kdump.img') == ['lsinitrd', '/boot/initramfs-6.1kdump.img']
    # kdump-utils puts panic=10 on the capture kernel's command line itself
    assert rhel.TABLE.capture_cmdline_append is None
