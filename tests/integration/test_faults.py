"""Faults a kv-mode overlay meets, on one bullseye lab (`fault-kv`), in this order:

1. the store is down before the first converge: site.yml fails naming the store's URL and, where the
   port drops the packets, the probe timeout that bounds the wait (how long that takes is a figure of
   docs/benchmarks.md, not a test), and changes no engine, whether the port drops or refuses;
2. the store stops after setup: c1 and c2 keep talking; once it is back a re-run converges;
3. n2's dockerd is killed (kill -9): a re-run starts it again through the service manager;
6. n2 is lost (its lab container removed): from n1 playbooks/remove_host.yml removes the
   stale endpoint of c2 so the name can be used again; n2 rebuilt and re-converged joins;
7. the store loses its data: the re-run notices the missing network, moves the kept ACL token that
   no longer works aside, bootstraps the ACLs again (dockerd's token is the same) and names the
   containers whose gone network still holds the subnet; after the engines restart a re-run makes
   the network, c1 and c2 anew.

Each test asserts what the operator sees: the play's result and message, the hosts' state.
Consul will require an ACL token: the tests look at Docker's view, never read Consul KV.
"""

import subprocess
import time

import pytest

from cnm_test_runner import REPO, run_playbook, wait_for

LAB = "fault-kv"
SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
REMOVE_HOST = "- ansible.builtin.import_playbook: %s/playbooks/remove_host.yml\n" % REPO
# The preflight's store probe timeout (roles/preflight: preflight_store_timeout), which bounds the wait.
STORE_TIMEOUT = 5
# Consul's HTTP port dropped for everyone but kv itself: the store runs, the docker hosts time out.
BLOCK_STORE = "iptables -%s INPUT -i eth0 -p tcp --dport 8500 -j DROP"
# The same port refused (as when nothing listens on it): the docker hosts get a TCP reset at once.
REFUSE_STORE = "iptables -%s INPUT -i eth0 -p tcp --dport 8500 -j REJECT --reject-with tcp-reset"
# Consul's data gone, its binary and configuration kept.
WIPE_STORE = "service consul stop >/dev/null && rm -rf /var/lib/consul/* && service consul start >/dev/null"
SECRETS = "/etc/cnm-overlay/consul"
MANAGEMENT_TOKEN = SECRETS + "/management.token"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory(LAB, "bullseye")


def ping(lab, node, container, target):
    """`container` on `node` pings `target` over the overlay (a few tries: a new path can take seconds)."""
    script = "for i in $(seq 20); do ping -c1 -W1 %s >/dev/null && exit 0; sleep 1; done; exit 1" % target
    return lab.sh(node, "docker exec %s sh -c '%s'" % (container, script), timeout=90).returncode == 0


# 1. Store down before converge -------------------------------------------------------------

# How the store's port on kv is made unreachable for the docker hosts, and what the run must add
# to the store's URL in its message: the timeout that bounded the wait, or the refusal.
STORE_PORT_FAULTS = {"dropped": (BLOCK_STORE, "no answer within %d s (timed out)" % STORE_TIMEOUT),
                     "refused": (REFUSE_STORE, "Connection refused")}


@pytest.fixture(scope="module")
def store_down(lab):
    """site.yml on the fresh engines while the store's port drops packets, then while it refuses
    connections: each run, and each docker host's daemon.json and dockerd PID before and after it."""
    runs = {}
    for fault in STORE_PORT_FAULTS:
        rule = STORE_PORT_FAULTS[fault][0]
        before = {node: (lab.daemon_json(node), lab.dockerd_pid(node)) for node in ("n1", "n2")}
        lab.sh("kv", rule % "I", check=True)
        try:
            result = run_playbook(SITE, inventory=lab.inventory)
        finally:
            lab.sh("kv", rule % "D", check=True)
        after = {node: (lab.daemon_json(node), lab.dockerd_pid(node)) for node in ("n1", "n2")}
        runs[fault] = (result, before, after)
    return runs


@pytest.mark.parametrize("fault", STORE_PORT_FAULTS)
def test_store_down_fails_the_play_naming_the_store_url(lab, store_down, fault, flat):
    result = store_down[fault][0]
    assert result.returncode != 0, result.stdout[-3000:]
    assert "consul://%s:8500" % lab.address("kv") in flat(result), result.stdout[-3000:]
    assert STORE_PORT_FAULTS[fault][1] in flat(result), result.stdout[-3000:]


@pytest.mark.parametrize("fault", STORE_PORT_FAULTS)
def test_store_down_writes_no_daemon_json_and_restarts_no_engine(store_down, fault):
    before, after = store_down[fault][1:]
    assert after == before
    assert all(state[1] for state in after.values()), "an engine is not running: %s" % after


# Setup, then 2. Store stopped after setup ----------------------------------------------------

@pytest.fixture(scope="module")
def converged(lab, store_down):
    return run_playbook(SITE, inventory=lab.inventory)


def test_converge_after_the_store_is_back(converged, overlay_passed):
    assert converged.returncode == 0, converged.stdout[-3000:]
    assert overlay_passed(converged), converged.stdout[-3000:]


@pytest.fixture(scope="module")
def store_stopped(lab, converged):
    lab.sh("kv", "service consul stop", check=True)
    wait_for("consul on kv stopped", lambda: lab.sh("kv", "pidof consul").returncode != 0, 30)
    # Long enough for the engines to notice the store is gone.
    time.sleep(5)
    yield
    lab.sh("kv", "service consul start", check=True)


@pytest.mark.parametrize("node, container, target", [("n2", "c2", "c1"), ("n1", "c1", "c2")])
def test_traffic_flows_by_name_with_the_store_stopped(lab, store_stopped, node, container, target):
    assert ping(lab, node, container, target), "%s on %s cannot reach %s" % (container, node, target)


def test_traffic_flows_by_address_with_the_store_stopped(lab, store_stopped):
    assert ping(lab, "n2", "c2", lab.overlay_address("n1", "c1"))


@pytest.fixture(scope="module")
def store_back(lab, store_stopped):
    lab.sh("kv", "service consul start", check=True)
    return run_playbook(SITE, inventory=lab.inventory)


def test_rerun_converges_after_the_store_returns(store_back, overlay_passed):
    assert store_back.returncode == 0, store_back.stdout[-3000:]
    assert overlay_passed(store_back), store_back.stdout[-3000:]


# 3. dockerd killed on n2 ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def engine_killed(lab, store_back):
    killed = lab.dockerd_pid("n2")
    lab.sh("n2", "kill -9 %s" % killed, check=True)
    wait_for("dockerd on n2 gone", lambda: lab.sh("n2", "kill -0 %s" % killed).returncode != 0, 20)
    return killed, run_playbook(SITE, inventory=lab.inventory)


def test_rerun_after_dockerd_was_killed_converges(engine_killed, overlay_passed):
    result = engine_killed[1]
    assert result.returncode == 0, result.stdout[-3000:]
    assert overlay_passed(result), result.stdout[-3000:]


def test_killed_engine_is_running_again_under_its_service(lab, engine_killed):
    assert lab.dockerd_pid("n2") not in ("", engine_killed[0])
    assert lab.sh("n2", "service docker status").returncode == 0


# 6. n2 lost abruptly -------------------------------------------------------------------------

def network_endpoints_on_n1(lab):
    return lab.sh("n1", "docker network inspect multi --format '{{range .Containers}}{{.Name}} {{end}}'",
                  check=True).stdout.split()


@pytest.fixture(scope="module")
def n2_lost(lab, engine_killed):
    """n2 gone: the endpoints n1 sees, and a new c2 on n1 tried before any clean-up."""
    subprocess.run(["docker", "rm", "--force", lab.container("n2")], capture_output=True, check=True)
    endpoints = network_endpoints_on_n1(lab)
    blocked = lab.sh("n1", "docker run -d --init --name c2 --network multi cnm-lab/sandbox:latest sleep 600")
    # The container was created before its start failed. Gone for sure before remove_host runs, which
    # refuses to force-remove an endpoint whose name a local container has (seen once: a single rm left it).
    lab.sh("n1", "for i in $(seq 10); do docker rm -f c2 >/dev/null 2>&1; "
                 "docker container inspect c2 >/dev/null 2>&1 || exit 0; sleep 1; done; "
                 "docker container inspect --format '{{.State.Status}}' c2; exit 1", check=True)
    return endpoints, blocked


def test_lost_host_leaves_a_stale_endpoint(n2_lost):
    assert "c2" in n2_lost[0]


def test_stale_endpoint_holds_the_name(n2_lost):
    blocked = n2_lost[1]
    assert blocked.returncode != 0 and "endpoint with name c2 already exists" in blocked.stderr, blocked.stderr


@pytest.fixture(scope="module")
def lost_planned(lab, n2_lost):
    """remove_host.yml in check mode: what it would remove, and the endpoints n1 sees after it."""
    result = run_playbook(REMOVE_HOST, inventory=lab.inventory, extra_args=["-e", "cnm_overlay_lost_hosts=n2"], check=True)
    return result, network_endpoints_on_n1(lab)


def test_remove_host_check_mode_names_the_stale_endpoint_and_keeps_it(lost_planned, flat):
    result, endpoints = lost_planned
    assert result.returncode == 0, result.stdout[-3000:]
    assert "stale endpoint c2" in flat(result), result.stdout[-3000:]
    assert "c2" in endpoints


@pytest.fixture(scope="module")
def lost_removed(lab, lost_planned):
    return run_playbook(REMOVE_HOST, inventory=lab.inventory, extra_args=["-e", "cnm_overlay_lost_hosts=n2"])


def test_remove_host_removes_the_stale_endpoint(lab, lost_removed):
    assert lost_removed.returncode == 0, lost_removed.stdout[-3000:]
    assert "c2" not in network_endpoints_on_n1(lab)


def test_remove_host_names_what_it_removed(lost_removed, flat):
    assert "stale endpoint c2" in flat(lost_removed), lost_removed.stdout[-3000:]


def test_name_of_the_lost_container_is_reused_on_n1(lab, lost_removed):
    reused = lab.sh("n1", "docker run -d --init --name c2 --network multi cnm-lab/sandbox:latest sleep 600")
    try:
        assert reused.returncode == 0, reused.stderr
        assert ping(lab, "n1", "c1", "c2")
    finally:
        lab.sh("n1", "docker rm -f c2")


@pytest.fixture(scope="module")
def n2_rebuilt(lab, lost_removed):
    lab.rebuild()
    return run_playbook(SITE, inventory=lab.inventory)


# What each docker host's overlay namespaces know of their peers, and what libnetwork's gossip logged.
OVERLAY_STATE = ("for ns in /var/run/docker/netns/1-*; do echo \"== $ns\"; nsenter --net=$ns bridge fdb show dev vxlan0; "
                 "nsenter --net=$ns ip neigh; done; echo '== dockerd log'; "
                 "grep -iE 'serf|memberlist|peer|vxlan' /var/log/docker.log | tail -n 40")


def overlay_state(lab):
    """For a failed check after n2 is rebuilt (seen only under the full suite's load, never alone): the
    docker hosts' overlay state, and whether c2 reaches c1 once more time has passed."""
    parts = ["--- %s\n%s%s" % (node, state.stdout, state.stderr)
             for node, state in ((node, lab.sh(node, OVERLAY_STATE)) for node in ("n1", "n2"))]
    parts.append("--- c2 reaches c1 after another 20 s of tries: %s" % ping(lab, "n2", "c2", "c1"))
    return "\n".join(parts)


def test_rebuilt_n2_rejoins_and_the_check_passes(lab, n2_rebuilt, overlay_passed):
    assert n2_rebuilt.returncode == 0, n2_rebuilt.stdout[-3000:] + overlay_state(lab)
    assert overlay_passed(n2_rebuilt), n2_rebuilt.stdout[-3000:] + overlay_state(lab)


def test_rebuilt_n2_sees_the_network(lab, n2_rebuilt):
    assert "multi" in lab.sh("n2", "docker network ls --format '{{.Name}}'", check=True).stdout.split()


@pytest.fixture(scope="module")
def store_wiped(lab, n2_rebuilt):
    """7. Consul loses its data (same binary, same configuration): its ACLs and docker's network are gone."""
    lab.sh("kv", WIPE_STORE, check=True)
    return run_playbook(SITE, inventory=lab.inventory)


def test_wiped_store_is_noticed_by_the_missing_network(store_wiped, flat):
    assert "n1: network multi: " in flat(store_wiped), store_wiped.stdout[-3000:]


def test_wiped_store_moves_the_unknown_management_token_aside(lab, store_wiped):
    stale = lab.sh("kv", "cat %s.stale" % MANAGEMENT_TOKEN, check=True).stdout
    assert stale and stale != lab.sh("kv", "cat " + MANAGEMENT_TOKEN, check=True).stdout


def test_wiped_store_gets_its_acls_again_and_dockerd_keeps_its_token(lab, store_wiped):
    # dockerd's token (kept on the store host, given to the engines) is one the new ACL system knows.
    answer = lab.sh("kv", "CONSUL_HTTP_TOKEN=$(cat %s/docker.token) consul acl token read -self" % SECRETS)
    assert answer.returncode == 0 and "cnm-overlay" in answer.stdout, answer.stdout + answer.stderr


def test_wiped_store_stops_at_the_old_networks_pool_naming_the_containers_that_hold_it(store_wiped, flat):
    text = flat(store_wiped)
    assert store_wiped.returncode != 0
    assert "the daemon still holds an address pool overlapping" in text, store_wiped.stdout[-3000:]
    assert "c1 (network multi, ID " in text and "Restart the engine of every docker host" in text


@pytest.fixture(scope="module")
def engines_restarted(lab, store_wiped):
    for node in ("n1", "n2"):
        lab.sh(node, "service docker restart", check=True)
    return run_playbook(SITE, inventory=lab.inventory)


def test_site_recovers_after_the_engines_restart(engines_restarted, overlay_passed):
    assert engines_restarted.returncode == 0, engines_restarted.stdout[-3000:]
    assert overlay_passed(engines_restarted), engines_restarted.stdout[-3000:]


def test_c2_reaches_c1_by_name_on_the_new_network(lab, engines_restarted):
    assert ping(lab, "n2", "c2", "c1")
