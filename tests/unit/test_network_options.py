"""Unit tests of docker_cnm_network's config_only, config_from, ingress and enable_ipv4: validation,
API gates, comparison with inspect output of Docker 28 and 29, and the address-overlap plan (pure)."""

import types

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _network as net


def spec(**params):
    params.setdefault("name", "n")
    return net.NetworkSpec(params)


def docker29_inspect(**overrides):
    """A bridge network as Docker 29 inspects it: EnableIPv4, ConfigFrom {"Network": ""} and an
    empty IPRange in each IPAM Config entry, none of which the task set."""
    network = {
        "Name": "n", "Id": "1" * 64, "Driver": "bridge", "Scope": "local", "EnableIPv4": True,
        "EnableIPv6": True, "Internal": False, "Attachable": False, "Ingress": False,
        "ConfigFrom": {"Network": ""}, "ConfigOnly": False, "Containers": {}, "Options": {}, "Labels": {},
        "IPAM": {"Driver": "default", "Options": {}, "Config": [
            {"Subnet": "10.202.1.0/24", "IPRange": "", "Gateway": "10.202.1.1"},
            {"Subnet": "fd00:202::/64", "IPRange": "", "Gateway": "fd00:202::1"}]},
    }
    network.update(overrides)
    return network


def one_error(errors, *parts):
    """The one message that names every part (field and fix)."""
    matching = [error for error in errors if all(part in error for part in parts)]
    assert len(matching) == 1, errors
    return matching[0]


# -- comparison and normal form -------------------------------------------------------------

def test_docker29_empty_fields_are_no_change_for_every_option_given():
    wanted = spec(driver="bridge", enable_ipv6=True, enable_ipv4=True, config_only=False, ingress=False,
                  ipam_config=[dict(subnet="10.202.1.0/24", gateway="10.202.1.1"), dict(subnet="fd00:202::/64")])
    assert net.has_different_config(wanted, docker29_inspect()).empty


def test_an_ip_range_given_against_docker29s_empty_one_is_a_change():
    differences = net.has_different_config(spec(ipam_config=[dict(subnet="10.202.1.0/24", ip_range="10.202.1.128/25")]),
                                           docker29_inspect())
    assert differences.names == ["ipam_config"]
    assert differences.before() == {"ipam_config": [{"subnet": "10.202.1.0/24"}]}


def test_config_from_empty_network_name_reads_as_no_config_from():
    assert net.actual_properties(docker29_inspect())["config_from"] is None
    assert net.actual_properties(docker29_inspect(ConfigFrom=None))["config_from"] is None
    differences = net.has_different_config(spec(config_from="cfg"), docker29_inspect())
    assert differences.names == ["config_from"]
    assert "config_from: wanted cfg" in differences.describe()


def test_config_from_and_config_only_are_compared_exactly():
    made = docker29_inspect(Driver="macvlan", ConfigFrom={"Network": "cfg"})
    assert net.has_different_config(spec(driver="macvlan", config_from="cfg"), made).empty
    assert net.has_different_config(spec(config_from="other"), made).names == ["config_from"]
    config_only = docker29_inspect(Driver="null", ConfigOnly=True)
    assert net.has_different_config(spec(config_only=True), config_only).empty
    assert net.has_different_config(spec(config_only=True), docker29_inspect()).names == ["config_only"]


def test_enable_ipv4_missing_from_inspect_means_ipv4():
    # Engines below API 1.48 report no EnableIPv4; every network there has IPv4.
    older = docker29_inspect()
    del older["EnableIPv4"]
    assert net.has_different_config(spec(enable_ipv4=True), older).empty
    assert net.has_different_config(spec(enable_ipv4=False), older).names == ["enable_ipv4"]
    assert net.has_different_config(spec(enable_ipv4=False), docker29_inspect(EnableIPv4=False)).empty


def test_ingress_is_compared():
    assert net.has_different_config(spec(ingress=True), docker29_inspect(Ingress=True)).empty
    assert net.has_different_config(spec(ingress=True), docker29_inspect()).names == ["ingress"]


def test_options_not_given_are_not_sent_and_given_ones_are():
    assert not set(spec().create_body()) & {"ConfigOnly", "ConfigFrom", "Ingress", "EnableIPv4"}
    body = spec(config_from="cfg", ingress=False, enable_ipv4=True).create_body()
    assert body["ConfigFrom"] == {"Network": "cfg"} and body["Ingress"] is False and body["EnableIPv4"] is True
    assert spec(config_only=True).create_body()["ConfigOnly"] is True


def test_check_mode_result_of_a_config_only_network_looks_like_inspect():
    would_be = spec(config_only=True, ipam_config=[dict(subnet="10.202.9.0/24")]).would_be()
    assert would_be["Driver"] == net.CONFIG_ONLY_DRIVER and would_be["ConfigOnly"] is True
    assert would_be["ConfigFrom"] == {"Network": ""} and would_be["EnableIPv4"] is True
    assert net.spec_properties(spec(config_only=True))["driver"] == net.CONFIG_ONLY_DRIVER


def test_recreate_keeps_config_from_and_sends_nothing_it_takes_from_there():
    # Inspect shows what the network takes from its config-only network; the daemon refuses it back.
    made = docker29_inspect(Driver="macvlan", ConfigFrom={"Network": "cfg"}, EnableIPv4=False,
                            Options={"parent": "eth0"}, Labels={"x": "1"})
    body = spec(internal=True).filled_from(made).create_body()
    assert body["ConfigFrom"] == {"Network": "cfg"} and body["Driver"] == "macvlan" and body["Internal"] is True
    assert body["Options"] == {} and body["Labels"] == {} and body["IPAM"]["Config"] == []
    assert body["EnableIPv6"] is False and "EnableIPv4" not in body
    assert spec(internal=True).filled_from(made).validate() == []


def test_recreate_of_a_config_only_network_sends_no_driver_or_scope():
    config_only = docker29_inspect(Driver="null", ConfigOnly=True, Options={"parent": "eth0"})
    filled = spec(labels={"a": "2"}).filled_from(config_only)
    body = filled.create_body()
    assert body["ConfigOnly"] is True and "Scope" not in body and body["Options"] == {"parent": "eth0"}
    assert filled.validate() == []


# -- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("params, parts", [
    (dict(config_only=True, driver="macvlan"), ("driver macvlan with config_only", "drop driver here")),
    (dict(config_only=True, attachable=True, scope="swarm"),
     ("attachable, scope with config_only", "set attachable, scope on the network made with config_from")),
    (dict(config_only=True, config_from="cfg"), ("config_from with config_only", "drop one of them")),
    (dict(config_from=" "), ("config_from is empty", "give the name of a config-only network")),
    (dict(config_from="cfg", labels={"a": 1}, enable_ipv6=True),
     ("enable_ipv6, labels with config_from", "set them there, or drop config_from")),
    (dict(config_from="cfg", enable_ipv4=False, enable_ipv6=True),
     ("enable_ipv6, enable_ipv4 with config_from", "config-only network cfg")),
    (dict(config_from="cfg", ipam_driver="other", ipam_config=[dict(subnet="10.202.3.0/24")]),
     ("ipam_driver, ipam_config with config_from",)),
    (dict(ingress=True, driver="bridge"), ("ingress with driver bridge", "use driver: overlay")),
    (dict(enable_ipv4=False), ("enable_ipv4: false needs enable_ipv6: true",)),
    (dict(enable_ipv4=False, enable_ipv6=True, ipam_config=[dict(subnet="10.202.4.0/24"), dict(subnet="fd00:4::/64")]),
     ("IPv4 subnet 10.202.4.0/24 but enable_ipv4 is false", "drop the subnet")),
])
def test_bad_combinations_name_the_field_and_the_fix(params, parts):
    one_error(spec(**params).validate(), *parts)


@pytest.mark.parametrize("params", [
    dict(config_only=True, driver_options={"parent": "eth0"}, ipam_config=[dict(subnet="10.202.5.0/24")]),
    dict(config_only=True, enable_ipv4=False, enable_ipv6=True, ipam_config=[dict(subnet="fd00:5::/64")]),
    dict(config_from="cfg", driver="macvlan", scope="swarm", attachable=True),
    # The values the daemon takes as "not given" beside config_from.
    dict(config_from="cfg", labels={}, enable_ipv6=False, enable_ipv4=True, ipam_driver="default"),
    dict(enable_ipv4=False, enable_ipv6=True, ipam_config=[dict(subnet="fd00:6::/64")]),
    dict(ingress=True, driver="overlay"),
])
def test_good_combinations_pass(params):
    assert spec(**params).validate(api_version="1.51") == []


def test_list_items_name_their_index():
    item = net.NetworkSpec(dict(name="n", config_only=True, internal=True), field="networks[1].")
    one_error(item.validate(), "networks[1].internal with config_only")


@pytest.mark.parametrize("option, value, needed, api", [
    ("config_only", True, "1.30", "1.29"), ("config_from", "cfg", "1.30", "1.29"),
    ("ingress", False, "1.29", "1.28"), ("enable_ipv4", True, "1.48", "1.47"),
])
def test_an_api_too_old_fails_naming_option_and_version(option, value, needed, api):
    one_error(spec(**{option: value}).validate(api_version=api),
              "%s needs Docker API %s" % (option, needed), "spoken to with API %s" % api)
    assert spec(**{option: value}).validate(api_version=needed) == []


# -- config_from against the engine's networks ----------------------------------------------

CONFIG_ONLY = {"Name": "cfg", "Id": "c" * 64, "Driver": "null", "ConfigOnly": True,
               "IPAM": {"Config": [{"Subnet": "192.168.77.0/24", "IPRange": "192.168.77.64/26"}]}}
PLAIN = {"Name": "plain", "Id": "p" * 64, "Driver": "bridge", "ConfigOnly": False,
         "IPAM": {"Config": [{"Subnet": "10.202.8.0/24"}]}}


def test_config_from_must_name_a_config_only_network():
    errors = net.config_from_errors([spec(config_from="plain"), spec(name="m", config_from="gone")], [PLAIN])
    one_error(errors, "config_from plain: that network is not config-only (driver bridge)", "config_only: true")
    one_error(errors, "config_from gone: no network of that name", "earlier in the same task")
    assert net.config_from_errors([spec(config_from="cfg")], [CONFIG_ONLY, PLAIN]) == []


def test_config_from_may_name_a_config_only_network_made_earlier_in_the_task():
    made_first = [spec(name="cfg2", config_only=True), spec(name="m", config_from="cfg2")]
    assert net.config_from_errors(made_first, []) == []
    made_after = [spec(name="m", config_from="cfg2"), spec(name="cfg2", config_only=True)]
    one_error(net.config_from_errors(made_after, []), "config_from cfg2: no network of that name")


def overlap_errors(specs, existing):
    manager = net.NetworkManager(types.SimpleNamespace(check_mode=True), None, specs)
    plans = [dict(spec=item, action="create", network=None) for item in specs]
    errors = []
    manager._check_overlaps(plans, existing, errors)  # pylint: disable=protected-access
    return errors


def test_a_config_only_network_holds_no_address_pool():
    # The daemon lets a network take the subnet of a config-only network: it holds none itself.
    assert overlap_errors([spec(ipam_config=[dict(subnet="192.168.77.0/24")])], [CONFIG_ONLY]) == []
    assert overlap_errors([spec(name="cfg2", config_only=True, ipam_config=[dict(subnet="10.202.8.0/24")])],
                          [PLAIN]) == []


def test_a_network_from_a_config_only_one_holds_its_subnets():
    made = dict(PLAIN, Name="mv-old", IPAM={"Config": [{"Subnet": "192.168.77.0/24"}]})
    one_error(overlap_errors([spec(name="mv", driver="macvlan", config_from="cfg")], [CONFIG_ONLY, made]),
              "config_from subnet 192.168.77.0/24 overlaps subnet 192.168.77.0/24 of network mv-old")
    in_task = [spec(name="cfg3", config_only=True, ipam_config=[dict(subnet="10.202.9.0/24")]),
               spec(name="mv", driver="macvlan", config_from="cfg3"),
               spec(name="b", ipam_config=[dict(subnet="10.202.9.0/25")])]
    one_error(overlap_errors(in_task, []),
              "ipam_config subnet 10.202.9.0/25 overlaps subnet 10.202.9.0/24 of network mv")


def test_a_second_ingress_network_is_refused_unless_the_first_is_removed_in_the_task():
    existing = [{"Name": "ingress", "Id": "i" * 64, "Ingress": True}, PLAIN]
    one_error(net.ingress_errors([spec(name="ingress2", driver="overlay", ingress=True)], existing),
              "ingress: network ingress is this swarm's ingress network already", "remove it first")
    replaced = [spec(name="ingress", state="absent"), spec(name="ingress2", driver="overlay", ingress=True)]
    assert net.ingress_errors(replaced, existing) == []
    assert net.ingress_errors([spec(name="ingress", driver="overlay", ingress=True)], existing) == []


def test_the_daemons_ingress_sandbox_is_no_endpoint_that_blocks_removal():
    ingress = {"Name": "ingress", "Containers": {"ingress-sbox": {"Name": "ingress-endpoint", "EndpointID": "x"}}}
    assert net.endpoint_summary(ingress) == []
