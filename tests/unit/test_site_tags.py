"""site.yml's stage tags: `--tags store|engines|network|check` runs that stage's plays (and the plays that decide
and check the settings, always), and the run record only comes from a whole run."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ALWAYS = ["Compare every host", "Overlay check of an unchanged site", "Decide the control plane"]
STAGES = {
    "store": ["Preflight of every docker host", "Key-value store", "Docker hosts reach the store"],
    "engines": ["Preflight of every docker host", "Docker hosts reach the store", "Docker engines", "Engine restarts",
                "Swarm mode"],
    "network": ["Overlay network"],
    "check": ["Overlay check, c1"],
}


def plays_with_tasks(*args):
    """The plays of site.yml that would run a task (argument validations do not count), as --list-tasks says."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    out = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(REPO / "inventories" / "lab"),
                          str(REPO / "playbooks" / "site.yml"), "--list-tasks"] + list(args),
                         capture_output=True, text=True, env=env, check=True, cwd=str(REPO), timeout=120).stdout
    plays = []
    for block in re.split(r"^  play #\d+ \([^)]*\): ", out, flags=re.MULTILINE)[1:]:
        name, body = (block.split("\n", 1) + [""])[:2]
        tasks = [line.strip() for line in body.splitlines()[1:] if line.strip()]
        if [task for task in tasks if "Validating arguments against arg spec" not in task]:
            plays.append(name.split("\t")[0].strip())
    return plays


def named(plays, prefixes):
    return [prefix for prefix in prefixes if any(play.startswith(prefix) for play in plays)]


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_tag_runs_its_plays_and_the_deciding_ones_only(stage):
    plays = plays_with_tasks("--tags", stage)
    expected = ALWAYS + STAGES[stage]
    assert named(plays, expected) == expected
    assert [play for play in plays if not any(play.startswith(prefix) for prefix in expected)] == []


def test_a_whole_run_records_the_hosts():
    assert "Record how every host looks after the finished run" in plays_with_tasks()
