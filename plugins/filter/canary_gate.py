# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
name: canary_gate
short_description: Decide whether the rollout may follow the canaries
version_added: 0.1.0
author: fleet.kdump contributors (@fleet)
description:
  - The canary gate of C(playbooks/site.yml), from the report of P(fleet.kdump.kdump_report#filter).
  - "A canary fails the gate when it did not reach the canary play (it failed or was unreachable before it), its
    canary play failed, its state is V(unknown), it is V(not_armed) (a VM or machine, not a container, which cannot
    be armed), its remote dump target failed the C(remote_target) check of P(fleet.kdump.kdump_verify#module)
    (unreachable, login refused, path not writable, too little room: a container too, whose network is real),
    or its crash test V(failed) or was V(refused); with
    O(crash_test=true) also when its crash test did not run."
  - With O(crash_test=true) and no canary at all, nothing would prove capture before the rollout, so the gate is
    closed unless O(allow_no_canary=true).
positional: canaries, hostvars
options:
  _input:
    description: The report returned by P(fleet.kdump.kdump_report#filter); it must cover the canaries.
    type: dict
    required: true
  canaries:
    description: The canary hosts among the targets.
    type: list
    elements: str
    required: true
  hostvars:
    description: The variables of each host, by host name (C(hostvars)); a canary that reached the canary play has
      C(__kdump_canary_reached) there.
    type: dict
    required: true
  crash_test:
    description: The crash test was requested (C(kdump_crash_test)); every canary must then have passed it.
    type: bool
    default: false
  allow_no_canary:
    description: With O(crash_test=true), open the gate even when there is no canary (C(kdump_allow_no_canary)).
    type: bool
    default: false
  canary_group:
    description: The canary group's name, for the message.
    type: str
    default: kdump_canary
seealso:
  - plugin: fleet.kdump.kdump_report
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Require every canary to have proven capture
  ansible.builtin.assert:
    that: gate.open
    fail_msg: "{{ gate.message }}"
    success_msg: "{{ gate.message }}"
  vars:
    report: "{{ hostvars | fleet.kdump.kdump_report(groups['all']) }}"
    gate: "{{ report | fleet.kdump.canary_gate(groups['kdump_canary'], hostvars, crash_test=true) }}"
'''

RETURN = r'''
_value:
  description: The gate's decision.
  type: dict
  contains:
    open:
      description: The rollout may proceed.
      type: bool
    canaries:
      description: The canaries judged.
      type: list
      elements: str
    failed:
      description: Each canary that failed the gate, with its reasons.
      type: dict
      sample: {canary-01: ["crash test refused"]}
    message:
      description: One line for the operator, starting with C(Canary gate open) or C(Canary gate closed).
      type: str
      sample: Canary gate open (2 canaries).
'''

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.fleet.kdump.plugins.plugin_utils._kdump_report import canary_gate as _canary_gate


def canary_gate(report, canaries, hostvars, crash_test=False, allow_no_canary=False, canary_group='kdump_canary'):
    # AWX surveys answer booleans as the strings "true" / "false".
    return _canary_gate(report, canaries, hostvars, crash_test=boolean(crash_test, strict=True),
                        allow_no_canary=boolean(allow_no_canary, strict=True), canary_group=canary_group)


class FilterModule(object):
    def filters(self):
        return {'canary_gate': canary_gate}
