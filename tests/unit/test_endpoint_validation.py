"""Unit tests of the endpoint module's validation and the address helpers it uses."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _endpoint as ep
from ansible_collections.cnm.overlay.plugins.module_utils import _ipam

from test_endpoint_compare import CONTAINER_ID, network, params


def check(network_fields=None, containers=None, **options):
    return ep.check_against_network(params(**options), network(containers, **(network_fields or {})), CONTAINER_ID)


@pytest.mark.parametrize("options, field, words", [
    (dict(ipv4_address="10.202.1.300"), "ipv4_address", "not an IPv4 address"),
    (dict(ipv4_address="10.202.1.5/24"), "ipv4_address", "without a prefix length"),
    (dict(ipv4_address="fd00::5"), "ipv4_address", "put it in ipv6_address"),
    (dict(ipv6_address="10.202.1.5"), "ipv6_address", "put it in ipv4_address"),
    (dict(links=["db:alias:x"]), "links", "CONTAINER:ALIAS"),
    (dict(links=[":alias"]), "links", "CONTAINER:ALIAS"),
    (dict(links=["my db"]), "links", "CONTAINER:ALIAS"),
    (dict(link_local_ips=["nonsense"]), "link_local_ips", "not an IP address"),
    (dict(link_local_ips=["10.0.0.1"]), "link_local_ips", "not a link-local address"),
    (dict(link_local_ips=["ff02::1"]), "link_local_ips", "not a link-local address"),
    (dict(aliases=[""]), "aliases", "empty"),
    (dict(driver_options={"opt": {"a": 1}}), "driver_options.opt", "give a string, number or boolean"),
])
def test_bad_parameters_name_the_field(options, field, words):
    errors = ep.check_parameters(params(**options))
    assert len(errors) == 1 and errors[0].startswith(field) and words in errors[0]


def test_good_parameters_pass():
    assert ep.check_parameters(params(aliases=["a"], ipv4_address="10.0.0.5", ipv6_address="fd00::5",
                                      links=["db", "db:x"], link_local_ips=["169.254.1.1", "fe80::1"])) == []


def test_address_outside_the_subnets():
    errors = check(ipv4_address="10.202.2.5")
    assert errors == ["ipv4_address 10.202.2.5 is outside the subnets of network net (10.202.1.0/24); "
                      "give an address inside them."]


def test_address_equal_to_the_configured_gateway():
    errors = check(dict(IPAM=dict(Driver="default", Config=[dict(Subnet="10.202.1.0/24", Gateway="10.202.1.254")])),
                   ipv4_address="10.202.1.254")
    assert len(errors) == 1 and "is the gateway" in errors[0]


def test_address_equal_to_the_default_gateway():
    assert "is the gateway" in check(ipv4_address="10.202.1.1")[0]


@pytest.mark.parametrize("address", ["10.202.1.0", "10.202.1.255"])
def test_network_and_broadcast_addresses(address):
    assert "network or broadcast address" in check(ipv4_address=address)[0]


def test_address_used_by_another_endpoint_names_it():
    others = {"f" * 64: dict(Name="db", EndpointID="0123456789abcdef", IPv4Address="10.202.1.9/24")}
    errors = check(containers=others, ipv4_address="10.202.1.9")
    assert errors[0].startswith("ipv4_address 10.202.1.9 is already used on network net by container db "
                                "(endpoint 0123456789ab)")


def test_own_address_is_not_in_use():
    own = {CONTAINER_ID: dict(Name="web", EndpointID="e1", IPv4Address="10.202.1.9/24")}
    assert check(containers=own, ipv4_address="10.202.1.9") == []


def test_ipv6_in_use_compares_in_normal_form():
    others = {"f" * 64: dict(Name="db", EndpointID="e2", IPv6Address="fd00:202:0::9/64")}
    fields = dict(EnableIPv6=True, IPAM=dict(Config=[dict(Subnet="10.202.1.0/24"), dict(Subnet="fd00:202::/64")]))
    assert "already used" in check(fields, containers=others, ipv6_address="fd00:202::0:9")[0]


def test_fixed_address_needs_a_configured_subnet():
    errors = check(dict(IPAM=dict(Driver="default", Config=[])), ipv4_address="10.202.1.5")
    assert errors[0].startswith("ipv4_address: network net has no IPv4 subnet configured by the user")


def test_ipv6_address_on_a_network_without_ipv6():
    assert check(ipv6_address="fd00:202::5")[0].startswith("ipv6_address: network net has IPv6 disabled")


def test_ipv6_link_local_on_a_network_without_ipv6():
    assert check(link_local_ips=["fe80::5"])[0].startswith("link_local_ips: network net has IPv6 disabled")
    assert check(link_local_ips=["169.254.1.1"]) == []


def test_default_bridge_takes_no_aliases_and_no_fixed_addresses():
    errors = check(dict(Name="bridge"), aliases=["a"], ipv4_address="172.17.0.50")
    assert errors[0].startswith("aliases: the default bridge network") and errors[1].startswith("ipv4_address")
    assert check(dict(Name="bridge"), links=["db:x"]) == []


@pytest.mark.parametrize("address, expected", [
    ("169.254.3.3", True), ("fe80::5", True), ("10.0.0.1", False), ("fd00::1", False), ("ff02::1", False),
])
def test_is_link_local(address, expected):
    assert _ipam.is_link_local(address) is expected


def test_default_gateway_and_reserved_addresses():
    assert str(_ipam.default_gateway("fd00:202::/64")) == "fd00:202::1"
    assert _ipam.is_network_or_broadcast("10.0.0.255", "10.0.0.0/24")
    assert not _ipam.is_network_or_broadcast("fd00::ffff:ffff:ffff:ffff", "fd00::/64")
    assert not _ipam.is_network_or_broadcast("10.0.0.1", "10.0.0.0/31")
    assert _ipam.strip_prefix("10.0.0.5/24") == "10.0.0.5"


@pytest.mark.parametrize("message, expected", [
    # The daemon's words when a connect's store update could not be sent (seen in the endpoint lab test).
    ('Docker daemon error (POST /v1.41/networks/c66f/connect, HTTP 500): failed to update store for object type '
     '*libnetwork.endpointCnt: Get "http://kv:8500/v1/kv/docker/network/v1.0/endpoint_count/c66f/?consistent=": '
     'dial tcp 172.30.95.10:8500: connect: network is unreachable', True),
    ('failed to update store for object type *libnetwork.endpoint: Put "http://kv:2379/v2/keys/x": '
     'dial tcp 10.0.0.5:2379: i/o timeout', True),
    # A store read that failed during the join, as 20.10 reports it (seen in CI on the endpoint lab test).
    ('Docker daemon error (POST /v1.41/networks/9c316ed4/connect, HTTP 500): failed to get network from store '
     'during join: network 9c316ed4819054299acbc5e166d3f938bdc92ccb4b84c08e970c458ffc388e95 not found', True),
    ("Address already in use", False),
    ("network multi not found", False),
    ("endpoint with name web already exists in network multi", False),
    ('pull access denied: dial tcp 1.2.3.4:443: connect: connection refused', False),
])
def test_store_unreachable(message, expected):
    assert ep.store_unreachable(message) is expected


STORE_DIAL = ('failed to update store for object type *libnetwork.endpointCnt: Get "http://kv:8500/v1/kv/x": '
              'dial tcp 172.30.95.10:8500: connect: network is unreachable')


class _Client(object):
    """Answers connects with the given errors in turn (None: success); records every call."""

    def __init__(self, connect_errors):
        self.connect_errors = list(connect_errors)
        self.calls = []

    def post(self, path, body=None, params=None):
        self.calls.append((path.rsplit("/", 1)[-1], body.get("Force")))
        if path.endswith("/connect"):
            error = self.connect_errors.pop(0)
            if error:
                raise ep.DockerError(error)
        elif path.endswith("/disconnect"):
            raise ep.DockerError("container is not connected to the network net")


class _Module(object):
    check_mode = False

    def __init__(self):
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def _manager(client):
    manager = ep.EndpointManager.__new__(ep.EndpointManager)
    manager.module, manager.client, manager.check_mode = _Module(), client, False
    manager.results = dict(changed=False, actions=[])
    return manager


def test_a_connect_that_failed_on_the_store_is_dropped_then_sent_again(monkeypatch):
    # A 20.10 daemon may keep the endpoint of such a connect ("endpoint with name ... already exists").
    monkeypatch.setattr(ep.time, "sleep", lambda seconds: None)
    client = _Client([STORE_DIAL, None])
    manager = _manager(client)
    manager._connect({"Id": CONTAINER_ID, "Name": "/web"}, network(), {"aliases": ["webalias"]})
    assert client.calls == [("connect", None), ("disconnect", True), ("connect", None)]
    assert len(manager.module.warnings) == 1 and "attempt 1 of" in manager.module.warnings[0]


def test_other_connect_errors_are_not_sent_again(monkeypatch):
    monkeypatch.setattr(ep.time, "sleep", lambda seconds: None)
    client = _Client(["Address already in use"])
    with pytest.raises(ep.DockerError):
        _manager(client)._connect({"Id": CONTAINER_ID, "Name": "/web"}, network(), {})
    assert client.calls == [("connect", None)]
