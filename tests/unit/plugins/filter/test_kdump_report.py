# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet.kdump.kdump_report: every host state and crash test outcome, from registered results."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping

import pytest
import yaml

from ansible_collections.fleet.kdump.plugins.filter.kdump_report import FilterModule
from ansible_collections.fleet.kdump.plugins.plugin_utils._kdump_report import RESULT_VARS

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'report', 'results.yml')
with open(FIXTURES) as handle:
    RESULTS = yaml.safe_load(handle)

kdump_report = FilterModule().filters()['kdump_report']


def r(name):
    return copy.deepcopy(RESULTS[name])


def record_of(host_vars, kdump_state='present'):
    report = kdump_report({'h1': host_vars}, ['h1'], kdump_state=kdump_state)
    assert [record['host'] for record in report['hosts']] == ['h1']
    return report['hosts'][0]


NO_VERIFY = 'no kdump_verify result: host unreachable, failed or not run'
CONTAINER_REASONS = RESULTS['verify_container']['reasons']
PENDING_REASONS = RESULTS['verify_before_reboot']['reasons']

# (host variables, play's kdump_state) -> state, reboot_pending, rebooted, errors
STATE_CASES = [
    pytest.param({'__kdump_verify': r('verify_armed'), '__kdump_reserve': r('reserve_active')}, 'present',
                 'armed', False, False, [], id='armed'),
    pytest.param({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending'),
                  '__kdump_reboot': r('skipped'), '__kdump_reboot_verify': r('skipped')}, 'present',
                 'reboot_pending', True, False, PENDING_REASONS, id='reboot-pending'),
    pytest.param({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending'),
                  '__kdump_reboot': r('reboot_done'), '__kdump_reboot_verify': r('verify_armed')}, 'present',
                 'armed', False, True, [], id='armed-after-reboot'),
    pytest.param({'__kdump_verify': r('verify_container'), '__kdump_reserve': r('reserve_active')}, 'present',
                 'not_armed', False, False, CONTAINER_REASONS, id='not-armed-container'),
    pytest.param({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_active')}, 'present',
                 'not_armed', False, False, PENDING_REASONS, id='not-armed-no-reboot-needed'),
    pytest.param({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending'),
                  '__kdump_reboot': r('reboot_done'), '__kdump_reboot_verify': r('verify_before_reboot')}, 'present',
                 'not_armed', False, True, PENDING_REASONS, id='not-armed-after-reboot'),
    pytest.param({'__kdump_verify': r('verify_before_reboot')}, 'absent',
                 'disabled', False, False, PENDING_REASONS, id='disabled-by-play'),
    pytest.param({'__kdump_verify': r('verify_armed'), 'kdump_state': 'absent'}, 'present',
                 'disabled', False, False, [], id='disabled-by-host'),
    pytest.param({'__kdump_verify': r('verify_armed'), 'kdump_state': 'present'}, 'absent',
                 'armed', False, False, [], id='host-state-overrides-play'),
    pytest.param({}, 'present', 'unknown', False, False, [NO_VERIFY], id='unknown-unreachable'),
    pytest.param({'__kdump_verify': r('skipped'), '__kdump_reserve': r('reserve_pending')}, 'present',
                 'unknown', True, False, [NO_VERIFY], id='unknown-verify-skipped'),
    pytest.param({}, 'absent', 'unknown', False, False, [NO_VERIFY], id='unknown-beats-disabled'),
    pytest.param({'__kdump_verify': r('verify_container'), '__kdump_canary_failure': r('canary_failure')}, 'present',
                 'not_armed', False, False, CONTAINER_REASONS + ['canary: ' + RESULTS['canary_failure']['msg']],
                 id='not-armed-canary-failed'),
]


@pytest.mark.parametrize('host_vars, kdump_state, state, reboot_pending, rebooted, errors', STATE_CASES)
def test_state(host_vars, kdump_state, state, reboot_pending, rebooted, errors):
    record = record_of(host_vars, kdump_state)
    assert record['state'] == state
    assert record['reboot_pending'] is reboot_pending
    assert record['rebooted'] is rebooted
    assert record['errors'] == errors


def test_newest_verify_result_wins():
    """After a crash test the post-crash kdump_verify is the one reported, not the plain one before it."""
    host_vars = {'__kdump_verify': r('verify_before_reboot'), '__kdump_reboot_verify': r('skipped'),
                 '__kdump_crash_ready': r('verify_armed'), '__kdump_crash_verify': r('verify_after_crash')}
    record = record_of(host_vars)
    assert record['state'] == 'armed'
    assert [d['path'] for d in record['dumps']] == ['/var/crash/202611280102']
    del host_vars['__kdump_crash_verify']
    assert [d['path'] for d in record_of(host_vars)['dumps']][0] == '/var/crash/202611272341'


def test_record_fields_come_from_verify_and_reserve():
    record = record_of({'__kdump_verify': r('verify_armed'), '__kdump_reserve': r('reserve_active')})
    assert record == {
        'host': 'h1', 'canary_failure': None, 'family': 'debian', 'state': 'armed', 'ready': True,
        'crashkernel_running': '192M', 'crashkernel_configured': '192M', 'reserved_bytes': 201326592,
        'crash_kernel_loaded': True, 'reboot_pending': False, 'rebooted': False, 'container': False,
        'service': {'active': True, 'enabled': True, 'name': 'kdump-tools'}, 'dump_path': '/var/crash',
        'free_bytes': 4023193600, 'failed_checks': [], 'remote_target_failure': None,
        'dumps': [
            {'path': '/var/crash/202611272341', 'time': '2026-11-27T23:41:52Z', 'size_bytes': 48234496, 'complete': True,
             'panic': 'Kernel panic - not syncing: sysrq triggered crash\nCPU: 0 PID: 1234 Comm: sh', 'crash': None},
            {'path': '/var/crash/202611262341', 'time': '2026-11-26T23:41:52Z', 'size_bytes': 1024, 'complete': False,
             'panic': None, 'crash': None},
            # No panic key at all (a dump without dmesg): reported as null.
            {'path': '/var/crash/202611252341', 'time': '2026-11-25T23:41:52Z', 'size_bytes': 48234496, 'complete': True,
             'panic': None, 'crash': None},
        ],
        'crash_test': {'status': 'not_run', 'detail': ''}, 'rollout': {'status': 'not_run', 'detail': ''},
        'calibration': None, 'calibration_refusal': None,
        'calibration_failure': None, 'errors': [],
        # Neither an analysis tools result nor SysRq diagnostics were registered for this host.
        'analysis_tools': None, 'diagnostics': {}}


def test_family_is_what_kdump_verify_detected():
    assert record_of({'__kdump_verify': r('verify_container')})['family'] == 'debian'
    assert record_of({})['family'] is None


def test_failed_checks_name_the_failed_ones_in_order():
    record = record_of({'__kdump_verify': r('verify_container')})
    assert record['failed_checks'] == ['kexec_supported', 'crashkernel_cmdline', 'memory_reserved', 'capture_kernel_loaded']


CRASH_MSG = {name: RESULTS[name]['msg'] for name in ('crash_passed', 'crash_assert_failed', 'crash_refused')}
CRASHED_WITHOUT_DUMP = 'the host was crashed but no dump was verified (it did not come back in time?)'
CANARY = {'__kdump_verify': r('verify_armed'), '__kdump_crash_ready': r('verify_armed')}

# crash test results on a canary -> status, detail
CRASH_CASES = [
    pytest.param({'__kdump_crash_trigger': r('crash_trigger_started'), '__kdump_crash_verify': r('verify_after_crash'),
                  '__kdump_crash_result': r('crash_passed')}, 'passed', CRASH_MSG['crash_passed'], id='passed'),
    pytest.param({'__kdump_crash_trigger': r('crash_trigger_started'), '__kdump_crash_verify': r('verify_after_crash'),
                  '__kdump_crash_result': r('crash_assert_failed'), '__kdump_canary_failure': r('canary_failure')},
                 'failed', CRASH_MSG['crash_assert_failed'], id='failed-dump-check'),
    pytest.param({'__kdump_crash_trigger': r('crash_trigger_started'), '__kdump_canary_failure': r('canary_failure')},
                 'failed', CRASHED_WITHOUT_DUMP, id='failed-never-came-back'),
    pytest.param({'__kdump_crash_refusal': r('crash_refused'), '__kdump_crash_trigger': r('skipped')},
                 'refused', CRASH_MSG['crash_refused'], id='refused'),
    pytest.param({'__kdump_crash_refusal': r('skipped'), '__kdump_crash_trigger': r('skipped')},
                 'not_run', '', id='not-run-refusal-skipped'),
    pytest.param({'__kdump_crash_result': r('skipped')}, 'not_run', '', id='not-run-result-skipped'),
    pytest.param({}, 'not_run', '', id='not-run-never-requested'),
]


@pytest.mark.parametrize('results, status, detail', CRASH_CASES)
def test_crash_test(results, status, detail):
    host_vars = dict(copy.deepcopy(CANARY), **results)
    assert record_of(host_vars)['crash_test'] == {'status': status, 'detail': detail}


def test_a_canary_crashed_and_not_back_is_unknown_whatever_it_was_before_the_crash():
    """The wait after the crash timed out: the verification from before the crash (armed) no longer tells."""
    host_vars = dict(copy.deepcopy(CANARY), __kdump_crash_trigger=r('crash_trigger_started'),
                     __kdump_canary_failure=r('canary_failure'))
    record = record_of(host_vars)
    assert record['state'] == 'unknown'
    assert record['errors'] == ['crash test: ' + CRASHED_WITHOUT_DUMP, 'canary: ' + RESULTS['canary_failure']['msg']]
    passed = record_of(dict(copy.deepcopy(CANARY), __kdump_crash_trigger=r('crash_trigger_started'),
                            __kdump_crash_verify=r('verify_after_crash'), __kdump_crash_result=r('crash_passed')))
    assert passed['state'] == 'armed' and passed['errors'] == []


def test_an_unreachable_canary_is_unknown_with_the_reason_crash_test_yml_recorded():
    """crash_test.yml turns an unreachable canary into a failure its rescue records as __kdump_canary_failure."""
    record = record_of({'__kdump_canary_failure': r('canary_unreachable')})
    assert record['state'] == 'unknown' and record['crash_test'] == {'status': 'not_run', 'detail': ''}
    assert record['canary_failure'] == RESULTS['canary_unreachable']['msg']
    assert record['errors'] == [NO_VERIFY, 'canary: ' + RESULTS['canary_unreachable']['msg']]


STOPPED = ('The rollout stopped after 1 of 4 hosts: 1 failed (h2), 100.0% of the hosts reached, above '
           'kdump_max_fail_percentage 0%; not rolled out: h3, h4, h5.')

# site.yml's Rollout play: (host variables) -> rollout status, detail, the error the record adds
ROLLOUT_CASES = [
    pytest.param({'__kdump_verify': r('verify_container')}, 'not_run', '', None, id='not-in-a-rollout'),
    pytest.param({'__kdump_verify': r('verify_container'), '__kdump_rollout_reached': True, '__kdump_reboot': r('skipped')},
                 'done', '', None, id='done-nothing-to-reboot'),
    pytest.param({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending'),
                  '__kdump_rollout_reached': True, '__kdump_rollout_failure': r('rollout_reboot_timed_out')},
                 'failed', RESULTS['rollout_reboot_timed_out']['msg'],
                 'rollout failed: ' + RESULTS['rollout_reboot_timed_out']['msg'], id='reboot-did-not-come-back'),
    pytest.param({'__kdump_verify': r('verify_container'), '__kdump_rollout_reached': True,
                  '__kdump_rollout_failure': r('rollout_unreachable')},
                 'failed', RESULTS['rollout_unreachable']['msg'], 'rollout failed: ' + RESULTS['rollout_unreachable']['msg'],
                 id='unreachable'),
    pytest.param({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending'),
                  '__kdump_rollout_not_reached': STOPPED},
                 'not_reached', STOPPED, 'not rolled out: ' + STOPPED, id='stopped-before-its-batch'),
    # The rollout stopped while the host was in the last batch (the mark is set first): it was reached.
    pytest.param({'__kdump_verify': r('verify_container'), '__kdump_rollout_reached': True,
                  '__kdump_rollout_not_reached': STOPPED}, 'done', '', None, id='reached-wins'),
    pytest.param({'__kdump_verify': r('verify_container'), '__kdump_rollout_not_reached': ''}, 'not_run', '', None,
                 id='empty-reason-is-no-reason'),
]


@pytest.mark.parametrize('host_vars, status, detail, error', ROLLOUT_CASES)
def test_rollout(host_vars, status, detail, error):
    record = record_of(host_vars)
    assert record['rollout'] == {'status': status, 'detail': detail}
    rollout_errors = [e for e in record['errors'] if e.startswith(('rollout failed: ', 'not rolled out: '))]
    assert rollout_errors == ([error] if error else [])


def test_a_failed_or_not_reached_rollout_keeps_the_host_state():
    """The rollout record says what happened; the state still comes from the newest kdump_verify."""
    pending = record_of({'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending'),
                         '__kdump_rollout_not_reached': STOPPED})
    assert pending['state'] == 'reboot_pending' and pending['reboot_pending']
    failed = record_of({'__kdump_rollout_reached': True, '__kdump_rollout_failure': r('rollout_unreachable')})
    assert failed['state'] == 'unknown'
    assert failed['errors'] == [NO_VERIFY, 'rollout failed: ' + RESULTS['rollout_unreachable']['msg']]


def test_summary_lists_failed_and_not_reached_rollouts():
    hostvars = {
        'h1': {'__kdump_verify': r('verify_container'), '__kdump_rollout_reached': True},
        'h2': {'__kdump_verify': r('verify_container'), '__kdump_rollout_reached': True,
               '__kdump_rollout_failure': r('rollout_reboot_timed_out')},
        'h3': {'__kdump_verify': r('verify_container'), '__kdump_rollout_not_reached': STOPPED},
        'h4': {'__kdump_verify': r('verify_container'), '__kdump_rollout_not_reached': STOPPED},
        'canary': {'__kdump_verify': r('verify_container'), '__kdump_canary_reached': True},
    }
    summary = kdump_report(hostvars, ['canary', 'h1', 'h2', 'h3', 'h4'])['summary']
    assert summary['rollouts_failed'] == ['h2']
    assert summary['rollouts_not_reached'] == ['h3', 'h4']


def test_summary_counts_states_memory_and_crash_tests():
    hostvars = {
        'armed': {'__kdump_verify': r('verify_armed')},
        'passed': dict(copy.deepcopy(CANARY), __kdump_crash_verify=r('verify_after_crash'), __kdump_crash_result=r('crash_passed')),
        'pending': {'__kdump_verify': r('verify_before_reboot'), '__kdump_reserve': r('reserve_pending')},
        'container': {'__kdump_verify': r('verify_container'), '__kdump_crash_refusal': r('crash_refused')},
        'off': {'__kdump_verify': r('verify_armed'), 'kdump_state': 'absent'},
        'lost': dict(copy.deepcopy(CANARY), __kdump_crash_trigger=r('crash_trigger_started')),
        'silent': {},
    }
    # 'gone' is a target that is not in hostvars at all (removed from the inventory mid-run).
    order = ['silent', 'armed', 'pending', 'container', 'off', 'passed', 'lost', 'gone']
    report = kdump_report(hostvars, order)
    assert [record['host'] for record in report['hosts']] == order
    assert report['summary'] == {
        # 'lost' was armed before its crash and has not been heard from since: unknown
        'hosts': 8, 'armed': 2, 'reboot_pending': 1, 'not_armed': 1, 'disabled': 1, 'unknown': 3,
        # reserved_bytes null (container) and missing (unknown) count as 0
        'reserved_bytes_total': 4 * 201326592,
        'crash_tests_passed': ['passed'], 'crash_tests_failed': ['lost'], 'crash_tests_refused': ['container'],
        'rollouts_failed': [], 'rollouts_not_reached': [],
        'not_armed_hosts': ['silent', 'pending', 'container', 'lost', 'gone'],
        # every dump on every host; the results carry no crash records, so no signatures
        'dumps': 13, 'crash_signatures': 0, 'hosts_with_dumps': ['armed', 'lost', 'off', 'passed'],
    }


def test_empty_fleet():
    assert kdump_report({}, []) == {'summary': {
        'hosts': 0, 'armed': 0, 'reboot_pending': 0, 'not_armed': 0, 'disabled': 0, 'unknown': 0, 'reserved_bytes_total': 0,
        'crash_tests_passed': [], 'crash_tests_failed': [], 'crash_tests_refused': [], 'rollouts_failed': [],
        'rollouts_not_reached': [], 'not_armed_hosts': [],
        'dumps': 0, 'crash_signatures': 0, 'hosts_with_dumps': []}, 'hosts': [], 'crashes': [],
        'calibration': {'hosts': [], 'kernels': [], 'kdump_crashkernel': None, 'kdump_crashkernel_tiers': [], 'notes': []}}


M = 1 << 20
G = 1 << 30


def calibration_record(host, ram, recommended, status='complete'):
    return {'host': host, 'status': status, 'complete': status == 'complete', 'kernel': '6.1.0-28-amd64', 'ram_bytes': ram,
            'minimum': recommended * 4 // 5 if recommended else None, 'recommended': recommended,
            'recommended_size': '%dM' % (recommended // M) if recommended else None, 'steps': []}


def test_calibrations_are_in_the_host_records_and_give_the_fleet_value():
    hostvars = {
        'c1': {'__kdump_verify': r('verify_armed'), '__kdump_calibration': calibration_record('c1', G, 160 * M)},
        'c2': {'__kdump_verify': r('verify_armed'), '__kdump_calibration': calibration_record('c2', 2 * G, 176 * M)},
        'c3': {'__kdump_verify': r('verify_armed'), '__kdump_calibration': calibration_record('c3', 2 * G, None, 'stopped')},
        'web': {'__kdump_verify': r('verify_armed')},
    }
    report = kdump_report(hostvars, ['c1', 'c2', 'c3', 'web'])
    assert [record['calibration'] and record['calibration']['status'] for record in report['hosts']] == [
        'complete', 'complete', 'stopped', None]
    assert report['calibration']['kdump_crashkernel'] == 'tiers'
    assert report['calibration']['kdump_crashkernel_tiers'] == [{'min_ram': '0', 'size': '160M'},
                                                                {'min_ram': '2G', 'size': '176M'}]
    assert report['calibration']['hosts'] == ['c1', 'c2']
    one = kdump_report({'c1': hostvars['c1'], 'web': hostvars['web']}, ['c1', 'web'])
    assert one['calibration']['kdump_crashkernel'] == '160M' and one['calibration']['kdump_crashkernel_tiers'] == []


def test_a_refused_or_failed_calibration_is_in_the_host_record_and_not_in_the_fleet_value():
    """calibrate.yml: the role's refusal and the playbook's rescue record; neither is a calibration to apply."""
    hostvars = {
        # the mistyped phrase on a container: the role refuses, then fails the canary, calibrate.yml records it
        'refused': {'__kdump_verify': r('verify_container'), '__kdump_calibrate_ready': r('verify_container'),
                    '__kdump_calibrate_refusal': r('calibrate_refused'),
                    '__kdump_calibrate_failure': r('calibrate_failure')},
        # unreachable before the role ran: no refusal, no verify result, the rescue's record only
        'gone': {'__kdump_calibrate_failure': r('canary_unreachable')},
        # a step timed out: the record stands (status stopped), and the playbook's failure is beside it
        'stopped': {'__kdump_verify': r('verify_armed'), '__kdump_calibrate_refusal': r('skipped'),
                    '__kdump_calibration': calibration_record('stopped', G, None, 'stopped'),
                    '__kdump_calibrate_failure': r('calibrate_stopped')},
        'c1': {'__kdump_verify': r('verify_armed'), '__kdump_calibrate_refusal': r('skipped'),
               '__kdump_calibration': calibration_record('c1', G, 160 * M)},
    }
    report = kdump_report(hostvars, ['refused', 'gone', 'stopped', 'c1'])
    records = dict((record['host'], record) for record in report['hosts'])
    assert records['refused']['calibration'] is None
    assert records['refused']['calibration_refusal'] == RESULTS['calibrate_refused']['msg']
    assert records['refused']['calibration_failure'] == RESULTS['calibrate_failure']['msg']
    assert 'confirmation phrase' in records['refused']['calibration_refusal']
    assert (records['gone']['state'], records['gone']['calibration_refusal']) == ('unknown', None)
    assert records['gone']['calibration_failure'].startswith('canary-01 is unreachable: ')
    assert records['stopped']['calibration']['status'] == 'stopped'
    assert records['stopped']['calibration_refusal'] is None
    assert records['stopped']['calibration_failure'] == RESULTS['calibrate_stopped']['msg']
    assert (records['c1']['calibration_refusal'], records['c1']['calibration_failure']) == (None, None)
    # only the complete calibration gives the value to apply; the crash test and its canary failure are untouched
    assert report['calibration']['hosts'] == ['c1'] and report['calibration']['kdump_crashkernel'] == '160M'
    assert all(record['canary_failure'] is None and record['crash_test']['status'] == 'not_run' for record in records.values())


class TemplatingVars(Mapping):
    """Like Ansible's HostVarsVars: every read of a value templates it, so the report must read only what it needs."""

    def __init__(self, data):
        self.data = data
        self.read = []

    def __getitem__(self, key):
        self.read.append(key)
        return self.data[key]

    def __contains__(self, key):
        return key in self.data

    def __iter__(self):
        raise AssertionError('the report must not iterate over every variable of a host')

    def __len__(self):
        return len(self.data)


def test_reads_only_its_own_variables_by_name():
    host_vars = TemplatingVars(dict(CANARY, ansible_ssh_pass='secret', some_lookup="{{ lookup('pipe', 'date') }}",
                                    __kdump_crash_result=r('crash_passed'), kdump_state='present'))
    kdump_report({'h1': host_vars}, ['h1'])
    assert host_vars.read and set(host_vars.read) <= set(RESULT_VARS)
