# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared data for the default scenario's testinfra tests: instances and groups from molecule.yml."""

import json
import os
from pathlib import Path

import pytest
import yaml

SCENARIO_DIR = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
PLATFORMS = yaml.safe_load((SCENARIO_DIR / "molecule.yml").read_text(encoding="utf-8"))["platforms"]
HOSTS = [platform["name"] for platform in PLATFORMS]
CANARIES = [platform["name"] for platform in PLATFORMS if "kdump_canary" in platform.get("groups", [])]


def report_dir():
    """Where converge.yml writes the controller-side report."""
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "kdump-report"


@pytest.fixture(scope="session")
def report():
    return json.loads((report_dir() / "kdump-report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def report_md():
    return (report_dir() / "kdump-report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def records(report):
    return {record["host"]: record for record in report["hosts"]}
