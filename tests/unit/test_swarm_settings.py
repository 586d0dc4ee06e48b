"""Unit tests of the settings only swarm init takes: validation, and an existing swarm's differences."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _swarm_settings as ss

SITE_NAMES = {"data_path_port": "cnm_overlay_data_path_port", "default_addr_pool": "cnm_overlay_default_addr_pool",
              "subnet_size": "cnm_overlay_default_addr_pool_subnet_size"}


def problems(port=4789, pool=None, size=None):
    return ss.init_settings(port, pool, size, SITE_NAMES)["problems"]


def test_docker_defaults_are_valid_and_leave_pool_and_size_unset():
    assert ss.init_settings(4789, [], 0) == {"data_path_port": 4789, "default_addr_pool": [], "subnet_size": None,
                                             "problems": []}


def test_values_from_the_command_line_are_parsed():
    # -e hands strings over: a port of digits, pools separated by commas.
    assert ss.init_settings("4790", "10.20.0.0/16, 10.30.0.0/16", "26") == {
        "data_path_port": 4790, "default_addr_pool": ["10.20.0.0/16", "10.30.0.0/16"], "subnet_size": 26,
        "problems": []}


def test_unset_port_is_vxlans_default():
    assert ss.init_settings(None, None, None)["data_path_port"] == 4789


@pytest.mark.parametrize("port", [80, 1023, 49152, 65535, 0, "vxlan", True, 4790.5])
def test_port_outside_dockers_range_names_the_variable_and_the_range(port):
    assert problems(port=port) == ["cnm_overlay_data_path_port must be a UDP port from 1024 to 49151, as Docker requires"
                                   " (VXLAN's default is 4789); it is %r." % (port,)]


@pytest.mark.parametrize("port", [1024, 4790, 49151])
def test_port_inside_dockers_range_is_valid(port):
    assert problems(port=port) == []


def test_pool_that_is_no_cidr_is_named():
    assert problems(pool=["10.20.0.300/16"])[0].startswith("cnm_overlay_default_addr_pool: '10.20.0.300/16' is not an"
                                                           " IPv4 subnet in CIDR notation")


def test_pool_with_host_bits_is_named():
    assert "'10.20.1.0/16' is not an IPv4 subnet" in problems(pool=["10.20.1.0/16"])[0]


def test_ipv6_pool_is_refused():
    assert problems(pool=["fd00:20::/48"], size=64)[0] == (
        "cnm_overlay_default_addr_pool: 'fd00:20::/48' is IPv6; swarm's default address pools are IPv4 subnets"
        " such as 10.20.0.0/16.")


def test_overlapping_pools_are_named():
    assert problems(pool=["10.20.0.0/16", "10.20.128.0/17"]) == [
        "cnm_overlay_default_addr_pool: 10.20.128.0/17 overlaps 10.20.0.0/16; give pools that do not overlap."]


def test_pool_that_is_not_a_list_is_named():
    assert problems(pool={"pool": "10.20.0.0/16"})[0].startswith("cnm_overlay_default_addr_pool must be a list")


@pytest.mark.parametrize("size", [30, 32, 33, -1, "big"])
def test_subnet_size_outside_dockers_range_is_named(size):
    assert problems(pool=["10.20.0.0/16"], size=size) == [
        "cnm_overlay_default_addr_pool_subnet_size must be a prefix length from 1 to 29, as Docker requires"
        " (its default is 24); it is %r." % (size,)]


def test_subnet_size_without_a_pool_is_refused():
    assert problems(size=26) == [
        "cnm_overlay_default_addr_pool_subnet_size is 26 but cnm_overlay_default_addr_pool is empty: Docker applies"
        " the subnet size only to the pools given with it. Set both, or neither for Docker's 10.0.0.0/8 in /24"
        " networks."]


def test_subnet_size_shorter_than_the_pool_is_refused():
    assert problems(pool=["10.20.0.0/16"], size=12) == [
        "cnm_overlay_default_addr_pool_subnet_size is 12: a /12 network does not fit in the pool 10.20.0.0/16;"
        " use a subnet size of at least 16."]


def test_pool_smaller_than_dockers_default_subnet_size_needs_a_size():
    assert problems(pool=["10.20.0.0/26"]) == [
        "cnm_overlay_default_addr_pool_subnet_size is not set, and Docker's default /24 does not fit in the pool"
        " 10.20.0.0/26: set it to at least 26."]


def test_every_problem_is_reported_at_once():
    assert len(problems(port=80, pool=["nope"], size=31)) == 3


def test_role_messages_name_the_role_variable_and_the_site_variable():
    assert ss.init_settings(80, [], 0)["problems"][0].startswith(
        "docker_swarm_data_path_port (cnm_overlay_data_path_port) must be")


CLUSTER = {"DataPathPort": 4790, "DefaultAddrPool": ["10.20.0.0/16"], "SubnetSize": 26}


def test_swarm_initialised_with_the_settings_has_no_difference():
    assert ss.cluster_differences(CLUSTER, ss.init_settings(4790, ["10.20.0.0/16"], 26)) == []


def test_swarm_with_another_port_is_reported_with_both_ports():
    assert ss.cluster_differences(CLUSTER, ss.init_settings(4789, [], 0), SITE_NAMES) == [
        "cnm_overlay_data_path_port is 4789, but the swarm uses data-path port 4790"]


def test_pools_and_size_left_unset_are_not_compared():
    assert ss.cluster_differences(CLUSTER, ss.init_settings(4790, [], 0)) == []


def test_swarm_with_other_pools_and_size_is_reported():
    assert ss.cluster_differences(CLUSTER, ss.init_settings(4790, ["10.30.0.0/16"], 28), SITE_NAMES) == [
        "cnm_overlay_default_addr_pool is 10.30.0.0/16, but the swarm's default address pools are 10.20.0.0/16",
        "cnm_overlay_default_addr_pool_subnet_size is 28, but the swarm's pools are cut into /26 networks"]


def test_swarm_with_dockers_defaults_shows_them_as_defaults():
    # docker info of a swarm made with Docker's defaults: DefaultAddrPool null, SubnetSize 24.
    default = {"DataPathPort": 4789, "DefaultAddrPool": None, "SubnetSize": 24}
    assert ss.cluster_differences(default, ss.init_settings(4789, ["10.20.0.0/16"], 24), SITE_NAMES) == [
        "cnm_overlay_default_addr_pool is 10.20.0.0/16, but the swarm's default address pools are Docker's"]
