# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
name: calibration
short_description: The state of a crashkernel= calibration, the next size to try and the recommendation
version_added: 0.1.0
author: fleet.kdump contributors (@fleet)
description:
  - Used by the role's C(calibrate) entry point, once before each step and once at the end.
  - The search tries sizes on a grid, O(floor), O(floor) + O(resolution), ... below O(start), and O(start) itself.
    First O(start) (the reservation the host boots with, so that it is proven to capture before anything smaller
    is tried), then O(estimate) rounded up to the grid, then its neighbour on the side that result points to, then
    plain bisection of the sizes still open.
  - A step outcome V(captured) passes; V(not_loaded), V(no_dump) and V(incomplete_dump) fail at that size;
    V(timeout) and V(error) stop the search.
  - The recommended size is the proven minimum times O(margin), rounded up to O(resolution).
positional: floor, start, resolution
options:
  _input:
    description: The steps so far, each C({size, outcome}) (C(detail) and C(seconds) are carried along).
    type: list
    elements: dict
    required: true
  floor:
    description: The smallest size ever tried, bytes or a size such as V(64M).
    type: raw
    required: true
  start:
    description: The size the search starts from, which must capture (normally the host's boot reservation).
    type: raw
    required: true
  resolution:
    description: The grid step, bytes or a size such as V(16M).
    type: raw
    required: true
  margin:
    description: The factor applied to the proven minimum for the recommendation, at least 1.
    type: float
    default: 1.25
  estimate:
    description: The size expected to capture (M(fleet.kdump.kdump_verify)'s RV(fleet.kdump.kdump_verify#module:estimate)),
      tried right after O(start); V(null) for plain bisection.
    type: raw
seealso:
  - plugin: fleet.kdump.calibration_fleet
    plugin_type: filter
'''

EXAMPLES = r'''
- name: The next size to try (null when the search is over)
  ansible.builtin.set_fact:
    next_size: "{{ (steps | fleet.kdump.calibration('64M', '256M', '16M', estimate='120M')).next }}"
  vars:
    steps:
      - {size: 268435456, outcome: captured}
'''

RETURN = r'''
_value:
  description: The calibration so far.
  type: dict
  contains:
    next:
      description: The size to try next in bytes, V(null) when the search is over.
      type: int
    next_size:
      description: The same as a crashkernel size (V(112M)).
      type: str
    max_steps:
      description: The most steps a consistent search needs (the start, the estimate, its neighbour, bisection).
      type: int
    status:
      description: V(complete) (the boundary is found), V(start_failed), V(stopped) (a step timed out or failed to
        run) or V(incomplete).
      type: str
    complete:
      description: RV(_value.status) is V(complete).
      type: bool
    minimum:
      description: The smallest size that captured above every size that failed, in bytes; V(null) if none.
      type: int
    minimum_size:
      description: The same as a crashkernel size.
      type: str
    highest_failure:
      description: The largest size that failed, in bytes; V(null) if none did. Also C(highest_failure_size).
      type: int
    recommended:
      description: RV(_value.minimum) times O(margin), rounded up to O(resolution); V(null) without a minimum.
        Also C(recommended_size).
      type: int
    ratio:
      description: Recommended divided by minimum.
      type: float
    steps:
      description: The steps with C(size) in bytes and C(size_text).
      type: list
      elements: dict
    notes:
      description: Why the search stopped, inconsistent results, a minimum at the floor.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.fleet.kdump.plugins.plugin_utils._calibration import CalibrationError, Search, size_text


def calibration(steps, floor, start, resolution, margin=1.25, estimate=None):
    try:
        search = Search(floor, start, resolution, estimate)
        result = search.summary(list(steps or []), margin)
        result['next'] = search.next_size(list(steps or []))
    except CalibrationError as exc:
        raise AnsibleFilterError('fleet.kdump.calibration: %s' % exc)
    result['next_size'] = size_text(result['next'])
    result['max_steps'] = search.max_steps()
    return result


class FilterModule(object):
    def filters(self):
        return {'calibration': calibration}
