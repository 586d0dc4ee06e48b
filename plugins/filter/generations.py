# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which control plane and which cluster store a fleet of Docker engines can use.

Pure decisions over facts the control_plane role collected on every docker host, kept
here so they are unit-tested and the role stays a thin collector. Each decision returns
a dict with ``failed`` and ``msg`` instead of raising, so the role can stop the play with
the message before anything is changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import engine_generation, version_tuple

CONTROL_PLANES = ("auto", "kv", "swarm")
KV_STORES = ("auto", "consul", "etcd", "zookeeper")
# Stores this collection can deploy itself, in the order `auto` prefers them.
DEPLOYABLE_STORES = ("consul", "etcd")
# Debian 12's docker.io, the first Debian build whose dockerd lacks libkv's consul backend.
DEBIAN_ENGINE_WITHOUT_CONSUL = (20, 10, 24)
# "Docker version 20.10.5+dfsg1, build 55c4c88" -> 20.10.5+dfsg1
_VERSION = re.compile(r"^Docker version ([^, ]+)")


def packaged_kv_backends(version):
    """Cluster-store backends of an engine known only by its package version.

    Used when dockerd is not installed yet, so its binary cannot be probed. Debian 12's
    docker.io (``20.10.24+dfsg``) is built without libkv's consul backend; older Debian
    and upstream builds of 20.10 and before have consul, etcd and zookeeper; 23.0 and
    newer have none.
    """
    if engine_generation(version) != "kv":
        return []
    if "dfsg" in str(version) and version_tuple(version) >= DEBIAN_ENGINE_WITHOUT_CONSUL:
        return ["etcd", "zookeeper"]
    return ["consul", "etcd", "zookeeper"]


def engine_facts(probe_results, hosts=None):
    """Registered results of cnm.overlay.docker_daemon_config_info, looped over hosts -> engine dicts.

    Without hosts, each result names its host as the loop item; with hosts, result i is of hosts[i]
    (each host ran it itself). A host whose engine is not installed gets the version and the backends
    of the package it would get; a host whose probe failed gets no version."""
    engines = []
    for index, result in enumerate(probe_results):
        result = dict(result or {})
        host = hosts[index] if hosts is not None else result["item"]
        if result.get("dockerd"):
            version = _VERSION.search(result.get("version_text") or "")
            engine = {"host": host, "version": version.group(1) if version else None, "source": "engine",
                      "kv_backends": list(result.get("store_backends") or [])}
        elif result.get("package_version"):
            engine = {"host": host, "version": result["package_version"], "source": "package",
                      "kv_backends": packaged_kv_backends(result["package_version"])}
        else:
            engine = {"host": host, "version": None, "source": "missing", "kv_backends": None}
        engines.append(engine)
    return engines


def engines_table(engines):
    """One line per host: name, version, where the version came from, stores."""
    lines = []
    for engine in sorted(engines, key=lambda item: item["host"]):
        stores = engine.get("kv_backends")
        lines.append("%s: %s (%s)%s" % (
            engine["host"], engine.get("version") or "unknown", engine.get("source") or "unknown",
            "" if stores is None else "; cluster stores: %s" % (", ".join(stores) or "none")))
    return lines


def _result(failed=False, msg="", **values):
    values.update(failed=failed, msg=msg)
    return values


def control_plane(engines, requested="auto"):
    """Decide kv or swarm for a list of {host, version, source, kv_backends} dicts."""
    if requested not in CONTROL_PLANES:
        return _result(True, "cnm_overlay_control_plane is %r; use one of: %s." % (requested, ", ".join(CONTROL_PLANES)))
    if not engines:
        return _result(True, "cnm_overlay_control_plane: no docker hosts to decide for; put them in the docker_hosts group.")
    table = engines_table(engines)
    unknown = sorted(e["host"] for e in engines if engine_generation(e.get("version")) is None)
    if unknown:
        return _result(True, "cnm_overlay_control_plane: no Docker engine version on %s (engine not running and no "
                       "installable docker.io package). Install or start the engine, or set "
                       "cnm_overlay_control_plane to kv or swarm. Hosts: %s" % (", ".join(unknown), "; ".join(table)),
                       table=table)
    generations = {e["host"]: engine_generation(e["version"]) for e in engines}
    new = sorted(h for h, g in generations.items() if g == "swarm")
    if requested == "auto":
        if len(set(generations.values())) > 1:
            return _result(True, "cnm_overlay_control_plane=auto: the docker hosts mix engines <= 20.10 (cluster store, "
                           "kv) and >= 23 (swarm only); nothing was changed. Upgrade the old engines (then kv -> swarm) "
                           "or split the fleet. Hosts: %s" % "; ".join(table), table=table)
        chosen = next(iter(generations.values()))
        reason = ("every engine is <= 20.10, so the cluster store (kv) is used" if chosen == "kv"
                  else "every engine is >= 23.0, where the cluster store was removed, so swarm mode is used")
        return _result(control_plane=chosen, reason="auto: " + reason, table=table)
    if requested == "kv" and new:
        return _result(True, "cnm_overlay_control_plane=kv: the engines on %s are >= 23.0 and have no cluster store "
                       "(removed in 23.0). Use cnm_overlay_control_plane=swarm (or auto). Hosts: %s"
                       % (", ".join(new), "; ".join(table)), table=table)
    return _result(control_plane=requested, reason="set by cnm_overlay_control_plane=%s" % requested, table=table)


def kv_store(engines, requested="auto", chosen_control_plane="kv", deployable=DEPLOYABLE_STORES):
    """Pick the cluster store every engine supports; 'none' in swarm mode."""
    if requested not in KV_STORES:
        return _result(True, "cnm_overlay_kv_store is %r; use one of: %s." % (requested, ", ".join(KV_STORES)))
    if chosen_control_plane != "kv":
        return _result(kv_store="none", reason="no cluster store: the control plane is %s" % chosen_control_plane)
    table = engines_table(engines)

    def lacking(store):
        return sorted(e["host"] for e in engines if store not in (e.get("kv_backends") or []))

    if requested != "auto":
        missing = lacking(requested)
        if missing:
            return _result(True, "cnm_overlay_kv_store=%s: the engines on %s have no %s cluster-store backend. "
                           "Use a store they all support (or auto). Hosts: %s"
                           % (requested, ", ".join(missing), requested, "; ".join(table)), table=table)
        return _result(kv_store=requested, reason="set by cnm_overlay_kv_store=%s" % requested, table=table)
    for store in deployable:
        if not lacking(store):
            return _result(kv_store=store, reason="auto: %s is the first of %s that every engine supports"
                           % (store, ", ".join(deployable)), table=table)
    return _result(True, "cnm_overlay_kv_store=auto: no store in %s is supported by every engine. Set "
                   "cnm_overlay_kv_store to a store they all have. Hosts: %s" % (", ".join(deployable), "; ".join(table)),
                   table=table)


class FilterModule(object):
    """cnm.overlay generation decisions."""

    def filters(self):
        return {
            "control_plane": control_plane,
            "engine_facts": engine_facts,
            "kv_store": kv_store,
            "packaged_kv_backends": packaged_kv_backends,
        }
