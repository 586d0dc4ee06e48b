# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backend of docker_cnm_network and docker_cnm_network_info (private to this collection).

A network spec is planned in full (validation, lookup, differences, address overlaps)
for every network of a task before the first change is made, so bad input changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
import time
import traceback

from ansible_collections.cnm.overlay.plugins.module_utils._differences import DifferenceTracker
from ansible_collections.cnm.overlay.plugins.module_utils._api_client import (
    DockerError,
    NotFound,
    client_for_module,
    quote_path,
    version_tuple,
)
from ansible_collections.cnm.overlay.plugins.module_utils._ipam import (
    check_ipam_config,
    cidrs_overlap,
    find_subnet_overlaps,
    normalise_daemon_ipam_entry,
    normalise_ipam_entry,
)

PREDEFINED_NETWORKS = ("bridge", "host", "none")
# What a network this module makes may be called: Docker's rule for container and volume names. The daemon takes
# more for networks, but a "/" then breaks its own API paths (the endpoints of such a network cannot be managed).
NETWORK_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
# Driver options the daemon adds on its own: compared only when the user gives them.
DAEMON_DRIVER_OPTIONS = ("com.docker.network.driver.overlay.vxlanid_list",)
# Options the daemon silently ignores when spoken to with an older API version.
# enable_ipv4: v1.47's docs name EnableIPv4, but the daemon honours it only from 1.48.
OPTION_MIN_API = {"scope": "1.30", "attachable": "1.25", "config_only": "1.30", "config_from": "1.30",
                  "ingress": "1.29", "enable_ipv4": "1.48"}
# A config-only network holds settings only: the daemon records this driver and refuses operator fields.
CONFIG_ONLY_DRIVER = "null"
# What a network made with config_from takes from its config-only network: the daemon refuses these
# options there unless they hold the default value given here.
CONFIG_FROM_TAKES = (("driver_options", {}), ("ipam_driver", "default"), ("ipam_options", {}), ("ipam_config", []),
                     ("enable_ipv6", False), ("enable_ipv4", True), ("labels", {}))
# Keys of the endpoints the daemon makes for itself on swarm networks: it removes them with the network.
DAEMON_ENDPOINT_KEYS = ("lb-", "ingress-sbox")
# How long to wait for the swarm manager to allocate a new swarm-scoped network.
SWARM_ALLOCATION_SECONDS = 15
COMPARED_OPTIONS = ("driver", "driver_options", "ipam_driver", "ipam_options", "ipam_config",
                    "enable_ipv6", "internal", "attachable", "scope", "labels",
                    "config_only", "config_from", "ingress", "enable_ipv4")
INFO_FILTER_KEYS = ("driver", "id", "label", "name", "scope", "type", "dangling")


def network_option_spec():
    """The per-network options, shared by the top level and the items of `networks`."""
    return dict(
        driver=dict(type="str"),
        driver_options=dict(type="dict", aliases=["options"]),
        ipam_driver=dict(type="str"),
        ipam_options=dict(type="dict"),
        ipam_config=dict(type="list", elements="dict", options=dict(
            subnet=dict(type="str", required=True),
            gateway=dict(type="str"),
            ip_range=dict(type="str", aliases=["iprange"]),
            aux_addresses=dict(type="dict"),
        )),
        enable_ipv6=dict(type="bool"),
        internal=dict(type="bool"),
        attachable=dict(type="bool"),
        scope=dict(type="str", choices=["local", "global", "swarm"]),
        labels=dict(type="dict"),
        config_only=dict(type="bool"),
        config_from=dict(type="str"),
        ingress=dict(type="bool"),
        enable_ipv4=dict(type="bool"),
    )


def network_argument_spec():
    spec = dict(
        name=dict(type="str", aliases=["network_name"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        force=dict(type="bool", default=False),
        networks=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True, aliases=["network_name"]),
            state=dict(type="str", choices=["present", "absent"]),
            force=dict(type="bool"),
            **network_option_spec()
        )),
    )
    spec.update(network_option_spec())
    return spec


def stringify_option_value(value):
    """Driver/IPAM option and label values as the CLI sends them: booleans lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "%s" % (value,)


def _stringify_dict(values):
    if values is None:
        return None
    return dict((str(key), stringify_option_value(value)) for key, value in values.items())


def explain_create_error(message, spec):
    """The daemon's create error, with the option to fix when the daemon names only a value."""
    builtin = dict(driver="bridge, overlay, macvlan, ipvlan", ipam_driver="default")
    for option in ("driver", "ipam_driver"):
        value = getattr(spec, option)
        if value and 'plugin "%s" not found' % value in message:
            return ("%s%s: the daemon has no driver or plugin %r (%s); nothing was created. Use a built-in "
                    "one (%s) or install the plugin first." % (spec.field, option, value, message, builtin[option]))
    return message


class NetworkSpec(object):
    """One wanted network, its options in normal form (None = not given, not compared)."""

    def __init__(self, params, defaults=None, field=""):
        defaults = defaults or {}
        self.field = field
        self.name = params["name"]
        self.state = params.get("state") or defaults.get("state") or "present"
        force = params.get("force")
        self.force = bool(defaults.get("force") if force is None else force)
        self.driver = params.get("driver")
        self.driver_options = _stringify_dict(params.get("driver_options"))
        self.ipam_driver = params.get("ipam_driver")
        self.ipam_options = _stringify_dict(params.get("ipam_options"))
        config = params.get("ipam_config")
        self.raw_ipam_config = config
        self.ipam_config = None if config is None else [normalise_ipam_entry(entry) for entry in config]
        self.enable_ipv6 = params.get("enable_ipv6")
        self.internal = params.get("internal")
        self.attachable = params.get("attachable")
        self.scope = params.get("scope")
        self.labels = _stringify_dict(params.get("labels"))
        self.config_only = params.get("config_only")
        self.config_from = params.get("config_from")
        self.ingress = params.get("ingress")
        self.enable_ipv4 = params.get("enable_ipv4")
        self.raw_dicts = dict((option, params.get(option)) for option in ("driver_options", "ipam_options", "labels"))

    def given(self):
        return [option for option in COMPARED_OPTIONS if getattr(self, option) is not None]

    def validate(self, api_version=None):
        """Every mistake of this spec as messages; nothing here talks to the daemon."""
        errors = []
        prefix = self.field
        if not self.name or not self.name.strip():
            errors.append("%sname is empty: give the network a name." % prefix)
        if self.state == "absent":
            return errors
        if self.name and self.name.strip() and not NETWORK_NAME.match(self.name):
            errors.append("%sname %s is not a network name Docker serves well: use letters, digits, '_', '.' and '-',"
                          " starting with a letter or digit." % (prefix, self.name))
        for option, values in sorted(self.raw_dicts.items()):
            for key, value in sorted((values or {}).items()):
                # The daemon takes strings only; a nested value would be sent as Python's repr.
                if isinstance(value, (dict, list)) or value is None:
                    errors.append("%s%s.%s is a %s: give a string, number or boolean (quote it to keep it literal)."
                                  % (prefix, option, key, type(value).__name__))
        errors.extend(self._check_config_network_options())
        if self.raw_ipam_config:
            errors.extend(check_ipam_config(self.raw_ipam_config, self.enable_ipv6, field=prefix + "ipam_config"))
        if api_version:
            for option, needed in sorted(OPTION_MIN_API.items()):
                if getattr(self, option) is not None and version_tuple(api_version) < version_tuple(needed):
                    errors.append("%s%s needs Docker API %s but the daemon is spoken to with API %s: "
                                  "upgrade the engine or set api_version: auto, or drop %s."
                                  % (prefix, option, needed, api_version, option))
        return errors

    def _check_config_network_options(self):
        """config_only, config_from, ingress and enable_ipv4 against the other options of this spec."""
        errors = []
        prefix = self.field
        if self.config_only:
            if self.driver not in (None, CONFIG_ONLY_DRIVER):
                errors.append("%sdriver %s with config_only: a config-only network has no driver (the daemon records "
                              "%s); drop driver here and give it to the network made with config_from."
                              % (prefix, self.driver, CONFIG_ONLY_DRIVER))
            operator = [option for option in ("ingress", "internal", "attachable") if getattr(self, option)]
            operator += ["scope"] if self.scope else []
            if operator:
                errors.append("%s%s with config_only: a config-only network holds only the network's own settings "
                              "(subnets, driver options); set %s on the network made with config_from."
                              % (prefix, ", ".join(operator), ", ".join(operator)))
            if self.config_from is not None:
                errors.append("%sconfig_from with config_only: a config-only network cannot take its settings from "
                              "another one; drop one of them." % prefix)
        if self.config_from is not None:
            if not self.config_from.strip():
                errors.append("%sconfig_from is empty: give the name of a config-only network." % prefix)
            taken = [option for option, default in CONFIG_FROM_TAKES if getattr(self, option) not in (None, default)]
            if taken:
                errors.append("%s%s with config_from: the network takes these from config-only network %s; set them "
                              "there, or drop config_from." % (prefix, ", ".join(taken), self.config_from))
        if self.ingress and self.driver not in (None, "overlay"):
            errors.append("%singress with driver %s: swarm's ingress network is an overlay; use driver: overlay."
                          % (prefix, self.driver))
        if self.enable_ipv4 is False and self.config_from is None:
            if self.enable_ipv6 is not True:
                errors.append("%senable_ipv4: false needs enable_ipv6: true: a network needs at least one "
                              "address family." % prefix)
            ipv4 = [subnet for subnet in self.subnets() if subnet and ":" not in subnet]
            if ipv4:
                errors.append("%sipam_config has IPv4 subnet %s but enable_ipv4 is false: drop the subnet or "
                              "enable_ipv4." % (prefix, ", ".join(ipv4)))
        return errors

    def subnets(self):
        return [entry["subnet"] for entry in self.ipam_config or []]

    def create_body(self):
        ipam_config = []
        for entry in self.ipam_config or []:
            item = {"Subnet": entry["subnet"]}
            if entry["gateway"]:
                item["Gateway"] = entry["gateway"]
            if entry["ip_range"]:
                item["IPRange"] = entry["ip_range"]
            if entry["aux_addresses"]:
                item["AuxiliaryAddresses"] = entry["aux_addresses"]
            ipam_config.append(item)
        body = {
            "Name": self.name,
            "CheckDuplicate": True,
            "Driver": self.driver or "bridge",
            "Options": self.driver_options or {},
            "IPAM": {"Driver": self.ipam_driver or "default", "Options": self.ipam_options or {},
                     "Config": ipam_config},
            "EnableIPv6": bool(self.enable_ipv6),
            "Internal": bool(self.internal),
            "Attachable": bool(self.attachable),
            "Labels": self.labels or {},
        }
        if self.scope:
            body["Scope"] = self.scope
        # Sent only when given: older daemons and API versions know none of them.
        if self.config_only is not None:
            body["ConfigOnly"] = self.config_only
        if self.config_from:
            body["ConfigFrom"] = {"Network": self.config_from}
        if self.ingress is not None:
            body["Ingress"] = self.ingress
        if self.enable_ipv4 is not None:
            body["EnableIPv4"] = self.enable_ipv4
        return body

    def filled_from(self, network):
        """A copy of this spec with every option not given taken from `network`, so that a
        recreated network keeps what the task does not mention (its subnets, for example)."""
        actual = actual_properties(network)
        actual["driver_options"] = dict((key, value) for key, value in actual["driver_options"].items()
                                        if key not in DAEMON_DRIVER_OPTIONS)
        filled = copy.copy(self)
        for option in COMPARED_OPTIONS:
            if getattr(self, option) is None:
                setattr(filled, option, actual[option])
        # What inspect shows of these comes from elsewhere, and the daemon refuses it when sent back.
        if filled.config_from:
            for option, _default in CONFIG_FROM_TAKES:
                setattr(filled, option, None)
        if filled.config_only:
            filled.driver = filled.scope = None
        return filled

    def would_be(self):
        """The network as `docker network inspect` would show it after creation (check mode)."""
        body = self.create_body()
        return {
            "Name": self.name, "Id": None, "Scope": self.scope or "local",
            "Driver": CONFIG_ONLY_DRIVER if self.config_only else body["Driver"],
            "ConfigOnly": bool(self.config_only), "ConfigFrom": {"Network": self.config_from or ""},
            "Ingress": bool(self.ingress), "EnableIPv4": self.enable_ipv4 is not False,
            "EnableIPv6": body["EnableIPv6"], "IPAM": body["IPAM"], "Internal": body["Internal"],
            "Attachable": body["Attachable"], "Containers": {}, "Options": body["Options"],
            "Labels": body["Labels"],
        }


def actual_properties(network):
    """The comparable properties of an inspect result, in the spec's normal form."""
    ipam = network.get("IPAM") or {}
    return dict(
        driver=network.get("Driver"),
        driver_options=dict(network.get("Options") or {}),
        ipam_driver=ipam.get("Driver") or "default",
        ipam_options=dict(ipam.get("Options") or {}),
        ipam_config=[normalise_daemon_ipam_entry(entry) for entry in ipam.get("Config") or []],
        enable_ipv6=bool(network.get("EnableIPv6")),
        internal=bool(network.get("Internal")),
        attachable=bool(network.get("Attachable")),
        scope=network.get("Scope"),
        labels=dict(network.get("Labels") or {}),
        config_only=bool(network.get("ConfigOnly")),
        # Docker 29 reports {"Network": ""} for a network made without config_from.
        config_from=(network.get("ConfigFrom") or {}).get("Network") or None,
        ingress=bool(network.get("Ingress")),
        # Below API 1.48 inspect has no EnableIPv4: every network there has IPv4.
        enable_ipv4=network.get("EnableIPv4") is not False,
    )


def _given_ipam_entry(entry):
    """A wanted ipam_config item with only the keys the user gave (what is compared)."""
    return dict((key, value) for key, value in entry.items() if value is not None)


def has_different_config(spec, network):
    """Compare the options `spec` gives with an inspect result; returns a DifferenceTracker."""
    actual = actual_properties(network)
    differences = DifferenceTracker()
    for option in ("driver", "ipam_driver", "enable_ipv6", "internal", "attachable", "scope", "labels",
                   "ipam_options", "config_only", "config_from", "ingress", "enable_ipv4"):
        wanted = getattr(spec, option)
        if wanted is not None and wanted != actual[option]:
            differences.add(option, wanted, actual[option])
    if spec.driver_options is not None:
        # Keys the daemon adds itself are no difference unless the user names them.
        present = dict((key, value) for key, value in actual["driver_options"].items()
                       if key not in DAEMON_DRIVER_OPTIONS or key in spec.driver_options)
        if present != spec.driver_options:
            differences.add("driver_options", spec.driver_options, present)
    if spec.ipam_config is not None:
        wanted = [_given_ipam_entry(entry) for entry in spec.ipam_config]
        # The daemon allocates a pool of a family the task gives no subnet of (an IPv4 pool
        # beside IPv6-only subnets): that is the daemon's doing, not a difference.
        families = set(_family(item["subnet"]) for item in wanted)
        present = [entry for entry in actual["ipam_config"] if _family(entry["subnet"]) in families]
        if not _ipam_config_matches(wanted, present):
            shown = [dict((key, entry.get(key)) for key in item if entry.get(key) is not None)
                     for item, entry in zip(wanted, _pair_by_subnet(wanted, present))]
            extra = [dict((key, value) for key, value in entry.items() if value)
                     for entry in present if entry["subnet"] not in [item["subnet"] for item in wanted]]
            differences.add("ipam_config", wanted, [item for item in shown if item] + extra)
    return differences


def _family(cidr):
    return 6 if ":" in (cidr or "") else 4


def _pair_by_subnet(wanted, actual):
    by_subnet = dict((entry["subnet"], entry) for entry in actual)
    return [by_subnet.get(item["subnet"], {}) for item in wanted]


def _ipam_config_matches(wanted, actual):
    if sorted(item["subnet"] for item in wanted) != sorted(entry["subnet"] for entry in actual):
        return False
    for item, entry in zip(wanted, _pair_by_subnet(wanted, actual)):
        for key, value in item.items():
            if entry.get(key) != value:
                return False
    return True


def spec_properties(spec):
    """The properties a spec sets, for the `after` side of a diff of a new network."""
    body = spec.create_body()
    return dict(
        driver=CONFIG_ONLY_DRIVER if spec.config_only else body["Driver"], driver_options=body["Options"],
        ipam_driver=body["IPAM"]["Driver"],
        ipam_options=body["IPAM"]["Options"],
        ipam_config=[_given_ipam_entry(entry) for entry in spec.ipam_config or []],
        enable_ipv6=body["EnableIPv6"], internal=body["Internal"], attachable=body["Attachable"],
        scope=spec.scope or "local", labels=body["Labels"], config_only=bool(spec.config_only),
        config_from=spec.config_from, ingress=bool(spec.ingress), enable_ipv4=spec.enable_ipv4 is not False,
    )


def endpoint_summary(network):
    """`name (host)` of each endpoint the daemon reports on a network, local or remote."""
    endpoints = []
    local = set()
    for key, container in sorted((network.get("Containers") or {}).items()):
        if key.startswith(DAEMON_ENDPOINT_KEYS):
            continue  # the daemon's own load-balancer or ingress-sandbox endpoint
        name = container.get("Name") or key[:12]
        host = "remote" if key.startswith("ep-") else "this host"
        endpoints.append("%s (%s)" % (name, host))
        local.add(container.get("EndpointID"))
    # A swarm network inspected verbosely lists every node's endpoints by service.
    for service, details in sorted((network.get("Services") or {}).items()):
        for task in details.get("Tasks") or []:
            if task.get("EndpointID") in local:
                continue
            host = (task.get("Info") or {}).get("Host IP") or "unknown host"
            endpoints.append("%s (%s)" % (task.get("Name") or service, host))
    return endpoints


def config_from_errors(specs, existing):
    """config_from must name a config-only network of this engine, or one made earlier in this task."""
    errors = []
    made = []
    for spec in specs:
        if spec.state == "present" and spec.config_only:
            made.append(spec.name)
        if spec.state != "present" or not spec.config_from:
            continue
        if spec.config_from in made:
            continue
        matches = [network for network in existing if spec.config_from in (network.get("Name"), network.get("Id"))]
        if not matches:
            errors.append("%sconfig_from %s: no network of that name on this engine; create it first with "
                          "config_only: true (earlier in the same task will do)." % (spec.field, spec.config_from))
        elif not matches[0].get("ConfigOnly"):
            errors.append("%sconfig_from %s: that network is not config-only (driver %s); name a network created "
                          "with config_only: true." % (spec.field, spec.config_from, matches[0].get("Driver")))
    return errors


def ingress_errors(specs, existing):
    """A swarm has one ingress network: another one is refused before the daemon's 409."""
    errors = []
    removed = set(spec.name for spec in specs if spec.state == "absent")
    for spec in specs:
        if spec.state != "present" or not spec.ingress:
            continue
        others = [network["Name"] for network in existing
                  if network.get("Ingress") and network.get("Name") not in removed | set([spec.name])]
        if others:
            errors.append("%singress: network %s is this swarm's ingress network already and a swarm has only one; "
                          "remove it first (state: absent, no services may use it), in this task or before."
                          % (spec.field, others[0]))
    return errors


class NetworkManager(object):
    """Plans every spec of a task, then applies the plans; check mode skips only the calls."""

    def __init__(self, module, client, specs):
        self.module = module
        self.client = client
        self.specs = specs
        self.check_mode = module.check_mode
        self.actions = []

    # -- planning ---------------------------------------------------------------------------

    def plan(self):
        errors = []
        for spec in self.specs:
            errors.extend(spec.validate())
        names = [spec.name for spec in self.specs]
        for name in sorted(set(name for name in names if names.count(name) > 1)):
            errors.append("networks: %s is given %d times: give each network once." % (name, names.count(name)))
        if errors:
            return None, errors
        api_version = self.client.api_version
        for spec in self.specs:
            errors.extend(spec.validate(api_version))
        if errors:
            return None, errors
        existing = self.client.get("/networks") or []
        errors.extend(config_from_errors(self.specs, existing))
        errors.extend(ingress_errors(self.specs, existing))
        plans = [self._plan_one(spec, existing, errors) for spec in self.specs]
        self._check_overlaps(plans, existing, errors)
        return plans, errors

    def _plan_one(self, spec, existing, errors):
        plan = dict(spec=spec, action="none", network=None, differences=DifferenceTracker())
        matches = [network for network in existing if network.get("Name") == spec.name]
        if len(matches) > 1:
            errors.append("%sname %s matches %d networks (%s): remove the extra ones with "
                          "`docker network rm ID` or give a unique name."
                          % (spec.field, spec.name, len(matches), ", ".join(
                              "%s driver %s scope %s" % (net["Id"][:12], net.get("Driver"), net.get("Scope"))
                              for net in matches)))
            return plan
        if not matches:
            plan["action"] = "create" if spec.state == "present" else "none"
            return plan
        # verbose: a swarm network then lists the tasks of every node, not only this one's.
        verbose = {"verbose": True} if matches[0].get("Scope") == "swarm" else None
        network = self.client.get("/networks/%s" % quote_path(matches[0]["Id"]), params=verbose)
        plan["network"] = network
        predefined = spec.name in PREDEFINED_NETWORKS
        if spec.state == "absent":
            if predefined:
                errors.append("%sname %s is a network Docker predefines; it cannot be removed: "
                              "drop it from the task." % (spec.field, spec.name))
                return plan
            endpoints = endpoint_summary(network)
            if endpoints and not spec.force:
                errors.append("%snetwork %s has endpoints: %s. Set force: true to disconnect them and "
                              "remove the network." % (spec.field, spec.name, ", ".join(endpoints)))
                return plan
            plan["action"] = "remove"
            return plan
        differences = has_different_config(spec, network)
        plan["differences"] = differences
        if differences.empty:
            return plan
        if predefined:
            errors.append("%snetwork %s is predefined by Docker and is never recreated, but differs: %s. "
                          "Drop those options or use a network of your own."
                          % (spec.field, spec.name, differences.describe()))
        elif not spec.force:
            errors.append("%snetwork %s differs from the task and Docker cannot change a network in place: "
                          "%s. Set force: true to recreate it (attached containers of this host are "
                          "reconnected)." % (spec.field, spec.name, differences.describe()))
        else:
            plan["action"] = "recreate"
        return plan

    def _check_overlaps(self, plans, existing, errors):
        planned = []
        removed = set(plan["spec"].name for plan in plans if plan["action"] == "remove")
        # A config-only network holds no address pool: its subnets are held by the network made from it.
        config_subnets = dict((network.get("Name"), [entry.get("Subnet") for entry in
                                                     (network.get("IPAM") or {}).get("Config") or []])
                              for network in existing if network.get("ConfigOnly"))
        config_subnets.update((plan["spec"].name, plan["spec"].subnets()) for plan in plans
                              if plan["spec"].config_only and plan["action"] in ("create", "recreate"))
        holders = [network for network in existing if not network.get("ConfigOnly")]
        for plan in plans:
            spec = plan["spec"]
            if plan["action"] not in ("create", "recreate") or spec.config_only:
                continue
            subnets = (config_subnets.get(spec.config_from) or []) if spec.config_from else spec.subnets()
            if not subnets:
                continue
            field = spec.field + ("config_from" if spec.config_from else "ipam_config")
            others = [network for network in holders if network.get("Name") not in removed | set([spec.name])]
            errors.extend(find_subnet_overlaps(subnets, others, field=field))
            for earlier, earlier_subnets in planned:
                for subnet in subnets:
                    for other in earlier_subnets:
                        if cidrs_overlap(subnet, other):
                            errors.append("%s subnet %s overlaps subnet %s of network %s in this task: "
                                          "choose a free range." % (field, subnet, other, earlier.name))
            planned.append((spec, subnets))

    # -- applying ---------------------------------------------------------------------------

    def apply(self, plan):
        spec = plan["spec"]
        action = plan["action"]
        network = plan["network"]
        result = dict(name=spec.name, changed=action != "none", actions=[])
        if action == "none":
            result["network"] = network or {}
            given = {}
            if network:
                properties = spec_properties(spec)
                given = dict((option, properties[option]) for option in spec.given())
            result["diff"] = dict(before=given, after=given)
        elif action == "create":
            result["diff"] = dict(before={}, after=spec_properties(spec))
            result["network"] = self._create(spec, result["actions"])
        elif action == "remove":
            result["diff"] = dict(before=actual_properties(network), after={})
            self._remove(network, spec, result["actions"])
            result["network"] = {}
        else:
            differences = plan["differences"]
            result["diff"] = dict(before=differences.before(), after=differences.after())
            result["network"] = self._recreate(network, spec, result["actions"])
        return result

    def _act(self, actions, text):
        actions.append(text)
        self.actions.append(text)

    def _create(self, spec, actions):
        self._act(actions, "create network %s" % spec.name)
        if self.check_mode:
            return spec.would_be()
        try:
            created = self.client.post("/networks/create", body=spec.create_body())
        except DockerError as exc:
            if "Pool overlaps" in exc.message:
                raise DockerError(self._explain_hidden_pool(spec, exc.message))
            raise DockerError(explain_create_error(exc.message, spec))
        if created.get("Warning"):
            self.module.warn("Docker: %s" % created["Warning"])
        return self._inspect_allocated(created["Id"])

    def _explain_hidden_pool(self, spec, message):
        """The daemon refused a subnet that no listed network holds (the plan checked those): its
        address pool is still held for a network that is gone, which containers keep attached to
        (a cluster store that lost its data drops the networks of running containers)."""
        network_ids = set(network["Id"] for network in self.client.get("/networks") or [])
        stale = []
        for container in self.client.get("/containers/json", params={"all": 1}) or []:
            attached = (container.get("NetworkSettings") or {}).get("Networks") or {}
            for name, settings in sorted(attached.items()):
                if settings.get("NetworkID") and settings["NetworkID"] not in network_ids:
                    stale.append("%s (network %s, ID %s)" % (container["Names"][0].lstrip("/"), name,
                                                             settings["NetworkID"][:12]))
        holders = ("Containers attached to a network that no longer exists hold it: %s. " % ", ".join(stale)
                   if stale else "")
        return ("%sipam_config: the daemon still holds an address pool overlapping %s (%s), but no network on "
                "this engine has such a subnet. %sNothing was created. Restart the engine of every docker host "
                "whose containers used the old network (the restart releases its pool), run again, then connect "
                "those containers to the new network." % (spec.field, ", ".join(spec.subnets()), message, holders))

    def _inspect_allocated(self, network_id):
        """Inspect a new network; a swarm network shows no driver and IPAM until the manager
        has allocated it (asynchronously), so wait a little for that."""
        deadline = time.time() + min(self.client.timeout, SWARM_ALLOCATION_SECONDS)
        while True:
            network = self.client.get("/networks/%s" % quote_path(network_id))
            if network.get("Driver") or time.time() > deadline:
                return network
            time.sleep(0.2)

    def _disconnect_all(self, network, actions):
        """Disconnect this host's containers; returns how to reconnect each of them."""
        attached = []
        for key, container in sorted((network.get("Containers") or {}).items()):
            if key.startswith(("ep-",) + DAEMON_ENDPOINT_KEYS):
                continue  # another host's endpoint, or the daemon's own (load balancer, ingress sandbox)
            name = container.get("Name") or key[:12]
            settings = {}
            try:
                details = self.client.get("/containers/%s/json" % quote_path(key))
                settings = ((details.get("NetworkSettings") or {}).get("Networks") or {}).get(network["Name"]) or {}
            except NotFound:
                pass
            attached.append((key, name, reconnect_config(key, settings)))
            self._act(actions, "disconnect container %s from network %s" % (name, network["Name"]))
            if not self.check_mode:
                self.client.post("/networks/%s/disconnect" % quote_path(network["Id"]),
                                 body={"Container": key, "Force": True})
        return attached

    def _remove(self, network, spec, actions):
        attached = self._disconnect_all(network, actions) if spec.force else []
        self._act(actions, "remove network %s" % spec.name)
        if not self.check_mode:
            self.client.delete("/networks/%s" % quote_path(network["Id"]))
        return attached

    def _recreate(self, network, spec, actions):
        attached = self._remove(network, spec, actions)
        spec = spec.filled_from(network)
        created = self._create(spec, actions)
        failures = []
        for key, name, config in attached:
            self._act(actions, "reconnect container %s to network %s%s" % (name, spec.name, _describe_config(config)))
            if self.check_mode:
                continue
            try:
                self.client.post("/networks/%s/connect" % quote_path(created["Id"]),
                                 body={"Container": key, "EndpointConfig": config})
            except DockerError as exc:
                failures.append("%s: %s" % (name, exc.message))
        if failures:
            raise DockerError("Network %s was recreated but these containers could not be reconnected: %s. "
                              "Reconnect them with docker network connect once the cause is fixed."
                              % (spec.name, "; ".join(failures)))
        if attached and not self.check_mode:
            created = self._inspect_allocated(created["Id"])
        return created


def reconnect_config(container_id, settings):
    """The EndpointConfig that reconnects a container as it was: aliases, addresses, links."""
    config = {}
    # Docker adds the short container ID as an alias by itself; giving it again is noise.
    aliases = [alias for alias in settings.get("Aliases") or [] if not container_id.startswith(alias)]
    if aliases:
        config["Aliases"] = aliases
    ipam = dict((key, value) for key, value in (settings.get("IPAMConfig") or {}).items() if value)
    if ipam:
        config["IPAMConfig"] = ipam
    if settings.get("Links"):
        config["Links"] = settings["Links"]
    return config


def _describe_config(config):
    parts = []
    if config.get("IPAMConfig"):
        parts.append("addresses %s" % ", ".join(str(value) for _key, value in sorted(config["IPAMConfig"].items())))
    if config.get("Aliases"):
        parts.append("aliases %s" % ", ".join(config["Aliases"]))
    if config.get("Links"):
        parts.append("links %s" % ", ".join(config["Links"]))
    return " (%s)" % "; ".join(parts) if parts else ""


def specs_from_params(params):
    """The NetworkSpecs of a task: the top-level one, or one per `networks` item.

    Raises ValueError when per-network options are given beside `networks`."""
    if params.get("networks") is None:
        return [NetworkSpec(params)]
    misplaced = sorted(option for option in network_option_spec() if params.get(option) is not None)
    if misplaced:
        raise ValueError("%s given beside networks: set them in each item of networks instead."
                         % ", ".join(misplaced))
    defaults = dict(state=params.get("state"), force=params.get("force"))
    return [NetworkSpec(item, defaults=defaults, field="networks[%d]." % index)
            for index, item in enumerate(params["networks"])]


def run_network_module(module):
    """Entry point of docker_cnm_network."""
    try:
        specs = specs_from_params(module.params)
    except ValueError as exc:
        module.fail_json(msg="Nothing was changed. %s" % exc)
    client = client_for_module(module)
    manager = NetworkManager(module, client, specs)
    try:
        plans, errors = manager.plan()
        if errors:
            module.fail_json(msg="Nothing was changed. " + " ".join(errors), errors=errors, actions=[])
        results = [manager.apply(plan) for plan in plans]
    except DockerError as exc:
        module.fail_json(msg=exc.message, actions=manager.actions)
    except Exception as exc:  # pylint: disable=broad-except
        module.fail_json(msg="Unexpected error (%s: %s); actions done so far: %s"
                         % (type(exc).__name__, exc, manager.actions or "none"),
                         exception=traceback.format_exc(), actions=manager.actions)
    finally:
        client.close()
    changed = any(result["changed"] for result in results)
    if module.params.get("networks") is None:
        result = results[0]
        output = dict(changed=changed, network=result["network"], actions=result["actions"])
        if module._diff:
            output["diff"] = result["diff"]
    else:
        output = dict(changed=changed, actions=manager.actions,
                      networks=[dict(name=r["name"], changed=r["changed"], actions=r["actions"],
                                     network=r["network"]) for r in results])
        if module._diff:
            output["diff"] = dict(before=dict((r["name"], r["diff"]["before"]) for r in results),
                                  after=dict((r["name"], r["diff"]["after"]) for r in results))
    module.exit_json(**output)


# -- docker_cnm_network_info ---------------------------------------------------------------

def info_filters(filters):
    """`docker network ls -f` filters for the API, or raise ValueError naming the bad key."""
    result = {}
    for key, value in (filters or {}).items():
        if key not in INFO_FILTER_KEYS:
            raise ValueError("filters.%s is not a filter of docker network ls: use one of %s."
                             % (key, ", ".join(INFO_FILTER_KEYS)))
        if isinstance(value, dict):
            values = ["%s=%s" % (k, v) if v is not None else k for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            values = [stringify_option_value(item) for item in value]
        else:
            values = [stringify_option_value(value)]
        result[key] = values
    return result


def select_networks(networks, names):
    """For each of `names`, the networks with that name or ID, else whose ID starts with it
    (the order `docker network inspect` resolves a name in)."""
    selected = []
    for name in names:
        matches = [net for net in networks if name in (net.get("Name"), net.get("Id"))] \
            or [net for net in networks if net.get("Id", "").startswith(name)]
        selected.extend(net for net in matches if net not in selected)
    return selected


def network_info(client, names=None, filters=None):
    """(networks, exists): full inspect results of the networks matched; `exists` is true
    when every name matched a network (without names: when any network matched)."""
    params = {"filters": info_filters(filters)} if filters else None
    listed = client.get("/networks", params=params) or []
    if names:
        exists = all(select_networks(listed, [name]) for name in names)
        listed = select_networks(listed, names)
    else:
        exists = bool(listed)
    networks = []
    for network in listed:
        try:
            networks.append(client.get("/networks/%s" % quote_path(network["Id"])))
        except NotFound:
            exists = False  # removed between the list and the inspect
    return networks, exists


def run_network_info_module(module):
    """Entry point of docker_cnm_network_info."""
    names = module.params.get("name") or []
    try:
        info_filters(module.params.get("filters"))
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    query = module.params.get("query")
    search = None
    if query:
        try:
            import jmespath  # pylint: disable=import-outside-toplevel
        except ImportError:
            module.fail_json(msg="query needs the Python library jmespath on the managed host "
                                 "(install python3-jmespath), or drop query and use json_query on the controller.")
        try:
            search = jmespath.compile(query).search
        except Exception as exc:  # pylint: disable=broad-except
            module.fail_json(msg="query %r is not a valid JMESPath expression: %s" % (query, exc))
    client = client_for_module(module)
    try:
        networks, exists = network_info(client, names, module.params.get("filters"))
    except DockerError as exc:
        module.fail_json(msg=exc.message)
    finally:
        client.close()
    output = dict(changed=False, networks=networks, exists=exists)
    if search is not None:
        output["query_result"] = search(networks)
    module.exit_json(**output)
