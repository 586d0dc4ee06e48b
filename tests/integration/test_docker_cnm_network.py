"""docker_cnm_network against the real engine: every option, bad input, force, drivers.

Networks are named cnmt-net-*, addresses come from 10.201.0.0/16 and fd00:201::/48.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest


MODULE = "docker_cnm_network"
SUPPORT = Path(__file__).resolve().parent.parent / "support"
SANDBOX_IMAGE = "cnm-lab/sandbox:latest"


@pytest.fixture
def run_module(module_runner):
    """Runs a module file of the collection directly (tests/conftest.py)."""
    return module_runner


def new_name(kind="net"):
    return "cnmt-%s-%s" % (kind, uuid.uuid4().hex[:8])


def docker(*args, check=True):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True, check=check, timeout=120)


@pytest.fixture
def names(docker_api):
    """Hands out cnmt-net-* names and removes every network (and container) so named afterwards."""
    given = []

    def make(kind="net"):
        name = new_name(kind)
        given.append(name)
        return name

    yield make
    for name in given:
        for container in docker_api.containers(all=True, filters={"name": "^/%s$" % name}):
            docker_api.remove_container(container["Id"], force=True)
    for name in given:
        for network in docker_api.networks(names=[name]):
            if network["Name"] == name:
                docker_api.remove_network(network["Id"])


def network_ids(docker_api):
    """The networks of these tests (the engine is shared: other work makes networks too)."""
    return sorted(network["Id"] for network in docker_api.networks() if network["Name"].startswith("cnmt-net-"))


def inspect(docker_api, name):
    matches = [network for network in docker_api.networks() if network["Name"] == name]
    return docker_api.inspect_network(matches[0]["Id"]) if matches else None


def run_container(name, network, *extra):
    docker("run", "-d", "--init", "--name", name, "--network", network, *extra, SANDBOX_IMAGE, "sleep", "3600")


# -- every option: check mode, create, idempotent, idempotent check mode, then a change -------

DUAL_STACK = [dict(subnet="10.201.12.0/24"), dict(subnet="fd00:201:12::/64", gateway="fd00:201:12::1")]
OPTION_CASES = {
    "driver": (dict(driver="bridge"), dict(driver="macvlan"), "driver"),
    "driver_options": (dict(driver_options={"com.docker.network.driver.mtu": 1400}),
                       dict(driver_options={"com.docker.network.driver.mtu": 1300}), "driver_options"),
    "driver_options_removed": (dict(driver_options={"com.docker.network.driver.mtu": 1400,
                                                    "com.docker.network.bridge.enable_icc": False}),
                               dict(driver_options={"com.docker.network.driver.mtu": 1400}), "driver_options"),
    "ipam_driver": (dict(ipam_driver="default"), dict(ipam_driver="null"), "ipam_driver"),
    "ipam_options": (dict(ipam_options={"cnmt": "1"}), dict(ipam_options={}), "ipam_options"),
    "ipam_config": (dict(ipam_config=[dict(subnet="10.201.11.0/24", gateway="10.201.11.1",
                                           ip_range="10.201.11.128/25", aux_addresses=dict(r="10.201.11.2"))]),
                    dict(ipam_config=[dict(subnet="10.201.11.0/24", gateway="10.201.11.3")]), "ipam_config"),
    "enable_ipv6": (dict(enable_ipv6=True, ipam_config=DUAL_STACK),
                    dict(enable_ipv6=True, ipam_config=DUAL_STACK[:1] + [dict(subnet="fd00:201:13::/64")]), "ipam_config"),
    "ipv6_off": (dict(enable_ipv6=False), dict(enable_ipv6=True), "enable_ipv6"),
    "internal": (dict(internal=True), dict(internal=False), "internal"),
    "attachable": (dict(attachable=True), dict(attachable=False), "attachable"),
    "scope": (dict(scope="local"), dict(scope="swarm"), "scope"),
    "labels": (dict(labels={"cnmt.role": "test", "n": 1}), dict(labels={"cnmt.role": "test"}), "labels"),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_option_four_steps_then_a_change(case, names, docker_api, run_module):
    args, changed_args, option = OPTION_CASES[case]
    name = names()
    args = dict(args, name=name)
    before = network_ids(docker_api)

    checked = run_module(MODULE, args, check=True, diff=True)
    assert checked["changed"] and not checked["failed"], checked
    assert checked["network"]["Name"] == name and checked["network"]["Id"] is None
    assert checked["diff"]["before"] == {} and checked["diff"]["after"]
    assert network_ids(docker_api) == before

    created = run_module(MODULE, args)
    assert created["changed"] and created["actions"] == ["create network %s" % name], created
    real = inspect(docker_api, name)
    assert created["network"]["Id"] == real["Id"] and len(real["Id"]) == 64

    again = run_module(MODULE, args)
    assert not again["changed"] and again["actions"] == [], again
    again_check = run_module(MODULE, args, check=True, diff=True)
    assert not again_check["changed"], again_check
    assert again_check["diff"]["before"] == again_check["diff"]["after"]

    different = run_module(MODULE, dict(changed_args, name=name), diff=True)
    assert different["failed"], different
    assert option in different["msg"] and "force: true" in different["msg"], different["msg"]
    assert inspect(docker_api, name)["Id"] == real["Id"]


def test_given_options_match_the_daemon_state(names, docker_api, run_module):
    name = names()
    args = dict(name=name, driver_options={"com.docker.network.driver.mtu": 1400, "com.docker.network.bridge.enable_icc": False},
                ipam_config=[dict(subnet="10.201.14.0/24", gateway="10.201.14.1", aux_addresses=dict(r="10.201.14.2"))],
                labels={"n": 7}, internal=True)
    assert run_module(MODULE, args)["changed"]
    real = inspect(docker_api, name)
    assert real["Options"] == {"com.docker.network.driver.mtu": "1400", "com.docker.network.bridge.enable_icc": "false"}
    assert real["Labels"] == {"n": "7"} and real["Internal"] is True
    assert real["IPAM"]["Config"] == [{"Subnet": "10.201.14.0/24", "Gateway": "10.201.14.1",
                                       "AuxiliaryAddresses": {"r": "10.201.14.2"}}]


def test_unchanged_when_only_the_daemon_adds_things(names, docker_api, run_module):
    name = names()
    assert run_module(MODULE, dict(name=name))["changed"]
    # The daemon picked subnet and gateway itself: a task that names neither is unchanged.
    assert not run_module(MODULE, dict(name=name, driver="bridge", labels={}))["changed"]


def test_ipv6_addresses_compare_in_normal_form(names, docker_api, run_module):
    name = names()
    args = dict(name=name, enable_ipv6=True, ipam_config=[dict(subnet="fd00:201:15:0::/64", gateway="fd00:201:15:0::1")])
    assert run_module(MODULE, args)["changed"]
    respelled = dict(args, ipam_config=[dict(subnet="FD00:201:15::/64", gateway="fd00:201:15::0001")])
    assert not run_module(MODULE, respelled)["changed"]


# -- bad input: a clear message and nothing changed -----------------------------------------

BAD_INPUTS = {
    "host_bits": (dict(ipam_config=[dict(subnet="10.201.20.5/24")]), ["ipam_config[0].subnet", "host bits", "10.201.20.0/24"]),
    "gateway_outside": (dict(ipam_config=[dict(subnet="10.201.20.0/24", gateway="10.201.21.1")]),
                        ["ipam_config[0].gateway", "outside subnet"]),
    "gateway_network_address": (dict(ipam_config=[dict(subnet="10.201.20.0/24", gateway="10.201.20.0")]),
                                ["gateway", "network address"]),
    "gateway_broadcast": (dict(ipam_config=[dict(subnet="10.201.20.0/24", gateway="10.201.20.255")]),
                          ["gateway", "broadcast address"]),
    "ip_range_outside": (dict(ipam_config=[dict(subnet="10.201.20.0/24", ip_range="10.201.22.0/25")]),
                         ["ipam_config[0].ip_range", "not inside subnet"]),
    "aux_outside": (dict(ipam_config=[dict(subnet="10.201.20.0/24", aux_addresses=dict(a="10.201.23.1"))]),
                    ["aux_addresses.a", "outside subnet"]),
    "aux_duplicate": (dict(ipam_config=[dict(subnet="10.201.20.0/24", aux_addresses=dict(a="10.201.20.9", b="10.201.20.9"))]),
                      ["aux_addresses.b", "also aux address"]),
    "aux_is_gateway": (dict(ipam_config=[dict(subnet="10.201.20.0/24", gateway="10.201.20.1",
                                              aux_addresses=dict(gw="10.201.20.1"))]), ["aux_addresses.gw", "gateway"]),
    "overlapping_subnets": (dict(ipam_config=[dict(subnet="10.201.20.0/23"), dict(subnet="10.201.21.0/24")]),
                            ["ipam_config[1].subnet", "overlaps ipam_config[0].subnet"]),
    "ipv6_without_enable": (dict(ipam_config=[dict(subnet="fd00:201:20::/64")]), ["enable_ipv6: true"]),
    "scope_on_old_api": (dict(scope="local", api_version="1.29"), ["scope needs Docker API 1.30"]),
    "option_beside_networks": (dict(name=None, labels={"a": 1}, networks=[dict(name="cnmt-net-x")]),
                               ["labels given beside networks"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_the_field_and_changes_nothing(case, names, docker_api, run_module):
    args, words = BAD_INPUTS[case]
    args = dict(dict(name=names()), **args)
    if args["name"] is None:
        del args["name"]
    before = network_ids(docker_api)
    result = run_module(MODULE, args)
    assert result["failed"], result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"]
    assert network_ids(docker_api) == before


def test_subnet_overlapping_another_network_of_the_daemon(names, docker_api, run_module):
    other = names()
    docker("network", "create", "--subnet", "10.201.30.0/24", other)
    before = network_ids(docker_api)
    result = run_module(MODULE, dict(name=names(), ipam_config=[dict(subnet="10.201.30.128/25")]))
    assert result["failed"]
    assert "10.201.30.128/25 overlaps subnet 10.201.30.0/24 of network %s" % other in result["msg"]
    assert "Pool overlaps" not in result["msg"]
    assert network_ids(docker_api) == before


def test_name_matching_several_networks(names, docker_api, run_module):
    name = names()
    docker_api.create_network(name, check_duplicate=False)
    docker_api.create_network(name, check_duplicate=False)
    before = network_ids(docker_api)
    for state in ("present", "absent"):
        result = run_module(MODULE, dict(name=name, state=state, labels={}))
        assert result["failed"] and "matches 2 networks" in result["msg"], result
    assert network_ids(docker_api) == before


def test_one_bad_item_of_a_list_changes_nothing(names, docker_api, run_module):
    good, bad = names(), names()
    before = network_ids(docker_api)
    result = run_module(MODULE, dict(networks=[dict(name=good), dict(name=bad, ipam_config=[dict(subnet="10.201.31.1/24")])]))
    assert result["failed"] and "networks[1].ipam_config[0].subnet" in result["msg"], result
    assert network_ids(docker_api) == before


def test_overlap_between_items_of_a_list(names, docker_api, run_module):
    before = network_ids(docker_api)
    result = run_module(MODULE, dict(networks=[dict(name=names(), ipam_config=[dict(subnet="10.201.32.0/24")]),
                                               dict(name=names(), ipam_config=[dict(subnet="10.201.32.0/25")])]))
    assert result["failed"] and "in this task" in result["msg"], result
    assert network_ids(docker_api) == before


@pytest.mark.parametrize("host", ["unix:///tmp/cnmt-net-missing.sock", "tcp://127.0.0.1:1"])
def test_unreachable_daemon_is_a_clear_error(host, run_module):
    result = run_module(MODULE, dict(name="cnmt-net-unreachable", docker_host=host, timeout=5))
    assert result["failed"] and "Cannot reach the Docker daemon" in result["msg"], result
    assert "Traceback" not in json.dumps(result)


def test_daemon_error_is_a_clear_message(names, docker_api, run_module):
    # macvlan on a parent that does not exist: the daemon refuses, the module says so.
    result = run_module(MODULE, dict(name=names(), driver="macvlan", driver_options={"parent": "cnmt-nope0"}))
    assert result["failed"] and "Docker daemon error" in result["msg"] and "cnmt-nope0" in result["msg"], result


# -- the list form -------------------------------------------------------------------------

def test_networks_list_creates_checks_and_removes(names, docker_api, run_module):
    specs = [dict(name=names(), labels={"i": index}, ipam_config=[dict(subnet="10.201.%d.0/24" % (40 + index))])
             for index in range(3)]
    checked = run_module(MODULE, dict(networks=specs), check=True, diff=True)
    assert checked["changed"] and [item["network"]["Id"] for item in checked["networks"]] == [None] * 3
    assert sorted(checked["diff"]["after"]) == sorted(spec["name"] for spec in specs)
    created = run_module(MODULE, dict(networks=specs))
    assert created["changed"] and all(item["changed"] for item in created["networks"])
    assert all(inspect(docker_api, spec["name"])["Labels"] == {"i": str(index)} for index, spec in enumerate(specs))
    assert not run_module(MODULE, dict(networks=specs))["changed"]
    assert not run_module(MODULE, dict(networks=specs), check=True)["changed"]
    removed = run_module(MODULE, dict(state="absent", networks=[dict(name=spec["name"]) for spec in specs]))
    assert removed["changed"] and all(inspect(docker_api, spec["name"]) is None for spec in specs)


# -- absent, predefined networks --------------------------------------------------------------

def test_absent_four_steps(names, docker_api, run_module):
    name = names()
    docker("network", "create", name)
    checked = run_module(MODULE, dict(name=name, state="absent"), check=True, diff=True)
    assert checked["changed"] and checked["diff"]["after"] == {} and inspect(docker_api, name) is not None
    assert run_module(MODULE, dict(name=name, state="absent"))["changed"]
    assert inspect(docker_api, name) is None
    assert not run_module(MODULE, dict(name=name, state="absent"))["changed"]
    assert not run_module(MODULE, dict(name=name, state="absent"), check=True)["changed"]


def test_absent_with_endpoints_fails_unless_force(names, docker_api, run_module):
    name, container = names(), names("net-c")
    docker("network", "create", name)
    run_container(container, name)
    result = run_module(MODULE, dict(name=name, state="absent"))
    assert result["failed"] and container in result["msg"] and "force: true" in result["msg"], result
    assert inspect(docker_api, name) is not None
    forced = run_module(MODULE, dict(name=name, state="absent", force=True))
    assert forced["changed"], forced
    assert forced["actions"] == ["disconnect container %s from network %s" % (container, name), "remove network %s" % name]
    assert inspect(docker_api, name) is None
    assert docker_api.inspect_container(container)["State"]["Running"]


@pytest.mark.parametrize("predefined", ["bridge", "host", "none"])
def test_predefined_networks_are_reported_never_changed(predefined, docker_api, run_module):
    before = inspect(docker_api, predefined)
    shown = run_module(MODULE, dict(name=predefined))
    assert not shown["changed"] and shown["network"]["Id"] == before["Id"], shown
    removed = run_module(MODULE, dict(name=predefined, state="absent", force=True))
    assert removed["failed"] and "predefine" in removed["msg"], removed
    relabelled = run_module(MODULE, dict(name=predefined, labels={"x": "1"}, force=True))
    assert relabelled["failed"] and "never recreated" in relabelled["msg"], relabelled
    assert inspect(docker_api, predefined)["Id"] == before["Id"]


# -- force: recreate and reconnect this host's containers --------------------------------------

def test_force_recreates_and_reconnects_with_aliases_addresses_and_links(names, docker_api, run_module):
    name, web, db = names(), names("net-c"), names("net-c")
    args = dict(name=name, labels={"v": "1"}, ipam_config=[dict(subnet="10.201.50.0/24", gateway="10.201.50.1")])
    assert run_module(MODULE, args)["changed"]
    run_container(db, name, "--ip", "10.201.50.20")
    run_container(web, name, "--ip", "10.201.50.10", "--network-alias", "www", "--link", "%s:database" % db)
    old_id = inspect(docker_api, name)["Id"]

    refused = run_module(MODULE, dict(args, labels={"v": "2"}))
    assert refused["failed"] and "labels: wanted {v: 2}, network has {v: 1}" in refused["msg"]

    checked = run_module(MODULE, dict(args, labels={"v": "2"}, force=True), check=True, diff=True)
    assert checked["changed"] and checked["diff"] == {"before": {"labels": {"v": "1"}}, "after": {"labels": {"v": "2"}}}
    assert inspect(docker_api, name)["Id"] == old_id

    result = run_module(MODULE, dict(args, labels={"v": "2"}, force=True))
    assert result["changed"], result
    real = inspect(docker_api, name)
    assert real["Id"] != old_id and real["Labels"] == {"v": "2"}
    assert real["IPAM"]["Config"] == [{"Subnet": "10.201.50.0/24", "Gateway": "10.201.50.1"}]
    endpoint = docker_api.inspect_container(web)["NetworkSettings"]["Networks"][name]
    assert endpoint["IPAMConfig"]["IPv4Address"] == "10.201.50.10" and endpoint["IPAddress"] == "10.201.50.10"
    assert "www" in endpoint["Aliases"]
    assert endpoint["Links"] == ["%s:database" % db]
    assert docker_api.inspect_container(db)["NetworkSettings"]["Networks"][name]["IPAddress"] == "10.201.50.20"
    assert any(action.startswith("reconnect container %s" % web) for action in result["actions"])
    assert not run_module(MODULE, dict(args, labels={"v": "2"}))["changed"]


def test_force_keeps_options_the_task_does_not_mention(names, docker_api, run_module):
    name = names()
    docker("network", "create", "--subnet", "10.201.51.0/24", "-o", "com.docker.network.driver.mtu=1400",
           "--label", "a=1", name)
    assert run_module(MODULE, dict(name=name, internal=True, force=True))["changed"]
    real = inspect(docker_api, name)
    assert real["Internal"] and real["Labels"] == {"a": "1"}
    assert real["Options"] == {"com.docker.network.driver.mtu": "1400"}
    assert real["IPAM"]["Config"][0]["Subnet"] == "10.201.51.0/24"


# -- the module and the CLI make the same network -------------------------------------------

def _comparable(network):
    keys = ("Driver", "Scope", "EnableIPv6", "Internal", "Attachable", "IPAM", "Options", "Labels", "Ingress",
            "ConfigOnly")
    return dict((key, network.get(key)) for key in keys)


def test_module_and_cli_make_the_same_network(names, docker_api, run_module):
    cli_name, module_name = names(), names()
    docker("network", "create", "--driver", "bridge", "-o", "com.docker.network.driver.mtu=1400",
           "-o", "com.docker.network.bridge.enable_icc=false", "--ipam-driver", "default", "--ipam-opt", "cnmt=1",
           "--subnet", "10.201.60.0/24", "--gateway", "10.201.60.1", "--ip-range", "10.201.60.128/25",
           "--aux-address", "router=10.201.60.2", "--ipv6", "--subnet", "fd00:201:60::/64",
           "--gateway", "fd00:201:60::1", "--internal", "--attachable", "--scope", "local",
           "--label", "tier=test", "--label", "n=1", cli_name)
    from_cli = _comparable(inspect(docker_api, cli_name))
    docker("network", "rm", cli_name)
    result = run_module(MODULE, dict(
        name=module_name, driver="bridge",
        driver_options={"com.docker.network.driver.mtu": 1400, "com.docker.network.bridge.enable_icc": False},
        ipam_driver="default", ipam_options={"cnmt": 1},
        ipam_config=[dict(subnet="10.201.60.0/24", gateway="10.201.60.1", ip_range="10.201.60.128/25",
                          aux_addresses=dict(router="10.201.60.2")),
                     dict(subnet="fd00:201:60::/64", gateway="fd00:201:60::1")],
        enable_ipv6=True, internal=True, attachable=True, scope="local", labels={"tier": "test", "n": 1}))
    assert result["changed"], result
    assert _comparable(inspect(docker_api, module_name)) == from_cli


# -- drivers: macvlan on a test interface, a remote driver plugin --------------------------------

@pytest.fixture
def parent_link():
    """A veth pair as a macvlan parent (this kernel has no dummy link type)."""
    name = "cnmtnet%s" % uuid.uuid4().hex[:6]
    subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"], check=True)
    yield name
    subprocess.run(["ip", "link", "del", name], check=False)


def test_macvlan_four_steps(names, docker_api, parent_link, run_module):
    name = names()
    args = dict(name=name, driver="macvlan", driver_options={"parent": parent_link, "macvlan_mode": "bridge"},
                ipam_config=[dict(subnet="10.201.70.0/24", gateway="10.201.70.1")])
    assert run_module(MODULE, args, check=True)["changed"] and inspect(docker_api, name) is None
    assert run_module(MODULE, args)["changed"]
    real = inspect(docker_api, name)
    assert real["Driver"] == "macvlan" and real["Options"]["parent"] == parent_link
    assert not run_module(MODULE, args)["changed"]
    assert not run_module(MODULE, args, check=True)["changed"]
    changed = run_module(MODULE, dict(args, driver_options={"parent": parent_link, "macvlan_mode": "private"}))
    assert changed["failed"] and "driver_options" in changed["msg"]


@pytest.fixture
def remote_driver(tmp_path):
    """The test network plugin, discovered by dockerd under /run/docker/plugins."""
    name = "cnmt-net-plugin"
    socket_path = "/run/docker/plugins/%s.sock" % name
    log_path = tmp_path / "requests.jsonl"
    log_path.touch()
    proc = subprocess.Popen([sys.executable, str(SUPPORT / "network_plugin.py"), socket_path, str(log_path)])
    for _attempt in range(50):
        if os.path.exists(socket_path):
            break
        time.sleep(0.1)
    yield name, log_path
    proc.terminate()
    proc.wait(timeout=10)
    if os.path.exists(socket_path):
        os.unlink(socket_path)


def test_remote_driver_plugin(names, docker_api, remote_driver, run_module):
    driver, log_path = remote_driver
    name = names()
    args = dict(name=name, driver=driver, driver_options={"cnmt.colour": "blue"}, labels={"k": "v"},
                ipam_config=[dict(subnet="10.201.80.0/24")])
    assert run_module(MODULE, args, check=True)["changed"]
    created = run_module(MODULE, args)
    assert created["changed"], created
    assert inspect(docker_api, name)["Driver"] == driver
    assert not run_module(MODULE, args)["changed"]
    assert not run_module(MODULE, args, check=True)["changed"]
    assert run_module(MODULE, dict(args, labels={"k": "w"}))["failed"]
    assert run_module(MODULE, dict(name=name, state="absent"))["changed"]
    requests = [json.loads(line) for line in log_path.read_text().splitlines()]
    paths = [request["path"] for request in requests]
    assert "/NetworkDriver.CreateNetwork" in paths and "/NetworkDriver.DeleteNetwork" in paths
    create = [request["body"] for request in requests if request["path"] == "/NetworkDriver.CreateNetwork"][0]
    assert create["Options"]["com.docker.network.generic"]["cnmt.colour"] == "blue"
    assert create["IPv4Data"][0]["Pool"] == "10.201.80.0/24"


# -- as a user runs it: ansible-playbook --check --diff ------------------------------------------

def test_playbook_check_diff_shows_before_and_after(names, docker_api, playbook_runner):
    name = names()
    docker("network", "create", "--label", "tier=old", name)
    playbook = """
- name: Network
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Relabel
      cnm.overlay.docker_cnm_network:
        name: %s
        labels:
          tier: new
        force: true
""" % name
    interpreter = "ansible_python_interpreter=%s" % sys.executable
    proc = playbook_runner(playbook, extra_args=["--diff", "-e", interpreter], check=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    diff_lines = [line.replace(" ", "") for line in proc.stdout.splitlines()]
    assert "-tier:old" in diff_lines and "+tier:new" in diff_lines, proc.stdout
    assert "changed=1" in proc.stdout
    assert inspect(docker_api, name)["Labels"] == {"tier": "old"}


def test_list_may_move_a_subnet_from_a_removed_network_to_a_new_one(names, docker_api, run_module):
    old, new = names(), names()
    docker("network", "create", "--subnet", "10.201.52.0/24", old)
    result = run_module(MODULE, dict(networks=[dict(name=old, state="absent"),
                                               dict(name=new, ipam_config=[dict(subnet="10.201.52.0/24")])]))
    assert result["changed"], result
    assert inspect(docker_api, old) is None and inspect(docker_api, new)["IPAM"]["Config"][0]["Subnet"] == "10.201.52.0/24"
