"""Unit tests of the lab tool's pure parts (no engine needed)."""

import importlib.util
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("cnm_lab", REPO / "lab" / "cnm_lab.py")
lab = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(lab)

DEB822 = """Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
"""


def test_mirror_uri_is_read_from_deb822_sources(tmp_path):
    sources = tmp_path / "debian.sources"
    sources.write_text(DEB822)
    assert lab.mirror_uri([sources]) == "http://mirror.example/debian"


def test_mirror_uri_is_read_from_one_line_sources(tmp_path):
    sources = tmp_path / "sources.list"
    sources.write_text("deb [arch=amd64] http://mirror.example/debian/ bookworm main\n")
    assert lab.mirror_uri([tmp_path / "missing.sources", sources]) == "http://mirror.example/debian"


def test_missing_mirror_is_a_clear_error(tmp_path):
    sources = tmp_path / "sources.list"
    sources.write_text("deb http://mirror.example/debian-security bookworm-security main\n")
    with pytest.raises(lab.LabError, match="no Debian mirror"):
        lab.mirror_uri([sources])


def test_full_bounding_set_means_privileged():
    assert lab.privilege_flags((1 << 41) - 1, 40) == ["--privileged"]


def test_missing_capability_is_dropped_and_privileged_mode_emulated():
    flags = lab.privilege_flags(0x000001fffeffffff, 40)  # this VM: no CAP_SYS_RESOURCE (24)
    assert "--privileged" not in flags
    assert flags[:4] == ["--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE"]
    assert "seccomp=unconfined" in flags and "apparmor=unconfined" in flags


def test_default_lab_has_the_fixed_subnet():
    assert lab.pick_subnet("lab", used=[]) == "172.30.99.0/24"


def test_other_lab_takes_the_first_free_subnet_counting_down():
    used = [lab.ipaddress.ip_network(s) for s in ("172.30.99.0/24", "172.30.98.0/24")]
    assert lab.pick_subnet("citest", used) == "172.30.97.0/24"


def test_other_lab_keeps_its_recorded_subnet_when_free():
    assert lab.pick_subnet("citest", used=[], recorded="172.30.90.0/24") == "172.30.90.0/24"


@pytest.mark.parametrize("name", ["", "-x", "a b", "a_b", "x" * 31])
def test_bad_lab_name_is_refused(name):
    with pytest.raises(lab.LabError, match="lab name"):
        lab.validate_lab_name(name)


def test_generated_default_inventory_matches_the_static_one():
    generated = yaml.safe_load(lab.inventory_text(lab.Lab("lab", "172.30.99.0/24"), lab.Kind("bullseye", "tini")))
    static = yaml.safe_load((REPO / "inventories" / "lab" / "hosts.yml").read_text())
    assert generated == static


def test_systemd_nodes_have_their_own_image_and_a_tmpfs_run():
    command = lab.node_run_command(lab.Lab("sd", "172.30.98.0/24"), lab.NODES[1], lab.Kind("bullseye", "systemd"),
                                   "sha256:x", [])
    assert lab.node_image("bullseye", "systemd") == "cnm-lab/node:bullseye-systemd"
    assert command[command.index("/run") - 1] == "--tmpfs" and "/run/lock" in command


def test_tini_nodes_keep_the_plain_image_name_and_no_tmpfs():
    command = lab.node_run_command(lab.Lab("lab", "172.30.99.0/24"), lab.NODES[1], lab.Kind("bullseye", "tini"),
                                   "sha256:x", [])
    assert lab.node_image("bullseye") == "cnm-lab/node:bullseye" and "--tmpfs" not in command


def test_forky_is_built_with_sids_script_under_its_own_name():
    command = lab.debootstrap_command("forky", "http://mirror.example/debian", "/tmp/root")
    assert command[-4:] == ["forky", "/tmp/root", "http://mirror.example/debian",
                            "/usr/share/debootstrap/scripts/sid"]
    assert lab.GENERATIONS["forky"].packages == lab.GENERATIONS["trixie"].packages


def test_forky_apt_accepts_the_expired_snapshot_release_file():
    assert lab.GENERATIONS["forky"].apt_conf == 'Acquire::Check-Valid-Until "false";\n'


def test_other_generations_keep_their_debootstrap_command():
    # Their recipes (and so their cached images) stay as they were.
    assert lab.debootstrap_command("trixie", "http://m/debian", "R") == [
        "debootstrap", "--variant=minbase", "--components=main", "trixie", "R", "http://m/debian"]
    assert lab.GENERATIONS["trixie"].apt_conf is None


# --- labs of other sizes ---------------------------------------------------------------------

def _layout(nodes):
    return [(node.name, node.octet, node.group) for node in nodes]


def test_default_lab_is_kv_n1_n2_at_octets_10_11_12():
    assert _layout(lab.NODES) == _layout(lab.lab_nodes()) == [
        ("kv", 10, "kv_store"), ("n1", 11, "docker_hosts"), ("n2", 12, "docker_hosts")]


def test_store_hosts_count_down_from_kv_and_docker_hosts_up_from_n1():
    assert _layout(lab.lab_nodes(4, 3)) == [
        ("kv", 10, "kv_store"), ("kv2", 9, "kv_store"), ("kv3", 8, "kv_store"),
        ("n1", 11, "docker_hosts"), ("n2", 12, "docker_hosts"), ("n3", 13, "docker_hosts"), ("n4", 14, "docker_hosts")]


def test_twelve_docker_hosts_are_n1_to_n12_at_octets_11_to_22():
    docker_hosts = lab.docker_hosts(lab.lab_nodes(12, 1))
    assert [node.name for node in docker_hosts] == ["n%d" % index for index in range(1, 13)]
    assert [node.octet for node in docker_hosts] == list(range(11, 23))


def test_the_biggest_lab_has_one_address_per_node_inside_the_subnet():
    nodes = lab.lab_nodes(lab.MAX_DOCKER_HOSTS, 3)
    octets = [node.octet for node in nodes]
    assert len(set(octets)) == len(nodes) == lab.MAX_DOCKER_HOSTS + 3
    assert min(octets) > 1 and max(octets) < 255  # .1 is the network's gateway


def test_inventory_of_a_bigger_lab_has_every_host_in_its_group():
    nodes = lab.lab_nodes(4, 3)
    inventory = yaml.safe_load(lab.inventory_text(lab.Lab("big", "172.30.90.0/24", nodes), lab.Kind("bullseye", "tini")))
    groups = {group: {host: hostvars["ansible_host"] for host, hostvars in value["hosts"].items()}
              for group, value in inventory["all"]["children"].items()}
    assert groups == {
        "kv_store": {"kv": "172.30.90.10", "kv2": "172.30.90.9", "kv3": "172.30.90.8"},
        "docker_hosts": {"n1": "172.30.90.11", "n2": "172.30.90.12", "n3": "172.30.90.13", "n4": "172.30.90.14"},
    }


def test_every_node_of_a_bigger_lab_is_started_naming_every_node():
    big = lab.Lab("big", "172.30.90.0/24", lab.lab_nodes(4, 3))
    command = lab.node_run_command(big, big.nodes[0], lab.Kind("bullseye", "tini"), "sha256:x", [])
    added = [command[index + 1] for index, flag in enumerate(command) if flag == "--add-host"]
    assert added == ["kv:172.30.90.10", "kv2:172.30.90.9", "kv3:172.30.90.8", "n1:172.30.90.11",
                     "n2:172.30.90.12", "n3:172.30.90.13", "n4:172.30.90.14"]


@pytest.mark.parametrize("docker_hosts, kv_hosts, message", [
    (0, 1, "--docker-hosts 0: use a number of docker hosts from 1 to 50"),
    (51, 1, "--docker-hosts 51: use a number of docker hosts from 1 to 50"),
    (2, 2, "--kv-hosts 2: use 1 or 3"),
    (2, 0, "--kv-hosts 0: use 1 or 3"),
])
def test_bad_sizes_are_refused_naming_the_flag_and_its_values(docker_hosts, kv_hosts, message):
    with pytest.raises(lab.LabError) as refused:
        lab.lab_nodes(docker_hosts, kv_hosts)
    assert message in str(refused.value)


@pytest.mark.parametrize("flags, message", [
    (["--docker-hosts", "0"], "--docker-hosts 0: use a number of docker hosts from 1 to 50"),
    (["--kv-hosts", "2"], "--kv-hosts 2: use 1 or 3"),
])
def test_up_with_a_bad_size_fails_before_it_changes_anything(flags, message, monkeypatch, tmp_path, capsys):
    calls = []
    monkeypatch.setattr(lab, "docker", lambda *args, **kwargs: calls.append(args))
    monkeypatch.setattr(lab, "run_script", lambda *args: calls.append(args))
    monkeypatch.setattr(lab, "STATE_DIR", tmp_path)
    assert lab.main(["up", "--lab", "nl-bad", *flags]) == 1
    assert message in capsys.readouterr().err
    assert calls == [] and list(tmp_path.iterdir()) == []


def test_up_without_the_flags_keeps_the_recorded_sizes_and_fresh_starts_from_the_defaults():
    recorded = {"docker_hosts": 6, "kv_hosts": 3}
    assert lab.wanted_sizes(None, None, recorded) == (6, 3)
    assert lab.wanted_sizes(4, None, recorded) == (4, 3)
    assert lab.wanted_sizes(None, 1, recorded) == (6, 1)
    assert lab.wanted_sizes(None, None, {}) == (2, 1)


def test_the_state_records_the_sizes_that_down_and_status_read_back(monkeypatch, tmp_path):
    monkeypatch.setattr(lab, "STATE_DIR", tmp_path)
    lab.record_state(lab.Lab("big", "172.30.90.0/24", lab.lab_nodes(6, 3)), lab.Kind("bullseye", "tini"))
    assert _layout(lab.recorded_nodes("big")) == _layout(lab.lab_nodes(6, 3))
    assert _layout(lab.recorded_nodes("never-up")) == _layout(lab.NODES)


DOCKER_ETC_HOSTS = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                    "172.30.90.10\tkv\n172.30.90.11\tn1\n172.30.90.12\tn2\n172.30.90.11\tn1\n")


def test_a_grown_lab_adds_the_new_names_to_a_nodes_etc_hosts():
    grown = lab.lab_host_lines(lab.Lab("big", "172.30.90.0/24", lab.lab_nodes(3, 3)))
    assert lab.etc_hosts_with(DOCKER_ETC_HOSTS, grown) == DOCKER_ETC_HOSTS + (
        "172.30.90.9\tkv2\n172.30.90.8\tkv3\n172.30.90.13\tn3\n")


def test_a_shrunk_lab_drops_the_removed_names_and_keeps_the_rest():
    grown = lab.etc_hosts_with(DOCKER_ETC_HOSTS, lab.lab_host_lines(lab.Lab("big", "172.30.90.0/24", lab.lab_nodes(3, 3))))
    default = lab.lab_host_lines(lab.Lab("big", "172.30.90.0/24"))
    assert lab.etc_hosts_with(grown + "10.1.2.3\tmirror n9-proxy\n", default) == DOCKER_ETC_HOSTS + "10.1.2.3\tmirror n9-proxy\n"


def test_etc_hosts_of_the_labs_size_is_left_as_it_is():
    assert lab.etc_hosts_with(DOCKER_ETC_HOSTS, lab.lab_host_lines(lab.Lab("big", "172.30.90.0/24"))) == DOCKER_ETC_HOSTS
