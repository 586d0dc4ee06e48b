# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backend of cnm.overlay.docker_cnm_endpoint (private to this collection).

The Endpoint of the CNM: a container (sandbox) attached to a network. The pure parts
(parameter checks, `has_different_config`) take plain dicts of `docker inspect` output so
they can be tested without a daemon; `EndpointManager` does the API calls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.cnm.overlay.plugins.module_utils._differences import DifferenceTracker
from ansible_collections.cnm.overlay.plugins.module_utils._api_client import (
    DockerError,
    NotFound,
    client_for_module,
    quote_path,
    version_tuple,
)
from ansible_collections.cnm.overlay.plugins.module_utils import _ipam

# Networks the daemon makes itself; only `bridge` takes other containers' endpoints.
DEFAULT_BRIDGE = "bridge"
PREDEFINED_NETWORKS = ("bridge", "host", "none")
# Docker's rule for container names, also used for link aliases.
_NAME = r"[a-zA-Z0-9][a-zA-Z0-9_.-]*"
_LINK = re.compile(r"^/?(%s):(?:/?%s/)?(%s)$|^/?(%s)$" % (_NAME, _NAME, _NAME, _NAME))
SETTINGS = ("aliases", "ipv4_address", "ipv6_address", "links", "link_local_ips", "driver_options", "mac_address",
            "gw_priority")
# The API version from which the daemon honours a setting in a connect; below it the setting is
# ignored without an error (moby's changelog: MacAddress on connect from 1.54; GwPriority is new in 1.48).
SETTING_MIN_API = {"gw_priority": "1.48", "mac_address": "1.54"}
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


# -- parameters ---------------------------------------------------------------------------


def normalise_link(link):
    """'db' -> 'db:db', '/db:/web/alias' -> 'db:alias'; None if the text is not a link."""
    match = _LINK.match(str(link).strip())
    if not match:
        return None
    if match.group(3):
        return "%s:%s" % (match.group(3), match.group(3))
    return "%s:%s" % (match.group(1), match.group(2))


def driver_option_text(value):
    """The daemon stores endpoint driver options as strings: true -> 'true', 1400 -> '1400'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class EndpointParameters(object):
    """The module's options in normal form; a setting the user did not give stays None."""

    def __init__(self, params):
        self.network = params["network"]
        self.container = params["container"]
        self.state = params["state"]
        self.force = params["force"]
        self.aliases = None if params.get("aliases") is None else sorted(set(params["aliases"]))
        self.ipv4_address = _ipam.normalise_address(params.get("ipv4_address") or None)
        self.ipv6_address = _ipam.normalise_address(params.get("ipv6_address") or None)
        links = params.get("links")
        self.links = None if links is None else sorted(set(normalise_link(link) or link for link in links))
        self.raw_links = links or []
        ips = params.get("link_local_ips")
        self.link_local_ips = None if ips is None else sorted(set(_ipam.normalise_address(ip) for ip in ips))
        options = params.get("driver_options")
        self.raw_driver_options = options or {}
        self.driver_options = None if options is None else dict(
            (str(key), driver_option_text(value)) for key, value in options.items())
        self.mac_address = normalise_mac(params.get("mac_address"))
        self.gw_priority = params.get("gw_priority")


def normalise_mac(value):
    """'02-42-AC-11-00-02' -> '02:42:ac:11:00:02' (the daemon's form); '' and None -> None."""
    if not value:
        return None
    return str(value).strip().lower().replace("-", ":")


def check_parameters(params):
    """Mistakes visible without the daemon, one message each, naming the option and the fix."""
    errors = []
    for field, version in (("ipv4_address", 4), ("ipv6_address", 6)):
        value = getattr(params, field)
        if value is None:
            continue
        try:
            address = _ipam.parse_address(value)
        except ValueError:
            errors.append("%s: %r is not an IPv%d address; give one address without a prefix length."
                          % (field, value, version))
            continue
        if address.version != version:
            errors.append("%s: %s is an IPv%d address; put it in %s." % (
                field, address, address.version, "ipv6_address" if version == 4 else "ipv4_address"))
    for alias in params.aliases or []:
        if not str(alias).strip():
            errors.append("aliases: an alias is empty; give each alias as a non-empty name.")
    for link in params.raw_links:
        if normalise_link(link) is None:
            errors.append("links: %r is not a link; write it as CONTAINER:ALIAS (or CONTAINER), "
                          "for example db:database." % (link,))
    for key, value in sorted(params.raw_driver_options.items()):
        if isinstance(value, (dict, list)) or value is None:
            errors.append("driver_options.%s is a %s: give a string, number or boolean." % (key, type(value).__name__))
    if params.mac_address is not None:
        if not _MAC.match(params.mac_address):
            errors.append("mac_address: %r is not a MAC address; write six hex pairs such as 02:42:ac:11:00:02."
                          % (params.mac_address,))
        elif int(params.mac_address[:2], 16) & 1:
            errors.append("mac_address: %s is a multicast address (lowest bit of the first octet set); give a "
                          "unicast one such as 02:42:ac:11:00:02." % params.mac_address)
    for value in params.link_local_ips or []:
        try:
            address = _ipam.parse_address(value)
        except ValueError:
            errors.append("link_local_ips: %r is not an IP address; give addresses such as "
                          "169.254.10.10 or fe80::10." % (value,))
            continue
        if not _ipam.is_link_local(address):
            errors.append("link_local_ips: %s is not a link-local address; use one in 169.254.0.0/16 or "
                          "fe80::/10 (use ipv4_address/ipv6_address for other addresses)." % (address,))
    return errors


# -- what the daemon reports --------------------------------------------------------------


def container_name(container):
    return (container.get("Name") or "").lstrip("/")


def daemon_added_aliases(container):
    """Aliases the daemon adds on its own: the short ID, and on newer engines the name."""
    return set([container["Id"][:12], container_name(container)])


def find_endpoint_settings(container, network):
    """The container's settings for `network`, or None when it is not attached.

    A running container is attached when the network lists its endpoint: a failed connect
    on Docker 20.10 can leave an entry in the container without an endpoint. A stopped
    container has no endpoint; its entry is keyed by the network's name."""
    networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
    if not (container.get("State") or {}).get("Running"):
        return networks.get(network["Name"])
    attached = (network.get("Containers") or {}).get(container["Id"])
    for settings in networks.values():
        if settings.get("NetworkID") == network["Id"]:
            if attached and attached.get("EndpointID") == settings.get("EndpointID"):
                return settings
    return None


def active_settings(settings, container):
    """The endpoint's settings in the module's normal form (aliases without daemon-added ones)."""
    ipam = settings.get("IPAMConfig") or {}
    added = daemon_added_aliases(container)
    return dict(
        aliases=sorted(set(settings.get("Aliases") or []) - added),
        ipv4_address=_ipam.normalise_address(ipam.get("IPv4Address") or None),
        ipv6_address=_ipam.normalise_address(ipam.get("IPv6Address") or None),
        links=sorted(set(normalise_link(link) or link for link in settings.get("Links") or [])),
        link_local_ips=sorted(set(_ipam.normalise_address(ip) for ip in ipam.get("LinkLocalIPs") or [])),
        driver_options=dict(settings.get("DriverOpts") or {}),
        mac_address=normalise_mac(settings.get("MacAddress")),
        # Missing below API 1.48, and 0 when the connect gave none: the daemon's default.
        gw_priority=settings.get("GwPriority") or 0,
    )


def has_different_config(params, settings, container):
    """Compare only the settings the user gave; what the daemon adds never differs."""
    active = active_settings(settings, container)
    differences = DifferenceTracker()
    for name in SETTINGS:
        wanted = getattr(params, name)
        if wanted is None:
            continue
        current = active[name]
        if name == "aliases":
            # An alias the user asks for that the daemon also adds (the name) is kept.
            reported = set(settings.get("Aliases") or [])
            current = sorted(set(current) | (reported & set(wanted)))
        if wanted != current:
            differences.add(name, wanted, current)
    return differences


def merged_settings(params, settings, container):
    """The settings to connect with: the user's, and the active ones for what was not given."""
    merged = active_settings(settings, container) if settings is not None else {}
    # A MAC the daemon picked is not sent back: a reconnect lets it pick one again, as before.
    merged.pop("mac_address", None)
    for name in SETTINGS:
        if getattr(params, name) is not None:
            merged[name] = getattr(params, name)
    return merged


def api_gate_errors(params, api_version, connecting):
    """Settings this API version would let the daemon ignore, as messages naming option and version.

    `connecting`: whether the plan sends a connect; an endpoint that already has the wanted
    settings needs none, so an older API then changes nothing and reports no change."""
    errors = []
    for name, needed in sorted(SETTING_MIN_API.items()):
        if getattr(params, name) is None or version_tuple(api_version) >= version_tuple(needed):
            continue
        if name == "mac_address":
            if connecting:
                errors.append("mac_address needs Docker API %s to be applied by a connect, but the daemon is spoken "
                              "to with API %s, which ignores it and gives the endpoint a random MAC; nothing was "
                              "changed. Set the MAC when the container is created (its networking config takes "
                              "MacAddress from API 1.44), upgrade the engine, or drop mac_address."
                              % (needed, api_version))
        else:
            errors.append("%s needs Docker API %s but the daemon is spoken to with API %s: upgrade the engine or set "
                          "api_version: auto, or drop %s." % (name, needed, api_version, name))
    return errors


def endpoint_config(settings):
    """EndpointSettings of the connect API from settings in normal form."""
    config = {}
    ipam = {}
    if settings.get("ipv4_address"):
        ipam["IPv4Address"] = settings["ipv4_address"]
    if settings.get("ipv6_address"):
        ipam["IPv6Address"] = settings["ipv6_address"]
    if settings.get("link_local_ips"):
        ipam["LinkLocalIPs"] = list(settings["link_local_ips"])
    if ipam:
        config["IPAMConfig"] = ipam
    if settings.get("aliases"):
        config["Aliases"] = list(settings["aliases"])
    if settings.get("links"):
        config["Links"] = list(settings["links"])
    if settings.get("driver_options"):
        config["DriverOpts"] = dict(settings["driver_options"])
    if settings.get("mac_address"):
        config["MacAddress"] = settings["mac_address"]
    if settings.get("gw_priority"):
        config["GwPriority"] = settings["gw_priority"]
    return config


def endpoint_result(settings, container, network):
    """The `endpoint` return value from the daemon's view of the endpoint."""
    ipam = settings.get("IPAMConfig") or {}
    ipv4 = settings.get("IPAddress")
    ipv6 = settings.get("GlobalIPv6Address")
    return dict(
        endpoint_id=settings.get("EndpointID") or None,
        network_id=network["Id"],
        network=network["Name"],
        container_id=container["Id"],
        container=container_name(container),
        container_running=bool((container.get("State") or {}).get("Running")),
        ipv4_address="%s/%s" % (ipv4, settings.get("IPPrefixLen")) if ipv4 else None,
        ipv6_address="%s/%s" % (ipv6, settings.get("GlobalIPv6PrefixLen")) if ipv6 else None,
        gateway=settings.get("Gateway") or None,
        ipv6_gateway=settings.get("IPv6Gateway") or None,
        mac_address=settings.get("MacAddress") or None,
        gw_priority=settings.get("GwPriority") or 0,
        aliases=list(settings.get("Aliases") or []),
        links=list(settings.get("Links") or []),
        link_local_ips=list(ipam.get("LinkLocalIPs") or []),
        driver_options=dict(settings.get("DriverOpts") or {}),
    )


# -- checks against the network -----------------------------------------------------------


def _subnets(network, version):
    result = []
    for config in (network.get("IPAM") or {}).get("Config") or []:
        try:
            subnet = _ipam.parse_cidr(config.get("Subnet") or "", strict=False)
        except ValueError:
            continue
        if subnet.version == version:
            gateway = config.get("Gateway")
            result.append((subnet, _ipam.parse_address(gateway) if gateway else None))
    return result


def endpoint_using(network, address, own_container_id):
    """Name and endpoint ID of another endpoint of `network` that has `address`, or None."""
    for key, endpoint in (network.get("Containers") or {}).items():
        if key == own_container_id:
            continue
        for field in ("IPv4Address", "IPv6Address"):
            used = endpoint.get(field)
            if used and _ipam.normalise_address(_ipam.strip_prefix(used)) == address:
                return endpoint.get("Name") or key, (endpoint.get("EndpointID") or "")[:12]
    return None


def check_against_network(params, network, own_container_id):
    """Mistakes in the wanted settings for this network, before any change is made."""
    errors = []
    name = network["Name"]
    if name == DEFAULT_BRIDGE:
        if params.aliases:
            errors.append("aliases: the default bridge network does not support network-scoped aliases; "
                          "connect to a user-defined network to use aliases.")
        for field in ("ipv4_address", "ipv6_address"):
            if getattr(params, field):
                errors.append("%s: the default bridge network does not take fixed addresses; connect to a "
                              "user-defined network with a subnet to use %s." % (field, field))
        return errors
    for field, version in (("ipv4_address", 4), ("ipv6_address", 6)):
        value = getattr(params, field)
        if not value:
            continue
        if version == 6 and not network.get("EnableIPv6"):
            errors.append("ipv6_address: network %s has IPv6 disabled; create it with enable_ipv6 and an IPv6 "
                          "subnet, or leave ipv6_address out." % name)
            continue
        errors.extend(_check_fixed_address(field, value, version, network, own_container_id))
    if any(_ipam.parse_address(ip).version == 6 for ip in params.link_local_ips or []) \
            and not network.get("EnableIPv6"):
        errors.append("link_local_ips: network %s has IPv6 disabled, so the container's interface takes no IPv6 "
                      "address; use an IPv4 link-local address or a network with enable_ipv6." % name)
    return errors


def _check_fixed_address(field, value, version, network, own_container_id):
    name = network["Name"]
    address = _ipam.parse_address(value)
    subnets = _subnets(network, version)
    if not subnets:
        return ["%s: network %s has no IPv%d subnet configured by the user; a fixed address needs a network "
                "created with a subnet (ipam_config)." % (field, name, version)]
    found = _ipam.address_in_subnets(address, [subnet for subnet, dummy in subnets])
    if found is None:
        return ["%s %s is outside the subnets of network %s (%s); give an address inside them."
                % (field, address, name, ", ".join(str(subnet) for subnet, dummy in subnets))]
    gateway = dict(subnets)[found]
    if gateway is None and (network.get("IPAM") or {}).get("Driver", "default") == "default":
        gateway = _ipam.default_gateway(found)
    if address == gateway:
        return ["%s %s is the gateway of network %s; give another address of %s." % (field, address, name, found)]
    if _ipam.is_network_or_broadcast(address, found):
        return ["%s %s is the network or broadcast address of %s on network %s; give a host address."
                % (field, address, found, name)]
    user = endpoint_using(network, str(address), own_container_id)
    if user:
        return ["%s %s is already used on network %s by container %s (endpoint %s); give a free address or "
                "disconnect that container first." % (field, address, name, user[0], user[1])]
    return []


def explain_daemon_error(message, params):
    """Name the option behind a daemon refusal that the checks before could not foresee."""
    fields = "/".join(field for field in ("ipv4_address", "ipv6_address") if getattr(params, field))
    if "user configured subnets" in message and fields:
        return ("%s: the network's subnet was picked by the daemon, not configured by the user; a fixed address "
                "needs a network created with a subnet (ipam_config). Daemon: %s" % (fields, message))
    if "Address already in use" in message and fields:
        return ("%s: the address is already in use on this network, possibly by an endpoint on another host. "
                "Daemon: %s" % (fields, message))
    return message


# A store update the daemon could not send (20.10 with a cluster store). Seen as a passing error:
# the store down for a moment, or a daemon thread left in a container's namespace for one call.
_STORE_DIAL_ERROR = re.compile(r"store.*dial tcp \S+: (connect: |i/o timeout)", re.S)
# The same failure on a read during the join: libnetwork reports any store error there as the
# network not being in the store (the network was just looked up through the same daemon).
_STORE_READ_DURING_JOIN = re.compile(r"failed to get network from store during join: network \S+ not found")
STORE_RETRIES = 3


def store_unreachable(message):
    """Whether a daemon error says the cluster store could not be reached (or read during a join)."""
    return _STORE_DIAL_ERROR.search(message) is not None or _STORE_READ_DURING_JOIN.search(message) is not None


def foreign_endpoint(network, name, own_container_id):
    """An endpoint named `name` that the network lists for another container than ours."""
    for key, endpoint in (network.get("Containers") or {}).items():
        if endpoint.get("Name") == name and key != own_container_id:
            return endpoint
    return None


def shadowed_message(network, name):
    return ("container: network %s lists an endpoint named %s that belongs to another host (stale if that host is "
            "gone), not to this daemon's container %s; the daemon force-removes an endpoint only by a name no local "
            "container has. Remove or rename the local container %s, run this again, then connect the new container."
            % (network["Name"], name, name, name))


def stale_endpoint_name(network, name):
    """The endpoint name for a force disconnect of `name`: an endpoint name, or an endpoint ID
    (or its prefix) that the network lists; None when the network lists no such endpoint."""
    for endpoint in (network.get("Containers") or {}).values():
        if endpoint.get("Name") == name:
            return name
    for endpoint in (network.get("Containers") or {}).values():
        if len(name) >= 12 and (endpoint.get("EndpointID") or "").startswith(name):
            return endpoint.get("Name")
    return None


# -- the API side -------------------------------------------------------------------------


class EndpointManager(object):
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.check_mode = module.check_mode
        self.params = EndpointParameters(module.params)
        self.results = dict(changed=False, actions=[])
        self.diff = dict(before={}, after={})

    def fail(self, msg):
        self.module.fail_json(msg=msg, **self.results)

    def run(self):
        errors = check_parameters(self.params)
        if errors:
            self.fail(" ".join(errors))
        network = self._network()
        container = self._container()
        if self.params.state == "connected":
            self.connected(container, network)
        else:
            self.disconnected(container, network)
        if self.module._diff:
            self.results["diff"] = self.diff
        return self.results

    # -- lookups

    def _network(self):
        try:
            return self.client.get("/networks/%s" % quote_path(self.params.network))
        except NotFound:
            self.fail("network: no network named or with ID %r on the daemon at %s; create it first "
                      "(cnm.overlay.docker_cnm_network) or fix the name.%s"
                      % (self.params.network, self.client.docker_host, self._cluster_store_hint()))
        except DockerError as exc:
            self.fail("network %s: %s" % (self.params.network, exc.message))

    def _container(self):
        try:
            return self.client.get("/containers/%s/json" % quote_path(self.params.container))
        except NotFound:
            if self.params.state == "disconnected" and self.params.force:
                return None
            self.fail("container: no container named or with ID %r on the daemon at %s%s."
                      % (self.params.container, self.client.docker_host,
                         "; to remove a stale endpoint of a container that is gone, use state=disconnected "
                         "and force=true" if self.params.state == "disconnected" else ""))
        except DockerError as exc:
            self.fail("container %s: %s" % (self.params.container, exc.message))

    def _cluster_store_hint(self):
        """With a cluster store down, the daemon reports its global networks as not found."""
        try:
            store = self.client.get("/info").get("ClusterStore")
        except DockerError:
            return ""
        if not store:
            return ""
        return (" This daemon keeps global-scope networks in the cluster store %s: while the store is "
                "unreachable they are reported as not found, so check the store too." % store)

    def _container_exists(self, name):
        try:
            self.client.get("/containers/%s/json" % quote_path(name))
        except NotFound:
            return False
        return True

    def _inspect(self, container, network):
        container = self.client.get("/containers/%s/json" % quote_path(container["Id"]))
        network = self.client.get("/networks/%s" % quote_path(network["Id"]))
        return container, network

    # -- API calls (the only parts check mode skips)

    def _connect(self, container, network, settings):
        self.results["actions"].append("connect %s to %s" % (container_name(container), network["Name"]))
        if self.check_mode:
            return
        for attempt in range(STORE_RETRIES + 1):
            try:
                self.client.post("/networks/%s/connect" % quote_path(network["Id"]),
                                 body=dict(Container=container["Id"], EndpointConfig=endpoint_config(settings)))
                return
            except DockerError as exc:
                if attempt == STORE_RETRIES or not store_unreachable(exc.message):
                    raise
                self.module.warn("The daemon could not reach the cluster store to connect %s to %s (attempt %d of "
                                 "%d, trying again in 1 s): %s"
                                 % (container_name(container), network["Name"], attempt + 1, STORE_RETRIES + 1,
                                    exc.message))
                time.sleep(1)
                self._drop_failed_connect(container, network)

    def _drop_failed_connect(self, container, network):
        """Remove what a connect that failed on the store left behind, so that it can be sent again.

        A 20.10 daemon does not always roll such a connect back: the next one then fails with
        "endpoint with name ... already exists in network". When nothing was left, the daemon
        says the container is not connected, which is what is wanted here."""
        try:
            self.client.post("/networks/%s/disconnect" % quote_path(network["Id"]),
                             body=dict(Container=container["Id"], Force=True))
        except DockerError:
            pass

    def _disconnect(self, name, network, force, label=None):
        self.results["actions"].append("disconnect %s from %s%s" % (label or name, network["Name"],
                                                                    " (force)" if force else ""))
        if not self.check_mode:
            self.client.post("/networks/%s/disconnect" % quote_path(network["Id"]),
                             body=dict(Container=name, Force=bool(force)))

    def _disconnect_container(self, container, network):
        self._disconnect(container["Id"], network, self.params.force, label=container_name(container))

    # -- states

    def connected(self, container, network):
        errors = check_against_network(self.params, network, container["Id"])
        if errors:
            self.fail(" ".join(errors))
        settings = find_endpoint_settings(container, network)
        differences = has_different_config(self.params, settings, container) if settings is not None else None
        errors = api_gate_errors(self.params, self.client.api_version,
                                 connecting=differences is None or not differences.empty)
        if errors:
            self.fail(" ".join(errors))
        self.results["container_running"] = bool(container["State"].get("Running"))
        if settings is None:
            wanted = merged_settings(self.params, None, container)
            self.diff["before"] = dict(state="disconnected")
            self.diff["after"] = dict(state="connected", **dict((k, v) for k, v in wanted.items() if v))
            self._try(lambda: self._connect(container, network, wanted), "connection")
            self.results["changed"] = True
        else:
            before, after = differences.before(), differences.after()
            self.diff["before"] = dict(state="connected", **before)
            self.diff["after"] = dict(state="connected", **after)
            if not differences.empty:
                self.results["differences"] = differences.names
                self._reconnect(container, network, settings)
                self.results["changed"] = True
        if not self.check_mode:
            container, network = self._inspect(container, network)
            settings = find_endpoint_settings(container, network)
        self.results["endpoint"] = endpoint_result(settings, container, network) if settings is not None else None
        if not self.results["container_running"]:
            self.results["msg"] = ("Container %s is not running: the endpoint is configured and gets its "
                                   "addresses when the container starts." % container_name(container))

    def _reconnect(self, container, network, settings):
        old = active_settings(settings, container)
        wanted = merged_settings(self.params, settings, container)
        self._try(lambda: self._disconnect_container(container, network), "disconnection")
        try:
            self._connect(container, network, wanted)
        except DockerError as exc:
            try:
                self._connect(container, network, old)
            except DockerError as again:
                self.fail("Reconnecting %s to %s failed: %s. Restoring the previous settings failed too, the "
                          "container is now disconnected: %s"
                          % (container_name(container), network["Name"], exc.message, again.message))
            self.fail("Reconnecting %s to %s with the new settings failed, the previous settings are restored: %s"
                      % (container_name(container), network["Name"], explain_daemon_error(exc.message, self.params)))

    def disconnected(self, container, network):
        if container is None:
            self._remove_stale(network)
            return
        settings = find_endpoint_settings(container, network)
        if settings is None:
            if self.params.force and foreign_endpoint(network, container_name(container), container["Id"]):
                self.fail(shadowed_message(network, container_name(container)))
            self.diff["before"] = self.diff["after"] = dict(state="disconnected")
            return
        self.diff["before"] = dict(state="connected", **active_settings(settings, container))
        self.diff["after"] = dict(state="disconnected")
        self._try(lambda: self._disconnect_container(container, network), "disconnection")
        self.results["changed"] = True

    def _remove_stale(self, network):
        """Force-delete the endpoint of a container that is gone (a lost host's, for example)."""
        listed_name = stale_endpoint_name(network, self.params.container)
        name = listed_name or self.params.container
        if listed_name and listed_name != self.params.container and self._container_exists(listed_name):
            self.fail(shadowed_message(network, listed_name))
        # The daemon may know endpoints of other hosts that it does not list: in check mode only
        # a listed one is a sure change.
        if listed_name or not self.check_mode:
            try:
                self._disconnect(name, network, True)
                self.results["changed"] = True
            except NotFound:
                self.results["actions"] = []
            except DockerError as exc:
                self.fail("force disconnect of %s from %s: %s" % (name, network["Name"], exc.message))
        if self.results["changed"]:
            self.diff["before"] = dict(state="connected", endpoint=name)
            self.diff["after"] = dict(state="disconnected")
        else:
            self.diff["before"] = self.diff["after"] = dict(state="disconnected")

    def _try(self, call, verb):
        try:
            call()
        except DockerError as exc:
            self.fail("%s of container %s on network %s failed: %s"
                      % (verb.capitalize(), self.params.container, self.params.network,
                         explain_daemon_error(exc.message, self.params)))


def main(module):
    client = client_for_module(module)
    try:
        results = EndpointManager(module, client).run()
    except DockerError as exc:
        module.fail_json(msg=exc.message)
    finally:
        client.close()
    module.exit_json(**results)
