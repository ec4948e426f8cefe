# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis profiles for tests/fuzz and the example counts they print.

``FLEET_KDUMP_FUZZ_EXAMPLES`` sets the examples per property (``make fuzz``: 10000; the short run inside
``make units``: 300). The counts printed at the end are the examples each property really ran.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from ansible_collections.fleet.kdump.tests.fuzz._counts import COUNTS

EXAMPLES = int(os.environ.get('FLEET_KDUMP_FUZZ_EXAMPLES', '300'))
settings.register_profile('fleet', max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile('fleet')


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    terminalreporter.write_line('fuzz: examples per property (asked %d each)' % EXAMPLES)
    for name, count in sorted(COUNTS.items()):
        terminalreporter.write_line('fuzz: %-58s %6d examples' % (name, count))
    terminalreporter.write_line('fuzz: %d properties, %d examples in all' % (len(COUNTS), sum(COUNTS.values())))
