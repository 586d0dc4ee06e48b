"""Bad input: every invalid input fails with a message naming the field and the fix, and changes nothing.

Module cases run against the host engine and compare the inspect JSON of every object involved
before and after. Role cases run the smallest play that reaches the role's validation in a lab
(one bullseye lab for most, bookworm and trixie where the engine generation is the point) and
compare daemon.json (sha256) and the hosts' networks before and after.

Host-engine objects are named cnmt-bad-* and use 10.203.0.0/16 / fd00:203::/48 only.
"""

import json

import pytest

PREFIX = "cnmt-bad-"
NET = PREFIX + "net"            # 10.203.1.0/24, gateway .1; HOLDER holds .20 on it
TAKEN = PREFIX + "taken"        # 10.203.2.0/24, only there to be overlapped
HOLDER = PREFIX + "holder"      # connected to NET with 10.203.1.20
TARGET = PREFIX + "target"      # the container the endpoint cases try to connect
NEW = PREFIX + "new"            # a network name no case may create
IMAGE = "cnm-lab/sandbox:latest"


def case(case_id, args, *expected, **kwargs):
    return pytest.param(args, expected, id=case_id, **kwargs)


# -- host engine: objects the module cases work on -------------------------------------------

@pytest.fixture(scope="module")
def host_objects(docker_api):
    """Two networks and two containers on the host engine, removed at the end."""
    def remove():
        for container in (HOLDER, TARGET):
            try:
                docker_api.remove_container(container, force=True)
            except Exception:  # noqa: BLE001 - absent is fine
                pass
        for network in (NET, TAKEN, NEW):
            try:
                docker_api.remove_network(network)
            except Exception:  # noqa: BLE001 - absent is fine
                pass

    remove()
    for name, subnet, gateway in ((NET, "10.203.1.0/24", "10.203.1.1"), (TAKEN, "10.203.2.0/24", None)):
        pool = {"Subnet": subnet}
        if gateway:
            pool["Gateway"] = gateway
        docker_api.create_network(name, driver="bridge", ipam={"Driver": "default", "Config": [pool]})
    for name in (HOLDER, TARGET):
        docker_api.create_container(IMAGE, command=["sleep", "3600"], name=name,
                                    host_config=docker_api.create_host_config(init=True))
        docker_api.start(name)
    docker_api.connect_container_to_network(HOLDER, NET, ipv4_address="10.203.1.20")
    yield
    remove()


def _our_ids(docker_api):
    return {docker_api.inspect_container(name)["Id"] for name in (HOLDER, TARGET)}


def host_state(docker_api):
    """The inspect JSON of every object the cases touch, as comparable text.

    Networks: every cnmt-bad-* network and the default bridge (its endpoints limited to our
    containers, since other tests share the engine). Containers: their network settings."""
    ours = _our_ids(docker_api)
    names = sorted(n["Name"] for n in docker_api.networks() if n["Name"].startswith(PREFIX)) + ["bridge"]
    networks = {}
    for name in names:
        network = docker_api.inspect_network(name)
        network["Containers"] = {key: value for key, value in (network.get("Containers") or {}).items() if key in ours}
        networks[name] = network
    containers = {}
    for name in (HOLDER, TARGET):
        info = docker_api.inspect_container(name)
        containers[name] = {"NetworkSettings": info["NetworkSettings"], "StartedAt": info["State"]["StartedAt"],
                            "Running": info["State"]["Running"]}
    return json.dumps({"networks": networks, "containers": containers}, sort_keys=True, indent=1)


def assert_bad_input(result, expected, before, after):
    message = result.get("msg") or ""
    assert result.get("failed"), "the module accepted the bad input: %s" % json.dumps(result)[:2000]
    assert not result.get("changed"), "the module reports a change: %s" % message
    assert "Traceback" not in message and "Unexpected error" not in message, message
    for text in expected:
        assert text in message, "%r missing from the message: %s" % (text, message)
    assert after == before, "the host's networks or containers changed"


def run_bad(module_runner, docker_api, module, args, expected):
    before = host_state(docker_api)
    result = module_runner(module, args)
    # The would-be result must not differ from a check-mode run either.
    assert_bad_input(result, expected, before, host_state(docker_api))


# -- docker_cnm_network ----------------------------------------------------------------------

def _net(**options):
    return dict(name=NEW, **options)


def _ipam(**entry):
    return _net(ipam_config=[entry])


NETWORK_CASES = [
    case("subnet-prefix-too-long", _ipam(subnet="10.203.10.0/33"),
         "ipam_config[0].subnet", "'10.203.10.0/33'", "write it as address/prefix"),
    case("subnet-octet-out-of-range", _ipam(subnet="10.203.10.300/24"),
         "ipam_config[0].subnet", "write it as address/prefix"),
    case("subnet-without-prefix", _ipam(subnet="10.203.10.0"),
         "ipam_config[0].subnet", "not in CIDR notation"),
    case("subnet-host-bits", _ipam(subnet="10.203.10.5/24"),
         "ipam_config[0].subnet", "host bits set", "10.203.10.0/24, write that instead"),
    case("ipv6-subnet-host-bits", _net(enable_ipv6=True, ipam_config=[dict(subnet="fd00:203:1::1/64")]),
         "ipam_config[0].subnet", "host bits set", "fd00:203:1::/64, write that instead"),
    case("gateway-outside-subnet", _ipam(subnet="10.203.10.0/24", gateway="10.203.11.1"),
         "ipam_config[0].gateway", "outside subnet 10.203.10.0/24", "give an address within the subnet"),
    case("gateway-is-network-address", _ipam(subnet="10.203.10.0/24", gateway="10.203.10.0"),
         "ipam_config[0].gateway", "network address", "use a host address such as 10.203.10.1"),
    case("gateway-is-broadcast-address", _ipam(subnet="10.203.10.0/24", gateway="10.203.10.255"),
         "ipam_config[0].gateway", "broadcast address", "use a host address"),
    case("ip-range-outside-subnet", _ipam(subnet="10.203.10.0/24", ip_range="10.203.11.0/25"),
         "ipam_config[0].ip_range", "not inside subnet", "give a range within the subnet"),
    case("ip-range-larger-than-subnet", _ipam(subnet="10.203.10.0/24", ip_range="10.203.10.0/23"),
         "ipam_config[0].ip_range", "not inside subnet"),
    case("aux-address-duplicate", _ipam(subnet="10.203.10.0/24", aux_addresses=dict(a="10.203.10.5", b="10.203.10.5")),
         "ipam_config[0].aux_addresses.b", "also aux address 'a'", "give each aux address its own IP"),
    case("aux-address-is-gateway", _ipam(subnet="10.203.10.0/24", gateway="10.203.10.1",
                                         aux_addresses=dict(router="10.203.10.1")),
         "ipam_config[0].aux_addresses.router", "is the gateway", "must differ from the gateway"),
    case("aux-address-outside-subnet", _ipam(subnet="10.203.10.0/24", aux_addresses=dict(a="10.203.99.1")),
         "ipam_config[0].aux_addresses.a", "outside subnet", "give an address within the subnet"),
    case("aux-address-not-an-address", _ipam(subnet="10.203.10.0/24", aux_addresses=dict(a="router")),
         "ipam_config[0].aux_addresses.a", "not an IP address", "single address without prefix"),
    case("aux-addresses-as-list", _ipam(subnet="10.203.10.0/24", aux_addresses=["10.203.10.5"]),
         "aux_addresses", "ipam_config", "convert to dict"),
    case("subnets-overlap-in-task", _net(ipam_config=[dict(subnet="10.203.10.0/24"), dict(subnet="10.203.10.128/25")]),
         "ipam_config[1].subnet", "overlaps ipam_config[0].subnet", "give each subnet its own range"),
    case("ipv6-without-enable-ipv6", _ipam(subnet="fd00:203:1::/64"),
         "ipam_config[0].subnet", "IPv6 subnet", "set enable_ipv6: true"),
    case("subnet-overlaps-other-network", _ipam(subnet="10.203.2.0/25"),
         "ipam_config subnet 10.203.2.0/25", "of network " + TAKEN, "choose a free range or remove that network"),
    case("subnet-missing", _net(ipam_config=[dict(gateway="10.203.10.1")]),
         "missing required arguments: subnet", "ipam_config"),
    case("ipam-config-unknown-key", _ipam(subnet="10.203.10.0/24", bogus="1"),
         "ipam_config.bogus", "Supported parameters include"),
    case("driver-unknown", _net(driver="cnmt-bad-nodriver"),
         "driver:", "'cnmt-bad-nodriver'", "nothing was created", "bridge, overlay", "install the plugin"),
    case("ipam-driver-unknown", _net(ipam_driver="cnmt-bad-noipam"),
         "ipam_driver:", "'cnmt-bad-noipam'", "nothing was created", "default"),
    case("labels-not-a-dict", _net(labels="env"),
         "'labels'", "convert to dict"),
    case("label-value-is-a-dict", _net(labels=dict(env=dict(stage="test"))),
         "labels.env is a dict", "give a string, number or boolean"),
    case("label-value-is-null", _net(labels=dict(env=None)),
         "labels.env", "give a string, number or boolean"),
    case("driver-options-list", _net(driver_options=["com.docker.network.driver.mtu=1400"]),
         "'driver_options'", "convert to dict"),
    case("driver-option-value-is-a-list", _net(driver_options={"com.docker.network.driver.mtu": [1400]}),
         "driver_options.com.docker.network.driver.mtu is a list", "give a string, number or boolean"),
    case("enable-ipv6-not-boolean", _net(enable_ipv6="maybe"),
         "'enable_ipv6'", "Valid booleans include"),
    case("scope-unknown", _net(scope="planet"),
         "scope must be one of: local, global, swarm"),
    case("state-unknown", _net(state="gone"),
         "state must be one of: present, absent"),
    case("name-empty", dict(name=""),
         "name is empty", "give the network a name"),
    case("networks-name-twice", dict(networks=[dict(name=NEW), dict(name=NEW)]),
         "networks: " + NEW + " is given 2 times", "give each network once"),
    case("name-beside-networks", dict(name=NEW, networks=[dict(name=NEW)]),
         "mutually exclusive: name|networks"),
    case("remove-predefined-bridge", dict(name="bridge", state="absent"),
         "name bridge is a network Docker predefines", "drop it from the task"),
    case("change-predefined-bridge", dict(name="bridge", driver="overlay"),
         "network bridge is predefined", "driver: wanted overlay", "use a network of your own"),
    case("remove-network-with-endpoints", dict(name=NET, state="absent"),
         "network %s has endpoints: %s" % (NET, HOLDER), "Set force: true"),
    case("change-network-without-force", dict(name=NET, ipam_config=[dict(subnet="10.203.3.0/24")]),
         "network %s differs" % NET, "ipam_config: wanted", "Set force: true to recreate it"),
]


@pytest.mark.usefixtures("host_objects")
@pytest.mark.parametrize("args, expected", NETWORK_CASES)
def test_network_bad_input(module_runner, docker_api, args, expected):
    run_bad(module_runner, docker_api, "docker_cnm_network", args, expected)


# -- docker_cnm_endpoint ---------------------------------------------------------------------

def _ep(**options):
    return dict(dict(network=NET, container=TARGET), **options)


ENDPOINT_CASES = [
    case("network-missing", _ep(network=PREFIX + "missing"),
         "network: no network named or with ID '%smissing'" % PREFIX, "create it first"),
    case("container-missing", _ep(container=PREFIX + "missing"),
         "container: no container named or with ID '%smissing'" % PREFIX),
    case("network-not-given", dict(container=TARGET),
         "missing required arguments: network"),
    case("ipv4-outside-subnet", _ep(ipv4_address="10.203.9.5"),
         "ipv4_address 10.203.9.5 is outside the subnets of network " + NET, "give an address inside them"),
    case("ipv4-is-gateway", _ep(ipv4_address="10.203.1.1"),
         "ipv4_address 10.203.1.1 is the gateway", "give another address of 10.203.1.0/24"),
    case("ipv4-is-broadcast", _ep(ipv4_address="10.203.1.255"),
         "ipv4_address 10.203.1.255 is the network or broadcast address", "give a host address"),
    case("ipv4-is-network-address", _ep(ipv4_address="10.203.1.0"),
         "ipv4_address 10.203.1.0 is the network or broadcast address", "give a host address"),
    case("ipv4-in-use", _ep(ipv4_address="10.203.1.20"),
         "ipv4_address", "10.203.1.20", HOLDER),
    case("ipv4-with-prefix", _ep(ipv4_address="10.203.1.7/24"),
         "ipv4_address: '10.203.1.7/24' is not an IPv4 address", "without a prefix length"),
    case("ipv4-given-an-ipv6", _ep(ipv4_address="fd00:203::5"),
         "ipv4_address: fd00:203::5 is an IPv6 address", "put it in ipv6_address"),
    case("ipv6-on-network-without-ipv6", _ep(ipv6_address="fd00:203::5"),
         "ipv6_address: network %s has IPv6 disabled" % NET, "create it with enable_ipv6"),
    case("link-three-parts", _ep(links=["db:database:extra"]),
         "links: 'db:database:extra' is not a link", "write it as CONTAINER:ALIAS"),
    case("link-without-container", _ep(links=[":database"]),
         "links: ':database' is not a link", "CONTAINER:ALIAS"),
    case("alias-empty", _ep(aliases=[""]),
         "aliases: an alias is empty", "non-empty name"),
    case("link-local-not-link-local", _ep(link_local_ips=["10.203.1.30"]),
         "link_local_ips: 10.203.1.30 is not a link-local address", "169.254.0.0/16"),
    case("link-local-not-an-address", _ep(link_local_ips=["here"]),
         "link_local_ips: 'here' is not an IP address", "169.254.10.10"),
    case("driver-option-value-is-a-dict", _ep(driver_options=dict(opt=dict(a=1))),
         "driver_options.opt is a dict", "give a string, number or boolean"),
    case("aliases-on-default-bridge", _ep(network="bridge", aliases=["web"]),
         "aliases: the default bridge network does not support network-scoped aliases",
         "connect to a user-defined network"),
    case("fixed-address-on-default-bridge", _ep(network="bridge", ipv4_address="172.17.0.200"),
         "ipv4_address: the default bridge network does not take fixed addresses", "user-defined network"),
    case("state-unknown", _ep(state="gone"),
         "state must be one of: connected, disconnected"),
]


@pytest.mark.usefixtures("host_objects")
@pytest.mark.parametrize("args, expected", ENDPOINT_CASES)
def test_endpoint_bad_input(module_runner, docker_api, args, expected):
    run_bad(module_runner, docker_api, "docker_cnm_endpoint", args, expected)


# -- connection options, docker_cnm_network_info ---------------------------------------------

CONNECTION_CASES = [
    case("network-ssh-scheme", ("docker_cnm_network", _net(docker_host="ssh://root@n1")),
         "docker_host 'ssh://root@n1' uses an unsupported scheme 'ssh'", "unix:///path/to/docker.sock",
         "run the module on that host"),
    case("endpoint-ftp-scheme", ("docker_cnm_endpoint", _ep(docker_host="ftp://n1")),
         "docker_host 'ftp://n1' uses an unsupported scheme 'ftp'", "tcp://HOST:PORT"),
    case("info-npipe-scheme", ("docker_cnm_network_info", dict(name=NET, docker_host="npipe:////./pipe/docker_engine")),
         "unsupported scheme 'npipe'"),
    case("tcp-without-host", ("docker_cnm_network", _net(docker_host="tcp://")),
         "docker_host 'tcp://' has no host name", "use tcp://HOST:PORT"),
    case("socket-missing", ("docker_cnm_endpoint", _ep(docker_host="unix:///nonexistent/docker.sock")),
         "Cannot reach the Docker daemon at unix:///nonexistent/docker.sock", "is docker_host right"),
    case("api-version-malformed", ("docker_cnm_network", _net(api_version="latest")),
         "api_version 'latest' is not an Engine API version", "use auto"),
    case("api-version-too-old", ("docker_cnm_network", _net(api_version="1.12")),
         "api_version 1.12 is older than cnm.overlay supports", "use auto or 1.25"),
    case("timeout-negative", ("docker_cnm_endpoint", _ep(timeout=-1)),
         "timeout -1 is negative"),
    case("info-filter-unknown", ("docker_cnm_network_info", dict(filters=dict(colour="red"))),
         "filters.colour is not a filter of docker network ls", "use one of driver, id, label"),
    case("info-query-invalid", ("docker_cnm_network_info", dict(query="[[")),
         "query '[[' is not a valid JMESPath expression"),
]


@pytest.mark.usefixtures("host_objects")
@pytest.mark.parametrize("args, expected", CONNECTION_CASES)
def test_connection_and_info_bad_input(module_runner, docker_api, args, expected):
    module, module_args = args
    run_bad(module_runner, docker_api, module, module_args, expected)
