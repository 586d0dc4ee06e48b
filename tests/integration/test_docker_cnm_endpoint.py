"""docker_cnm_endpoint against the real host engine.

Every network and container is this file's own (prefix cnmt-ep-, subnets in 10.202.0.0/16
and fd00:202::/48) and is removed afterwards.
"""

import ipaddress
import itertools
import uuid

import pytest
from docker.errors import APIError
from docker.types import IPAMConfig, IPAMPool


MODULE = "docker_cnm_endpoint"
IMAGE = "cnm-lab/sandbox:latest"
# Third octets of 10.202.N.0/24 for this run: a random start, and make_network skips a taken one.
_SUBNETS = itertools.count(1 + uuid.uuid4().int % 100)


def ep_name(kind):
    return "cnmt-ep-%s-%s" % (kind, uuid.uuid4().hex[:8])


@pytest.fixture
def run_endpoint(module_runner):
    """run_endpoint(args, check=False, diff=False): the module's result for these options."""
    return lambda args, check=False, diff=False: module_runner(MODULE, args, check=check, diff=diff)


def _pools_on_engine(docker_api):
    """Every IPv4 pool the engine's networks hold, as (network name, subnet)."""
    return [(network["Name"], ipaddress.ip_network(pool["Subnet"], strict=False))
            for network in docker_api.networks()
            for pool in (network.get("IPAM") or {}).get("Config") or []
            if "." in (pool.get("Subnet") or "")]


@pytest.fixture
def make_network(docker_api):
    """make_network(ipv6=False, subnet=True) -> (name, subnet index N for 10.202.N.0/24).

    N skips a /24 that a network on the engine holds, and the next N is tried when the daemon
    still answers "Pool overlaps" (CI once hit that with a pool no listed network showed)."""
    made = []

    def make(ipv6=False, subnet=True):
        name = ep_name("net")
        for attempt in range(60):
            index = next(_SUBNETS)
            ipam = None
            if subnet:
                wanted = ipaddress.ip_network("10.202.%d.0/24" % index)
                if any(wanted.overlaps(held) for dummy, held in _pools_on_engine(docker_api)):
                    continue
                pools = [IPAMPool(subnet=str(wanted))]
                if ipv6:
                    pools.append(IPAMPool(subnet="fd00:202:%x::/64" % index))
                ipam = IPAMConfig(pool_configs=pools)
            try:
                docker_api.create_network(name, driver="bridge", ipam=ipam, enable_ipv6=ipv6)
            except APIError as exc:
                if "Pool overlaps" not in str(exc) or attempt == 59:
                    raise AssertionError("%s; the engine's pools: %s" % (exc, _pools_on_engine(docker_api))) from exc
                continue
            made.append(name)
            return name, index
        raise AssertionError("no free /24 in 10.202.0.0/16; the engine's pools: %s" % _pools_on_engine(docker_api))

    yield make
    for name in made:
        for container in docker_api.inspect_network(name).get("Containers") or {}:
            docker_api.disconnect_container_from_network(container, name, force=True)
        docker_api.remove_network(name)


@pytest.fixture
def make_container(docker_api):
    made = []

    def make(running=True):
        name = ep_name("c")
        docker_api.create_container(IMAGE, command=["sleep", "3600"], name=name,
                                    host_config=docker_api.create_host_config(init=True))
        if running:
            docker_api.start(name)
        made.append(name)
        return name

    yield make
    for name in made:
        docker_api.remove_container(name, force=True)


def networks_of(docker_api, container):
    """The container's network settings that a failed call must leave as they were."""
    networks = docker_api.inspect_container(container)["NetworkSettings"]["Networks"]
    return dict((name, (s.get("EndpointID"), s.get("IPAMConfig"), sorted(s.get("Aliases") or []), s.get("Links")))
                for name, s in networks.items())


def endpoint_of(docker_api, container, network):
    return docker_api.inspect_container(container)["NetworkSettings"]["Networks"].get(network)


# -- four steps per option -----------------------------------------------------------------

OPTIONS = {
    "plain": (dict(), False),
    "aliases": (dict(aliases=["web-a", "web-b"]), False),
    "ipv4_address": (dict(ipv4_address="10.202.{n}.20"), False),
    "ipv6_address": (dict(ipv6_address="fd00:202:{n:x}::20"), True),
    "links": (dict(links=["cnmt-ep-other:db", "cnmt-ep-cache"]), False),
    "link_local_ips": (dict(link_local_ips=["169.254.20.20"]), False),
    "link_local_ipv6": (dict(link_local_ips=["fe80::20"]), True),
    "driver_options": (dict(driver_options={"com.example.endpoint.flag": True}), False),
}


def _reported(option, value, reported, container_id):
    ipam = reported.get("IPAMConfig") or {}
    if option == "aliases":
        return sorted(set(reported["Aliases"]) - {container_id[:12]}) == sorted(value)
    if option == "ipv4_address":
        return reported["IPAddress"] == value and ipam["IPv4Address"] == value
    if option == "ipv6_address":
        return reported["GlobalIPv6Address"] == value
    if option == "links":
        return sorted(reported["Links"]) == sorted(link if ":" in link else "%s:%s" % (link, link) for link in value)
    if option == "link_local_ips":
        return ipam["LinkLocalIPs"] == value
    if option == "driver_options":
        return reported["DriverOpts"] == {"com.example.endpoint.flag": "true"}
    return True


@pytest.mark.parametrize("case", sorted(OPTIONS))
def test_four_steps(case, docker_api, make_network, make_container, run_endpoint):
    options, ipv6 = OPTIONS[case]
    network, index = make_network(ipv6=ipv6)
    container = make_container()
    options = dict((key, value.format(n=index) if isinstance(value, str) else value) for key, value in options.items())
    args = dict(network=network, container=container, **options)

    checked = run_endpoint(args, check=True, diff=True)
    assert not checked["failed"], checked["msg"]
    assert checked["changed"] and checked["diff"]["before"] == {"state": "disconnected"}
    assert checked["diff"]["after"]["state"] == "connected"
    assert endpoint_of(docker_api, container, network) is None

    connected = run_endpoint(args, diff=True)
    assert connected["changed"] and not connected["failed"], connected.get("msg")
    reported = endpoint_of(docker_api, container, network)
    container_id = docker_api.inspect_container(container)["Id"]
    for option, value in options.items():
        assert _reported(option, value, reported, container_id), (option, reported)
    result = connected["endpoint"]
    assert result["endpoint_id"] == reported["EndpointID"] and result["network"] == network
    assert result["ipv4_address"] == "%s/24" % reported["IPAddress"]
    assert result["mac_address"] == reported["MacAddress"] and result["container_running"] is True

    again = run_endpoint(args, diff=True)
    assert not again["changed"] and not again["failed"], again.get("msg")
    assert again["endpoint"]["endpoint_id"] == reported["EndpointID"]
    again_checked = run_endpoint(args, check=True)
    assert not again_checked["changed"] and not again_checked["failed"]


# -- changes ---------------------------------------------------------------------------------

def test_changed_address_and_aliases_are_detected_and_applied(docker_api, make_network, make_container, run_endpoint):
    network, index = make_network()
    container = make_container()
    first = dict(network=network, container=container, aliases=["one"], ipv4_address="10.202.%d.30" % index,
                 links=["cnmt-ep-db:db"])
    assert run_endpoint(first)["changed"]

    second = dict(network=network, container=container, aliases=["two"], ipv4_address="10.202.%d.31" % index)
    checked = run_endpoint(second, check=True, diff=True)
    assert checked["changed"] and sorted(checked["differences"]) == ["aliases", "ipv4_address"]
    assert checked["diff"]["before"] == {"state": "connected", "aliases": ["one"],
                                         "ipv4_address": "10.202.%d.30" % index}
    assert checked["diff"]["after"] == {"state": "connected", "aliases": ["two"],
                                        "ipv4_address": "10.202.%d.31" % index}
    assert endpoint_of(docker_api, container, network)["IPAddress"] == "10.202.%d.30" % index

    changed = run_endpoint(second, diff=True)
    assert changed["changed"] and changed["actions"] == [
        "disconnect %s from %s" % (container, network), "connect %s to %s" % (container, network)]
    reported = endpoint_of(docker_api, container, network)
    assert reported["IPAddress"] == "10.202.%d.31" % index and "two" in reported["Aliases"]
    assert "one" not in reported["Aliases"]
    # The link was not given this time: it is kept.
    assert reported["Links"] == ["cnmt-ep-db:db"]
    assert changed["endpoint"]["ipv4_address"] == "10.202.%d.31/24" % index
    assert not run_endpoint(second)["changed"]


def test_removing_all_aliases_is_a_change(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network()
    container = make_container()
    run_endpoint(dict(network=network, container=container, aliases=["one"]))
    result = run_endpoint(dict(network=network, container=container, aliases=[]))
    assert result["changed"]
    assert "one" not in endpoint_of(docker_api, container, network)["Aliases"]


def test_connection_made_by_the_cli_with_the_same_settings_is_unchanged(docker_api, make_network, make_container, run_endpoint):
    network, index = make_network()
    container = make_container()
    docker_api.connect_container_to_network(container, network, aliases=["web"], links=[("cnmt-ep-db", "db")],
                                            ipv4_address="10.202.%d.40" % index)
    result = run_endpoint(dict(network=network, container=container, aliases=["web"],
                               links=["cnmt-ep-db:db"], ipv4_address="10.202.%d.40" % index))
    assert not result["changed"], result


def test_network_and_container_given_by_id(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network()
    container = make_container()
    network_id = docker_api.inspect_network(network)["Id"]
    container_id = docker_api.inspect_container(container)["Id"]
    assert run_endpoint(dict(network=network_id[:12], container=container_id))["changed"]
    assert not run_endpoint(dict(network=network, container=container))["changed"]


# -- disconnect --------------------------------------------------------------------------------

def test_disconnect_and_disconnect_when_absent(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network()
    container = make_container()
    run_endpoint(dict(network=network, container=container, aliases=["gone"]))
    args = dict(network=network, container=container, state="disconnected")

    checked = run_endpoint(args, check=True, diff=True)
    assert checked["changed"] and checked["diff"]["after"] == {"state": "disconnected"}
    assert checked["diff"]["before"]["aliases"] == ["gone"]
    assert endpoint_of(docker_api, container, network) is not None

    done = run_endpoint(args, diff=True)
    assert done["changed"] and endpoint_of(docker_api, container, network) is None
    assert network not in (docker_api.inspect_network(network).get("Containers") or {})

    for check in (False, True):
        absent = run_endpoint(args, check=check)
        assert not absent["changed"] and not absent["failed"]


def test_force_disconnect_of_a_connected_container(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network()
    container = make_container()
    run_endpoint(dict(network=network, container=container))
    result = run_endpoint(dict(network=network, container=container, state="disconnected", force=True))
    assert result["changed"] and result["actions"] == ["disconnect %s from %s (force)" % (container, network)]
    assert endpoint_of(docker_api, container, network) is None


def test_force_for_a_container_without_endpoint_is_not_a_change(make_network, run_endpoint):
    # On one engine a container that is gone leaves no endpoint; the lab test covers a lost host.
    network, dummy = make_network()
    for check in (True, False):
        result = run_endpoint(dict(network=network, container=ep_name("gone"), state="disconnected",
                                   force=True), check=check)
        assert not result["changed"] and not result["failed"], result


# -- stopped container --------------------------------------------------------------------------

def test_stopped_container_is_connected_and_says_so(docker_api, make_network, make_container, run_endpoint):
    network, index = make_network()
    container = make_container(running=False)
    args = dict(network=network, container=container, aliases=["later"], ipv4_address="10.202.%d.50" % index)
    result = run_endpoint(args)
    assert result["changed"] and result["container_running"] is False
    assert "not running" in result["msg"]
    assert result["endpoint"]["endpoint_id"] is None and result["endpoint"]["ipv4_address"] is None
    assert endpoint_of(docker_api, container, network)["IPAMConfig"]["IPv4Address"] == "10.202.%d.50" % index
    assert not run_endpoint(args)["changed"]

    docker_api.start(container)
    running = run_endpoint(args)
    assert not running["changed"] and running["endpoint"]["ipv4_address"] == "10.202.%d.50/24" % index

    docker_api.stop(container, timeout=1)
    gone = run_endpoint(dict(network=network, container=container, state="disconnected"))
    assert gone["changed"] and endpoint_of(docker_api, container, network) is None


# -- bad input: a clear message and nothing changed ----------------------------------------------

def _bad(run_endpoint, docker_api, container, args, *words, **kwargs):
    before = networks_of(docker_api, container) if container else None
    for check in kwargs.get("modes", (True, False)):
        result = run_endpoint(args, check=check)
        assert result["failed"] and not result.get("changed"), result
        for word in words:
            assert word in result["msg"], result["msg"]
    if container:
        assert networks_of(docker_api, container) == before
    return result


def test_bad_container_and_network(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network()
    container = make_container()
    missing = ep_name("missing")
    _bad(run_endpoint, docker_api, container, dict(network=network, container=missing), "container: no container named", missing)
    _bad(run_endpoint, docker_api, container, dict(network=network, container=missing, state="disconnected"),
         "container: no container", "force=true")
    _bad(run_endpoint, docker_api, container, dict(network=missing, container=container), "network: no network named", missing)


@pytest.fixture
def crowded(docker_api, make_network, make_container):
    """A network with IPv6 where `other` holds .9 and `web` is connected with aliases and .10."""
    network, index = make_network(ipv6=True)
    other, web = make_container(), make_container()
    docker_api.connect_container_to_network(other, network, ipv4_address="10.202.%d.9" % index,
                                            ipv6_address="fd00:202:%x::9" % index)
    docker_api.connect_container_to_network(web, network, aliases=["keep"], ipv4_address="10.202.%d.10" % index)
    return network, index, other, web


@pytest.mark.parametrize("options, words", [
    (dict(ipv4_address="10.202.250.5"), ["ipv4_address 10.202.250.5 is outside the subnets"]),
    (dict(ipv4_address="10.202.{n}.1"), ["ipv4_address 10.202.{n}.1 is the gateway"]),
    (dict(ipv4_address="10.202.{n}.9"), ["ipv4_address 10.202.{n}.9 is already used", "by container {other}"]),
    (dict(ipv6_address="fd00:202:{n:x}::9"), ["ipv6_address fd00:202:{n:x}::9 is already used", "{other}"]),
    (dict(ipv6_address="fd00:203::9"), ["ipv6_address fd00:203::9 is outside the subnets"]),
    (dict(links=["db:x:y"]), ["links: 'db:x:y' is not a link"]),
    (dict(link_local_ips=["10.202.0.1"]), ["link_local_ips: 10.202.0.1 is not a link-local address"]),
    (dict(link_local_ips=["bogus"]), ["link_local_ips: 'bogus' is not an IP address"]),
    (dict(ipv4_address="10.202.{n}.999"), ["ipv4_address: '10.202.{n}.999' is not an IPv4 address"]),
])
def test_bad_settings_on_a_connected_container(options, words, docker_api, crowded, run_endpoint):
    network, index, other, web = crowded
    options = dict((key, value.format(n=index) if isinstance(value, str) else value) for key, value in options.items())
    words = [word.format(n=index, other=other) for word in words]
    _bad(run_endpoint, docker_api, web, dict(network=network, container=web, **options), *words)
    # web keeps its address (networks_of compared the rest).
    assert endpoint_of(docker_api, web, network)["IPAMConfig"]["IPv4Address"] == "10.202.%d.10" % index


def test_ipv6_on_a_network_without_ipv6(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network()
    container = make_container()
    _bad(run_endpoint, docker_api, container, dict(network=network, container=container, ipv6_address="fd00:202:ff::5"),
         "ipv6_address: network %s has IPv6 disabled" % network)
    _bad(run_endpoint, docker_api, container, dict(network=network, container=container, link_local_ips=["fe80::5"]),
         "link_local_ips: network %s has IPv6 disabled" % network)


def test_fixed_address_on_a_network_without_user_subnet(docker_api, make_network, make_container, run_endpoint):
    network, dummy = make_network(subnet=False)
    container = make_container()
    subnet = docker_api.inspect_network(network)["IPAM"]["Config"][0]["Subnet"]
    address = subnet.split("/")[0][:-1] + "50"
    # Only the daemon knows whether a subnet was configured or picked (inspect shows both
    # alike), so check mode cannot foresee this refusal: the real run must fail cleanly.
    _bad(run_endpoint, docker_api, container, dict(network=network, container=container, ipv4_address=address),
         "ipv4_address: the network's subnet was picked by the daemon", modes=(False,))
    # Connected already, the failed reconnect restores the previous settings.
    run_endpoint(dict(network=network, container=container, aliases=["keep"]))
    before = sorted(endpoint_of(docker_api, container, network)["Aliases"])
    result = run_endpoint(dict(network=network, container=container, ipv4_address=address))
    assert result["failed"] and "previous settings are restored" in result["msg"]
    assert "ipv4_address" in result["msg"]
    assert sorted(endpoint_of(docker_api, container, network)["Aliases"]) == before


def test_aliases_and_fixed_address_on_the_default_bridge(docker_api, make_container, run_endpoint):
    container = make_container(running=False)
    _bad(run_endpoint, docker_api, container, dict(network="bridge", container=container, aliases=["a"]),
         "aliases: the default bridge network does not support")
    _bad(run_endpoint, docker_api, container, dict(network="bridge", container=container, ipv4_address="172.17.0.200"),
         "ipv4_address: the default bridge network does not take fixed addresses")


def test_unreachable_daemon_is_a_clear_error(run_endpoint):
    result = run_endpoint(dict(network="n", container="c", docker_host="unix:///nonexistent/docker.sock",
                               timeout=5))
    assert result["failed"] and "Cannot reach the Docker daemon at unix:///nonexistent/docker.sock" in result["msg"]
    assert "Traceback" not in result["msg"]


def test_through_ansible_playbook_with_check_and_diff(docker_api, make_network, make_container, playbook_runner):
    network, index = make_network()
    container = make_container()
    playbook = """
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Connect
      cnm.overlay.docker_cnm_endpoint:
        network: %s
        container: %s
        aliases: [pb]
        ipv4_address: 10.202.%d.60
""" % (network, container, index)
    checked = playbook_runner(playbook, extra_args=["--diff"], check=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "changed=1" in checked.stdout and "ipv4_address" in checked.stdout
    assert endpoint_of(docker_api, container, network) is None
    done = playbook_runner(playbook)
    assert done.returncode == 0 and "changed=1" in done.stdout, done.stdout + done.stderr
    assert endpoint_of(docker_api, container, network)["IPAddress"] == "10.202.%d.60" % index
    again = playbook_runner(playbook)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout


def test_entry_left_by_a_failed_connect_counts_as_not_connected(docker_api, make_network, make_container, run_endpoint):
    # Docker 20.10 leaves the network in the container's settings, without an endpoint, when a
    # connect fails late ("Address already in use"); the container then cannot restart.
    network, index = make_network()
    holder, container = make_container(), make_container()
    docker_api.connect_container_to_network(holder, network, ipv4_address="10.202.%d.70" % index)
    with pytest.raises(APIError):
        docker_api.connect_container_to_network(container, network, ipv4_address="10.202.%d.70" % index)
    left = endpoint_of(docker_api, container, network)
    if left is not None:
        assert not left["EndpointID"]
    result = run_endpoint(dict(network=network, container=container, ipv4_address="10.202.%d.71" % index))
    assert result["changed"] and result["endpoint"]["ipv4_address"] == "10.202.%d.71/24" % index, result
    docker_api.restart(container, timeout=1)
    assert endpoint_of(docker_api, container, network)["IPAddress"] == "10.202.%d.71" % index
