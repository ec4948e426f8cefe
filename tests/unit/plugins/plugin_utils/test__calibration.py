# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The calibration search: the order of the trials, what a run proves, interruptions, recommendations, tiers."""

from __future__ import annotations

import pytest

from ansible_collections.fleet.kdump.plugins.plugin_utils import _calibration as cal

M = 1 << 20
G = 1 << 30


def run(search, capture, limit=50):
    """Drive a search against ``capture(size) -> outcome`` until it stops; return the steps."""
    steps = []
    while len(steps) < limit:
        size = search.next_size(steps)
        if size is None:
            return steps
        steps.append({'size': size, 'outcome': capture(size)})
    raise AssertionError('the search did not stop: %r' % steps)


def threshold(minimum, below=cal.NO_DUMP):
    return lambda size: cal.CAPTURED if size >= minimum else below


def test_grid_runs_from_the_floor_to_the_start():
    search = cal.Search('64M', '200M', '16M')
    assert search.grid == [size * M for size in (64, 80, 96, 112, 128, 144, 160, 176, 192, 200)]
    assert cal.Search(64 * M, 64 * M, 16 * M).grid == [64 * M]


def test_the_issue_case_start_estimate_then_its_neighbour():
    """Debian 12, 1 GiB: 128M captures, 112M does not (the lab's manual probe); the estimate says 120M."""
    search = cal.Search('64M', '256M', '16M', estimate='120M')
    steps = run(search, threshold(128 * M))
    assert [step['size'] // M for step in steps] == [256, 128, 112]
    summary = search.summary(steps)
    assert summary['status'] == cal.COMPLETE and summary['complete']
    assert summary['minimum_size'] == '128M' and summary['highest_failure_size'] == '112M'
    assert summary['recommended_size'] == '160M' and summary['ratio'] == 1.25
    assert summary['notes'] == []


@pytest.mark.parametrize('estimate', [None, '64M', '100M', '128M', '130M', '200M', '256M', '1G'])
@pytest.mark.parametrize('minimum', [64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256])
def test_every_boundary_is_found_within_the_step_budget(minimum, estimate):
    search = cal.Search('64M', '256M', '16M', estimate=estimate)
    steps = run(search, threshold(minimum * M))
    summary = search.summary(steps)
    assert summary['status'] == cal.COMPLETE
    assert summary['minimum'] == minimum * M
    assert summary['highest_failure'] == (None if minimum == 64 else (minimum - 16) * M)
    assert len(steps) <= search.max_steps()
    # never below the floor, never above the start, never the same size twice
    assert all(64 * M <= step['size'] <= 256 * M for step in steps)
    assert len(set(step['size'] for step in steps)) == len(steps)


def test_an_accurate_estimate_needs_fewer_steps_than_bisection():
    blind = run(cal.Search('64M', '512M', '16M'), threshold(128 * M))
    guided = run(cal.Search('64M', '512M', '16M', estimate='128M'), threshold(128 * M))
    assert len(guided) == 3 < len(blind)


def test_a_size_that_cannot_load_is_a_failure_and_the_search_goes_on():
    search = cal.Search('64M', '192M', '16M')
    steps = run(search, lambda size: cal.CAPTURED if size >= 128 * M else (cal.NOT_LOADED if size < 96 * M else cal.NO_DUMP))
    assert search.summary(steps)['minimum_size'] == '128M'
    assert cal.NOT_LOADED in [step['outcome'] for step in steps] or min(step['size'] for step in steps) >= 96 * M


def test_the_start_is_always_tried_first_and_a_failing_start_ends_the_search():
    search = cal.Search('64M', '192M', '16M', estimate='100M')
    assert search.next_size([]) == 192 * M
    steps = [{'size': 192 * M, 'outcome': cal.NO_DUMP}]
    assert search.next_size(steps) is None
    summary = search.summary(steps)
    assert summary['status'] == cal.START_FAILED and summary['minimum'] is None and summary['recommended'] is None
    assert 'the start 192M did not capture' in summary['notes'][0]


@pytest.mark.parametrize('outcome', [cal.TIMEOUT, cal.ERROR])
def test_a_timeout_or_an_error_stops_the_search_keeping_what_was_proven(outcome):
    search = cal.Search('64M', '256M', '16M', estimate='120M')
    steps = [{'size': 256 * M, 'outcome': cal.CAPTURED},
             {'size': 128 * M, 'outcome': outcome, 'detail': 'the host did not come back within 1500 s'}]
    assert search.next_size(steps) is None
    summary = search.summary(steps)
    assert summary['status'] == cal.STOPPED and not summary['complete']
    # the host boots with the start, which captured; nothing below it is proven
    assert summary['minimum_size'] == '256M' and summary['recommended_size'] == '320M'
    assert summary['notes'] == ['stopped at 128M: the host did not come back within 1500 s']


def test_a_timeout_on_the_start_proves_nothing():
    search = cal.Search('64M', '256M', '16M')
    summary = search.summary([{'size': 256 * M, 'outcome': cal.TIMEOUT}])
    assert summary['status'] == cal.STOPPED and summary['minimum'] is None and summary['recommended'] is None


def test_interrupted_mid_search_is_incomplete_and_resumes_where_it_stopped():
    search = cal.Search('64M', '256M', '16M', estimate='120M')
    steps = [{'size': 256 * M, 'outcome': cal.CAPTURED}, {'size': 128 * M, 'outcome': cal.CAPTURED}]
    summary = search.summary(steps)
    assert summary['status'] == cal.INCOMPLETE and summary['minimum_size'] == '128M'
    assert search.next_size(steps) == 112 * M


def test_a_flaky_failure_above_a_pass_moves_the_minimum_up_and_is_reported():
    search = cal.Search('64M', '256M', '16M')
    steps = [{'size': 256 * M, 'outcome': cal.CAPTURED}, {'size': 128 * M, 'outcome': cal.CAPTURED},
             {'size': 160 * M, 'outcome': cal.NO_DUMP}]
    assert search.bounds(steps) == (160 * M, 256 * M)
    assert search.next_size(steps) in (176 * M, 192 * M, 208 * M, 224 * M, 240 * M)
    summary = search.summary(steps)
    assert summary['minimum_size'] == '256M'
    assert summary['notes'][0] == 'inconsistent: 128M captured but 160M did not; only sizes above 160M count as proven'


def test_the_step_budget_ends_a_search_and_leaves_it_incomplete():
    """Steps carried over from elsewhere (a resumed run) can use up the budget before the boundary is found."""
    search = cal.Search('64M', '1G', '16M')
    assert search.max_steps() == 3 + 6  # 61 grid sizes
    steps = [{'size': (1024 - 16 * index) * M, 'outcome': cal.CAPTURED} for index in range(search.max_steps())]
    assert search.next_size(steps) is None
    summary = search.summary(steps)
    assert summary['status'] == cal.INCOMPLETE and summary['minimum_size'] == '896M'
    assert summary['notes'] == ['the search ended before the boundary was found (9 steps)']


def test_a_floor_that_captures_is_the_minimum_with_a_note():
    search = cal.Search('64M', '128M', '16M')
    steps = run(search, threshold(16 * M))
    summary = search.summary(steps)
    assert summary['minimum_size'] == '64M' and summary['highest_failure'] is None
    assert 'the floor 64M captured: the real minimum may be lower' in summary['notes']


@pytest.mark.parametrize('minimum, margin, resolution, expected', [
    (128 * M, 1.25, 16 * M, 160 * M),
    (136 * M, 1.25, 16 * M, 176 * M),   # 170M rounds up to the grid
    (128 * M, 1.0, 16 * M, 128 * M),
    (128 * M, 1.1, 8 * M, 144 * M),     # 140.8M -> 144M
    (96 * M, 1.25, 32 * M, 128 * M),
    ('112M', 1.5, '16M', 176 * M),
])
def test_recommend_rounds_the_margin_up_to_the_resolution(minimum, margin, resolution, expected):
    assert cal.recommend(minimum, margin, resolution) == expected


@pytest.mark.parametrize('kwargs, message', [
    ({'floor': '64M', 'start': '32M', 'resolution': '16M'}, 'start 32M is below the floor 64M'),
    ({'floor': '64M', 'start': '256M', 'resolution': '0'}, 'resolution 0 must be larger than 0'),
    ({'floor': '0', 'start': '256M', 'resolution': '16M'}, 'floor 0 must be larger than 0'),
    ({'floor': 'lots', 'start': '256M', 'resolution': '16M'}, "floor 'lots' is not a size"),
    ({'floor': True, 'start': '256M', 'resolution': '16M'}, 'floor True is not a size'),
])
def test_bad_input_is_refused_naming_the_value(kwargs, message):
    with pytest.raises(cal.CalibrationError, match=message):
        cal.Search(**kwargs)


def test_bad_margin_and_outcome_are_refused():
    search = cal.Search('64M', '256M', '16M')
    with pytest.raises(cal.CalibrationError, match='margin 0.9 must be at least 1'):
        search.summary([], 0.9)
    with pytest.raises(cal.CalibrationError, match="step outcome 'maybe' is invalid"):
        search.next_size([{'size': 256 * M, 'outcome': 'maybe'}])


def test_fleet_one_ram_size_gives_one_value_the_largest():
    records = [{'host': 'a', 'ram_bytes': G, 'kernel': 'k1', 'recommended': 160 * M},
               {'host': 'b', 'ram_bytes': G, 'kernel': 'k1', 'recommended': 176 * M},
               {'host': 'c', 'ram_bytes': G, 'kernel': 'k1', 'recommended': None}]
    result = cal.fleet(records)
    assert result['kdump_crashkernel'] == '176M' and result['kdump_crashkernel_tiers'] == []
    assert result['hosts'] == ['a', 'b'] and result['kernels'] == ['k1'] and result['notes'] == []


def test_fleet_several_ram_sizes_give_monotonic_tiers_from_zero():
    records = [{'host': 'big', 'ram_bytes': 8 * G, 'kernel': 'k1', 'recommended': 144 * M},
               {'host': 'small', 'ram_bytes': G, 'kernel': 'k1', 'recommended': 160 * M},
               {'host': 'mid', 'ram_bytes': 2 * G, 'kernel': 'k2', 'recommended': 192 * M}]
    result = cal.fleet(records)
    assert result['kdump_crashkernel'] == 'tiers'
    # 8G measured less than 2G: it still gets 192M, never less than a smaller host
    assert result['kdump_crashkernel_tiers'] == [{'min_ram': '0', 'size': '160M'}, {'min_ram': '2G', 'size': '192M'},
                                                 {'min_ram': '8G', 'size': '192M'}]
    assert 'canaries run different kernels (k1, k2)' in result['notes'][0]


def test_fleet_without_any_recommendation():
    assert cal.fleet([{'host': 'a', 'recommended': None}])['kdump_crashkernel'] is None
