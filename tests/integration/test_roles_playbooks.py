"""The README's swarm-mode playbook, playbooks/examples/roles_swarm.yml, on trixie engines (Docker 26) of
one lab (`roles-swarm`): the roles alone, without site.yml or any cnm_overlay_* setting, form the swarm,
make the network and pass the overlay check; a second run changes nothing; a run with temporary sandboxes
passes too and leaves none. (The kv-mode playbook is Molecule's `roles` scenario.)"""

import json

import pytest

from cnm_test_runner import REPO, run_playbook

LAB = "roles-swarm"
PLAYBOOK = "- ansible.builtin.import_playbook: %s/playbooks/examples/roles_swarm.yml\n" % REPO
NETWORK = "multi"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory(LAB, "trixie")


@pytest.fixture(scope="module")
def first(lab):
    return run_playbook(PLAYBOOK, inventory=lab.inventory)


@pytest.fixture(scope="module")
def second(lab, first):
    return run_playbook(PLAYBOOK, inventory=lab.inventory)


@pytest.fixture(scope="module")
def temporary(lab, second):
    """A third run whose overlay check removes its sandboxes afterwards."""
    return run_playbook(PLAYBOOK, inventory=lab.inventory, extra_args=["-e", "overlay_check_keep=false"])


def test_first_run_passes_the_overlay_check(first, overlay_passed):
    assert first.returncode == 0, first.stdout[-3000:]
    assert overlay_passed(first), first.stdout[-3000:]


def test_second_run_passes_and_changes_nothing(second, overlay_passed, changed_count):
    assert second.returncode == 0, second.stdout[-3000:]
    assert overlay_passed(second) and changed_count(second.stdout) == 0, second.stdout[-3000:]


def test_the_engines_form_one_swarm_with_n1_as_its_manager(lab, second):
    swarms = {node: lab.docker_info(node)["Swarm"] for node in ("n1", "n2")}
    assert [swarms[node]["LocalNodeState"] for node in ("n1", "n2")] == ["active", "active"]
    assert (swarms["n1"]["ControlAvailable"], swarms["n2"]["ControlAvailable"]) == (True, False)
    assert swarms["n2"]["NodeID"] in lab.sh("n1", "docker node ls -q", check=True).stdout.split()


@pytest.mark.parametrize("node", ["n1", "n2"])
def test_the_network_is_an_attachable_swarm_overlay_on_both_hosts(lab, second, node):
    inspect = json.loads(lab.sh(node, "docker network inspect %s" % NETWORK, check=True).stdout)[0]
    assert (inspect["Driver"], inspect["Scope"], inspect["Attachable"]) == ("overlay", "swarm", True)
    assert inspect["IPAM"]["Config"][0]["Subnet"] == "10.10.0.0/24"


def test_c2_reaches_c1_by_name_in_the_kept_sandboxes(lab, second):
    assert lab.sh("n2", "docker exec c2 ping -c 2 -W 5 c1").returncode == 0


def test_a_run_with_temporary_sandboxes_passes_and_leaves_none(lab, temporary, overlay_passed):
    assert temporary.returncode == 0, temporary.stdout[-3000:]
    assert overlay_passed(temporary), temporary.stdout[-3000:]
    for node in ("n1", "n2"):
        assert lab.sh(node, "docker ps -aq --filter label=cnm.overlay.check.network=%s" % NETWORK,
                      check=True).stdout.split() == []
