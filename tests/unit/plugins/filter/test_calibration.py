# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet.kdump.calibration and calibration_fleet: the filters the role's calibrate entry point uses."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.fleet.kdump.plugins.filter.calibration import FilterModule as CalibrationFilters
from ansible_collections.fleet.kdump.plugins.filter.calibration_fleet import FilterModule as FleetFilters

calibration = CalibrationFilters().filters()['calibration']
calibration_fleet = FleetFilters().filters()['calibration_fleet']
M = 1 << 20


def test_empty_steps_start_with_the_start():
    state = calibration([], '64M', 256 * M, '16M', estimate=125 * M)
    assert state['next'] == 256 * M and state['next_size'] == '256M'
    assert state['max_steps'] == 3 + 4  # 13 grid sizes: 4 bisection steps
    assert state['status'] == 'incomplete' and state['minimum'] is None


def test_steps_as_the_role_records_them():
    steps = [{'size': 256 * M, 'outcome': 'captured', 'detail': '/var/crash/202612010712', 'seconds': 151},
             {'size': 128 * M, 'outcome': 'captured', 'detail': '/var/crash/202612010716', 'seconds': 149},
             {'size': 112 * M, 'outcome': 'no_dump', 'detail': 'new boot, no dump', 'seconds': 97}]
    state = calibration(steps, '64M', 256 * M, '16M', margin=1.25, estimate=125 * M)
    assert state['next'] is None and state['next_size'] is None
    assert state['complete'] and state['recommended_size'] == '160M'
    assert [step['size_text'] for step in state['steps']] == ['256M', '128M', '112M']
    assert state['steps'][0]['seconds'] == 151


def test_none_steps_and_string_sizes():
    assert calibration(None, '64M', '128M', '16M')['next_size'] == '128M'


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='fleet.kdump.calibration: start 32M is below the floor 64M'):
        calibration([], '64M', '32M', '16M')


def test_fleet_filter():
    result = calibration_fleet([{'host': 'a', 'ram_bytes': 1 << 30, 'kernel': 'k', 'recommended': 160 * M}])
    assert result['kdump_crashkernel'] == '160M'
    assert calibration_fleet(None)['kdump_crashkernel'] is None
