"""What site.yml proves on bookworm hosts (etcd chosen by itself), one observable fact per test."""

import json

testinfra_hosts = ["kv_store"]

NETWORK = "multi"


def test_etcd_holds_dockers_network_keys(host, site):
    network_id = site["c1_host"].check_output("docker network inspect --format '{{.Id}}' %s" % NETWORK).strip()
    keys = host.check_output("curl -s 'http://127.0.0.1:2379/v2/keys/docker/network/v1.0/network?recursive=true'")
    assert network_id in keys


def test_no_consul_runs_on_the_store_host(host):
    assert not host.process.filter(comm="consul")


def test_c2_reaches_c1_by_name(site):
    assert site["c2_host"].run("docker exec c2 ping -c 2 -W 5 c1").rc == 0


def test_c2_sees_the_network_as_global(site):
    inspect = json.loads(site["c2_host"].check_output("docker network inspect %s" % NETWORK))[0]
    assert (inspect["Driver"], inspect["Scope"]) == ("overlay", "global")
