"""Unit tests of the preflight decisions: overlap, MTU, engine vs control plane, ports, table."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _preflight as pf
from ansible_collections.cnm.overlay.plugins.module_utils import _port_probe as probe

ADDRESSES = [
    {"ifname": "lo", "mtu": 65536, "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8}]},
    {"ifname": "eth0", "mtu": 1500, "addr_info": [
        {"family": "inet", "local": "172.30.99.3", "prefixlen": 24},
        {"family": "inet6", "local": "fe80::1", "prefixlen": 64}]},
    {"ifname": "eth1", "mtu": 1400, "addr_info": []},
]
ROUTES = [
    {"dst": "default", "gateway": "172.30.99.1", "dev": "eth0"},
    {"dst": "172.30.99.0/24", "dev": "eth0"},
    {"dst": "10.8.0.0/15", "dev": "tun0"},
    {"dst": "fe80::/64", "dev": "eth0"},
]


def test_subnet_outside_every_network_has_no_conflict():
    assert pf.subnet_conflicts("10.10.0.0/24", ADDRESSES, ROUTES) == []


def test_subnet_inside_a_route_is_a_conflict_naming_the_route():
    assert pf.subnet_conflicts("10.9.1.0/24", ADDRESSES, ROUTES) == ["10.9.1.0/24 overlaps route 10.8.0.0/15 dev tun0"]


def test_subnet_covering_an_address_is_a_conflict_naming_the_interface():
    problems = pf.subnet_conflicts(["172.30.0.0/16"], ADDRESSES, [])
    assert problems == ["172.30.0.0/16 overlaps address 172.30.99.3/24 on eth0"]


def test_default_route_is_not_an_overlap():
    assert pf.subnet_conflicts("192.168.5.0/24", [], [{"dst": "default", "dev": "eth0"}]) == []


def test_link_local_ipv6_route_is_not_an_overlap():
    assert pf.subnet_conflicts("fe80::/10", [], ROUTES) == []


def test_ipv6_subnet_is_compared_with_ipv6_routes_only():
    assert pf.subnet_conflicts("fd00:10::/64", [], [{"dst": "fd00::/8", "dev": "eth0"}]) == [
        "fd00:10::/64 overlaps route fd00::/8 dev eth0"]


def test_subnet_that_is_not_a_cidr_is_named():
    assert pf.subnet_conflicts("10.10.0.300/24", [], []) == ["10.10.0.300/24 is not a subnet in CIDR notation (e.g. 10.10.0.0/24)"]


def test_comma_separated_subnets_are_each_checked():
    assert len(pf.subnet_conflicts("10.9.0.0/24,172.30.99.128/25", ADDRESSES, ROUTES)) == 3


@pytest.mark.parametrize("underlay, overlay, ok", [(1500, 1450, True), (1500, 1451, False), (1400, 1450, False), (9000, 8950, True)])
def test_mtu_headroom_is_50_bytes(underlay, overlay, ok):
    assert (pf.mtu_problem(underlay, overlay) is None) is ok


def test_mtu_problem_says_what_is_left():
    assert "underlay MTU 1400 leaves 1350" in pf.mtu_problem(1400, 1450)


@pytest.mark.parametrize("version, generation", [
    ("20.10.5+dfsg1", "kv"), ("20.10.24+dfsg1", "kv"), ("19.03.15", "kv"), ("26.1.5+dfsg1", "swarm"), ("23.0.0", "swarm"), ("", None),
])
def test_engine_generation(version, generation):
    assert pf.engine_generation(version) == generation


def test_swarm_on_20_10_points_to_kv_mode():
    assert "use kv mode" in pf.engine_problem("20.10.5+dfsg1", "swarm")


def test_kv_on_26_points_to_swarm_mode():
    assert "use swarm mode" in pf.engine_problem("26.1.5", "kv")


def test_auto_with_mixed_engines_is_undecided_and_named():
    versions = {"n1": "20.10.5", "n2": "26.1.5"}
    assert pf.resolve_control_plane("auto", versions) is None
    assert "n1 20.10.5, n2 26.1.5" in pf.engine_problem("20.10.5", None, versions)


def test_auto_with_one_generation_picks_it():
    assert pf.resolve_control_plane("auto", {"n1": "26.1.5", "n2": "27.0.1"}) == "swarm"


def test_advertise_interface_resolves_to_its_ipv4_and_mtu():
    assert pf.advertise_address(ADDRESSES, "eth0") == {"address": "172.30.99.3", "interface": "eth0", "mtu": 1500, "problem": None}


def test_advertise_with_port_is_accepted_as_dockerd_takes_it():
    assert pf.advertise_address(ADDRESSES, "eth0:2376")["address"] == "172.30.99.3"


def test_advertise_address_resolves_to_its_interface():
    assert pf.advertise_address(ADDRESSES, "172.30.99.3")["interface"] == "eth0"


def test_missing_advertise_interface_lists_the_real_ones():
    assert pf.advertise_address(ADDRESSES, "ens9")["problem"] == (
        "ens9 is neither an interface nor an address of this host (interfaces: eth0, eth1, lo)")


def test_advertise_interface_without_ipv4_is_a_problem():
    assert pf.advertise_address(ADDRESSES, "eth1")["problem"] == "interface eth1 has no IPv4 address"


def test_store_urls_for_consul_and_an_etcd_cluster():
    assert pf.store_urls("consul://kv:8500") == [{"kind": "consul", "url": "http://kv:8500/v1/status/leader"}]
    assert [item["url"] for item in pf.store_urls("etcd://a:2379,b:2379", "https")] == [
        "https://a:2379/health", "https://a:2379/v2/keys", "https://b:2379/health", "https://b:2379/v2/keys"]


def test_store_url_of_unknown_kind_is_named():
    with pytest.raises(ValueError, match="zk://"):
        pf.store_urls("zk://kv:2181")


def test_consul_without_leader_is_a_problem():
    answer = {"url": "http://kv:8500/v1/status/leader", "status": 200, "json": ""}
    assert pf.store_problem("consul", [answer]) == "http://kv:8500/v1/status/leader: no leader elected"


def test_consul_with_leader_is_fine():
    answer = {"url": "http://kv:8500/v1/status/leader", "status": 200, "json": "172.30.99.2:8300"}
    assert pf.store_problem("consul", [answer]) is None


def test_unreachable_store_keeps_the_error():
    answer = {"url": "http://kv:8500/v1/status/leader", "status": -1, "msg": "Connection refused"}
    assert pf.store_problem("consul", [answer]) == "http://kv:8500/v1/status/leader: Connection refused"


def test_unhealthy_etcd_is_a_problem():
    answers = [{"url": "http://kv:2379/health", "status": 200, "json": {"health": "false"}},
               {"url": "http://kv:2379/v2/keys", "status": 503, "msg": "HTTP Error 503: Service Unavailable"}]
    problem = pf.store_problem("etcd", answers)
    assert "/health: not healthy" in problem and "/v2/keys: HTTP Error 503" in problem


def test_probe_targets_skip_self_and_unknown_addresses_and_add_2377_for_managers():
    targets = pf.probe_targets({"n1": "10.0.0.1", "n2": "10.0.0.2", "n3": None}, ["n2"], "swarm", "n1")
    assert [(t["host"], t["proto"], t["port"]) for t in targets] == [
        ("n2", "tcp", 7946), ("n2", "udp", 7946), ("n2", "udp", 4789), ("n2", "tcp", 2377)]


def _sent(target, check, ok=True, error=None):
    proto, port = check.split("/")
    return {"host": target, "proto": proto, "port": int(port), "ok": ok, "error": error}


def test_udp_not_heard_from_a_peer_fails_naming_the_peer():
    listener = {"ports": {"udp/4789": {"mode": "bound", "heard": ["n3"], "waited": 15}}}
    senders = {"n1": {"results": [_sent("n2", "udp/4789")]}, "n3": {"results": [_sent("n2", "udp/4789")]}}
    assert pf.port_problems("n2", "udp/4789", listener, senders) == "not reached from n1 (nothing received in 15s)"


def test_tcp_is_judged_by_the_peer_connect():
    listener = {"ports": {"tcp/7946": {"mode": "bound", "heard": []}}}
    senders = {"n1": {"results": [_sent("n2", "tcp/7946", False, "TCP connect to 10.0.0.2:7946: Connection refused")]}}
    assert "Connection refused" in pf.port_problems("n2", "tcp/7946", listener, senders)


def test_udp_port_owned_by_dockerd_counts_as_open_when_tcp_connects():
    listener = {"ports": {"udp/7946": {"mode": "in_use", "heard": []}}}
    senders = {"n1": {"results": [_sent("n2", "udp/7946"), _sent("n2", "tcp/7946")]}}
    assert pf.port_problems("n2", "udp/7946", listener, senders) is None


def test_udp_port_owned_by_dockerd_fails_when_tcp_does_not_connect():
    listener = {"ports": {"udp/7946": {"mode": "in_use", "heard": []}}}
    senders = {"n1": {"results": [_sent("n2", "udp/7946"), _sent("n2", "tcp/7946", False, "timed out")]}}
    assert pf.port_problems("n2", "udp/7946", listener, senders) == "not reached from n1 (timed out)"


def test_listener_that_could_not_bind_is_reported():
    listener = {"ports": {"udp/4789": {"mode": "error", "error": "bind 10.0.0.2:4789: Permission denied"}}}
    assert pf.port_problems("n2", "udp/4789", listener, {}) == "could not listen: bind 10.0.0.2:4789: Permission denied"


def _healthy(address, heard_from):
    ports = dict((check, {"mode": "bound", "heard": heard_from}) for check in pf.PORT_CHECKS)
    return {
        "addresses": [{"ifname": "eth0", "mtu": 1500, "addr_info": [{"family": "inet", "local": address, "prefixlen": 24}]}],
        "routes": [{"dst": "172.30.99.0/24", "dev": "eth0"}],
        "engine_version": "20.10.5+dfsg1",
        "vxlan_error": "",
        "store": [{"url": "http://kv:8500/v1/status/leader", "status": 200, "json": "172.30.99.2:8300"}],
        "advertise": {"address": address, "interface": "eth0", "mtu": 1500, "problem": None},
        "listener": {"ports": ports},
        "sender": {"results": []},
    }


def _fleet():
    facts = {"n1": _healthy("172.30.99.3", ["n2"]), "n2": _healthy("172.30.99.4", ["n1"])}
    facts["n1"]["sender"]["results"] = [_sent("n2", check) for check in pf.PORT_CHECKS]
    facts["n2"]["sender"]["results"] = [_sent("n1", check) for check in pf.PORT_CHECKS]
    return facts


SETTINGS = {"control_plane": "kv", "store_url": "consul://kv:8500", "store_kind": "consul",
            "subnets": "10.10.0.0/24", "network_mtu": 0}


def test_healthy_fleet_has_no_failure():
    assert pf.evaluate(["n1", "n2"], _fleet(), SETTINGS)["failed"] == []


def test_all_problems_are_collected_at_once():
    facts = _fleet()
    facts["n2"]["vxlan_error"] = "cannot create a VXLAN interface: Operation not supported"
    settings = dict(SETTINGS, subnets="172.30.99.0/25")
    failed = pf.evaluate(["n1", "n2"], facts, settings)["failed"]
    assert [(host, check) for host, check, _reason in failed] == [("n1", "subnets"), ("n2", "subnets"), ("n2", "vxlan")]


def test_host_without_facts_is_one_failure_of_its_own():
    report = pf.evaluate(["n1", "n2", "n3"], _fleet(), SETTINGS)
    assert [(host, check) for host, check, _reason in report["failed"]] == [("n3", "reached")]


def test_reached_column_only_when_a_host_was_not_reached():
    assert "reached" not in pf.evaluate(["n1", "n2"], _fleet(), SETTINGS)["checks"]


def test_swarm_mode_skips_the_store_and_probes_2377_on_managers():
    facts = _fleet()
    for host in facts:
        facts[host]["engine_version"] = "26.1.5"
    report = pf.evaluate(["n1", "n2"], facts, dict(SETTINGS, control_plane="swarm", managers=["n1"]))
    assert report["rows"]["n1"]["store"]["status"] == pf.SKIP
    assert report["rows"]["n1"]["tcp/2377"]["status"] == pf.FAIL  # nothing listened on 2377 in this fixture
    assert report["rows"]["n2"]["tcp/2377"]["status"] == pf.SKIP


def test_table_is_host_by_check_with_numbered_reasons():
    facts = _fleet()
    facts["n2"]["engine_version"] = "26.1.5"
    lines = pf.render_table(pf.evaluate(["n1", "n2"], facts, SETTINGS))
    assert lines[0].split(" | ")[:3] == ["host", "store", "advertise"]
    assert lines[2].startswith("n1 ") and "FAIL" not in lines[2]
    assert "FAIL[1]" in lines[3]
    assert lines[4].startswith("[1] n2 engine: engine 26.1.5 has no cluster store")


def test_failure_message_names_each_failing_check_once_with_its_fix():
    facts = _fleet()
    facts["n1"]["advertise"]["problem"] = "ens9 is neither an interface nor an address of this host"
    facts["n2"]["advertise"]["problem"] = "ens9 is neither an interface nor an address of this host"
    message = pf.failure_message(pf.evaluate(["n1", "n2"], facts, SETTINGS))
    assert message.count("advertise failed on n1, n2: set cnm_overlay_advertise_interface") == 1


def test_failure_message_quotes_what_was_found_once():
    message = pf.failure_message(pf.evaluate(["n1", "n2"], _fleet(), dict(SETTINGS, subnets="banana")))
    assert message.endswith("subnets failed on n1, n2: choose overlay subnets (cnm_overlay_subnet / preflight_subnets)"
                            " outside every route and address of the docker hosts, in CIDR notation (10.10.0.0/24)"
                            " (found: banana is not a subnet in CIDR notation (e.g. 10.10.0.0/24)).")


def test_failure_message_quotes_every_different_reason():
    facts = _fleet()
    facts["n1"]["advertise"]["problem"] = "ens9 is neither an interface nor an address of this host"
    facts["n2"]["advertise"]["problem"] = "ens9 has no IPv4 address"
    message = pf.failure_message(pf.evaluate(["n1", "n2"], facts, SETTINGS))
    assert "(found: ens9 is neither an interface nor an address of this host; ens9 has no IPv4 address)" in message


def test_failure_message_names_the_store_url():
    facts = _fleet()
    facts["n2"]["store"] = [{"url": "http://kv:8500/v1/status/leader", "status": -1, "msg": "timed out"}]
    message = pf.failure_message(pf.evaluate(["n1", "n2"], facts, SETTINGS))
    assert "store consul://kv:8500 failed on n2: start the key-value store" in message


def test_token_round_trip_and_foreign_tokens_ignored():
    assert probe.parse_token(probe.make_token("r1", "n1", "udp/4789"), "r1") == ("n1", "udp/4789")
    assert probe.parse_token(probe.make_token("r0", "n1", "udp/4789"), "r1") is None
    assert probe.parse_token(b"\xff\x00", "r1") is None


def test_ipv4_udp_packet_is_parsed_for_port_and_payload():
    header = bytearray([0x45, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])
    udp = bytearray([0x9c, 0x40, 0x12, 0xb5, 0, 20, 0, 0])
    assert probe.parse_ipv4_udp(header + udp + b"payload-abc") == (4789, b"payload-abc")
    header[9] = 6
    assert probe.parse_ipv4_udp(header + udp + b"payload-abc") is None


def test_missing_advertise_interface_skips_the_port_probes_instead_of_failing_them():
    facts = _fleet()
    facts["n2"]["advertise"] = {"address": None, "interface": None, "mtu": None, "problem": "ens9 is neither ..."}
    report = pf.evaluate(["n1", "n2"], facts, SETTINGS)
    assert [(host, check) for host, check, _reason in report["failed"]] == [("n2", "advertise")]


def test_missing_engine_names_the_daemon_error():
    facts = _fleet()
    facts["n1"].update(engine_version="", engine_error="Cannot connect to the Docker daemon at unix:///var/run/docker.sock")
    row = pf.evaluate(["n1", "n2"], facts, SETTINGS)["rows"]["n1"]
    assert row["engine"]["reason"].endswith(": Cannot connect to the Docker daemon at unix:///var/run/docker.sock")


def test_missing_engine_can_be_allowed_when_it_is_installed_later():
    facts = _fleet()
    facts["n1"]["engine_version"] = ""
    row = pf.evaluate(["n1", "n2"], facts, dict(SETTINGS, engine_missing_ok=True))["rows"]["n1"]
    assert row["engine"]["status"] == pf.SKIP


@pytest.mark.parametrize("network_mtu, underlays, containers", [
    (0, [1500], 1450), ("", [1500], 1450), (1400, [1500], 1350), ("9000", [9000], 8950), ("auto", [1500, 1400, None], 1350),
])
def test_containers_mtu_follows_dockers_reading_of_the_mtu_option(network_mtu, underlays, containers):
    assert pf.overlay_mtu(network_mtu, underlays) == containers


def test_docker_default_mtu_on_a_1400_underlay_fails_the_mtu_check():
    facts = _fleet()
    facts["n2"]["advertise"]["mtu"] = 1400
    row = pf.evaluate(["n1", "n2"], facts, SETTINGS)["rows"]["n2"]
    assert row["mtu"]["reason"] == "underlay MTU 1400 leaves 1350 for the overlay (VXLAN adds 50), below the containers' MTU 1450"


def test_auto_mtu_fits_the_smallest_underlay():
    facts = _fleet()
    facts["n2"]["advertise"]["mtu"] = 1400
    report = pf.evaluate(["n1", "n2"], facts, dict(SETTINGS, network_mtu="auto"))
    assert report["failed"] == []


def test_bad_mtu_setting_is_named():
    report = pf.evaluate(["n1", "n2"], _fleet(), dict(SETTINGS, network_mtu="big"))
    assert report["rows"]["n1"]["mtu"]["reason"] == "preflight_network_mtu 'big' is not a number or auto"


def test_healthy_etcd_with_v2_answering_as_text_is_fine():
    answers = [{"url": "http://kv:2379/health", "status": 200, "content": '{"health":"true"}'},
               {"url": "http://kv:2379/v2/keys", "status": 200, "content": '{"action":"get","node":{"dir":true}}'}]
    assert pf.store_problem("etcd", answers) is None


def test_etcd_without_the_v2_api_points_to_enable_v2():
    answers = [{"url": "http://kv:2379/health", "status": 200, "content": '{"health":"true"}'},
               {"url": "http://kv:2379/v2/keys", "status": 404, "msg": "HTTP Error 404: Not Found"}]
    assert pf.store_problem("etcd", answers).endswith("start etcd with --enable-v2=true")


def test_selected_checks_only_are_reported():
    facts = _fleet()
    facts["n1"]["vxlan_error"] = "cannot create a VXLAN interface"
    report = pf.evaluate(["n1", "n2"], facts, dict(SETTINGS, checks=["store", "ports"]))
    assert (report["checks"], report["failed"]) == (["store"] + list(pf.PORT_CHECKS), [])


def test_unknown_check_name_is_named():
    with pytest.raises(ValueError, match="preflight_checks: unknown check.s. portz"):
        pf.evaluate(["n1"], _fleet(), dict(SETTINGS, checks=["portz"]))


def _free_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket() as tcp:
        udp.bind(("127.0.0.1", 0))
        tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        return udp.getsockname()[1]


def _exchange_pair(peers, udp_port, tcp_port):
    """Run exchange() for every (name, address) in peers at once, as the role runs it on every host."""
    import threading
    results = {}
    checks = ["tcp/%d" % tcp_port, "udp/%d" % udp_port]

    def run(name, address):
        targets = [{"host": other, "address": other_address, "proto": check.split("/")[0], "port": int(check.split("/")[1])}
                   for other, other_address in peers if other != name for check in checks]
        results[name] = probe.exchange(checks, address, [other for other, _a in peers if other != name], "r1", name, targets, 5)

    threads = [threading.Thread(target=run, args=peer) for peer in peers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_exchange_hears_every_peer_and_reaches_every_peer():
    port = _free_port()
    results = _exchange_pair([("n1", "127.0.0.1"), ("n2", "127.0.0.2")], port, port)
    heard = dict((name, sorted(set(h for state in ports.values() for h in state["heard"]))) for name, (ports, _sent) in results.items())
    sent_ok = dict((name, [item["ok"] for item in sent]) for name, (_ports, sent) in results.items())
    assert (heard, sent_ok) == ({"n1": ["n2"], "n2": ["n1"]}, {"n1": [True, True], "n2": [True, True]})


def test_exchange_results_feed_the_port_verdicts():
    port = _free_port()
    results = _exchange_pair([("n1", "127.0.0.1"), ("n2", "127.0.0.2")], port, port)
    senders = dict((name, {"results": sent}) for name, (_ports, sent) in results.items())
    verdicts = [pf.port_problems(host, check, {"ports": results[host][0]}, senders)
                for host in ("n1", "n2") for check in ("tcp/%d" % port, "udp/%d" % port)]
    assert verdicts == [None, None, None, None]


def test_store_answers_are_shaped_as_the_store_check_reads_them():
    import io
    from urllib.error import HTTPError, URLError
    from ansible_collections.cnm.overlay.plugins.module_utils import _host_probe

    def opener(url, **_kwargs):
        if url.endswith("/v2/keys"):
            raise HTTPError(url, 404, "Not Found", {}, io.BytesIO(b"404 page not found"))
        if "down" in url:
            raise URLError("[Errno 111] Connection refused")
        response = io.BytesIO(b'{"health": "true"}')
        response.getcode = lambda: 200
        return response

    urls = ["http://e:2379/health", "http://e:2379/v2/keys", "http://down:2379/health"]
    answers = _host_probe.store_answers(urls, 5, opener=opener)
    assert pf.store_problem("etcd", answers) == (
        "http://e:2379/v2/keys: the v2 API is off; libnetwork speaks v2, start etcd with --enable-v2=true; "
        "http://down:2379/health: Request failed: [Errno 111] Connection refused")


def _presence(data_dirs=(), processes=()):
    return {"data_dirs": list(data_dirs), "processes": list(processes)}


def test_store_whose_hosts_have_nothing_of_it_is_pending():
    assert pf.store_pending("consul", ["kv"], {"kv": _presence()}) == (
        "will be created by site.yml: kv has no consul data and runs no consul yet")


@pytest.mark.parametrize("found", [_presence(data_dirs=["/var/lib/consul"]), _presence(processes=["consul"])])
def test_store_with_data_or_a_running_process_on_a_host_is_checked(found):
    assert pf.store_pending("consul", ["kv1", "kv2"], {"kv1": _presence(), "kv2": found}) is None


def test_store_with_a_host_that_could_not_be_read_is_checked():
    assert pf.store_pending("etcd", ["kv1", "kv2"], {"kv1": _presence()}) is None


def test_store_that_runs_elsewhere_is_checked():
    assert pf.store_pending("consul", [], {}) is None


def test_presence_leaves_out_unreachable_failed_and_skipped_hosts():
    results = {"results": [
        {"item": "kv1", "store_presence": _presence()},
        {"item": "kv2", "unreachable": True, "msg": "ssh: connect to host kv2 port 22: No route to host"},
        {"item": "kv3", "failed": True, "msg": "MODULE FAILURE"},
        {"item": "kv4", "skipped": True}]}
    assert pf.store_presence_by_host(results) == {"kv1": _presence()}


def test_pending_store_is_its_own_cell_with_a_note_and_no_failure():
    report = pf.evaluate(["n1", "n2"], _fleet(), dict(SETTINGS, store_pending="will be created by site.yml: kv ..."))
    lines = pf.render_table(report)
    assert report["failed"] == [] and "PENDING[1]" in lines[2] and lines[4] == "[1] n1 store: will be created by site.yml: kv ..."


def test_a_bad_store_url_fails_even_when_the_store_is_pending():
    report = pf.evaluate(["n1"], _fleet(), dict(SETTINGS, store_problem="not a store URL", store_pending="will be created"))
    assert report["failed"] == [("n1", "store", "not a store URL")]


def test_store_pending_filter_takes_the_store_from_the_url():
    from ansible_collections.cnm.overlay.plugins.filter import preflight as filters
    results = {"results": [{"item": "kv", "store_presence": _presence()}]}
    assert filters.preflight_store_pending(results, ["kv"], "etcd://10.0.0.5:2379") == (
        "will be created by site.yml: kv has no etcd data and runs no etcd yet")
    assert filters.preflight_store_pending({"results": [], "skipped": True}, [], "consul://kv:8500") == ""


def test_store_presence_reads_data_dirs_and_running_processes(tmp_path):
    from ansible_collections.cnm.overlay.plugins.module_utils import _host_probe
    empty, skeleton, used = (tmp_path / name for name in ("empty", "skeleton", "used"))
    for directory in (empty, skeleton, used):
        directory.mkdir()
    (skeleton / ".bashrc").write_text("")
    (used / "node-id").write_text("abc")
    proc = tmp_path / "proc"
    for pid, comm in (("1", "tini"), ("42", "consul")):
        (proc / pid).mkdir(parents=True)
        (proc / pid / "comm").write_text(comm + "\n")
    presence = _host_probe.store_presence([str(empty), str(skeleton), str(used), str(tmp_path / "missing")],
                                          ["consul", "etcd"], proc=str(proc))
    assert presence == {"data_dirs": [str(used)], "processes": ["consul"]}


def test_a_store_that_never_answers_is_named_with_the_timeout_that_bounds_the_wait():
    import socket
    from ansible_collections.cnm.overlay.plugins.module_utils import _host_probe

    # A listener on loopback that takes the connection and never answers, as a store behind a stuck proxy.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = "http://127.0.0.1:%d/v1/status/leader" % listener.getsockname()[1]
        answers = _host_probe.store_answers([url], 1)
    assert pf.store_problem("consul", answers) == "%s: Request failed: no answer within 1 s (timed out)" % url


def test_swarm_probes_the_data_path_port_it_is_given():
    targets = pf.probe_targets({"n1": "10.0.0.1", "n2": "10.0.0.2"}, [], "swarm", "n1", "4790")
    assert [(t["proto"], t["port"]) for t in targets] == [("tcp", 7946), ("udp", 7946), ("udp", 4790)]


def test_kv_mode_probes_vxlans_4789_whatever_the_swarm_port():
    assert pf.probe_ports("kv", False, 4790) == ["tcp/7946", "udp/7946", "udp/4789"]


def test_data_path_port_that_is_no_port_is_named():
    with pytest.raises(ValueError, match="preflight_data_path_port .cnm_overlay_data_path_port. 'vxlan' is not a UDP port"):
        pf.probe_ports("swarm", True, "vxlan")


def _swarm_fleet(port):
    facts = _fleet()
    checks = ["tcp/7946", "udp/7946", "udp/%d" % port, "tcp/2377"]
    for host, peer in (("n1", "n2"), ("n2", "n1")):
        facts[host]["engine_version"] = "26.1.5+dfsg1"
        facts[host]["listener"] = {"ports": dict((check, {"mode": "bound", "heard": [peer], "waited": 5}) for check in checks)}
        facts[host]["sender"]["results"] = [_sent(peer, check) for check in checks]
    return facts


def test_swarm_report_has_the_chosen_data_path_port_as_its_column():
    settings = dict(SETTINGS, control_plane="swarm", data_path_port=4790, managers=["n1"])
    report = pf.evaluate(["n1", "n2"], _swarm_fleet(4790), settings)
    assert ("udp/4790" in report["checks"], "udp/4789" in report["checks"], report["failed"]) == (True, False, [])


def test_blocked_data_path_port_fails_with_a_fix_naming_that_port():
    facts = _swarm_fleet(4790)
    facts["n2"]["listener"]["ports"]["udp/4790"]["heard"] = []
    report = pf.evaluate(["n1", "n2"], facts, dict(SETTINGS, control_plane="swarm", data_path_port=4790, managers=["n1"]))
    assert report["failed"] == [("n2", "udp/4790", "not reached from n1 (nothing received in 5s)")]
    assert "udp/4790 failed on n2: open UDP 4790 (VXLAN data path) between all docker hosts" in pf.failure_message(report)


# --- the overlay check's image ---------------------------------------------------------------

IMAGE_SETTINGS = dict(SETTINGS, check_image="busybox:latest", check_image_hosts=["n1", "n2"])


def _with_image(sources):
    facts = _fleet()
    for host, source in sources.items():
        facts[host]["image"] = {"image": "busybox:latest", "source": source,
                                "error": "" if source else "Docker daemon error (GET /distribution/busybox:latest/json,"
                                                           " HTTP 500): dial tcp: lookup registry: no such host"}
    return facts


def test_image_on_the_host_or_in_its_registry_passes():
    report = pf.evaluate(["n1", "n2"], _with_image({"n1": "local", "n2": "registry"}), IMAGE_SETTINGS)
    assert ("image" in report["checks"], report["failed"]) == (True, [])


def test_image_neither_local_nor_pullable_fails_naming_the_image_and_the_engines_answer():
    report = pf.evaluate(["n1", "n2"], _with_image({"n1": "local", "n2": ""}), IMAGE_SETTINGS)
    assert [(host, check) for host, check, _reason in report["failed"]] == [("n2", "image")]
    assert report["failed"][0][2].startswith("check image busybox:latest is not on this host and its engine cannot pull it: ")
    assert "no such host" in report["failed"][0][2]


def test_image_failure_message_names_the_variable_to_set():
    report = pf.evaluate(["n1", "n2"], _with_image({"n1": "", "n2": ""}), IMAGE_SETTINGS)
    message = pf.failure_message(report)
    assert "image failed on n1, n2: set cnm_overlay_check_image" in message and "before any change" in message


def test_image_is_not_checked_on_hosts_the_check_does_not_use():
    report = pf.evaluate(["n1", "n2"], _with_image({"n1": "local", "n2": ""}), dict(IMAGE_SETTINGS, check_image_hosts=["n1"]))
    assert (report["failed"], report["rows"]["n2"]["image"]["status"]) == ([], pf.SKIP)


def test_image_on_a_host_without_engine_yet_is_skipped():
    facts = _with_image({"n1": "local"})
    facts["n2"]["engine_version"] = ""
    report = pf.evaluate(["n1", "n2"], facts, dict(IMAGE_SETTINGS, engine_missing_ok=True))
    assert (report["failed"], report["rows"]["n2"]["image"]["status"]) == ([], pf.SKIP)


def test_no_check_image_means_no_image_column():
    assert "image" not in pf.evaluate(["n1", "n2"], _fleet(), SETTINGS)["checks"]


def test_image_is_a_check_name_preflight_checks_accepts():
    report = pf.evaluate(["n1", "n2"], _with_image({"n1": "local", "n2": "local"}), dict(IMAGE_SETTINGS, checks=["image"]))
    assert report["checks"] == ["image"]
