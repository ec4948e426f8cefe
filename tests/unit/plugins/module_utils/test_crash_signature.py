# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crash titles, guilty frames and signatures of real-world kernel logs; fleet grouping."""

from __future__ import annotations

import calendar
import hashlib
import os
import re
import time

import pytest
import yaml

from ansible_collections.fleet.kdump.plugins.module_utils import _crash_signature as cs
from ansible_collections.fleet.kdump.plugins.module_utils import _families, kdump_state

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures')
CRASH = os.path.join(FIXTURES, 'crash')
SYSRQ_61 = '../verify/dmesg-sysrq-crash-6.1.txt'


def log(name):
    with open(os.path.join(CRASH, name), 'rb') as handle:
        return handle.read().decode('utf-8', 'surrogateescape')


def fixture_names():
    names = sorted(name for name in os.listdir(CRASH) if name.endswith('.txt'))
    return names + [SYSRQ_61, '../verify/dmesg-null-deref-oops-only.txt']


# file: (title, guilty frame, kernel release, taint letters, cpu, pid, comm, arch)
# Read off each log by hand: the report the dump is about, the function to blame, the CPU line.
EXPECTED = {
    'arm64-bad-mode-synchronous-abort-4.4.txt': (
        'Bad mode in Synchronous Abort handler in sched_clock', 'sched_clock', '4.4.0-rc8', '', 2, 0,
        'swapper/2', 'arm64'),
    'arm64-bad-page-state-armada.txt': (
        'BUG: Bad page state', 'skb_free_head', '5.15.0-75757-g09fce596f9cb', '', 0, 0, 'swapper/0', 'arm64'),
    'arm64-headless-trace-kill-idle-task-centos.txt': (
        'Kernel panic - not syncing: Attempted to kill the idle task!', '__alloc_pages_nodemask', None, None,
        None, None, None, 'arm64'),
    'arm64-kernel-bug-6.1-new-esr-elided.txt': (
        'kernel BUG in page_table_check_clear', 'page_table_check_clear', '6.1.0-rc3+', '', 6, 68, 'khugepaged',
        'arm64'),
    'arm64-kernel-bug-after-scheduling-while-atomic-ubuntu.txt': (
        'kernel BUG in vunmap', 'vunmap', '5.4.0-77-generic', 'W', 0, 531, 'kworker/0:4', 'arm64'),
    'arm64-kernel-bug-fatal-exception-4.19.txt': (
        'kernel BUG in clear_inode', 'clear_inode', '4.19.95', '', 1, 249, 'syz-executor.0', 'arm64'),
    'arm64-null-deref-module-O.txt': (
        'BUG: kernel NULL pointer dereference in faulty_write', 'faulty_write', '5.10.7', 'O', 0, 151, 'sh',
        'arm64'),
    'arm64-paging-request-kill-idle-task.txt': (
        'BUG: unable to handle page fault in efi_mem_reserve_persistent', 'efi_mem_reserve_persistent', '5.0.0',
        '', 0, 0, 'swapper/0', 'arm64'),
    'arm64-rcu-stall-then-soft-lockup-sles.txt': (
        'BUG: soft lockup in clear_page', 'clear_page', '5.3.18-59.27-default', 'L', 0, 34, 'khugepaged', 'arm64'),
    'arm64-serror-5.4-taint-S.txt': (
        'SError Interrupt in tmc_read_prepare_etb', 'tmc_read_prepare_etb', '5.4.30', 'S', 7, 2605, 'hexdump',
        'arm64'),
    'arm64-serror-6.19-frame-marks.txt': (
        'SError Interrupt in rzg2l_mipi_dsi_host_transfer', 'rzg2l_mipi_dsi_host_transfer',
        '6.19.0-rc4-arm64-renesas-00019-g067a81578add', 'M', 1, 1, 'systemd-shutdow', 'arm64'),
    'arm64-soft-lockup-panic-bare-symbols.txt': (
        'BUG: soft lockup in kick_all_cpus_sync', 'kick_all_cpus_sync', None, '', 3, 2524351, 'sshd', 'arm64'),
    'arm64-soft-lockup-panic-uart-prefix.txt': (
        'BUG: soft lockup', None, '5.15.0-1015-xilinx-zynqmp', 'OEL', 3, 1, 'systemd', 'arm64'),
    'arm64-stack-protector-probe.txt': (
        'stack-protector: Kernel stack is corrupted in edt_ft5x06_ts_probe', 'edt_ft5x06_ts_probe',
        '5.6.0-rc1-next-20200214+', '', 0, 5, 'kworker/0:0', 'arm64'),
    'arm64-sysrq-crash-5.0-O.txt': (
        'sysrq triggered crash', 'sysrq_handle_crash', '5.0.0', 'O', 0, 4064, 'sh', 'arm64'),
    'arm64-undefined-instruction-6.13-boot.txt': (
        'Internal error: undefined instruction in __cpuinfo_store_cpu', '__cpuinfo_store_cpu',
        '6.13.0-6.13-alt0.rc1', '', 0, 0, 'swapper', 'arm64'),
    'arm64-warning-syslog-prefix-pinephone.txt': (
        'WARNING in rcu_irq_exit', 'rcu_irq_exit', '5.7.19-4-danctnix', 'C', 2, 0, 'swapper/2', 'arm64'),
    'x86-divide-error-amdgpu-kdump-interleaved.txt': (
        'divide error in kfd_get_num_sdma_engines', 'kfd_get_num_sdma_engines', None, None, 124, 38435,
        'kworker/124:0', 'x86_64'),
    'x86-divide-error-cirrusfb.txt': (
        'divide error in cirrusfb_check_var', 'cirrusfb_check_var', '5.15.0-rc6', '', 0, 14938, 'cirrusfb_test',
        'x86_64'),
    'x86-double-fault-lkdtm-6.15.txt': (
        'PANIC: double fault in lkdtm_DOUBLE_FAULT', 'lkdtm_DOUBLE_FAULT', '6.15.0-rc6-next-20250516', '', 0, 200,
        'insmod', 'x86_64'),
    'x86-fatal-exception-in-interrupt-headless-remote-syslog.txt': (
        'Kernel panic - not syncing: Fatal exception in interrupt', None, None, None, None, None, None, 'x86_64'),
    'x86-gpf-non-canonical-6.12-truncated.txt': (
        'general protection fault in __list_del_entry_valid_or_report', '__list_del_entry_valid_or_report',
        '6.12.4-100.fc40.x86_64', 'PSWOE', 6, 687, 'dbu_evict', 'x86_64'),
    'x86-hard-lockup-caller-ids.txt': (
        'Watchdog detected hard LOCKUP in io_idle', 'io_idle', '6.12.34-cloudflare-2025.6.9', 'O', 33, 0,
        'swapper/33', 'x86_64'),
    'x86-hung-task-panic-ubuntu.txt': (
        'INFO: task hung in filemap_read', 'filemap_read', '5.15.0-46-generic', '', None, 77920, 'float_bessel',
        'x86_64'),
    'x86-kasan-null-ptr-deref-syzbot.txt': (
        'KASAN: null-ptr-deref in kvm_arch_check_processor_compat', 'kvm_arch_check_processor_compat',
        '5.7.0-syzkaller', '', 1, 8085, 'syz-executor.2', 'x86_64'),
    'x86-kernel-bug-xen-amzn2-interleaved.txt': (
        'kernel BUG in bind_evtchn_to_cpu', 'bind_evtchn_to_cpu', '5.10.201-191.748.amzn2.x86_64', '', 44, 375,
        'kworker/u257:23', 'x86_64'),
    'x86-list-corruption-kernel-bug-O.txt': (
        'BUG: corrupted list in io_issue_sqe', 'io_issue_sqe', '5.5.0-rc2stable+', 'O', 82, 7886, 'io_wqe_worker-0',
        'x86_64'),
    'x86-machine-check-fatal.txt': (
        'Kernel panic - not syncing: Fatal machine check', None, None, None, None, None, None, None),
    'x86-nmi-hpwdt-rhel7-OE.txt': (
        'Kernel panic - not syncing: 04: An NMI occurred', 'hpwdt_pretimeout', '3.10.0-1160.15.2.el7.x86_64', 'OE',
        0, 3397, 'packet-filter', 'x86_64'),
    'x86-null-deref-6.4-kdump-taint-WE.txt': (
        'BUG: kernel NULL pointer dereference in smc_llc_add_link_cont', 'smc_llc_add_link_cont', '6.4.0-rc3+',
        'WE', 5, 48, 'kworker/5:0', 'x86_64'),
    'x86-oom-deadlocked-on-memory-truncated.txt': (
        'Kernel panic - not syncing: System is deadlocked on memory', None, '5.10.35perf+', 'WOE', 3, 724,
        'systemd-userdbd', 'x86_64'),
    'x86-oom-panic-on-oom-sysrq-f.txt': (
        'Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled', None, '3.16.0-6-amd64',
        'CO', 1, 243, 'kworker/1:2', None),
    'x86-page-fault-5.4-kpagecount.txt': (
        'BUG: unable to handle page fault in kpagecount_read', 'kpagecount_read', '5.4.0-rc1-next-20191004+', '',
        0, 469, 'cat', 'x86_64'),
    'x86-paging-request-4.9-xen-pv-old-ip.txt': (
        'BUG: unable to handle page fault in __pv_queued_spin_lock_slowpath', '__pv_queued_spin_lock_slowpath',
        '4.9.0-coreos', '', 0, 4892, 'nslookup', 'x86_64'),
    'x86-panic-vfs-unable-to-mount-root.txt': (
        'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(2,0)', 'mount_block_root',
        '4.19.85-cip15+', '', 2, 1, 'swapper/0', 'x86_64'),
    'x86-rcu-stall-xfs-O-S.txt': (
        'INFO: rcu detected stall in test_clear_page_writeback', 'test_clear_page_writeback', '5.9.0-rc2', 'SO', 11,
        36509, 'kworker/11:0', 'x86_64'),
    'x86-soft-lockup-4.4-old-rip-truncated.txt': (
        'BUG: soft lockup in _raw_spin_unlock_irqrestore', '_raw_spin_unlock_irqrestore', '4.4.14-clouder5', 'PO',
        2, 4491, 'dbu_evict', 'x86_64'),
    'x86-soft-lockup-panic-btrfs.txt': (
        'BUG: soft lockup in btrfs_tree_unlock', 'btrfs_tree_unlock', '5.9.0-rc5+', 'L', 0, 10030, 'xfs_io',
        'x86_64'),
    'x86-stack-protector-syzbot-truncated.txt': (
        'stack-protector: Kernel stack is corrupted in writeback_single_inode', 'writeback_single_inode',
        '6.0.0-rc6-syzkaller-00291-g3db61221f4e8', '', 0, 6581, 'syz-executor.3', 'x86_64'),
    'x86-sysrq-crash-nested-kexec-oops.txt': (
        'sysrq triggered crash', 'sysrq_handle_crash', '6.17.0-rc7-next-20250923ce7f1a983b07', '', 0, 4235, 'bash',
        'x86_64'),
    'x86-sysrq-null-deref-4.7-loglevel.txt': (
        'sysrq triggered crash', 'sysrq_handle_crash', '4.7.0-coreos', '', 0, 1899, 'bash', 'x86_64'),
    'x86-warning-panic-on-warn-wx.txt': (
        'WARNING in note_page', 'note_page', '5.9.0-rc7+', '', 1, 1, 'swapper/0', 'x86_64'),
    SYSRQ_61: ('sysrq triggered crash', 'sysrq_handle_crash', '6.1.0-28-amd64', '', 1, 1234, 'sh', 'x86_64'),
    '../verify/dmesg-null-deref-oops-only.txt': (
        'BUG: kernel NULL pointer dereference', None, None, None, None, None, None, None),
}


def test_every_fixture_has_an_expectation_and_a_source():
    assert sorted(EXPECTED) == sorted(fixture_names())
    with open(os.path.join(CRASH, 'README.md')) as handle:
        readme = handle.read()
    for name in fixture_names():
        if not name.startswith('../'):
            row = re.search(r'^\| `%s` \| (.+) \|$' % re.escape(name), readme, re.MULTILINE)
            assert row and re.search(r'https?://|lore|commit', row.group(1)), name


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_title_guilty_frame_and_context(name):
    title, guilty, kernel, taint, cpu, pid, comm, arch = EXPECTED[name]
    crash = cs.parse_crash(log(name))
    assert crash['title'] == title
    assert crash['guilty_frame'] == guilty
    assert crash['kernel'] == kernel
    assert crash['taint'] == taint
    assert crash['tainted'] == (bool(taint) if taint is not None else None)
    assert (crash['cpu'], crash['pid'], crash['comm']) == (cpu, pid, comm)
    assert crash['arch'] == arch
    assert re.match(r'^[0-9a-f]{16}$', crash['signature'])
    if guilty:
        assert crash['frames'][0].split(' ')[0] == guilty or crash['kind'] in ('oom', 'machine_check')
        assert guilty in crash['excerpt']


def test_at_least_forty_distinct_crashes_over_both_architectures():
    crashes = [cs.parse_crash(log(name)) for name in fixture_names()]
    signatures = set(crash['signature'] for crash in crashes)
    assert len(signatures) == len(set(crash['title'] for crash in crashes)) >= 40
    kinds = set(crash['kind'] for crash in crashes)
    assert len(kinds) >= 20
    assert {crash['arch'] for crash in crashes} >= {'x86_64', 'arm64'}


def test_the_same_crash_on_four_kernels_and_two_architectures_has_one_signature():
    names = [SYSRQ_61, 'x86-sysrq-crash-nested-kexec-oops.txt', 'x86-sysrq-null-deref-4.7-loglevel.txt',
             'arm64-sysrq-crash-5.0-O.txt']
    crashes = [cs.parse_crash(log(name)) for name in names]
    assert len(set(crash['kernel'] for crash in crashes)) == 4
    assert set(crash['arch'] for crash in crashes) == {'x86_64', 'arm64'}
    assert set(crash['signature'] for crash in crashes) == {crashes[0]['signature']}
    assert crashes[0]['frames'] == ['sysrq_handle_crash', '__handle_sysrq', 'write_sysrq_trigger']


# -- the signature ignores what differs between two hosts hitting the same bug ---------------

def shift_timestamps(text):
    return re.sub(r'\[ *(\d+)\.(\d+)\]', lambda m: '[%12.6f]' % (float(m.group(1) + '.' + m.group(2)) + 4321.5),
                  text)


def other_numbers(text):
    """Other PIDs, CPU numbers, addresses, offsets and kernel build: what two hosts never share."""
    text = re.sub(r'\b(PID|pid): ?(\d+)', lambda m: '%s: %d' % (m.group(1), int(m.group(2)) + 17), text)
    text = re.sub(r'\bCPU: (\d+)', lambda m: 'CPU: %d' % (int(m.group(1)) + 3), text)
    text = re.sub(r'CPU#(\d+)', lambda m: 'CPU#%d' % (int(m.group(1)) + 3), text)
    text = re.sub(r'\b([0-9a-f]{16})\b', lambda m: '%016x' % (int(m.group(1), 16) ^ 0x5a5a5a5a), text)
    text = re.sub(r'\+0x([0-9a-f]+)/0x', lambda m: '+0x%x/0x' % (int(m.group(1), 16) + 2), text)
    text = re.sub(r'(\d+\.\d+\.\d+)(-\d+)', r'\1-99', text, count=1)
    return text


def without_timestamps(text):
    return re.sub(r'(?m)^(<\d>)?\[ *\d+\.\d+\] ?(?:\[ *[TC]\d+\] ?)?', '', text)


def as_syslog(text):
    return ''.join('Mar  7 01:02:03 host-17 kernel: %s\n' % line for line in without_timestamps(text).splitlines())


def as_journal_iso(text):
    return ''.join('2026-03-07T01:02:03+0100 host-17 kernel: %s\n' % line for line in text.splitlines())


def with_crlf(text):
    return text.replace('\n', '\r\n')


def with_loglevels(text):
    return ''.join('<4>%s\n' % line if line.startswith('[') else line + '\n' for line in text.splitlines())


@pytest.mark.parametrize('noise', [shift_timestamps, other_numbers, without_timestamps, as_syslog, as_journal_iso,
                                   with_crlf, with_loglevels], ids=lambda f: f.__name__)
def test_signature_ignores_timestamps_numbers_addresses_and_log_format(noise):
    for name in fixture_names():
        text = log(name)
        if noise in (as_syslog, as_journal_iso) and re.search(r'(?m)^[A-Z][a-z]{2} [ \d]\d ', text):
            continue  # already a syslog copy: two syslog prefixes on a line do not occur
        original, noisy = cs.parse_crash(text), cs.parse_crash(noise(text))
        assert (noisy['title'], noisy['signature']) == (original['title'], original['signature']), name


def test_a_different_guilty_function_is_a_different_crash():
    text = log('x86-soft-lockup-panic-btrfs.txt')
    original = cs.parse_crash(text)
    other = cs.parse_crash(text.replace('btrfs_tree_unlock', 'btrfs_tree_read_unlock'))
    assert other['guilty_frame'] == 'btrfs_tree_read_unlock'
    assert other['signature'] != original['signature']
    # the same guilty function reached from another caller is another signature too
    caller = cs.parse_crash(text.replace('btrfs_release_path', 'btrfs_free_path'))
    assert caller['title'] == original['title'] and caller['signature'] != original['signature']


def test_compiler_suffixes_do_not_split_a_crash():
    text = log(SYSRQ_61)
    assert '__handle_sysrq.cold+' in text
    plain = cs.parse_crash(text.replace('__handle_sysrq.cold+', '__handle_sysrq+'))
    assert plain['signature'] == cs.parse_crash(text)['signature']


# -- which report is the crash ---------------------------------------------------------------

def test_the_first_panic_wins_over_an_oops_in_the_capture_path():
    crash = cs.parse_crash(log('x86-sysrq-crash-nested-kexec-oops.txt'))
    assert crash['panic'] == 'Kernel panic - not syncing: sysrq triggered crash'
    assert 'early_set_pages_state' not in crash['frames']


def test_without_a_panic_an_oops_outranks_an_earlier_scheduling_bug():
    text = log('arm64-kernel-bug-after-scheduling-while-atomic-ubuntu.txt')
    assert text.index('scheduling while atomic') < text.index('kernel BUG at')
    assert cs.parse_crash(text)['kind'] == 'kernel_bug'
    # alone, the scheduling bug is the crash
    head = text[:text.index(' [qed_probe')]
    assert cs.parse_crash(head)['title'] == 'BUG: scheduling while atomic'


def test_sysrq_keys_other_than_crash_do_not_make_a_sysrq_crash():
    crash = cs.parse_crash(log('x86-oom-panic-on-oom-sysrq-f.txt'))
    assert crash['kind'] == 'oom' and crash['frames'] == []


def test_lines_of_other_cpus_do_not_enter_the_report():
    text = log('x86-hard-lockup-caller-ids.txt')
    only_cpu33 = '\n'.join(line for line in text.splitlines() if '[     C33]' in line or 'T1' in line)
    assert cs.parse_crash(only_cpu33)['signature'] == cs.parse_crash(text)['signature']
    assert 'Uhhuh' not in cs.parse_crash(text)['excerpt']


def test_hung_task_run_before_the_panic_takes_the_first_task():
    text = log('x86-hung-task-panic-ubuntu.txt')
    second = text.replace('float_bessel:77920', 'kworker/3:1:4242', 1)
    head, panic = second.split('[ 3750.943278]', 1)
    # a second blocked task printed by the same scan, then the panic
    doubled = head + head.replace('filemap_read', 'ext4_readdir') + '[ 3750.943278]' + panic
    crash = cs.parse_crash(doubled)
    assert crash['comm'] == 'kworker/3:1' and crash['guilty_frame'] == 'filemap_read'


def test_no_log_and_no_crash():
    assert cs.parse_crash(None)['title'] == cs.NO_DMESG_TITLE
    assert cs.parse_crash(None)['kind'] == 'no_dmesg'
    quiet = cs.parse_crash('[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)\n'
                           '[    1.000000] systemd[1]: Started Journal Service.\n')
    assert quiet['title'] == cs.NO_CRASH_TITLE and quiet['kernel'] == '6.1.0-28-amd64'
    assert quiet['signature'] == cs.parse_crash('')['signature']


@pytest.mark.parametrize('name', fixture_names())
def test_every_truncation_of_a_log_parses(name):
    lines = log(name).splitlines()
    for end in range(len(lines) + 1):
        crash = cs.parse_crash('\n'.join(lines[:end]))
        assert crash['title'] and crash['signature']
    for start in range(len(lines)):
        assert cs.parse_crash('\n'.join(lines[start:]))['title']


def test_undecodable_bytes_and_control_characters():
    text = log(SYSRQ_61).encode('utf-8').replace(b'Hardware name: QEMU', b'Hardware name: \xff\xfeQEMU')
    crash = cs.parse_crash(text.decode('utf-8', 'surrogateescape') + '\x00\x1b[0m\n')
    assert crash['title'] == 'sysrq triggered crash'


# -- grouping --------------------------------------------------------------------------------

def record(host, when, crash, path=None):
    epoch = calendar.timegm(time.strptime(when, '%Y-%m-%dT%H:%M:%SZ'))
    return {'host': host, 'path': path or '/var/crash/%s' % when, 'time': when, 'timestamp': epoch, 'crash': crash}


def test_group_crashes_counts_hosts_kernels_and_dates():
    sysrq = cs.parse_crash(log(SYSRQ_61))
    old_sysrq = cs.parse_crash(log('x86-sysrq-null-deref-4.7-loglevel.txt'))
    lockup = cs.parse_crash(log('x86-soft-lockup-panic-btrfs.txt'))
    groups = cs.group_crashes([
        record('b', '2026-03-02T00:00:00Z', sysrq), record('a', '2026-03-01T00:00:00Z', old_sysrq),
        record('c', '2026-01-01T00:00:00Z', lockup), record('b', '2026-03-03T00:00:00Z', sysrq),
        {'host': 'd', 'path': '/var/crash/x', 'time': None, 'crash': None},
    ])
    expected = [('sysrq triggered crash', 3), ('BUG: soft lockup in btrfs_tree_unlock', 1)]
    assert [(g['title'], g['count']) for g in groups] == expected
    first = groups[0]
    assert first['hosts'] == ['a', 'b']
    assert first['kernels'] == ['4.7.0-coreos', '6.1.0-28-amd64']
    assert (first['first_seen'], first['last_seen']) == ('2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z')
    assert first['example']['host'] == 'b' and first['example']['time'] == '2026-03-03T00:00:00Z'
    assert first['example']['panic'] == 'Kernel panic - not syncing: sysrq triggered crash'
    assert 'sysrq_handle_crash' in first['example']['excerpt']
    assert [d['time'] for d in first['dumps']] == ['2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z',
                                                   '2026-03-03T00:00:00Z']
    assert cs.group_crashes([]) == []


def build_fleet(root):
    """The fixture fleet laid out as each host's kdump tool writes it. Returns {host: (family, crash dir)}."""
    with open(os.path.join(FIXTURES, 'crash-fleet.yml')) as handle:
        fleet = yaml.safe_load(handle)
    layout = {}
    for dump in fleet['dumps']:
        family = fleet['hosts'][dump['host']]
        crash_dir = root / dump['host'] / 'var' / 'crash'
        layout[dump['host']] = (family, crash_dir)
        when = calendar.timegm(time.strptime(dump['time'], '%Y-%m-%dT%H:%M:%SZ'))
        if family == 'rhel':
            directory = crash_dir / ('127.0.0.1-%s' % time.strftime('%Y-%m-%d-%H:%M:%S', time.gmtime(when)))
            core, dmesg = directory / 'vmcore', directory / 'vmcore-dmesg.txt'
        else:
            stamp = time.strftime('%Y%m%d%H%M', time.gmtime(when))
            directory = crash_dir / stamp
            core, dmesg = directory / ('dump.%s' % stamp), directory / ('dmesg.%s' % stamp)
        directory.mkdir(parents=True)
        if dump['dmesg']:
            dmesg.write_text(log(dump['dmesg']))
        core.write_bytes(b'KDUMP   placeholder')
        os.utime(str(core), (when, when))
    return layout


def test_the_fixture_fleet_groups_exactly(tmp_path):
    layout = build_fleet(tmp_path)
    assert len(layout) >= 5 and {family for family, _crash_dir in layout.values()} == {'rhel', 'debian'}
    dumps = []
    for host, (family, crash_dir) in sorted(layout.items()):
        for dump in kdump_state.find_dumps(str(crash_dir), _families.get(family).dump_layout):
            text = None
            if dump['dmesg']:
                with open(os.path.join(dump['path'], dump['dmesg'])) as handle:
                    text = handle.read()
            dumps.append(dict(dump, host=host, crash=cs.parse_crash(text)))
    assert len(dumps) == 21
    groups = cs.group_crashes(dumps)
    summary = [(g['title'], g['count'], g['hosts'], g['first_seen'], g['last_seen']) for g in groups]
    assert summary == [
        ('sysrq triggered crash', 6, ['app1', 'build1', 'db1', 'db2', 'web1', 'web2'],
         '2026-03-01T22:40:11Z', '2026-03-05T13:30:30Z'),
        ('BUG: soft lockup in btrfs_tree_unlock', 4, ['build1', 'db1', 'db2'],
         '2026-02-10T03:12:45Z', '2026-02-20T04:00:01Z'),
        ('BUG: kernel NULL pointer dereference in smc_llc_add_link_cont', 3, ['app1', 'db2', 'web1'],
         '2026-01-15T12:00:00Z', '2026-01-17T09:45:10Z'),
        ('INFO: task hung in filemap_read', 3, ['app1', 'build1', 'web2'],
         '2026-02-01T01:01:00Z', '2026-02-03T03:03:03Z'),
        ('Kernel panic - not syncing: System is deadlocked on memory', 2, ['app1', 'build1'],
         '2026-01-05T05:05:05Z', '2026-01-06T06:06:00Z'),
        ('kernel BUG in bind_evtchn_to_cpu', 2, ['db1', 'db2'], '2025-12-24T18:00:00Z', '2025-12-25T18:00:00Z'),
        (cs.NO_DMESG_TITLE, 1, ['db1'], '2026-03-06T07:07:07Z', '2026-03-06T07:07:07Z'),
    ]
    sysrq = groups[0]
    assert sysrq['kernels'] == ['4.7.0-coreos', '5.0.0', '6.1.0-28-amd64', '6.17.0-rc7-next-20250923ce7f1a983b07']
    assert sysrq['example']['host'] == 'build1'
    assert sysrq['example']['path'].endswith('/build1/var/crash/127.0.0.1-2026-03-05-13:30:30')


def test_signature_is_the_documented_hash():
    """Signatures are compared across runs and versions: the algorithm in docs/triage.md must hold."""
    material = 'sysrq triggered crash\nsysrq_handle_crash\n__handle_sysrq\nwrite_sysrq_trigger'
    expected = hashlib.sha256(material.encode('utf-8')).hexdigest()[:16]
    assert cs.parse_crash(log(SYSRQ_61))['signature'] == expected
    with open(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'triage.md')) as handle:
        assert '`%s`' % expected in handle.read()
