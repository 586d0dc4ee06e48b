"""Unit tests of the endpoint module's comparison logic (pure, no daemon)."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _endpoint as ep

CONTAINER_ID = "3e788deae4b5ac8ba1b74f40c032122960f0b1f3992fe8c725b9f3cd2c50567e"
NETWORK_ID = "9286ac52bc4080fd0143af33c82fa996c300b13e370f53e30962067a5408fbfa"


def params(**options):
    base = dict(network="net", container="web", state="connected", force=False, aliases=None,
                ipv4_address=None, ipv6_address=None, links=None, link_local_ips=None, driver_options=None)
    base.update(options)
    return ep.EndpointParameters(base)


def container(running=True, networks=None):
    return dict(Id=CONTAINER_ID, Name="/web", State=dict(Running=running),
                NetworkSettings=dict(Networks=networks or {}))


def settings(**fields):
    base = dict(NetworkID=NETWORK_ID, EndpointID="e1", IPAMConfig=None, Aliases=None, Links=None, DriverOpts=None)
    base.update(fields)
    return base


def network(containers=None, **fields):
    base = dict(Id=NETWORK_ID, Name="net", EnableIPv6=False, Containers=containers or {},
                IPAM=dict(Driver="default", Config=[dict(Subnet="10.202.1.0/24")]))
    base.update(fields)
    return base


def test_daemon_added_aliases_never_differ():
    active = settings(Aliases=["db", CONTAINER_ID[:12], "web"])
    assert ep.has_different_config(params(aliases=["db"]), active, container()).empty


def test_alias_equal_to_the_container_name_is_kept_when_asked_for():
    active = settings(Aliases=["web", CONTAINER_ID[:12]])
    assert ep.has_different_config(params(aliases=["web"]), active, container()).empty


def test_missing_alias_is_a_difference_with_before_and_after():
    active = settings(Aliases=["db", CONTAINER_ID[:12]])
    differences = ep.has_different_config(params(aliases=["db", "cache"]), active, container())
    assert differences.names == ["aliases"]
    assert (differences.before(), differences.after()) == ({"aliases": ["db"]}, {"aliases": ["cache", "db"]})


def test_an_empty_alias_list_removes_user_aliases():
    active = settings(Aliases=["db", CONTAINER_ID[:12]])
    assert ep.has_different_config(params(aliases=[]), active, container()).has_difference_for("aliases")


def test_settings_not_given_are_not_compared():
    active = settings(Aliases=["db"], IPAMConfig=dict(IPv4Address="10.202.1.5"), Links=["a:b"])
    assert ep.has_different_config(params(), active, container()).empty


@pytest.mark.parametrize("wanted, reported", [
    ("fd00:202:0:0::5", "fd00:202::5"),
    ("fd00:202::5", "FD00:202::0005"),
])
def test_ipv6_addresses_compare_in_normal_form(wanted, reported):
    active = settings(IPAMConfig=dict(IPv6Address=reported))
    assert ep.has_different_config(params(ipv6_address=wanted), active, container()).empty


def test_a_dynamic_address_differs_from_a_fixed_one():
    active = settings(IPAMConfig=None, IPAddress="10.202.1.5")
    differences = ep.has_different_config(params(ipv4_address="10.202.1.5"), active, container())
    assert differences.names == ["ipv4_address"]


@pytest.mark.parametrize("wanted, reported", [
    (["db"], ["db"]),
    (["db"], ["db:db"]),
    (["db:database"], ["/db:/web/database"]),
    (["b:y", "a:x"], ["a:x", "b:y"]),
])
def test_links_compare_in_normal_form(wanted, reported):
    active = settings(Links=reported)
    assert ep.has_different_config(params(links=wanted), active, container()).empty


def test_changed_link_alias_differs():
    active = settings(Links=["db:database"])
    assert ep.has_different_config(params(links=["db:other"]), active, container()).names == ["links"]


def test_driver_options_compare_as_strings():
    active = settings(DriverOpts={"mtu": "1400", "flag": "true"})
    assert ep.has_different_config(params(driver_options={"mtu": 1400, "flag": True}), active, container()).empty
    assert not ep.has_different_config(params(driver_options={"mtu": 1400}), active, container()).empty


def test_link_local_ips_compare_as_a_set():
    active = settings(IPAMConfig=dict(LinkLocalIPs=["169.254.1.1", "fe80::0:5"]))
    assert ep.has_different_config(params(link_local_ips=["fe80::5", "169.254.1.1"]), active, container()).empty


def test_merged_settings_keep_what_was_not_given():
    active = settings(Aliases=["db", CONTAINER_ID[:12]], IPAMConfig=dict(IPv4Address="10.202.1.5"))
    merged = ep.merged_settings(params(ipv4_address="10.202.1.6"), active, container())
    assert merged["aliases"] == ["db"] and merged["ipv4_address"] == "10.202.1.6"
    assert ep.endpoint_config(merged) == {"IPAMConfig": {"IPv4Address": "10.202.1.6"}, "Aliases": ["db"]}


def test_running_container_is_attached_only_when_the_network_lists_its_endpoint():
    entry = settings(EndpointID="e1")
    owner = container(networks={"net": entry})
    listed = network(containers={CONTAINER_ID: dict(Name="web", EndpointID="e1")})
    assert ep.find_endpoint_settings(owner, listed) is entry
    # A failed connect on 20.10 leaves such an entry behind without an endpoint.
    assert ep.find_endpoint_settings(owner, network()) is None


def test_stopped_container_settings_are_found_by_network_name():
    entry = settings(NetworkID="", EndpointID="")
    assert ep.find_endpoint_settings(container(running=False, networks={"net": entry}), network()) is entry


def test_endpoint_result_has_addresses_with_prefix():
    entry = settings(IPAddress="10.202.1.5", IPPrefixLen=24, GlobalIPv6Address="fd00:202::5",
                     GlobalIPv6PrefixLen=64, MacAddress="02:42:0a:ca:01:05", Aliases=["db"])
    result = ep.endpoint_result(entry, container(), network())
    assert result["ipv4_address"] == "10.202.1.5/24" and result["ipv6_address"] == "fd00:202::5/64"
    assert result["endpoint_id"] == "e1" and result["network_id"] == NETWORK_ID and result["container"] == "web"


def test_stale_endpoint_is_found_by_name_or_endpoint_id():
    listed = network(containers={"ep-abc": dict(Name="web", EndpointID="abcdef0123456789")})
    assert ep.stale_endpoint_name(listed, "web") == "web"
    assert ep.stale_endpoint_name(listed, "abcdef012345") == "web"
    assert ep.stale_endpoint_name(listed, "other") is None


def test_foreign_endpoint_is_another_containers_endpoint_of_that_name():
    listed = network(containers={"ep-abc": dict(Name="web", EndpointID="abc"),
                                 CONTAINER_ID: dict(Name="db", EndpointID="e1")})
    assert ep.foreign_endpoint(listed, "web", CONTAINER_ID)["EndpointID"] == "abc"
    assert ep.foreign_endpoint(listed, "db", CONTAINER_ID) is None
