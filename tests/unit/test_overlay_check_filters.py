"""Unit tests of overlay_check's decisions (plugins/filter/overlay_check.py): who takes part in the check, and
what an earlier run left of a sandbox that must go before its start. The network and container shapes are
those of the Engine API (Docker 20.10 with a cluster store: another host's endpoint is keyed ep-<endpoint ID>)."""

import pytest

import json

from ansible_collections.cnm.overlay.plugins.filter.overlay_check import (overlay_check_participants,
                                                                          overlay_check_remedies, overlay_check_rows,
                                                                          overlay_check_sandbox_plan)

INVENTORY = ["kv", "n1", "n2", "n3"]
OWN_ID = "0cef8f375ef8" + "0" * 52


def participants(check_hosts, run_hosts=("n1", "n2", "n3")):
    return overlay_check_participants(check_hosts, INVENTORY, list(run_hosts))


def test_every_check_host_in_the_run_takes_part_without_a_message():
    assert participants(["n1", "n2"]) == dict(taking_part=["n1", "n2"], left_out=[], run=True, message="", problems=[])


def test_a_check_host_left_out_by_limit_is_skipped_and_the_check_runs_between_the_others():
    result = participants(["n1", "n2", "n3"], run_hosts=["n1", "n3"])
    assert (result["taking_part"], result["left_out"], result["run"]) == (["n1", "n3"], ["n2"], True)
    assert result["message"] == ("overlay_check: n2 of overlay_check_hosts is not in this run (left out by --limit, "
                                 "failed earlier, or not a host of this play): the check runs between n1, n3.")
    assert result["problems"] == []


def test_with_fewer_than_two_check_hosts_in_the_run_the_check_is_skipped_not_failed():
    result = participants(["n1", "n2"], run_hosts=["n1"])
    assert (result["taking_part"], result["left_out"], result["run"], result["problems"]) == (["n1"], ["n2"], False, [])
    assert result["message"].endswith("the check is skipped, it needs two of them in the run.")


def test_several_hosts_left_out_are_named_together():
    result = participants(["n1", "n2", "n3"], run_hosts=[])
    assert result["message"].startswith("overlay_check: n1, n2, n3 of overlay_check_hosts are not in this run")
    assert not result["run"]


@pytest.mark.parametrize("check_hosts, problem", [
    (["n1"], "overlay_check_hosts must name at least two hosts of the inventory (got ['n1'])."),
    ([], "overlay_check_hosts must name at least two hosts of the inventory (got [])."),
    (["n1", "n9"], "overlay_check_hosts names hosts the inventory does not have: n9 (got ['n1', 'n9'])."),
    (["n1", "n1"], "overlay_check_hosts names a host more than once: n1 (got ['n1', 'n1'])."),
    ("n1,n2", "overlay_check_hosts must be a list of at least two inventory hosts (got 'n1,n2')."),
    (None, "overlay_check_hosts must be a list of at least two inventory hosts (got None)."),
])
def test_bad_check_hosts_are_a_problem_naming_the_variable(check_hosts, problem):
    result = participants(check_hosts)
    assert result["problems"] == [problem]
    assert (result["taking_part"], result["run"]) == ([], False)


def test_a_host_unknown_to_the_inventory_is_bad_input_even_when_the_others_run():
    assert participants(["n1", "n2", "n9"])["problems"] == [
        "overlay_check_hosts names hosts the inventory does not have: n9 (got ['n1', 'n2', 'n9'])."]


# -- the sandbox before its start ----------------------------------------------------------

def endpoint(name, endpoint_id="7f9018d46120" + "1" * 52):
    return {"Name": name, "EndpointID": endpoint_id, "IPv4Address": "10.20.0.3/24"}


def network(**endpoints):
    return {"Name": "appnet", "Scope": "global", "Containers": endpoints}


def container(status, running=None):
    return {"Id": OWN_ID, "Name": "/c2", "State": {"Status": status, "Running": status == "running" if running is None
                                                   else running}}


def plan(existing, seen):
    return overlay_check_sandbox_plan("c2", existing, seen)


def test_nothing_to_remove_on_a_fresh_host():
    assert plan(None, network()) == dict(remove_container=False, remove_endpoint=False)


def test_a_kept_sandbox_running_on_the_network_stays():
    expected = dict(remove_container=False, remove_endpoint=False)
    assert plan(container("running"), network(**{OWN_ID: endpoint("c2")})) == expected


def test_a_stale_endpoint_of_the_name_without_a_container_is_removed():
    # As n2 lists it after its sandbox's removal missed the cluster store.
    stale = network(**{"ep-7f9018d46120" + "1" * 52: endpoint("c2"), "ep-634cfa89c84a": endpoint("c1", "634cfa89c84a")})
    assert plan(None, stale) == dict(remove_container=False, remove_endpoint=True)


def test_a_failed_starts_created_container_and_the_stale_endpoint_both_go():
    stale = network(**{"ep-7f9018d46120" + "1" * 52: endpoint("c2")})
    assert plan(container("created"), stale) == dict(remove_container=True, remove_endpoint=True)


@pytest.mark.parametrize("status", ["created", "exited", "dead"])
def test_a_sandbox_that_is_not_running_is_made_again(status):
    assert plan(container(status), network()) == dict(remove_container=True, remove_endpoint=False)


def test_a_running_sandbox_on_a_network_made_anew_is_made_again():
    # The new network does not list it (docker_container compares networks by name only).
    assert plan(container("running"), network(**{"ep-634cfa89c84a": endpoint("c1", "634cfa89c84a")})) == dict(
        remove_container=True, remove_endpoint=False)


def test_other_sandboxes_endpoints_are_not_ours_to_remove():
    seen = network(**{"ep-634cfa89c84a": endpoint("c1", "634cfa89c84a"), "ep-1": endpoint("c22", "1" * 64)})
    assert plan(None, seen) == dict(remove_container=False, remove_endpoint=False)


def test_a_host_that_does_not_see_the_network_yet_makes_its_container_again():
    # A swarm worker lists an attachable overlay once a container uses it: the sandbox starts anew, by the name.
    assert plan(container("created"), None) == dict(remove_container=True, remove_endpoint=False)
    assert plan(None, None) == dict(remove_container=False, remove_endpoint=False)


# -- the table's rows and the remedies' message -------------------------------------------------

PING_OK = "3 packets transmitted, 3 received, 0% packet loss\nround-trip min/avg/max = 0.101/0.250/0.400 ms"


def ping_result(peer, pings, **remedies):
    return {"item": peer, "stdout": json.dumps(dict({"mtu": 1450, "warmup": 1, "pings": pings}, **remedies))}


def test_rows_name_each_peer_and_kind_with_loss_rtt_and_the_error():
    results = [ping_result("n2", [{"kind": "name", "rc": 1, "stdout": "", "stderr": "ping: bad address 'c2'\n"},
                                  {"kind": "address", "rc": 0, "stdout": PING_OK},
                                  {"kind": "df", "rc": 0, "stdout": PING_OK}])]
    rows = overlay_check_rows(results, "c1@n1", {"n2": "c2"})
    assert [(row["dst"], row["via"], row["loss"], row["rtt"], row["ok"]) for row in rows] == [
        ("c2@n2", "name", "-", "-", False), ("c2@n2", "address", "0%", "0.250", True),
        ("c2@n2", "df(1450)", "0%", "0.250", True)]
    assert rows[0]["error"] == "ping: bad address 'c2'" and rows[0]["src"] == "c1@n1"


def test_a_ping_run_without_json_is_one_failed_row_with_its_error():
    rows = overlay_check_rows([{"item": "n2", "stdout": "", "stderr": "Traceback\nOSError: no such process"}],
                              "c1@n1", {"n2": "c2"})
    assert [(row["via"], row["ok"], row["error"]) for row in rows] == [("run", False, "OSError: no such process")]


def test_no_remedy_no_message():
    assert overlay_check_remedies([ping_result("n2", [])], "c1@n1", {"n2": "c2"}, "multi") == ""


def test_the_message_names_the_nudged_peers_and_says_when_the_sandbox_joined_again():
    results = [ping_result("n2", [], nudged=True), ping_result("n3", [], nudged=True, rejoined=True),
               ping_result("n4", [])]
    message = overlay_check_remedies(results, "c1@n1", {"n2": "c2", "n3": "c3", "n4": "c4"}, "multi")
    assert message.startswith("overlay_check: c1@n1 did not resolve c2, c3 by name while the address answered.")
    assert "joined multi so that every engine reads its endpoints again" in message
    assert "the sandbox left the network and joined it again so that its engine watches the store anew" in message
    only_nudged = overlay_check_remedies(results[:1], "c1@n1", {"n2": "c2"}, "multi")
    assert "joined it again" not in only_nudged
