"""The settings only `docker swarm init` takes, on a trixie lab (`swarm-init-trixie`, Docker 26) and a forky lab
(`swarm-init-forky`, Docker 28), each in order:

- the preflight probes the chosen data-path port (4790), and names it blocked where a firewall drops it;
- site.yml initialises the swarm with that port and a default address pool: the overlay check passes,
  the swarm reports them, the VXLAN device of the overlay sends to 4790, and c2 reaches c1 with 4789 dropped;
- a run that asks the formed swarm for another port stops before any change, saying how to change it.
"""

import json

import pytest

from cnm_test_runner import REPO, preflight_table, run_playbook

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
PREFLIGHT = "- ansible.builtin.import_playbook: %s/playbooks/preflight.yml\n" % REPO
PORT = 4790
POOL = "10.123.0.0/16"
SETTINGS = ["-e", "cnm_overlay_data_path_port=%d" % PORT, "-e", "cnm_overlay_default_addr_pool=%s" % POOL,
            "-e", "cnm_overlay_default_addr_pool_subnet_size=26"]


@pytest.fixture(scope="module", params=["trixie", "forky"])
def lab(lab_factory, request):
    return lab_factory("swarm-init-%s" % request.param, request.param)


@pytest.fixture
def dropped_on_n2(lab):
    """An iptables rule on n2 that drops a UDP port, removed again."""
    rules = []

    def drop(port):
        rule = "INPUT -p udp --dport %d -j DROP" % port
        lab.sh("n2", "iptables -I " + rule, check=True)
        rules.append(rule)
    yield drop
    for rule in rules:
        lab.sh("n2", "iptables -D " + rule)


def test_preflight_names_the_blocked_data_path_port_on_the_receiving_host(lab, dropped_on_n2):
    # Before the swarm exists, so the probe's own listener binds the port on n2.
    dropped_on_n2(PORT)
    proc = run_playbook(PREFLIGHT, inventory=lab.inventory,
                        extra_args=["-e", "cnm_overlay_data_path_port=%d" % PORT, "-e", "preflight_probe_timeout=5"])
    cells, notes = preflight_table(proc)
    assert "udp/4789" not in cells["n1"] and cells["n1"]["udp/%d" % PORT] == "OK", proc.stdout
    assert notes.get(("n2", "udp/%d" % PORT), "").startswith("not reached from n1 "), proc.stdout
    assert "open UDP %d (VXLAN data path)" % PORT in " ".join(proc.stdout.split()), proc.stdout


@pytest.fixture(scope="module")
def converged(lab):
    return run_playbook(SITE, inventory=lab.inventory, extra_args=SETTINGS)


def test_site_with_the_settings_converges_and_the_overlay_check_passes(converged, overlay_passed):
    assert converged.returncode == 0 and overlay_passed(converged), converged.stdout[-3000:]


# Idempotence without the run record's shortcut, on trixie and on forky.
def test_a_forced_converge_changes_nothing_and_restarts_no_engine(lab, converged, flat, changed_count):
    before = dict((node, lab.dockerd_pid(node)) for node in ("n1", "n2"))
    result = run_playbook(SITE, inventory=lab.inventory, extra_args=SETTINGS + ["-e", "cnm_overlay_converge=always"])
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Converging every host (cnm_overlay_converge=always)." in flat(result)
    assert (changed_count(result.stdout), dict((node, lab.dockerd_pid(node)) for node in ("n1", "n2"))) == (0, before)


def test_swarm_was_initialised_with_the_port_and_the_pool(lab, converged):
    cluster = lab.docker_info("n1")["Swarm"]["Cluster"]
    assert (cluster["DataPathPort"], cluster["DefaultAddrPool"], cluster["SubnetSize"]) == (PORT, [POOL], 26)


def test_overlay_vxlan_device_sends_to_the_chosen_port(lab, converged):
    # The overlay's VXLAN device lives in the network's namespace, 1-<first 10 characters of its id>.
    vxlan = lab.sh("n2", "nsenter --net=/var/run/docker/netns/1-$(docker network inspect -f '{{.Id}}' multi | cut -c1-10)"
                   " ip -d -o link show type vxlan", check=True).stdout
    assert " dstport %d " % PORT in vxlan, vxlan


def test_c2_reaches_c1_while_udp_4789_is_dropped(lab, converged, dropped_on_n2):
    dropped_on_n2(4789)
    ping = lab.sh("n2", "docker exec c2 ping -c 2 -W 10 c1")
    assert ping.returncode == 0, ping.stdout + ping.stderr


def test_network_without_a_subnet_gets_one_from_the_pool(lab, converged):
    try:
        lab.sh("n1", "docker network create -d overlay swarm-init-pool", check=True)
        ipam = json.loads(lab.sh("n1", "docker network inspect -f '{{json .IPAM.Config}}' swarm-init-pool",
                                 check=True).stdout)
    finally:
        lab.sh("n1", "docker network rm swarm-init-pool")
    assert ipam[0]["Subnet"].startswith("10.123.") and ipam[0]["Subnet"].endswith("/26"), ipam


def test_preflight_on_the_formed_swarm_passes_the_port_the_kernel_owns(lab, converged):
    proc = run_playbook(PREFLIGHT, inventory=lab.inventory, extra_args=["-e", "cnm_overlay_data_path_port=%d" % PORT])
    cells, _notes = preflight_table(proc)
    assert proc.returncode == 0 and cells["n2"]["udp/%d" % PORT] == "OK", proc.stdout


def test_another_port_for_the_formed_swarm_stops_before_any_change_saying_how(lab, converged, flat, changed_count):
    result = run_playbook(SITE, inventory=lab.inventory, extra_args=["-e", "cnm_overlay_data_path_port=4791"])
    log = flat(result)
    assert result.returncode != 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]
    assert ("docker_swarm_data_path_port (cnm_overlay_data_path_port) is 4791, but the swarm uses data-path port %d"
            % PORT) in log, result.stdout[-3000:]
    assert "run docker swarm leave --force on every docker host" in log and "Nothing was changed." in log
    assert lab.docker_info("n1")["Swarm"]["Cluster"]["DataPathPort"] == PORT
