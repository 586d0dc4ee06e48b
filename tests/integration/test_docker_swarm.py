"""docker_swarm on trixie lab hosts (Docker 26): swarm mode as the overlay's control plane."""

import pytest

from cnm_test_runner import SHARED_LABS_GROUP

pytestmark = SHARED_LABS_GROUP

SWARM_PLAY = """
- name: Swarm control plane
  hosts: docker_hosts
  gather_facts: false
  roles:
    - cnm.overlay.docker_swarm
"""

ENCRYPTED_PLAY = """
- name: Swarm control plane for an encrypted overlay
  hosts: docker_hosts
  gather_facts: false
  roles:
    - role: cnm.overlay.docker_swarm
      docker_swarm_encrypted_network: true
"""


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("gens-swarm", "trixie")


@pytest.fixture
def first_run(lab, play_once):
    return play_once("first", SWARM_PLAY, lab.inventory)


@pytest.fixture
def second_run(lab, first_run, play_once):
    return play_once("second", SWARM_PLAY, lab.inventory)


@pytest.fixture
def attached(lab, once, first_run):
    """An attachable overlay made on the manager; c1 on n1 and c2 on n2 started on it."""
    if "attached" not in once:
        lab.sh("n1", "docker network create -d overlay --attachable --subnet 10.10.0.0/24 gens-att", check=True)
        for node, name in (("n1", "c1"), ("n2", "c2")):
            # On a worker the network appears only once a container uses it: start it with --network.
            lab.sh(node, "docker run -d --init --name %s --network gens-att cnm-lab/sandbox:latest sleep 3600" % name,
                   check=True)
        once["attached"] = "gens-att"
    return once["attached"]


def test_check_mode_on_fresh_hosts_forms_no_swarm(lab, playbook_runner):
    # Runs before the first converge (tests run in file order).
    result = playbook_runner(SWARM_PLAY, inventory=lab.inventory, check=True)
    assert lab.docker_info("n1")["Swarm"]["LocalNodeState"] == "inactive", result.stdout[-3000:]


def test_first_run_succeeds(first_run):
    assert first_run.returncode == 0, first_run.stdout[-3000:]


def test_first_host_is_a_manager(lab, first_run):
    assert lab.docker_info("n1")["Swarm"]["ControlAvailable"] is True


def test_second_host_is_an_active_member(lab, first_run):
    assert lab.docker_info("n2")["Swarm"]["LocalNodeState"] == "active"


def test_second_host_is_a_worker(lab, first_run):
    assert lab.docker_info("n2")["Swarm"]["ControlAvailable"] is False


def test_second_host_advertises_its_eth0_address(lab, first_run):
    assert lab.docker_info("n2")["Swarm"]["NodeAddr"] == lab.address("n2")


def test_join_tokens_are_not_printed(lab, first_run):
    tokens = [lab.sh("n1", "docker swarm join-token -q %s" % kind, check=True).stdout.strip() for kind in ("worker", "manager")]
    assert not any(token in first_run.stdout for token in tokens)


def test_second_run_changes_nothing(second_run, changed_count):
    assert second_run.returncode == 0 and changed_count(second_run.stdout) == 0, second_run.stdout[-3000:]


def test_check_mode_run_changes_nothing(lab, second_run, changed_count, playbook_runner):
    result = playbook_runner(SWARM_PLAY, inventory=lab.inventory, check=True)
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


def test_attachable_overlay_made_on_the_manager_is_used_on_the_worker(lab, attached):
    assert lab.sh("n2", "docker network inspect -f '{{.Scope}}' %s" % attached).stdout.strip() == "swarm"


def test_c2_on_the_worker_reaches_c1_by_name(lab, attached):
    assert lab.sh("n2", "docker exec c2 ping -c 2 -W 10 c1").returncode == 0


def test_encrypted_overlay_preflight_names_encrypted_and_the_kernel_fix(lab, second_run, playbook_runner):
    # This machine's kernel has no CONFIG_INET_ESP (lab facts); the preflight must say so.
    result = playbook_runner(ENCRYPTED_PLAY, inventory=lab.inventory)
    assert "encrypted: true" in result.stdout and "CONFIG_INET_ESP" in result.stdout


def test_host_of_another_swarm_is_refused(lab, attached, playbook_runner):
    lab.sh("n2", "docker rm -f c2; docker swarm leave --force && docker swarm init --advertise-addr eth0", check=True)
    result = playbook_runner(SWARM_PLAY, inventory=lab.inventory)
    assert "in another swarm, not the one managed from n1: n2 (its managers:" in result.stdout


def test_live_restore_is_refused(lab, playbook_runner):
    lab.sh("n2", "docker swarm leave --force; echo '{\"live-restore\": true}' > /etc/docker/daemon.json", check=True)
    result = playbook_runner(SWARM_PLAY, inventory=lab.inventory)
    assert "live-restore is enabled on n2" in result.stdout


def test_host_that_left_joins_again(lab, playbook_runner):
    lab.sh("n2", "echo '{}' > /etc/docker/daemon.json", check=True)
    result = playbook_runner(SWARM_PLAY, inventory=lab.inventory)
    assert lab.docker_info("n2")["Swarm"]["LocalNodeState"] == "active", result.stdout[-3000:]


def test_worker_named_in_swarm_managers_is_promoted(lab, inventory_file, playbook_runner):
    nodes = {node: lab.host_vars(node) for node in ("n1", "n2")}
    inventory = inventory_file({"docker_hosts": nodes, "swarm_managers": nodes})
    result = playbook_runner(SWARM_PLAY, inventory=inventory)
    assert lab.docker_info("n2")["Swarm"]["ControlAvailable"] is True, result.stdout[-3000:]
