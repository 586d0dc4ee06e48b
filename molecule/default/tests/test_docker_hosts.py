"""What site.yml leaves on every docker host, one observable fact per test."""

import json

testinfra_hosts = ["docker_hosts"]

NETWORK = "multi"


def docker_info(host, field):
    return host.check_output("docker info --format '{{.%s}}'" % field).strip()


def test_daemon_uses_consul_as_cluster_store(host, site):
    assert docker_info(host, "ClusterStore") == "consul://%s:8500" % site["kv_address"]


def test_daemon_advertises_its_underlay_address(host):
    address = host.interface("eth0").addresses[0]
    assert docker_info(host, "ClusterAdvertise") == "%s:2376" % address


def test_cluster_flags_come_from_daemon_json(host):
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert config["cluster-advertise"] == "eth0:2376"


def test_no_cluster_flag_on_the_daemon_command_line(host):
    assert "--cluster-" not in host.check_output("ps -C dockerd -o args=")


def test_network_multi_is_a_global_overlay(host):
    inspect = json.loads(host.check_output("docker network inspect %s" % NETWORK))[0]
    assert (inspect["Driver"], inspect["Scope"]) == ("overlay", "global")


def test_live_restore_is_on(host):
    assert docker_info(host, "LiveRestoreEnabled") == "true"
