"""What site.yml proves on swarm-only hosts (trixie; forky links here): swarm mode chosen by itself."""

import json
import os
import subprocess

testinfra_hosts = ["docker_hosts"]

NETWORK = "multi"
# The IPsec preflight's own probe (plugins/module_utils/_host_probe.py): an ESP state like an encrypted
# overlay's, in a throwaway network namespace.
ESP_PROBE = ("unshare --net -- ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1"
             " mode transport aead 'rfc4106(gcm(aes))' 0x%s 128" % ("00" * 20))


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


def site_run(request, *extra):
    project = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    return subprocess.run(
        ["ansible-playbook", "-i", request.config.option.ansible_inventory, "playbooks/site.yml"] + list(extra),
        cwd=project, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(project, "ansible.cfg")),
        capture_output=True, text=True, check=False)


def test_encrypted_network_carries_the_ping_or_stops_at_the_preflight(request, site):
    """With ESP in the kernel, site.yml makes the network anew encrypted and its check pings c1 <-> c2;
    without it, asking for an encrypted overlay stops before any change, saying why. Last: it changes the site."""
    network_before = site["c1_host"].check_output("docker network inspect %s" % NETWORK)
    if site["c1_host"].run(ESP_PROBE).rc == 0:
        run = site_run(request, "-e", "cnm_overlay_network_encrypted=true", "-e", "cnm_overlay_network_recreate=true")
        output = " ".join(run.stdout.split())
        inspect = json.loads(site["c1_host"].check_output("docker network inspect %s" % NETWORK))[0]
        assert run.returncode == 0, output[-3000:]
        assert "overlay_check: 6 checks on %s passed" % NETWORK in output
        assert "encrypted" in inspect["Options"]
        return
    run = site_run(request, "-e", "cnm_overlay_network_encrypted=true")
    output = " ".join(run.stdout.split())
    assert run.returncode != 0
    assert "ipsec failed on" in output and "CONFIG_INET_ESP" in output
    assert site["c1_host"].check_output("docker network inspect %s" % NETWORK) == network_before
