# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""summarize_sysrq: what a non-destructive SysRq key printed, condensed for the report (real answers)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils._crash_signature import summarize_sysrq

SYSRQ = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'sysrq')


def answer(name):
    with open(os.path.join(SYSRQ, name)) as handle:
        return handle.read()


def test_blocked_tasks_none():
    assert summarize_sysrq('w', answer('debian12-6.1-w.txt')) == {
        'key': 'w', 'lines': 1, 'tasks': 0, 'states': {}, 'blocked': [], 'blocked_total': 0}


@pytest.mark.parametrize('name, blocked', [
    # SPL condition variables are wait plumbing: the waiter is ZFS's zio_wait
    ('x86-w-4.x-zfs-old-format.txt', [{'task': 'zed', 'pid': 5498, 'waiting_in': 'zio_wait'}]),
    # every frame '? ': read from the last wait frame on, stale '+0xN/0xN' pointers left out
    ('x86-w-3.x-unreliable-frames.txt', [{'task': 'compute2-f1_3', 'pid': 3937, 'waiting_in': 'generic_file_aio_read'}]),
    # cut before the trace: the task is still counted, where it waits is unknown
    ('arm64-w-6.x-truncated.txt', [{'task': 'kworker/u17:0', 'pid': 72, 'waiting_in': None}]),
])
def test_blocked_tasks_and_where_they_wait(name, blocked):
    summary = summarize_sysrq('w', answer(name))
    assert summary['blocked'] == blocked
    assert summary['blocked_total'] == summary['tasks'] == 1
    assert summary['states'] == {'D': 1}


def test_all_tasks_counted_by_state():
    summary = summarize_sysrq('t', answer('debian12-6.1-t.txt'))
    assert summary['tasks'] == 91
    assert summary['states'] == {'S': 35, 'I': 53, 'R': 3}
    assert summary['blocked'] == [] and summary['blocked_total'] == 0


def test_cpu_backtraces():
    summary = summarize_sysrq('l', answer('debian12-6.1-l.txt'))
    assert summary['cpus'] == [
        # the CPU that wrote the key shows the SysRq handler itself
        {'cpu': 0, 'comm': 'python3.11', 'function': '__handle_sysrq', 'idle': False},
        {'cpu': 1, 'comm': 'systemd-journal', 'function': 'native_queued_spin_lock_slowpath', 'idle': False},
    ]


def test_registers_from_proc_print_nothing():
    """'p' shows the registers an interrupt interrupted; written to /proc/sysrq-trigger there are none."""
    assert summarize_sysrq('p', answer('debian12-6.1-p.txt')) == {'key': 'p', 'lines': 1, 'cpus': []}


def test_memory():
    memory = summarize_sysrq('m', answer('debian12-6.1-m.txt'))['memory']
    assert memory == {
        'free_pages': 203503, 'active_anon_pages': 53, 'inactive_anon_pages': 7706, 'active_file_pages': 8617,
        'inactive_file_pages': 7228, 'unevictable_pages': 0, 'dirty_pages': 82, 'writeback_pages': 0,
        'slab_reclaimable_pages': 4379, 'slab_unreclaimable_pages': 4043, 'mapped_pages': 5975, 'shmem_pages': 109,
        'pagetables_pages': 186, 'swap_free_kb': 0, 'swap_total_kb': 0, 'ram_pages': 262010}


@pytest.mark.parametrize('key', ['l', 'm', 'p', 't', 'w'])
def test_unavailable_key_is_an_error(key):
    reason = 'unavailable: could not write /proc/sysrq-trigger (Read-only file system)'
    assert summarize_sysrq(key, reason) == {'key': key, 'error': reason, 'lines': 0}


@pytest.mark.parametrize('key', ['l', 'm', 'p', 't', 'w'])
def test_empty_answer(key):
    summary = summarize_sysrq(key, '')
    assert summary['lines'] == 0 and 'error' not in summary
