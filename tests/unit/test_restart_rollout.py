"""Unit tests of docker_restart's rollout plan (plugins/filter/restart_rollout.py): batches, the hosts each
batch's overlay check pairs, what waits behind a batch, the parallel restart of idle engines, the plan's lines."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cnm.overlay.plugins.filter.restart_rollout import (
    restart_backup_file, restart_batch_size, restart_failures, restart_rollout_plan)

HOSTS = ("n1", "n2", "n3", "n4")
BUSY = dict((host, dict(running=1, network=True, live_restore=True)) for host in HOSTS)
FRESH = dict((host, dict(running=0, network=False, live_restore=False)) for host in HOSTS)


def plan(pending, states=None, batch=1, parallel_when_idle=True, peers=HOSTS):
    return restart_rollout_plan(pending, peers, BUSY if states is None else states, batch, parallel_when_idle, "multi")


def test_one_host_at_a_time_each_checked_with_the_first_other_peer():
    result = plan(["n1", "n2"])
    assert [b["hosts"] for b in result["batches"]] == [["n1"], ["n2"]]
    assert [b["check_hosts"] for b in result["batches"]] == [["n1", "n2"], ["n2", "n1"]]
    assert [b["waiting"] for b in result["batches"]] == [["n2"], []]
    assert result["parallel"] is False


def test_a_batch_of_two_is_checked_with_one_host_outside_it():
    result = plan(HOSTS, batch=2)
    assert [b["hosts"] for b in result["batches"]] == [["n1", "n2"], ["n3", "n4"]]
    assert [b["check_hosts"] for b in result["batches"]] == [["n1", "n2", "n3"], ["n3", "n4", "n1"]]
    assert result["batches"][0]["waiting"] == ["n3", "n4"]


@pytest.mark.parametrize("batch, sizes", [("50%", [2, 2]), ("25%", [1, 1, 1, 1]), ("10%", [1, 1, 1, 1]),
                                          ("100%", [4]), (3, [3, 1]), ("3", [3, 1])])
def test_a_batch_is_a_number_or_a_percentage_of_the_hosts_to_restart(batch, sizes):
    assert [len(b["hosts"]) for b in plan(HOSTS, batch=batch)["batches"]] == sizes


@pytest.mark.parametrize("batch", [0, "0", "-1", "0%", "101%", "half", "", None, True, 1.5])
def test_a_bad_batch_names_the_variable_and_the_fix(batch):
    with pytest.raises(AnsibleFilterError, match=r"docker_restart_batch must be a number of hosts \(1 or more\) "
                                                 r"or a percentage of the hosts to restart .*; it is "):
        plan(HOSTS, batch=batch)


def test_the_batch_size_alone():
    assert restart_batch_size("50%", HOSTS) == 2
    with pytest.raises(ValueError):
        restart_batch_size("x", HOSTS)


def test_idle_engines_restart_at_once_without_a_check():
    result = plan(HOSTS, states=FRESH)
    assert result["parallel"] is True
    assert result["batches"] == [dict(hosts=list(HOSTS), check_hosts=[], waiting=[])]
    assert result["lines"][0] == ("The engine on n1 would be restarted (its daemon.json changes), with the others at once "
                                  "(no container runs and no host sees the network yet).")


def test_one_running_container_keeps_the_rollout_one_host_at_a_time():
    states = dict(FRESH, n3=dict(running=1, network=False, live_restore=False))
    result = plan(HOSTS, states=states)
    assert [b["hosts"] for b in result["batches"]] == [["n1"], ["n2"], ["n3"], ["n4"]]
    # No host sees the network: nothing to check.
    assert [b["check_hosts"] for b in result["batches"]] == [[], [], [], []]
    assert result["lines"][2] == ("The engine on n3 would be restarted (its daemon.json changes). live-restore is off on "
                                  "its running engine: the restart would stop its 1 running container(s); those with a "
                                  "restart policy start again.")


def test_the_parallel_restart_can_be_turned_off():
    assert len(plan(HOSTS, states=FRESH, parallel_when_idle=False)["batches"]) == 4


def test_the_plan_line_names_the_check_pair():
    assert plan(["n1"])["lines"] == ["The engine on n1 would be restarted (its daemon.json changes), then the overlay "
                                     "network multi checked between n1 and n2 before the next engine."]


def test_a_batch_of_every_peer_is_checked_among_itself():
    result = plan(["n1", "n2"], batch=2, peers=["n1", "n2"])
    assert result["batches"] == [dict(hosts=["n1", "n2"], check_hosts=["n1", "n2"], waiting=[])]


def test_a_single_host_without_a_peer_is_not_checked():
    assert plan(["n1"], peers=["n1"])["batches"] == [dict(hosts=["n1"], check_hosts=[], waiting=[])]


def test_nothing_pending_is_no_batch():
    assert plan([]) == dict(batches=[], lines=[], parallel=False, size=1, summary="")


def test_the_summary_says_the_batches():
    assert plan(HOSTS, batch=2)["summary"] == ("Engine rollout: n1, n2 | n3, n4, 2 hosts at a time, the overlay network "
                                               "multi checked after each batch where it exists.")
    assert plan(HOSTS, states=FRESH)["summary"] == ("Engine rollout: n1, n2, n3, n4, at once (no container runs and no "
                                                    "host sees the network yet).")


def test_the_batch_check_of_the_role_settings():
    from ansible_collections.cnm.overlay.plugins.filter.restart_rollout import restart_batch_problems
    assert restart_batch_problems("25%") == [] and restart_batch_problems(2) == []
    assert restart_batch_problems("all") == ["docker_restart_batch must be a number of hosts (1 or more) or a percentage "
                                             "of the hosts to restart (1% to 100%, for example 25%); it is 'all'."]


def test_the_engine_state_read_by_the_rollout():
    from ansible_collections.cnm.overlay.plugins.filter.restart_rollout import restart_engine_state
    assert restart_engine_state(["true 3", "network"]) == dict(live_restore=True, running=3, network=True)
    assert restart_engine_state(["false 0", "none"]) == dict(live_restore=False, running=0, network=False)
    # The engine does not answer (not installed yet): unknown, and nothing known to run.
    assert restart_engine_state(["unknown 0", "none"]) == dict(live_restore=None, running=0, network=False)
    assert restart_engine_state([]) == dict(live_restore=None, running=0, network=False)


def test_the_site_names_its_own_variable():
    from ansible_collections.cnm.overlay.plugins.filter.restart_rollout import restart_batch_problems
    assert restart_batch_problems("0", "cnm_overlay_restart_batch")[0].startswith("cnm_overlay_restart_batch must be")


def test_one_engine_that_did_not_come_back_is_named_by_its_reason_alone():
    hostvars = {"n4": {"_docker_restart_failure": 'its dockerd exited: the daemon said "bad"'}}
    assert restart_failures(["n4"], hostvars) == 'its dockerd exited: the daemon said "bad"'


def test_several_engines_are_each_named_and_one_without_a_reason_points_to_its_error():
    hostvars = {"n3": {"_docker_restart_failure": "it did not answer within 20 s"}, "n4": {}}
    assert restart_failures(["n3", "n4"], hostvars) == "n3: it did not answer within 20 s; n4: see its error above"


@pytest.mark.parametrize("host_vars, expected", [
    ({"docker_engine_backup_file": "/etc/docker/daemon.json.1", "docker_cluster_store_backup_file": "/x"},
     "/etc/docker/daemon.json.1"),
    ({"docker_engine_backup_file": None, "docker_cluster_store_backup_file": "/x"}, "/x"),
    ({"docker_cluster_store_backup_file": ""}, ""),
    ({}, None),
])
def test_the_rollback_restores_the_first_backup_of_the_run(host_vars, expected):
    assert restart_backup_file(host_vars) == expected


def test_the_plan_names_every_network_it_checks():
    result = restart_rollout_plan(["n1", "n2"], HOSTS, BUSY, 1, True, ["multi", "extra"])
    assert result["summary"] == "Engine rollout: n1 | n2, one host at a time, the overlay networks multi, extra checked " \
        "after each batch where it exists."
    assert [b["check_hosts"] for b in result["batches"]] == [["n1", "n2"], ["n2", "n1"]]


def test_no_network_to_check_means_no_check():
    result = restart_rollout_plan(["n1", "n2"], HOSTS, BUSY, 1, True, [])
    assert [b["check_hosts"] for b in result["batches"]] == [[], []]
    assert result["summary"] == "Engine rollout: n1 | n2, one host at a time."
