"""Unit tests of the control-plane and cluster-store decisions."""

import pytest

from ansible_collections.cnm.overlay.plugins.filter import generations as gen

BULLSEYE = {"version": "20.10.5+dfsg1", "source": "engine", "kv_backends": ["consul", "etcd", "zookeeper"]}
BOOKWORM = {"version": "20.10.24+dfsg1", "source": "engine", "kv_backends": ["etcd", "zookeeper"]}
TRIXIE = {"version": "26.1.5+dfsg1", "source": "engine", "kv_backends": []}


def fleet(**hosts):
    return [dict(engine, host=name) for name, engine in hosts.items()]


@pytest.mark.parametrize("version, expected", [
    ("20.10.5+dfsg1", "kv"), ("20.10.24+dfsg1", "kv"), ("19.03.15", "kv"),
    ("23.0.0", "swarm"), ("26.1.5+dfsg1", "swarm"), ("28.5.2+dfsg4", "swarm"), ("", None), (None, None), ("unknown", None),
])
def test_engine_generation(version, expected):
    assert gen.engine_generation(version) == expected


def test_all_old_engines_choose_kv():
    assert gen.control_plane(fleet(n1=BOOKWORM, n2=BOOKWORM))["control_plane"] == "kv"


def test_all_new_engines_choose_swarm():
    assert gen.control_plane(fleet(n1=TRIXIE, n2=TRIXIE))["control_plane"] == "swarm"


def test_auto_prints_its_reason():
    assert "<= 20.10" in gen.control_plane(fleet(n1=BULLSEYE))["reason"]


def test_mixed_fleet_fails():
    assert gen.control_plane(fleet(n1=BULLSEYE, n2=TRIXIE))["failed"]


def test_mixed_fleet_message_lists_hosts_and_versions():
    msg = gen.control_plane(fleet(n1=BULLSEYE, n2=TRIXIE))["msg"]
    assert "n1: 20.10.5+dfsg1" in msg and "n2: 26.1.5+dfsg1" in msg


def test_kv_on_new_engine_fails_naming_the_host():
    result = gen.control_plane(fleet(n1=BOOKWORM, n2=TRIXIE), "kv")
    assert result["failed"] and "n2" in result["msg"] and "swarm" in result["msg"]


def test_swarm_may_be_forced_on_old_engines():
    assert gen.control_plane(fleet(n1=BOOKWORM), "swarm")["control_plane"] == "swarm"


def test_unknown_control_plane_names_the_field():
    assert "cnm_overlay_control_plane" in gen.control_plane(fleet(n1=BOOKWORM), "k8s")["msg"]


def test_missing_version_fails_naming_the_host():
    result = gen.control_plane(fleet(n1=BOOKWORM, n2={"version": None, "source": "missing"}))
    assert result["failed"] and "n2" in result["msg"]


def test_no_hosts_fails():
    assert gen.control_plane([])["failed"]


def test_auto_store_on_bookworm_is_etcd():
    assert gen.kv_store(fleet(n1=BOOKWORM, n2=BOOKWORM))["kv_store"] == "etcd"


def test_auto_store_on_bullseye_is_consul():
    assert gen.kv_store(fleet(n1=BULLSEYE, n2=BULLSEYE))["kv_store"] == "consul"


def test_auto_store_on_mixed_old_engines_is_the_common_one():
    assert gen.kv_store(fleet(n1=BULLSEYE, n2=BOOKWORM))["kv_store"] == "etcd"


def test_consul_on_bookworm_fails_naming_host_and_store():
    result = gen.kv_store(fleet(n1=BOOKWORM), "consul")
    assert result["failed"] and "n1" in result["msg"] and "consul" in result["msg"]


def test_explicit_zookeeper_allowed_where_compiled_in():
    assert gen.kv_store(fleet(n1=BOOKWORM), "zookeeper")["kv_store"] == "zookeeper"


def test_auto_store_fails_when_none_is_shared():
    only_zk = {"version": "20.10.24", "source": "engine", "kv_backends": ["zookeeper"]}
    assert gen.kv_store(fleet(n1=only_zk))["failed"]


def test_swarm_needs_no_store():
    assert gen.kv_store(fleet(n1=TRIXIE), chosen_control_plane="swarm")["kv_store"] == "none"


def test_unknown_store_names_the_field():
    assert "cnm_overlay_kv_store" in gen.kv_store(fleet(n1=BOOKWORM), "redis")["msg"]


@pytest.mark.parametrize("version, expected", [
    ("20.10.24+dfsg1-1+deb12u1", ["etcd", "zookeeper"]),
    ("20.10.5+dfsg1-1+deb11u2", ["consul", "etcd", "zookeeper"]),
    ("20.10.24-0ubuntu1", ["consul", "etcd", "zookeeper"]),
    ("26.1.5+dfsg1-9", []),
])
def test_packaged_kv_backends(version, expected):
    assert gen.packaged_kv_backends(version) == expected


def test_engine_facts_reads_an_installed_engine():
    results = [{"item": "n1", "dockerd": "/usr/sbin/dockerd", "version_text": "Docker version 20.10.24+dfsg1, build 297e128",
                "store_backends": ["etcd", "zookeeper"], "package_version": ""}]
    assert gen.engine_facts(results) == [
        {"host": "n1", "version": "20.10.24+dfsg1", "source": "engine", "kv_backends": ["etcd", "zookeeper"]}]


def test_engine_facts_of_hosts_that_probed_themselves_take_the_host_names_in_order():
    results = [{"dockerd": "/usr/bin/dockerd", "version_text": "Docker version 26.1.5+dfsg1, build a72d7cd",
                "store_backends": []}, {"skipped": True}]
    engines = gen.engine_facts(results, ["n1", "n2"])
    assert [(engine["host"], engine["source"]) for engine in engines] == [("n1", "engine"), ("n2", "missing")]


def test_engine_facts_fills_version_and_backends_of_a_package_not_installed_yet():
    results = [{"item": "n1", "dockerd": "", "version_text": "", "store_backends": [],
                "package_version": "20.10.24+dfsg1-1+deb12u1"}]
    assert gen.engine_facts(results) == [
        {"host": "n1", "version": "20.10.24+dfsg1-1+deb12u1", "source": "package", "kv_backends": ["etcd", "zookeeper"]}]


def test_engine_facts_without_engine_or_package_has_no_version_and_unknown_backends():
    results = [{"item": "n1", "dockerd": "", "version_text": "", "store_backends": [], "package_version": ""}]
    assert gen.engine_facts(results) == [{"host": "n1", "version": None, "source": "missing", "kv_backends": None}]


def test_engine_facts_of_a_dockerd_whose_version_failed_keeps_its_backends():
    results = [{"item": "n1", "dockerd": "/usr/sbin/dockerd", "version_text": "", "store_backends": ["etcd"]}]
    assert gen.engine_facts(results)[0] == {"host": "n1", "version": None, "source": "engine", "kv_backends": ["etcd"]}
