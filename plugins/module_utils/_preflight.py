# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the preflight role (private to this collection).

The role only collects raw facts on the hosts (``ip -j`` output, the engine version, the
store's answers, what the port probes heard); everything that decides OK or FAIL lives
here so it is unit tested: subnet overlap, MTU headroom, engine version against the
control plane, port reachability, and the one table the operator reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import engine_generation

OK = "OK"
FAIL = "FAIL"
SKIP = "SKIP"
# The store check waits: the store does not exist yet and site.yml creates it (checked again after its store play).
PENDING = "PENDING"

# VXLAN adds outer Ethernet (14) + IPv4 (20) + UDP (8) + VXLAN (8) bytes to every frame.
VXLAN_OVERHEAD = 50
# What Docker's overlay driver assumes for the underlay when the network has no MTU option.
DOCKER_DEFAULT_NETWORK_MTU = 1500
# Gossip, and VXLAN on its default port: kv mode's always, swarm mode's unless initialised with another.
DEFAULT_DATA_PATH_PORT = 4789
PORT_CHECKS = ("tcp/7946", "udp/7946", "udp/%d" % DEFAULT_DATA_PATH_PORT)
# What preflight_checks may select; "ports" stands for every port probe.
CHECK_NAMES = ("store", "advertise", "subnets", "vxlan", "mtu", "engine", "ports", "ipsec", "image")
MANAGER_PORT_CHECK = "tcp/2377"

FIXES = {
    "reached": "make the host reachable (SSH, Python) or leave it out of the play; the error is in the play's output above",
    "store": "start the key-value store and check that every docker host reaches its API"
             " (preflight_store_url, default cnm_overlay_kv_url); a Consul or etcd cluster needs"
             " a quorum of servers up to elect a leader",
    "advertise": "set cnm_overlay_advertise_interface (or preflight_advertise) to an interface"
                 " or address that exists on every docker host",
    "subnets": "choose overlay subnets (cnm_overlay_subnet / preflight_subnets) outside every"
               " route and address of the docker hosts, in CIDR notation (10.10.0.0/24)",
    "vxlan": "the kernel needs VXLAN support (CONFIG_VXLAN, `modprobe vxlan`) and the"
             " privilege to create network namespaces",
    "ipsec": "an encrypted overlay needs IPsec ESP with AES-GCM in the kernel (CONFIG_INET_ESP, CONFIG_CRYPTO_GCM,"
             " CONFIG_XFRM_USER); use an unencrypted network or a kernel that has it",
    "mtu": "set the overlay network's MTU option (cnm_overlay_mtu / preflight_network_mtu) to at most"
           " the smallest underlay MTU, or auto; containers then get %d bytes less" % VXLAN_OVERHEAD,
    "engine": "start (or install) the engine where none answers (site.yml does, with"
              " preflight_engine_missing_ok); kv mode needs Docker <= 20.10 (the cluster store was removed"
              " in 23.0) and swarm mode is for >= 23: set cnm_overlay_control_plane to match the engines,"
              " or upgrade/downgrade the engine on the listed hosts",
    "image": "set cnm_overlay_check_image (overlay_check_image for the role) to an image every check host has or"
             " can pull through its engine's registry settings, or load it there first (docker load); the overlay"
             " check runs after the engines restart, so a missing image would fail the run after its changes",
    "tcp/7946": "open TCP 7946 (gossip) between all docker hosts in host and network firewalls",
    "udp/7946": "open UDP 7946 (gossip) between all docker hosts in host and network firewalls",
    "tcp/2377": "open TCP 2377 (swarm management) from every docker host to the managers",
}


# The VXLAN check's fix names its port (swarm mode takes another with cnm_overlay_data_path_port).
DATA_PATH_FIX = "open UDP %d (VXLAN data path) between all docker hosts in host and network firewalls"


def data_path_check(control_plane, data_path_port=DEFAULT_DATA_PATH_PORT):
    """The VXLAN port check, e.g. 'udp/4789': swarm mode's chosen port, kv mode's fixed 4789.

    Raises ValueError for a port that is not a number from 1 to 65535."""
    if control_plane != "swarm":
        return "udp/%d" % DEFAULT_DATA_PATH_PORT
    try:
        port = int(str(data_path_port).strip()) if not isinstance(data_path_port, bool) else None
    except ValueError:
        port = None
    if port is None or not 1 <= port <= 65535:
        raise ValueError("preflight_data_path_port (cnm_overlay_data_path_port) %r is not a UDP port" % (data_path_port,))
    return "udp/%d" % port


def port_checks(control_plane, data_path_port=DEFAULT_DATA_PATH_PORT):
    """Gossip (TCP and UDP 7946) and the VXLAN port of the control plane."""
    return list(PORT_CHECKS[:2]) + [data_path_check(control_plane, data_path_port)]


def _result(status, reason=""):
    return {"status": status, "reason": reason}


def _networks_of(value):
    """A subnet, or a list of them, as a list of strings (empty entries dropped)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def host_networks(addresses, routes):
    """(network, description) pairs a host already uses, from ``ip -j addr`` and ``ip -j route``.

    Default routes are left out (they overlap everything by design); so are link-local,
    loopback and multicast networks, which an overlay subnet can never take over."""
    found = []
    for link in addresses or []:
        for info in link.get("addr_info") or []:
            if info.get("family") not in ("inet", "inet6") or "local" not in info:
                continue
            try:
                network = ipaddress.ip_interface(u"%s/%s" % (info["local"], info.get("prefixlen", ""))).network
            except ValueError:
                continue
            found.append((network, "address %s/%s on %s" % (info["local"], info.get("prefixlen"), link.get("ifname"))))
    for route in routes or []:
        dst = route.get("dst")
        if not dst or dst == "default":
            continue
        try:
            network = ipaddress.ip_network(u"%s" % dst, strict=False)
        except ValueError:
            continue
        where = " dev %s" % route["dev"] if route.get("dev") else ""
        found.append((network, "route %s%s" % (dst, where)))
    return [(network, text) for network, text in found
            if not (network.is_link_local or network.is_loopback or network.is_multicast)]


def subnet_conflicts(requested, addresses, routes):
    """Messages for every requested subnet that overlaps a network of the host.

    A requested value that is not a CIDR is reported too (named), never ignored."""
    problems = []
    used = host_networks(addresses, routes)
    for text in _networks_of(requested):
        try:
            subnet = ipaddress.ip_network(u"%s" % text, strict=False)
        except ValueError:
            problems.append("%s is not a subnet in CIDR notation (e.g. 10.10.0.0/24)" % text)
            continue
        seen = set()
        for network, description in used:
            if network.version == subnet.version and subnet.overlaps(network) and description not in seen:
                seen.add(description)
                problems.append("%s overlaps %s" % (text, description))
    return problems


def mtu_problem(underlay_mtu, overlay_mtu, overhead=VXLAN_OVERHEAD):
    """None when the underlay carries an overlay frame of overlay_mtu, else the reason."""
    try:
        underlay, overlay = int(underlay_mtu), int(overlay_mtu)
    except (TypeError, ValueError):
        return "unknown MTU (underlay %r, overlay %r)" % (underlay_mtu, overlay_mtu)
    if underlay - overhead >= overlay:
        return None
    return "underlay MTU %d leaves %d for the overlay (VXLAN adds %d), below the containers' MTU %d" % (
        underlay, underlay - overhead, overhead, overlay)


def overlay_mtu(network_mtu, underlay_mtus):
    """The containers' MTU on the overlay, from the network's MTU option as Docker reads it.

    Docker's overlay driver takes com.docker.network.driver.mtu as the underlay MTU and
    gives the containers 50 bytes less; 0 (unset) means 1500. ``auto`` stands for the
    smallest underlay MTU of the hosts (what site.yml then sets). Raises ValueError."""
    if str(network_mtu).strip().lower() == "auto":
        known = [int(mtu) for mtu in underlay_mtus if mtu]
        if not known:
            raise ValueError("network MTU is auto but no host's advertise interface MTU is known")
        return min(known) - VXLAN_OVERHEAD
    try:
        value = int(network_mtu or 0)
    except (TypeError, ValueError):
        raise ValueError("preflight_network_mtu %r is not a number or auto" % (network_mtu,))
    return (value or DOCKER_DEFAULT_NETWORK_MTU) - VXLAN_OVERHEAD


def resolve_control_plane(requested, versions):
    """The plane to check for: kv/swarm as asked; auto from the engines (None when they mix)."""
    if requested in ("kv", "swarm"):
        return requested
    generations = set(engine_generation(version) for version in versions.values() if version)
    generations.discard(None)
    return generations.pop() if len(generations) == 1 else None


def engine_problem(version, plane, versions=None, error=None):
    """None when this engine fits the control plane, else the reason."""
    if not version:
        return "no Docker engine answered (is it installed and running?)%s" % (": %s" % error if error else "")
    generation = engine_generation(version)
    if plane == "kv" and generation != "kv":
        return "engine %s has no cluster store (removed in 23.0); kv mode needs <= 20.10, use swarm mode" % version
    if plane == "swarm" and generation != "swarm":
        return "engine %s is older than 23.0; swarm mode here needs >= 23, use kv mode or upgrade" % version
    if plane is None:
        mix = ", ".join("%s %s" % item for item in sorted((versions or {}).items()))
        return "engines mix <= 20.10 and >= 23 (%s); pick one generation or set cnm_overlay_control_plane" % mix
    return None


def store_problem(kind, answers):
    """None when the store answered with a leader, else the reason.

    ``answers`` are ansible.builtin.uri results (status, json/content, msg, url)."""
    if not answers:
        return "no store URL to check (preflight_store_url is empty)"
    problems = []
    for answer in answers:
        url = answer.get("url") or answer.get("item", {}).get("url", "?")
        status = answer.get("status", -1)
        if kind == "etcd" and url.endswith("/v2/keys") and status == 404:
            problems.append("%s: the v2 API is off; libnetwork speaks v2, start etcd with --enable-v2=true" % url)
            continue
        if status != 200:
            problems.append("%s: %s" % (url, answer.get("msg") or "HTTP %s" % status))
            continue
        body = answer.get("json")
        if body is None:
            body = _json_or_text(answer.get("content"))
        if kind == "consul" and url.endswith("/v1/status/leader") and not str(body).strip('"'):
            problems.append("%s: no leader elected" % url)
        if kind == "etcd" and url.endswith("/health") and str(body.get("health") if isinstance(body, dict) else body) != "true":
            problems.append("%s: not healthy (%s)" % (url, body))
    return "; ".join(problems) or None


def store_presence_by_host(results):
    """host -> what it has of the store, from the delegated probe's loop results (unreachable, failed
    or skipped hosts are left out: what they have is not known)."""
    presence = {}
    for result in (results or {}).get("results") or []:
        if result.get("unreachable") or result.get("failed") or not isinstance(result.get("store_presence"), dict):
            continue
        presence[result.get("item")] = result["store_presence"]
    return presence


def store_pending(kind, store_hosts, presence):
    """Why the store check waits for site.yml to create the store, or None when the store should answer now.

    store_hosts: the hosts site.yml deploys the store on (empty for a store it does not deploy);
    presence: host -> {data_dirs, processes} it has of the store. The store is only pending when every one
    of its hosts was read and none holds its data or runs it."""
    if not store_hosts:
        return None
    for host in store_hosts:
        found = presence.get(host)
        if not isinstance(found, dict) or found.get("data_dirs") or found.get("processes"):
            return None
    return "will be created by site.yml: %s has no %s data and runs no %s yet" % (", ".join(store_hosts), kind, kind)


def image_problem(image, check_hosts, host, engine_version, engine_missing_ok):
    """(status, reason) of the overlay check's image on one docker host, from the probe's facts.image."""
    if host not in check_hosts:
        return SKIP, "not an overlay check host"
    if not engine_version:
        if engine_missing_ok:
            return SKIP, "no engine answers yet: the image is looked for when the check runs"
        return SKIP, "no engine answered (see the engine check)"
    image = image or {}
    if image.get("source") in ("local", "registry"):
        return OK, ""
    return FAIL, "check image %s is not on this host and its engine cannot pull it: %s" % (
        image.get("image") or "?", image.get("error") or "no answer")


def _json_or_text(content):
    text = (content or "").strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def store_urls(store_url, scheme="http"):
    """The HTTP URLs that prove a cluster store is up: consul/etcd URL -> [(kind, url)].

    libkv URLs may list several endpoints (etcd://a:2379,b:2379): each one is checked."""
    if "://" not in str(store_url or ""):
        raise ValueError("preflight_store_url %r is not a store URL such as consul://10.0.0.5:8500 or etcd://10.0.0.5:2379"
                         % (store_url,))
    kind, rest = str(store_url).split("://", 1)
    paths = {"consul": ["/v1/status/leader"], "etcd": ["/health", "/v2/keys"]}
    if kind not in paths:
        raise ValueError("preflight_store_url uses %s://; the preflight checks consul:// and etcd:// stores" % kind)
    urls = []
    for endpoint in rest.split("/", 1)[0].split(","):
        for path in paths[kind]:
            urls.append({"kind": kind, "url": "%s://%s%s" % (scheme, endpoint, path)})
    return urls


def advertise_address(addresses, advertise):
    """Resolve the advertise interface or address on a host.

    Returns {address, interface, mtu, problem}: problem is None when it belongs to the host."""
    links = addresses or []
    value = str(advertise or "").strip()
    if ":" in value and value.count(":") == 1:  # "eth0:2376" as dockerd's cluster-advertise takes it
        value = value.split(":", 1)[0]
    for link in links:
        inet = [info for info in link.get("addr_info") or [] if info.get("family") == "inet"]
        if link.get("ifname") == value:
            if not inet:
                return {"address": None, "interface": value, "mtu": link.get("mtu"),
                        "problem": "interface %s has no IPv4 address" % value}
            return {"address": inet[0]["local"], "interface": value, "mtu": link.get("mtu"), "problem": None}
        for info in link.get("addr_info") or []:
            if info.get("local") == value:
                return {"address": value, "interface": link.get("ifname"), "mtu": link.get("mtu"), "problem": None}
    names = ", ".join(sorted(link.get("ifname", "?") for link in links))
    return {"address": None, "interface": None, "mtu": None,
            "problem": "%s is neither an interface nor an address of this host (interfaces: %s)" % (value or "''", names)}


def probe_ports(control_plane, is_manager, data_path_port=DEFAULT_DATA_PATH_PORT):
    """The ports a docker host must accept from its peers: gossip, VXLAN, swarm management."""
    ports = port_checks(control_plane, data_path_port)
    if control_plane == "swarm" and is_manager:
        ports.append(MANAGER_PORT_CHECK)
    return ports


def probe_targets(peers, managers, control_plane, self_name, data_path_port=DEFAULT_DATA_PATH_PORT):
    """What one host sends to: [{host, address, proto, port}] for every peer and port.

    ``peers`` maps host name -> probe address (None when unknown: nothing sent)."""
    targets = []
    for host in sorted(peers):
        address = peers[host]
        if host == self_name or not address:
            continue
        for check in probe_ports(control_plane, host in (managers or []), data_path_port):
            proto, port = check.split("/")
            targets.append({"host": host, "address": address, "proto": proto, "port": int(port)})
    return targets


def port_problems(target, check, listener, senders):
    """None when every peer reached `target` on `check` (e.g. 'udp/4789'), else the reason.

    listener: the target's listen result {ports: {check: {mode, heard, error}}};
    senders: host -> that host's send result {results: [{host, proto, port, ok, error}]}."""
    state = ((listener or {}).get("ports") or {}).get(check)
    if state is None:
        return "no listener ran on this host (%s)" % ((listener or {}).get("msg") or "probe not run")
    proto, port = check.split("/")
    missing = []
    for sender in sorted(senders):
        if sender == target:
            continue
        sent = [item for item in (senders[sender] or {}).get("results") or []
                if item.get("host") == target and item.get("proto") == proto and int(item.get("port")) == int(port)]
        if not sent:
            missing.append("%s (did not probe)" % sender)
            continue
        if proto == "tcp" or state.get("mode") == "in_use":
            # A TCP connect that completes proves the path; so does an answer from whoever owns the port.
            tcp = sent[0] if proto == "tcp" else _tcp_twin(senders[sender], target, port)
            if not (tcp and tcp.get("ok")):
                missing.append("%s (%s)" % (sender, (tcp or sent[0]).get("error") or "no answer"))
        elif sender not in (state.get("heard") or []):
            missing.append("%s (nothing received in %ss)" % (sender, state.get("waited", "?")))
    if state.get("mode") == "error":
        return "could not listen: %s" % state.get("error")
    if missing:
        return "not reached from " + ", ".join(missing)
    return None


def _tcp_twin(sender_result, target, port):
    for item in (sender_result or {}).get("results") or []:
        if item.get("host") == target and item.get("proto") == "tcp" and int(item.get("port")) == int(port):
            return item
    return None


def evaluate(hosts, facts, settings):
    """The report: {checks, rows: {host: {check: {status, reason}}}, failed: [(host, check, reason)]}.

    hosts: every docker host (those without facts are reported, not skipped);
    facts: host -> raw facts the role collected; settings: what was requested."""
    plane_requested = settings.get("control_plane", "auto")
    versions = dict((host, (facts.get(host) or {}).get("engine_version")) for host in hosts)
    plane = resolve_control_plane(plane_requested, versions)
    managers = settings.get("managers") or []
    vxlan_port_check = data_path_check(plane, settings.get("data_path_port", DEFAULT_DATA_PATH_PORT))
    checks = ["store", "advertise", "subnets", "vxlan", "mtu", "engine"] + list(PORT_CHECKS[:2]) + [vxlan_port_check]
    if plane == "swarm":
        checks.append(MANAGER_PORT_CHECK)
    if settings.get("encrypted"):
        checks.append("ipsec")
    if settings.get("check_image"):
        checks.append("image")
    senders = dict((host, (facts.get(host) or {}).get("sender")) for host in hosts if facts.get(host))
    try:
        containers_mtu = overlay_mtu(settings.get("network_mtu", 0),
                                     [((facts.get(host) or {}).get("advertise") or {}).get("mtu") for host in hosts])
        mtu_setting_problem = None
    except ValueError as exc:
        containers_mtu, mtu_setting_problem = None, str(exc)
    rows = {}
    for host in hosts:
        host_facts = facts.get(host)
        if not host_facts:
            rows[host] = dict((check, _result(SKIP, "host not reached")) for check in checks)
            rows[host]["reached"] = _result(FAIL, "no facts from this host (unreachable, or a task failed: see above)")
            continue
        row = {}
        if plane == "swarm" or not settings.get("store_url"):
            row["store"] = _result(SKIP, "swarm mode: no external store" if plane == "swarm" else "no store configured")
        elif settings.get("store_problem"):
            row["store"] = _result(FAIL, settings["store_problem"])
        elif settings.get("store_pending"):
            row["store"] = _result(PENDING, settings["store_pending"])
        else:
            row["store"] = _check(store_problem(settings.get("store_kind"), host_facts.get("store")))
        advertise = host_facts.get("advertise") or {}
        row["advertise"] = _check(advertise.get("problem"))
        if host_facts.get("addresses") is None:
            row["subnets"] = _result(FAIL, "could not read `ip -j addr`/`ip -j route`: %s" % host_facts.get("ip_error"))
        else:
            conflicts = subnet_conflicts(settings.get("subnets"), host_facts.get("addresses"), host_facts.get("routes"))
            row["subnets"] = _check("; ".join(conflicts) or None)
        row["vxlan"] = _check(host_facts.get("vxlan_error") or None)
        if mtu_setting_problem:
            row["mtu"] = _result(FAIL, mtu_setting_problem)
        elif advertise.get("problem"):
            row["mtu"] = _result(SKIP, "no advertise interface to measure")
        else:
            row["mtu"] = _check(mtu_problem(advertise.get("mtu"), containers_mtu))
        if not versions[host] and settings.get("engine_missing_ok"):
            row["engine"] = _result(SKIP, "no engine answers (preflight_engine_missing_ok): it is installed or started later")
        else:
            row["engine"] = _check(engine_problem(versions[host], plane, versions, host_facts.get("engine_error")))
        for check in checks:
            if "/" not in check:
                continue
            if check == MANAGER_PORT_CHECK and host not in managers:
                row[check] = _result(SKIP, "not a manager")
            elif advertise.get("problem"):
                row[check] = _result(SKIP, "no advertise address to probe")
            else:
                row[check] = _check(port_problems(host, check, host_facts.get("listener"), senders))
        if "ipsec" in checks:
            row["ipsec"] = _check(host_facts.get("ipsec_error") or None)
        if "image" in checks:
            row["image"] = _result(*image_problem(host_facts.get("image"), settings.get("check_image_hosts") or [], host,
                                                  versions[host], settings.get("engine_missing_ok")))
        rows[host] = row
    selected = settings.get("checks")
    if selected is not None:
        unknown = sorted(set(selected) - set(CHECK_NAMES))
        if unknown:
            raise ValueError("preflight_checks: unknown check(s) %s; choose from %s"
                             % (", ".join(unknown), ", ".join(CHECK_NAMES)))
        checks = [check for check in checks if (("ports" if "/" in check else check) in selected)]
    if any("reached" in row for row in rows.values()):
        checks.insert(0, "reached")
    rows = dict((host, dict((check, row.get(check) or _result(OK if check == "reached" else SKIP, "")) for check in checks)) for host, row in rows.items())
    failed = [(host, check, rows[host][check]["reason"]) for host in hosts for check in checks
              if rows[host][check]["status"] == FAIL]
    return {"checks": checks, "rows": rows, "failed": failed, "control_plane": plane,
            "store_url": settings.get("store_url") or "", "data_path_check": vxlan_port_check}


def _fix(check, report):
    data_path = report.get("data_path_check") or "udp/%d" % DEFAULT_DATA_PATH_PORT
    if check == data_path:
        return DATA_PATH_FIX % int(data_path.split("/")[1])
    return FIXES.get(check, "see the table above")


def _check(problem):
    return _result(FAIL, problem) if problem else _result(OK)


def render_table(report):
    """One text table, host by check: OK, FAIL[n] or PENDING[n] with reason n under the table, or - (does not apply)."""
    checks = report["checks"]
    notes = []
    lines = []
    table = [["host"] + list(checks)]
    for host in sorted(report["rows"]):
        cells = [host]
        for check in checks:
            cell = report["rows"][host].get(check) or _result(SKIP, "not checked")
            text = "-" if cell["status"] == SKIP else cell["status"]
            if cell["status"] in (FAIL, PENDING):
                notes.append("[%d] %s %s: %s" % (len(notes) + 1, host, check, cell["reason"]))
                text = "%s[%d]" % (text, len(notes))
            cells.append(text)
        table.append(cells)
    widths = [max(len(row[index]) for row in table) for index in range(len(table[0]))]
    for number, row in enumerate(table):
        lines.append(" | ".join(cell.ljust(widths[index]) for index, cell in enumerate(row)).rstrip())
        if number == 0:
            lines.append("-+-".join("-" * width for width in widths))
    return lines + notes


# The final error quotes this many different reasons of one check; the table above has them all.
QUOTED_REASONS = 2


def failure_message(report):
    """The final error: each failing check once, the hosts it failed on, its fix, and what was found
    (the fix alone can mislead: a subnet that is no CIDR at all does not overlap anything)."""
    by_check = {}
    reasons = {}
    for host, check, reason in report["failed"]:
        by_check.setdefault(check, []).append(host)
        if reason and reason not in reasons.setdefault(check, []):
            reasons[check].append(reason)
    # The store is named by its URL: which store the hosts could not reach is said at once.
    names = {"store": ("store %s" % report.get("store_url", "")).strip()}
    parts = []
    for check, hosts in sorted(by_check.items(), key=lambda item: report["checks"].index(item[0])):
        found = reasons.get(check, [])
        quoted = "; ".join(found[:QUOTED_REASONS]) + ("; ..." if len(found) > QUOTED_REASONS else "")
        parts.append("%s failed on %s: %s%s" % (names.get(check, check), ", ".join(hosts),
                                                _fix(check, report),
                                                " (found: %s)" % quoted if quoted else ""))
    return "Preflight found %d problem(s) before any change was made. %s." % (len(report["failed"]), ". ".join(parts))
