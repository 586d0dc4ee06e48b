# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One docker host's side of the topology picture: its networks, their endpoints, its containers.

Read-only: GET calls only. The graph over every host is built on the controller
(plugins/filter/topology.py) from what this returns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import (
    DockerError, NotFound, client_for_module, quote_path)


def _subnets(network):
    return [entry["Subnet"] for entry in ((network.get("IPAM") or {}).get("Config") or []) if entry.get("Subnet")]


def network_record(network):
    """The parts of a `docker network inspect` the picture uses, endpoints keyed as the daemon keys them
    (a local container's ID; `ep-<endpoint ID>` for another host's endpoint in kv mode; `lb-<net>` for the
    swarm load balancer)."""
    endpoints = []
    for key, endpoint in sorted((network.get("Containers") or {}).items()):
        endpoints.append(dict(
            key=key,
            name=endpoint.get("Name") or "",
            endpoint_id=endpoint.get("EndpointID") or "",
            mac=endpoint.get("MacAddress") or "",
            ipv4=endpoint.get("IPv4Address") or "",
            ipv6=endpoint.get("IPv6Address") or "",
        ))
    return dict(
        name=network.get("Name"), id=network.get("Id"), driver=network.get("Driver"), scope=network.get("Scope"),
        subnets=_subnets(network), internal=bool(network.get("Internal")), ingress=bool(network.get("Ingress")),
        endpoints=endpoints,
    )


def container_record(container):
    """A container with each of its endpoints (`docker inspect`'s NetworkSettings.Networks)."""
    networks = {}
    for name, settings in sorted(((container.get("NetworkSettings") or {}).get("Networks") or {}).items()):
        settings = settings or {}
        ipv4 = settings.get("IPAddress") or ""
        ipv6 = settings.get("GlobalIPv6Address") or ""
        networks[name] = dict(
            network_id=settings.get("NetworkID") or "",
            endpoint_id=settings.get("EndpointID") or "",
            mac=settings.get("MacAddress") or "",
            ipv4="%s/%s" % (ipv4, settings.get("IPPrefixLen")) if ipv4 and settings.get("IPPrefixLen") else ipv4,
            ipv6="%s/%s" % (ipv6, settings.get("GlobalIPv6PrefixLen")) if ipv6 and settings.get("GlobalIPv6PrefixLen")
            else ipv6,
            aliases=list(settings.get("Aliases") or []),
        )
    state = container.get("State") or {}
    return dict(
        id=container.get("Id"), name=(container.get("Name") or "").lstrip("/"),
        running=bool(state.get("Running")) if isinstance(state, dict) else state == "running",
        networks=networks,
    )


def read_topology(client):
    """{engine, networks, containers} of the daemon behind `client`."""
    info = client.get("/info") or {}
    swarm = info.get("Swarm") or {}
    engine = dict(name=info.get("Name"), version=info.get("ServerVersion"),
                  swarm_node_id=swarm.get("NodeID") or "", swarm_state=swarm.get("LocalNodeState") or "inactive")
    networks = []
    for listed in client.get("/networks") or []:
        try:
            networks.append(network_record(client.get("/networks/%s" % quote_path(listed["Id"]))))
        except NotFound:
            continue  # removed between the list and the inspect
    containers = []
    for listed in client.get("/containers/json", params={"all": True}) or []:
        try:
            containers.append(container_record(client.get("/containers/%s/json" % quote_path(listed["Id"]))))
        except NotFound:
            continue
    return dict(engine=engine, networks=sorted(networks, key=lambda n: (n["name"] or "", n["id"] or "")),
                containers=sorted(containers, key=lambda c: c["name"]))


def run_topology_info_module(module):
    """Entry point of docker_cnm_topology_info."""
    client = client_for_module(module)
    try:
        topology = read_topology(client)
    except DockerError as exc:
        module.fail_json(msg=exc.message)
    finally:
        client.close()
    module.exit_json(changed=False, topology=topology)
