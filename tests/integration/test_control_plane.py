"""control_plane on lab hosts of every generation: kv or swarm, and which cluster store."""

import re

import pytest

from cnm_test_runner import SHARED_LABS_GROUP, run_playbook

pytestmark = SHARED_LABS_GROUP

DECIDE_PLAY = """
- name: Decide the control plane
  hosts: docker_hosts
  gather_facts: false
  roles:
    - cnm.overlay.control_plane
  tasks:
    - name: Show the facts later plays use
      ansible.builtin.debug:
        msg: "chosen={{ control_plane_chosen }} store={{ control_plane_kv_store }}"
"""


@pytest.fixture
def decide(play_once, flat):
    """The log of the deciding play (run once per inventory and arguments), line wrapping undone."""
    def run(inventory, extra_args=()):
        return flat(play_once("decide", DECIDE_PLAY, inventory, extra_args))
    return run


@pytest.fixture(scope="module")
def bullseye(lab_factory):
    return lab_factory("gens-cp-old", "bullseye")


@pytest.fixture(scope="module")
def bookworm(lab_factory):
    return lab_factory("gens-etcd", "bookworm")


@pytest.fixture(scope="module")
def trixie(lab_factory):
    return lab_factory("gens-swarm", "trixie")


@pytest.fixture(scope="module")
def mixed_inventory(bullseye, trixie, inventory_file):
    """n1 of the bullseye lab and n1 of the trixie lab as one fleet of docker hosts."""
    return inventory_file({"docker_hosts": {"old-n1": bullseye.host_vars("n1"), "new-n1": trixie.host_vars("n1")}})


def test_bullseye_engines_choose_kv(bullseye, decide):
    assert "chosen=kv " in decide(bullseye.inventory)


def test_bullseye_engines_choose_consul(bullseye, decide):
    assert "store=consul" in decide(bullseye.inventory)


def test_bookworm_engines_choose_kv(bookworm, decide):
    assert "chosen=kv " in decide(bookworm.inventory)


def test_bookworm_engines_choose_etcd(bookworm, decide):
    assert "store=etcd" in decide(bookworm.inventory)


def test_trixie_engines_choose_swarm(trixie, decide):
    assert "chosen=swarm " in decide(trixie.inventory)


def test_the_choice_is_printed_with_its_reason(trixie, decide):
    assert "Control plane: swarm (auto: every engine is >= 23.0" in decide(trixie.inventory)


def test_consul_on_bookworm_is_refused_naming_the_hosts(bookworm, decide):
    result = decide(bookworm.inventory, ("-e", "cnm_overlay_kv_store=consul"))
    assert "the engines on n1, n2 have no consul cluster-store backend" in result


def test_kv_on_trixie_is_refused(trixie, decide):
    result = decide(trixie.inventory, ("-e", "cnm_overlay_control_plane=kv"))
    assert "have no cluster store (removed in 23.0)" in result


def test_mixed_fleet_stops_before_any_change(mixed_inventory, decide):
    assert "the docker hosts mix engines <= 20.10 (cluster store, kv) and >= 23 (swarm only); nothing was changed" \
        in decide(mixed_inventory)


def test_mixed_fleet_lists_hosts_and_versions(mixed_inventory, decide):
    text = decide(mixed_inventory)
    assert "new-n1: 26.1.5" in text and "old-n1: 20.10.5" in text


def test_check_mode_decides_too(trixie, decide):
    assert "chosen=swarm " in decide(trixie.inventory, ("--check",))


ENGINE_PLAN_PLAY = """
- name: Plan the engine role
  hosts: docker_hosts
  gather_facts: false
  roles:
    - cnm.overlay.docker_engine
"""
PLAN_TASK = "TASK [cnm.overlay.docker_engine : Plan the install (check mode)]"


@pytest.fixture(scope="module")
def bookworm_n2_without_dockerd(bookworm, flat):
    """The logs, line wrapping undone, of the deciding play and of docker_engine in check mode, while n2's
    dockerd binary is out of place (as on a host with no engine yet)."""
    bookworm.sh("n2", "mv /usr/sbin/dockerd /usr/sbin/dockerd.moved-by-test", check=True)
    try:
        return (flat(run_playbook(DECIDE_PLAY, inventory=bookworm.inventory)),
                flat(run_playbook(ENGINE_PLAN_PLAY, inventory=bookworm.inventory, check=True)))
    finally:
        bookworm.sh("n2", "mv /usr/sbin/dockerd.moved-by-test /usr/sbin/dockerd", check=True)


def test_a_host_without_dockerd_counts_as_the_package_it_would_get(bookworm_n2_without_dockerd):
    assert "n2: 20.10.24+dfsg1-1+deb12u1" in bookworm_n2_without_dockerd[0]
    assert "(package); cluster stores: etcd, zookeeper" in bookworm_n2_without_dockerd[0]


def test_a_host_without_dockerd_still_gets_the_store_of_its_package(bookworm_n2_without_dockerd):
    assert "store=etcd" in bookworm_n2_without_dockerd[0]


def test_docker_engine_plans_the_engine_only_where_dockerd_is_missing(bookworm_n2_without_dockerd):
    # apt's own check mode would need python3-apt, which the lab's hosts do not have.
    plan = bookworm_n2_without_dockerd[1].split(PLAN_TASK, 1)[1].split("TASK [", 1)[0]
    assert "docker_engine on n2 would install docker.io (no dockerd at /usr/sbin/dockerd or /usr/bin/dockerd), " \
        "then start the engine." in plan
    assert "skipping: [n1]" in plan


def test_docker_engine_in_check_mode_passes_where_dockerd_is_missing(bookworm_n2_without_dockerd):
    assert re.search(r"n2 : ok=\d+ changed=1 unreachable=0 failed=0 ", bookworm_n2_without_dockerd[1])


ONE_HOST_PLAY = DECIDE_PLAY.replace("hosts: docker_hosts", "hosts: n1")


def test_a_play_of_one_docker_host_reads_every_docker_host(bullseye, play_once, flat):
    """The play has n1 only: n2's engine is read through delegation, and both are in the table."""
    text = flat(play_once("decide-n1", ONE_HOST_PLAY, bullseye.inventory))
    assert "n1: 20.10.5" in text and "n2: 20.10.5" in text and "store=consul" in text
