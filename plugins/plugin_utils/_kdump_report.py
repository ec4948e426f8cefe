# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report and the canary gate, computed on the controller.

This module is PRIVATE to the collection. It can have breaking changes at any time.
The public interfaces are the filters fleet.kdump.kdump_report and fleet.kdump.canary_gate.

Input: for each host, a mapping of the variables the role registered there (``hostvars[host]`` in a
play, a plain dict in the tests); only the names in ``RESULT_VARS`` are read.
Output of ``build_report``: ``{'summary': {...}, 'hosts': [record, ...], 'calibration': {...},
'crashes': [group, ...]}``, the calibration the fleet-wide crashkernel= from the canaries' calibrations
(``_calibration.fleet``).

Extending it: a new per-host field is one entry in ``host_record`` (read its result by name with
``_result``); a new fleet-level section is one key in ``build_report`` computed from the records
(``crashes``: every dump of the fleet grouped by crash signature). Templates and ``set_stats`` render
whatever the dict holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.fleet.kdump.plugins.module_utils._crash_signature import group_crashes, summarize_sysrq
from ansible_collections.fleet.kdump.plugins.plugin_utils._calibration import fleet as calibration_fleet

# Per-host states, in the order a report lists them.
ARMED = 'armed'
REBOOT_PENDING = 'reboot_pending'
NOT_ARMED = 'not_armed'
DISABLED = 'disabled'
UNKNOWN = 'unknown'
STATES = (ARMED, REBOOT_PENDING, NOT_ARMED, DISABLED, UNKNOWN)

# Crash test outcomes.
PASSED = 'passed'
FAILED = 'failed'
REFUSED = 'refused'
NOT_RUN = 'not_run'
CRASH_TEST_STATUSES = (PASSED, FAILED, REFUSED, NOT_RUN)

# Rollout outcomes (site.yml's Rollout play): done, failed, not_reached (the rollout stopped before the host's
# batch), not_run (the host was not in a rollout: a canary, another playbook, or it failed before).
DONE = 'done'
NOT_REACHED = 'not_reached'
ROLLOUT_STATUSES = (DONE, FAILED, NOT_REACHED, NOT_RUN)

# kdump_verify results, newest first: after a crash test, just before it, after a reboot, the plain one.
VERIFY_RESULTS = ('__kdump_crash_verify', '__kdump_crash_ready', '__kdump_reboot_verify', '__kdump_verify',
                  '__kdump_diagnose')
# Every host variable the report and the gate read (registered by the role's tasks and by site.yml).
RESULT_VARS = VERIFY_RESULTS + (
    '__kdump_reserve',         # kdump_reserve: configured crashkernel=, reboot_required
    '__kdump_reboot',          # reboot: rebooted
    '__kdump_crash_refusal',   # crash_test: why the host was not crashed (skipped when it was)
    '__kdump_crash_trigger',   # crash_trigger: changed once the crash was triggered
    '__kdump_crash_result',    # crash_trigger: the final assert, passed or failed
    '__kdump_canary_failure',  # site.yml canary play: the rescue's record of why the canary failed
    '__kdump_canary_reached',  # site.yml canary play: set on entry
    '__kdump_rollout_reached',  # site.yml rollout play: set on entry
    '__kdump_rollout_failure',  # site.yml rollout play: the rescue's record of why the host's rollout failed
    '__kdump_rollout_not_reached',  # site.yml rollout play: why a stopped rollout never reached the host (a string)
    '__kdump_calibration',     # calibrate: the calibration record (search, proven minimum, recommendation)
    '__kdump_calibrate_refusal',  # calibrate: why the host was not calibrated (skipped when it was)
    '__kdump_calibrate_failure',  # calibrate.yml: the rescue's record of why the calibration failed on the host
    '__kdump_analysis_tools',  # analysis_tools: {kernel, packages, missing, installed, check_mode, error}
    'kdump_state',
)

NO_VERIFY_RESULT = 'no kdump_verify result: host unreachable, failed or not run'
CRASHED_WITHOUT_DUMP = 'the host was crashed but no dump was verified (it did not come back in time?)'
# Dumps listed per host: the newest ones are what an operator acts on.
DUMPS_PER_HOST = 3
DUMP_FIELDS = ('path', 'time', 'size_bytes', 'complete', 'panic', 'crash')
# What a report keeps of each SysRq answer besides its summary (a 't' on a busy host prints megabytes).
DIAGNOSTICS_EXCERPT_LINES = 40


def _result(host_vars, name):
    """A registered result by name: {} when the variable is missing or not a result (never a failure)."""
    if name not in host_vars:
        return {}
    value = host_vars[name]
    return value if isinstance(value, Mapping) else {}


def _newest_verify(host_vars):
    """The newest kdump_verify result that ran (a skipped task registers a result without ``ready``)."""
    for name in VERIFY_RESULTS:
        result = _result(host_vars, name)
        if 'ready' in result:
            return result
    return {}


def _crash_test(host_vars):
    """{'status', 'detail'} of the crash test: passed, failed, refused or not_run."""
    result = _result(host_vars, '__kdump_crash_result')
    if 'msg' in result:
        return {'status': FAILED if result.get('failed') else PASSED, 'detail': result['msg']}
    # Triggered but no final result: the host did not come back, or the dump check failed to run.
    if _result(host_vars, '__kdump_crash_trigger').get('changed'):
        return {'status': FAILED, 'detail': CRASHED_WITHOUT_DUMP}
    refusal = _result(host_vars, '__kdump_crash_refusal')
    if 'msg' in refusal:  # skipped when the host was crashed: no msg then
        return {'status': REFUSED, 'detail': refusal['msg']}
    return {'status': NOT_RUN, 'detail': ''}


def _rollout(host_vars):
    """{'status', 'detail'} of the host's rollout: done, failed, not_reached or not_run."""
    failure = _result(host_vars, '__kdump_rollout_failure')
    if 'msg' in failure:
        return {'status': FAILED, 'detail': failure['msg']}
    if '__kdump_rollout_reached' in host_vars:
        return {'status': DONE, 'detail': ''}
    not_reached = host_vars['__kdump_rollout_not_reached'] if '__kdump_rollout_not_reached' in host_vars else None
    if isinstance(not_reached, str) and not_reached:
        return {'status': NOT_REACHED, 'detail': not_reached}
    return {'status': NOT_RUN, 'detail': ''}


def _state(verify, kdump_state, reboot_pending):
    if 'ready' not in verify:
        return UNKNOWN
    if kdump_state == 'absent':
        return DISABLED
    if verify['ready']:
        return ARMED
    if reboot_pending:
        return REBOOT_PENDING
    return NOT_ARMED


def host_record(host, host_vars, kdump_state='present'):
    """One host's report record from its registered results; ``kdump_state`` applies unless the host sets its own."""
    verify = _newest_verify(host_vars)
    reserve = _result(host_vars, '__kdump_reserve')
    canary_failure = _result(host_vars, '__kdump_canary_failure')
    rebooted = bool(_result(host_vars, '__kdump_reboot').get('rebooted', False))
    reboot_pending = bool(reserve.get('reboot_required')) and not rebooted
    state = _state(verify, host_vars['kdump_state'] if 'kdump_state' in host_vars else kdump_state, reboot_pending)
    crash_test = _crash_test(host_vars)

    errors = [] if 'ready' in verify else [NO_VERIFY_RESULT]
    errors.extend(verify.get('reasons') or [])
    # Crashed and not heard from since: the last verification (before the crash) says nothing about now.
    if crash_test['detail'] == CRASHED_WITHOUT_DUMP:
        state = UNKNOWN
        errors.append('crash test: %s' % CRASHED_WITHOUT_DUMP)
    if 'msg' in canary_failure:
        errors.append('canary: %s' % canary_failure['msg'])
    rollout = _rollout(host_vars)
    if rollout['status'] == FAILED:
        errors.append('rollout failed: %s' % rollout['detail'])
    elif rollout['status'] == NOT_REACHED:
        errors.append('not rolled out: %s' % rollout['detail'])

    return {
        'host': host,
        'canary_failure': canary_failure.get('msg'),
        'family': verify.get('family'),
        'state': state,
        'ready': verify.get('ready'),
        'crashkernel_running': verify.get('crashkernel_running'),
        'crashkernel_configured': reserve.get('configured'),
        'reserved_bytes': verify.get('reserved_bytes'),
        'crash_kernel_loaded': verify.get('crash_kernel_loaded'),
        'reboot_pending': reboot_pending,
        'rebooted': rebooted,
        'container': verify.get('container'),
        'service': verify.get('service'),
        'dump_path': verify.get('dump_path'),
        'free_bytes': verify.get('free_bytes'),
        'failed_checks': [check.get('name') for check in verify.get('checks') or [] if not check.get('ok')],
        # The dump target is checked in a container too (its network is real): the canary gate reads this.
        'remote_target_failure': next((check.get('detail') for check in verify.get('checks') or []
                                       if check.get('name') == 'remote_target' and not check.get('ok')), None),
        'dumps': [dict((field, dump.get(field)) for field in DUMP_FIELDS) for dump in (verify.get('dumps') or [])[:DUMPS_PER_HOST]],
        'crash_test': crash_test,
        'rollout': rollout,
        'calibration': _result(host_vars, '__kdump_calibration') or None,
        'calibration_refusal': _result(host_vars, '__kdump_calibrate_refusal').get('msg'),
        'calibration_failure': _result(host_vars, '__kdump_calibrate_failure').get('msg'),
        'errors': errors,
        'analysis_tools': _analysis_tools(host_vars),
        'diagnostics': _diagnostics(host_vars),
    }


def _analysis_tools(host_vars):
    """The kdump_analysis_tools record, or None when they were not requested."""
    record = _result(host_vars, '__kdump_analysis_tools')
    return dict(record) if 'packages' in record else None


def _diagnostics(host_vars):
    """The SysRq diagnostics of a diagnose run, by key: the summary and the first lines printed."""
    answers = _result(host_vars, '__kdump_diagnose').get('diagnostics') or {}
    result = {}
    for key in sorted(answers):
        text = answers[key] or ''
        summary = summarize_sysrq(key, text)
        summary['excerpt'] = '\n'.join(text.splitlines()[:DIAGNOSTICS_EXCERPT_LINES])
        result[key] = summary
    return result


def fleet_dumps(hostvars, hosts):
    """Every dump of every host (the newest kdump_verify result's list, all of it), with its host."""
    dumps = []
    for host in hosts:
        verify = _newest_verify(hostvars[host] if host in hostvars else {})
        for dump in verify.get('dumps') or []:
            if isinstance(dump, Mapping):
                dumps.append(dict(dump, host=host))
    return dumps


def fleet_summary(records):
    """Counts per state, memory reserved fleet-wide, crash test outcomes and the hosts that are not armed."""
    summary = {'hosts': len(records)}
    for state in STATES:
        summary[state] = sum(1 for record in records if record['state'] == state)
    summary['reserved_bytes_total'] = sum(int(record['reserved_bytes'] or 0) for record in records)
    for status in (PASSED, FAILED, REFUSED):
        summary['crash_tests_%s' % status] = [record['host'] for record in records if record['crash_test']['status'] == status]
    summary['rollouts_failed'] = [record['host'] for record in records if record['rollout']['status'] == FAILED]
    summary['rollouts_not_reached'] = [record['host'] for record in records if record['rollout']['status'] == NOT_REACHED]
    summary['not_armed_hosts'] = [record['host'] for record in records if record['state'] not in (ARMED, DISABLED)]
    return summary


def build_report(hostvars, hosts, kdump_state='present'):
    """The fleet report of ``hosts``: ``{'summary': {...}, 'hosts': [record, ...]}`` in the order of ``hosts``.

    ``hostvars`` maps a host name to its variables; a host missing from it has no results (state unknown).
    """
    records = [host_record(host, hostvars[host] if host in hostvars else {}, kdump_state) for host in hosts]
    dumps = fleet_dumps(hostvars, hosts)
    crashes = group_crashes(dumps)
    summary = fleet_summary(records)
    summary['dumps'] = len(dumps)
    summary['crash_signatures'] = len(crashes)
    summary['hosts_with_dumps'] = sorted(set(dump['host'] for dump in dumps))
    return {'summary': summary, 'hosts': records, 'crashes': crashes,
            'calibration': calibration_fleet([record['calibration'] for record in records if record['calibration']])}


def canary_gate(report, canaries, hostvars, crash_test=False, allow_no_canary=False, canary_group='kdump_canary'):
    """Whether the rollout may follow the canaries: ``{'open', 'canaries', 'failed', 'message'}``.

    A canary fails the gate when it did not reach the canary play (it failed or was unreachable
    earlier), its canary play failed, its state is unknown, it is not armed (a host that can be: not a
    container; any host whose remote dump target failed kdump_verify's remote_target check), or its crash test
    failed or was refused;
    with ``crash_test`` also when its crash test did not run. With ``crash_test`` and no canary at
    all nothing would prove capture, so the gate stays closed unless ``allow_no_canary``.
    ``failed`` maps each failed canary to its reasons.
    """
    records = dict((record['host'], record) for record in report.get('hosts', []))
    failed = {}
    for host in canaries:
        reasons = []
        record = records.get(host)
        host_vars = hostvars[host] if host in hostvars else {}
        if '__kdump_canary_reached' not in host_vars:
            reasons.append('did not reach the canary play (failed or unreachable before it)')
        if record is None:
            reasons.append('not in the report')
        else:
            if record['canary_failure']:
                reasons.append('canary play failed: %s' % record['canary_failure'])
            if record['state'] == UNKNOWN and NO_VERIFY_RESULT in record['errors']:
                reasons.append('state unknown (%s)' % NO_VERIFY_RESULT)
            # A container cannot be armed (the kernel is the host's); anything else must be armed to pass.
            if record['state'] == NOT_ARMED and not record['container']:
                reasons.append('not armed: %s' % '; '.join(record['errors'] or ['kdump_verify says not ready']))
            elif record.get('remote_target_failure'):
                # A dump that cannot reach its server is lost, container or not (a container's network is real).
                reasons.append('not armed: dump target not usable: %s' % record['remote_target_failure'])
            status = record['crash_test']['status']
            if status in (FAILED, REFUSED) or (status == NOT_RUN and crash_test):
                reasons.append('crash test %s' % status.replace('_', ' '))
        if reasons:
            failed[host] = reasons

    canaries = list(canaries)
    if failed:
        open_ = False
        message = 'Canary gate closed: %s did not prove capture; the rollout is stopped. %s' % (
            ', '.join(failed), ' '.join('%s: %s.' % (host, '; '.join(reasons)) for host, reasons in failed.items()))
    elif not canaries and crash_test and not allow_no_canary:
        open_ = False
        message = ('Canary gate closed: kdump_crash_test is true but no target is in the canary group %s, so no crash '
                   'would prove capture before the rollout; the rollout is stopped. Put hosts in %s, or set '
                   'kdump_allow_no_canary=true to roll out without a crash test.' % (canary_group, canary_group))
    elif not canaries and crash_test:
        open_ = True
        message = ('Canary gate open (0 canaries): kdump_allow_no_canary is true, so the fleet rolls out without a '
                   'crash test proving capture.')
    else:
        open_ = True
        message = 'Canary gate open (%d canaries).' % len(canaries)
    return {'open': open_, 'canaries': canaries, 'failed': failed, 'message': message}
