"""Shared pytest fixtures: the real Docker engine and ways to run the collection's modules."""

import subprocess
import sys
import uuid

import pytest

from cnm_test_runner import REPO, run_module, run_playbook


@pytest.fixture(scope="session")
def docker_api():
    """The docker SDK's low-level client for the real local engine; a missing engine fails. The lab's sandbox
    image, which the host-engine tests run, is built first when missing (a fresh machine has no lab yet)."""
    import docker

    build = subprocess.run([sys.executable, str(REPO / "lab" / "cnm_lab.py"), "sandbox"],
                           capture_output=True, text=True, check=False)
    if build.returncode != 0:
        pytest.fail("The sandbox image could not be built: %s" % build.stderr[-2000:])

    try:
        client = docker.APIClient(version="auto", timeout=30)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no engine
        pytest.fail("These tests need a running Docker engine (run `make engine`): %s" % exc)
    return client


@pytest.fixture
def unique_name(request):
    """A network/container name that is this test's own, so tests never collide."""
    return "cnmt-%s-%s" % (request.node.name[:20].strip("_[]").replace("[", "-"), uuid.uuid4().hex[:6])


@pytest.fixture
def module_runner():
    return run_module


@pytest.fixture
def playbook_runner():
    return run_playbook
