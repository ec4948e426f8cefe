# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the three site.yml runs of converge.yml left behind: their output, exit codes and reports."""

import json
import os
import re
from pathlib import Path

import pytest
import yaml

SCENARIO_DIR = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
PLATFORMS = yaml.safe_load((SCENARIO_DIR / "molecule.yml").read_text(encoding="utf-8"))["platforms"]
HOSTS = sorted(p["name"] for p in PLATFORMS)
CANARIES = sorted(p["name"] for p in PLATFORMS if "kdump_canary" in p["groups"])
REST = sorted(set(HOSTS) - set(CANARIES))
SERIAL = 2

RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                        r"\s+failed=(?P<failed>\d+)", re.MULTILINE)


def run_dir(name):
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "fleet-runs" / name


def read_log(name):
    return (run_dir(name) / "site.log").read_text(encoding="utf-8")


def exit_code(log):
    return int(re.search(r"^EXIT CODE: (\d+)$", log, re.MULTILINE).group(1))


def recap(log):
    return {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP_LINE.finditer(log)}


def play_batches(log, play_prefix):
    """Hosts of each occurrence of a play: with serial, Ansible runs the play once per batch."""
    batches = []
    for section in re.split(r"^PLAY \[", log, flags=re.MULTILINE)[1:]:
        if section.startswith(play_prefix):
            section = section.split("\nPLAY RECAP", 1)[0]
            batches.append(sorted(set(re.findall(r"^\w+: \[([^\]\s]+)", section, re.MULTILINE))))
    return batches


def report(name):
    return json.loads((run_dir(name) / "kdump-report" / "kdump-report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def first():
    return read_log("first")


@pytest.fixture(scope="module")
def rerun():
    return read_log("rerun")


@pytest.fixture(scope="module")
def failing():
    return read_log("failing-canary")


def test_first_run_succeeds_on_every_host(first):
    assert exit_code(first) == 0, first[-3000:]
    results = recap(first)
    assert sorted(set(results) - {"localhost"}) == HOSTS
    assert all(r["failed"] == 0 and r["unreachable"] == 0 for r in results.values())
    assert all(results[h]["changed"] > 0 for h in HOSTS), "a fresh host must be configured"


def test_canary_gate_opens_before_rollout(first):
    assert "Canary gate open" in first
    assert first.index("Canary gate open") < first.index("PLAY [Rollout")


def test_rollout_runs_in_batches_of_serial(first):
    batches = play_batches(first, "Rollout")
    assert len(batches) == -(-len(REST) // SERIAL), batches
    assert all(len(batch) <= SERIAL for batch in batches), batches
    assert sorted(h for batch in batches for h in batch) == REST
    assert not set(CANARIES) & {h for batch in batches for h in batch}


def test_rerun_changes_no_target(rerun):
    assert exit_code(rerun) == 0, rerun[-3000:]
    results = recap(rerun)
    changed = {h: r["changed"] for h, r in results.items() if h in HOSTS and r["changed"]}
    assert changed == {}, changed


@pytest.mark.parametrize("run", ["first", "rerun"])
def test_report_names_every_host_honestly(run):
    data = report(run)
    records = {r["host"]: r for r in data["hosts"]}
    assert sorted(records) == HOSTS
    for name in HOSTS:
        assert records[name]["state"] == "not_armed"
        assert any("no kexec in container" in e for e in records[name]["errors"]), records[name]["errors"]


def test_failing_canary_stops_the_rollout(failing):
    assert exit_code(failing) != 0
    assert "Canary gate closed" in failing
    assert "PLAY [Rollout" not in failing
    results = recap(failing)
    assert all(results[h]["failed"] > 0 for h in CANARIES), results


def test_failing_canary_is_in_the_report(failing):
    data = report("failing-canary")
    records = {r["host"]: r for r in data["hosts"]}
    for name in CANARIES:
        assert records[name]["state"] != "armed"
        assert records[name]["errors"], records[name]
