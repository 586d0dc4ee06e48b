"""A 3-server Consul that loses one server, as issue 19 asks: bullseye lab with store hosts kv, kv2 and kv3
(kv mode, the engines use kv's address) and docker hosts n1 and n2. With kv3's Consul stopped, the store
keeps a leader and the overlay check passes; the next site.yml starts kv3's Consul again, it rejoins, and the
check passes."""

import json

import pytest

from cnm_test_runner import REPO, wait_for

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
LOST = "kv3"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("store-three", "bullseye", kv_hosts=3)


def status(lab, what):
    """Consul's /v1/status/<what> as kv answers it (no token needed), or None when it does not answer."""
    result = lab.sh("kv", "curl -sf --max-time 3 http://127.0.0.1:8500/v1/status/%s" % what)
    return json.loads(result.stdout) if result.returncode == 0 and result.stdout.strip() else None


def consul_runs(lab, node):
    return lab.sh(node, "pgrep -x consul").returncode == 0


@pytest.fixture
def converged(lab, play_once):
    result = play_once("site", SITE, lab.inventory)
    assert result.returncode == 0, result.stdout[-3000:]
    return result


@pytest.fixture
def lost(lab, converged, once):
    """kv3's Consul stopped, as a server that fails would."""
    def stop():
        lab.sh(LOST, "service consul stop || pkill -x consul", check=True)
        wait_for("consul on %s to stop" % LOST, lambda: not consul_runs(lab, LOST), seconds=30)
        return True
    return once.keep("lost", stop)


@pytest.fixture
def checked_without_it(lab, lost, play_once):
    """Only the overlay check stage of site.yml, with kv3's Consul down."""
    return play_once("check", SITE, lab.inventory, ("--tags", "check"))


@pytest.fixture
def healed(lab, checked_without_it, play_once):
    return play_once("heal", SITE, lab.inventory)


def test_the_site_forms_a_store_of_three_servers(lab, converged):
    assert len(status(lab, "peers")) == 3


def test_the_store_keeps_a_leader_without_one_server(lab, lost):
    leader = status(lab, "leader")
    assert leader and leader.endswith(":8300") and not consul_runs(lab, LOST)


def test_the_overlay_keeps_passing_without_one_server(checked_without_it, overlay_passed):
    assert checked_without_it.returncode == 0 and overlay_passed(checked_without_it), checked_without_it.stdout[-3000:]


def test_a_rerun_starts_the_lost_server_again(lab, healed):
    assert healed.returncode == 0, healed.stdout[-3000:]
    assert consul_runs(lab, LOST)


def test_the_lost_server_rejoins_the_store(lab, healed):
    wait_for("3 raft peers", lambda: len(status(lab, "peers") or []) == 3)
    assert status(lab, "leader")


def test_the_healed_site_passes_its_check(healed, overlay_passed):
    assert overlay_passed(healed)
