"""The overlay_check sandbox's one-run start (module_utils/_sandbox.py) against a recorded Engine API: the order of
its calls, what it retries, and that a failed start leaves nothing behind. The lab tests run it on real engines."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import DockerError, NotFound
from ansible_collections.cnm.overlay.plugins.module_utils._sandbox import Sandbox, SandboxFailed, create_body, split_image

OWN_ID = "0cef8f375ef8" + "0" * 52
TRANSIENT_ERROR = ("Docker daemon error (POST /containers/x/start, HTTP 500): failed to create endpoint c1 on network "
                   "multi: dial tcp 172.30.99.10:8500: connect: network is unreachable")


def running(address="10.0.9.2"):
    return {"Id": OWN_ID, "State": {"Running": True, "Status": "running", "ExitCode": 0, "Pid": 4242},
            "NetworkSettings": {"Networks": {"multi": {"IPAddress": address}}}}


class FakeEngine(object):
    """Answers the calls Sandbox makes; `starts` is the list of errors (None: success) of each start."""

    def __init__(self, container=None, endpoints=None, network=True, starts=(None,)):
        self.container = container
        self.network = {"Id": "n" * 64, "Name": "multi", "Containers": endpoints or {}} if network else None
        self.starts = list(starts)
        self.calls = []

    def get(self, path, params=None):
        self.calls.append(("GET", path))
        if path == "/networks":
            return [self.network] if self.network else []
        if path.startswith("/networks/"):
            return self.network
        if self.container is None:
            raise NotFound("no such container")
        return self.container

    def post(self, path, body=None, params=None):
        self.calls.append(("POST", path))
        if path == "/containers/create":
            return {"Id": OWN_ID}
        if path.endswith("/start"):
            error = self.starts.pop(0)
            if error:
                self.container = {"Id": OWN_ID, "State": {"Running": False, "Status": "created"}}
                raise DockerError(error)
            self.container = running()
        return None

    def delete(self, path, params=None):
        self.calls.append(("DELETE", path))
        if self.container is None:
            raise NotFound("no such container")
        self.container = None


def sandbox(engine, keep=True):
    return Sandbox(engine, "c1", "multi", "cnm-lab/sandbox:latest", keep, "c", 5, sleep=lambda seconds: None)


def verbs(engine):
    return [" ".join(call) for call in engine.calls if call[0] != "GET"]


def test_a_fresh_host_creates_and_starts_it_by_the_networks_name():
    engine = FakeEngine()
    result = sandbox(engine).ensure()
    assert verbs(engine) == ["POST /containers/create", "POST /containers/%s/start" % OWN_ID]
    assert (result["address"], result["pid"], result["started"]) == ("10.0.9.2", 4242, True)


def test_a_kept_sandbox_running_on_the_network_is_left_alone():
    engine = FakeEngine(container=running(), endpoints={OWN_ID: {"Name": "c1"}})
    result = sandbox(engine).ensure()
    assert verbs(engine) == [] and result["started"] is False and result["address"] == "10.0.9.2"


def test_a_created_container_and_a_stale_endpoint_go_before_the_start():
    engine = FakeEngine(container={"Id": OWN_ID, "State": {"Running": False, "Status": "created"}},
                        endpoints={"ep-" + "7" * 64: {"Name": "c1"}})
    box = sandbox(engine)
    box.ensure()
    assert verbs(engine) == ["DELETE /containers/c1", "POST /networks/multi/disconnect", "POST /containers/create",
                             "POST /containers/%s/start" % OWN_ID]
    assert box.removed


def test_only_the_transient_start_error_is_tried_again_each_after_a_clean_up():
    engine = FakeEngine(starts=[TRANSIENT_ERROR, None])
    result = sandbox(engine).ensure()
    assert verbs(engine) == ["POST /containers/create", "POST /containers/%s/start" % OWN_ID, "DELETE /containers/c1",
                             "POST /networks/multi/disconnect", "POST /containers/create",
                             "POST /containers/%s/start" % OWN_ID]
    assert result["started"]


def test_another_start_error_fails_at_once_and_leaves_nothing_behind():
    engine = FakeEngine(starts=["Docker daemon error: endpoint with name c1 already exists in network multi"])
    with pytest.raises(SandboxFailed, match="endpoint with name c1 already exists"):
        sandbox(engine).ensure()
    assert verbs(engine)[-2:] == ["DELETE /containers/c1", "POST /networks/multi/disconnect"]
    assert engine.container is None


def test_the_transient_error_fails_after_four_tries():
    engine = FakeEngine(starts=[TRANSIENT_ERROR] * 4)
    with pytest.raises(SandboxFailed, match="network is unreachable"):
        sandbox(engine).ensure()
    assert verbs(engine).count("POST /containers/create") == 4


def test_a_sandbox_without_an_address_fails_naming_the_wait_and_its_state():
    engine = FakeEngine(container=running(address=""), endpoints={OWN_ID: {"Name": "c1"}})
    with pytest.raises(SandboxFailed, match=r"no address on multi after 5 s \(state running \(exit code 0\)\)"):
        sandbox(engine).ensure()
    assert engine.container is None


def test_a_host_that_does_not_see_the_network_yet_starts_anew():
    engine = FakeEngine(container={"Id": OWN_ID, "State": {"Running": False, "Status": "exited"}}, network=False)
    sandbox(engine).ensure()
    assert verbs(engine)[:1] == ["DELETE /containers/c1"]


def test_check_mode_reads_only():
    engine = FakeEngine()
    box = sandbox(engine)
    box.ensure(check_mode=True)
    assert verbs(engine) == [] and box.actions == ["start c1 on multi"]


def test_the_create_request_is_what_docker_run_sends():
    body = create_body("multi", "img:1", False, "c")
    assert body["HostConfig"] == {"Init": True, "NetworkMode": "multi", "RestartPolicy": {"Name": "no"}}
    assert body["NetworkingConfig"] == {"EndpointsConfig": {"multi": {}}}
    assert body["Labels"] == {"cnm.overlay.check.network": "multi", "cnm.overlay.check.prefix": "c"}


@pytest.mark.parametrize("image, expected", [
    ("cnm-lab/sandbox:latest", ("cnm-lab/sandbox", "latest")), ("busybox", ("busybox", "latest")),
    ("registry.example:5000/busybox", ("registry.example:5000/busybox", "latest")),
    ("busybox@sha256:abc", ("busybox", "sha256:abc"))])
def test_image_references_split_as_the_pull_takes_them(image, expected):
    assert split_image(image) == expected
