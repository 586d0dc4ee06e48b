"""Unit tests of the network spec: option normal forms and difference detection (pure)."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _network as net


def spec(**params):
    params.setdefault("name", "n")
    return net.NetworkSpec(params)


def inspect(**overrides):
    network = {
        "Name": "n", "Id": "0" * 64, "Driver": "bridge", "Scope": "local", "EnableIPv6": False,
        "Internal": False, "Attachable": False,
        "IPAM": {"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.201.1.0/24", "Gateway": "10.201.1.1"}]},
        "Options": {"com.docker.network.driver.mtu": "1400"}, "Labels": {"a": "1"}, "Containers": {},
    }
    network.update(overrides)
    return network


def test_values_are_stringified_like_the_cli():
    wanted = spec(driver_options={"mtu": 1400, "flag": True}, labels={"n": 2}, ipam_options={"x": False})
    assert wanted.driver_options == {"mtu": "1400", "flag": "true"}
    assert wanted.labels == {"n": "2"}
    assert wanted.ipam_options == {"x": "false"}


def test_only_given_options_are_compared():
    assert net.has_different_config(spec(), inspect()).empty
    assert net.has_different_config(spec(labels={"a": 1}), inspect()).empty


def test_removed_label_is_a_change():
    differences = net.has_different_config(spec(labels={}), inspect())
    assert differences.names == ["labels"]
    assert differences.before() == {"labels": {"a": "1"}} and differences.after() == {"labels": {}}


def test_removed_driver_option_is_a_change_but_daemon_options_are_not():
    network = inspect(Options={"com.docker.network.driver.mtu": "1400",
                               "com.docker.network.driver.overlay.vxlanid_list": "4097"})
    assert net.has_different_config(spec(driver_options={"com.docker.network.driver.mtu": 1400}), network).empty
    assert net.has_different_config(spec(driver_options={}), network).names == ["driver_options"]


def test_cidrs_are_compared_in_normal_form():
    network = inspect(EnableIPv6=True, IPAM={"Driver": "default", "Config": [{"Subnet": "fd00:201:0:0::/64"}]})
    wanted = spec(enable_ipv6=True, ipam_config=[dict(subnet="fd00:201::/64")])
    assert net.has_different_config(wanted, network).empty


def test_ipam_keys_not_given_are_not_compared_but_subnets_are():
    assert net.has_different_config(spec(ipam_config=[dict(subnet="10.201.1.0/24")]), inspect()).empty
    differences = net.has_different_config(spec(ipam_config=[dict(subnet="10.201.1.0/24", gateway="10.201.1.9")]),
                                           inspect())
    assert differences.names == ["ipam_config"]
    extra = net.has_different_config(spec(ipam_config=[dict(subnet="10.201.1.0/24"), dict(subnet="10.201.2.0/24")]),
                                     inspect())
    assert extra.names == ["ipam_config"]


def test_flags_and_driver():
    differences = net.has_different_config(spec(driver="macvlan", internal=True, attachable=False), inspect())
    assert differences.names == ["driver", "internal"]
    assert "driver: wanted macvlan, network has bridge" in differences.describe()


def test_filled_spec_keeps_what_the_task_does_not_mention():
    filled = spec(labels={"a": "2"}).filled_from(inspect())
    body = filled.create_body()
    assert body["Labels"] == {"a": "2"}
    assert body["IPAM"]["Config"] == [{"Subnet": "10.201.1.0/24", "Gateway": "10.201.1.1"}]
    assert body["Options"] == {"com.docker.network.driver.mtu": "1400"}


def test_validation_prefixes_list_items_and_checks_api_version():
    item = net.NetworkSpec(dict(name="n", scope="local", ipam_config=[dict(subnet="10.201.1.1/24")]),
                           field="networks[2].")
    errors = item.validate(api_version="1.29")
    assert any(error.startswith("networks[2].ipam_config[0].subnet") for error in errors)
    assert any("networks[2].scope needs Docker API 1.30" in error for error in errors)


def test_list_items_inherit_state_and_force():
    specs = net.specs_from_params(dict(state="absent", force=True, networks=[dict(name="a"), dict(name="b", force=False)]))
    assert [(s.state, s.force) for s in specs] == [("absent", True), ("absent", False)]


def test_reconnect_config_drops_the_automatic_alias():
    config = net.reconnect_config("abcdef0123456789", {
        "Aliases": ["abcdef012345", "web"], "IPAMConfig": {"IPv4Address": "10.201.1.10", "IPv6Address": ""},
        "Links": ["db:database"]})
    assert config == {"Aliases": ["web"], "IPAMConfig": {"IPv4Address": "10.201.1.10"}, "Links": ["db:database"]}


def test_info_filters_validate_keys_and_take_label_dicts():
    assert net.info_filters({"driver": "bridge", "label": {"a": "1", "b": None}}) == {
        "driver": ["bridge"], "label": ["a=1", "b"]}
    try:
        net.info_filters({"colour": "red"})
    except ValueError as exc:
        assert "filters.colour" in str(exc)
    else:
        raise AssertionError("bad filter key accepted")


def test_select_networks_prefers_exact_name_over_id_prefix():
    networks = [{"Name": "abc", "Id": "ffff"}, {"Name": "x", "Id": "abc123"}]
    assert net.select_networks(networks, ["abc"]) == [networks[0]]
    assert net.select_networks(networks, ["abc1"]) == [networks[1]]


def test_a_pool_the_daemon_added_of_another_family_is_no_difference():
    network = inspect(EnableIPv6=True, IPAM={"Driver": "default", "Config": [
        {"Subnet": "192.168.32.0/20", "Gateway": "192.168.32.1"}, {"Subnet": "fd00:201:15::/64"}]})
    assert net.has_different_config(spec(ipam_config=[dict(subnet="fd00:201:15::/64")]), network).empty
    assert net.has_different_config(spec(ipam_config=[]), network).empty
    differences = net.has_different_config(spec(ipam_config=[dict(subnet="192.168.33.0/24")]), network)
    assert differences.after() == {"ipam_config": [{"subnet": "192.168.33.0/24"}]}
    assert differences.before() == {"ipam_config": [{"subnet": "192.168.32.0/20", "gateway": "192.168.32.1"}]}


def test_endpoint_summary_skips_the_load_balancer_and_names_hosts():
    network = {
        "Containers": {
            "abc": {"Name": "web", "EndpointID": "e1"},
            "lb-multi": {"Name": "multi-endpoint", "EndpointID": "e2"},
            "ep-123": {"Name": "ep-123", "EndpointID": "e3"},
        },
        "Services": {"": {"Tasks": [{"Name": "web", "EndpointID": "e1", "Info": {"Host IP": "10.0.0.1"}},
                                    {"Name": "db", "EndpointID": "e4", "Info": {"Host IP": "10.0.0.2"}}]}},
    }
    assert net.endpoint_summary(network) == ["web (this host)", "ep-123 (remote)", "db (10.0.0.2)"]


@pytest.mark.parametrize("name", ["bad/name", "with space", "-leading-dash", "ümlaut"])
def test_a_name_docker_cannot_serve_is_refused_naming_the_rule(name):
    assert spec(name=name).validate() == [
        "name %s is not a network name Docker serves well: use letters, digits, '_', '.' and '-',"
        " starting with a letter or digit." % name]


@pytest.mark.parametrize("name", ["multi", "cnm_net.v2", "10net"])
def test_usual_names_are_taken(name):
    assert spec(name=name).validate() == []


def test_nested_label_and_option_values_are_refused_naming_the_key():
    errors = spec(labels={"env": {"stage": "test"}}, driver_options={"mtu": [1400]}, ipam_options={"x": None}).validate()
    assert any(error.startswith("labels.env is a dict") for error in errors)
    assert any(error.startswith("driver_options.mtu is a list") for error in errors)
    assert any(error.startswith("ipam_options.x is a NoneType") for error in errors)


def test_unknown_driver_error_names_the_option():
    message = net.explain_create_error('Docker daemon error (HTTP 404): plugin "nodrv" not found', spec(driver="nodrv"))
    assert message.startswith("driver: ") and "install the plugin" in message
    assert net.explain_create_error("other", spec(driver="nodrv")) == "other"
