# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The swarm settings that only `docker swarm init` takes (private to this collection).

The data-path (VXLAN) port and the default address pools with their subnet size are fixed
when the swarm is initialised: a swarm that exists cannot take other values. Both decisions
live here so they are unit tested: whether the requested values are valid (before any
change), and how an existing swarm differs from them (reported with the way to change it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

# Docker's own defaults: VXLAN's IANA port, and swarm's pool 10.0.0.0/8 cut into /24 networks.
DEFAULT_DATA_PATH_PORT = 4789
# The range the Engine API accepts for DataPathPort (below it the well-known ports, above it the ephemeral ones).
DATA_PATH_PORT_RANGE = (1024, 49151)
DEFAULT_SUBNET_SIZE = 24
# Docker refuses a longer prefix ("subnet size is out of range"): a /29 is the smallest network with
# addresses left for containers after the network, gateway and broadcast addresses.
MAX_SUBNET_SIZE = 29

# The variables' names as the role knows them; site.yml passes its own (cnm_overlay_*).
ROLE_NAMES = {
    "data_path_port": "docker_swarm_data_path_port (cnm_overlay_data_path_port)",
    "default_addr_pool": "docker_swarm_default_addr_pool (cnm_overlay_default_addr_pool)",
    "subnet_size": "docker_swarm_subnet_size (cnm_overlay_default_addr_pool_subnet_size)",
}


def _unset(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _whole_number(value):
    """An int from an int or a string of digits (what -e hands over); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _pools(value):
    """The pools as a list of strings: a list, or one string with commas (from -e)."""
    if _unset(value):
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value]
    return None


def init_settings(data_path_port, default_addr_pool, subnet_size, names=None):
    """Parse and validate the init-only settings.

    Returns {data_path_port, default_addr_pool, subnet_size, problems}: the values as
    community.docker.docker_swarm takes them (the pool [] and the size None when not set,
    the size also when 0: Docker's defaults), and one message per bad value naming its variable and the fix."""
    names = dict(ROLE_NAMES, **(names or {}))
    problems = []
    port = DEFAULT_DATA_PATH_PORT if _unset(data_path_port) else _whole_number(data_path_port)
    low, high = DATA_PATH_PORT_RANGE
    if port is None or not low <= port <= high:
        problems.append("%s must be a UDP port from %d to %d, as Docker requires (VXLAN's default is %d); it is %r."
                        % (names["data_path_port"], low, high, DEFAULT_DATA_PATH_PORT, data_path_port))
        port = None
    pools = _pools(default_addr_pool)
    networks = []
    if pools is None:
        problems.append("%s must be a list of IPv4 subnets in CIDR notation (e.g. [10.20.0.0/16]); it is %r."
                        % (names["default_addr_pool"], default_addr_pool))
        pools = []
    for pool in pools:
        try:
            network = ipaddress.ip_network(u"%s" % pool, strict=True)
        except ValueError as exc:
            problems.append("%s: %r is not an IPv4 subnet in CIDR notation such as 10.20.0.0/16 (%s)."
                            % (names["default_addr_pool"], pool, exc))
            continue
        if network.version != 4:
            problems.append("%s: %r is IPv6; swarm's default address pools are IPv4 subnets such as 10.20.0.0/16."
                            % (names["default_addr_pool"], pool))
            continue
        for other_text, other in networks:
            if network.overlaps(other):
                problems.append("%s: %s overlaps %s; give pools that do not overlap."
                                % (names["default_addr_pool"], pool, other_text))
        networks.append((pool, network))
    size = None
    # 0 (the role's default) and empty are Docker's default.
    if not (_unset(subnet_size) or _whole_number(subnet_size) == 0):
        size = _whole_number(subnet_size)
        if size is None or not 1 <= size <= MAX_SUBNET_SIZE:
            problems.append("%s must be a prefix length from 1 to %d, as Docker requires (its default is %d); it is %r."
                            % (names["subnet_size"], MAX_SUBNET_SIZE, DEFAULT_SUBNET_SIZE, subnet_size))
            size = None
        elif not pools:
            problems.append("%s is %d but %s is empty: Docker applies the subnet size only to the pools given with it."
                            " Set both, or neither for Docker's 10.0.0.0/8 in /%d networks."
                            % (names["subnet_size"], size, names["default_addr_pool"], DEFAULT_SUBNET_SIZE))
    effective = DEFAULT_SUBNET_SIZE if size is None else size
    for pool, network in networks:
        if effective < network.prefixlen:
            problems.append("%s is %d: a /%d network does not fit in the pool %s; use a subnet size of at least %d."
                            % (names["subnet_size"], effective, effective, pool, network.prefixlen)
                            if size is not None else
                            "%s is not set, and Docker's default /%d does not fit in the pool %s: set it to at least %d."
                            % (names["subnet_size"], effective, pool, network.prefixlen))
    return {"data_path_port": port, "default_addr_pool": pools, "subnet_size": size, "problems": problems}


def cluster_differences(cluster, settings, names=None):
    """How an existing swarm differs from the init-only settings it cannot change.

    cluster: the first manager's `docker info` Swarm.Cluster (DataPathPort, DefaultAddrPool,
    SubnetSize); settings: what init_settings returned. The port is always compared (the
    preflight probes it); the pools and the subnet size only when they are set."""
    names = dict(ROLE_NAMES, **(names or {}))
    cluster = cluster or {}
    found = []
    actual_port = _whole_number(cluster.get("DataPathPort")) or DEFAULT_DATA_PATH_PORT
    if settings.get("data_path_port") is not None and actual_port != settings["data_path_port"]:
        found.append("%s is %d, but the swarm uses data-path port %d" % (
            names["data_path_port"], settings["data_path_port"], actual_port))
    actual_pools = [str(pool) for pool in cluster.get("DefaultAddrPool") or []]
    if settings.get("default_addr_pool") and sorted(actual_pools) != sorted(settings["default_addr_pool"]):
        found.append("%s is %s, but the swarm's default address pools are %s" % (
            names["default_addr_pool"], ", ".join(settings["default_addr_pool"]), ", ".join(actual_pools) or "Docker's"))
    actual_size = _whole_number(cluster.get("SubnetSize")) or DEFAULT_SUBNET_SIZE
    if settings.get("subnet_size") is not None and actual_size != settings["subnet_size"]:
        found.append("%s is %d, but the swarm's pools are cut into /%d networks" % (
            names["subnet_size"], settings["subnet_size"], actual_size))
    return found
