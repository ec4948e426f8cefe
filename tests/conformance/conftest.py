# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest wiring of the conformance stage: the collection must be importable, the tally is written at the end."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import conformance_support as support  # noqa: E402  (needs the path above)


def pytest_configure(config):
    if support.COLLECTIONS_ROOT.name == '' or support.HERE.parents[3].name != 'ansible_collections':
        raise pytest.UsageError('run the conformance tests from the collection tree: make conformance')
    root = str(support.COLLECTIONS_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)


@pytest.fixture(autouse=True)
def _current_test(request):
    support.TALLY.current_test = request.node.nodeid
    yield
    support.TALLY.current_test = None


def pytest_runtest_logreport(report):
    if report.failed:
        support.TALLY.failed_tests.add(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get('FLEET_KDUMP_CONFORMANCE_TALLY')
    if not path:
        return
    data = support.TALLY.as_dict()
    data['pytest_exitstatus'] = int(exitstatus)
    with open(path, 'w') as handle:
        json.dump(data, handle, indent=1)
