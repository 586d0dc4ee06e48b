"""Unit tests of the topology picture (plugins/filter/topology.py), from docker_cnm_topology_info results
recorded on a bullseye lab after site.yml (tests/unit/fixtures/topology/bullseye-*.json) and after n2's dockerd
was killed with kill -9 (killed-*.json), and from a synthetic 6-host, 3-network site."""

import copy
import json
import pathlib
import re

import pytest

from ansible_collections.cnm.overlay.plugins.filter.topology import topology_graph

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "topology"
HOSTS = ["n1", "n2"]
MERMAID_EDGE = re.compile(r"^  \S+ ---\|.*\| \S+$")


def recorded(case):
    return dict((host, json.loads((FIXTURES / ("%s-%s.json" % (case, host))).read_text())) for host in HOSTS)


def rows_of(graph, **match):
    return [row for row in graph["rows"] if all(row[key] == value for key, value in match.items())]


def dot_edges(dot):
    return [line for line in dot.splitlines() if " -- " in line]


def mermaid_edges(mermaid):
    return [line for line in mermaid.splitlines() if MERMAID_EDGE.match(line)]


def network_of(result, name):
    return next(network for network in result["topology"]["networks"] if network["name"] == name)


# -- the site as site.yml leaves it -------------------------------------------------------------

@pytest.fixture
def site():
    return topology_graph(recorded("bullseye"), HOSTS)


def test_site_endpoints_are_each_container_once_per_network(site):
    # multi lists c1 and c2 on both hosts (the other one as ep-<id>): one endpoint each, plus each
    # container's docker_gwbridge gateway endpoint on its own host.
    assert sorted((r["network"], r["host"], r["container"], r["address"]) for r in site["rows"]) == [
        ("docker_gwbridge", "n1", "c1", "172.18.0.2/16"), ("docker_gwbridge", "n2", "c2", "172.18.0.2/16"),
        ("multi", "n1", "c1", "10.10.0.2/24"), ("multi", "n2", "c2", "10.10.0.3/24")]
    assert site["endpoints"] == 4


def test_site_has_no_problems(site):
    # 172.18.0.2 on both hosts' docker_gwbridge is no duplicate: those are two local networks.
    assert site["problems"] == []
    assert all(row["problem"] == "" for row in site["rows"])


def test_site_dot_draws_hosts_as_clusters_and_the_overlay_once(site):
    dot = site["dot"]
    assert dot.startswith("graph topology {") and dot.rstrip().endswith("}")
    assert dot.count("subgraph cluster_") == 2
    assert len(re.findall(r'label="multi\\n', dot)) == 1
    assert len(re.findall(r'shape="hexagon"', dot)) == 1
    # Each host's docker_gwbridge is drawn inside its host; idle bridges are left out.
    assert dot.count('label="docker_gwbridge') == 2 and 'label="bridge\\n' not in dot
    assert len(dot_edges(dot)) == 4
    for text in ("n1", "n2", "c1", "c2", "10.10.0.2/24", "10.10.0.3/24", "10.10.0.0/24"):
        assert text in dot


def test_site_local_network_sits_inside_its_host(site):
    clusters = site["dot"].split("subgraph cluster_")[1:]
    assert "docker_gwbridge" in clusters[0] and 'label="c1"' in clusters[0] and 'label="c2"' not in clusters[0]
    assert "multi" not in clusters[0].split("  }")[0]


def test_site_mermaid_has_one_edge_per_endpoint(site):
    mermaid = site["mermaid"]
    assert mermaid.startswith("flowchart LR\n")
    assert len(mermaid_edges(mermaid)) == site["endpoints"]
    assert "linkStyle" not in mermaid and "classDef" not in mermaid
    assert mermaid.count("subgraph ") == 2 and mermaid.count("{{") == 1


def test_site_table_has_a_header_and_a_line_per_row(site):
    assert site["table"][0].split() == ["network", "host", "container", "address", "problem"]
    assert len(site["table"]) == len(site["rows"]) + 1


# -- problems -------------------------------------------------------------------------------

def test_killed_engine_leaves_a_stale_endpoint_drawn_and_listed():
    graph = topology_graph(recorded("killed"), HOSTS)
    stale = rows_of(graph, network="multi", container="c2")
    assert len(stale) == 1 and stale[0]["problem"].startswith("stale") and "n2" in stale[0]["problem"]
    assert stale[0]["address"] == "10.10.0.3/24" and stale[0]["host"] == "?"
    assert rows_of(graph, network="multi", container="c1")[0]["problem"] == ""
    assert [row["host"] for row in rows_of(graph, network="-")] == ["n2"]
    assert "Connection refused" in rows_of(graph, network="-")[0]["problem"]
    assert any(p.startswith("stale endpoint c2 on multi (seen from n1)") for p in graph["problems"])
    stale_edge = [line for line in dot_edges(graph["dot"]) if "10.10.0.3/24" in line]
    assert len(stale_edge) == 1 and "STALE" in stale_edge[0] and "#c0392b" in stale_edge[0]
    assert "subgraph cluster_stale" in graph["dot"] and "c2\\n(stale endpoint)" in graph["dot"]
    assert len(mermaid_edges(graph["mermaid"])) == graph["endpoints"] == 3
    assert "linkStyle" in graph["mermaid"] and graph["hosts_not_read"] == ["n2"]


def test_unreachable_host_is_listed_and_its_remote_endpoint_stale():
    results = recorded("bullseye")
    results["n2"] = {"unreachable": True, "msg": "Failed to connect to the host via ssh"}
    graph = topology_graph(results, HOSTS)
    assert "unreachable: Failed to connect" in rows_of(graph, network="-")[0]["problem"]
    assert rows_of(graph, network="multi", container="c2")[0]["problem"].startswith("stale")


def test_host_without_result_counts_as_not_read():
    results = recorded("bullseye")
    del results["n2"]
    graph = topology_graph(results, HOSTS)
    assert graph["hosts_not_read"] == ["n2"]


def test_network_missing_on_a_host_with_containers_on_it():
    results = recorded("bullseye")
    results["n2"]["topology"]["networks"].remove(network_of(results["n2"], "multi"))
    graph = topology_graph(results, HOSTS)
    missing = rows_of(graph, network="multi", container="c2")
    assert len(missing) == 1 and missing[0]["problem"] == "network missing on n2" and missing[0]["host"] == "n2"
    assert rows_of(graph, network="multi", container="c1")[0]["problem"] == ""
    assert graph["problems"] == ["network missing on n2: c2 of n2 on multi"]
    # Still one node for multi, marked as missing on n2, and one edge per endpoint.
    assert len(re.findall(r'label="multi\\n', graph["dot"])) == 1 and "missing on n2" in graph["dot"]
    assert len(dot_edges(graph["dot"])) == len(mermaid_edges(graph["mermaid"])) == 4


def test_network_no_host_lists_is_drawn_inside_the_host_missing_it():
    results = recorded("bullseye")
    for host in HOSTS:
        results[host]["topology"]["networks"].remove(network_of(results[host], "multi"))
    graph = topology_graph(results, HOSTS)
    problems = sorted(r["problem"] for r in rows_of(graph, network="multi"))
    assert problems == ["network missing on n1", "network missing on n2"]
    assert graph["dot"].count('label="multi\\nmissing on') == 2


def test_same_address_on_two_endpoints_of_a_network():
    results = recorded("bullseye")
    for host in HOSTS:
        for endpoint in network_of(results[host], "multi")["endpoints"]:
            endpoint["ipv4"] = "10.10.0.2/24"
    c2 = results["n2"]["topology"]["containers"][0]
    c2["networks"]["multi"]["ipv4"] = "10.10.0.2/24"
    graph = topology_graph(results, HOSTS)
    assert [r["problem"] for r in rows_of(graph, network="multi")] == ["duplicate address 10.10.0.2"] * 2
    assert [r["problem"] for r in rows_of(graph, network="docker_gwbridge")] == ["", ""]
    assert len([line for line in dot_edges(graph["dot"]) if "DUPLICATE ADDRESS" in line]) == 2


def test_aliases_and_mac_go_into_the_edge_tooltip(site):
    c1 = recorded("bullseye")["n1"]["topology"]["containers"][0]["networks"]["multi"]
    edge = [line for line in dot_edges(site["dot"]) if "10.10.0.2/24" in line][0]
    assert c1["mac"] in edge and c1["aliases"][0] in edge


def test_results_must_be_a_dict_of_hosts():
    with pytest.raises(TypeError, match="dict of host name"):
        topology_graph([recorded("bullseye")["n1"]])


def test_labels_are_quoted_for_dot_and_mermaid():
    results = recorded("bullseye")
    results["n1"]["topology"]["containers"][0]["name"] = 'odd"name'
    graph = topology_graph(results, HOSTS)
    assert 'label="odd\\"name"' in graph["dot"]
    assert '["odd#quot;name"]' in graph["mermaid"]


# -- 6 hosts, 3 networks ------------------------------------------------------------------------

SIX = ["h%d" % number for number in range(1, 7)]


def _endpoint(key, name, endpoint_id, ipv4):
    return dict(key=key, name=name, endpoint_id=endpoint_id, ipv4=ipv4, ipv6="", mac="02:42:00:00:00:01")


def six_host_site():
    """`front` (kv overlay, scope global) on every host, each host listing the others' endpoints as ep-<id>;
    `back` (swarm overlay) on h1-h3, each host listing its own; a local bridge `app` on each host."""
    front = dict(("h%d" % n, ("web%d" % n, "fe%d" % n, "10.1.0.%d/24" % (n + 1))) for n in range(1, 7))
    results = {}
    for number, host in enumerate(SIX, 1):
        web, front_endpoint, front_address = front[host]
        app_address = "172.20.0.2/16"  # the same on every host: local networks
        containers = [dict(id="web%d-id" % number, name=web, running=True, networks={
            "front": dict(network_id="front-id", endpoint_id=front_endpoint, ipv4=front_address, ipv6="", mac="",
                          aliases=[web]),
            "app": dict(network_id="app-%s" % host, endpoint_id="app-ep-%s" % host, ipv4=app_address, ipv6="",
                        mac="", aliases=[])})]
        networks = [
            dict(name="front", id="front-id", driver="overlay", scope="global", subnets=["10.1.0.0/24"],
                 endpoints=[_endpoint("web%d-id" % number if other == host else "ep-" + front[other][1],
                                      front[other][0], front[other][1], front[other][2]) for other in SIX]),
            dict(name="app", id="app-%s" % host, driver="bridge", scope="local", subnets=["172.20.0.0/16"],
                 endpoints=[_endpoint("web%d-id" % number, web, "app-ep-%s" % host, app_address)]),
            dict(name="none", id="none-%s" % host, driver="null", scope="local", subnets=[], endpoints=[]),
        ]
        if number <= 3:
            containers.append(dict(id="db%d-id" % number, name="db%d" % number, running=True, networks={
                "back": dict(network_id="back-id", endpoint_id="be%d" % number, ipv4="10.2.0.%d/24" % (number + 1),
                             ipv6="fd00::%d/64" % number, mac="", aliases=[])}))
            networks.append(dict(name="back", id="back-id", driver="overlay", scope="swarm", subnets=["10.2.0.0/24"],
                                 endpoints=[_endpoint("db%d-id" % number, "db%d" % number, "be%d" % number,
                                                      "10.2.0.%d/24" % (number + 1)),
                                            _endpoint("lb-back", "back-endpoint", "lb%d" % number, "10.2.0.%d/24"
                                                      % (100 + number))]))
            networks[-1]["endpoints"][0]["ipv6"] = "fd00::%d/64" % number
        results[host] = dict(changed=False, topology=dict(
            engine=dict(name=host, version="26.1.5", swarm_state="active", swarm_node_id=host),
            networks=networks, containers=containers))
    return results


@pytest.fixture
def six():
    return topology_graph(six_host_site(), SIX)


def test_six_hosts_three_networks_endpoints(six):
    # front: 6, app: one per host, back: 3 (the load balancer's lb- endpoints are the daemon's own).
    assert six["endpoints"] == 15
    assert sorted(set(r["network"] for r in six["rows"])) == ["app", "back", "front"]
    assert len(rows_of(six, network="front")) == 6 and len(rows_of(six, network="back")) == 3
    assert sorted(r["host"] for r in rows_of(six, network="app")) == SIX
    assert six["problems"] == []
    assert rows_of(six, network="back", container="db2")[0]["address"] == "10.2.0.3/24, fd00::2/64"


def test_six_hosts_each_overlay_one_node_each_bridge_in_its_host(six):
    dot = six["dot"]
    assert dot.count("subgraph cluster_") == 6
    assert dot.count('shape="hexagon"') == 2 and dot.count('shape="ellipse"') == 6
    clusters = dot.split("subgraph cluster_")[1:]
    for number, cluster in enumerate(clusters, 1):
        body = cluster.split("  }")[0]
        assert body.count('label="app\\n') == 1 and 'label="web%d"' % number in body
        assert ('label="db%d"' % number in body) == (number <= 3)
    assert len(dot_edges(dot)) == len(mermaid_edges(six["mermaid"])) == 15
    assert "lb-" not in dot and "back-endpoint" not in dot


def test_six_hosts_two_unread_hosts_make_their_front_endpoints_stale():
    results = six_host_site()
    results["h5"] = dict(failed=True, msg="Cannot reach the Docker daemon")
    del results["h6"]
    graph = topology_graph(results, SIX)
    stale = sorted(r["container"] for r in graph["rows"] if r["problem"].startswith("stale"))
    assert stale == ["web5", "web6"]
    assert graph["hosts_not_read"] == ["h5", "h6"]
    assert graph["endpoints"] == 15 - 2  # h5's and h6's app endpoints are not seen at all


def test_six_hosts_duplicate_across_hosts_on_one_overlay():
    results = six_host_site()
    for result in results.values():
        for network in result["topology"]["networks"]:
            for endpoint in network["endpoints"]:
                if endpoint["name"] == "web6":
                    endpoint["ipv4"] = "10.1.0.2/24"  # web1's
    results["h6"]["topology"]["containers"][0]["networks"]["front"]["ipv4"] = "10.1.0.2/24"
    graph = topology_graph(copy.deepcopy(results), SIX)
    assert sorted(r["container"] for r in graph["rows"] if r["problem"]) == ["web1", "web6"]
