# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
name: calibration_fleet
short_description: The fleet-wide crashkernel= from the canaries' calibrations
version_added: 0.1.0
author: fleet.kdump contributors (@fleet)
description:
  - Turns the calibration records of the canaries into values for the role's inputs.
  - Canaries of one RAM size give one C(kdump_crashkernel) value, the largest recommended size among them.
  - Canaries of several RAM sizes give C(kdump_crashkernel=tiers) and a C(kdump_crashkernel_tiers) table, one tier per
    calibrated RAM size (RAM as M(fleet.kdump.kdump_reserve) measures it for tiers, C(MemTotal) plus the reservation
    rounded up to 128M), each tier at least as large as the tiers below it. The smallest tier starts at V(0), so a
    host smaller than every canary gets the smallest size.
  - Records without a recommendation (a calibration that proved nothing) are left out.
options:
  _input:
    description: Calibration records, each with C(host), C(ram_bytes), C(kernel) and C(recommended) (bytes).
    type: list
    elements: dict
    required: true
'''

EXAMPLES = r'''
- name: What to apply fleet-wide
  ansible.builtin.debug:
    msg: "{{ records | fleet.kdump.calibration_fleet }}"
  vars:
    records:
      - {host: canary1, ram_bytes: 1073741824, kernel: 6.1.0-28-amd64, recommended: 167772160}
      - {host: canary2, ram_bytes: 2147483648, kernel: 6.1.0-28-amd64, recommended: 184549376}
'''

RETURN = r'''
_value:
  description: The recommendation.
  type: dict
  contains:
    kdump_crashkernel:
      description: A size (V(160M)), V(tiers) when RV(_value.kdump_crashkernel_tiers) holds the table, V(null) without
        any recommendation.
      type: str
    kdump_crashkernel_tiers:
      description: C({min_ram, size}) entries for C(kdump_crashkernel_tiers); empty unless several RAM sizes were calibrated.
      type: list
      elements: dict
    hosts:
      description: The canaries whose results count.
      type: list
      elements: str
    kernels:
      description: Their kernel releases.
      type: list
      elements: str
    notes:
      description: Caveats, such as canaries with different kernels.
      type: list
      elements: str
'''

from ansible_collections.fleet.kdump.plugins.plugin_utils._calibration import fleet


def calibration_fleet(records):
    return fleet(list(records or []))


class FilterModule(object):
    def filters(self):
        return {'calibration_fleet': calibration_fleet}
