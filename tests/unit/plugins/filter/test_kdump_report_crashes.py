# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet.kdump.kdump_report: the fleet's crashes grouped by signature, SysRq diagnostics, analysis tools."""

from __future__ import annotations

import copy
import os

import yaml

from ansible_collections.fleet.kdump.plugins.filter.kdump_report import FilterModule
from ansible_collections.fleet.kdump.plugins.module_utils import _crash_signature as cs

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures')
with open(os.path.join(FIXTURES, 'report', 'results.yml')) as handle:
    RESULTS = yaml.safe_load(handle)

kdump_report = FilterModule().filters()['kdump_report']


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def verify_with_dumps(*dumps):
    """A kdump_verify result (the armed VM's) listing ``dumps``: (time, crash fixture or None)."""
    result = copy.deepcopy(RESULTS['verify_armed'])
    result['dumps'] = []
    for when, name in dumps:
        stamp = when.replace('-', '').replace('T', '').replace(':', '')[:12]
        result['dumps'].append({
            'path': '/var/crash/%s' % stamp, 'time': when, 'size_bytes': 1, 'complete': True,
            'dmesg': 'dmesg.%s' % stamp if name else None, 'core': 'dump.%s' % stamp, 'panic': None,
            'crash': cs.parse_crash(fixture(name) if name else None)})
    result['dumps'].sort(key=lambda dump: dump['time'], reverse=True)
    return result


SYSRQ = 'verify/dmesg-sysrq-crash-6.1.txt'
LOCKUP = 'crash/x86-soft-lockup-panic-btrfs.txt'
OOPS = 'crash/x86-null-deref-6.4-kdump-taint-WE.txt'


def test_crashes_group_every_dump_of_the_fleet_not_only_the_listed_ones():
    hostvars = {
        'web1': {'__kdump_verify': verify_with_dumps(
            ('2026-03-01T10:00:00Z', LOCKUP), ('2026-03-02T10:00:00Z', LOCKUP), ('2026-03-03T10:00:00Z', LOCKUP),
            ('2026-03-04T10:00:00Z', LOCKUP), ('2026-03-05T10:00:00Z', SYSRQ))},
        'web2': {'__kdump_verify': verify_with_dumps(('2026-02-01T00:00:00Z', LOCKUP), ('2026-02-02T00:00:00Z', OOPS))},
        'db1': {'__kdump_verify': verify_with_dumps(('2026-01-01T00:00:00Z', None))},
        'db2': {'__kdump_verify': verify_with_dumps()},
    }
    report = kdump_report(hostvars, ['web1', 'web2', 'db1', 'db2'])
    # The host record keeps the newest three dumps; the crash groups count all seven.
    web1 = report['hosts'][0]
    assert len(web1['dumps']) == 3
    assert web1['dumps'][0]['crash']['title'] == 'sysrq triggered crash'
    assert [(g['title'], g['count'], g['hosts']) for g in report['crashes']] == [
        ('BUG: soft lockup in btrfs_tree_unlock', 5, ['web1', 'web2']),
        ('BUG: kernel NULL pointer dereference in smc_llc_add_link_cont', 1, ['web2']),
        ('no kernel log saved with the dump', 1, ['db1']),
        ('sysrq triggered crash', 1, ['web1']),
    ]
    lockup = report['crashes'][0]
    assert (lockup['first_seen'], lockup['last_seen']) == ('2026-02-01T00:00:00Z', '2026-03-04T10:00:00Z')
    assert lockup['example']['host'] == 'web1' and lockup['example']['path'] == '/var/crash/202603041000'
    assert lockup['kernels'] == ['5.9.0-rc5+']
    summary = report['summary']
    assert (summary['dumps'], summary['crash_signatures'], summary['hosts_with_dumps']) == (8, 4, ['db1', 'web1', 'web2'])


def test_the_newest_verify_result_gives_the_dumps_and_a_host_without_results_none():
    hostvars = {'h1': {'__kdump_verify': verify_with_dumps(('2026-03-01T00:00:00Z', LOCKUP)),
                       '__kdump_crash_verify': verify_with_dumps(('2026-03-05T00:00:00Z', SYSRQ))}}
    report = kdump_report(hostvars, ['h1', 'gone'])
    assert [g['title'] for g in report['crashes']] == ['sysrq triggered crash']
    assert report['summary']['dumps'] == 1


def test_no_dumps_no_crashes():
    report = kdump_report({'h1': {'__kdump_verify': RESULTS['verify_container']}}, ['h1'])
    assert report['crashes'] == [] and report['summary']['crash_signatures'] == 0


def test_diagnostics_are_summarised_per_key():
    diagnose = copy.deepcopy(RESULTS['verify_armed'])
    blocked = fixture('crash/x86-hung-task-panic-ubuntu.txt').split('[ 3750.943278]')[0]
    diagnose['diagnostics'] = {
        'w': '[ 3748.400000] sysrq: Show Blocked State\n' + blocked,
        'p': 'unavailable: could not write /proc/sysrq-trigger (Read-only file system)',
        'l': fixture('crash/x86-hard-lockup-caller-ids.txt'),
    }
    record = kdump_report({'h1': {'__kdump_diagnose': diagnose}}, ['h1'])['hosts'][0]
    assert record['state'] == 'armed'  # a diagnose run's kdump_verify result is a verify result too
    w = record['diagnostics']['w']
    assert (w['tasks'], w['blocked_total']) == (1, 1)
    assert w['blocked'] == [{'task': 'float_bessel', 'pid': 77920, 'waiting_in': 'filemap_read'}]
    assert w['excerpt'].splitlines()[0].endswith('sysrq: Show Blocked State')
    assert record['diagnostics']['p']['error'].startswith('unavailable: could not write')
    cpus = record['diagnostics']['l']['cpus']
    assert {'cpu': 33, 'comm': 'swapper/33', 'function': 'io_idle', 'idle': False} in cpus


def test_analysis_tools_are_reported_when_requested():
    tools = {'kernel': '6.1.0-28-amd64', 'packages': ['crash', 'linux-image-6.1.0-28-amd64-dbg'],
             'missing': ['linux-image-6.1.0-28-amd64-dbg'], 'installed': [], 'check_mode': True, 'error': None}
    report = kdump_report({'h1': {'__kdump_verify': RESULTS['verify_armed'], '__kdump_analysis_tools': tools},
                           'h2': {'__kdump_verify': RESULTS['verify_armed']}}, ['h1', 'h2'])
    assert report['hosts'][0]['analysis_tools'] == tools
    assert report['hosts'][1]['analysis_tools'] is None and report['hosts'][1]['diagnostics'] == {}
