"""A swarm of 3 managers that loses one, as issue 19 asks: trixie lab with docker hosts n1, n2 and n3, all three
managers (swarm_managers in an extra inventory file). With n3's engine stopped, the other two keep the swarm's
quorum and the overlay check passes; the next site.yml starts n3's engine again, n3 is a reachable manager
again, and the check passes."""

import json

import pytest

from cnm_test_runner import REPO, wait_for

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
NODES = ("n1", "n2", "n3")
LOST = "n3"
MANAGERS = "swarm_managers:\n  hosts: {n1: {}, n2: {}, n3: {}}\n"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("swarm-three", "trixie", docker_hosts=3)


@pytest.fixture(scope="module")
def managers_inventory(tmp_path_factory):
    path = tmp_path_factory.mktemp("swarm-three") / "managers.yml"
    path.write_text(MANAGERS)
    return ("-i", str(path))


def managers(lab, node="n1"):
    """{hostname: (status, manager reachability)} of the swarm's managers, as node sees them."""
    result = lab.sh(node, "docker node ls --filter role=manager --format '{{json .}}'")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {row["Hostname"]: (row["Status"], row["ManagerStatus"]) for row in rows}


@pytest.fixture
def converged(lab, managers_inventory, play_once):
    result = play_once("site", SITE, lab.inventory, managers_inventory)
    assert result.returncode == 0, result.stdout[-3000:]
    return result


@pytest.fixture
def lost(lab, converged, once):
    """n3's engine stopped, as a manager that fails would."""
    def stop():
        lab.sh(LOST, "service docker stop", check=True)
        wait_for("n1 to see n3 unreachable", lambda: managers(lab)[LOST][1] == "Unreachable")
        return True
    return once.keep("lost", stop)


@pytest.fixture
def checked_without_it(lab, lost, managers_inventory, play_once):
    """Only the overlay check stage of site.yml (n1 and n2), with n3's engine down."""
    return play_once("check", SITE, lab.inventory, managers_inventory + ("--tags", "check"))


@pytest.fixture
def healed(lab, checked_without_it, managers_inventory, play_once):
    return play_once("heal", SITE, lab.inventory, managers_inventory)


def test_the_site_makes_three_managers(lab, converged):
    assert sorted(managers(lab)) == list(NODES)


def test_the_swarm_keeps_its_quorum_without_one_manager(lab, lost):
    status = managers(lab, "n2")
    assert status["n1"][1] in ("Leader", "Reachable") and status["n2"][1] in ("Leader", "Reachable")
    assert "Leader" in (status["n1"][1], status["n2"][1])


def test_the_overlay_keeps_passing_without_one_manager(checked_without_it, overlay_passed):
    assert checked_without_it.returncode == 0 and overlay_passed(checked_without_it), checked_without_it.stdout[-3000:]


def test_a_rerun_starts_the_lost_manager_again(lab, healed):
    assert healed.returncode == 0, healed.stdout[-3000:]
    assert lab.dockerd_pid(LOST)


def test_the_lost_manager_is_reachable_again(lab, healed):
    wait_for("n3 to be a ready, reachable manager", lambda: managers(lab)[LOST] == ("Ready", "Reachable"))


def test_the_healed_site_passes_its_check(healed, overlay_passed):
    assert overlay_passed(healed)
