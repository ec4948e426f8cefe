# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet.kdump.canary_gate, fed by fleet.kdump.kdump_report as site.yml feeds it."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.fleet.kdump.plugins.filter.canary_gate import FilterModule as GateFilters
from ansible_collections.fleet.kdump.plugins.filter.kdump_report import FilterModule as ReportFilters

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'report', 'results.yml')
with open(FIXTURES) as handle:
    RESULTS = yaml.safe_load(handle)

kdump_report = ReportFilters().filters()['kdump_report']
canary_gate = GateFilters().filters()['canary_gate']


def r(name):
    return copy.deepcopy(RESULTS[name])


# What a canary's hostvars hold after the canary play of site.yml, by outcome.
REACHED = {'__kdump_canary_reached': True}
CANARY_VARS = {
    'passed': dict(REACHED, __kdump_verify=r('verify_armed'), __kdump_crash_ready=r('verify_armed'),
                   __kdump_crash_trigger=r('crash_trigger_started'), __kdump_crash_verify=r('verify_after_crash'),
                   __kdump_crash_result=r('crash_passed')),
    'failed': dict(REACHED, __kdump_verify=r('verify_armed'), __kdump_crash_ready=r('verify_armed'),
                   __kdump_crash_trigger=r('crash_trigger_started'), __kdump_crash_verify=r('verify_after_crash'),
                   __kdump_crash_result=r('crash_assert_failed'), __kdump_canary_failure=r('canary_failure')),
    'lost': dict(REACHED, __kdump_verify=r('verify_armed'), __kdump_crash_ready=r('verify_armed'),
                 __kdump_crash_trigger=r('crash_trigger_started'), __kdump_canary_failure=r('canary_failure')),
    'refused': dict(REACHED, __kdump_verify=r('verify_container'), __kdump_crash_ready=r('verify_container'),
                    __kdump_crash_refusal=r('crash_refused'), __kdump_crash_trigger=r('skipped'),
                    __kdump_canary_failure=r('canary_failure')),
    # kdump_crash_test_refusal=report: the refusal is reported, the canary play does not fail.
    'refused-reported': dict(REACHED, __kdump_verify=r('verify_container'), __kdump_crash_ready=r('verify_container'),
                             __kdump_crash_refusal=r('crash_refused'), __kdump_crash_trigger=r('skipped')),
    'not-run': dict(REACHED, __kdump_verify=r('verify_container')),
    # The kdump service could not load the capture kernel (a reservation too small): the canary is not armed.
    'capture-not-loaded': dict(REACHED, __kdump_verify=r('verify_capture_not_loaded')),
    'reboot-failed': dict(REACHED, __kdump_verify=r('verify_before_reboot'), __kdump_reserve=r('reserve_pending'),
                          __kdump_canary_failure={'changed': False, 'msg': 'Timed out waiting for last boot time check'}),
    # Failed in the configure play: never reached the canary play.
    'never-reached': {'__kdump_verify': r('verify_container')},
    # Unreachable from the start: no result at all.
    'unreachable': {},
}

# canary outcome, crash_test -> open, reasons of the failed canary
CANARY_CASES = [
    pytest.param('passed', True, True, None, id='passed'),
    pytest.param('passed', False, True, None, id='passed-without-request'),
    pytest.param('not-run', False, True, None, id='not-run-not-requested'),
    pytest.param('not-run', True, False, ['crash test not run'], id='not-run-requested'),
    pytest.param('capture-not-loaded', False, False, ['not armed: ' + RESULTS['verify_capture_not_loaded']['reasons'][0]],
                 id='capture-kernel-not-loaded'),
    pytest.param('capture-not-loaded', True, False, ['not armed: ' + RESULTS['verify_capture_not_loaded']['reasons'][0],
                                                     'crash test not run'], id='capture-kernel-not-loaded-crash-test'),
    pytest.param('failed', True, False,
                 ['canary play failed: ' + RESULTS['canary_failure']['msg'], 'crash test failed'], id='failed'),
    pytest.param('lost', True, False,
                 ['canary play failed: ' + RESULTS['canary_failure']['msg'], 'crash test failed'], id='crashed-never-came-back'),
    pytest.param('refused', True, False,
                 ['canary play failed: ' + RESULTS['canary_failure']['msg'], 'crash test refused'], id='refused'),
    pytest.param('refused-reported', False, False, ['crash test refused'], id='refused-reported'),
    pytest.param('reboot-failed', False, False,
                 ['canary play failed: Timed out waiting for last boot time check'], id='reboot-failed'),
    pytest.param('never-reached', False, False,
                 ['did not reach the canary play (failed or unreachable before it)'], id='never-reached-its-play'),
    pytest.param('unreachable', False, False,
                 ['did not reach the canary play (failed or unreachable before it)',
                  'state unknown (no kdump_verify result: host unreachable, failed or not run)'], id='unreachable'),
]


def gate(hostvars, canaries, **options):
    report = kdump_report(hostvars, sorted(hostvars))
    return canary_gate(report, canaries, hostvars, **options)


@pytest.mark.parametrize('outcome, crash_test, is_open, reasons', CANARY_CASES)
def test_one_canary(outcome, crash_test, is_open, reasons):
    hostvars = {'canary-01': copy.deepcopy(CANARY_VARS[outcome]), 'web-01': {'__kdump_verify': r('verify_armed')}}
    result = gate(hostvars, ['canary-01'], crash_test=crash_test)
    assert result['open'] is is_open
    assert result['canaries'] == ['canary-01']
    if is_open:
        assert result['failed'] == {}
        assert result['message'] == 'Canary gate open (1 canaries).'
    else:
        assert result['failed'] == {'canary-01': reasons}
        assert result['message'].startswith('Canary gate closed: canary-01 did not prove capture; the rollout is stopped.')
        assert reasons[-1] in result['message']


def test_only_the_canaries_that_failed_are_named():
    hostvars = {'c1': CANARY_VARS['passed'], 'c2': CANARY_VARS['refused'], 'c3': CANARY_VARS['never-reached'],
                'web-01': {'__kdump_verify': r('verify_container')}}
    result = gate(hostvars, ['c1', 'c2', 'c3'], crash_test=True)
    assert result['open'] is False
    assert list(result['failed']) == ['c2', 'c3']
    assert result['message'].startswith('Canary gate closed: c2, c3 did not prove capture')
    # A host outside the canaries never closes the gate, whatever its state.
    assert 'web-01' not in result['message']


def test_every_canary_passed():
    hostvars = {'c1': CANARY_VARS['passed'], 'c2': CANARY_VARS['passed'], 'web-01': {}}
    result = gate(hostvars, ['c1', 'c2'], crash_test=True)
    assert result == {'open': True, 'canaries': ['c1', 'c2'], 'failed': {}, 'message': 'Canary gate open (2 canaries).'}


# crash_test, allow_no_canary -> open, message start
NO_CANARY_CASES = [
    pytest.param(True, False, False, 'Canary gate closed: kdump_crash_test is true but no target is in the canary group '
                 'kdump_canary', id='crash-test-closes'),
    pytest.param('true', 'false', False, 'Canary gate closed: kdump_crash_test is true', id='awx-strings-close'),
    pytest.param(True, True, True, 'Canary gate open (0 canaries): kdump_allow_no_canary is true, so the fleet rolls out '
                 'without a crash test proving capture.', id='explicit-opt-out-opens'),
    pytest.param('true', 'true', True, 'Canary gate open (0 canaries): kdump_allow_no_canary is true', id='awx-opt-out'),
    pytest.param(False, False, True, 'Canary gate open (0 canaries).', id='no-crash-test-needs-no-canary'),
    pytest.param('false', True, True, 'Canary gate open (0 canaries).', id='opt-out-without-crash-test'),
]


@pytest.mark.parametrize('crash_test, allow_no_canary, is_open, message', NO_CANARY_CASES)
def test_no_canary(crash_test, allow_no_canary, is_open, message):
    hostvars = {'web-01': {'__kdump_verify': r('verify_armed')}, 'web-02': {}}
    result = gate(hostvars, [], crash_test=crash_test, allow_no_canary=allow_no_canary)
    assert result['open'] is is_open
    assert result['failed'] == {}
    assert result['message'].startswith(message)


def test_no_canary_message_names_the_group_and_the_way_out():
    result = gate({}, [], crash_test=True, canary_group='dc1_canaries')
    assert 'no target is in the canary group dc1_canaries' in result['message']
    assert 'Put hosts in dc1_canaries, or set kdump_allow_no_canary=true' in result['message']


def test_a_canary_missing_from_the_report_fails():
    result = canary_gate(kdump_report({}, []), ['c1'], {'c1': dict(CANARY_VARS['passed'])}, crash_test=True)
    assert result['failed'] == {'c1': ['not in the report']}


@pytest.mark.parametrize('option', ['crash_test', 'allow_no_canary'])
def test_a_value_that_is_not_a_boolean_is_refused(option):
    with pytest.raises(TypeError, match='maybe'):
        gate({}, [], **{option: 'maybe'})


UNWRITABLE = ('path_writable: no write permission on the server: kdump cannot create a directory in /srv/crash '
              '(rc 1): mktemp printed nothing')


def with_unwritable_target(verify):
    """A kdump_verify result whose ssh dump target refuses writes (the remote_target check failed)."""
    verify = copy.deepcopy(verify)
    verify['checks'].append({'name': 'remote_target', 'ok': False, 'detail': UNWRITABLE})
    verify['reasons'] = list(verify.get('reasons') or []) + ['remote_target: ' + UNWRITABLE]
    verify['ready'] = False
    return verify


@pytest.mark.parametrize('base', ['verify_armed', 'verify_container'])
def test_a_canary_whose_dump_target_is_not_writable_is_not_armed_and_closes_the_gate(base):
    verify = with_unwritable_target(r(base))
    hostvars = {'canary-01': dict(REACHED, __kdump_verify=verify), 'web-01': {'__kdump_verify': r('verify_armed')}}
    result = gate(hostvars, ['canary-01'])
    assert result['open'] is False
    reasons = result['failed']['canary-01']
    assert len(reasons) == 1
    assert reasons[0].startswith('not armed: ')
    assert UNWRITABLE in reasons[0]
    assert result['message'].startswith('Canary gate closed: canary-01 did not prove capture')


def test_a_container_canary_with_a_reachable_target_still_passes():
    verify = r('verify_container')
    verify['checks'].append({'name': 'remote_target', 'ok': True, 'detail': 'ssh kdump@dumps:/srv/crash reachable'})
    hostvars = {'canary-01': dict(REACHED, __kdump_verify=verify)}
    assert gate(hostvars, ['canary-01'])['open'] is True
