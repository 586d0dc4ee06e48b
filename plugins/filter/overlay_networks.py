# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the overlay_networks role: whether its network specs are good (before any change), the specs as
cnm.overlay.docker_cnm_network gets them, which networks a forced plan makes anew, and whose containers are on them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cnm.overlay.plugins.module_utils._ipam import cidrs_overlap
from ansible_collections.cnm.overlay.plugins.module_utils._network import NetworkSpec, network_option_spec

SPECS = "overlay_networks_specs"
RECREATE = "overlay_networks_recreate"
# The label overlay_check puts on its sandboxes: the network they check.
CHECK_LABEL = "cnm.overlay.check.network"
# Drivers and scopes whose networks live on one host only: no other docker host would ever see them.
ONE_HOST_DRIVERS = ("bridge", "host", "null")
MTU_OPTION = "com.docker.network.driver.mtu"


def _item_spec():
    """One network of docker_cnm_network's `networks`, without state and force (the role decides those)."""
    spec = dict(name=dict(type="str", aliases=["network_name"]))
    spec.update(network_option_spec())
    return spec


def _known_keys(spec):
    keys = set(spec)
    for option in spec.values():
        keys.update(option.get("aliases") or [])
    return keys


def _name(item):
    name = item.get("name", item.get("network_name"))
    return name if isinstance(name, str) else None


def _unknown_key_problem(field, key, known):
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return ("%s.%s is not an option of cnm.overlay.docker_cnm_network: %sremove it (the options: %s)."
            % (field, key, ("did you mean %s? Else " % close[0]) if close else "", ", ".join(sorted(known))))


def _item_problems(item, field, recreate):
    """Every mistake of one spec; nothing here talks to a daemon."""
    if not isinstance(item, dict):
        return ["%s must be a network spec (a dict with name and cnm.overlay.docker_cnm_network's options); it is %r."
                % (field, item)]
    problems = []
    if "force" in item:
        problems.append("%s.force: the role makes a network that differs from its spec anew only when %s is true; "
                        "remove force." % (field, recreate))
    if "state" in item:
        problems.append("%s.state: the role only makes networks; remove state (remove a network with "
                        "cnm.overlay.docker_cnm_network and state: absent)." % field)
    spec = _item_spec()
    known = _known_keys(spec)
    problems.extend(_unknown_key_problem(field, key, known)
                    for key in sorted(str(key) for key in item if key not in known | set(["force", "state"])))
    given = dict((key, value) for key, value in item.items() if key in known)
    if _name(given) is None or not _name(given).strip():
        problems.append("%s has no name: give the network one (%s.name: multi)." % (field, field))
        return problems
    # Types, choices and ipam_config's own keys as the module checks them.
    validated = ArgumentSpecValidator(spec).validate(given)
    if validated.error_messages:
        problems.extend("%s: %s." % (field, message.rstrip(".")) for message in validated.error_messages)
        return problems
    params = validated.validated_parameters
    network = NetworkSpec(params, field=field + ".")
    problems.extend(network.validate())
    if network.driver in ONE_HOST_DRIVERS or network.scope == "local" or network.config_only:
        problems.append("%s (network %s): %s makes a network of one host; the role makes networks that every docker "
                        "host sees: use driver overlay (the default) or a network plugin of global scope."
                        % (field, network.name, "config_only" if network.config_only else
                           "scope local" if network.scope == "local" else "driver " + network.driver))
    return problems


def overlay_networks_problems(specs, variable=SPECS, recreate=RECREATE):
    """One message per mistake in `specs` (the role's overlay_networks_specs, site.yml's cnm_overlay_networks), each
    naming the field and the fix; empty when every spec is good. `variable` and `recreate` are the names the
    messages use for the list and for the recreate switch."""
    if isinstance(specs, (str, bytes, dict)) or not isinstance(specs, (list, tuple)):
        return ["%s must be a list of network specs (dicts with name and cnm.overlay.docker_cnm_network's options); "
                "it is %r." % (variable, specs)]
    if not specs:
        return ["%s is empty: give at least one network spec, e.g. [{name: multi}]." % variable]
    problems = []
    fields = {}
    subnets = []
    for index, item in enumerate(specs):
        field = "%s[%d]" % (variable, index)
        problems.extend(_item_problems(item, field, recreate))
        name = _name(item) if isinstance(item, dict) else None
        if name:
            fields.setdefault(name, []).append(field)
        if isinstance(item, dict) and isinstance(item.get("ipam_config"), list):
            subnets.extend((field, entry["subnet"]) for entry in item["ipam_config"]
                           if isinstance(entry, dict) and isinstance(entry.get("subnet"), str))
    for name, named in sorted(fields.items()):
        if len(named) > 1:
            problems.append("%s names network %s more than once (%s): give each network one spec."
                            % (variable, name, ", ".join(named)))
    for position, (field, subnet) in enumerate(subnets):
        for other_field, other in subnets[position + 1:]:
            try:
                overlapping = other_field != field and cidrs_overlap(subnet, other)
            except ValueError:
                continue  # a bad subnet is its spec's own problem
            if overlapping:
                problems.append("%s.ipam_config: subnet %s overlaps subnet %s of %s: choose a free range."
                                % (field, subnet, other, other_field))
    return problems


def overlay_networks_module_specs(specs, control_plane, mtu=0):
    """The specs as docker_cnm_network's `networks` takes them, with the role's defaults filled in where a spec
    gives none: driver overlay; in swarm mode, an overlay attachable (standalone containers use it) and of scope
    swarm; the MTU `mtu` (the underlay's, when above 0) as com.docker.network.driver.mtu. Call it on good specs
    (overlay_networks_problems empty)."""
    swarm = control_plane == "swarm"
    mtu = int(mtu or 0)
    completed = []
    for item in specs:
        spec = dict(item)
        spec.setdefault("driver", "overlay")
        if swarm and spec["driver"] == "overlay":
            spec.setdefault("attachable", True)
            spec.setdefault("scope", "swarm")
        options = dict(spec.get("driver_options", spec.pop("options", None)) or {})
        if mtu > 0 and spec["driver"] == "overlay" and MTU_OPTION not in options:
            options[MTU_OPTION] = mtu
        if options:
            spec["driver_options"] = options
        completed.append(spec)
    return completed


def overlay_networks_remade(plan):
    """The names of the networks that the forced plan (docker_cnm_network with networks, force and check mode)
    would remove and make anew: they differ from their specs."""
    return [result["name"] for result in (plan or {}).get("networks") or []
            if "remove network %s" % result["name"] in (result.get("actions") or [])]


def _ps_lines(register):
    """(network, lines) of one host's loop over `docker ps -a --filter network=NAME --format '{{.Names}} {{.Label}}'`."""
    for result in (register or {}).get("results") or []:
        if result.get("skipped"):
            continue
        yield result.get("item"), result.get("stdout_lines") or []


def overlay_networks_users(hosts, registers):
    """Whose containers are on the networks that are made anew.

    hosts: the docker hosts that read them; registers: each host's registered loop (same order), one item per
    network, each line a container's name and its overlay_check label (the network it checks, empty when none).
    Returns own: {host: [names]}, the overlay check's sandboxes of each network (removed before the remake, the check
    makes them again); others: [{network, hosts}], per network the other containers as 'host: name, name'."""
    own = {}
    others = {}
    for host, register in zip(hosts, registers):
        for network, lines in _ps_lines(register):
            for line in lines:
                fields = line.split()
                if not fields:
                    continue
                if len(fields) > 1 and fields[1] == network:
                    own.setdefault(host, []).append(fields[0])
                else:
                    others.setdefault(network, {}).setdefault(host, []).append(fields[0])
    return dict(own=own, others=[dict(network=network, hosts=["%s: %s" % (host, ", ".join(names))
                                                              for host, names in found.items()])
                                 for network, found in others.items()])


class FilterModule(object):
    def filters(self):
        return {
            "overlay_networks_problems": overlay_networks_problems,
            "overlay_networks_module_specs": overlay_networks_module_specs,
            "overlay_networks_remade": overlay_networks_remade,
            "overlay_networks_users": overlay_networks_users,
        }
