"""Unit tests of the connection helper's pure parts."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _api_client as api


@pytest.mark.parametrize("text, expected", [
    ("1.41", (1, 41)),
    ("20.10.24+dfsg1", (20, 10, 24)),
    ("26.1.5", (26, 1, 5)),
])
def test_version_tuple(text, expected):
    assert api.version_tuple(text) == expected


def test_unix_host_is_a_socket_path():
    client = api.DockerClient("unix:///run/custom.sock")
    assert client._socket_path == "/run/custom.sock"


def test_tcp_host_defaults_to_tls_port_when_tls():
    client = api.DockerClient("tcp://10.0.0.5", tls=True)
    assert client._address == ("10.0.0.5", 2376)


def test_unsupported_scheme_names_the_field_and_the_fix():
    with pytest.raises(api.DockerError) as err:
        api.DockerClient("ssh://root@n1")
    assert "docker_host" in err.value.message and "tcp://HOST:PORT" in err.value.message


def test_unreachable_socket_is_a_clear_error(tmp_path):
    client = api.DockerClient("unix://%s" % (tmp_path / "missing.sock"), timeout=2)
    with pytest.raises(api.DockerError) as err:
        client.version()
    assert "Cannot reach the Docker daemon" in err.value.message and "missing.sock" in err.value.message


def test_params_are_stringified_for_the_query():
    assert api._stringify_params({"a": True, "b": None, "c": {"x": ["1"]}}) == {"a": "1", "c": '{"x": ["1"]}'}


@pytest.mark.parametrize("options, words", [
    (dict(timeout=-1), "timeout -1 is negative"),
    (dict(api_version="latest"), "api_version 'latest' is not an Engine API version"),
])
def test_bad_connection_options_name_the_option(options, words):
    with pytest.raises(api.DockerError) as err:
        api.DockerClient("unix:///var/run/docker.sock", **options)
    assert words in err.value.message


def test_requested_api_version_too_old_names_the_option():
    client = api.DockerClient("unix:///var/run/docker.sock", api_version="1.12")
    with pytest.raises(api.DockerError) as err:
        getattr(client, "api_version")
    assert "api_version 1.12 is older" in err.value.message and "use auto" in err.value.message
