"""A converged site that grows, on one bullseye lab (`grow-kv`): kv, the store's host, joins the docker
hosts as well. One fact per test.

1. kv added after n1 and n2: site.yml converges kv only. The engines converged before keep running (no
   restart), c1 and c2 are the same containers, and a container on kv reaches c1 over `multi`.
2. kv put in front of n1 and n2: the first two docker hosts, which hold c1 and c2, are now kv and n1. The
   kept c1 and c2 move there (n2's c2 is removed, so that its name is free on the network).
"""

import pytest

from cnm_test_runner import REPO, run_playbook

LAB = "grow-kv"
SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
SANDBOX = "cnm-lab/sandbox:latest"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory(LAB, "bullseye")


def engines_and_sandboxes(lab):
    """What a converge of an added host must not touch on n1 and n2: their dockerd's PID, c1's and c2's IDs."""
    return {"dockerd": [lab.dockerd_pid(node) for node in ("n1", "n2")],
            "containers": [lab.sh(node, "docker inspect -f '{{.Id}}' %s" % name, check=True).stdout.strip()
                           for node, name in (("n1", "c1"), ("n2", "c2"))]}


def sandboxes(lab, node):
    return lab.sh(node, "docker ps -a --format '{{.Names}}'", check=True).stdout.split()


@pytest.fixture(scope="module")
def before(lab):
    """The site as the lab's inventory has it (kv the store, n1 and n2 the docker hosts), converged."""
    result = run_playbook(SITE, inventory=lab.inventory)
    assert result.returncode == 0, result.stdout[-3000:]
    return engines_and_sandboxes(lab)


def grown_inventory(lab, inventory_file, docker_hosts):
    return inventory_file({"kv_store": {"kv": lab.host_vars("kv")},
                           "docker_hosts": {node: lab.host_vars(node) for node in docker_hosts}}, keep_order=True)


@pytest.fixture(scope="module")
def appended_inventory(lab, inventory_file):
    return grown_inventory(lab, inventory_file, ("n1", "n2", "kv"))


@pytest.fixture(scope="module")
def appended(lab, before, appended_inventory):
    """site.yml with kv added after n1 and n2."""
    return run_playbook(SITE, inventory=appended_inventory)


def test_site_with_an_added_docker_host_converges(appended, overlay_passed):
    assert appended.returncode == 0 and overlay_passed(appended), appended.stdout[-3000:]


def test_added_host_uses_the_cluster_store(lab, appended):
    assert lab.docker_info("kv")["ClusterStore"].startswith("consul://")


def test_added_host_sees_the_network(lab, appended):
    assert "multi" in lab.sh("kv", "docker network ls --format '{{.Name}}'", check=True).stdout.split()


def test_engines_converged_before_were_not_restarted(lab, before, appended):
    assert engines_and_sandboxes(lab)["dockerd"] == before["dockerd"]


def test_c1_and_c2_are_the_same_containers(lab, before, appended):
    assert engines_and_sandboxes(lab)["containers"] == before["containers"]


def test_a_container_on_the_added_host_reaches_c1_by_name(lab, appended):
    lab.load_sandbox("kv")
    result = lab.sh("kv", "docker run --rm --network multi %s ping -c 2 -W 5 c1" % SANDBOX, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_second_run_with_the_added_host_changes_nothing(appended, appended_inventory, changed_count):
    result = run_playbook(SITE, inventory=appended_inventory)
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def moved(lab, appended, inventory_file):
    """site.yml with kv in front of n1 and n2: c1 belongs on kv, c2 on n1 now."""
    return run_playbook(SITE, inventory=grown_inventory(lab, inventory_file, ("kv", "n1", "n2")))


def test_site_with_other_check_hosts_converges_and_the_check_passes(moved, overlay_passed):
    assert moved.returncode == 0 and overlay_passed(moved), moved.stdout[-3000:]


@pytest.mark.parametrize("node, names", [("kv", ["c1"]), ("n1", ["c2"]), ("n2", [])])
def test_kept_sandboxes_moved_to_the_new_check_hosts(lab, moved, node, names):
    assert sandboxes(lab, node) == names
