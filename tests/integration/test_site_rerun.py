"""Re-runs of site.yml on one bullseye lab (`rerun-kv`): an unchanged site is only checked, a changed
one is converged, and a failing check of an unchanged site converges it after all.

Every run passes the same settings (a short wait of the overlay check, so the check that fails in
the last tests fails soon): settings are part of a run's inputs, and other settings would make every
run a full converge.
"""

import json
import re

import pytest

from cnm_test_runner import REPO, run_playbook, wait_for

LAB = "rerun-kv"
SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
SETTINGS = ["-e", "cnm_overlay_check_wait_timeout=15"]
RECORD = "/var/lib/cnm-overlay/site-record.json"
UNCHANGED = "Every host is as the last finished run left it"
# A task of the converge plays only: present when the converge ran, absent when it was skipped.
CONVERGE_TASK = "TASK [Gather the network facts]"
# VXLAN into n2 dropped: nothing under /etc changes, the overlay stops working.
BLOCK_VXLAN = "iptables -%s INPUT -p udp --dport 4789 -j DROP"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory(LAB, "bullseye")


def why(result):
    """The first play's verdict, for the message of a failed assertion."""
    text = result.stdout
    start = text.find("TASK [Say whether the converge is skipped")
    return text[start:start + 2000] if start >= 0 else text[-3000:]


def site(lab, *extra):
    return run_playbook(SITE, inventory=lab.inventory, extra_args=SETTINGS + list(extra))


@pytest.fixture(scope="module")
def first(lab):
    return site(lab)


@pytest.fixture(scope="module")
def rerun(lab, first):
    return site(lab)


def test_first_run_converges_every_host_without_a_record(first, flat, overlay_passed):
    assert first.returncode == 0, first.stdout[-3000:]
    assert "kv: no record of a finished run on this host" in flat(first)
    assert CONVERGE_TASK in first.stdout and overlay_passed(first)


@pytest.mark.parametrize("node", ["kv", "n1", "n2"])
def test_first_run_leaves_a_record_only_root_reads(lab, first, node):
    assert lab.sh(node, "stat -c '%a %U' " + RECORD, check=True).stdout.split() == ["600", "root"]


def test_rerun_of_an_unchanged_site_skips_the_converge(rerun, flat):
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert UNCHANGED in flat(rerun), why(rerun)
    assert CONVERGE_TASK not in rerun.stdout


def test_rerun_of_an_unchanged_site_still_checks_the_overlay(rerun, overlay_passed):
    assert overlay_passed(rerun), rerun.stdout[-3000:]


def test_rerun_of_an_unchanged_site_changes_nothing(rerun, changed_count):
    assert changed_count(rerun.stdout) == 0


def test_check_mode_on_an_unchanged_site_plans_nothing(lab, rerun, flat, changed_count):
    result = run_playbook(SITE, inventory=lab.inventory, extra_args=SETTINGS, check=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert UNCHANGED in flat(result), why(result)
    assert CONVERGE_TASK not in result.stdout and changed_count(result.stdout) == 0


def test_converge_always_runs_the_converge_and_changes_nothing(lab, rerun, flat, changed_count):
    result = site(lab, "-e", "cnm_overlay_converge=always")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Converging every host (cnm_overlay_converge=always)." in flat(result)
    assert CONVERGE_TASK in result.stdout and changed_count(result.stdout) == 0
    # The setting is not one of the inputs: the next run is a re-run of an unchanged site.
    assert UNCHANGED in flat(site(lab))


def test_a_bad_converge_setting_names_the_setting_and_changes_nothing(lab, rerun, flat):
    before = {node: lab.sh(node, "sha256sum %s /etc/docker/daemon.json" % RECORD).stdout for node in ("n1", "n2")}
    result = site(lab, "-e", "cnm_overlay_converge=sometimes")
    assert result.returncode != 0
    assert 'cnm_overlay_converge is "sometimes": use auto' in flat(result), result.stdout[-3000:]
    assert {node: lab.sh(node, "sha256sum %s /etc/docker/daemon.json" % RECORD).stdout for node in ("n1", "n2")} == before


def test_an_edited_daemon_json_is_named_and_converged_back(lab, rerun, flat):
    edit = ("python3 -c \"import json; p='/etc/docker/daemon.json'; c=json.load(open(p)); "
            "c.pop('live-restore'); json.dump(c, open(p, 'w'))\"")
    lab.sh("n1", edit, check=True)
    result = site(lab)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "n1: path /etc/docker/daemon.json: file" in flat(result)
    assert json.loads(lab.daemon_json("n1"))["live-restore"] is True
    assert UNCHANGED in flat(site(lab))


def test_a_stopped_store_agent_is_named_and_started_again(lab, rerun, flat):
    lab.sh("kv", "service consul stop", check=True)
    wait_for("consul on kv stopped", lambda: lab.sh("kv", "pidof consul").returncode != 0, 30)
    result = site(lab)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"kv: process consul: running /\S+ \d+ \d+ -> -", flat(result)), result.stdout[-3000:]
    assert lab.sh("kv", "pidof consul").returncode == 0


@pytest.fixture(scope="module")
def vxlan_blocked(lab, rerun):
    """A run while VXLAN into n2 is dropped (nothing a record watches changes), then one without."""
    assert UNCHANGED in " ".join(site(lab).stdout.split())
    lab.sh("n2", BLOCK_VXLAN % "I", check=True)
    try:
        blocked = site(lab)
    finally:
        lab.sh("n2", BLOCK_VXLAN % "D", check=True)
    return blocked, site(lab)


def test_a_failing_check_of_an_unchanged_site_converges_every_host(vxlan_blocked, flat):
    blocked = vxlan_blocked[0]
    assert "The overlay check failed on a site that looked unchanged" in flat(blocked), blocked.stdout[-3000:]
    assert CONVERGE_TASK in blocked.stdout
    # The converge cannot mend a dropped port: the final check fails the run.
    assert blocked.returncode != 0 and "checks on network multi failed" in flat(blocked)


def test_a_failed_run_leaves_the_record_of_the_last_finished_one(vxlan_blocked, flat, overlay_passed):
    after = vxlan_blocked[1]
    assert after.returncode == 0, after.stdout[-3000:]
    assert UNCHANGED in flat(after) and overlay_passed(after)


def test_a_changed_setting_converges_every_host(lab, vxlan_blocked, flat, changed_count):
    result = site(lab, "-e", "cnm_overlay_check_keep=true")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "the inputs changed since the last finished run" in flat(result)
    assert CONVERGE_TASK in result.stdout and changed_count(result.stdout) == 0


def test_a_setting_made_from_facts_converges_on_every_run(lab, vxlan_blocked, flat):
    # The record's comparison runs before any facts are gathered: such a setting has no value yet.
    from_facts = ["-e", '{"cnm_overlay_kv_address": "{{ hostvars[groups.kv_store[0]].ansible_facts.eth0.ipv4.address }}"}']
    for attempt in (1, 2):
        result = site(lab, *from_facts)
        assert result.returncode == 0, "run %d: %s" % (attempt, result.stdout[-3000:])
        assert "could not be worked out before the converge gathers facts" in flat(result), why(result)
        assert CONVERGE_TASK in result.stdout
