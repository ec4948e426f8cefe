# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installed versions from dpkg-query and rpm -q output, debconf answers from config.dat (Debian 12 / rpm 4.18)."""

from __future__ import annotations

import os

from ansible_collections.fleet.kdump.plugins.module_utils import package_db

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'packages')
DEBIAN = ['kdump-tools', 'kexec-tools', 'makedumpfile']
RHEL10 = ['kdump-utils', 'kexec-tools', 'makedumpfile']


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_dpkg_query_argv_asks_for_name_version_and_state_of_every_name():
    argv = package_db.DPKG.argv(DEBIAN)
    assert argv[:2] == ['dpkg-query', '-W']
    assert argv[2] == '-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n'
    assert argv[3:] == ['--'] + DEBIAN


def test_dpkg_installed_packages_have_their_versions():
    # dpkg-query exits 1 because two of the names asked are unknown to dpkg; the rest is still valid.
    names = DEBIAN + ['kdump', 'kdump-utils']
    versions = package_db.DPKG.parse(1, fixture('dpkg-query-kdump-bookworm.out'),
                                     fixture('dpkg-query-kdump-bookworm.err'), names)
    assert versions == {'kdump-tools': '1:1.8.1', 'kexec-tools': '1:2.0.25-3+deb12u3', 'makedumpfile': '1:1.7.2-1',
                        'kdump': None, 'kdump-utils': None}


def test_dpkg_known_but_not_installed_package_is_none():
    versions = package_db.DPKG.parse(1, fixture('dpkg-query-kdump-removed.out'), '', DEBIAN)
    assert versions == {'kdump-tools': '1:1.8.1', 'kexec-tools': '1:2.0.25-3+deb12u3', 'makedumpfile': None}


def test_dpkg_half_installed_and_config_only_states_are_not_installed():
    out = ('kdump-tools\t1:1.8.1\tiU \nkexec-tools\t1:2.0.25-3\trc \n'
           'makedumpfile\t1:1.7.2-1\tiW \n')
    versions = package_db.DPKG.parse(0, out, '', DEBIAN)
    assert versions == {'kdump-tools': None, 'kexec-tools': None, 'makedumpfile': '1:1.7.2-1'}


def test_dpkg_multiarch_lines_report_the_installed_one():
    out = 'makedumpfile\t\tun \nmakedumpfile\t1:1.7.2-1\tii \n'
    assert package_db.DPKG.parse(0, out, '', ['makedumpfile']) == {'makedumpfile': '1:1.7.2-1'}


def test_dpkg_ignores_names_not_asked_for():
    out = 'kdump-tools\t1:1.8.1\tii \nbash\t5.2.15-2+b7\tii \n'
    assert package_db.DPKG.parse(0, out, '', ['kdump-tools']) == {'kdump-tools': '1:1.8.1'}


def test_rpm_argv_prints_epoch_only_when_set():
    argv = package_db.RPM.argv(RHEL10)
    assert argv == ['rpm', '-q', '--qf', '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n', '--'] + RHEL10


def test_rpm_installed_versions_with_and_without_epoch():
    # rpm exits with the number of names not installed (here kdump-utils).
    versions = package_db.RPM.parse(1, fixture('rpm-q-kdump-el9.out'), '', RHEL10)
    assert versions == {'kdump-utils': None, 'kexec-tools': '2.0.28-5.el9', 'makedumpfile': '1:1.7.4-6.el9'}


def test_rpm_nothing_installed():
    versions = package_db.RPM.parse(3, fixture('rpm-q-kdump-none.out'), '', RHEL10)
    assert versions == dict((name, None) for name in RHEL10)


def test_debconf_answers_of_the_kdump_packages_only():
    answers = package_db.parse_debconf(fixture('debconf-config-bookworm.dat'), DEBIAN)
    assert answers == {'kdump-tools/use_kdump': 'true', 'kexec-tools/load_kexec': 'true',
                       'kexec-tools/use_grub_config': 'false'}


def test_debconf_question_without_value_and_crlf():
    text = 'Name: kdump-tools/use_kdump\r\nTemplate: kdump-tools/use_kdump\r\nOwners: kdump-tools\r\n'
    assert package_db.parse_debconf(text, ['kdump-tools']) == {'kdump-tools/use_kdump': None}


def test_debconf_missing_database_has_no_answers():
    assert package_db.parse_debconf(None, DEBIAN) == {}
