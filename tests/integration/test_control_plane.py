"""control_plane on lab hosts of every generation: kv or swarm, and which cluster store."""

import pytest
import yaml

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
def decide(play_once):
    """The log of the deciding play (run once per inventory and arguments), line wrapping undone."""
    def run(inventory, extra_args=()):
        return " ".join(play_once("decide", DECIDE_PLAY, inventory, extra_args).stdout.split())
    return run


@pytest.fixture
def bullseye(lab_factory):
    return lab_factory("gens-cp-old", "bullseye")


@pytest.fixture
def bookworm(lab_factory):
    return lab_factory("gens-etcd", "bookworm")


@pytest.fixture
def trixie(lab_factory):
    return lab_factory("gens-swarm", "trixie")


@pytest.fixture(scope="module")
def mixed_inventory(lab_factory, tmp_path_factory):
    """n1 of the bullseye lab and n1 of the trixie lab as one fleet of docker hosts."""
    bullseye, trixie = lab_factory("gens-cp-old", "bullseye"), lab_factory("gens-swarm", "trixie")
    hosts = {}
    for lab, alias in ((bullseye, "old-n1"), (trixie, "new-n1")):
        with open(lab.inventory, encoding="utf-8") as handle:
            address = yaml.safe_load(handle)["all"]["children"]["docker_hosts"]["hosts"]["n1"]["ansible_host"]
        hosts[alias] = {"ansible_host": address}
    inventory = {"all": {
        "vars": {"ansible_user": "root", "ansible_ssh_private_key_file": bullseye.ssh_key,
                 "ansible_python_interpreter": "/usr/bin/python3"},
        "children": {"docker_hosts": {"hosts": hosts}}}}
    path = tmp_path_factory.mktemp("mixed") / "mixed.yml"
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    return str(path)


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
