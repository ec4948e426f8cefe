# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible.module_utils import basic

from ansible_collections.fleet.kdump.plugins.module_utils.bootloader import grub_cfg_cmdlines
from ansible_collections.fleet.kdump.plugins.modules import kdump_reserve
from ansible_collections.fleet.kdump.tests.unit.plugins.fixtures.reserve.fakes import FakeGrubby, fixture, make_grub_host
from ansible_collections.fleet.kdump.tests.unit.plugins.modules.utils import patch_module, run_module  # noqa: F401  pylint: disable=unused-import

OS_RELEASE = {
    'debian12': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    'debian13': 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nVERSION_ID="13"\nID=debian\n',
    'rocky9': 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
    'rocky8': 'NAME="Rocky Linux"\nVERSION_ID="8.10"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
    'sles15': 'NAME="SLES"\nVERSION_ID="15.6"\nID="sles"\nID_LIKE="suse"\n',
    'ubuntu22': 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n',
    'ubuntu24': 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
    'al2023': 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n',
}
M = 1 << 20


class Host(object):
    """A fake host under tmp_path: the module's path constants point here, commands go to fakes."""

    def __init__(self, tmp_path, monkeypatch, distro='debian12', cmdline='proc-cmdline-debian12.txt', crash_size=128 * M, loaded=0):
        self.tmp = tmp_path
        self.calls = []
        self.tools = {}
        self.handlers = {}
        self.service_active = True
        # The smallest reservation the fake capture kernel loads into (kexec -p fails below it).
        self.capture_needs = 0
        self.warnings = []
        monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda module, text, **kwargs: self.warnings.append(text))
        # The module sees every host path below HOST_ROOT; make_grub_host lays grub out under the same root.
        monkeypatch.setattr(kdump_reserve, 'HOST_ROOT', str(tmp_path))
        self.paths = dict((name, str(tmp_path / path.lstrip('/'))) for name, path in (
            ('PROC_CMDLINE', '/proc/cmdline'), ('PROC_MEMINFO', '/proc/meminfo'), ('PROC1_ENVIRON', '/proc/1/environ'),
            ('KEXEC_CRASH_SIZE', '/sys/kernel/kexec_crash_size'), ('KEXEC_CRASH_LOADED', '/sys/kernel/kexec_crash_loaded'),
            ('OS_RELEASE', '/etc/os-release'), ('DEFAULT_GRUB', '/etc/default/grub')))
        (tmp_path / 'proc' / '1').mkdir(parents=True)
        (tmp_path / 'sys' / 'kernel').mkdir(parents=True)
        (tmp_path / 'etc').mkdir()
        monkeypatch.setattr(kdump_reserve.platform, 'machine', lambda: 'x86_64')
        self.write('OS_RELEASE', OS_RELEASE[distro])
        self.write('PROC_CMDLINE', fixture(cmdline) if cmdline else '')
        self.write('PROC_MEMINFO', fixture('meminfo-1g.txt'))
        self.write('PROC1_ENVIRON', 'PATH=/usr/bin\0')
        if crash_size is not None:
            self.write('KEXEC_CRASH_SIZE', '%d\n' % crash_size)
            self.write('KEXEC_CRASH_LOADED', '%d\n' % loaded)
        self.add_tool('systemctl', self.systemctl)
        host = self

        def run_command(module, args, check_rc=False, **kwargs):
            host.calls.append(list(args))
            rc, out, err = host.handlers[os.path.basename(args[0])](list(args))
            if check_rc and rc != 0:
                module.fail_json(msg='%s failed' % args[0], rc=rc, stderr=err)
            return rc, out, err

        def get_bin_path(module, name, required=False, opt_dirs=None):
            return host.tools.get(name)

        monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
        monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', get_bin_path)

    def add_tool(self, name, handler, path=None):
        self.tools[name] = path or '/usr/sbin/%s' % name
        self.handlers[name] = handler

    def systemctl(self, argv):
        if argv[1] == 'is-active':
            return (0, 'active\n', '') if self.service_active else (3, 'inactive\n', '')
        if argv[1] == 'stop':
            self.write('KEXEC_CRASH_LOADED', '0\n')
        if argv[1] == 'start':
            fits = int(self.read('KEXEC_CRASH_SIZE')) >= self.capture_needs
            self.write('KEXEC_CRASH_LOADED', '1\n' if fits else '0\n')
        return 0, '', ''

    def with_grub(self, **kwargs):
        self.grub = make_grub_host(self.tmp, **kwargs)
        self.add_tool('update-grub', self.grub['fake_update'], self.grub['update_grub'])
        self.add_tool('grub-mkconfig', self.grub['fake_update'], self.grub['grub_mkconfig'])
        return self

    def with_grubby(self, info='grubby-info-all-el9.txt', **kwargs):
        self.grubby = FakeGrubby(fixture(info), **kwargs)
        self.add_tool('grubby', self.grubby)
        return self

    def read(self, name):
        return self.read_path(self.paths[name])

    @staticmethod
    def read_path(path):
        with open(path) as handle:
            return handle.read()

    def write(self, name, text):
        with open(self.paths[name], 'w') as handle:
            handle.write(text)

    def reboot(self):
        """The next boot uses the default grub.cfg entry, and the kernel reserves what it asks for."""
        line = grub_cfg_cmdlines(open(self.grub['grub_cfg']).read())[0]
        self.write('PROC_CMDLINE', 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 %s\n' % line)
        value = [w for w in line.split() if w.startswith('crashkernel=')][-1].split('=', 1)[1]
        self.write('KEXEC_CRASH_SIZE', '%d\n' % kdump_reserve.parse(value).size_for(1 << 30))


@pytest.fixture
def host(tmp_path, monkeypatch, patch_module):  # noqa: F811  pylint: disable=redefined-outer-name
    return lambda **kwargs: Host(tmp_path, monkeypatch, **kwargs)


def written(host_):
    return [argv for argv in host_.calls if not any(a.startswith('--info') or a == 'is-active' or a == 'get-default-crashkernel'
                                                    or a == 'calibrate' for a in argv)]


# ------------------------------------------------------------------------------ Debian / grub

def test_debian_lab_size_192m_then_reboot(host):
    h = host().with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M'})
    assert not failed, result
    assert result['changed'] and result['bootloader'] == 'grub'
    assert result['configured'] == '192M' and result['running'] == '384M-:128M'
    assert result['reboot_required'] and result['reserved_bytes'] == 128 * M
    assert result['commands'] == [[h.grub['update_grub']]]
    assert not result['auto_reset_crashkernel_needed']
    assert os.path.exists(h.grub['dropin'])

    h.reboot()
    result, failed = run_module(kdump_reserve.main, {'size': '192M'})
    assert not failed
    assert not result['changed'] and result['commands'] == []
    assert result['running'] == result['configured'] == '192M'
    assert result['reserved_bytes'] == 201326592 and not result['reboot_required']


def test_reboot_required_compares_parsed_values(host):
    h = host(cmdline=None).with_grub()
    h.write('PROC_CMDLINE', 'root=/dev/vda1 ro crashkernel=196608K\n')
    result, failed = run_module(kdump_reserve.main, {'size': '192M'})
    assert not failed and result['running'] == '196608K' and result['configured'] == '192M'
    assert not result['reboot_required']


def test_check_mode_writes_nothing_and_lists_commands(host):
    h = host().with_grub()
    cfg_before = open(h.grub['grub_cfg']).read()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', '_ansible_check_mode': True, '_ansible_diff': True})
    assert not failed and result['changed']
    assert result['commands'] == [[h.grub['update_grub']]]
    assert result['configured'] == '192M' and result['reboot_required']
    assert not os.path.exists(h.grub['dropin'])
    assert open(h.grub['grub_cfg']).read() == cfg_before and h.grub['fake_update'].runs == 0
    assert result['diff'][0]['before'] == '' and 'crashkernel=192M' in result['diff'][0]['after']


def test_diff_mode_shows_dropin_and_generated_entries(host):
    h = host().with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', '_ansible_diff': True})
    assert not failed
    headers = [d['before_header'] for d in result['diff']]
    assert headers == ['%s (content)' % h.grub['dropin'], '%s (generated)' % h.grub['grub_cfg']]
    assert 'crashkernel=384M-:128M' in result['diff'][1]['before'] and 'crashkernel=192M' in result['diff'][1]['after']


def test_debian_auto_uses_kdump_tools_value(host):
    h = host().with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': 'auto'})
    assert not failed and result['desired'] == '384M-:128M'
    # kernels=ALL moves the value to GRUB_CMDLINE_LINUX: one crashkernel= in every entry
    assert [line.count('crashkernel=') for line in grub_cfg_cmdlines(open(h.grub['grub_cfg']).read())] == [1, 1, 1]
    assert not result['reboot_required']


@pytest.mark.parametrize('distro, expected', [('debian12', '384M-:128M'), ('debian13', '512M-:192M'),
                                              ('ubuntu22', '512M-:192M'),
                                              ('ubuntu24', '2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,128G-:4096M')])
def test_debian_auto_without_conffile_uses_package_table(host, distro, expected):
    host(distro=distro).with_grub(kdump_tools_cfg=False)
    result, failed = run_module(kdump_reserve.main, {'size': 'auto', '_ansible_check_mode': True})
    assert not failed and result['desired'] == expected


def test_tiers_default_table_on_1g_guest(host):
    host().with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': 'tiers', '_ansible_check_mode': True})
    assert not failed
    assert result['ram_bytes'] == 1 << 30 and result['desired'] == '192M'


def test_tiers_user_table(host):
    host().with_grub()
    tiers = [{'min_ram': '0', 'size': '160M'}, {'min_ram': '2G', 'size': '256M'}]
    result, failed = run_module(kdump_reserve.main, {'size': 'tiers', 'tiers': tiers, '_ansible_check_mode': True})
    assert not failed and result['desired'] == '160M'


def test_state_absent_on_debian(host):
    h = host().with_grub()
    result, failed = run_module(kdump_reserve.main, {'state': 'absent'})
    assert not failed and result['changed']
    assert result['configured'] is None and result['reboot_required']
    assert all('crashkernel' not in line for line in grub_cfg_cmdlines(open(h.grub['grub_cfg']).read()))
    result, failed = run_module(kdump_reserve.main, {'state': 'absent'})
    assert not failed and not result['changed']


def test_read_back_mismatch_restores_and_fails(host):
    h = host().with_grub()
    with open(os.path.join(h.grub['grubd'], 'zzz-local.cfg'), 'w') as handle:
        handle.write('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=1G"\n')
    result, failed = run_module(kdump_reserve.main, {'size': '192M'})
    assert failed and 'restored' in result['msg']
    assert not os.path.exists(h.grub['dropin'])


# ------------------------------------------------------------------------------ RHEL / grubby

def test_el9_explicit_size_needs_auto_reset_off(host):
    h = host(distro='rocky9', cmdline='proc-cmdline-el9.txt').with_grubby()
    result, failed = run_module(kdump_reserve.main, {'size': '256M'})
    assert not failed and result['bootloader'] == 'grubby' and result['changed']
    assert result['auto_reset_crashkernel_needed'] and result['reboot_required']
    assert result['configured'] == '256M' and result['running'] == '1G-4G:192M,4G-64G:256M,64G-:512M'
    assert all('crashkernel=256M' in entry['args'] for entry in h.grubby.entries)


def test_amazon_linux_2023_explicit_size_needs_auto_reset_off(host):
    host(distro='al2023', cmdline='proc-cmdline-el9.txt').with_grubby()
    result, failed = run_module(kdump_reserve.main, {'size': '256M'})
    assert not failed and result['bootloader'] == 'grubby'
    assert result['auto_reset_crashkernel_needed'] is True


def test_installed_kdumpctl_decides_whether_auto_reset_exists(host, tmp_path):
    h = host(distro='rocky9', cmdline='proc-cmdline-el9.txt').with_grubby()
    script = tmp_path / 'usr' / 'bin' / 'kdumpctl'
    script.parent.mkdir(parents=True)
    h.add_tool('kdumpctl', lambda argv: (1, '', ''), path='/usr/bin/kdumpctl')
    script.write_text('#!/bin/bash\ncase "$opt" in path | core_collector | kdump_post) ;; esac\n')
    result, failed = run_module(kdump_reserve.main, {'size': '256M', '_ansible_check_mode': True})
    assert not failed and result['auto_reset_crashkernel_needed'] is False
    script.write_text('#!/bin/bash\n[[ $(kdump_get_conf_val auto_reset_crashkernel) != no ]]\n')
    result, failed = run_module(kdump_reserve.main, {'size': '256M', '_ansible_check_mode': True})
    assert not failed and result['auto_reset_crashkernel_needed'] is True


def test_family_option_applies_another_familys_rules(host):
    # kdump-utils built on a Debian host (the lab's RHEL stack): family=rhel asks kdumpctl for the default
    h = host().with_grub()
    h.add_tool('kdumpctl', lambda argv: (0, '2G-64G:256M,64G-:512M\n', ''))
    result, failed = run_module(kdump_reserve.main, {'size': 'auto', 'family': 'rhel', '_ansible_check_mode': True})
    assert not failed and result['desired'] == '2G-64G:256M,64G-:512M'
    assert ['/usr/sbin/kdumpctl', 'get-default-crashkernel'] in h.calls
    assert result['bootloader'] == 'grub'  # no grubby here: the RHEL rules still use grub
    assert result['auto_reset_crashkernel_needed'] is False  # size=auto is the distribution's default


def test_el9_auto_from_kdumpctl_is_idempotent(host):
    h = host(distro='rocky9', cmdline='proc-cmdline-el9.txt').with_grubby()
    h.add_tool('kdumpctl', lambda argv: (0, '1G-4G:192M,4G-64G:256M,64G-:512M\n', ''))
    result, failed = run_module(kdump_reserve.main, {'size': 'auto'})
    assert not failed
    assert not result['changed'] and result['commands'] == []
    assert not result['auto_reset_crashkernel_needed'] and not result['reboot_required']


def test_el8_auto_is_crashkernel_auto(host):
    h = host(distro='rocky8', cmdline='proc-cmdline-el9.txt').with_grubby()
    result, failed = run_module(kdump_reserve.main, {'size': 'auto'})
    assert not failed and result['configured'] == 'auto' and result['reboot_required']
    assert ['/usr/sbin/grubby', '--update-kernel=ALL', '--args=crashkernel=auto'] in result['commands']
    assert not result['auto_reset_crashkernel_needed']


def test_high_and_low_with_grubby(host):
    h = host(distro='rocky9', cmdline='proc-cmdline-el9.txt').with_grubby()
    result, failed = run_module(kdump_reserve.main, {'size': '512M,high', 'low': '128M', 'kernels': 'DEFAULT'})
    assert not failed and result['configured'] == '512M,high 128M,low'
    assert h.grubby.entries[0]['args'].endswith('crashkernel=512M,high crashkernel=128M,low')
    assert 'crashkernel=1G-4G' in h.grubby.entries[1]['args']


def test_single_kernel_path(host, tmp_path):
    h = host(distro='rocky9', cmdline='proc-cmdline-el9.txt').with_grubby()
    kernel = tmp_path / 'vmlinuz-5.14.0-427.13.1.el9_4.x86_64'
    kernel.write_text('')
    h.grubby.entries[0]['kernel'] = str(kernel)
    result, failed = run_module(kdump_reserve.main, {'size': '320M', 'kernels': str(kernel)})
    assert not failed and result['configured'] == '320M'
    assert 'crashkernel=320M' in h.grubby.entries[0]['args'] and 'crashkernel=320M' not in h.grubby.entries[1]['args']


def test_el9_absent_still_needs_auto_reset_off(host):
    h = host(distro='rocky9', cmdline='proc-cmdline-el9.txt').with_grubby()
    result, failed = run_module(kdump_reserve.main, {'state': 'absent'})
    assert not failed and result['auto_reset_crashkernel_needed'] and result['configured'] is None
    assert all('crashkernel' not in entry['args'] for entry in h.grubby.entries)


# ------------------------------------------------------------------------------ SUSE

def test_suse_auto_from_calibrate_edits_default_grub(host):
    h = host(distro='sles15', cmdline='proc-cmdline-none.txt').with_grub(default_grub='default-grub-el8.txt', kdump_tools_cfg=False)
    with open(h.grub['grub_mkconfig'], 'w') as handle:
        handle.write('#!/bin/sh\n. /etc/default/grub\n')
    h.grub['fake_update'].source_grubd = False
    del h.tools['update-grub']
    h.add_tool('kdumptool', lambda argv: (0, fixture('kdumptool-calibrate.txt'), ''))
    result, failed = run_module(kdump_reserve.main, {'size': 'auto'})
    assert not failed, result
    assert result['desired'] == '170M,high 72M,low' and result['configured'] == '170M,high 72M,low'
    assert result['commands'] == [[h.grub['grub_mkconfig'], '-o', os.path.join(str(h.tmp), 'boot', 'grub', 'grub.cfg')]]
    assert 'crashkernel=170M,high crashkernel=72M,low"' in h.read('DEFAULT_GRUB')


# ------------------------------------------------------------------------------ containers, no kexec

def test_container_has_no_bootloader_and_does_not_fail(host):
    h = host(crash_size=None)
    h.write('PROC1_ENVIRON', 'container=podman\0')
    result, failed = run_module(kdump_reserve.main, {'size': '192M'})
    assert not failed
    assert result['bootloader'] == 'none' and not result['changed'] and not result['reboot_required']
    assert result['reserved_bytes'] is None and 'no bootloader' in result['msg']


def test_no_kexec_still_configures_bootloader(host):
    host(crash_size=None).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_to': '128M'})
    assert not failed and result['changed'] and result['reserved_bytes'] is None
    assert result['configured'] == '192M'


# ------------------------------------------------------------------------------ shrink_to

def test_shrink_when_nothing_loaded(host):
    h = host(crash_size=256 * M).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_to': '192M'})
    assert not failed and result['reserved_bytes'] == 192 * M
    assert h.read('KEXEC_CRASH_SIZE').strip() == str(192 * M)
    assert not any(argv[0].endswith('systemctl') for argv in result['commands'])
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_to': '192M'})
    assert not failed and not result['changed']


def test_shrink_bounces_loaded_capture_kernel_through_service(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_to': '192M'})
    assert not failed and result['crash_kernel_loaded'] and result['shrunk']
    # the capture kernel is reloaded (and checked) before the boot entries are written
    assert result['commands'] == [['/usr/sbin/systemctl', 'stop', 'kdump-tools'], ['/usr/sbin/systemctl', 'start', 'kdump-tools'],
                                  [h.grub['update_grub']]]
    assert h.read('KEXEC_CRASH_LOADED').strip() == '1' and h.read('KEXEC_CRASH_SIZE').strip() == str(192 * M)


def test_shrink_check_mode(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_to': '192M', '_ansible_check_mode': True})
    assert not failed and result['changed'] and result['reserved_bytes'] == 192 * M
    assert h.read('KEXEC_CRASH_SIZE').strip() == str(256 * M) and h.read('KEXEC_CRASH_LOADED').strip() == '1'


def test_shrink_refuses_foreign_capture_kernel(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    h.service_active = False
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_to': '192M'})
    assert failed and 'kexec -p -u' in result['msg']
    assert written(h) == [] and not os.path.exists(h.grub['dropin'])


def test_shrink_to_without_size_leaves_the_boot_entries_alone(host):
    """One calibration step: try 112M live; the boot configuration keeps the size that captured."""
    h = host(crash_size=256 * M, loaded=1).with_grub()
    grub_cfg = h.read_path(h.grub['grub_cfg'])
    result, failed = run_module(kdump_reserve.main, {'shrink_to': '112M'})
    assert not failed and result['changed'] and result['shrunk'] and result['crash_kernel_loaded']
    assert result['reserved_bytes'] == 112 * M and h.read('KEXEC_CRASH_SIZE').strip() == str(112 * M)
    assert result['commands'] == [['/usr/sbin/systemctl', 'stop', 'kdump-tools'], ['/usr/sbin/systemctl', 'start', 'kdump-tools']]
    assert result['bootloader'] == 'none' and result['configured'] is None and not result['reboot_required']
    assert not os.path.exists(h.grub['dropin']) and h.read_path(h.grub['grub_cfg']) == grub_cfg
    assert 'boot entries not managed' in result['msg']


def test_shrink_to_a_size_the_capture_kernel_does_not_fit_fails_unarmed(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    h.capture_needs = 100 * M
    result, failed = run_module(kdump_reserve.main, {'shrink_to': '96M'})
    assert failed and result['changed'] and result['crash_kernel_loaded'] is False
    assert result['reserved_bytes'] == 96 * M
    assert 'did not load again after the live reservation was shrunk to 96M' in result['msg']
    assert 'reboot to return to the boot reservation' in result['msg']


@pytest.mark.parametrize('args', [{'shrink_to': '96M', 'low': '64M'}, {'shrink_to': '96M', 'shrink_live': True}])
def test_shrink_to_without_size_refuses_options_that_need_size(host, args):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, args)
    assert failed and 'need size' in result['msg'] and h.calls == []


# ------------------------------------------------------------------------------ shrink_live

def test_shrink_live_applies_a_smaller_size_now_then_writes_the_boot_entry(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True, '_ansible_diff': True})
    assert not failed and result['changed'] and result['shrunk'] and result['crash_kernel_loaded']
    assert result['commands'] == [['/usr/sbin/systemctl', 'stop', 'kdump-tools'], ['/usr/sbin/systemctl', 'start', 'kdump-tools'],
                                  [h.grub['update_grub']]]
    assert result['reserved_bytes'] == 160 * M and result['configured'] == '160M' and result['running'] == '384M-:128M'
    # the next boot reserves what is reserved now: no reboot
    assert not result['reboot_required']
    assert {'before_header': kdump_reserve.KEXEC_CRASH_SIZE, 'after_header': kdump_reserve.KEXEC_CRASH_SIZE,
            'before': '%d\n' % (256 * M), 'after': '%d\n' % (160 * M)} in result['diff']
    again, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True})
    assert not failed and not again['changed'] and not again['reboot_required'] and again['commands'] == []
    # after the next boot the running value is the configured one
    h.reboot()
    after, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True})
    assert not failed and not after['changed'] and not after['reboot_required'] and after['running'] == '160M'


def test_shrink_live_resolves_ranges_for_this_host(host):
    h = host(crash_size=256 * M, loaded=0).with_grub()
    # MemTotal 775M + 256M reserved rounds up to 1152M: the 1G-4G range applies
    result, failed = run_module(kdump_reserve.main, {'size': '1G-4G:176M,4G-:256M', 'shrink_live': True})
    assert not failed and result['shrunk'] and result['reserved_bytes'] == 176 * M and not result['reboot_required']
    # nothing was loaded: nothing is bounced
    assert not any(argv[0].endswith('systemctl') for argv in result['commands'])
    assert h.read('KEXEC_CRASH_SIZE').strip() == str(176 * M)


def test_shrink_live_growing_falls_back_to_the_reboot_policy(host):
    h = host(crash_size=128 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '192M', 'shrink_live': True})
    assert not failed and not result['shrunk'] and result['reboot_required'] and result['reserved_bytes'] == 128 * M
    assert not any(argv[0].endswith('systemctl') for argv in result['commands'])
    assert h.warnings == []


def test_shrink_live_kernel_refusal_falls_back_to_the_reboot_policy(host, monkeypatch):
    h = host(crash_size=256 * M, loaded=1).with_grub()

    def refuse(path, text):
        raise OSError(16, 'Device or resource busy')
    monkeypatch.setattr(kdump_reserve, 'write_sysfs', refuse)
    result, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True})
    assert not failed and not result['shrunk'] and result['reboot_required']
    assert result['crash_kernel_loaded'] and result['reserved_bytes'] == 256 * M and result['configured'] == '160M'
    assert any('the kernel refused to shrink the reservation to 160M' in warning for warning in h.warnings)


def test_shrink_live_does_not_write_the_boot_entry_when_the_capture_kernel_does_not_reload(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    h.capture_needs = 192 * M
    result, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True})
    assert failed and result['crash_kernel_loaded'] is False and result['reserved_bytes'] == 160 * M
    assert not os.path.exists(h.grub['dropin'])
    assert [h.grub['update_grub']] not in h.calls


def test_shrink_live_foreign_capture_kernel_falls_back(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    h.service_active = False
    result, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True})
    assert not failed and not result['shrunk'] and result['reboot_required'] and result['configured'] == '160M'
    assert h.read('KEXEC_CRASH_SIZE').strip() == str(256 * M)
    assert any('not by an active kdump-tools service' in warning for warning in h.warnings)


@pytest.mark.parametrize('args', [{'size': '512M,high'}, {'size': '160M', 'low': '64M'}, {'size': '160M@16M'}])
def test_shrink_live_leaves_offsets_and_high_low_to_the_next_boot(host, args):
    h = host(crash_size=1024 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, dict(args, shrink_live=True))
    assert not failed and not result['shrunk'] and result['reboot_required']
    assert h.read('KEXEC_CRASH_SIZE').strip() == str(1024 * M) and len(h.warnings) == 1


def test_shrink_live_check_mode_changes_nothing(host):
    h = host(crash_size=256 * M, loaded=1).with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '160M', 'shrink_live': True, '_ansible_check_mode': True})
    assert not failed and result['changed'] and result['shrunk'] and result['reserved_bytes'] == 160 * M
    assert [argv[1] for argv in result['commands'][:2]] == ['stop', 'start']
    assert written(h) == [] and h.read('KEXEC_CRASH_SIZE').strip() == str(256 * M)
    assert h.read('KEXEC_CRASH_LOADED').strip() == '1'


# ------------------------------------------------------------------------------ bad input: fail, nothing changed

@pytest.mark.parametrize('args, needle', [
    ({'size': '256'}, "'256'"),
    ({'size': '256Q'}, "'256Q'"),
    ({'size': '1G-:'}, "'1G-:'"),
    ({'size': '4G-1G:256M'}, "'4G-1G:256M'"),
    ({'size': '1G-4G:192M,2G-:256M'}, 'overlap'),
    ({'size': '@16M'}, "'@16M'"),
    ({'size': '256M,medium'}, "',medium'"),
    ({'size': '-256M'}, "'-256M'"),
    ({'size': '256M; reboot'}, "';'"),
    ({'size': '$(reboot)'}, "'$'"),
    ({'size': '128M,low'}, 'low'),
    ({'size': '0'}, 'state=absent'),
    ({'size': '192M', 'low': '1G-:128M'}, "'1G-:128M,low'"),
    ({'size': '192M', 'shrink_to': '512M'}, 'larger than the current reservation'),
    ({'size': '192M', 'shrink_to': '100'}, "'100'"),
    ({'size': '192M', 'kernels': '/boot/vmlinuz-does-not-exist'}, "'/boot/vmlinuz-does-not-exist'"),
    ({'size': 'tiers', 'tiers': [{'min_ram': '1X', 'size': '192M'}]}, '1X'),
    ({'size': '192M', 'bootloader': 'grubby'}, 'grubby is not installed'),
])
def test_bad_input_fails_and_changes_nothing(host, args, needle):
    h = host().with_grub()
    cfg_before = open(h.grub['grub_cfg']).read()
    result, failed = run_module(kdump_reserve.main, args)
    assert failed, result
    assert needle in result['msg']
    assert written(h) == [] and not os.path.exists(h.grub['dropin'])
    assert open(h.grub['grub_cfg']).read() == cfg_before


def test_bad_size_message_lists_valid_forms(host):
    host().with_grub()
    result, failed = run_module(kdump_reserve.main, {'size': '256'})
    assert failed and 'valid forms' in result['msg'] and '256M' in result['msg']


def test_state_present_requires_size(host):
    host().with_grub()
    result, failed = run_module(kdump_reserve.main, {})
    assert failed and 'size' in result['msg']


# /proc/iomem of a 64 GiB x86_64 guest (QEMU q35): RAM below the 32-bit PCI hole and the rest above 4G.
IOMEM_64G = '''00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-0009ffff : Reserved
000f0000-000fffff : Reserved
00100000-7ffdbfff : System RAM
  2a000000-3a000000 : Crash kernel
  6b000000-6c001f16 : Kernel code
7ffdc000-7fffffff : Reserved
b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]
100000000-107fffffff : System RAM
'''
# MemTotal of that guest: the kernel image and early reservations are missing, so it reads about 62.7G.
MEMINFO_64G = 'MemTotal:       65742332 kB\nMemFree:        64000000 kB\n'


def test_tiers_match_the_kernel_ram_not_memtotal(host):
    """A 64G host: MemTotal plus the reservation rounds to 62.9G (the 256M tier); System RAM gives 64G (512M)."""
    fake = host()
    fake.with_grub()
    fake.write('PROC_MEMINFO', MEMINFO_64G)
    (fake.tmp / 'proc' / 'iomem').write_text(IOMEM_64G)
    result, failed = run_module(kdump_reserve.main, {'size': 'tiers', '_ansible_check_mode': True})
    assert not failed
    assert result['ram_bytes'] == 64 << 30 and result['desired'] == '512M'


def test_tiers_fall_back_to_memtotal_when_iomem_hides_addresses(host):
    fake = host()
    fake.with_grub()
    fake.write('PROC_MEMINFO', MEMINFO_64G)
    (fake.tmp / 'proc' / 'iomem').write_text(fixture('../verify/iomem-nonroot.txt'))
    result, failed = run_module(kdump_reserve.main, {'size': 'tiers', '_ansible_check_mode': True})
    assert not failed
    expected = -(-(65742332 * 1024 + 128 * M) // (128 * M)) * 128 * M
    assert result['ram_bytes'] == expected and result['desired'] == '256M'


# ------------------------------------------------------------------------------ faults: a failed step leaves files as they were

def test_grub2_mkconfig_failing_midway_restores_default_grub_and_grub_cfg(host):
    """EL8 without grubby: /etc/default/grub is edited, grub2-mkconfig dies half way through grub.cfg."""
    h = host(distro='rocky8', cmdline='proc-cmdline-el9.txt').with_grub(default_grub='default-grub-el8.txt',
                                                                        kdump_tools_cfg=False)
    del h.tools['update-grub'], h.tools['grub-mkconfig']
    mkconfig = h.tmp / 'usr' / 'sbin' / 'grub2-mkconfig'
    mkconfig.write_text('#!/bin/sh\n. /etc/default/grub\n')  # upstream grub2-mkconfig: no grub.d
    h.grub['fake_update'].source_grubd = False
    h.grub['fake_update'].fail_runs = 'all'
    h.add_tool('grub2-mkconfig', h.grub['fake_update'], str(mkconfig))
    default_before = h.read('DEFAULT_GRUB')
    cfg_before = h.read_path(h.grub['grub_cfg'])
    result, failed = run_module(kdump_reserve.main, {'size': '256M'})
    assert failed, result
    assert '%s -o %s failed (rc=1)' % (mkconfig, h.grub['grub_cfg']) in result['msg']
    assert 'No space left on device' in result['msg'] and 'the previous files were restored' in result['msg']
    # read back: both files as they were, and no temp file beside either
    assert h.read('DEFAULT_GRUB') == default_before
    assert h.read_path(h.grub['grub_cfg']) == cfg_before
    assert sorted(os.listdir(h.tmp / 'etc' / 'default')) == ['grub', 'grub.d']
    assert sorted(os.listdir(os.path.dirname(h.grub['grub_cfg']))) == ['grub.cfg']
    assert [argv for argv in h.calls if argv[0] == str(mkconfig)] == [[str(mkconfig), '-o', h.grub['grub_cfg']]] * 2
