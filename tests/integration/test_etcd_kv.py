"""etcd_kv on bookworm lab hosts: the store libnetwork of Debian 12's engine can use."""

import json

import pytest

from cnm_test_runner import SHARED_LABS_GROUP

pytestmark = SHARED_LABS_GROUP

ETCD_PLAY = """
- name: etcd store
  hosts: kv_store
  roles:
    - cnm.overlay.etcd_kv
"""

BAD_ADDRESS_PLAY = """
- name: etcd store on an address the host does not have
  hosts: kv_store
  roles:
    - role: cnm.overlay.etcd_kv
      etcd_kv_address: 192.0.2.77
      etcd_kv_wait_retries: 3
"""


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("gens-etcd", "bookworm")


@pytest.fixture
def first_run(lab, play_once):
    return play_once("first", ETCD_PLAY, lab.inventory)


@pytest.fixture
def second_run(lab, first_run, play_once):
    return play_once("second", ETCD_PLAY, lab.inventory)


@pytest.fixture
def cluster_store_network(lab, once, first_run):
    """n1 and n2 use etcd://kv:2379 as cluster store; an overlay is made on n1."""
    if "network" in once:
        return once["network"]
    config = json.dumps({"cluster-store": "etcd://kv:2379", "cluster-advertise": "eth0:2376"})
    for node in ("n1", "n2"):
        lab.sh(node, "echo '%s' > /etc/docker/daemon.json && service docker restart" % config, check=True)
        lab.sh(node, "for i in $(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1", check=True)
    lab.sh("n1", "docker network create -d overlay --subnet 10.10.0.0/24 gens-multi", check=True)
    once["network"] = "gens-multi"
    return once["network"]


def test_check_mode_on_a_fresh_host_leaves_the_settings_alone(lab, playbook_runner):
    # Runs before the first converge (tests run in file order): the package's own file stays.
    before = lab.sh("kv", "md5sum /etc/default/etcd", check=True).stdout
    playbook_runner(ETCD_PLAY, inventory=lab.inventory, check=True)
    assert lab.sh("kv", "md5sum /etc/default/etcd", check=True).stdout == before


def test_first_run_succeeds(first_run):
    assert first_run.returncode == 0, first_run.stdout[-3000:]


def test_etcd_is_healthy_from_a_docker_host(lab, first_run):
    assert json.loads(lab.sh("n1", "curl -s http://kv:2379/health").stdout)["health"] == "true"


def test_v2_write_from_a_docker_host_is_read_back(lab, first_run):
    lab.sh("n1", "curl -s -X PUT http://kv:2379/v2/keys/gens-test -d value=written-by-n1", check=True)
    node = json.loads(lab.sh("n2", "curl -s http://kv:2379/v2/keys/gens-test").stdout)["node"]
    assert node["value"] == "written-by-n1"


def test_data_lives_in_the_persistent_data_dir(lab, first_run):
    assert lab.sh("kv", "test -d /var/lib/etcd/cnm-overlay/member").returncode == 0


def test_second_run_changes_nothing(second_run, changed_count):
    assert second_run.returncode == 0 and changed_count(second_run.stdout) == 0, second_run.stdout[-3000:]


def test_check_mode_run_changes_nothing(lab, second_run, changed_count, playbook_runner):
    result = playbook_runner(ETCD_PLAY, inventory=lab.inventory, check=True)
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


def test_engine_runs_with_the_etcd_cluster_store(lab, cluster_store_network):
    assert lab.docker_info("n2")["ClusterStore"] == "etcd://kv:2379"


def test_overlay_made_on_n1_is_seen_on_n2(lab, cluster_store_network):
    assert lab.sh("n2", "docker network inspect -f '{{.Name}}' %s" % cluster_store_network).stdout.strip() == "gens-multi"


def test_overlay_seen_on_n2_has_global_scope(lab, cluster_store_network):
    assert lab.sh("n2", "docker network inspect -f '{{.Scope}}' %s" % cluster_store_network).stdout.strip() == "global"


def test_docker_keeps_its_network_in_etcd(lab, cluster_store_network):
    network_id = lab.sh("n1", "docker network inspect -f '{{.Id}}' %s" % cluster_store_network, check=True).stdout.strip()
    keys = lab.sh("kv", "curl -s 'http://127.0.0.1:2379/v2/keys/docker/network/v1.0/network?recursive=true'").stdout
    assert network_id in keys


def test_c2_on_n2_reaches_c1_on_n1_by_name(lab, cluster_store_network):
    for node, name in (("n1", "c1"), ("n2", "c2")):
        lab.sh(node, "docker run -d --init --name %s --network %s cnm-lab/sandbox:latest sleep 3600"
               % (name, cluster_store_network), check=True)
    assert lab.sh("n2", "docker exec c2 ping -c 2 -W 10 c1").returncode == 0


def test_unusable_etcd_fails_with_its_log(lab, cluster_store_network, playbook_runner, flat):
    result = playbook_runner(BAD_ADDRESS_PLAY, inventory=lab.inventory)
    assert "Last log lines" in result.stdout and "192.0.2.77:2380: bind: cannot assign requested address" in flat(result)


def test_rerun_with_good_settings_recovers(lab, playbook_runner):
    result = playbook_runner(ETCD_PLAY, inventory=lab.inventory)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def cluster_lab(lab_factory, inventory_file):
    """kv, n1 and n2 of a second bookworm lab as three etcd members."""
    lab = lab_factory("gens-etcd3", "bookworm")
    members = {node: lab.host_vars(node) for node in ("kv", "n1", "n2")}
    return lab, inventory_file({"kv_store": members})


@pytest.fixture
def cluster_run(cluster_lab, play_once):
    return play_once("cluster", ETCD_PLAY, cluster_lab[1])


def test_three_hosts_converge_as_a_cluster(cluster_run):
    assert cluster_run.returncode == 0, cluster_run.stdout[-3000:]


def test_cluster_has_three_members(cluster_lab, cluster_run):
    members = json.loads(cluster_lab[0].sh("kv", "curl -s http://127.0.0.1:2379/v2/members").stdout)["members"]
    assert sorted(member["name"] for member in members) == ["kv", "n1", "n2"]


def test_write_on_one_member_is_read_on_another(cluster_lab, cluster_run):
    lab = cluster_lab[0]
    lab.sh("n1", "curl -s -X PUT http://127.0.0.1:2379/v2/keys/gens-cluster -d value=from-n1", check=True)
    node = json.loads(lab.sh("n2", "curl -s 'http://127.0.0.1:2379/v2/keys/gens-cluster?quorum=true'").stdout)["node"]
    assert node["value"] == "from-n1"


def test_cluster_second_run_changes_nothing(cluster_lab, cluster_run, play_once, changed_count):
    result = play_once("cluster-second", ETCD_PLAY, cluster_lab[1])
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]
