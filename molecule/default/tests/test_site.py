"""What site.yml proves across hosts, one observable fact per test."""

testinfra_hosts = ["kv_store"]

NETWORK = "multi"
# dockerd's ACL token, kept by the consul_kv role (anonymous reads see nothing).
DOCKER_TOKEN_FILE = "/etc/cnm-overlay/consul/docker.token"


def test_consul_holds_dockers_network_keys(host, site):
    network_id = site["c1_host"].check_output("docker network inspect --format '{{.Id}}' %s" % NETWORK).strip()
    keys = host.check_output("CONSUL_HTTP_TOKEN=$(cat %s) consul kv get -recurse docker/network/v1.0/network/"
                             % DOCKER_TOKEN_FILE)
    assert network_id in keys


def test_c2_reaches_c1_by_name(site):
    assert site["c2_host"].run("docker exec c2 ping -c 2 -W 5 c1").rc == 0
