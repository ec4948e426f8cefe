# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calibrating crashkernel= on a canary: which size to try next, what was proven, what to recommend.

This module is PRIVATE to the collection. It can have breaking changes at any time.
The public interfaces are the filters in plugins/filter/calibration.py, used by the role's ``calibrate``
entry point (roles/kdump/tasks/calibrate.yml).

The search runs over a grid of sizes: ``floor``, ``floor + resolution``, ... below ``start``, and
``start`` itself (the reservation the host boots with). Each step tries one size by crashing the host
and records an outcome. Only ``captured`` passes. ``not_loaded``, ``no_dump`` and ``incomplete_dump`` fail
at that size and the search goes on; ``timeout`` (the host did not come back within the bounded wait)
and ``error`` (a step could not run) stop it, because nothing more can be learned safely.

Order of the trials: the start first (so that the reservation the host boots with, which the search never
changes, is proven to capture before anything smaller is tried), then the estimate rounded up to the grid,
then its neighbour on the side the estimate's result points to, then plain bisection of what is left
open. Capturing is assumed to be monotonic in the size; a failure above a pass (a flaky capture) makes
the search continue above that failure, and the result says so.

Sizes are bytes (int) everywhere; inputs may also be crashkernel-style sizes ('64M').
"""

from __future__ import annotations

import math

from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import format_bytes, memparse

CAPTURED = 'captured'
NOT_LOADED = 'not_loaded'
NO_DUMP = 'no_dump'
INCOMPLETE_DUMP = 'incomplete_dump'
TIMEOUT = 'timeout'
ERROR = 'error'
FAILURES = (NOT_LOADED, NO_DUMP, INCOMPLETE_DUMP)
STOPS = (TIMEOUT, ERROR)
OUTCOMES = (CAPTURED,) + FAILURES + STOPS

# Result status of a calibration.
COMPLETE = 'complete'            # the boundary is found: minimum passes, the grid size below it failed (or is the floor)
START_FAILED = 'start_failed'    # the start itself did not capture: nothing smaller is worth trying
STOPPED = 'stopped'              # a step timed out or could not run
INCOMPLETE = 'incomplete'        # the step budget ran out (only with inconsistent, flaky results)


class CalibrationError(ValueError):
    """Bad calibration input; the message names the value and what is valid."""


def to_bytes(value, what):
    """An int, or a size such as '64M', as bytes; CalibrationError naming ``what`` otherwise."""
    if isinstance(value, bool):
        raise CalibrationError('%s %r is not a size; give bytes or a size with unit such as 64M' % (what, value))
    if isinstance(value, int):
        return value
    try:
        return memparse(str(value))
    except ValueError:
        raise CalibrationError('%s %r is not a size; give bytes or a size with unit such as 64M' % (what, value))


def size_text(value):
    """Bytes as a crashkernel size ('128M'); None stays None."""
    return None if value is None else format_bytes(value)


class Search(object):
    """The grid and the rules of one calibration; ``steps`` are dicts with ``size`` and ``outcome``."""

    def __init__(self, floor, start, resolution, estimate=None):
        self.floor = to_bytes(floor, 'floor')
        self.start = to_bytes(start, 'start')
        self.resolution = to_bytes(resolution, 'resolution')
        self.estimate = None if estimate in (None, '') else to_bytes(estimate, 'estimate')
        if self.resolution <= 0:
            raise CalibrationError('resolution %s must be larger than 0, for example 16M' % size_text(self.resolution))
        if self.floor <= 0:
            raise CalibrationError('floor %s must be larger than 0, for example 64M' % size_text(self.floor))
        if self.start < self.floor:
            raise CalibrationError('start %s is below the floor %s: nothing to calibrate; lower the floor or start from a '
                                   'larger reservation' % (size_text(self.start), size_text(self.floor)))
        grid = []
        size = self.floor
        while size < self.start:
            grid.append(size)
            size += self.resolution
        self.grid = grid + [self.start]

    def max_steps(self):
        """Enough steps for any consistent search: the start, the estimate, its neighbour, then bisection."""
        return 3 + int(math.ceil(math.log(len(self.grid) + 1, 2)))

    def on_grid(self, size):
        """The smallest grid size at or above ``size`` (the start when ``size`` is above every grid size)."""
        for candidate in self.grid:
            if candidate >= size:
                return candidate
        return self.start

    @staticmethod
    def _check(steps):
        for step in steps:
            if step.get('outcome') not in OUTCOMES:
                raise CalibrationError('step outcome %r is invalid; valid: %s' % (step.get('outcome'), ', '.join(OUTCOMES)))

    def bounds(self, steps):
        """(highest failed size or None, smallest passed size above it or None)."""
        failed = [to_bytes(step['size'], 'step size') for step in steps if step['outcome'] in FAILURES]
        highest_failure = max(failed) if failed else None
        passed = [to_bytes(step['size'], 'step size') for step in steps if step['outcome'] == CAPTURED
                  and (highest_failure is None or to_bytes(step['size'], 'step size') > highest_failure)]
        return highest_failure, (min(passed) if passed else None)

    def open_sizes(self, steps):
        """Grid sizes not decided yet: above the highest failure and below the smallest pass above it."""
        highest_failure, minimum = self.bounds(steps)
        return [size for size in self.grid
                if (highest_failure is None or size > highest_failure) and (minimum is None or size < minimum)]

    def next_size(self, steps):
        """The size to try next, or None when the search is over."""
        self._check(steps)
        if steps and steps[-1]['outcome'] in STOPS:
            return None
        if len(steps) >= self.max_steps():
            return None
        tried = dict((to_bytes(step['size'], 'step size'), step['outcome']) for step in steps)
        if self.start not in tried:
            return self.start
        if tried[self.start] != CAPTURED and self.bounds(steps)[1] is None:
            return None
        candidates = [size for size in self.open_sizes(steps) if size not in tried]
        if not candidates:
            return None
        if self.estimate is not None:
            guess = self.on_grid(self.estimate)
            if guess in candidates:
                return guess
            if guess in tried:
                neighbour = guess - self.resolution if tried[guess] == CAPTURED else guess + self.resolution
                if neighbour in candidates:
                    return neighbour
        return candidates[(len(candidates) - 1) // 2]

    def summary(self, steps, margin=1.25):
        """What the steps proved: status, minimum, highest failure, recommended size and notes."""
        self._check(steps)
        margin = float(margin)
        if margin < 1:
            raise CalibrationError('margin %s must be at least 1 (1.25 adds 25%% to the proven minimum)' % margin)
        highest_failure, minimum = self.bounds(steps)
        notes = []
        passes = sorted(to_bytes(step['size'], 'step size') for step in steps if step['outcome'] == CAPTURED)
        if highest_failure is not None and passes and passes[0] < highest_failure:
            notes.append('inconsistent: %s captured but %s did not; only sizes above %s count as proven'
                         % (size_text(passes[0]), size_text(highest_failure), size_text(highest_failure)))
        stop = steps[-1] if steps and steps[-1]['outcome'] in STOPS else None
        if stop is not None:
            status = STOPPED
            notes.append('stopped at %s: %s' % (size_text(to_bytes(stop['size'], 'step size')),
                                                stop.get('detail') or stop['outcome']))
        elif minimum is None and self.start in [to_bytes(step['size'], 'step size') for step in steps]:
            status = START_FAILED
            notes.append('the start %s did not capture: grow the reservation and calibrate again' % size_text(self.start))
        elif minimum is not None and not self.open_sizes(steps):
            status = COMPLETE
        else:
            status = INCOMPLETE
            notes.append('the search ended before the boundary was found (%d steps)' % len(steps))
        if minimum == self.floor:
            notes.append('the floor %s captured: the real minimum may be lower' % size_text(self.floor))
        recommended = recommend(minimum, margin, self.resolution) if minimum is not None else None
        return {
            'status': status,
            'complete': status == COMPLETE,
            'minimum': minimum,
            'minimum_size': size_text(minimum),
            'highest_failure': highest_failure,
            'highest_failure_size': size_text(highest_failure),
            'recommended': recommended,
            'recommended_size': size_text(recommended),
            'ratio': round(float(recommended) / minimum, 3) if recommended else None,
            'floor': self.floor,
            'start': self.start,
            'resolution': self.resolution,
            'margin': margin,
            'estimate': self.estimate,
            'estimate_size': size_text(self.estimate),
            'steps': [dict(step, size=to_bytes(step['size'], 'step size'),
                           size_text=size_text(to_bytes(step['size'], 'step size'))) for step in steps],
            'notes': notes,
        }


def recommend(minimum, margin, resolution):
    """``minimum`` x ``margin``, rounded up to a multiple of ``resolution`` (bytes)."""
    minimum = to_bytes(minimum, 'minimum')
    resolution = to_bytes(resolution, 'resolution')
    # Integer arithmetic on the margin in thousandths: 128M x 1.25 is exactly 160M, not 160M + 1 byte.
    scaled = -(-minimum * int(round(float(margin) * 1000)) // 1000)
    return -(-scaled // resolution) * resolution


def fleet(records):
    """The fleet-wide recommendation from the canaries' calibration records.

    Records carry ``host``, ``ram_bytes``, ``kernel`` and ``recommended`` (None when the calibration proved
    nothing). One RAM size: ``kdump_crashkernel`` is the largest recommended value. Several: a ``tiers`` table
    (``kdump_crashkernel: tiers`` with ``kdump_crashkernel_tiers``), one tier per calibrated RAM size, each at
    least as large as every tier below it; the smallest tier starts at 0 so that smaller hosts get it too.
    """
    usable = [record for record in records if record.get('recommended')]
    result = {'hosts': [record.get('host') for record in usable],
              'kernels': sorted(set(record.get('kernel') for record in usable if record.get('kernel'))),
              'kdump_crashkernel': None, 'kdump_crashkernel_tiers': [], 'notes': []}
    if not usable:
        return result
    by_ram = {}
    for record in usable:
        ram = int(record.get('ram_bytes') or 0)
        by_ram[ram] = max(by_ram.get(ram, 0), int(record['recommended']))
    if len(result['kernels']) > 1:
        result['notes'].append('canaries run different kernels (%s): each size is the largest measured for its RAM'
                               % ', '.join(result['kernels']))
    if len(by_ram) == 1:
        result['kdump_crashkernel'] = size_text(list(by_ram.values())[0])
        return result
    tiers = []
    largest = 0
    for index, ram in enumerate(sorted(by_ram)):
        largest = max(largest, by_ram[ram])
        tiers.append({'min_ram': '0' if index == 0 else size_text(ram), 'size': size_text(largest)})
    result['kdump_crashkernel'] = 'tiers'
    result['kdump_crashkernel_tiers'] = tiers
    return result
