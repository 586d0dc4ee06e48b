"""What site.yml leaves on every bookworm docker host, one observable fact per test."""

import json

testinfra_hosts = ["docker_hosts"]


def docker_info(host):
    return json.loads(host.check_output("docker info --format '{{json .}}'"))


def test_daemon_uses_etcd_as_cluster_store(host, site):
    assert docker_info(host)["ClusterStore"] == "etcd://%s:2379" % site["kv_address"]


def test_daemon_is_in_no_swarm(host):
    assert docker_info(host)["Swarm"]["LocalNodeState"] == "inactive"


def test_cluster_store_comes_from_daemon_json(host, site):
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert config["cluster-store"] == "etcd://%s:2379" % site["kv_address"]
