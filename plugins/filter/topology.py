# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The picture of the live network, built on the controller from every docker host's
cnm.overlay.docker_cnm_topology_info result.

Hosts are clusters, containers (sandboxes) boxes inside their host, a multi-host network
(scope global or swarm) one node shared by the hosts, a local network a node inside its host;
each endpoint is one edge, labelled with its addresses. Problems are marked on the edges and
listed in the table: a stale endpoint (its container is on no host reached), a network missing
on a host that has containers on it, and one address on two endpoints of a network.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import textwrap

MULTI_HOST_SCOPES = ("global", "swarm")
# Networks without addresses or a sandbox of their own: nothing to draw.
UNDRAWN_DRIVERS = ("host", "null")
# The daemon's own endpoints: swarm's load balancer (lb-<network>) and the ingress sandbox.
DAEMON_ENDPOINT_PREFIXES = ("lb-", "ingress-sbox")
# An endpoint of another host, as a kv-mode engine lists it on an overlay: ep-<endpoint ID>.
REMOTE_ENDPOINT_PREFIX = "ep-"
STALE = "stale"
NETWORK_MISSING = "network missing"
DUPLICATE_ADDRESS = "duplicate address"
TABLE_HEADER = ("network", "host", "container", "address", "problem")


def _bare(address):
    return address.split("/")[0] if address else ""


def _reads(results, hosts):
    """[(host, topology or None, error)] in the order of `hosts` (default: the results' order)."""
    reads = []
    for host in hosts if hosts is not None else list(results):
        result = results.get(host)
        if not isinstance(result, dict):
            reads.append((host, None, "no result (the host was not reached)"))
        elif result.get("unreachable"):
            reads.append((host, None, "unreachable: %s" % (result.get("msg") or "no connection")))
        elif not isinstance(result.get("topology"), dict):
            reads.append((host, None, result.get("msg") or "the module returned no topology"))
        else:
            reads.append((host, result["topology"], None))
    return reads


class _Graph(object):
    """Hosts, containers, networks and endpoints with the problems found, before any drawing."""

    def __init__(self, reads):
        self.hosts = []        # {name, reached, error, engine, containers: [container]}
        self.networks = {}     # key -> {key, name, driver, scope, subnets, host (None: multi-host), missing_on}
        self.endpoints = {}    # (network key, endpoint id) -> endpoint
        self.stale_containers = {}  # name -> box of a container on no host reached
        owners = {}            # (network ID, endpoint ID) -> container box
        for index, (host, topology, error) in enumerate(reads):
            entry = dict(name=host, id="h%d" % index, reached=topology is not None, error=error,
                         engine=(topology or {}).get("engine") or {}, containers=[], network_ids=set())
            self.hosts.append(entry)
            for number, container in enumerate((topology or {}).get("containers") or []):
                box = dict(id="%s_c%d" % (entry["id"], number), name=container.get("name") or container["id"][:12],
                           container_id=container.get("id") or "", host=host, running=container.get("running", True),
                           networks=container.get("networks") or {})
                entry["containers"].append(box)
                for settings in box["networks"].values():
                    if settings.get("endpoint_id"):
                        owners[(settings.get("network_id"), settings["endpoint_id"])] = box
        for entry, (host, topology, _error) in zip(self.hosts, reads):
            if topology is not None:
                self._add_host_networks(entry, topology.get("networks") or [], owners)
        for entry in self.hosts:
            self._add_missing_networks(entry)
        self._mark_duplicate_addresses()
        drawn = set(endpoint["network"]["key"] for endpoint in self.endpoints.values())
        # A local network without endpoints (every host's idle bridge) is left out of the picture.
        self.networks = dict((key, node) for key, node in self.networks.items() if node["host"] is None or key in drawn)
        for number, node in enumerate(sorted(self.networks.values(), key=lambda n: (n["name"], n["host"] or ""))):
            node["id"] = "net%d" % number

    def _network(self, entry, network):
        multi_host = network.get("scope") in MULTI_HOST_SCOPES
        key = "n_%s" % network["id"] if multi_host else "%s_%s" % (entry["name"], network["id"])
        if key not in self.networks:
            self.networks[key] = dict(key=key, name=network.get("name") or network["id"][:12],
                                      driver=network.get("driver") or "", scope=network.get("scope") or "",
                                      subnets=list(network.get("subnets") or []), network_id=network["id"],
                                      host=None if multi_host else entry["name"], missing_on=[])
        return self.networks[key]

    def _add_host_networks(self, entry, networks, owners):
        local_boxes = dict((box["container_id"], box) for box in entry["containers"])
        entry["network_ids"] = set(network.get("id") for network in networks)
        for network in networks:
            if network.get("driver") in UNDRAWN_DRIVERS:
                continue
            node = self._network(entry, network)
            for endpoint in network.get("endpoints") or []:
                key = endpoint.get("key") or ""
                if key.startswith(DAEMON_ENDPOINT_PREFIXES):
                    continue
                endpoint_id = endpoint.get("endpoint_id") or key
                owner = owners.get((network["id"], endpoint_id))
                if owner is None and not key.startswith(REMOTE_ENDPOINT_PREFIX):
                    owner = local_boxes.get(key)  # e.g. docker_gwbridge's gateway endpoint of a container
                known = self.endpoints.get((node["key"], endpoint_id))
                if known is not None and (known["box"] is not None or owner is None):
                    continue
                self.endpoints[(node["key"], endpoint_id)] = dict(
                    network=node, endpoint_id=endpoint_id, box=owner,
                    name=owner["name"] if owner else endpoint.get("name") or endpoint_id[:12],
                    ipv4=endpoint.get("ipv4") or "", ipv6=endpoint.get("ipv6") or "",
                    mac=endpoint.get("mac") or "", seen_from=entry["name"],
                    aliases=list(((owner or {}).get("networks") or {}).get(network.get("name"), {}).get("aliases") or []),
                    problems=[])
        for endpoint in self.endpoints.values():
            if endpoint["box"] is None and not endpoint["problems"]:
                endpoint["problems"].append(STALE)
                endpoint["box"] = self._stale_box(endpoint["name"])

    def _stale_box(self, name):
        if name not in self.stale_containers:
            self.stale_containers[name] = dict(id="stale_c%d" % len(self.stale_containers), name=name,
                                               container_id="", host=None, running=False, networks={})
        return self.stale_containers[name]

    def _add_missing_networks(self, entry):
        """A container's endpoint on a network its host does not list."""
        if not entry["reached"]:
            return
        for box in entry["containers"]:
            for name, settings in sorted(box["networks"].items()):
                network_id = settings.get("network_id") or ""
                if name in ("host", "none") or network_id in entry["network_ids"]:
                    continue
                node = self._missing_node(entry, name, network_id)
                node["missing_on"] = sorted(set(node["missing_on"] + [entry["name"]]))
                endpoint_id = settings.get("endpoint_id") or "%s/%s" % (box["id"], name)
                self.endpoints[(node["key"], endpoint_id)] = dict(
                    network=node, endpoint_id=endpoint_id, box=box, name=box["name"],
                    ipv4=settings.get("ipv4") or "", ipv6=settings.get("ipv6") or "", mac=settings.get("mac") or "",
                    aliases=list(settings.get("aliases") or []), seen_from=entry["name"],
                    problems=["%s on %s" % (NETWORK_MISSING, entry["name"])])

    def _missing_node(self, entry, name, network_id):
        for node in self.networks.values():
            if node["network_id"] == network_id and node["host"] is None:
                return node  # a multi-host network other hosts list
        key = "%s_missing_%s" % (entry["name"], network_id or name)
        return self.networks.setdefault(key, dict(key=key, name=name, driver="", scope="", subnets=[],
                                                  network_id=network_id, host=entry["name"], missing_on=[]))

    def _mark_duplicate_addresses(self):
        holders = {}
        for key, endpoint in sorted(self.endpoints.items()):
            for address in (_bare(endpoint["ipv4"]), _bare(endpoint["ipv6"])):
                if address:
                    holders.setdefault((endpoint["network"]["key"], address), []).append(endpoint)
        for (_network, address), endpoints in sorted(holders.items()):
            if len(endpoints) > 1:
                for endpoint in endpoints:
                    endpoint["problems"].append("%s %s" % (DUPLICATE_ADDRESS, address))

    # -- views ----------------------------------------------------------------------------

    def sorted_endpoints(self):
        return sorted(self.endpoints.values(), key=lambda e: (e["network"]["name"], e["network"]["key"],
                                                              e["box"]["host"] or "~", e["name"], e["endpoint_id"]))

    def rows(self):
        rows = []
        for endpoint in self.sorted_endpoints():
            rows.append(dict(network=endpoint["network"]["name"], host=endpoint["box"]["host"] or "?",
                             container=endpoint["name"],
                             address=", ".join(a for a in (endpoint["ipv4"], endpoint["ipv6"]) if a) or "-",
                             problem="; ".join(p + self._not_read_hint() if p == STALE else p
                                               for p in endpoint["problems"])))
        for entry in self.hosts:
            if not entry["reached"]:
                rows.append(dict(network="-", host=entry["name"], container="-", address="-",
                                 problem="host not read: %s" % entry["error"].split(". ")[0]))
        return rows

    def _not_read_hint(self):
        not_read = [entry["name"] for entry in self.hosts if not entry["reached"]]
        return " (not read: %s)" % ", ".join(not_read) if not_read else ""

    def problems(self):
        found = []
        for endpoint in self.sorted_endpoints():
            for problem in endpoint["problems"]:
                if problem == STALE:
                    found.append("stale endpoint %s on %s (seen from %s): its container is on no host read%s"
                                 % (endpoint["name"], endpoint["network"]["name"], endpoint["seen_from"],
                                    self._not_read_hint()))
                else:
                    found.append("%s: %s of %s on %s" % (
                        problem, endpoint["name"], endpoint["box"]["host"] or "?", endpoint["network"]["name"]))
        for entry in self.hosts:
            if not entry["reached"]:
                found.append("host %s not read: %s" % (entry["name"], entry["error"]))
        return found


def _table(rows):
    lines = [tuple(TABLE_HEADER)] + [tuple(row[column] for column in TABLE_HEADER) for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(TABLE_HEADER))]
    return ["  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip() for line in lines]


# -- DOT -------------------------------------------------------------------------------------

PROBLEM_COLOUR = "#c0392b"


def _dot_quote(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _dot_attributes(**attributes):
    return "[%s]" % ", ".join("%s=%s" % (key, _dot_quote(str(value))) for key, value in sorted(attributes.items()))


def _host_label(entry):
    if not entry["reached"]:
        return "%s\nnot read: %s" % (entry["name"], "\n".join(textwrap.wrap(entry["error"].split(". ")[0], 40)))
    engine = entry["engine"]
    mode = "swarm" if engine.get("swarm_state") == "active" else "kv"
    return "%s\ndocker %s, %s" % (entry["name"], engine.get("version") or "?", mode)


def _network_label(node):
    details = ", ".join(part for part in (node["driver"], node["scope"]) if part)
    lines = [node["name"], details] + node["subnets"]
    if node["missing_on"]:
        lines.append("missing on %s" % ", ".join(node["missing_on"]))
    return "\n".join(line for line in lines if line)


def _box_label(box):
    if box["host"] is None:
        return "%s\n(stale endpoint)" % box["name"]
    return box["name"] if box["running"] else "%s\n(stopped)" % box["name"]


def _edge_label(endpoint):
    lines = [a for a in (endpoint["ipv4"], endpoint["ipv6"]) if a] + [p.upper() for p in endpoint["problems"]]
    return "\n".join(lines)


def _edge_tooltip(endpoint):
    return "endpoint %s mac %s aliases %s" % (endpoint["endpoint_id"][:12], endpoint["mac"] or "-",
                                              ",".join(endpoint["aliases"]) or "-")


def _dot(graph):
    lines = ["graph topology {",
             "  graph %s;" % _dot_attributes(rankdir="LR", fontname="Helvetica", fontsize="12", labelloc="t",
                                             label="cnm.overlay topology", nodesep="0.4", ranksep="1.2"),
             "  node %s;" % _dot_attributes(fontname="Helvetica", fontsize="10"),
             "  edge %s;" % _dot_attributes(fontname="Helvetica", fontsize="9")]
    used_boxes = set(id(e["box"]) for e in graph.endpoints.values())
    for entry in graph.hosts:
        colour = "#4a6fa5" if entry["reached"] else PROBLEM_COLOUR
        lines.append("  subgraph cluster_%s {" % entry["id"])
        style = "rounded" if entry["reached"] else "rounded,dashed"
        lines.append("    graph %s;" % _dot_attributes(label=_host_label(entry), style=style, color=colour))
        for box in entry["containers"]:
            if not box["running"] and id(box) not in used_boxes:
                continue
            lines.append("    %s %s;" % (box["id"], _dot_attributes(
                label=_box_label(box), shape="box", style="rounded,filled" if box["running"] else "rounded,dashed",
                fillcolor="#e8eef7")))
        for node in sorted(graph.networks.values(), key=lambda n: n["name"]):
            if node["host"] == entry["name"]:
                lines.append("    %s %s;" % (node["id"], _network_attributes(node, "#eef7e8")))
        if not entry["reached"] or not entry["containers"]:
            lines.append("    %s_empty %s;" % (entry["id"], _dot_attributes(
                label="no containers" if entry["reached"] else "engine not read", shape="plaintext")))
        lines.append("  }")
    if graph.stale_containers:
        lines.append("  subgraph cluster_stale {")
        lines.append("    graph %s;" % _dot_attributes(
            label="on no host reached", style="rounded,dashed", color=PROBLEM_COLOUR, fontcolor=PROBLEM_COLOUR))
        for box in sorted(graph.stale_containers.values(), key=lambda b: b["id"]):
            lines.append("    %s %s;" % (box["id"], _dot_attributes(
                label=_box_label(box), shape="box", style="rounded,dashed", color=PROBLEM_COLOUR,
                fontcolor=PROBLEM_COLOUR)))
        lines.append("  }")
    for node in sorted(graph.networks.values(), key=lambda n: n["name"]):
        if node["host"] is None:
            lines.append("  %s %s;" % (node["id"], _network_attributes(node, "#fdf1d6")))
    for endpoint in graph.sorted_endpoints():
        attributes = dict(label=_edge_label(endpoint), tooltip=_edge_tooltip(endpoint))
        if endpoint["problems"]:
            attributes.update(color=PROBLEM_COLOUR, fontcolor=PROBLEM_COLOUR, style="dashed", penwidth="2")
        lines.append("  %s -- %s %s;" % (endpoint["box"]["id"], endpoint["network"]["id"],
                                         _dot_attributes(**attributes)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _network_attributes(node, fill):
    attributes = dict(label=_network_label(node), shape="hexagon" if node["host"] is None else "ellipse",
                      style="filled", fillcolor=fill)
    if node["missing_on"]:
        attributes.update(color=PROBLEM_COLOUR, fontcolor=PROBLEM_COLOUR, style="filled,dashed")
    return _dot_attributes(**attributes)


# -- Mermaid ---------------------------------------------------------------------------------

def _mermaid_text(text):
    return '"%s"' % text.replace('"', "#quot;").replace("\n", "<br/>")


def _mermaid(graph):
    lines = ["flowchart LR"]
    problem_nodes = []
    used_boxes = set(id(e["box"]) for e in graph.endpoints.values())
    for entry in graph.hosts:
        lines.append("  subgraph %s[%s]" % (entry["id"], _mermaid_text(_host_label(entry))))
        for box in entry["containers"]:
            if box["running"] or id(box) in used_boxes:
                lines.append("    %s[%s]" % (box["id"], _mermaid_text(_box_label(box))))
        for node in sorted(graph.networks.values(), key=lambda n: n["name"]):
            if node["host"] == entry["name"]:
                lines.append("    %s([%s])" % (node["id"], _mermaid_text(_network_label(node))))
                if node["missing_on"]:
                    problem_nodes.append(node["id"])
        if not entry["reached"]:
            lines.append("    %s_empty[%s]" % (entry["id"], _mermaid_text("engine not read")))
            problem_nodes.append("%s_empty" % entry["id"])
        lines.append("  end")
    if graph.stale_containers:
        lines.append("  subgraph stale[%s]" % _mermaid_text("on no host reached"))
        for box in sorted(graph.stale_containers.values(), key=lambda b: b["id"]):
            lines.append("    %s[%s]" % (box["id"], _mermaid_text(_box_label(box))))
            problem_nodes.append(box["id"])
        lines.append("  end")
    for node in sorted(graph.networks.values(), key=lambda n: n["name"]):
        if node["host"] is None:
            lines.append("  %s{{%s}}" % (node["id"], _mermaid_text(_network_label(node))))
            if node["missing_on"]:
                problem_nodes.append(node["id"])
    problem_edges = []
    for number, endpoint in enumerate(graph.sorted_endpoints()):
        lines.append("  %s ---|%s| %s" % (endpoint["box"]["id"], _mermaid_text(_edge_label(endpoint)),
                                          endpoint["network"]["id"]))
        if endpoint["problems"]:
            problem_edges.append(str(number))
    if problem_nodes:
        lines.append("  classDef problem stroke:%s,stroke-width:2px,stroke-dasharray:4,color:%s"
                     % (PROBLEM_COLOUR, PROBLEM_COLOUR))
        lines.append("  class %s problem" % ",".join(problem_nodes))
    if problem_edges:
        lines.append("  linkStyle %s stroke:%s,stroke-width:2px,stroke-dasharray:4"
                     % (",".join(problem_edges), PROBLEM_COLOUR))
    return "\n".join(lines) + "\n"


# -- the filter ------------------------------------------------------------------------------

def topology_graph(results, hosts=None):
    """Registered docker_cnm_topology_info results per host -> dot, mermaid, rows, table, problems."""
    if not isinstance(results, dict):
        raise TypeError("topology_graph takes a dict of host name to the registered result of "
                        "cnm.overlay.docker_cnm_topology_info; got %s." % type(results).__name__)
    graph = _Graph(_reads(results, hosts))
    rows = graph.rows()
    return dict(dot=_dot(graph), mermaid=_mermaid(graph), rows=rows, table=_table(rows), problems=graph.problems(),
                endpoints=len(graph.endpoints), hosts=[e["name"] for e in graph.hosts],
                hosts_not_read=[e["name"] for e in graph.hosts if not e["reached"]])


class FilterModule(object):
    """cnm.overlay topology picture."""

    def filters(self):
        return {"topology_graph": topology_graph}
