"""site.yml on hosts whose init is systemd, as on a real Debian host (bullseye lab with systemd as
PID 1, lab/cnm_lab.py up --init systemd): Consul and the engine run as the packages' units, dockerd
gets the store's token through a drop-in's environment file, and a daemon option dockerd refuses is
rolled back although the unit's Restart= used up systemd's start limit, and the engine's TCP API (TLS) opened
although Debian's unit starts dockerd with -H fd://, and closed again (also in a run whose restart fails).
Then site.yml and its re-run on bookworm (etcd as the store, its unit with the role's drop-in) and trixie (swarm mode) with systemd.
One fact per test."""

import json

import pytest

from cnm_test_runner import REPO
from lab_tls import ENGINE_TCP, engine_pki, run_with_engine_tls, tls_curl

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
NODES = ("n1", "n2")
ENV_FILE = "/etc/docker/cnm-overlay-store.env"
DROP_IN = "/etc/systemd/system/docker.service.d/cnm-overlay-store.conf"
# Passes the role's checks, but dockerd exits at start: "unable to parse logging level: verbose".
BAD_OPTION = ("-e", json.dumps({"cnm_overlay_daemon_options": {"log-level": "verbose"},
                                "docker_restart_wait_timeout": 20}))


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("sd-site", "bullseye", init="systemd")


@pytest.fixture
def first_run(lab, play_once):
    result = play_once("site", SITE, lab.inventory)
    assert result.returncode == 0, result.stdout[-3000:]
    return result


@pytest.fixture
def second_run(lab, first_run, play_once):
    return play_once("site-again", SITE, lab.inventory)


def daemon_jsons(lab, once, key):
    """Every docker host's daemon.json, read once under key (before a fault)."""
    if key not in once:
        once[key] = {node: lab.daemon_json(node) for node in NODES}
    return once[key]


@pytest.fixture
def before_fault(lab, second_run, once):
    return daemon_jsons(lab, once, "daemon_json")


@pytest.fixture
def refused(lab, before_fault, play_once):
    """The operator adds a log level dockerd does not know and re-runs site.yml."""
    return play_once("bad-option", SITE, lab.inventory, BAD_OPTION)


def unit_property(lab, node, unit, name):
    return lab.sh(node, "systemctl show %s --property %s --value" % (unit, name), check=True).stdout.strip()


def command_line(lab, node, pid):
    return lab.sh(node, "tr '\\0' ' ' < /proc/%s/cmdline" % pid, check=True).stdout


def test_the_nodes_run_systemd(lab):
    assert lab.sh("n1", "cat /proc/1/comm", check=True).stdout.strip() == "systemd"


def test_site_converges_and_c2_reaches_c1(first_run, overlay_passed):
    assert overlay_passed(first_run), first_run.stdout[-3000:]


def test_consul_unit_is_enabled_for_the_next_boot(lab, first_run):
    assert lab.sh("kv", "systemctl is-enabled consul").stdout.strip() == "enabled"


def test_consul_runs_as_its_unit(lab, first_run):
    assert unit_property(lab, "kv", "consul", "ActiveState") == "active"


def test_docker_unit_loads_the_token_drop_in(lab, first_run):
    assert unit_property(lab, "n1", "docker", "DropInPaths").split() == [DROP_IN]


def test_dockerd_environment_holds_the_token(lab, first_run):
    pid = unit_property(lab, "n1", "docker", "MainPID")
    assert "CONSUL_HTTP_TOKEN=%s" % lab.kept_secret("docker.token") in lab.environ("n1", pid)


def test_containerd_environment_has_no_token(lab, first_run):
    pid = unit_property(lab, "n1", "containerd", "MainPID")
    assert not [line for line in lab.environ("n1", pid) if line.startswith("CONSUL_HTTP_TOKEN=")]


def test_token_environment_file_is_root_only(lab, first_run):
    assert lab.sh("n1", "stat -c '%%a %%U' %s" % ENV_FILE, check=True).stdout.strip() == "600 root"


def test_live_daemons_use_the_cluster_store(lab, first_run):
    store = "consul://%s:8500" % lab.address("kv")
    assert [lab.docker_info(node)["ClusterStore"] for node in NODES] == [store, store]


def test_second_run_changes_nothing(second_run, changed_count):
    assert second_run.returncode == 0, second_run.stdout[-3000:]
    assert changed_count(second_run.stdout) == 0


def test_refused_option_daemon_json_is_back_on_every_host(lab, before_fault, refused):
    assert {node: lab.daemon_json(node) for node in NODES} == before_fault


def test_refused_option_docker_unit_is_active_again(lab, refused):
    assert unit_property(lab, "n1", "docker", "ActiveState") == "active"


@pytest.fixture
def open_refused(lab, before_fault, refused, once, play_once, tmp_path_factory):
    """The TCP API opened in the same run as a daemon option dockerd refuses: the new drop-in goes with the rollback."""
    engine_pki(lab, once, tmp_path_factory)
    return play_once("site-engine-tcp-open-refused", SITE, lab.inventory, ENGINE_TCP + list(BAD_OPTION))


def test_open_refused_daemon_json_is_back_on_every_host(lab, before_fault, open_refused):
    assert {node: lab.daemon_json(node) for node in NODES} == before_fault


def test_open_refused_drop_in_is_removed_again(lab, open_refused):
    assert unit_property(lab, "n1", "docker", "DropInPaths").split() == [DROP_IN]


def test_open_refused_dockerd_is_socket_activated_as_before(lab, open_refused):
    pid = unit_property(lab, "n1", "docker", "MainPID")
    assert " -H fd:// " in " %s " % command_line(lab, "n1", pid)


@pytest.fixture
def engine_tls(lab, open_refused, once, play_once, tmp_path_factory):
    return run_with_engine_tls(lab, once, play_once, tmp_path_factory, SITE)


@pytest.fixture
def engine_tls_again(lab, engine_tls, play_once):
    return play_once("site-engine-tls-again", SITE, lab.inventory, ENGINE_TCP)


def test_tls_tcp_api_site_converges(engine_tls):
    assert engine_tls.returncode == 0, engine_tls.stdout[-3000:]


def test_tls_tcp_api_answers_a_client_certificate(lab, engine_tls):
    assert '"ApiVersion"' in tls_curl(lab, "https://n2:2376/version").stdout


def test_tls_tcp_api_dockerd_runs_without_host_flags(lab, engine_tls):
    pid = unit_property(lab, "n2", "docker", "MainPID")
    assert "-H" not in command_line(lab, "n2", pid).split()


def test_tls_tcp_api_local_clients_still_use_the_units_socket(lab, engine_tls):
    assert lab.sh("n2", "systemctl is-active docker.socket && docker version --format '{{.Server.Version}}'",
                  check=True).stdout.split() == ["active", lab.docker_info("n2")["ServerVersion"]]


def test_tls_tcp_api_second_run_changes_nothing(engine_tls_again, changed_count):
    assert engine_tls_again.returncode == 0, engine_tls_again.stdout[-3000:]
    assert changed_count(engine_tls_again.stdout) == 0


@pytest.fixture
def tls_daemon_json(lab, engine_tls_again, once):
    return daemon_jsons(lab, once, "tls_daemon_json")


@pytest.fixture
def close_refused(lab, tls_daemon_json, play_once):
    """The TCP API closed in the same run as a daemon option dockerd refuses: the restart fails and is rolled back."""
    return play_once("site-engine-tcp-close-refused", SITE, lab.inventory, BAD_OPTION)


def test_close_refused_daemon_json_is_back_on_every_host(lab, tls_daemon_json, close_refused):
    assert {node: lab.daemon_json(node) for node in NODES} == tls_daemon_json


def test_close_refused_drop_in_is_back(lab, close_refused):
    assert "cnm-overlay-tcp.conf" in unit_property(lab, "n1", "docker", "DropInPaths")


def test_close_refused_tcp_api_answers_again(lab, close_refused):
    assert '"ApiVersion"' in tls_curl(lab, "https://n1:2376/version").stdout


# The three runs with the refused option (before the TCP API, opening it, closing it), by their kept results.
REFUSED_RUNS = ("refused", "open_refused", "close_refused")


@pytest.mark.parametrize("run", REFUSED_RUNS)
def test_refused_option_fails_with_the_daemons_own_error(request, run, flat):
    result = request.getfixturevalue(run)
    assert result.returncode != 0
    assert 'the daemon said "unable to parse logging level: verbose"' in flat(result)


@pytest.mark.parametrize("run", REFUSED_RUNS)
def test_refused_option_engine_runs_again_with_the_previous_daemon_json(request, run, flat):
    assert "daemon.json was rolled back and the engine restarted: it runs again with the previous daemon.json." \
        in flat(request.getfixturevalue(run))


@pytest.fixture
def engine_tcp_closed(lab, close_refused, play_once):
    """site.yml again without the TCP API: docker_engine takes its settings and its drop-in out again."""
    return play_once("site-engine-tcp-closed", SITE, lab.inventory)


def test_closed_tcp_api_site_converges(engine_tcp_closed):
    assert engine_tcp_closed.returncode == 0, engine_tcp_closed.stdout[-3000:]


def test_closed_tcp_api_no_longer_answers(lab, engine_tcp_closed):
    assert tls_curl(lab, "https://n2:2376/version").returncode != 0


def test_closed_tcp_api_dockerd_is_socket_activated_again(lab, engine_tcp_closed):
    pid = unit_property(lab, "n2", "docker", "MainPID")
    assert " -H fd:// " in " %s " % command_line(lab, "n2", pid)


def test_closed_tcp_api_drop_in_is_gone(lab, engine_tcp_closed):
    assert "cnm-overlay-tcp.conf" not in unit_property(lab, "n2", "docker", "DropInPaths")


def test_closed_tcp_api_leaves_no_set_aside_drop_in(lab, engine_tcp_closed):
    assert lab.sh("n2", "ls /etc/systemd/system/docker.service.d", check=True).stdout.split() == [
        "cnm-overlay-store.conf"]


def test_closed_tcp_api_second_run_changes_nothing(lab, engine_tcp_closed, play_once, changed_count):
    result = play_once("site-engine-tcp-closed-again", SITE, lab.inventory)
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


# The other generations on systemd: bookworm (kv mode with etcd, the package's unit and the role's drop-in)
# and trixie (swarm mode).

@pytest.fixture(scope="module", params=["bookworm", "trixie"])
def other_lab(request, lab_factory):
    return lab_factory("sd-" + request.param, request.param, init="systemd")


@pytest.fixture
def other_first_run(other_lab, play_once):
    return play_once("site", SITE, other_lab.inventory)


@pytest.fixture
def other_second_run(other_lab, other_first_run, play_once):
    return play_once("site-again", SITE, other_lab.inventory)


def test_other_generation_converges_and_c2_reaches_c1(other_first_run, overlay_passed):
    assert overlay_passed(other_first_run), other_first_run.stdout[-3000:]


def test_other_generation_second_run_changes_nothing(other_second_run, changed_count):
    assert other_second_run.returncode == 0, other_second_run.stdout[-3000:]
    assert changed_count(other_second_run.stdout) == 0


# Idempotence without the run record's shortcut: bookworm's only forced converge (trixie's is a second one).
def test_other_generation_forced_converge_changes_nothing_and_restarts_no_engine(other_lab, other_second_run, play_once,
                                                                                 changed_count, flat):
    before = {node: other_lab.dockerd_pid(node) for node in ("n1", "n2")}
    result = play_once("site-forced", SITE, other_lab.inventory, ("-e", "cnm_overlay_converge=always"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Converging every host (cnm_overlay_converge=always)." in flat(result)
    assert (changed_count(result.stdout), {node: other_lab.dockerd_pid(node) for node in ("n1", "n2")}) == (0, before)


def test_etcd_unit_restarts_on_failure_through_the_drop_in(lab_factory, play_once):
    bookworm = lab_factory("sd-bookworm", "bookworm", init="systemd")
    play_once("site", SITE, bookworm.inventory)
    assert unit_property(bookworm, "kv", "etcd", "Restart") == "on-failure"
