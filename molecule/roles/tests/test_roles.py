"""What the roles alone leave (playbooks/examples/roles_kv.yml), beyond what site.yml leaves too
(test_docker_hosts.py and test_site.py, linked from molecule/default)."""

testinfra_hosts = ["docker_hosts"]

# dockerd's ACL token, made and kept by consul_kv on the store host.
DOCKER_TOKEN_FILE = "/etc/cnm-overlay/consul/docker.token"


def test_dockerd_runs_with_the_token_consul_kv_made(host, site):
    kept = site["kv"].check_output("cat %s" % DOCKER_TOKEN_FILE).strip()
    pid = host.check_output("pidof dockerd").strip()
    environment = host.check_output("tr '\\0' '\\n' < /proc/%s/environ" % pid).splitlines()
    assert "CONSUL_HTTP_TOKEN=%s" % kept in environment


def test_c2_reaches_c1_by_address(site):
    address = site["c1_host"].check_output(
        "docker inspect --format '{{(index .NetworkSettings.Networks \"multi\").IPAddress}}' c1").strip()
    assert site["c2_host"].run("docker exec c2 ping -c 2 -W 5 %s" % address).rc == 0
