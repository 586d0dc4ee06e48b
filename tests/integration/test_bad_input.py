"""Bad input: every invalid input fails with a message naming the field and the fix, and changes nothing.

Module cases run against the host engine and compare the inspect JSON of every object involved
before and after. Role cases run the smallest play that reaches the role's validation in a lab
(one bullseye lab for most, bookworm and trixie where the engine generation is the point) and
compare daemon.json (sha256) and the hosts' networks before and after.

Host-engine objects are named cnmt-bad-* and use 10.203.0.0/16 / fd00:203::/48 only.
"""

import json
from pathlib import Path

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


# -- roles, in labs ---------------------------------------------------------------------------

LABS = {"bullseye": "badinput", "bookworm": "badinput-bookworm", "trixie": "badinput-trixie"}
LAB_NODES = ("kv", "n1", "n2")
# What a role must leave alone on every node: every file in /etc/docker (sha256), the stores'
# configuration, the installed packages, the running dockerd (its PID), swarm state, every
# network (inspect JSON, endpoints included), containers.
LAB_STATE = r"""
find /etc/docker /etc/consul.d /etc/default -type f 2>/dev/null | sort | xargs -r sha256sum
echo "packages: $(dpkg-query -W -f '${Package} ${Version}\n' | sha256sum)"
echo "daemon.json: $(test -e /etc/docker/daemon.json && echo present || echo absent)"
echo "dockerd pid: $(pidof dockerd)"
docker info --format 'swarm: {{.Swarm.LocalNodeState}}'
docker network ls -q | sort | xargs -r docker network inspect
docker ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.State}}'
"""
# The bullseye lab starts with what a running kv-mode host has: a daemon.json (live-restore on,
# as kv mode wants it), a local network with a container on n1, and two broken configuration
# files for the daemon.json cases; none is read by the running dockerd.
LAB_SEED = r"""
test -e /etc/docker/daemon.json || printf '{\n  "live-restore": true\n}\n' > /etc/docker/daemon.json
echo '["not", "an", "object"]' > /etc/docker/cnmt-bad-list.json
echo '{"live-restore": tru' > /etc/docker/cnmt-bad-broken.json
"""
LAB_SEED_N1 = r"""
docker network inspect cnmt-bad-lab >/dev/null 2>&1 || docker network create --subnet 10.203.50.0/24 cnmt-bad-lab
docker inspect cnmt-bad-c >/dev/null 2>&1 || docker run -d --init --name cnmt-bad-c --network cnmt-bad-lab \
  --ip 10.203.50.10 --network-alias web cnm-lab/sandbox:latest sleep 86400
"""
ROLE_PLAY = """
- name: Bad input for {role}
  hosts: {hosts}
  gather_facts: true
  gather_subset: [network]
  tasks:
    - name: Run the role with the bad input
      ansible.builtin.include_role:
        name: cnm.overlay.{role}
      vars: {variables}
"""
SITE = "playbooks/site.yml"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab_for(lab_factory):
    """The lab of a generation, brought up (and seeded) once per session."""
    seeded = set()

    def get(generation):
        lab = lab_factory(LABS[generation], generation)
        if generation == "bullseye" and generation not in seeded:
            for node in ("n1", "n2"):
                lab.sh(node, LAB_SEED, check=True)
            lab.sh("n1", LAB_SEED_N1, check=True)
            seeded.add(generation)
        return lab
    return get


def lab_state(lab):
    return {node: lab.sh(node, LAB_STATE, check=True).stdout for node in LAB_NODES}


# TLS files that no lab host has: every role that takes TLS files names them before any change.
MISSING_TLS_FILES = ["/etc/cnmt-bad-tls/ca.pem", "/etc/cnmt-bad-tls/cert.pem", "/etc/cnmt-bad-tls/key.pem"]


def missing_tls(prefix):
    """The three TLS file variables of a role, set to MISSING_TLS_FILES."""
    return dict(zip(("%s_tls_ca_file" % prefix, "%s_tls_cert_file" % prefix, "%s_tls_key_file" % prefix),
                    MISSING_TLS_FILES))


def role_case(case_id, role, variables, *expected, **options):
    """One bad input for a role: options hosts (default docker_hosts), lab (generation),
    groups ({group: [nodes]} for an inventory of its own), playbook (a file instead of ROLE_PLAY),
    with_esp (what the log says instead where the kernel has ESP: then an encrypted overlay is no bad input)."""
    marks = options.pop("marks", ())
    spec = dict(dict(role=role, variables=variables, hosts="docker_hosts", lab="bullseye",
                     groups=None, playbook=None, with_esp=None), **options)
    return pytest.param(spec, expected, id="%s-%s" % (role, case_id), marks=marks)


ROLE_CASES = [
    # docker_cluster_store: URLs, schemes, advertise, argument types, files, engine generations
    role_case("url-unknown-scheme", "docker_cluster_store", dict(docker_cluster_store_url="redis://kv:6379"),
              "docker_cluster_store_url must look like consul://HOST:PORT", "got 'redis://kv:6379'", hosts="n1"),
    role_case("url-without-host", "docker_cluster_store", dict(docker_cluster_store_url="consul://"),
              "docker_cluster_store_url must look like", "got 'consul://'", hosts="n1"),
    role_case("url-http-scheme", "docker_cluster_store", dict(docker_cluster_store_url="http://kv:8500"),
              "docker_cluster_store_url must look like", "etcd://HOST:PORT", "got 'http://kv:8500'", hosts="n1"),
    role_case("advertise-interface-unknown", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_advertise_interface="eth9"),
              '"eth9" is neither an interface nor an address of this host', "Set docker_cluster_store_advertise_interface"),
    role_case("advertise-address-of-another-host", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_advertise="10.203.99.9:2376"),
              '"10.203.99.9" is neither an interface nor an address', "docker_cluster_store_advertise", hosts="n1"),
    role_case("advertise-port-out-of-range", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_advertise_port=99999),
              "with a port from 1 to 65535", "got 'eth0:99999'", hosts="n1"),
    role_case("advertise-without-port", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_advertise="eth0"),
              "docker_cluster_store_advertise like eth0:2376", "got 'eth0'", hosts="n1"),
    role_case("advertise-port-not-a-number", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_advertise_port="http"),
              "docker_cluster_store_advertise_port", "int", hosts="n1"),
    role_case("store-opts-not-a-dict", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_opts=["kv.cacertfile=/etc/ca.pem"]),
              "docker_cluster_store_opts", "dict", hosts="n1"),
    role_case("daemon-options-not-a-dict", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_daemon_options=["debug"]),
              "docker_cluster_store_daemon_options", "dict", hosts="n1"),
    role_case("daemon-options-set-the-cluster-store", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500",
                   docker_cluster_store_daemon_options={"cluster-store": "etcd://kv:2379", "live-restore": False}),
              "docker_cluster_store_daemon_options sets cluster-store, live-restore, which the role sets itself",
              "docker_cluster_store_live_restore", hosts="n1"),
    role_case("dockerd-path-wrong", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_dockerd="/opt/docker/dockerd"),
              "No dockerd found", "/opt/docker/dockerd", "set docker_cluster_store_dockerd", hosts="n1"),
    role_case("daemon-json-not-an-object", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500",
                   docker_cluster_store_daemon_json="/etc/docker/cnmt-bad-list.json"),
              "/etc/docker/cnmt-bad-list.json is not a JSON object", "fix it by hand first", hosts="n1"),
    role_case("daemon-json-broken", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500",
                   docker_cluster_store_daemon_json="/etc/docker/cnmt-bad-broken.json"),
              "/etc/docker/cnmt-bad-broken.json is not valid JSON", "fix it by hand first", hosts="n1"),
    role_case("kv-store-group-empty", "docker_cluster_store", {},
              "docker_cluster_store_url must look like consul://HOST:PORT", "got ''",
              "needs a host in the inventory group kv_store", "or set docker_cluster_store_url",
              groups={"kv_store": [], "docker_hosts": ["n1"]}, hosts="n1"),
    role_case("consul-on-etcd-only-engine", "docker_cluster_store", dict(docker_cluster_store_url="consul://kv:8500"),
              "docker_cluster_store_url uses consul://", "has only these store backends: etcd",
              "Use a store of one of those kinds", lab="bookworm", hosts="n1"),
    role_case("cluster-store-on-engine-26", "docker_cluster_store", dict(docker_cluster_store_url="etcd://kv:2379"),
              "Docker 23 and newer have no cluster store", "cnm_overlay_control_plane=swarm", lab="trixie", hosts="n1"),
    role_case("tls-files-missing", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", **missing_tls("docker_cluster_store")),
              "docker_cluster_store on n1: TLS file(s) not found: %s" % ", ".join(MISSING_TLS_FILES),
              "Put them on the host first", hosts="n1"),
    role_case("tls-files-one-of-three", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_tls_ca_file=MISSING_TLS_FILES[0]),
              "needs all three of docker_cluster_store_tls_ca_file, docker_cluster_store_tls_cert_file and "
              "docker_cluster_store_tls_key_file", "set the missing ones or none", hosts="n1"),
    role_case("tls-files-not-pem", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500", docker_cluster_store_tls_ca_file="/etc/hostname",
                   docker_cluster_store_tls_cert_file="/etc/hosts", docker_cluster_store_tls_key_file="/etc/passwd"),
              "docker_cluster_store on n1: docker_cluster_store_tls_ca_file=/etc/hostname holds no PEM certificate",
              "docker_cluster_store_tls_key_file=/etc/passwd holds no PEM private key", "Give PEM files", hosts="n1"),
    # PEM in form, but the key is the node's SSH host key (OpenSSH's format), not the certificate's.
    role_case("tls-key-not-of-the-certificate", "docker_cluster_store",
              dict(docker_cluster_store_url="consul://kv:8500",
                   docker_cluster_store_tls_ca_file="/etc/ssl/certs/ISRG_Root_X1.pem",
                   docker_cluster_store_tls_cert_file="/etc/ssl/certs/ISRG_Root_X1.pem",
                   docker_cluster_store_tls_key_file="/etc/ssh/ssh_host_ed25519_key"),
              "docker_cluster_store on n1: docker_cluster_store_tls_cert_file=/etc/ssl/certs/ISRG_Root_X1.pem and "
              "docker_cluster_store_tls_key_file=/etc/ssh/ssh_host_ed25519_key do not load as a certificate and its key",
              "that certificate's own private key", hosts="n1"),
    # control_plane: requests the engines cannot meet
    role_case("control-plane-unknown", "control_plane", dict(control_plane_requested="mesh"),
              "control_plane_requested", "mesh", "auto, kv, swarm"),
    role_case("kv-store-unknown", "control_plane", dict(control_plane_kv_store_requested="redis"),
              "control_plane_kv_store_requested", "redis", "consul, etcd, zookeeper"),
    role_case("docker-group-missing", "control_plane", dict(control_plane_docker_group="cnmt_bad_nohosts"),
              "group 'cnmt_bad_nohosts' (control_plane_docker_group) is missing or empty", "put the docker hosts in it"),
    role_case("kv-on-engine-26", "control_plane", dict(control_plane_requested="kv"),
              "cnm_overlay_control_plane=kv: the engines on n1, n2 are >= 23.0 and have no cluster store",
              "Use cnm_overlay_control_plane=swarm", "26.1", lab="trixie"),
    role_case("consul-on-etcd-only-engines", "control_plane",
              dict(control_plane_requested="kv", control_plane_kv_store_requested="consul"),
              "cnm_overlay_kv_store=consul: the engines on n1, n2 have no consul cluster-store backend",
              "Use a store they all support", "cluster stores: etcd", lab="bookworm"),
    # consul_kv / etcd_kv: the store's inventory and settings
    role_case("binary-without-source", "consul_kv", dict(consul_kv_install_method="binary"),
              "consul_kv_binary_src", hosts="kv"),
    role_case("install-method-unknown", "consul_kv", dict(consul_kv_install_method="snap"),
              "consul_kv_install_method", "package, binary, container", hosts="kv"),
    role_case("bootstrap-expect-zero", "consul_kv", dict(consul_kv_bootstrap_expect=0),
              "consul_kv_bootstrap_expect", hosts="kv"),
    role_case("raft-multiplier-out-of-range", "consul_kv", dict(consul_kv_raft_multiplier=0),
              "consul_kv_raft_multiplier must be from 1 to 10 (got 0)", hosts="kv"),
    role_case("http-port-not-a-number", "consul_kv", dict(consul_kv_http_port="http"),
              "consul_kv_http_port", "int", hosts="kv"),
    role_case("tls-files-missing", "consul_kv", missing_tls("consul_kv"),
              "consul_kv on kv: TLS file(s) not found: %s" % ", ".join(MISSING_TLS_FILES),
              "Put them on the host first", hosts="kv"),
    role_case("tls-files-one-of-three", "consul_kv", dict(consul_kv_tls_key_file=MISSING_TLS_FILES[2]),
              "needs all three of consul_kv_tls_ca_file, consul_kv_tls_cert_file and consul_kv_tls_key_file",
              "set the missing ones or none", hosts="kv"),
    role_case("tls-file-is-a-directory", "consul_kv", dict(missing_tls("consul_kv"), consul_kv_tls_key_file="/etc"),
              "Not a file: /etc.", "Put them on the host first", hosts="kv"),
    role_case("tls-files-missing", "etcd_kv", missing_tls("etcd_kv"),
              "etcd_kv on kv: TLS file(s) not found: %s" % ", ".join(MISSING_TLS_FILES),
              "Put them on the host first", hosts="kv"),
    role_case("host-not-in-group", "etcd_kv", dict(etcd_kv_group="cnmt_bad_nohosts"),
              "etcd_kv_group", hosts="kv"),
    role_case("even-member-count", "etcd_kv", dict(etcd_kv_group="docker_hosts"),
              "etcd_kv_group", "odd"),
    # docker_restart, docker_engine: argument types and values
    role_case("wait-timeout-zero", "docker_restart", dict(docker_restart_wait_timeout=0),
              "docker_restart_wait_timeout must be a positive number of seconds", hosts="n1"),
    role_case("service-manager-unknown", "docker_restart", dict(docker_restart_service_manager="upstart"),
              "docker_restart_service_manager", "systemd, sysvinit", hosts="n1"),
    role_case("tcp-api-tls-files-missing", "docker_engine",
              dict(docker_engine_tcp_listen="0.0.0.0:2376", **missing_tls("docker_engine")),
              "docker_engine on n1: TLS file(s) not found: %s" % ", ".join(MISSING_TLS_FILES),
              "Put them on the host first", hosts="n1"),
    role_case("tcp-api-without-tls", "docker_engine", dict(docker_engine_tcp_listen="0.0.0.0:2375"),
              "which is opened only with TLS and client certificate verification", "Nothing was changed",
              hosts="n1"),
    role_case("enabled-not-a-boolean", "docker_engine", dict(docker_engine_enabled="sometimes"),
              "docker_engine_enabled", "bool", hosts="n1"),
    # overlay_check: participants
    role_case("one-host", "overlay_check", dict(overlay_check_network="multi", overlay_check_hosts=["n1"]),
              "overlay_check_hosts must name at least two hosts of the inventory", "got ['n1']"),
    role_case("host-not-in-play", "overlay_check", dict(overlay_check_network="multi", overlay_check_hosts=["n1", "n9"]),
              "overlay_check_hosts names hosts the inventory does not have: n9"),
    role_case("wait-not-positive", "overlay_check",
              dict(overlay_check_network="multi", overlay_check_hosts=["n1", "n2"], overlay_check_wait_timeout=0),
              "overlay_check_wait_timeout (cnm_overlay_check_wait_timeout in site.yml) must be a positive number"),
    role_case("ping-count-not-a-number", "overlay_check",
              dict(overlay_check_network="multi", overlay_check_hosts=["n1", "n2"], overlay_check_ping_count="many"),
              "overlay_check_ping_count", "int"),
    # docker_swarm: conflicting options, interfaces, IPsec
    role_case("node-role-unknown", "docker_swarm", dict(docker_swarm_node_role="boss"),
              "docker_swarm_node_role", "manager, worker"),
    role_case("advertise-interface-unknown", "docker_swarm", dict(docker_swarm_advertise_interface="eth9"),
              "n1 has no IPv4 address on 'eth9' (cnm_overlay_advertise_interface)", "its interfaces:",
              "Set the interface, or the address with cnm_overlay_advertise_address"),
    # With ESP the IPsec check passes, and the play stops at the next check (the bullseye lab's live-restore).
    role_case("encrypted-without-ipsec", "docker_swarm", dict(docker_swarm_encrypted_network=True),
              "An encrypted overlay network (encrypted: true", "cannot create an ESP state", "CONFIG_INET_ESP",
              "Nothing was changed", "encrypted: false", with_esp=["docker_swarm: live-restore is enabled on n1"]),
    role_case("data-path-port-out-of-range", "docker_swarm", dict(docker_swarm_data_path_port=50000),
              "docker_swarm on n1: docker_swarm_data_path_port (cnm_overlay_data_path_port) must be a UDP port from"
              " 1024 to 49151, as Docker requires", "it is 50000.", "Nothing was changed."),
    role_case("default-addr-pool-not-a-cidr", "docker_swarm", dict(docker_swarm_default_addr_pool=["10.20.0.300/16"]),
              "docker_swarm_default_addr_pool (cnm_overlay_default_addr_pool): '10.20.0.300/16' is not an IPv4 subnet"
              " in CIDR notation"),
    role_case("subnet-size-without-pool", "docker_swarm", dict(docker_swarm_subnet_size=26),
              "docker_swarm_subnet_size (cnm_overlay_default_addr_pool_subnet_size) is 26 but docker_swarm_default_addr_pool"
              " (cnm_overlay_default_addr_pool) is empty"),
    role_case("data-path-port-not-a-number", "docker_swarm", dict(docker_swarm_data_path_port="vxlan"),
              "docker_swarm_data_path_port", "int"),
    role_case("live-restore-in-daemon-json", "docker_swarm", {},
              "live-restore", "swarm"),
    # preflight: each check fed a wrong value, alone
    role_case("advertise-interface-unknown", "preflight", dict(preflight_advertise="eth9", preflight_checks=["advertise"]),
              "eth9", "set cnm_overlay_advertise_interface (or preflight_advertise)"),
    role_case("subnet-overlaps-host-route", "preflight",
              dict(preflight_subnets="172.17.0.0/24", preflight_checks=["subnets"]),
              "172.17.0.0/24", "choose overlay subnets (cnm_overlay_subnet / preflight_subnets) outside every route"),
    role_case("encrypted-without-ipsec", "preflight", dict(preflight_encrypted=True, preflight_checks=["ipsec"]),
              "cannot add an IPsec ESP state", "CONFIG_INET_ESP", "use an unencrypted network",
              with_esp=["host | ipsec", "n1 | OK", "n2 | OK"]),
    role_case("data-path-port-not-a-port", "preflight",
              dict(preflight_control_plane="swarm", preflight_data_path_port=70000, preflight_checks=["ports"]),
              "preflight_data_path_port (cnm_overlay_data_path_port) 70000 is not a UDP port"),
    role_case("store-url-unreachable", "preflight",
              dict(preflight_store_url="consul://10.203.99.99:8500", preflight_store_timeout=2, preflight_checks=["store"]),
              "10.203.99.99:8500", "preflight_store_url"),
    role_case("mtu-above-underlay", "preflight", dict(preflight_network_mtu=9000, preflight_checks=["mtu"]),
              "mtu failed on n1, n2", "to at most the smallest underlay MTU", "(cnm_overlay_mtu / preflight_network_mtu)"),
    role_case("check-unknown", "preflight", dict(preflight_checks=["firewall"]),
              "preflight_checks", "firewall"),
    role_case("store-scheme-unknown", "preflight", dict(preflight_store_scheme="ftp", preflight_checks=["store"]),
              "preflight_store_scheme", "http, https"),
    # site.yml: the inventory itself
    role_case("kv-store-group-empty", "site", {},
              "inventory group kv_store", "add the KV store host(s) to kv_store",
              groups={"kv_store": [], "docker_hosts": ["n1", "n2"]}, playbook=SITE),
    # site.yml: its own settings (the playbook's variables go in with -e)
    role_case("check-hosts-unknown", "site", dict(cnm_overlay_check_hosts=["n1", "n9"]),
              'cnm_overlay_check_hosts must be a list of hosts of the group docker_hosts (n1, n2); it is ["n1", "n9"].',
              "Nothing was changed", playbook=SITE),
    role_case("check-hosts-a-string", "site", dict(cnm_overlay_check_hosts="n1,n2"),
              "cnm_overlay_check_hosts must be a list", 'it is "n1,n2"', playbook=SITE),
    role_case("advertise-port-out-of-range", "site", dict(cnm_overlay_advertise_port=99999),
              "cnm_overlay_advertise_port must be a port from 1 to 65535; it is 99999.", playbook=SITE),
    role_case("check-wait-not-positive", "site", dict(cnm_overlay_check_wait_timeout=-1),
              "cnm_overlay_check_wait_timeout must be a positive number of seconds; it is -1.", playbook=SITE),
    role_case("data-path-port-well-known", "site", dict(cnm_overlay_data_path_port=80),
              "cnm_overlay_data_path_port must be a UDP port from 1024 to 49151, as Docker requires (VXLAN's default"
              " is 4789); it is 80.", "Nothing was changed", playbook=SITE),
    role_case("default-addr-pool-ipv6", "site", dict(cnm_overlay_default_addr_pool="10.20.0.0/16,fd00:20::/48"),
              "cnm_overlay_default_addr_pool: 'fd00:20::/48' is IPv6; swarm's default address pools are IPv4 subnets",
              playbook=SITE),
    role_case("subnet-size-shorter-than-the-pool", "site",
              dict(cnm_overlay_default_addr_pool=["10.20.0.0/16"], cnm_overlay_default_addr_pool_subnet_size=12),
              "cnm_overlay_default_addr_pool_subnet_size is 12: a /12 network does not fit in the pool 10.20.0.0/16;"
              " use a subnet size of at least 16.", playbook=SITE),
]


def _inventory(lab, spec, inventory_file):
    if spec["groups"] is None:
        return lab.inventory
    return inventory_file({group: {node: lab.host_vars(node) for node in nodes}
                           for group, nodes in spec["groups"].items()})


@pytest.mark.parametrize("spec, expected", ROLE_CASES)
def test_role_bad_input(lab_for, inventory_file, playbook_runner, flat, spec, expected):
    lab = lab_for(spec["lab"])
    inventory = _inventory(lab, spec, inventory_file)
    before = lab_state(lab)
    extra_args = []
    if spec["playbook"]:
        playbook = "- name: The whole playbook\n  ansible.builtin.import_playbook: %s\n" % (REPO / spec["playbook"])
        extra_args = ["-e", json.dumps(spec["variables"])] if spec["variables"] else []
    else:
        playbook = ROLE_PLAY.format(role=spec["role"], hosts=spec["hosts"], variables=json.dumps(spec["variables"]))
    result = playbook_runner(playbook, inventory=inventory, extra_args=extra_args)
    log = flat(result)
    print("\n".join(line for line in result.stdout.splitlines() if "[ERROR]" in line))
    after = lab_state(lab)
    tail = result.stdout[-4000:] + result.stderr[-2000:]
    if spec["with_esp"] is not None and lab.has_esp():
        # This kernel has ESP: the IPsec check must pass it (test_docker_swarm proves the encrypted ping).
        assert "CONFIG_INET_ESP" not in log, "the IPsec check refused a kernel that has ESP:\n" + tail
        for text in spec["with_esp"]:
            assert text in log, "%r missing from the play's messages:\n%s" % (text, tail)
        for node in LAB_NODES:
            assert after[node] == before[node], "%s changed\n%s" % (node, tail)
        return
    assert result.returncode != 0, "the play accepted the bad input:\n" + tail
    assert "fatal:" in result.stdout or "failed:" in result.stdout, "no failed task (an error before any task?):\n" + tail
    assert "Traceback" not in result.stdout + result.stderr, tail
    for text in expected:
        assert text in log, "%r missing from the play's messages:\n%s" % (text, tail)
    for node in LAB_NODES:
        assert after[node] == before[node], "%s changed: daemon.json, dockerd, networks or containers\n%s" % (node, tail)


CONTROL_PLAY = """
- name: Good input for docker_cluster_store, in check mode
  hosts: n1
  gather_facts: true
  gather_subset: [network]
  roles:
    - role: cnm.overlay.docker_cluster_store
      docker_cluster_store_url: consul://kv:8500
    - role: cnm.overlay.docker_restart
      docker_restart_cluster_store: consul://kv:8500
"""


def test_role_good_input_passes_the_same_checks(lab_for, playbook_runner, flat):
    """The control for the docker_cluster_store cases: valid values pass every check the bad ones
    fail, so those failures come from the values (check mode: nothing is written)."""
    lab = lab_for("bullseye")
    before = lab_state(lab)
    result = playbook_runner(CONTROL_PLAY, inventory=lab.inventory, check=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Merge the cluster store settings into daemon.json" in result.stdout
    assert "The engine on n1 would be restarted (sysvinit service docker) and waited for up to 60 s until docker " \
        "info shows ClusterStore consul://kv:8500." in flat(result)
    assert lab_state(lab) == before
