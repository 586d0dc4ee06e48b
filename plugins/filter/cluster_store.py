# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster store's URL, the same for site.yml and every role (a thin wrapper over module_utils/_cluster_store), and
what the kv -> swarm switch removes from daemon.json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cnm.overlay.plugins.module_utils import _cluster_store


def cluster_store_url(groups, hostvars, store="consul", address="", port=0, tls=False, url=""):
    try:
        return _cluster_store.url((groups or {}).get("kv_store") or [], lambda host: hostvars[host],
                                  store, address, port, tls, url)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


# daemon.json keys of kv mode. live-restore goes with them: swarm mode refuses it. Alone, it is the operator's.
KV_KEYS = ("cluster-store", "cluster-advertise", "cluster-store-opts")
SWITCH_KEYS = KV_KEYS + ("live-restore",)


def cluster_store_leftovers(config):
    """The keys the kv -> swarm switch removes from a daemon.json object (sorted): none unless a kv key is there."""
    if not isinstance(config, dict) or not any(key in config for key in KV_KEYS):
        return []
    return sorted(key for key in SWITCH_KEYS if key in config)


class FilterModule(object):
    def filters(self):
        return {"cluster_store_leftovers": cluster_store_leftovers, "cluster_store_url": cluster_store_url}
