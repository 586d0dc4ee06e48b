"""docker_cnm_network_info against the real engine."""

import subprocess
import uuid

import pytest


MODULE = "docker_cnm_network_info"


@pytest.fixture
def run_module(module_runner):
    """Runs a module file of the collection directly (tests/conftest.py)."""
    return module_runner


@pytest.fixture
def two_networks(docker_api):
    names = ["cnmt-net-%s" % uuid.uuid4().hex[:8] for _index in range(2)]
    for index, name in enumerate(names):
        subprocess.run(["docker", "network", "create", "--label", "cnmt.info=%d" % index,
                        "--subnet", "10.201.9%d.0/24" % index, name], check=True, capture_output=True)
    yield names
    for name in names:
        subprocess.run(["docker", "network", "rm", name], check=False, capture_output=True)


def test_one_name_full_inspect_and_full_id(two_networks, docker_api, run_module):
    result = run_module(MODULE, dict(name=two_networks[0]))
    assert not result["changed"] and result["exists"]
    (network,) = result["networks"]
    assert network == docker_api.inspect_network(network["Id"])
    assert len(network["Id"]) == 64 and "Containers" in network


def test_several_names_in_order_and_a_missing_one(two_networks, run_module):
    result = run_module(MODULE, dict(name=list(reversed(two_networks))))
    assert result["exists"] and [net["Name"] for net in result["networks"]] == list(reversed(two_networks))
    missing = run_module(MODULE, dict(name=[two_networks[0], "cnmt-net-missing"]))
    assert not missing["exists"] and [net["Name"] for net in missing["networks"]] == [two_networks[0]]


def test_missing_network_is_not_an_error(run_module):
    result = run_module(MODULE, dict(name="cnmt-net-missing"))
    assert not result["failed"] and not result["exists"] and result["networks"] == []


def test_id_prefix_resolves(two_networks, docker_api, run_module):
    full_id = [net for net in docker_api.networks() if net["Name"] == two_networks[1]][0]["Id"]
    result = run_module(MODULE, dict(name=full_id[:12]))
    assert result["exists"] and result["networks"][0]["Id"] == full_id


def test_all_networks_without_name(two_networks, docker_api, run_module):
    result = run_module(MODULE, dict())
    names = [net["Name"] for net in result["networks"]]
    assert set(two_networks) | {"bridge", "host", "none"} <= set(names)


def test_filters_like_docker_network_ls(two_networks, run_module):
    by_label = run_module(MODULE, dict(filters=dict(label={"cnmt.info": "1"})))
    assert [net["Name"] for net in by_label["networks"]] == [two_networks[1]]
    by_type = run_module(MODULE, dict(filters=dict(type="builtin")))
    assert {net["Name"] for net in by_type["networks"]} >= {"bridge", "host", "none"}
    assert not {net["Name"] for net in by_type["networks"]} & set(two_networks)
    both = run_module(MODULE, dict(name=two_networks, filters=dict(label="cnmt.info=0")))
    assert [net["Name"] for net in both["networks"]] == [two_networks[0]] and not both["exists"]


def test_bad_filter_key_names_the_field(run_module):
    result = run_module(MODULE, dict(filters=dict(colour="red")))
    assert result["failed"] and "filters.colour" in result["msg"] and "driver" in result["msg"]


def test_query_like_inspect_format(two_networks, run_module):
    result = run_module(MODULE, dict(name=two_networks, query="[].IPAM.Config[].Subnet"))
    assert result["query_result"] == ["10.201.90.0/24", "10.201.91.0/24"]


def test_bad_query_is_a_clear_error(run_module):
    result = run_module(MODULE, dict(query="[?"))
    assert result["failed"] and "JMESPath" in result["msg"]


def test_query_without_jmespath_is_a_clear_error(tmp_path, monkeypatch, run_module):
    # A stand-in jmespath that fails to import, first on the module's path.
    (tmp_path / "jmespath.py").write_text("raise ImportError('no jmespath here')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    result = run_module(MODULE, dict(query="[].Name"))
    assert result["failed"] and "jmespath" in result["msg"] and "managed host" in result["msg"], result


def test_unreachable_daemon_is_a_clear_error(run_module):
    result = run_module(MODULE, dict(docker_host="unix:///tmp/cnmt-net-missing.sock", timeout=3))
    assert result["failed"] and "Cannot reach the Docker daemon" in result["msg"]
