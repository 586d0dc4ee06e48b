"""What the kv -> swarm switch removes from daemon.json (docker_cluster_store's remove entry point)."""

import pytest

from ansible_collections.cnm.overlay.plugins.filter.cluster_store import cluster_store_leftovers


@pytest.mark.parametrize("config, expected", [
    ({"cluster-store": "consul://kv:8500", "cluster-advertise": "eth0:2376", "live-restore": True, "log-level": "info"},
     ["cluster-advertise", "cluster-store", "live-restore"]),
    ({"cluster-store-opts": {"kv.cacertfile": "/ca.pem"}}, ["cluster-store-opts"]),
    ({"live-restore": True, "debug": True}, []),
    ({}, []),
    ("not an object", []),
])
def test_kv_keys_go_and_take_live_restore_with_them(config, expected):
    assert cluster_store_leftovers(config) == expected
