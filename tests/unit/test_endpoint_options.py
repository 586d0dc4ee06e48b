"""Unit tests of docker_cnm_endpoint's mac_address and gw_priority: validation, comparison with
endpoint settings in Docker 28/29's shape, what a connect sends, and the API gates (pure)."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _endpoint as ep

CONTAINER = dict(Id="3e788deae4b5ac8ba1b74f40c032122960f0b1f3992fe8c725b9f3cd2c50567e", Name="/web",
                 State=dict(Running=True))


def params(**options):
    base = dict(network="net", container="web", state="connected", force=False)
    base.update(options)
    return ep.EndpointParameters(base)


def docker29_settings(**fields):
    """An endpoint as Docker 29 inspects it: every field present, the unused ones empty."""
    base = dict(IPAMConfig={"IPv4Address": "", "IPv6Address": "", "LinkLocalIPs": None}, Links=None,
                Aliases=["3e788deae4b5", "web"], DriverOpts=None, GwPriority=0, NetworkID="n" * 64,
                EndpointID="e" * 64, Gateway="10.202.1.1", IPAddress="10.202.1.2", IPPrefixLen=24,
                IPv6Gateway="", GlobalIPv6Address="", GlobalIPv6PrefixLen=0, MacAddress="52:7a:1f:00:3c:11",
                DNSNames=["web", "3e788deae4b5"])
    base.update(fields)
    return base


def test_what_the_daemon_adds_never_differs():
    # A random MAC, GwPriority 0 and the empty fields are the daemon's, not the task's.
    assert ep.has_different_config(params(), docker29_settings(), CONTAINER).empty
    assert ep.has_different_config(params(gw_priority=0), docker29_settings(), CONTAINER).empty
    older = docker29_settings()
    del older["GwPriority"]  # engines below API 1.48
    assert ep.has_different_config(params(gw_priority=0), older, CONTAINER).empty


def test_mac_address_compares_in_the_daemons_form():
    assert ep.has_different_config(params(mac_address="52-7A-1F-00-3C-11"), docker29_settings(), CONTAINER).empty
    differences = ep.has_different_config(params(mac_address="02:42:ac:11:00:99"), docker29_settings(), CONTAINER)
    assert differences.names == ["mac_address"]
    assert differences.before() == {"mac_address": "52:7a:1f:00:3c:11"}
    # A stopped container that was given no MAC reports an empty one.
    assert ep.has_different_config(params(mac_address="02:42:ac:11:00:99"), docker29_settings(MacAddress=""),
                                   CONTAINER).names == ["mac_address"]


def test_gw_priority_is_compared():
    differences = ep.has_different_config(params(gw_priority=10), docker29_settings(), CONTAINER)
    assert differences.names == ["gw_priority"] and differences.after() == {"gw_priority": 10}
    assert ep.has_different_config(params(gw_priority=-5), docker29_settings(GwPriority=-5), CONTAINER).empty


def test_a_connect_sends_the_given_settings():
    config = ep.endpoint_config(ep.merged_settings(params(mac_address="02:42:AC:11:00:99", gw_priority=10),
                                                   None, CONTAINER))
    assert config == {"MacAddress": "02:42:ac:11:00:99", "GwPriority": 10}
    assert ep.endpoint_config(ep.merged_settings(params(), None, CONTAINER)) == {}


def test_a_reconnect_keeps_the_priority_but_not_the_daemons_mac():
    merged = ep.merged_settings(params(aliases=["front"]), docker29_settings(GwPriority=10), CONTAINER)
    config = ep.endpoint_config(merged)
    assert config["GwPriority"] == 10 and "MacAddress" not in config and config["Aliases"] == ["front"]
    reset = ep.endpoint_config(ep.merged_settings(params(gw_priority=0), docker29_settings(GwPriority=10), CONTAINER))
    assert "GwPriority" not in reset


def test_endpoint_result_has_the_priority():
    result = ep.endpoint_result(docker29_settings(GwPriority=10), CONTAINER, dict(Id="n" * 64, Name="net"))
    assert result["gw_priority"] == 10 and result["mac_address"] == "52:7a:1f:00:3c:11"


@pytest.mark.parametrize("mac, words", [
    ("02:42:ac:11:00", "is not a MAC address; write six hex pairs"),
    ("02:42:ac:11:00:zz", "is not a MAC address"),
    ("01:00:5e:00:00:01", "is a multicast address"),
])
def test_bad_mac_names_the_field_and_the_fix(mac, words):
    errors = ep.check_parameters(params(mac_address=mac))
    assert len(errors) == 1 and errors[0].startswith("mac_address: ") and words in errors[0]


def test_good_mac_passes():
    assert ep.check_parameters(params(mac_address="02-42-AC-11-00-02", gw_priority=-1)) == []


def test_gw_priority_needs_api_1_48():
    errors = ep.api_gate_errors(params(gw_priority=10), "1.47", connecting=True)
    assert len(errors) == 1 and "gw_priority needs Docker API 1.48" in errors[0] and "API 1.47" in errors[0]
    assert ep.api_gate_errors(params(gw_priority=10), "1.48", connecting=True) == []
    assert ep.api_gate_errors(params(), "1.41", connecting=True) == []


def test_mac_address_in_a_connect_needs_api_1_54():
    errors = ep.api_gate_errors(params(mac_address="02:42:ac:11:00:99"), "1.51", connecting=True)
    assert len(errors) == 1
    assert "mac_address needs Docker API 1.54" in errors[0] and "spoken to with API 1.51" in errors[0]
    assert "nothing was changed" in errors[0]
    assert ep.api_gate_errors(params(mac_address="02:42:ac:11:00:99"), "1.54", connecting=True) == []


def test_mac_address_that_needs_no_connect_is_accepted_on_an_older_api():
    # The endpoint has the MAC already (set at create time): nothing to send, nothing ignored.
    assert ep.api_gate_errors(params(mac_address="02:42:ac:11:00:99"), "1.51", connecting=False) == []
