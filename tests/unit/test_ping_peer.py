"""roles/overlay_check/files/ping_peer.py's decisions, with stand-in `docker` and `nsenter` commands on PATH that
play Docker 20.10's lost store-watch event: the peer's name does not resolve until a container joins the
network, or (WATCH_ENDED) until the sandbox joins the network again. (No Docker daemon can be made to drop that
event on demand; the real pings run in the lab tests, and test_store_watch.py ends a real engine's watch.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "roles" / "overlay_check" / "files" / "ping_peer.py"

DOCKER = """#!/bin/sh
state=%(state)s
echo "$*" >> "$state/calls"
case "$1" in
  run) [ -n "$NUDGE_FAILS" ] && { echo "nudge refused" >&2; exit 125; }
       [ -n "$WATCH_ENDED" ] || touch "$state/joined"; exit 0;;
  network)
    [ "$2" = connect ] || exit 0
    [ "$3" = --ip ] && [ -n "$NO_SUBNET" ] && {
      echo "user specified IP address is supported only when connecting to networks with user configured subnets" >&2
      exit 1; }
    touch "$state/joined"; exit 0;;
  exec)
    target=$(eval echo \\${$#})
    case "$target" in
      10.*) [ -n "$ADDRESS_FAILS" ] && { echo "1 packets transmitted, 0 received, 100%% packet loss"; exit 1; }
            echo "3 packets transmitted, 3 received, 0%% packet loss"; echo "round-trip min/avg/max = 0.1/0.2/0.3 ms"; exit 0;;
      *) [ -f "$state/joined" ] || { echo "ping: bad address '$target'" >&2; exit 1; }
         echo "3 packets transmitted, 3 received, 0%% packet loss"; exit 0;;
    esac;;
esac
exit 0
"""


@pytest.fixture
def fake_engine(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("docker", DOCKER % {"state": tmp_path}), ("nsenter", "#!/bin/sh\nexit 0\n")):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return tmp_path


def ping_peer(state, network="multi", image="busybox:latest", **env):
    argv = [sys.executable, str(SCRIPT), "c1", "4242", "10.0.9.2", "c2", "10.0.9.3", "1450", "3", "1", "1", network, image]
    environ = dict(os.environ, PATH="%s:%s" % (state / "bin", os.environ["PATH"]), **env)
    out = subprocess.run(argv, capture_output=True, text=True, env=environ, check=True, timeout=60).stdout
    return json.loads(out)


def rcs(result):
    return dict((ping["kind"], ping["rc"]) for ping in result["pings"])


def test_a_name_that_does_not_resolve_while_the_address_answers_resolves_after_a_container_joins(fake_engine):
    result = ping_peer(fake_engine)
    assert result["nudged"] == {"rc": 0, "error": ""} and result["rejoined"] is None
    assert rcs(result) == {"name": 0, "address": 0, "df": 0}
    assert "run --rm --network multi --name c1-nudge busybox:latest true" in (fake_engine / "calls").read_text()


def test_without_the_network_argument_nothing_joins_and_the_name_fails(fake_engine):
    result = ping_peer(fake_engine, network="")
    assert result["nudged"] is None
    assert rcs(result)["name"] == 1 and "bad address" in result["pings"][0]["stderr"]


def test_when_the_address_fails_too_it_is_no_lost_name_and_nothing_joins(fake_engine):
    result = ping_peer(fake_engine, ADDRESS_FAILS="1")
    assert result["nudged"] is None
    assert rcs(result) == {"name": 1, "address": 1, "df": 0}


def test_a_refused_nudge_is_reported_and_the_sandbox_then_joins_again(fake_engine):
    result = ping_peer(fake_engine, NUDGE_FAILS="1")
    assert result["nudged"] == {"rc": 125, "error": "nudge refused"}
    assert result["rejoined"] == {"rc": 0, "error": ""} and rcs(result)["name"] == 0


def test_a_name_the_nudge_does_not_bring_resolves_after_the_sandbox_joins_again_with_its_address(fake_engine):
    result = ping_peer(fake_engine, WATCH_ENDED="1")
    assert result["rejoined"] == {"rc": 0, "error": ""}
    assert rcs(result) == {"name": 0, "address": 0, "df": 0}
    calls = (fake_engine / "calls").read_text().splitlines()
    assert calls.index("network disconnect multi c1") < calls.index("network connect --ip 10.0.9.2 multi c1")


def test_on_a_network_without_a_configured_subnet_the_sandbox_joins_again_with_a_new_address(fake_engine):
    result = ping_peer(fake_engine, WATCH_ENDED="1", NO_SUBNET="1")
    assert result["rejoined"] == {"rc": 0, "error": ""}
    assert "network connect multi c1" in (fake_engine / "calls").read_text().splitlines()
    assert rcs(result)["name"] == 0


def test_when_the_address_fails_nothing_leaves_the_network(fake_engine):
    result = ping_peer(fake_engine, WATCH_ENDED="1", ADDRESS_FAILS="1")
    assert result["rejoined"] is None
    assert "network" not in (fake_engine / "calls").read_text()
