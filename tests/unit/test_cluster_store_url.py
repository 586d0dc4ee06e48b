"""The cluster store's URL, worked out once for site.yml, the preflight and docker_cluster_store."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _cluster_store as cs

KV = {"kv": {"ansible_host": "192.0.2.10", "ansible_facts": {"default_ipv4": {"address": "10.0.0.5"}}},
      "kv-nofacts": {"ansible_host": "192.0.2.11"}, "kv-bare": {}}


def url(hosts=("kv",), **settings):
    return cs.url(list(hosts), KV.get, **settings)


def test_consul_on_the_first_kv_host_at_its_facts_address():
    assert url(hosts=("kv", "kv-nofacts")) == "consul://10.0.0.5:8500"


def test_without_facts_the_address_is_ansible_host_then_the_name():
    assert (url(hosts=("kv-nofacts",)), url(hosts=("kv-bare",))) == ("consul://192.0.2.11:8500", "consul://kv-bare:8500")


def test_consul_with_tls_is_its_https_port():
    assert url(tls=True) == "consul://10.0.0.5:8501"


def test_etcd_and_zookeeper_keep_their_ports_with_tls():
    assert (url(store="etcd", tls=True), url(store="zookeeper")) == ("etcd://10.0.0.5:2379", "zk://10.0.0.5:2181")


def test_auto_is_consul():
    assert url(store="auto") == "consul://10.0.0.5:8500"


def test_address_and_port_settings_win():
    assert url(address="store.example", port="8600") == "consul://store.example:8600"


def test_an_explicit_url_wins_over_everything():
    assert url(hosts=(), explicit=" etcd://a:1 ", store="consul") == "etcd://a:1"


def test_no_kv_host_and_no_address_is_empty():
    assert url(hosts=()) == ""


def test_an_address_without_kv_hosts_is_enough():
    assert url(hosts=(), address="10.9.9.9", store="etcd") == "etcd://10.9.9.9:2379"


def test_an_unknown_store_names_the_setting_and_the_choices():
    with pytest.raises(ValueError, match=r"cnm_overlay_kv_store: 'redis' is not a store; choose one of auto, consul, etcd, zookeeper"):
        url(store="redis")


def test_a_port_that_is_no_number_names_the_setting():
    with pytest.raises(ValueError, match=r"cnm_overlay_kv_port: 'http' is not a port number"):
        url(port="http")


def test_swarm_modes_none_store_is_no_url():
    # control_plane_kv_store is 'none' when the control_plane role chose swarm mode.
    assert url(store="none") == ""
