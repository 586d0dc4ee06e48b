"""A converged site that changes, on one bullseye lab (`changes-kv`). kv, the store's host, joins the
docker hosts as well; then the network's subnet changes. One fact per test.

1. kv added after n1 and n2: site.yml converges kv only. The engines converged before keep running (no
   restart), c1 and c2 are the same containers.
2. kv put in front of n1 and n2: the first two docker hosts, which hold c1 and c2, are now kv and n1. The
   kept c1 and c2 move there (n2's c2 is removed, so that its name is free on the network).
3. Another subnet: Docker cannot change a network in place. Without cnm_overlay_network_recreate the run
   stops and says how to make it anew; with it, a container that is not the overlay check's on the
   network stops the run, named, before any change; with only c1 and c2 on it, the network is made anew
   and c1 and c2 with it.
4. Runs with --limit n2 (neither the store's host nor a check host): the store's token and address are
   read from kv, not lost from n2's daemon.json and environment; the overlay check is skipped, saying why;
   a daemon.json broken by hand on n2 is repaired without touching kv's and n1's engines; a subnet change
   that would make the network anew stops, since the limit hides the other hosts' containers.
"""

import json

import pytest

from cnm_test_runner import REPO, run_playbook

LAB = "changes-kv"
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


def test_second_run_with_the_added_host_changes_nothing(appended, appended_inventory, changed_count):
    result = run_playbook(SITE, inventory=appended_inventory)
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def moved_inventory(lab, inventory_file):
    return grown_inventory(lab, inventory_file, ("kv", "n1", "n2"))


@pytest.fixture(scope="module")
def moved(lab, appended, moved_inventory):
    """site.yml with kv in front of n1 and n2: c1 belongs on kv, c2 on n1 now."""
    lab.load_sandbox("kv")  # the lab puts it on n1 and n2 only
    return run_playbook(SITE, inventory=moved_inventory)


def test_site_with_other_check_hosts_converges_and_the_check_passes(moved, overlay_passed):
    assert moved.returncode == 0 and overlay_passed(moved), moved.stdout[-3000:]


@pytest.mark.parametrize("node, names", [("kv", ["c1"]), ("n1", ["c2"]), ("n2", [])])
def test_kept_sandboxes_moved_to_the_new_check_hosts(lab, moved, node, names):
    assert sandboxes(lab, node) == names


NEW_SUBNET = ["-e", "cnm_overlay_subnet=10.20.0.0/24"]
RECREATE = ["-e", "cnm_overlay_network_recreate=true"]


def subnet(lab, node):
    return lab.sh(node, "docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' multi", check=True).stdout.strip()


@pytest.fixture(scope="module")
def other_subnet(lab, moved, moved_inventory):
    """site.yml with another subnet, without cnm_overlay_network_recreate."""
    return run_playbook(SITE, inventory=moved_inventory, extra_args=NEW_SUBNET)


def test_other_subnet_stops_saying_how_to_make_the_network_anew(other_subnet, flat):
    assert other_subnet.returncode != 0
    assert "With site.yml: run it with -e cnm_overlay_network_recreate=true" in flat(other_subnet), other_subnet.stdout[-3000:]


def test_other_subnet_without_recreate_keeps_the_network(lab, other_subnet):
    assert subnet(lab, "n2") == "10.10.0.0/24"


@pytest.fixture(scope="module")
def someone_elses(lab, other_subnet, moved_inventory):
    """A container of someone else's on the network on n2, then site.yml with the new subnet and the remake."""
    started = lab.start_on_network("n2", "web", "multi", SANDBOX)
    assert started.returncode == 0, started.stderr
    try:
        return run_playbook(SITE, inventory=moved_inventory, extra_args=NEW_SUBNET + RECREATE)
    finally:
        lab.sh("n2", "docker rm -f web", check=True)


def test_recreate_stops_naming_someone_elses_container(someone_elses, flat):
    assert someone_elses.returncode != 0
    assert "containers that are not the overlay check's are on it: n2: web." in flat(someone_elses), \
        someone_elses.stdout[-3000:]


def test_recreate_stopped_by_someone_elses_container_keeps_c1(lab, someone_elses):
    assert sandboxes(lab, "kv") == ["c1"] and subnet(lab, "kv") == "10.10.0.0/24"


@pytest.fixture(scope="module")
def recreated(lab, someone_elses, moved_inventory):
    return run_playbook(SITE, inventory=moved_inventory, extra_args=NEW_SUBNET + RECREATE)


def test_recreate_converges_and_the_check_passes(recreated, overlay_passed):
    assert recreated.returncode == 0 and overlay_passed(recreated), recreated.stdout[-3000:]


@pytest.mark.parametrize("node", ["kv", "n1", "n2"])
def test_recreated_network_has_the_new_subnet_on_every_docker_host(lab, recreated, node):
    assert subnet(lab, node) == "10.20.0.0/24"


def test_c1_has_an_address_in_the_new_subnet(lab, recreated):
    assert lab.overlay_address("kv", "c1").startswith("10.20.0.")


def test_rerun_after_the_remake_changes_nothing(recreated, moved_inventory, changed_count):
    result = run_playbook(SITE, inventory=moved_inventory, extra_args=NEW_SUBNET + RECREATE)
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


LIMIT_N2 = NEW_SUBNET + RECREATE + ["--limit", "n2"]


def store_token_of_dockerd(lab, node):
    return [line.split("=", 1)[1] for line in lab.environ(node, lab.dockerd_pid(node))
            if line.startswith("CONSUL_HTTP_TOKEN=")]


@pytest.fixture(scope="module")
def limited(lab, recreated, moved_inventory):
    """site.yml with --limit n2 on the converged site."""
    return run_playbook(SITE, inventory=moved_inventory, extra_args=LIMIT_N2)


def test_limited_run_changes_nothing(limited, changed_count):
    assert limited.returncode == 0 and changed_count(limited.stdout) == 0, limited.stdout[-3000:]


def test_limited_run_says_the_overlay_check_is_skipped_and_why(limited, flat):
    assert "Overlay check skipped: --limit leaves out kv, n1 (the check hosts are kv, n1)" in flat(limited)


@pytest.fixture(scope="module")
def before_repair(lab, limited):
    """n2's daemon.json loses its cluster-store by hand; kv's and n1's engines as they run before the repair."""
    config = json.loads(lab.daemon_json("n2"))
    del config["cluster-store"]
    lab.write_file("n2", "/etc/docker/daemon.json", json.dumps(config).encode())
    return {node: lab.dockerd_pid(node) for node in ("kv", "n1")}


@pytest.fixture(scope="module")
def repaired(lab, before_repair, moved_inventory):
    return run_playbook(SITE, inventory=moved_inventory, extra_args=LIMIT_N2)


def test_limited_repair_converges(repaired):
    assert repaired.returncode == 0, repaired.stdout[-3000:]


def test_limited_repair_gives_n2_the_store_address_of_kv(lab, repaired):
    assert lab.docker_info("n2")["ClusterStore"] == "consul://%s:8500" % lab.address("kv")


def test_limited_repair_keeps_dockerds_store_token(lab, repaired):
    assert store_token_of_dockerd(lab, "n2") == [lab.kept_secret("docker.token")]


def test_limited_repair_leaves_the_other_engines_running(lab, before_repair, repaired):
    assert {node: lab.dockerd_pid(node) for node in ("kv", "n1")} == before_repair


@pytest.fixture(scope="module")
def limited_recreate(lab, repaired, moved_inventory):
    """Yet another subnet with cnm_overlay_network_recreate, but --limit n2."""
    return run_playbook(SITE, inventory=moved_inventory,
                        extra_args=["-e", "cnm_overlay_subnet=10.30.0.0/24"] + RECREATE + ["--limit", "n2"])


def test_limited_recreate_stops_naming_the_hosts_left_out(limited_recreate, flat):
    assert limited_recreate.returncode != 0
    assert "but --limit leaves out kv, n1, whose containers on it this run cannot see" in flat(limited_recreate), \
        limited_recreate.stdout[-3000:]


def test_limited_recreate_keeps_the_network(lab, limited_recreate):
    assert subnet(lab, "n2") == "10.20.0.0/24"
