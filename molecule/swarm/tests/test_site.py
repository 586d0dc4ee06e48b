"""What site.yml proves on swarm-only hosts (trixie; forky links here): swarm mode chosen by itself."""

import json
import os
import subprocess

testinfra_hosts = ["docker_hosts"]

NETWORK = "multi"


def docker_info(host):
    return json.loads(host.check_output("docker info --format '{{json .}}'"))


def test_engine_is_in_the_swarm(host):
    assert docker_info(host)["Swarm"]["LocalNodeState"] == "active"


def test_no_cluster_store_or_live_restore_in_daemon_json(host):
    daemon_json = host.file("/etc/docker/daemon.json")
    config = json.loads(daemon_json.content_string) if daemon_json.exists else {}
    assert not {"cluster-store", "cluster-advertise", "live-restore"} & set(config)


def test_network_is_an_attachable_swarm_overlay(host):
    # Both hosts run a sandbox on it, so the worker sees it too.
    inspect = json.loads(host.check_output("docker network inspect %s" % NETWORK))[0]
    assert (inspect["Driver"], inspect["Scope"], inspect["Attachable"]) == ("overlay", "swarm", True)


def test_c2_reaches_c1_by_name(site):
    assert site["c2_host"].run("docker exec c2 ping -c 2 -W 5 c1").rc == 0


def test_c2_reaches_c1_by_address(site):
    address = site["c1_host"].check_output(
        "docker inspect --format '{{(index .NetworkSettings.Networks \"%s\").IPAddress}}' c1" % NETWORK).strip()
    assert site["c2_host"].run("docker exec c2 ping -c 2 -W 5 %s" % address).rc == 0


def test_encrypted_network_stops_at_the_preflight_on_a_kernel_without_esp(request, site):
    """This kernel has no ESP: asking for an encrypted overlay stops before any change, saying why."""
    network_before = site["c1_host"].check_output("docker network inspect %s" % NETWORK)
    project = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    run = subprocess.run(
        ["ansible-playbook", "-i", request.config.option.ansible_inventory, "playbooks/site.yml",
         "-e", "cnm_overlay_network_encrypted=true"],
        cwd=project, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(project, "ansible.cfg")),
        capture_output=True, text=True, check=False)
    output = " ".join(run.stdout.split())
    assert run.returncode != 0
    assert "ipsec failed on" in output and "CONFIG_INET_ESP" in output
    assert site["c1_host"].check_output("docker network inspect %s" % NETWORK) == network_before
