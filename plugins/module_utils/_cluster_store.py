# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster store's URL from the site's settings, worked out in one place (private to this collection).

site.yml, the preflight role and the docker_cluster_store role all default to this URL, so a
playbook that includes the roles gets the same store as site.yml does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# cnm_overlay_kv_store's values to libkv's URL schemes (auto: the control_plane role picks; Consul otherwise).
SCHEMES = {"auto": "consul", "consul": "consul", "etcd": "etcd", "zookeeper": "zk", "zk": "zk"}
# Consul serves HTTPS on its own port; etcd and ZooKeeper keep theirs with TLS.
PORTS = {"consul": 8500, "etcd": 2379, "zk": 2181}
CONSUL_HTTPS_PORT = 8501


def scheme(store):
    """libkv's scheme for a store setting; a ValueError names the setting and its choices."""
    key = str(store or "consul").strip().lower()
    if key not in SCHEMES:
        raise ValueError("cnm_overlay_kv_store: %r is not a store; choose one of %s"
                         % (store, ", ".join(sorted(k for k in SCHEMES if k != "zk"))))
    return SCHEMES[key]


def default_port(store, tls=False):
    kind = scheme(store)
    return CONSUL_HTTPS_PORT if kind == "consul" and tls else PORTS[kind]


def store_address(host, host_vars):
    """The address the docker hosts reach the store host at: its default IPv4 address when facts were
    gathered, else its ansible_host, else its inventory name."""
    host_vars = host_vars or {}
    facts = host_vars.get("ansible_facts") or {}
    return ((facts.get("default_ipv4") or {}).get("address") or host_vars.get("ansible_host") or host)


def url(kv_hosts, host_vars_of, store="consul", address="", port=0, tls=False, explicit=""):
    """cluster-store URL: `explicit` when given, else <scheme>://<address>:<port> of the first kv host.

    kv_hosts: the kv_store group; host_vars_of(host) -> that host's variables. "" when there is neither
    an explicit URL, nor an address, nor a kv host (the caller says what to set)."""
    if str(explicit or "").strip():
        return str(explicit).strip()
    # Swarm mode (the control_plane role's decision) has no external store.
    if str(store or "").strip().lower() == "none":
        return ""
    kind = scheme(store)
    hosts = list(kv_hosts or [])
    if not str(address or "").strip():
        if not hosts:
            return ""
        address = store_address(hosts[0], host_vars_of(hosts[0]))
    try:
        port = int(port or 0) or default_port(store, tls)
    except (TypeError, ValueError):
        raise ValueError("cnm_overlay_kv_port: %r is not a port number; give the store's client port, e.g. %d"
                         % (port, default_port(store, tls)))
    return "%s://%s:%d" % (kind, str(address).strip(), port)
