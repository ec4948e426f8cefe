# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import time

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _families, kdump_state

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'verify')
CRASH_DMESG = 'dmesg-sysrq-crash-6.1.txt'


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def layout(family):
    return _families.get(family).dump_layout


def write(path, content='', mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    if mtime is not None:
        os.utime(str(path), (mtime, mtime))
    return path


# -- sysfs / procfs -----------------------------------------------------------

def test_iomem_root_view_gives_the_crash_kernel_region():
    regions = kdump_state.parse_iomem_crash(fixture('iomem-root.txt'))
    assert regions == [(0x29000000, 0x38ffffff)]
    assert kdump_state.region_bytes(regions) == 256 * 1024 * 1024
    assert kdump_state.format_region(regions[0]) == '0x29000000-0x38ffffff'


def test_iomem_high_and_low_regions_are_both_found():
    regions = kdump_state.parse_iomem_crash(fixture('iomem-high-low.txt'))
    assert len(regions) == 2
    assert kdump_state.region_bytes(regions) == 256 * 1024 ** 2 + 512 * 1024 ** 2


@pytest.mark.parametrize('name, memtotal, reserved, expected', [
    # the lab VM (-m 1024): System RAM 0x1000-0x9fbff and 0x100000-0x3ffdbfff, 1023.4M, rounds up to 1G; read
    # while the reservation was shrunk live from 256M to 96M, so the 160M given back is a nested 'System RAM'
    # region (21000000-2affffff) that must not count twice
    ('iomem-bookworm-vm.txt', None, None, 1 << 30),
    # without addresses: MemTotal plus the reservation
    ('iomem-nonroot.txt', 745 << 20, 256 << 20, 1 << 30),
    ('iomem-nonroot.txt', 1900 << 20, 192 << 20, 2176 << 20),
    ('iomem-nonroot.txt', None, 256 << 20, None),
])
def test_kernel_ram_bytes_as_the_crashkernel_ranges_see_it(name, memtotal, reserved, expected):
    assert kdump_state.kernel_ram_bytes(fixture(name), memtotal, reserved) == expected


def test_iomem_non_root_view_has_no_usable_region():
    assert kdump_state.parse_iomem_crash(fixture('iomem-nonroot.txt')) == []


def test_meminfo_converts_kb_to_bytes():
    info = kdump_state.parse_meminfo(fixture('meminfo-1g.txt'))
    assert info['MemTotal'] == 999780 * 1024
    assert info['MemFree'] == 601212 * 1024
    assert info['HugePages_Total'] == 0


def test_fadump_on_cmdline():
    assert kdump_state.fadump_on_cmdline('root=/dev/sda2 fadump=on')
    assert not kdump_state.fadump_on_cmdline('root=/dev/sda2 fadump=off')


# -- dumps_since --------------------------------------------------------------

def test_parse_since_epoch_and_iso():
    assert kdump_state.parse_since('1767225600') == 1767225600.0
    assert kdump_state.parse_since(1767225600) == 1767225600.0
    assert kdump_state.parse_since('2026-01-01T00:00:00Z') == 1767225600.0
    assert kdump_state.parse_since('2026-01-01 01:00:00+01:00') == 1767225600.0
    assert kdump_state.parse_since(None) is None


def test_parse_since_rejects_garbage_naming_the_forms():
    with pytest.raises(ValueError, match='epoch seconds.*ISO 8601'):
        kdump_state.parse_since('yesterday')


# -- panic extraction -----------------------------------------------------------

def test_extract_panic_from_sysrq_crash():
    panic = kdump_state.extract_panic(fixture(CRASH_DMESG))
    lines = panic.splitlines()
    assert lines[0] == 'Kernel panic - not syncing: sysrq triggered crash'
    assert lines[1].startswith('CPU: 1 PID: 1234 Comm: sh')
    assert 'Call Trace:' in lines
    assert any('sysrq_handle_crash+0x16/0x20' in line for line in lines)
    assert not any(line.startswith('[') for line in lines)
    assert len(lines) == 12


def test_extract_panic_stops_at_end_of_trace():
    panic = kdump_state.extract_panic(fixture(CRASH_DMESG), max_lines=100)
    assert 'Kernel Offset' not in panic
    assert '</TASK>' not in panic
    assert panic.splitlines()[-1].startswith('R13:')


def test_extract_panic_falls_back_to_oops_line():
    panic = kdump_state.extract_panic(fixture('dmesg-null-deref-oops-only.txt'))
    assert panic.splitlines()[0] == 'BUG: kernel NULL pointer dereference, address: 0000000000000008'


def test_extract_panic_none_without_panic():
    assert kdump_state.extract_panic('[    0.000000] Linux version 6.1.0\n') is None
    assert kdump_state.extract_panic(None) is None


# -- dump discovery -------------------------------------------------------------

def build_rhel_tree(root):
    old, new = time.time() - 7200, time.time() - 60
    complete = root / '127.0.0.1-2026-11-27-23:41:52'
    write(complete / 'vmcore', 'x' * 1000, new)
    write(complete / 'vmcore-dmesg.txt', fixture(CRASH_DMESG), new)
    write(complete / 'kexec-dmesg.log', 'log', new)
    partial = root / '127.0.0.1-2026-11-27-21:40:00'
    write(partial / 'vmcore-incomplete', 'x' * 10, old)
    write(partial / 'vmcore-dmesg-incomplete.txt', fixture(CRASH_DMESG), old)
    (root / 'lost+found').mkdir()
    write(root / 'unrelated.txt', 'x')
    return old, new


def test_find_dumps_rhel_layout(tmp_path):
    build_rhel_tree(tmp_path)
    dumps = kdump_state.find_dumps(str(tmp_path), layout('rhel'))
    names = [os.path.basename(d['path']) for d in dumps]
    assert names == ['127.0.0.1-2026-11-27-23:41:52', '127.0.0.1-2026-11-27-21:40:00']
    newest, partial = dumps
    assert newest['complete'] is True
    assert newest['core'] == 'vmcore'
    assert newest['files'] == ['kexec-dmesg.log', 'vmcore', 'vmcore-dmesg.txt']
    assert newest['size_bytes'] == 1000 + len(fixture(CRASH_DMESG)) + 3
    assert newest['panic'].startswith('Kernel panic - not syncing: sysrq triggered crash')
    assert partial['complete'] is False
    assert partial['core'] == 'vmcore-incomplete'


def test_find_dumps_rhel_since_filters_older(tmp_path):
    old, new = build_rhel_tree(tmp_path)
    dumps = kdump_state.find_dumps(str(tmp_path), layout('rhel'), since=new - 30)
    assert len(dumps) == 1
    assert dumps[0]['complete'] is True
    assert kdump_state.find_dumps(str(tmp_path), layout('rhel'), since=new + 30) == []


def test_find_dumps_rhel_flat_vmcore_from_ssh_is_complete(tmp_path):
    write(tmp_path / '192.168.122.5-2026-11-27-10:11:12' / 'vmcore.flat', 'x')
    dumps = kdump_state.find_dumps(str(tmp_path), layout('rhel'))
    assert dumps[0]['complete'] is True
    assert dumps[0]['panic'] is None
    assert dumps[0]['dmesg'] is None


def test_find_dumps_debian_layout(tmp_path):
    old, new = time.time() - 86400, time.time() - 120
    write(tmp_path / '202611272341' / 'dump.202611272341', 'x' * 4096, new)
    write(tmp_path / '202611272341' / 'dmesg.202611272341', fixture(CRASH_DMESG), new)
    write(tmp_path / '202611262000' / 'dump-incomplete', 'x', old)
    write(tmp_path / 'kexec_cmd', '/sbin/kexec -p ...')
    write(tmp_path / 'linux-image-6.1.0-28-amd64-202611272341.crash', 'apport')
    dumps = kdump_state.find_dumps(str(tmp_path), layout('debian'))
    assert [d['complete'] for d in dumps] == [True, False]
    assert dumps[0]['core'] == 'dump.202611272341'
    assert dumps[0]['dmesg'] == 'dmesg.202611272341'
    assert 'sysrq triggered crash' in dumps[0]['panic'].splitlines()[0]
    assert dumps[1]['core'] == 'dump-incomplete'
    since = kdump_state.find_dumps(str(tmp_path), layout('debian'), since=new - 10)
    assert [os.path.basename(d['path']) for d in since] == ['202611272341']


def test_find_dumps_debian_compressed_and_remote_naming(tmp_path):
    write(tmp_path / '10.0.2.15-202611272341' / 'dump.202611272341.xz', 'x')
    dumps = kdump_state.find_dumps(str(tmp_path), layout('debian'))
    assert dumps[0]['complete'] is True
    assert dumps[0]['core'] == 'dump.202611272341.xz'


def test_find_dumps_debian_incomplete_next_to_dump(tmp_path):
    write(tmp_path / '202611272341' / 'dump.202611272341', 'x')
    write(tmp_path / '202611272341' / 'dump-incomplete.gz', 'x')
    assert kdump_state.find_dumps(str(tmp_path), layout('debian'))[0]['complete'] is False


def test_find_dumps_suse_layout(tmp_path):
    old, new = time.time() - 86400, time.time() - 30
    write(tmp_path / '2026-11-27-23-41' / 'vmcore', 'x' * 10, new)
    write(tmp_path / '2026-11-27-23-41' / 'README.txt', 'Kernel crashdump', new)
    write(tmp_path / '2026-11-27-23-41' / 'dmesg', fixture(CRASH_DMESG), new)
    write(tmp_path / '2026-11-20-08:00' / 'vmcore', 'x', old)  # kdump 1.x naming, README missing
    dumps = kdump_state.find_dumps(str(tmp_path), layout('suse'))
    assert [os.path.basename(d['path']) for d in dumps] == ['2026-11-27-23-41', '2026-11-20-08:00']
    assert dumps[0]['complete'] is True
    assert dumps[0]['panic'].startswith('Kernel panic - not syncing: sysrq triggered crash')
    assert dumps[1]['complete'] is False
    assert len(kdump_state.find_dumps(str(tmp_path), layout('suse'), since=new - 5)) == 1


def test_find_dumps_ignores_other_family_layouts(tmp_path):
    write(tmp_path / '202611272341' / 'dump.202611272341', 'x')
    assert kdump_state.find_dumps(str(tmp_path), layout('rhel')) == []
    assert kdump_state.find_dumps(str(tmp_path), layout('suse')) == []


def test_find_dumps_missing_directory(tmp_path):
    assert kdump_state.find_dumps(str(tmp_path / 'nope'), layout('debian')) == []


# -- size estimate and dump directory -----------------------------------------

def test_estimate_dump_level_31_compressed():
    info = kdump_state.parse_meminfo(fixture('meminfo-1g.txt'))
    assert kdump_state.estimate_dump_bytes(info, 31, 'zlib') == (999780 - 601212) * 1024 // 2


def test_estimate_worst_case_is_memtotal():
    info = kdump_state.parse_meminfo(fixture('meminfo-1g.txt'))
    assert kdump_state.estimate_dump_bytes(info, 0, 'none') == 999780 * 1024
    assert kdump_state.estimate_dump_bytes(info, None, None) == 999780 * 1024
    assert kdump_state.estimate_dump_bytes({}, 31, 'zlib') is None


def test_check_dump_dir(tmp_path):
    st = os.stat(str(tmp_path))
    missing = kdump_state.check_dump_dir('/var/crash', None)
    assert missing == (False, '/var/crash does not exist')
    os.chmod(str(tmp_path), 0o755)
    ok, detail = kdump_state.check_dump_dir('/var/crash', os.stat(str(tmp_path)))
    assert ok is (os.geteuid() == 0 and st.st_uid == 0)
    if os.geteuid() == 0:
        assert detail == '/var/crash exists, owned by root, mode 0755'
        os.chmod(str(tmp_path), 0o777)
        assert kdump_state.check_dump_dir('/var/crash', os.stat(str(tmp_path)))[0] is False
        os.chmod(str(tmp_path), 0o1777)
        assert kdump_state.check_dump_dir('/var/crash', os.stat(str(tmp_path)))[0] is True
    write(tmp_path / 'file')
    assert kdump_state.check_dump_dir('/x', os.stat(str(tmp_path / 'file')))[1] == '/x is not a directory'


# -- remote targets ---------------------------------------------------------------

def test_split_nfs_location():
    assert kdump_state.split_nfs_location('nfs.example.com:/export/crash') == ('nfs.example.com', '/export/crash')
    assert kdump_state.split_nfs_location('[fd00::5]:/crash') == ('fd00::5', '/crash')
    assert kdump_state.split_nfs_location('nfs://10.0.0.5/srv/crash') == ('10.0.0.5', '/srv/crash')


def test_export_listed():
    output = 'Export list for nfs.example.com:\n/export       10.0.0.0/8\n/srv/other    *\n'
    assert kdump_state.export_listed(output, '/export/crash')
    assert kdump_state.export_listed(output, '/export')
    assert not kdump_state.export_listed(output, '/exports')
    assert not kdump_state.export_listed(output, '/var/crash')


def test_ssh_check_argv_is_non_interactive():
    argv = kdump_state.ssh_check_argv('kdump@backup', '/root/.ssh/kdump_id_rsa')
    assert argv == ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-i', '/root/.ssh/kdump_id_rsa',
                    'kdump@backup', 'true']


def test_device_path():
    assert kdump_state.device_path('UUID=0f3a7c51') == '/dev/disk/by-uuid/0f3a7c51'
    assert kdump_state.device_path('LABEL=crash') == '/dev/disk/by-label/crash'
    assert kdump_state.device_path('/dev/vdb1') == '/dev/vdb1'


# -- SysRq -----------------------------------------------------------------------

def test_validate_sysrq_keys_allows_read_only_keys():
    assert kdump_state.validate_sysrq_keys(['m', 'w', 'm', 'l', 'p', 't']) == ['m', 'w', 'l', 'p', 't']
    assert kdump_state.validate_sysrq_keys([]) == []


@pytest.mark.parametrize('key, what', [
    ('c', 'crashes the kernel'), ('b', 'reboots'), ('o', 'powers the machine off'), ('e', 'SIGTERM'),
    ('i', 'SIGKILL'), ('f', 'OOM killer'), ('u', 'read-only'), ('s', 'syncs'),
])
def test_validate_sysrq_keys_refuses_destructive_keys(key, what):
    with pytest.raises(ValueError) as exc:
        kdump_state.validate_sysrq_keys(['m', key])
    message = str(exc.value)
    assert "diagnostics key '%s' refused" % key in message
    assert what in message
    assert 'l (show a backtrace of all active CPUs)' in message


@pytest.mark.parametrize('key', ['M', 'ml', '9', 'crash', ''])
def test_validate_sysrq_keys_refuses_anything_else(key):
    with pytest.raises(ValueError, match='refused: it is not one of the read-only SysRq keys'):
        kdump_state.validate_sysrq_keys([key])


def test_parse_kmsg_records_drops_headers_and_dictionary():
    lines = kdump_state.parse_kmsg_records([fixture('kmsg-sysrq-w.txt')])
    assert lines[0] == 'sysrq: Show Blocked State'
    assert lines[1].startswith('task:jbd2/vda1-8')
    assert 'SUBSYSTEM=block' not in '\n'.join(lines)
    assert lines[-1] == ' </TASK>'


def test_new_dmesg_lines():
    before = '[ 1.0] a\n[ 2.0] b\n'
    after = '[ 1.0] a\n[ 2.0] b\n[ 3.0] sysrq: Show Memory\n[ 3.1] Mem-Info:\n'
    assert kdump_state.new_dmesg_lines(before, after) == ['[ 3.0] sysrq: Show Memory', '[ 3.1] Mem-Info:']
    assert kdump_state.new_dmesg_lines('', 'x\n') == ['x']


# -- checks ----------------------------------------------------------------------

def armed_facts(**overrides):
    facts = {
        'container': None,
        'kexec_crash_loaded': 1,
        'fadump_registered': None,
        'crashkernel_running': '256M',
        'fadump_cmdline': False,
        'reserved_bytes': 256 * 1024 ** 2,
        'crash_regions': ['0x29000000-0x38ffffff'],
        'service': {'name': 'kdump-tools', 'enabled': True, 'active': True, 'enabled_state': 'enabled'},
        'initrd': {'path': '/var/lib/kdump/initrd.img-6.1.0-28-amd64', 'fresh': True, 'detail': 'fresh',
                   'candidates': ['/var/lib/kdump/initrd.img-6.1.0-28-amd64']},
        'target': {'type': 'local', 'location': None},
        'dump_path': '/var/crash',
        'dump_dir': (True, '/var/crash exists, owned by root, mode 0755'),
        'free_bytes': 2 * 1024 ** 3,
        'estimated_dump_bytes': 200 * 1024 ** 2,
        'remote': None,
        'compression': 'zlib',
        'supported_compressions': {'zlib', 'lzo', 'none'},
    }
    facts.update(overrides)
    return facts


def by_name(checks):
    return dict((check['name'], check) for check in checks)


def test_all_checks_pass_on_an_armed_host():
    checks = kdump_state.build_checks(armed_facts())
    assert [check['name'] for check in checks] == list(kdump_state.CHECK_NAMES)
    assert all(check['ok'] for check in checks), checks
    assert kdump_state.evaluate(checks, kdump_state.DEFAULT_REQUIRE) == (True, [])
    assert by_name(checks)['memory_reserved']['detail'] == \
        '256M reserved for the capture kernel at 0x29000000-0x38ffffff'


@pytest.mark.parametrize('overrides, name, detail', [
    ({'container': 'podman', 'kexec_crash_loaded': None}, 'kexec_supported', 'no kexec in container (podman)'),
    ({'kexec_crash_loaded': None}, 'kexec_supported', 'no kexec/kdump support'),
    ({'crashkernel_running': None, 'reserved_bytes': 0}, 'crashkernel_cmdline', 'no crashkernel= on the running'),
    ({'reserved_bytes': 0}, 'memory_reserved', 'crashkernel=256M is set but nothing is reserved'),
    ({'reserved_bytes': None}, 'memory_reserved', 'could not read /sys/kernel/kexec_crash_size'),
    ({'kexec_crash_loaded': 0}, 'capture_kernel_loaded', 'no capture kernel loaded'),
    ({'service': {'name': 'kdump-tools', 'enabled': False, 'active': True, 'enabled_state': 'disabled'}},
     'service_enabled', 'kdump-tools is disabled'),
    ({'service': {'name': 'kdump', 'enabled': None, 'active': None, 'enabled_state': None}},
     'service_enabled', 'could not run: systemctl not found'),
    ({'initrd': {'path': None, 'candidates': ['/var/lib/kdump/initrd.img-6.1.0-28-amd64']}},
     'capture_initrd', 'no kdump initrd found (looked for /var/lib/kdump/initrd.img-6.1.0-28-amd64)'),
    ({'initrd': {'path': '/boot/initramfs-5.14kdump.img', 'fresh': False, 'detail': 'older'}},
     'capture_initrd', '/boot/initramfs-5.14kdump.img: older'),
    ({'dump_dir': (False, '/var/crash does not exist')}, 'dump_dir', '/var/crash does not exist'),
    ({'free_bytes': 100 * 1024 ** 2}, 'free_space', '100M free, estimated dump size up to 200M'),
    ({'free_bytes': None}, 'free_space', 'could not determine free space'),
    ({'remote': (False, 'ssh kdump@backup failed non-interactively')}, 'remote_target', 'ssh kdump@backup failed'),
    ({'compression': 'zstd'}, 'compression_supported', 'zstd is configured but this makedumpfile lacks it'),
    ({'supported_compressions': None}, 'compression_supported', 'could not run: makedumpfile not found'),
])
def test_each_check_fails_with_a_readable_detail(overrides, name, detail):
    checks = kdump_state.build_checks(armed_facts(**overrides))
    check = by_name(checks)[name]
    assert check['ok'] is False
    assert detail in check['detail']
    ready, reasons = kdump_state.evaluate(checks, kdump_state.DEFAULT_REQUIRE)
    assert ready is False
    assert any(reason.startswith(name + ': ') and detail in reason for reason in reasons)


def test_unrequired_failures_do_not_block_ready():
    checks = kdump_state.build_checks(armed_facts(compression='zstd'))
    require = [name for name in kdump_state.CHECK_NAMES if name != 'compression_supported']
    assert kdump_state.evaluate(checks, require) == (True, [])


def test_remote_target_passes_and_local_checks_are_skipped_for_ssh():
    checks = by_name(kdump_state.build_checks(armed_facts(
        target={'type': 'ssh', 'location': 'kdump@backup'}, dump_dir=None, free_bytes=None,
        remote=(True, 'ssh kdump@backup works without a password'))))
    assert checks['remote_target']['ok'] is True
    assert checks['dump_dir']['ok'] is True
    assert 'not checked here: dumps go to the ssh target kdump@backup' in checks['free_space']['detail']


def test_fadump_counts_as_reservation_and_loaded():
    checks = by_name(kdump_state.build_checks(armed_facts(
        crashkernel_running=None, fadump_cmdline=True, kexec_crash_loaded=0, fadump_registered=1)))
    assert checks['crashkernel_cmdline']['ok'] is True
    assert checks['capture_kernel_loaded']['ok'] is True


def test_no_compression_always_supported():
    checks = by_name(kdump_state.build_checks(armed_facts(compression='none', supported_compressions=None)))
    assert checks['compression_supported']['ok'] is True


def test_debian_use_kdump_0_fails_service_enabled():
    facts = armed_facts(config_enabled=False, config_disabled_detail=_families.get('debian').disabled_detail)
    check = by_name(kdump_state.build_checks(facts))['service_enabled']
    assert check['ok'] is False
    assert 'USE_KDUMP is not 1' in check['detail']


def test_parse_kmsg_records_unescapes_multi_line_records():
    record = '6,900,1000,-;active_anon:56 inactive_anon:7763\\x0a active_file:8868 inactive_file:7367\n'
    assert kdump_state.parse_kmsg_records([record]) == ['active_anon:56 inactive_anon:7763',
                                                        ' active_file:8868 inactive_file:7367']
