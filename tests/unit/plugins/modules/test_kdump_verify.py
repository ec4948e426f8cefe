# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import hashlib
import os
import socket
import sys
import time

import pytest

from ansible.module_utils import basic

from ansible_collections.fleet.kdump.plugins.modules import kdump_verify
from ansible_collections.fleet.kdump.plugins.module_utils import _families
from ansible_collections.fleet.kdump.tests.unit.plugins.modules.utils import patch_module, run_module  # noqa: F401 pylint: disable=unused-import

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures')
KVER = '6.1.0-28-amd64'
BOOT_ID = '4f1e0d2c-0d3e-4c1b-9a53-1f6c3f7b2a10'
SYSCTL = 'vm.nr_hugepages=0\nvm.nr_hugepages_mempolicy=0\n'
ALL_TOOLS = ('systemctl', 'kdump-config', 'kdumpctl', 'makedumpfile', 'ssh', 'timeout', 'dmesg', 'showmount',
             'dpkg-query', 'rpm')
DPKG_QUERY = ('dpkg-query', '-W', '-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', '--', 'kdump-tools',
              'kexec-tools', 'makedumpfile')
RPM_QUERY = ('rpm', '-q', '--qf', '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n', '--')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def put(root, path, content='', mtime=None):
    target = root / path.lstrip('/')
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content)
    if mtime is not None:
        os.utime(str(target), (mtime, mtime))
    return target


class FakeHost(object):
    """A host: files under a temporary root, commands answered from a table."""

    def __init__(self, root, monkeypatch):
        self.root = root
        self.tools = set(ALL_TOOLS)
        self.answers = {}
        self.calls = []
        self.dmesg_outputs = []
        # makedumpfile --dump-dmesg VMCORE OUTFILE: (vmcore path, output path) -> (rc, stdout, stderr)
        self.dump_dmesg = None
        monkeypatch.setattr(kdump_verify, 'HOST_ROOT', str(root))
        monkeypatch.setattr(kdump_verify, 'SYSRQ_SETTLE_SECONDS', 0)
        monkeypatch.setattr(kdump_verify, 'free_bytes_at', lambda path: self.free)
        # The dump server's name and port, as the network would answer (tests of an ssh target change them).
        self.addresses = {'backup.example.com': ['192.0.2.10'], '10.0.0.9': ['10.0.0.9']}
        self.closed_ports = {}
        monkeypatch.setattr(kdump_verify, 'resolve_host', self.resolve)
        monkeypatch.setattr(kdump_verify, 'open_port', lambda address, port: self.closed_ports.get((address, port)))
        fake = self
        monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                            lambda module, name, *args, **kwargs: fake.get_bin_path(name))
        monkeypatch.setattr(basic.AnsibleModule, 'run_command',
                            lambda module, argv, *args, **kwargs: fake.run_command(argv))
        self.free = 4 * 1024 ** 3

    def resolve(self, name):
        if name not in self.addresses:
            raise socket.gaierror(-2, 'Name or service not known')
        return self.addresses[name]

    def get_bin_path(self, name):
        return '/usr/bin/' + name if name in self.tools else None

    def run_command(self, argv):
        argv = [os.path.basename(argv[0])] + list(argv[1:])
        if argv[0] == 'timeout':
            argv = [os.path.basename(argv[2])] + argv[3:]
        self.calls.append(argv)
        if argv[:2] == ['makedumpfile', '--dump-dmesg'] and self.dump_dmesg is not None:
            return self.dump_dmesg(argv[2], argv[3])
        if argv == ['dmesg'] and self.dmesg_outputs:
            return 0, self.dmesg_outputs.pop(0), ''
        return self.answers.get(tuple(argv), (1, '', 'unexpected command %s' % argv))

    def put(self, path, content='', mtime=None):
        return put(self.root, path, content, mtime)


def debian_host(host, armed=True):
    host.put('/etc/os-release', fixture('verify/os-release-debian12.txt'))
    host.put('/proc/sys/kernel/osrelease', KVER + '\n')
    host.put('/proc/sys/kernel/random/boot_id', BOOT_ID + '\n')
    host.put('/proc/meminfo', fixture('verify/meminfo-1g.txt'))
    host.put('/proc/1/environ', 'HOME=/\0TERM=linux\0')
    host.put('/etc/default/kdump-tools', fixture('config/kdump-tools-bookworm.conf'))
    host.put('/etc/kdump/sysctl.conf', SYSCTL)
    host.put('/var/lib/kdump/latest_sysctls-%s' % KVER, SYSCTL)
    host.put('/var/lib/kdump/initrd.img-%s' % KVER, 'initrd')
    (host.root / 'var' / 'crash').mkdir(parents=True)
    os.chmod(str(host.root / 'var' / 'crash'), 0o755)
    host.answers.update({
        ('systemd-detect-virt', '--container'): (1, 'none\n', ''),
        ('systemctl', 'is-enabled', 'kdump-tools'): (0, 'enabled\n', ''),
        # Debian's init script always exits 0: the unit is active whatever happened.
        ('systemctl', 'is-active', 'kdump-tools'): (0, 'active\n', ''),
        ('makedumpfile', '-v'): (0, fixture('config/makedumpfile-v-1.7.2-bookworm.txt'), ''),
        DPKG_QUERY: (0, fixture('packages/dpkg-query-kdump-bookworm.out'), ''),
    })
    host.put('/var/cache/debconf/config.dat', fixture('packages/debconf-config-bookworm.dat'))
    host.tools.add('systemd-detect-virt')
    if armed:
        host.put('/proc/cmdline', fixture('verify/cmdline-crashkernel.txt'))
        host.put('/proc/iomem', fixture('verify/iomem-root.txt'))
        host.put('/sys/kernel/kexec_crash_loaded', '1\n')
        host.put('/sys/kernel/kexec_crash_size', '268435456\n')
        host.answers[('kdump-config', 'status')] = (0, fixture('verify/kdump-config-status-ready.txt'), '')
    else:
        host.put('/proc/cmdline', fixture('verify/cmdline-plain.txt'))
        host.put('/proc/iomem', '00100000-3ffdbfff : System RAM\n')
        host.put('/sys/kernel/kexec_crash_loaded', '0\n')
        host.put('/sys/kernel/kexec_crash_size', '0\n')
        host.answers[('kdump-config', 'status')] = (
            0, fixture('verify/kdump-config-status-no-crashkernel.txt'), '')
    return host


@pytest.fixture
def host(tmp_path, monkeypatch):
    return FakeHost(tmp_path, monkeypatch)


def checks_by_name(result):
    return dict((check['name'], check) for check in result['checks'])


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason='dump_dir requires a root-owned directory')


@needs_root
def test_armed_debian_host_is_ready(patch_module, host):
    debian_host(host)
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['changed'] is False
    assert result['ready'] is True, result['reasons']
    assert result['reasons'] == []
    assert result['family'] == 'debian'
    assert result['container'] is False
    assert result['kexec_supported'] is True
    assert result['crash_kernel_loaded'] is True
    assert result['crashkernel_running'] == '256M'
    assert result['reserved_bytes'] == 268435456
    assert result['crash_regions'] == ['0x29000000-0x38ffffff']
    assert result['service'] == {'name': 'kdump-tools', 'enabled': True, 'active': True}
    assert result['tool_status']['ready'] is True
    assert result['crash_test_command'] is None
    assert result['boot_id'] == BOOT_ID
    assert result['kernel'] == KVER
    assert result['memory_bytes'] == 999780 * 1024
    assert result['dump_path'] == '/var/crash'
    assert result['estimated_dump_bytes'] == (999780 - 601212) * 1024 // 2
    assert [check['name'] for check in result['checks']] == list(kdump_verify.kdump_state.CHECK_NAMES)
    assert checks_by_name(result)['compression_supported']['detail'].startswith('zlib is built into makedumpfile')
    assert result['dumps'] == []
    assert result['diagnostics'] == {}


def test_debian_before_reservation_names_missing_crashkernel(patch_module, host):
    debian_host(host, armed=False)
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['ready'] is False
    assert result['crashkernel_running'] is None
    assert result['reserved_bytes'] == 0
    assert result['crash_kernel_loaded'] is False
    # The unit says active, the module must not believe it.
    assert result['service']['active'] is True
    checks = checks_by_name(result)
    assert checks['crashkernel_cmdline']['ok'] is False
    assert checks['capture_kernel_loaded']['ok'] is False
    assert result['reasons'][0].startswith('crashkernel_cmdline: no crashkernel= on the running kernel command line')


def test_fail_if_not_ready_lists_failing_checks(patch_module, host):
    debian_host(host, armed=False)
    result, failed = run_module(kdump_verify.main, {'fail_if_not_ready': True})
    assert failed
    assert result['msg'].startswith('kdump is not ready: crashkernel_cmdline: ')
    assert 'capture_kernel_loaded: no capture kernel loaded' in result['msg']
    assert result['ready'] is False


def test_require_limits_what_ready_means(patch_module, host):
    debian_host(host, armed=False)
    args = {'require': ['capture_initrd', 'compression_supported'], 'fail_if_not_ready': True}
    result, failed = run_module(kdump_verify.main, args)
    assert not failed
    assert result['ready'] is True
    assert checks_by_name(result)['capture_kernel_loaded']['ok'] is False


def test_container_reports_no_kexec_without_traceback(patch_module, host):
    debian_host(host, armed=False)
    host.put('/run/.containerenv')
    for name in ('kexec_crash_loaded', 'kexec_crash_size'):
        os.unlink(str(host.root / 'sys' / 'kernel' / name))
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['container'] is True
    assert result['kexec_supported'] is False
    assert result['ready'] is False
    assert result['reserved_bytes'] is None
    assert result['reasons'][0].startswith('kexec_supported: no kexec in container (podman)')


def test_kexec_supported_is_read_by_name_not_position(patch_module, host, monkeypatch):
    debian_host(host)
    host.put('/proc/1/environ', 'container=podman\0HOME=/\0')
    build_checks = kdump_verify.kdump_state.build_checks
    monkeypatch.setattr(kdump_verify.kdump_state, 'build_checks', lambda facts: list(reversed(build_checks(facts))))
    result, _failed = run_module(kdump_verify.main, {})
    assert result['checks'][0]['name'] == 'compression_supported' and result['checks'][0]['ok'] is True
    assert result['kexec_supported'] is False


def test_container_detected_by_pid1_environment(patch_module, host):
    debian_host(host)
    host.put('/proc/1/environ', 'container=podman\0HOME=/\0')
    result, _failed = run_module(kdump_verify.main, {})
    assert result['container'] is True
    assert result['kexec_supported'] is False


@needs_root
def test_dumps_since_returns_only_the_new_complete_dump(patch_module, host):
    debian_host(host)
    before_crash = time.time() - 600
    host.put('/var/crash/202611261000/dump.202611261000', 'x' * 100, before_crash - 86400)
    host.put('/var/crash/202611261000/dmesg.202611261000', 'no panic here\n', before_crash - 86400)
    host.put('/var/crash/202611272341/dump-incomplete', 'x', before_crash - 3600)
    host.put('/var/crash/202611272350/dump.202611272350', 'x' * 2048, before_crash + 120)
    host.put('/var/crash/202611272350/dmesg.202611272350', fixture('verify/dmesg-sysrq-crash-6.1.txt'),
             before_crash + 120)
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert [dump['path'] for dump in result['dumps']] == [
        '/var/crash/202611272350', '/var/crash/202611272341', '/var/crash/202611261000']
    assert [dump['complete'] for dump in result['dumps']] == [True, False, True]

    result, failed = run_module(kdump_verify.main, {'dumps_since': str(int(before_crash))})
    assert not failed
    assert len(result['dumps']) == 1
    dump = result['dumps'][0]
    assert dump['complete'] is True
    assert dump['files'] == ['dmesg.202611272350', 'dump.202611272350']
    assert dump['panic'].splitlines()[0] == 'Kernel panic - not syncing: sysrq triggered crash'
    assert 'sysrq_handle_crash' in dump['panic']

    iso = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(before_crash))
    result, _failed = run_module(kdump_verify.main, {'dumps_since': iso})
    assert len(result['dumps']) == 1


def test_bad_dumps_since_fails_naming_forms(patch_module, host):
    debian_host(host)
    result, failed = run_module(kdump_verify.main, {'dumps_since': 'last tuesday'})
    assert failed
    assert "dumps_since='last tuesday' is neither epoch seconds" in result['msg']


@pytest.mark.parametrize('key', ['c', 'b', 'o', 'e', 'i', 'f'])
def test_diagnostics_refuse_destructive_keys_before_anything_runs(patch_module, host, key):
    debian_host(host)
    trigger = host.put('/proc/sysrq-trigger')
    result, failed = run_module(kdump_verify.main, {'diagnostics': ['m', key]})
    assert failed
    assert "diagnostics key '%s' refused" % key in result['msg']
    assert trigger.read_text() == ''
    assert host.calls == []


@pytest.mark.parametrize('check_mode', [False, True])
def test_diagnostics_capture_new_kernel_lines(patch_module, host, check_mode):
    debian_host(host)
    trigger = host.put('/proc/sysrq-trigger')
    old = '[  100.000000] systemd[1]: Started kdump-tools.service.\n'
    host.dmesg_outputs = [old, old + '[  200.100000] sysrq: Show Memory\n[  200.100100] Mem-Info:\n']
    result, failed = run_module(kdump_verify.main, {'diagnostics': ['m'], '_ansible_check_mode': check_mode})
    assert not failed
    assert result['changed'] is False
    assert trigger.read_text() == 'm'
    assert result['diagnostics'] == {'m': '[  200.100000] sysrq: Show Memory\n[  200.100100] Mem-Info:'}


def test_diagnostics_unavailable_is_reported_not_raised(patch_module, host):
    debian_host(host)  # no /proc/sysrq-trigger under the root: like a kernel without CONFIG_MAGIC_SYSRQ
    host.dmesg_outputs = ['', '']
    result, failed = run_module(kdump_verify.main, {'diagnostics': ['w']})
    assert not failed
    assert result['diagnostics']['w'].startswith('unavailable: could not write /proc/sysrq-trigger')


def test_configured_zstd_on_bookworm_makedumpfile_fails_compression(patch_module, host):
    debian_host(host)
    host.put('/etc/default/kdump-tools', fixture('config/kdump-tools-bookworm.conf') + 'MAKEDUMP_ARGS="-F -z -d 31"\n')
    result, _failed = run_module(kdump_verify.main, {})
    check = checks_by_name(result)['compression_supported']
    assert check['ok'] is False
    assert 'zstd is configured but this makedumpfile lacks it' in check['detail']


def test_missing_tools_degrade_to_failed_checks(patch_module, host):
    debian_host(host)
    host.tools.clear()
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    checks = checks_by_name(result)
    assert checks['service_enabled']['detail'].startswith('could not run: systemctl not found')
    assert checks['compression_supported']['detail'].startswith('could not run: makedumpfile not found')
    assert result['service'] == {'name': 'kdump-tools', 'enabled': None, 'active': None}
    assert result['tool_status'] is None
    assert result['kexec_supported'] is True


def test_use_kdump_0_is_not_enabled_even_if_unit_is(patch_module, host):
    debian_host(host)
    host.put('/etc/default/kdump-tools', 'USE_KDUMP=0\n')
    result, _failed = run_module(kdump_verify.main, {})
    assert checks_by_name(result)['service_enabled']['ok'] is False
    assert 'USE_KDUMP is not 1 in /etc/default/kdump-tools' in checks_by_name(result)['service_enabled']['detail']
    assert result['config_enabled'] is False
    host.put('/etc/default/kdump-tools', 'USE_KDUMP=1\n')
    assert run_module(kdump_verify.main, {})[0]['config_enabled'] is True


def test_stale_debian_initrd_fails_capture_initrd(patch_module, host):
    debian_host(host)
    host.put('/etc/kdump/sysctl.conf', SYSCTL + 'vm.swappiness=10\n')
    result, _failed = run_module(kdump_verify.main, {})
    assert checks_by_name(result)['capture_initrd']['detail'].endswith(
        '/etc/kdump/sysctl.conf changed since the initrd was built')


def rhel_host(host, kdump_conf):
    host.put('/etc/os-release', fixture('verify/os-release-rocky9.txt'))
    host.put('/proc/sys/kernel/osrelease', '5.14.0-427.el9.x86_64\n')
    host.put('/proc/meminfo', fixture('verify/meminfo-1g.txt'))
    host.put('/proc/cmdline', 'BOOT_IMAGE=(hd0,msdos1)/vmlinuz-5.14.0-427.el9.x86_64 ro crashkernel=1G-4G:192M,4G-64G:256M\n')
    host.put('/sys/kernel/kexec_crash_loaded', '1\n')
    host.put('/sys/kernel/kexec_crash_size', '201326592\n')
    host.put('/etc/kdump.conf', kdump_conf, time.time() - 100)
    host.put('/boot/initramfs-5.14.0-427.el9.x86_64kdump.img', 'initrd', time.time() - 200)
    host.answers.update({
        ('systemctl', 'is-enabled', 'kdump'): (0, 'enabled\n', ''),
        ('systemctl', 'is-active', 'kdump'): (0, 'active\n', ''),
        ('kdumpctl', 'status'): (0, '', fixture('verify/kdumpctl-status-operational.stderr')),
        ('makedumpfile', '-v'): (0, 'makedumpfile: version 1.7.4 (released on 8 Nov 2023)\nlzo\tenabled\n'
                                    'snappy\tenabled\nzstd\tenabled\n', ''),
        RPM_QUERY + ('kexec-tools', 'makedumpfile'): (0, fixture('packages/rpm-q-kdump-el9.out'), ''),
    })


SSH_BASE = ('ssh', '-n', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
            '-o', 'UserKnownHostsFile=/root/.ssh/known_hosts', '-o', 'GlobalKnownHostsFile=/dev/null',
            '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5', '-i', '/root/.ssh/kdump_id_rsa')


def remote_fixture(name):
    return fixture(os.path.join('remote', name))


def ssh_server(host, location, path='/srv/crash', free=None):
    """Answers of a reachable, writable dump server to the capture side's remote commands."""
    base = SSH_BASE + (location,)
    host.put('/root/.ssh/kdump_id_rsa', 'not a real key')
    host.answers.update({
        base + ('mkdir', '-p', path): (0, '', ''),
        base + ('mktemp', '-dqp', path): (0, path + '/tmp.Qx3bZ0aLr1\n', ''),
        base + ('rmdir', path + '/tmp.Qx3bZ0aLr1'): (0, '', ''),
        base + ('df', '--output=avail', path): (0, free or remote_fixture('df-avail-80g.out'), ''),
    })
    return base


def test_rhel_ssh_target_unreachable(patch_module, host):
    rhel_host(host, 'ssh kdump@backup.example.com\nsshkey /root/.ssh/kdump_id_rsa\npath /srv/crash\n'
                    'core_collector makedumpfile -F -l --message-level 7 -d 31\n')
    base = ssh_server(host, 'kdump@backup.example.com')
    mkdir = base + ('mkdir', '-p', '/srv/crash')
    host.answers[mkdir] = (255, '', remote_fixture('ssh-hostkey-unknown.err'))
    result, _failed = run_module(kdump_verify.main, {})
    assert result['family'] == 'rhel'
    assert result['service']['name'] == 'kdump'
    assert result['tool_status']['ready'] is True
    assert result['crash_test_command'] is None  # Rocky 9: no kdumpctl test yet, the crash test is SysRq c
    assert result['config_enabled'] is None  # kdump.conf has no switch: the service is the switch
    assert result['target'] == {'type': 'ssh', 'location': 'kdump@backup.example.com'}
    # root's known_hosts and the key live in the capture initrd: a change needs kdumpctl rebuild
    assert result['capture_rebuild']['command'] == ['kdumpctl', 'rebuild']
    checks = checks_by_name(result)
    assert checks['remote_target']['ok'] is False
    assert checks['remote_target']['detail'].startswith(
        "key_login: non-interactive login as kdump failed: the server's host key is not the one pinned in "
        "/root/.ssh/known_hosts")
    assert checks['remote_target']['detail'].endswith('(ssh: Host key verification failed.)')
    assert [step['ok'] for step in result['remote_target']['checks']] == [True, True, True, False, None, None]
    assert checks['dump_dir']['ok'] is True
    assert 'not checked here' in checks['dump_dir']['detail']
    assert checks['capture_initrd']['detail'].endswith('older than the kdump configuration '
                                                       '(rebuilt by the next kdump service start)')
    assert result['reasons'][0].startswith('capture_initrd: ')
    assert list(mkdir) in host.calls

    host.answers[mkdir] = (0, '', '')
    result, _failed = run_module(kdump_verify.main, {})
    assert checks_by_name(result)['remote_target']['ok'] is True
    assert result['remote_target']['detail'].startswith(
        'ssh kdump@backup.example.com:/srv/crash reachable with key /root/.ssh/kdump_id_rsa, /srv/crash writable, ')


def test_ssh_target_without_write_permission_is_not_ready(patch_module, host):
    rhel_host(host, 'ssh kdump@backup.example.com\nsshkey /root/.ssh/kdump_id_rsa\npath /srv/crash\n'
                    'core_collector makedumpfile -F -l --message-level 7 -d 31\n')
    base = ssh_server(host, 'kdump@backup.example.com')
    host.answers[base + ('mktemp', '-dqp', '/srv/crash')] = (1, '', '')
    result, _failed = run_module(kdump_verify.main, {'require': ['remote_target']})
    assert result['ready'] is False
    assert result['reasons'] == ['remote_target: path_writable: no write permission on the server: kdump cannot '
                                 'create a directory in /srv/crash (rc 1): mktemp printed nothing']


def test_ssh_target_checks_the_servers_room_against_this_hosts_dump(patch_module, host):
    rhel_host(host, 'ssh kdump@backup.example.com\nsshkey /root/.ssh/kdump_id_rsa\npath /srv/crash\n'
                    'core_collector makedumpfile -F -l --message-level 7 -d 0\n')
    ssh_server(host, 'kdump@backup.example.com', free=remote_fixture('df-avail-100m.out'))
    result, _failed = run_module(kdump_verify.main, {'require': ['remote_target']})
    assert result['ready'] is False
    assert result['reasons'] == ['remote_target: free_space: 100M free on the server, estimated dump of this host '
                                 'up to %s' % kdump_verify.crashkernel.human_bytes(result['estimated_dump_bytes'])]


def test_ssh_target_unknown_host_and_unreadable_key(patch_module, host):
    rhel_host(host, 'ssh kdump@nowhere.example.com\nsshkey /root/.ssh/kdump_id_rsa\npath /srv/crash\n'
                    'core_collector makedumpfile -F -l --message-level 7 -d 31\n')
    result, _failed = run_module(kdump_verify.main, {'require': ['remote_target']})
    assert result['reasons'] == ['remote_target: resolves: host nowhere.example.com does not resolve '
                                 '([Errno -2] Name or service not known)']
    host.addresses['nowhere.example.com'] = ['192.0.2.77']
    result, _failed = run_module(kdump_verify.main, {'require': ['remote_target']})
    assert result['reasons'] == ['remote_target: key_file: the private key /root/.ssh/kdump_id_rsa is missing or '
                                 'unreadable on this host']
    assert not any(call[0] == 'ssh' for call in host.calls)


def test_ssh_target_known_hosts_and_port_are_the_given_ones(patch_module, host):
    rhel_host(host, 'ssh kdump@backup.example.com\nsshkey /root/.ssh/kdump_id_rsa\npath /srv/crash\n'
                    'core_collector makedumpfile -F -l --message-level 7 -d 31\n')
    host.closed_ports[('192.0.2.10', 2222)] = '[Errno 111] Connection refused'
    result, _failed = run_module(kdump_verify.main, {'require': ['remote_target'], 'ssh_port': 2222,
                                                     'ssh_known_hosts': '/etc/kdump/known_hosts'})
    assert result['reasons'] == ['remote_target: port_open: port 2222 on backup.example.com (192.0.2.10) is not '
                                 'open: [Errno 111] Connection refused']


def test_rhel_nfs_export_checked_with_showmount(patch_module, host):
    rhel_host(host, 'nfs nfs.example.com:/export\npath /crash\n')
    host.answers[('showmount', '-e', 'nfs.example.com')] = (0, 'Export list for nfs.example.com:\n/export *\n', '')
    result, _failed = run_module(kdump_verify.main, {})
    check = checks_by_name(result)['remote_target']
    assert check == {'name': 'remote_target', 'ok': True, 'detail': 'nfs server nfs.example.com exports /export'}
    host.answers[('showmount', '-e', 'nfs.example.com')] = (0, 'Export list for nfs.example.com:\n/other *\n', '')
    result, _failed = run_module(kdump_verify.main, {})
    assert checks_by_name(result)['remote_target']['ok'] is False


def test_family_override_and_unknown_family(patch_module, host):
    debian_host(host)
    host.put('/etc/os-release', 'ID=plan9\n')
    result, failed = run_module(kdump_verify.main, {})
    assert failed
    assert 'set family to one of rhel, debian, suse' in result['msg']
    result, failed = run_module(kdump_verify.main, {'family': 'debian'})
    assert not failed
    assert result['family'] == 'debian'


def test_package_not_installed_reports_missing_unit_not_use_kdump(patch_module, host):
    debian_host(host)
    os.unlink(str(host.root / 'etc' / 'default' / 'kdump-tools'))
    host.answers[('systemctl', 'is-enabled', 'kdump-tools')] = (
        1, '', 'Failed to get unit file state for kdump-tools.service: No such file or directory\n')
    result, _failed = run_module(kdump_verify.main, {})
    detail = checks_by_name(result)['service_enabled']['detail']
    assert detail.startswith('kdump-tools is not found (Failed to get unit file state')
    assert 'USE_KDUMP' not in detail


def test_rhel10_names_kdumpctl_test_as_its_crash_test(patch_module, host):
    rhel_host(host, 'path /var/crash\n')
    host.put('/etc/os-release', 'NAME="AlmaLinux"\nVERSION_ID="10.0"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n')
    result, _failed = run_module(kdump_verify.main, {})
    assert result['family'] == 'rhel'
    assert result['crash_test_command'] == ['kdumpctl', 'test', '--force']
    assert ['kdumpctl', 'test', '--force'] not in host.calls  # only named, never run


# -- what a role needs to skip its work: packages, debconf, facts, the panic drop-in ------------------

def test_debian_packages_debconf_and_facts_in_one_call(patch_module, host):
    debian_host(host, armed=False)
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['packages'] == {'kdump-tools': '1:1.8.1', 'kexec-tools': '1:2.0.25-3+deb12u3',
                                  'makedumpfile': '1:1.7.2-1'}
    assert result['debconf']['kdump-tools/use_kdump'] == 'true'
    assert result['ansible_facts'] == {'distribution': 'Debian', 'distribution_major_version': '12',
                                       'os_family': 'Debian', 'pkg_mgr': 'apt', 'kernel': KVER}
    assert list(DPKG_QUERY) in host.calls
    assert result['panic_sysctl_file'] is None
    # The package database is read with dpkg-query alone: never through python-apt.
    assert 'apt_pkg' not in sys.modules and 'apt' not in sys.modules


def test_a_package_dpkg_knows_but_has_not_installed_is_missing(patch_module, host):
    debian_host(host, armed=False)
    host.answers[DPKG_QUERY] = (1, fixture('packages/dpkg-query-kdump-removed.out'), '')
    result, _failed = run_module(kdump_verify.main, {})
    assert result['packages']['makedumpfile'] is None
    assert result['packages']['kdump-tools'] == '1:1.8.1'


def test_no_dpkg_query_reports_every_package_missing_with_a_warning(patch_module, host):
    debian_host(host, armed=False)
    host.tools.discard('dpkg-query')
    warnings = []
    patch_module.setattr(basic.AnsibleModule, 'warn', lambda module, msg: warnings.append(msg))
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['packages'] == {'kdump-tools': None, 'kexec-tools': None, 'makedumpfile': None}
    assert any('dpkg-query is not installed' in warning for warning in warnings), warnings


def test_an_nfs_target_adds_the_nfs_client_to_the_packages_it_asks_dpkg_about(patch_module, host):
    debian_host(host, armed=False)
    query = DPKG_QUERY + ('nfs-common',)
    host.answers[query] = (1, fixture('packages/dpkg-query-kdump-bookworm.out'),
                           'dpkg-query: no packages found matching nfs-common\n')
    result, failed = run_module(kdump_verify.main, {'target_type': 'nfs'})
    assert not failed
    assert list(query) in host.calls and list(DPKG_QUERY) not in host.calls  # still one query
    assert result['packages'] == {'kdump-tools': '1:1.8.1', 'kexec-tools': '1:2.0.25-3+deb12u3',
                                  'makedumpfile': '1:1.7.2-1', 'nfs-common': None}
    assert result['debconf']['kdump-tools/use_kdump'] == 'true'
    host.answers[query] = (0, fixture('packages/dpkg-query-kdump-nfs-bookworm.out'), '')
    result, _failed = run_module(kdump_verify.main, {'target_type': 'nfs'})
    assert result['packages']['nfs-common'] == '1:2.6.2-4+deb12u1'


@pytest.mark.parametrize('target_type', ['local', 'ssh', 'ext4'])
def test_other_targets_need_no_client_package(patch_module, host, target_type):
    debian_host(host, armed=False)
    result, _failed = run_module(kdump_verify.main, {'target_type': target_type})
    assert sorted(result['packages']) == ['kdump-tools', 'kexec-tools', 'makedumpfile']


def test_an_nfs_target_on_rhel_asks_rpm_about_nfs_utils(patch_module, host):
    rhel_host(host, 'path /var/crash\n')
    query = RPM_QUERY + ('kexec-tools', 'makedumpfile', 'nfs-utils')
    host.answers[query] = (1, fixture('packages/rpm-q-kdump-el9.out').replace('kdump-utils', 'nfs-utils'), '')
    result, _failed = run_module(kdump_verify.main, {'target_type': 'nfs'})
    assert list(query) in host.calls
    assert result['packages'] == {'kexec-tools': '2.0.28-5.el9', 'makedumpfile': '1:1.7.4-6.el9', 'nfs-utils': None}


@pytest.mark.parametrize('family, package', [('debian', 'nfs-common'), ('ubuntu', 'nfs-common'),
                                             ('rhel', 'nfs-utils'), ('suse', 'nfs-client')])
def test_each_family_names_its_nfs_client_package(family, package):
    assert _families.get(family).target_packages == {'nfs': (package,)}


def test_rhel_packages_and_facts_from_rpm_and_the_dnf_symlink(patch_module, host):
    rhel_host(host, 'path /var/crash\n')
    (host.root / 'usr' / 'bin').mkdir(parents=True)
    host.put('/usr/bin/dnf-3', '#!/usr/bin/python3\n')
    os.symlink('dnf-3', str(host.root / 'usr' / 'bin' / 'dnf'))
    result, _failed = run_module(kdump_verify.main, {})
    assert result['packages'] == {'kexec-tools': '2.0.28-5.el9', 'makedumpfile': '1:1.7.4-6.el9'}
    assert result['debconf'] is None
    assert result['ansible_facts'] == {'distribution': 'Rocky', 'distribution_major_version': '9',
                                       'os_family': 'RedHat', 'pkg_mgr': 'dnf',
                                       'kernel': '5.14.0-427.el9.x86_64'}


def test_facts_describe_the_host_even_when_another_family_is_asked(patch_module, host):
    debian_host(host, armed=False)
    host.put('/etc/os-release', 'ID=plan9\n')
    result, failed = run_module(kdump_verify.main, {'family': 'debian'})
    assert not failed
    assert result['ansible_facts'] == {}


def test_panic_sysctl_file_reports_checksum_mode_and_owner(patch_module, host):
    debian_host(host, armed=False)
    path = '/etc/sysctl.d/90-kdump-panic.conf'
    result, _failed = run_module(kdump_verify.main, {'panic_sysctl_file': path})
    assert result['panic_sysctl_file'] == {'path': path, 'checksum': None, 'mode': None, 'uid': None, 'gid': None}
    content = '# managed\nkernel.panic = 10\n'
    target = host.put(path, content)
    os.chmod(str(target), 0o640)
    result, _failed = run_module(kdump_verify.main, {'panic_sysctl_file': path})
    state = result['panic_sysctl_file']
    assert state['checksum'] == hashlib.sha1(content.encode()).hexdigest()
    assert state['mode'] == '0640'
    assert (state['uid'], state['gid']) == (os.getuid(), os.getgid())


# -- calibration: capture_panic and estimate --------------------------------------------------

DEBIAN_APPEND = 'reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb'


def test_capture_panic_debian_default_has_no_panic(patch_module, host):
    debian_host(host)
    result, _failed = run_module(kdump_verify.main, {})
    assert result['capture_panic'] == {'key': 'KDUMP_CMDLINE_APPEND', 'value': None, 'effective': DEBIAN_APPEND,
                                       'panic': False, 'with_panic': DEBIAN_APPEND + ' panic=10'}
    assert result['estimate'] is None  # only on request


@pytest.mark.parametrize('line, value, panic', [
    ('KDUMP_CMDLINE_APPEND="irqpoll systemd.unit=kdump-tools-dump.service panic=5"\n',
     'irqpoll systemd.unit=kdump-tools-dump.service panic=5', True),
    ('KDUMP_CMDLINE_APPEND="nr_cpus=1 systemd.unit=kdump-tools-dump.service"\n',
     'nr_cpus=1 systemd.unit=kdump-tools-dump.service', False),
    # empty takes kdump-config's default, like unset (${KDUMP_CMDLINE_APPEND:=...})
    ('KDUMP_CMDLINE_APPEND=""\n', None, False),
])
def test_capture_panic_reads_the_setting(patch_module, host, line, value, panic):
    debian_host(host)
    host.put('/etc/default/kdump-tools', fixture('config/kdump-tools-bookworm.conf') + line)
    result, _failed = run_module(kdump_verify.main, {})
    capture = result['capture_panic']
    assert capture['value'] == value and capture['panic'] is panic
    assert capture['effective'] == (value or DEBIAN_APPEND)
    assert capture['with_panic'] == (None if panic else (value or DEBIAN_APPEND) + ' panic=10')


def test_capture_panic_rhel_tooling_adds_it(patch_module, host):
    rhel_host(host, 'path /var/crash\n')
    result, _failed = run_module(kdump_verify.main, {})
    assert result['capture_panic'] == {'key': None, 'value': None, 'effective': None, 'panic': True, 'with_panic': None}


def test_estimate_debian_from_kdump_config_show(patch_module, host):
    debian_host(host)
    host.answers[('kdump-config', 'show')] = (0, fixture('verify/kdump-config-show-trixie-suggested.txt'), '')
    result, _failed = run_module(kdump_verify.main, {'estimate': True})
    assert result['estimate'] == {'bytes': 378 << 20, 'size': '378M', 'source': 'kdump-config show', 'components': {},
                                  'detail': 'kdump-config show: crashkernel suggested size 378M'}
    # bounded, like every probe that could hang
    assert ['kdump-config', 'show'] in host.calls


def test_estimate_debian_12_falls_back_to_the_model(patch_module, host):
    """Debian 12's kdump-tools 1:1.8.1 has no suggested size: the model adds up what the lab VM showed."""
    debian_host(host)
    host.put('/proc/iomem', fixture('verify/iomem-bookworm-vm.txt'))
    host.put('/proc/modules', fixture('verify/proc-modules-bookworm-vm.txt'))
    os.truncate(str(host.put('/var/lib/kdump/initrd.img-%s' % KVER, '')), 7059788)
    host.tools.add('lsinitramfs')
    host.answers[('kdump-config', 'show')] = (0, fixture('verify/kdump-config-show-bookworm-armed.txt'), '')
    host.answers[('lsinitramfs', '-l', '/var/lib/kdump/initrd.img-%s' % KVER)] = (
        0, fixture('verify/lsinitramfs-l-kdump-bookworm.txt'), '')
    result, failed = run_module(kdump_verify.main, {'estimate': True})
    assert not failed
    estimate = result['estimate']
    assert estimate['source'] == 'model' and estimate['bytes'] == 117 << 20 and estimate['size'] == '117M'
    assert estimate['components']['modules_bytes'] == 1871872  # only the loaded modules the initrd holds
    assert result['ram_bytes'] == 1 << 30  # System RAM of the lab VM's /proc/iomem, rounded up to 128M
    assert 'kdump-config show has no suggested size (kdump-tools before 1:1.10)' in estimate['detail']


def test_estimate_model_without_a_listing_tool_or_root(patch_module, host):
    debian_host(host)
    host.put('/proc/iomem', fixture('verify/iomem-nonroot.txt'))
    os.truncate(str(host.put('/boot/vmlinuz-%s' % KVER, '')), 8 << 20)
    os.truncate(str(host.put('/var/lib/kdump/initrd.img-%s' % KVER, '')), 7 << 20)
    host.answers[('kdump-config', 'show')] = (0, fixture('verify/kdump-config-show-trixie-no-meminfo.txt'), '')
    result, _failed = run_module(kdump_verify.main, {'estimate': True})
    estimate = result['estimate']
    # 6 x 8M kernel + 7M initrd + 2 x 7M unpacked + 48M runtime
    assert estimate['bytes'] == (48 + 7 + 14 + 48) << 20
    assert "can't find early boot memory info" in estimate['detail']
    assert 'lsinitramfs -l not installed' in estimate['detail']
    assert 'kernel from the compressed image' in estimate['detail']


def test_estimate_rhel_from_kdumpctl_estimate(patch_module, host):
    rhel_host(host, 'path /var/crash\n')
    host.put('/boot/initramfs-5.14.0-427.el9.x86_64kdump.img', 'initrd', time.time())  # newer than kdump.conf
    host.answers[('kdumpctl', 'estimate')] = (0, fixture('verify/kdumpctl-estimate-model.txt'), '')
    result, _failed = run_module(kdump_verify.main, {'estimate': True})
    assert result['estimate']['bytes'] == 118 << 20 and result['estimate']['source'] == 'kdumpctl estimate'


def test_estimate_rhel_does_not_run_kdumpctl_on_a_stale_initrd(patch_module, host):
    """kdumpctl estimate would rebuild it: the model estimates instead, and says why."""
    rhel_host(host, 'path /var/crash\n')  # its initrd is older than kdump.conf
    host.put('/proc/iomem', fixture('verify/iomem-root.txt'))
    result, _failed = run_module(kdump_verify.main, {'estimate': True})
    assert ['kdumpctl', 'estimate'] not in host.calls
    assert result['estimate']['source'] == 'model'
    assert 'kdumpctl estimate not run: the capture initrd is stale' in result['estimate']['detail']


def test_estimate_in_a_container_is_nothing(patch_module, host):
    debian_host(host, armed=False)
    os.unlink(str(host.root / 'sys' / 'kernel' / 'kexec_crash_loaded'))
    result, _failed = run_module(kdump_verify.main, {'estimate': True})
    assert result['estimate']['bytes'] is None and 'no kexec' in result['estimate']['detail']
    assert ['kdump-config', 'show'] not in host.calls


# -- crash records -----------------------------------------------------------------------------

def test_every_dump_gets_a_crash_record_from_its_dmesg(patch_module, host):
    debian_host(host)
    host.put('/var/crash/202611261000/dump.202611261000', 'x' * 100)
    host.put('/var/crash/202611261000/dmesg.202611261000', 'no panic here\n')
    host.put('/var/crash/202611272350/dump.202611272350', 'x' * 2048)
    host.put('/var/crash/202611272350/dmesg.202611272350', fixture('verify/dmesg-sysrq-crash-6.1.txt'))
    host.put('/var/crash/202611280101/dump.202611280101', 'x')
    host.put('/var/crash/202611280101/dmesg.202611280101', fixture('crash/x86-null-deref-6.4-kdump-taint-WE.txt'))
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    crashes = dict((dump['path'], dump['crash']) for dump in result['dumps'])
    sysrq = crashes['/var/crash/202611272350']
    assert (sysrq['title'], sysrq['kind'], sysrq['guilty_frame']) == (
        'sysrq triggered crash', 'sysrq', 'sysrq_handle_crash')
    assert (sysrq['kernel'], sysrq['cpu'], sysrq['comm'], sysrq['source']) == (
        KVER, 1, 'sh', 'dmesg.202611272350')
    oops = crashes['/var/crash/202611280101']
    assert oops['title'] == 'BUG: kernel NULL pointer dereference in smc_llc_add_link_cont'
    assert oops['taint'] == 'WE' and oops['signature'] != sysrq['signature']
    quiet = crashes['/var/crash/202611261000']
    assert quiet['title'] == 'no crash report in the kernel log' and quiet['guilty_frame'] is None
    # dmesg files were read, nothing was run to read them
    assert not [call for call in host.calls if '--dump-dmesg' in call]


def test_dump_layout_reads_another_familys_dumps(patch_module, host):
    """A Debian host that is the SSH/NFS dump target of RHEL clients: dump_layout=rhel finds their dumps."""
    debian_host(host)
    host.put('/var/crash/10.0.0.7-2026-03-02-08:15:00/vmcore', 'x' * 100)
    host.put('/var/crash/10.0.0.7-2026-03-02-08:15:00/vmcore-dmesg.txt', fixture('verify/dmesg-sysrq-crash-6.1.txt'))
    host.put('/var/crash/202611272350/dump.202611272350', 'x')
    result, _failed = run_module(kdump_verify.main, {})
    assert result['family'] == 'debian'
    assert [dump['path'] for dump in result['dumps']] == ['/var/crash/202611272350']
    result, failed = run_module(kdump_verify.main, {'dump_layout': 'rhel'})
    assert not failed
    assert result['family'] == 'debian'  # the service and tools checked are still the host's own
    assert [dump['path'] for dump in result['dumps']] == ['/var/crash/10.0.0.7-2026-03-02-08:15:00']
    assert result['dumps'][0]['crash']['title'] == 'sysrq triggered crash'


def test_a_vmcore_without_dmesg_is_read_with_makedumpfile(patch_module, host, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda module, warning: warnings.append(warning))
    rhel_host(host, 'path /var/crash\n')
    host.put('/var/crash/127.0.0.1-2026-03-02-08:15:00/vmcore', 'KDUMP   \x01\x00compressed')
    host.put('/var/crash/127.0.0.1-2026-03-03-08:15:00/vmcore', 'KDUMP   \x01\x00compressed')
    host.put('/var/crash/127.0.0.1-2026-03-04-08:15:00/vmcore.flat', 'makedumpfile\x00flattened')
    outputs = []

    def dump_dmesg(core, output):
        outputs.append(output)
        if core.endswith('2026-03-03-08:15:00/vmcore'):
            return 1, '', 'read_vmcoreinfo: Invalid VMCOREINFO\n'
        with open(output, 'w') as handle:
            handle.write(fixture('crash/x86-soft-lockup-panic-btrfs.txt'))
        return 0, 'The dmesg log is saved to %s.\n' % output, ''
    host.dump_dmesg = dump_dmesg

    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    crashes = dict((os.path.basename(dump['path']), dump['crash']) for dump in result['dumps'])
    read = crashes['127.0.0.1-2026-03-02-08:15:00']
    assert read['title'] == 'BUG: soft lockup in btrfs_tree_unlock'
    assert read['source'] == 'makedumpfile --dump-dmesg'
    failed_read = crashes['127.0.0.1-2026-03-03-08:15:00']
    assert failed_read['title'] == 'no kernel log saved with the dump' and failed_read['source'] is None
    assert any('Invalid VMCOREINFO' in warning for warning in warnings)
    # a flattened stream is not handed to --dump-dmesg, and the temporary files are gone
    flat = crashes['127.0.0.1-2026-03-04-08:15:00']
    assert flat['title'] == 'no kernel log saved with the dump'
    dump_dmesg_calls = [call for call in host.calls if '--dump-dmesg' in call]
    assert len(dump_dmesg_calls) == 2
    assert all(call[2].endswith('/vmcore') and call[2].startswith(str(host.root)) for call in dump_dmesg_calls)
    assert outputs and not any(os.path.exists(path) for path in outputs)


def test_no_makedumpfile_means_no_crash_read_from_the_vmcore(patch_module, host):
    rhel_host(host, 'path /var/crash\n')
    host.tools.discard('makedumpfile')
    host.put('/var/crash/127.0.0.1-2026-03-02-08:15:00/vmcore', 'KDUMP   \x01\x00compressed')
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['dumps'][0]['crash']['title'] == 'no kernel log saved with the dump'


# --- faults: what the operator sees when a step of arming fails ------------------------------------------

JOURNAL = ('journalctl', '--unit', '%s', '--boot', '--lines', '30', '--no-pager', '--output', 'cat')


def journal(unit):
    return tuple(arg.replace('%s', unit) for arg in JOURNAL)


@pytest.mark.parametrize('family, unit, journal_fixture, reason', [
    # kdumpctl's derror lines (kdump-utils kdumpctl load_kdump) after kexec-tools' own message
    ('rhel', 'kdump', 'journal-kdump-el9-kexec-enomem.txt',
     'kexec_file_load failed: Cannot allocate memory; kdump: kexec: failed to load kdump kernel; '
     'kdump: Starting kdump: [FAILED]'),
    # kdump-config load: the unit is active (the init script exits 0) but nothing is loaded
    ('debian', 'kdump-tools', 'journal-kdump-tools-bookworm-load-failed.txt',
     'kexec_file_load failed: Cannot allocate memory; failed to load kdump kernel'),
])
def test_service_that_fails_to_load_the_capture_kernel_is_not_ready_with_the_journals_reason(
        patch_module, host, family, unit, journal_fixture, reason):
    if family == 'rhel':
        rhel_host(host, 'path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n')
        host.answers[('systemctl', 'is-active', 'kdump')] = (3, 'failed\n', '')
        host.answers[('kdumpctl', 'status')] = (3, '', fixture('verify/kdumpctl-status-not-operational.stderr'))
    else:
        debian_host(host)
        host.answers[('kdump-config', 'status')] = (0, 'current state   : Not ready to kdump\n', '')
    # the reservation is there, the capture kernel did not fit into it
    host.put('/sys/kernel/kexec_crash_loaded', '0\n')
    host.tools.add('journalctl')
    host.answers[journal(unit)] = (0, fixture('verify/' + journal_fixture), '')
    result, failed = run_module(kdump_verify.main, {})
    assert not failed
    assert result['ready'] is False and result['crash_kernel_loaded'] is False
    check = checks_by_name(result)['capture_kernel_loaded']
    assert check == {'name': 'capture_kernel_loaded', 'ok': False,
                     'detail': 'no capture kernel loaded (/sys/kernel/kexec_crash_loaded = 0); %s says: %s' % (unit, reason)}
    assert 'capture_kernel_loaded: ' + check['detail'] in result['reasons']
    assert list(journal(unit)) in host.calls


def test_a_loaded_capture_kernel_does_not_read_the_journal(patch_module, host):
    debian_host(host)
    host.tools.add('journalctl')
    run_module(kdump_verify.main, {})
    assert not any(call[0] == 'journalctl' for call in host.calls)


def test_makedumpfile_missing_is_a_failed_check_naming_it(patch_module, host):
    debian_host(host)
    host.tools.discard('makedumpfile')
    result, failed = run_module(kdump_verify.main, {})
    assert not failed and result['ready'] is False
    reason = [r for r in result['reasons'] if r.startswith('compression_supported: ')]
    assert reason == ['compression_supported: could not run: makedumpfile not found, cannot confirm zlib support; '
                      'makedumpfile is what writes the dump: install it (kdump-tools and kexec-tools depend on it)']


def test_rhel_ssh_target_timing_out_is_reported(patch_module, host):
    rhel_host(host, 'ssh kdump@10.0.0.9\nsshkey /root/.ssh/kdump_id_rsa\npath /srv/crash\n'
                    'core_collector makedumpfile -F -l --message-level 7 -d 31\n')
    base = ssh_server(host, 'kdump@10.0.0.9')
    host.answers[base + ('mkdir', '-p', '/srv/crash')] = (255, '', remote_fixture('ssh-timeout.err'))
    result, _failed = run_module(kdump_verify.main, {})
    assert result['ready'] is False
    assert ('remote_target: key_login: non-interactive login as kdump failed: the connection to port 22 timed out '
            '(ssh: ssh: connect to host 10.0.0.9 port 22: Connection timed out)') in result['reasons']


def test_rhel_nfs_server_unreachable_is_reported(patch_module, host, monkeypatch):
    rhel_host(host, 'nfs nfs.example.com:/export\npath /crash\n')
    # showmount cannot reach the MOUNT service, then the NFS port refuses: the server is down
    host.answers[('showmount', '-e', 'nfs.example.com')] = (
        1, '', 'clnt_create: RPC: Port mapper failure - Unable to receive: errno 111 (Connection refused)\n')

    def refuse(address, timeout=None):
        assert address == ('nfs.example.com', 2049)
        raise ConnectionRefusedError(111, 'Connection refused')
    monkeypatch.setattr(kdump_verify.socket, 'create_connection', refuse)
    result, _failed = run_module(kdump_verify.main, {})
    assert result['ready'] is False
    assert ('remote_target: nfs server nfs.example.com: TCP port 2049 unreachable ([Errno 111] Connection refused)'
            in result['reasons'])


# --- security: dumps readable by every user are a finding, on every family's layout --------------------------

@pytest.mark.parametrize('layout, dump_dir, files', [
    ('debian', '202612011002', ('dump.202612011002', 'dmesg.202612011002')),
    # made by the capture kernel with its own umask: <ip>-<date>, vmcore 0644
    ('rhel', '127.0.0.1-2026-12-01-10:02:11', ('vmcore', 'vmcore-dmesg.txt')),
    ('suse', '2026-12-01-10-02', ('vmcore', 'README.txt', 'dmesg.txt')),
])
def test_world_readable_dumps_are_a_finding_on_every_layout(patch_module, host, monkeypatch, layout, dump_dir, files):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda module, text: warnings.append(text))
    debian_host(host)
    os.chmod(str(host.root / 'var' / 'crash'), 0o755)
    for name in files:
        os.chmod(str(host.put('/var/crash/%s/%s' % (dump_dir, name), 'x')), 0o644)
    os.chmod(str(host.root / 'var' / 'crash' / dump_dir), 0o755)
    result, failed = run_module(kdump_verify.main, {'dump_layout': layout})
    assert not failed
    assert [dump['world_readable'] for dump in result['dumps']] == [sorted(files)]
    finding = ('dump /var/crash/%s is readable by every user of the host (%s): a dump holds the memory of the crashed '
               'kernel; make the dump directory root-only (chmod 0700)' % (dump_dir, ', '.join(sorted(files))))
    assert result['findings'] == [finding] and finding in warnings
    # root-only: the dump directory closed (files still 0644 inside) is no finding, nor is a 0700 dump path
    os.chmod(str(host.root / 'var' / 'crash' / dump_dir), 0o700)
    result, failed = run_module(kdump_verify.main, {'dump_layout': layout})
    assert result['findings'] == [] and result['dumps'][0]['world_readable'] == []
    os.chmod(str(host.root / 'var' / 'crash' / dump_dir), 0o755)
    os.chmod(str(host.root / 'var' / 'crash'), 0o700)
    result, failed = run_module(kdump_verify.main, {'dump_layout': layout})
    assert result['findings'] == []
    # one file readable by others is enough
    os.chmod(str(host.root / 'var' / 'crash'), 0o755)
    for name in files:
        os.chmod(str(host.root / 'var' / 'crash' / dump_dir / name), 0o600)
    os.chmod(str(host.root / 'var' / 'crash' / dump_dir / files[0]), 0o604)
    result, failed = run_module(kdump_verify.main, {'dump_layout': layout})
    assert result['dumps'][0]['world_readable'] == [files[0]]


def test_debian_capture_side_needs_no_rebuild_for_a_target_change(patch_module, host):
    debian_host(host)
    result, _failed = run_module(kdump_verify.main, {})
    assert result['capture_rebuild']['command'] is None
    assert 'from the root file system' in result['capture_rebuild']['detail']
    assert result['remote_target'] is None  # a local target: no ssh checks
