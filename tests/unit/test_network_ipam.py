"""Unit tests of the IPAM checks and normal forms shared by the network and endpoint modules."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _ipam as ipam


@pytest.mark.parametrize("text, expected", [
    ("10.201.0.0/24", "10.201.0.0/24"),
    ("fd00:201:0:0::/64", "fd00:201::/64"),
    ("FD00:201::/64", "fd00:201::/64"),
    ("10.201.0.5/24", "10.201.0.0/24"),
    ("not-a-cidr", "not-a-cidr"),
])
def test_normalise_cidr(text, expected):
    assert ipam.normalise_cidr(text) == expected


def test_normalise_address_keeps_prefix_length():
    assert ipam.normalise_address("fd00:201:0::10") == "fd00:201::10"
    assert ipam.normalise_address("10.201.0.10/24") == "10.201.0.10/24"


def test_address_in_subnets_returns_the_holding_subnet():
    subnets = ["10.201.1.0/24", "fd00:201:1::/64"]
    assert ipam.address_in_subnets("fd00:201:1::5", subnets) == "fd00:201:1::/64"
    assert ipam.address_in_subnets("10.201.1.9", subnets) == "10.201.1.0/24"
    assert ipam.address_in_subnets("10.201.2.9", subnets) is None


def test_cidrs_of_different_families_never_overlap():
    assert not ipam.cidrs_overlap("10.201.0.0/16", "fd00:201::/48")
    assert ipam.cidrs_overlap("10.201.0.0/16", "10.201.5.0/24")


def _errors(entries, enable_ipv6=None):
    return ipam.check_ipam_config(entries, enable_ipv6)


def test_a_good_config_has_no_errors():
    assert _errors([
        dict(subnet="10.201.1.0/24", gateway="10.201.1.1", ip_range="10.201.1.128/25",
             aux_addresses=dict(router="10.201.1.2")),
        dict(subnet="fd00:201:1::/64", gateway="fd00:201:1::1"),
    ], enable_ipv6=True) == []


def test_host_bits_name_the_network_meant():
    (message,) = _errors([dict(subnet="10.201.1.7/24")])
    assert "ipam_config[0].subnet" in message and "host bits" in message and "10.201.1.0/24" in message


def test_not_a_cidr_names_the_field():
    (message,) = _errors([dict(subnet="10.201.1.0")])
    assert "ipam_config[0].subnet" in message and "CIDR" in message


@pytest.mark.parametrize("entry, words", [
    (dict(subnet="10.201.1.0/24", gateway="10.201.2.1"), ["ipam_config[0].gateway", "outside subnet"]),
    (dict(subnet="10.201.1.0/24", gateway="10.201.1.0"), ["gateway", "network address", "10.201.1.1"]),
    (dict(subnet="10.201.1.0/24", gateway="10.201.1.255"), ["gateway", "broadcast address"]),
    (dict(subnet="10.201.1.0/24", gateway="nope"), ["gateway", "not an IP address"]),
    (dict(subnet="10.201.1.0/24", ip_range="10.201.2.0/25"), ["ipam_config[0].ip_range", "not inside subnet"]),
    (dict(subnet="10.201.1.0/24", ip_range="10.201.1.1/25"), ["ipam_config[0].ip_range", "host bits"]),
    (dict(subnet="10.201.1.0/24", aux_addresses=dict(a="10.201.9.1")), ["aux_addresses.a", "outside subnet"]),
    (dict(subnet="10.201.1.0/24", aux_addresses=dict(a="10.201.1.5", b="10.201.1.5")),
     ["aux_addresses.b", "also aux address 'a'"]),
    (dict(subnet="10.201.1.0/24", gateway="10.201.1.1", aux_addresses=dict(gw="10.201.1.1")),
     ["aux_addresses.gw", "is the gateway"]),
])
def test_each_address_mistake_is_named(entry, words):
    errors = _errors([entry])
    assert len(errors) == 1, errors
    for word in words:
        assert word in errors[0]


def test_overlapping_subnets_in_one_spec():
    errors = _errors([dict(subnet="10.201.0.0/16"), dict(subnet="10.201.4.0/24")])
    assert errors == ["ipam_config[1].subnet 10.201.4.0/24 overlaps ipam_config[0].subnet 10.201.0.0/16: "
                      "give each subnet its own range."]


def test_ipv6_subnet_needs_enable_ipv6():
    (message,) = _errors([dict(subnet="fd00:201:2::/64")], enable_ipv6=None)
    assert "enable_ipv6: true" in message
    assert _errors([dict(subnet="fd00:201:2::/64")], enable_ipv6=True) == []


def test_every_mistake_is_reported_at_once():
    errors = _errors([dict(subnet="10.201.1.1/24"), dict(subnet="10.201.2.0/24", gateway="10.201.3.1")])
    assert len(errors) == 2


def test_overlap_with_daemon_networks_names_the_other_network():
    networks = [{"Name": "other", "Id": "abcdef0123456789", "IPAM": {"Config": [{"Subnet": "10.201.8.0/24"}]}},
                {"Name": "none", "Id": "1", "IPAM": {"Config": []}}]
    (message,) = ipam.find_subnet_overlaps(["10.201.8.128/25", "10.201.9.0/24"], networks)
    assert "10.201.8.128/25" in message and "other" in message and "abcdef012345" in message
