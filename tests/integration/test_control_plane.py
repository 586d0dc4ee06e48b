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


@pytest.fixture(scope="module")
def once():
    return {}


def decide(inventory, playbook_runner, once, extra_args=()):
    """The log of the deciding play (run once per inventory and arguments), line wrapping undone."""
    key = (inventory,) + tuple(extra_args)
    if key not in once:
        once[key] = playbook_runner(DECIDE_PLAY, inventory=inventory, extra_args=list(extra_args))
    return " ".join(once[key].stdout.split())


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


def test_bullseye_engines_choose_kv(bullseye, playbook_runner, once):
    assert "chosen=kv " in decide(bullseye.inventory, playbook_runner, once)


def test_bullseye_engines_choose_consul(bullseye, playbook_runner, once):
    assert "store=consul" in decide(bullseye.inventory, playbook_runner, once)


def test_bookworm_engines_choose_kv(bookworm, playbook_runner, once):
    assert "chosen=kv " in decide(bookworm.inventory, playbook_runner, once)


def test_bookworm_engines_choose_etcd(bookworm, playbook_runner, once):
    assert "store=etcd" in decide(bookworm.inventory, playbook_runner, once)


def test_trixie_engines_choose_swarm(trixie, playbook_runner, once):
    assert "chosen=swarm " in decide(trixie.inventory, playbook_runner, once)


def test_the_choice_is_printed_with_its_reason(trixie, playbook_runner, once):
    assert "Control plane: swarm (auto: every engine is >= 23.0" in decide(trixie.inventory, playbook_runner, once)


def test_consul_on_bookworm_is_refused_naming_the_hosts(bookworm, playbook_runner, once):
    result = decide(bookworm.inventory, playbook_runner, once, ("-e", "cnm_overlay_kv_store=consul"))
    assert "the engines on n1, n2 have no consul cluster-store backend" in result


def test_kv_on_trixie_is_refused(trixie, playbook_runner, once):
    result = decide(trixie.inventory, playbook_runner, once, ("-e", "cnm_overlay_control_plane=kv"))
    assert "have no cluster store (removed in 23.0)" in result


def test_mixed_fleet_stops_before_any_change(mixed_inventory, playbook_runner, once):
    assert "the docker hosts mix engines <= 20.10 (cluster store, kv) and >= 23 (swarm only); nothing was changed" \
        in decide(mixed_inventory, playbook_runner, once)


def test_mixed_fleet_lists_hosts_and_versions(mixed_inventory, playbook_runner, once):
    text = decide(mixed_inventory, playbook_runner, once)
    assert "new-n1: 26.1.5" in text and "old-n1: 20.10.5" in text
