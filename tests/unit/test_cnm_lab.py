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
