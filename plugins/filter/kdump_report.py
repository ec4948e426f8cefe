# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
name: kdump_report
short_description: The fleet's kdump report from every host's registered results
version_added: 0.1.0
author: fleet.kdump contributors (@fleet)
description:
  - Turns what the C(fleet.kdump.kdump) role registered on each host (M(fleet.kdump.kdump_verify),
    M(fleet.kdump.kdump_reserve), the reboot and the crash test) into one record per host and a fleet summary.
  - "A host's RV(_value.hosts[].state): V(armed) (the newest C(kdump_verify) says ready), V(reboot_pending)
    (not ready, and the reservation waits for a reboot that was not done), V(not_armed) (not ready, with the reasons
    in RV(_value.hosts[].errors)), V(disabled) (C(kdump_state=absent)), V(unknown) (no C(kdump_verify) result:
    unreachable, failed, or not run; or crashed by the crash test and not heard from since)."
  - "Its crash test: V(passed), V(failed) (the dump check failed, or the host was crashed and no dump was
    verified), V(refused) (a condition was missing; the detail names it) or V(not_run)."
  - The role's C(report) entry point renders C(kdump-report.json) and C(kdump-report.md) from this value and
    publishes RV(_value.summary) as the C(set_stats) value C(kdump_summary).
positional: hosts
options:
  _input:
    description:
      - The variables of each host, by host name; in a play, C(hostvars).
      - A host missing from it has no results, so its state is V(unknown).
    type: dict
    required: true
  hosts:
    description: The hosts the report covers, in the order it lists them.
    type: list
    elements: str
    required: true
  kdump_state:
    description: The C(kdump_state) of hosts that do not set their own; V(absent) reports them as V(disabled).
    type: str
    default: present
    choices: [present, absent]
seealso:
  - plugin: fleet.kdump.canary_gate
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Report on every target
  ansible.builtin.debug:
    msg: "{{ hostvars | fleet.kdump.kdump_report(query('ansible.builtin.inventory_hostnames', 'all')) }}"

- name: Fail when a host is not armed
  ansible.builtin.assert:
    that: report.summary.not_armed_hosts | length == 0
    fail_msg: "Not armed: {{ report.summary.not_armed_hosts | join(', ') }}"
  vars:
    report: "{{ hostvars | fleet.kdump.kdump_report(groups['webservers'], kdump_state='present') }}"
'''

RETURN = r'''
_value:
  description: The report, C({summary, hosts, calibration}).
  type: dict
  contains:
    calibration:
      description:
        - The fleet-wide C(crashkernel=) from the canaries' calibrations (the C(calibrate) entry point), as the
          P(fleet.kdump.calibration_fleet#filter) filter gives it; C(kdump_crashkernel) is V(null) when no host was
          calibrated.
      type: dict
    summary:
      description: Fleet totals.
      type: dict
      contains:
        hosts:
          description: Hosts in the report.
          type: int
        armed:
          description: Hosts whose state is V(armed); likewise V(reboot_pending), V(not_armed), V(disabled), V(unknown).
          type: int
        reserved_bytes_total:
          description: Memory reserved for capture kernels, summed over the hosts.
          type: int
        crash_tests_passed:
          description: Hosts whose crash test passed; likewise C(crash_tests_failed) and C(crash_tests_refused).
          type: list
          elements: str
        rollouts_failed:
          description: Hosts whose rollout (the Rollout play of C(playbooks/site.yml)) failed; C(rollouts_not_reached)
            the hosts a stopped rollout did not reach.
          type: list
          elements: str
        not_armed_hosts:
          description: Hosts that are neither armed nor disabled.
          type: list
          elements: str
        dumps:
          description: Dumps found on all the hosts (each host's newest C(kdump_verify) result).
          type: int
        crash_signatures:
          description: Distinct crashes among them (RV(_value.crashes) groups).
          type: int
        hosts_with_dumps:
          description: Hosts that have at least one dump.
          type: list
          elements: str
    crashes:
      description:
        - Every dump of the fleet grouped by its crash signature (see C(docs/triage.md)), most frequent first.
      type: list
      elements: dict
      contains:
        signature:
          description: The crash signature (16 hex digits).
          type: str
        title:
          description: The canonical crash title, for example C(sysrq triggered crash).
          type: str
        kind:
          description: The report class, for example V(sysrq), V(null_deref), V(hung_task).
          type: str
        guilty_frame:
          description: The function to blame.
          type: str
        count:
          description: Dumps with this signature.
          type: int
        hosts:
          description: Hosts that have such a dump.
          type: list
          elements: str
        kernels:
          description: Kernel releases that crashed this way.
          type: list
          elements: str
        first_seen:
          description: Time of the oldest such dump (ISO 8601 UTC).
          type: str
        last_seen:
          description: Time of the newest.
          type: str
        example:
          description: The newest such dump, C({host, path, time, panic, excerpt}).
          type: dict
        dumps:
          description: Every such dump, C({host, path, time}), oldest first.
          type: list
          elements: dict
    hosts:
      description: One record per host, in the order of O(hosts).
      type: list
      elements: dict
      contains:
        host:
          description: Inventory name.
          type: str
        state:
          description: V(armed), V(reboot_pending), V(not_armed), V(disabled) or V(unknown).
          type: str
        family:
          description: The distribution family, V(null) when unknown.
          type: str
        errors:
          description: "Why the host is not armed, why its canary play failed (C(canary:) prefix), why its rollout
            failed (C(rollout failed:)) or did not reach it (C(not rolled out:))."
          type: list
          elements: str
        crash_test:
          description: C({status, detail}), the status V(passed), V(failed), V(refused) or V(not_run).
          type: dict
        rollout:
          description:
            - C({status, detail}) of the host's rollout, the Rollout play of C(playbooks/site.yml) (its reboot and the
              verify after it).
            - "V(done) (reached, nothing failed), V(failed) (the detail says why, for example a reboot that did not come
              back or an unreachable host), V(not_reached) (the rollout stopped before the host's batch because the
              failed share exceeded C(kdump_max_fail_percentage); the detail says so), V(not_run) (not in a rollout,
              for example a canary, another playbook, a host that failed before)."
          type: dict
        canary_failure:
          description: Why the host's canary play failed (the canary play of C(playbooks/site.yml), or the crash
            test play of C(playbooks/crash_test.yml)), V(null) when it did not.
          type: str
        ready:
          description: The newest C(kdump_verify) result's C(ready); likewise C(crashkernel_running), C(reserved_bytes),
            C(crash_kernel_loaded), C(container), C(service), C(dump_path) and C(free_bytes).
          type: bool
        crashkernel_configured:
          description: The C(crashkernel=) that M(fleet.kdump.kdump_reserve) configured.
          type: str
        reboot_pending:
          description: The reservation needs a reboot that was not done.
          type: bool
        rebooted:
          description: The role rebooted the host in this run.
          type: bool
        failed_checks:
          description: Names of the C(kdump_verify) checks that failed.
          type: list
          elements: str
        dumps:
          description: The newest three dumps, each C({path, time, size_bytes, complete, panic, crash}) with C(crash)
            the dump's crash record (title, signature, guilty frame, ...; see M(fleet.kdump.kdump_verify)).
          type: list
          elements: dict
        calibration:
          description:
            - The host's calibration record, V(null) when it was not calibrated. The P(fleet.kdump.calibration#filter)
              filter's result (status, C(minimum_size), C(highest_failure_size), C(recommended_size), C(ratio), the
              steps) with C(host), C(kernel), C(ram_bytes), C(estimate_source), C(estimate_detail) and C(seconds).
          type: dict
        calibration_refusal:
          description: Why the C(calibrate) entry point refused to calibrate the host (every missing condition),
            V(null) when it did not refuse.
          type: str
        calibration_failure:
          description: Why C(playbooks/calibrate.yml) failed on the host (a refusal, a calibration that stopped or
            left the host not armed, a failed task, an unreachable canary), V(null) when it did not fail there.
          type: str
        analysis_tools:
          description: With C(kdump_analysis_tools), C({kernel, packages, missing, installed, check_mode, error});
            V(null) when they were not requested.
          type: dict
        diagnostics:
          description: After C(playbooks/diagnose.yml), by SysRq key, a summary of what the kernel printed (V(w)/V(t)
            C(blocked) tasks with the function they wait in, V(l)/V(p) C(cpus) with the function each runs,
            V(m) C(memory) figures) and an C(excerpt) of its first lines; V({}) otherwise.
          type: dict
'''

from ansible_collections.fleet.kdump.plugins.plugin_utils._kdump_report import build_report


def kdump_report(hostvars, hosts, kdump_state='present'):
    return build_report(hostvars, hosts, kdump_state)


class FilterModule(object):
    def filters(self):
        return {'kdump_report': kdump_report}
