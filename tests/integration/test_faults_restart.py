"""Fault tests 4 and 5 of issue 7 on a bullseye lab (kv mode, Consul, real daemons), driven the way
an operator does it: site.yml re-run with a changed daemon option.

0. An operator's container on n1 before the first converge: that restart, which turns live-restore on,
   stops it, and the run says so.
4. A daemon restart with c1 running: live-restore keeps c1 running (same PID and start time) and
   c2 still reaches c1 by name and by address; each restart is followed by the overlay check.
5. A daemon option dockerd refuses at start (log-level: verbose): the play fails with the daemon's
   own error, daemon.json is back byte for byte on every host, and the engine runs with the
   previous configuration.
6. The previous daemon.json is refused too (an operator's edit the running engine never loaded):
   the rollback's start fails at once as well, and the run says so without waiting out the timeout."""

import json

import pytest

from cnm_test_runner import REPO, make_pki

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
DEBUG_ON = ("-e", json.dumps({"cnm_overlay_daemon_options": {"debug": True}}))
# Passes the role's checks (a mapping of daemon.json keys), but dockerd exits: "unable to parse logging level".
# The rollout does not wait for a dockerd that exited; 20 s instead of 60 bounds it if it did.
BAD_OPTION = ("-e", json.dumps({"cnm_overlay_daemon_options": {"debug": True, "log-level": "verbose"},
                                "docker_restart_wait_timeout": 20}))
NODES = ("n1", "n2")
# The operator's own container on n1 before the first converge (no restart policy).
APP = "cnmt-app"


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("safe-restart", "bullseye")


def container_state(lab, node, name):
    return lab.sh(node, "docker inspect -f '{{.State.Pid}} {{.State.StartedAt}} {{.State.Running}}' %s" % name,
                  check=True).stdout.strip()


def ping(lab, node, container, target):
    return lab.sh(node, "docker exec %s ping -c 3 -W 2 %s" % (container, target))


@pytest.fixture
def app_running(lab, once):
    """An operator's container on n1 before the first converge (live-restore is not on yet)."""
    if "app_running" not in once:
        lab.sh("n1", "docker run -d --init --name %s cnm-lab/sandbox:latest sleep 3600" % APP, check=True)
        once["app_running"] = True


@pytest.fixture
def planned_fresh(lab, app_running, play_once):
    """site.yml --check --diff on the fresh lab: the plan, nothing done."""
    return play_once("fresh-check", SITE, lab.inventory, ("--diff",), check=True)


@pytest.fixture
def converged(lab, planned_fresh, play_once):
    result = play_once("converge", SITE, lab.inventory)
    assert result.returncode == 0, result.stdout[-3000:]
    return result


@pytest.fixture
def before_restart(lab, converged, once):
    return once.keep("before_restart", lambda: dict(lab.engines(NODES), c1=container_state(lab, "n1", "c1")))


@pytest.fixture
def planned_restart(lab, before_restart, play_once):
    """site.yml --check --diff with debug turned on: the restart plan."""
    return play_once("debug-check", SITE, lab.inventory, DEBUG_ON + ("--diff",), check=True)


@pytest.fixture
def restarted(lab, planned_restart, play_once):
    """The operator turns debug on and re-runs site.yml: every engine restarts, one at a time."""
    return play_once("debug-on", SITE, lab.inventory, DEBUG_ON)


@pytest.fixture
def before_fault(lab, restarted, once):
    return once.keep("before_fault", lambda: dict(lab.engines(NODES), c1=container_state(lab, "n1", "c1")))


@pytest.fixture
def broken(lab, before_fault, play_once):
    """The operator adds a log level dockerd does not know and re-runs site.yml."""
    return play_once("bad-option", SITE, lab.inventory, BAD_OPTION)


# The plan on a fresh site

def test_fresh_plan_shows_live_restore_in_the_daemon_json_diff(planned_fresh):
    assert planned_fresh.returncode == 0, planned_fresh.stdout[-3000:]
    assert '+  "live-restore": true' in planned_fresh.stdout


def test_fresh_plan_says_the_first_restart_would_stop_the_running_container(planned_fresh, flat):
    assert "The engine on n1 would be restarted (its daemon.json changes). live-restore is off on its running " \
        "engine: the restart would stop its 1 running container(s)" in flat(planned_fresh)
    assert "The engine on n2 would be restarted (its daemon.json changes). live-restore" not in flat(planned_fresh)


def test_fresh_plan_writes_no_daemon_json(lab, planned_fresh):
    assert lab.sh("n1", "test -e /etc/docker/daemon.json").returncode == 1


def test_converge_turns_live_restore_on(lab, converged):
    assert [lab.docker_info(node)["LiveRestoreEnabled"] for node in NODES] == [True, True]


def test_converge_says_the_first_restart_stops_the_running_container(converged, flat):
    assert "live-restore is off on the running engine of n1: this restart stops its 1 running container(s)" \
        in flat(converged)
    assert "live-restore is off on the running engine of n2" not in flat(converged)


def test_the_operators_container_was_stopped_by_that_restart(lab, converged):
    assert lab.sh("n1", "docker inspect -f '{{.State.Running}}' " + APP, check=True).stdout.strip() == "false"


# 4. A daemon restart with c1 running

def test_restart_plan_names_the_engine_and_the_check_after_it(planned_restart, flat):
    assert "The engine on n1 would be restarted (its daemon.json changes), then the overlay network multi checked " \
        "between n1 and n2 before the next engine." in flat(planned_restart)


def test_restart_plan_shows_the_new_option_in_the_diff(planned_restart):
    assert '+  "debug": true' in planned_restart.stdout


def test_restart_plan_restarts_nothing(lab, planned_restart, before_restart):
    assert {node: lab.dockerd_pid(node) for node in NODES} == before_restart["dockerd"]


def test_restart_plan_changes_no_daemon_json(lab, planned_restart, before_restart):
    assert {node: lab.daemon_json(node) for node in NODES} == before_restart["daemon_json"]


def test_restart_run_succeeds(restarted):
    assert restarted.returncode == 0, restarted.stdout[-3000:]


def test_every_engine_was_restarted_with_the_new_option(lab, restarted, before_restart):
    after = {node: (lab.dockerd_pid(node), lab.docker_info(node)["Debug"]) for node in NODES}
    assert all(pid != before_restart["dockerd"][node] and debug for node, (pid, debug) in after.items()), after


def test_each_restart_is_followed_by_the_overlay_check(restarted, flat):
    # Two restarts (n1, then n2), each checked, and the site's own check at the end.
    assert flat(restarted).count("overlay_check: 6 checks on multi passed") == 3


def test_c1_keeps_running_through_the_restart(lab, restarted, before_restart):
    assert container_state(lab, "n1", "c1") == before_restart["c1"]


def test_c2_reaches_c1_by_name_after_the_restart(lab, restarted):
    result = ping(lab, "n2", "c2", "c1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_c2_reaches_c1_by_address_after_the_restart(lab, restarted):
    result = ping(lab, "n2", "c2", lab.overlay_address("n1", "c1"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_rollout_check_leaves_no_container(lab, restarted):
    assert lab.sh("n1", "docker ps -aq --filter name=cnm-restart-check", check=True).stdout.strip() == ""


# 5. A daemon option that makes dockerd fail to start

def test_bad_option_fails_the_play(broken):
    assert broken.returncode != 0


def test_failure_shows_the_daemons_own_error(broken, flat):
    assert 'the daemon said "unable to parse logging level: verbose"' in flat(broken)


def test_failure_says_dockerd_exited_instead_of_waiting_out_the_timeout(broken, flat):
    assert "did not come back with ClusterStore consul://" in flat(broken)
    assert "(its dockerd exited)" in flat(broken) and "within 60 s" not in flat(broken)


def test_failure_names_the_host_and_stops_the_rollout(broken, flat):
    assert "Engine rollout stopped at n1: its engine did not come back with the new daemon.json" in flat(broken)


def test_failure_says_the_engine_runs_with_the_previous_daemon_json(broken, flat):
    assert "daemon.json was rolled back and the engine restarted: it runs again with the previous daemon.json." in flat(broken)


@pytest.mark.parametrize("node", NODES)
def test_daemon_json_is_back_byte_for_byte(lab, broken, before_fault, node):
    assert lab.daemon_json(node) == before_fault["daemon_json"][node]


def test_engine_runs_with_the_previous_config(lab, broken):
    info = lab.docker_info("n1")
    assert (info["ClusterStore"], info["Debug"]) == ("consul://%s:8500" % lab.address("kv"), True)


def test_the_next_engine_was_not_restarted(lab, broken, before_fault):
    assert lab.dockerd_pid("n2") == before_fault["dockerd"]["n2"]


def test_c1_survives_the_failed_restart(lab, broken, before_fault):
    assert container_state(lab, "n1", "c1") == before_fault["c1"]


# The overlay check after a restart fails: the rollout stops there. Its sandbox image is present on
# every host (so the preflight's image check passes) but has no ping, so every ping of the check fails.

NO_PING_IMAGE = "cnm-lab/no-ping:latest"
CHECK_FAILS = ("-e", json.dumps({"cnm_overlay_daemon_options": {"debug": True, "log-level": "warn"},
                                 "cnm_overlay_check_image": NO_PING_IMAGE, "cnm_overlay_check_wait_timeout": 5}))


@pytest.fixture
def before_check_fault(lab, broken, once):
    return once.keep("before_check_fault", lambda: lab.engines(NODES))


@pytest.fixture
def check_failed(lab, before_check_fault, play_once, once):
    if "no_ping_image" not in once:
        for node in NODES:
            lab.sh(node, "docker rm -f cnmt-no-ping >/dev/null 2>&1; docker run --name cnmt-no-ping cnm-lab/sandbox:latest"
                   " rm /bin/ping && docker commit cnmt-no-ping %s && docker rm cnmt-no-ping" % NO_PING_IMAGE, check=True)
        once["no_ping_image"] = True
    return play_once("check-fails", SITE, lab.inventory, CHECK_FAILS)


def test_failed_check_stops_the_rollout_naming_the_host(check_failed, flat):
    assert check_failed.returncode != 0
    assert "Engine rollout stopped at n1: after its engine restart the overlay network multi failed the check " \
        "between n1 and n2" in flat(check_failed)


def test_failed_check_names_the_waiting_host(check_failed, flat):
    assert "The engines of n2 were not restarted and their previous daemon.json is back." in flat(check_failed)


def test_failed_check_keeps_the_restarted_engine_with_its_new_option(lab, check_failed, before_check_fault):
    assert (lab.dockerd_pid("n1") != before_check_fault["dockerd"]["n1"],
            lab.docker_info("n1")["LoggingDriver"], '"log-level": "warn"' in lab.daemon_json("n1")) \
        == (True, "json-file", True)


def test_failed_check_leaves_the_next_engine_alone(lab, check_failed, before_check_fault):
    assert (lab.dockerd_pid("n2"), lab.daemon_json("n2")) == \
        (before_check_fault["dockerd"]["n2"], before_check_fault["daemon_json"]["n2"])


# Both docker_engine (the TCP API's TLS files) and docker_cluster_store (a daemon option) change
# daemon.json in one run, and dockerd cannot load the certificate: the rollback restores the file
# as it was before either role wrote it.

BAD_TLS_DIR = "/etc/cnm-bad-tls"
BAD_TLS = ("-e", json.dumps({"cnm_overlay_daemon_options": {"debug": True, "log-level": "error"},
                             "cnm_overlay_engine_tcp_listen": "0.0.0.0:2376",
                             "cnm_overlay_engine_tls_ca_file": BAD_TLS_DIR + "/ca.pem",
                             "cnm_overlay_engine_tls_cert_file": BAD_TLS_DIR + "/cert.pem",
                             "cnm_overlay_engine_tls_key_file": BAD_TLS_DIR + "/key.pem",
                             "docker_restart_wait_timeout": 20}))


def ed448_files(directory):
    """A CA, a certificate signed by it and its key, all Ed448: OpenSSL (the role's check) loads them, Go
    (dockerd) has no Ed448 and cannot. Name on the node -> PEM text."""
    make_pki(directory, ["engine"], key=("-newkey", "ed448"))
    return dict((remote, (directory / local).read_text())
                for remote, local in (("ca.pem", "ca.pem"), ("cert.pem", "engine.pem"), ("key.pem", "engine-key.pem")))


@pytest.fixture
def before_tls_fault(lab, check_failed, once, tmp_path):
    if "before_tls_fault" not in once:
        for name, text in ed448_files(tmp_path).items():
            for node in NODES:
                lab.write_file(node, "%s/%s" % (BAD_TLS_DIR, name), text)
        once["before_tls_fault"] = lab.engines(NODES)
    return once["before_tls_fault"]


@pytest.fixture
def tls_broken(lab, before_tls_fault, play_once):
    return play_once("bad-tls", SITE, lab.inventory, BAD_TLS)


def test_unloadable_tls_files_fail_the_rollout_at_the_first_host(tls_broken, flat):
    assert tls_broken.returncode != 0
    assert "Engine rollout stopped at n1: its engine did not come back with the new daemon.json" in flat(tls_broken)


@pytest.mark.parametrize("node", NODES)
def test_daemon_json_is_back_as_before_both_roles_wrote_it(lab, tls_broken, before_tls_fault, node):
    assert lab.daemon_json(node) == before_tls_fault["daemon_json"][node]


def test_engine_runs_again_after_the_tls_rollback(lab, tls_broken):
    assert lab.docker_info("n1")["ClusterStore"] == "consul://%s:8500" % lab.address("kv")


# 6. The previous daemon.json is refused too: an operator added a key dockerd does not know and never
# restarted the engine. The run's restart fails, the rollback puts that file back, and its start fails
# as well: the run says so at once instead of waiting out the rollback's timeout (60 s).

UNKNOWN_KEY = "cnmt-unknown-directive"
ANOTHER_OPTION = ("-e", json.dumps({"cnm_overlay_daemon_options": {"debug": True, "log-level": "info"}}))


@pytest.fixture
def refused_twice(lab, tls_broken, once, play_once):
    if "refused_twice" not in once:
        original = lab.daemon_json("n1")
        edited = dict(json.loads(original), **{UNKNOWN_KEY: True})
        lab.write_file("n1", "/etc/docker/daemon.json", json.dumps(edited) + "\n")
        result = play_once("refused-twice", SITE, lab.inventory, ANOTHER_OPTION)
        after = lab.daemon_json("n1")
        lab.write_file("n1", "/etc/docker/daemon.json", original)
        lab.sh("n1", "service docker start >/dev/null; "
                     "for i in $(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1", check=True)
        once["refused_twice"] = (result, after)
    return once["refused_twice"]


def test_refused_rollback_says_dockerd_exited_again_instead_of_waiting(refused_twice, flat):
    result = refused_twice[0]
    assert result.returncode != 0
    assert "daemon.json was rolled back and the engine restarted, but its dockerd exited again." in flat(result)
    assert "did not answer within 60 s either" not in flat(result)


def test_refused_rollback_leaves_the_operators_file_in_place(refused_twice):
    assert json.loads(refused_twice[1])[UNKNOWN_KEY] is True
