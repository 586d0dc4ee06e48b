"""site.yml with two overlay networks (cnm_overlay_networks) on one bullseye lab (`nets-two`), kv mode.

1. The converge: both networks exist on both docker hosts, with their subnets; the overlay check passes on each
   (c1/c2 on the first network, back-c1/back-c2 on the second); the run record watches both.
2. Re-runs: an unchanged site checks both networks and changes nothing; a forced converge changes nothing.
3. Bad input (a name twice, a spec without a name, an unknown option) stops site.yml in its first play, naming the
   field, before any change: the valid network of the same list is not made. The role alone does the same.
4. Another subnet for the second network with cnm_overlay_network_recreate: only that network is made anew, the
   first network and its c1/c2 stay.
"""

import json

import pytest

from cnm_test_runner import REPO, run_playbook

LAB = "nets-two"
SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
MULTI = {"name": "multi", "ipam_config": [{"subnet": "10.10.0.0/24"}]}
BACK = {"name": "back", "internal": True, "ipam_config": [{"subnet": "10.11.0.0/24"}], "labels": {"tier": "back"}}
# A network bad input must not make.
EXTRA = {"name": "extra", "ipam_config": [{"subnet": "10.12.0.0/24"}]}
DOCKER_HOSTS = ("n1", "n2")
RECORD = "/var/lib/cnm-overlay/site-record.json"


def networks_arg(*specs, **settings):
    return ["-e", json.dumps(dict(settings, cnm_overlay_networks=list(specs)))]


TWO = networks_arg(MULTI, BACK)


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory(LAB, "bullseye")


def site(lab, extra_args):
    return run_playbook(SITE, inventory=lab.inventory, extra_args=extra_args)


def subnet(lab, node, network):
    result = lab.sh(node, "docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' %s" % network)
    return result.stdout.strip() if result.returncode == 0 else None


def state(lab):
    """What bad input must not change: each docker host's networks and containers, with their IDs."""
    return {node: lab.sh(node, "docker network ls -q --no-trunc | sort; docker ps -aq --no-trunc | sort",
                         check=True).stdout for node in DOCKER_HOSTS}


def checks_passed(result, network):
    return "overlay_check: 6 checks on %s passed" % network in " ".join(result.stdout.split())


@pytest.fixture(scope="module")
def converged(lab):
    return site(lab, TWO)


def test_site_with_two_networks_converges(converged):
    assert converged.returncode == 0, converged.stdout[-3000:]


@pytest.mark.parametrize("network", ["multi", "back"])
def test_the_check_passes_on_each_network(converged, network):
    assert checks_passed(converged, network), converged.stdout[-3000:]


@pytest.mark.parametrize("node", DOCKER_HOSTS)
def test_both_networks_exist_on_every_docker_host_with_their_subnets(lab, converged, node):
    assert (subnet(lab, node, "multi"), subnet(lab, node, "back")) == ("10.10.0.0/24", "10.11.0.0/24")


def test_the_second_network_has_its_specs_options(lab, converged):
    inspected = json.loads(lab.sh("n2", "docker network inspect back", check=True).stdout)[0]
    assert (inspected["Driver"], inspected["Scope"], inspected["Internal"], inspected["Labels"]) == \
        ("overlay", "global", True, {"tier": "back"})


@pytest.mark.parametrize("node, names", [("n1", ["back-c1", "c1"]), ("n2", ["back-c2", "c2"])])
def test_each_network_has_its_own_sandboxes(lab, converged, node, names):
    assert sorted(lab.sh(node, "docker ps --format '{{.Names}}'", check=True).stdout.split()) == names


def test_the_run_record_watches_both_networks(lab, converged):
    record = lab.sh("n1", "cat %s" % RECORD, check=True).stdout
    assert '"network multi"' in record and '"network back"' in record


@pytest.fixture(scope="module")
def unchanged(lab, converged):
    return site(lab, TWO)


def test_an_unchanged_site_checks_both_networks_and_changes_nothing(unchanged, changed_count):
    assert unchanged.returncode == 0 and changed_count(unchanged.stdout) == 0, unchanged.stdout[-3000:]
    assert "Every host is as the last finished run left it" in unchanged.stdout
    assert checks_passed(unchanged, "multi") and checks_passed(unchanged, "back"), unchanged.stdout[-3000:]


def test_a_forced_converge_changes_nothing(lab, unchanged, changed_count):
    result = site(lab, networks_arg(MULTI, BACK, cnm_overlay_converge="always"))
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]
    assert checks_passed(result, "multi") and checks_passed(result, "back"), result.stdout[-3000:]


BAD_INPUT = [
    pytest.param([MULTI, BACK, EXTRA, dict(BACK, ipam_config=[{"subnet": "10.13.0.0/24"}])],
                 ["cnm_overlay_networks names network back more than once (cnm_overlay_networks[1], "
                  "cnm_overlay_networks[3]): give each network one spec."], id="name-twice"),
    pytest.param([MULTI, BACK, EXTRA, {"ipam_config": [{"subnet": "10.13.0.0/24"}]}],
                 ["cnm_overlay_networks[3] has no name: give the network one (cnm_overlay_networks[3].name: multi)."],
                 id="no-name"),
    pytest.param([MULTI, BACK, dict(EXTRA, ipam_confg=[{"subnet": "10.13.0.0/24"}])],
                 ["cnm_overlay_networks[2].ipam_confg is not an option of cnm.overlay.docker_cnm_network: "
                  "did you mean ipam_config?"], id="unknown-option"),
]


@pytest.mark.parametrize("specs, expected", BAD_INPUT)
def test_bad_networks_stop_site_yml_before_any_change(lab, unchanged, flat, specs, expected):
    before = state(lab)
    result = site(lab, networks_arg(*specs, cnm_overlay_converge="always"))
    log = flat(result)
    assert result.returncode != 0, result.stdout[-3000:]
    for text in expected + ["Nothing was changed."]:
        assert text in log, result.stdout[-3000:]
    # Stopped in the first play, before the converge gathers a fact.
    assert "TASK [Gather the network facts]" not in result.stdout, result.stdout[-3000:]
    assert state(lab) == before
    assert subnet(lab, "n1", "extra") is None


ROLE_PLAY = """
- name: The role alone, with bad specs
  hosts: docker_hosts
  gather_facts: false
  roles:
    - role: cnm.overlay.overlay_networks
      overlay_networks_specs: %s
""" % json.dumps([EXTRA, {"name": "extra2", "colour": "blue"}])


def test_the_role_alone_stops_on_bad_specs_before_any_change(lab, unchanged, flat, playbook_runner):
    before = state(lab)
    result = playbook_runner(ROLE_PLAY, inventory=lab.inventory)
    assert result.returncode != 0
    assert "Nothing was changed. overlay_networks_specs[1].colour is not an option of cnm.overlay.docker_cnm_network:" \
        in flat(result), result.stdout[-3000:]
    assert state(lab) == before and subnet(lab, "n1", "extra") is None


def container_id(lab, node, name):
    return lab.sh(node, "docker inspect -f '{{.Id}}' %s" % name, check=True).stdout.strip()


@pytest.fixture(scope="module")
def first_network_before(lab, unchanged):
    return {"multi": lab.sh("n1", "docker network inspect -f '{{.Id}}' multi", check=True).stdout.strip(),
            "c1": container_id(lab, "n1", "c1"), "c2": container_id(lab, "n2", "c2")}


@pytest.fixture(scope="module")
def back_remade(lab, first_network_before):
    """The second network with another subnet, made anew."""
    return site(lab, networks_arg(MULTI, dict(BACK, ipam_config=[{"subnet": "10.14.0.0/24"}]),
                                  cnm_overlay_network_recreate=True))


def test_recreate_of_the_second_network_converges_and_both_checks_pass(back_remade):
    assert back_remade.returncode == 0, back_remade.stdout[-3000:]
    assert checks_passed(back_remade, "multi") and checks_passed(back_remade, "back"), back_remade.stdout[-3000:]


@pytest.mark.parametrize("node", DOCKER_HOSTS)
def test_the_second_network_has_its_new_subnet_on_every_docker_host(lab, back_remade, node):
    assert subnet(lab, node, "back") == "10.14.0.0/24"


def test_the_first_network_and_its_sandboxes_stay(lab, first_network_before, back_remade):
    assert {"multi": lab.sh("n1", "docker network inspect -f '{{.Id}}' multi", check=True).stdout.strip(),
            "c1": container_id(lab, "n1", "c1"), "c2": container_id(lab, "n2", "c2")} == first_network_before


# 5. An engine rollout (a daemon option turned on) checks every network after each engine, not the first alone.
@pytest.fixture(scope="module")
def rolled_out(lab, back_remade):
    return site(lab, networks_arg(MULTI, dict(BACK, ipam_config=[{"subnet": "10.14.0.0/24"}]),
                                  cnm_overlay_daemon_options={"debug": True}))


def test_a_rollout_plans_a_check_of_every_network(rolled_out, flat):
    assert rolled_out.returncode == 0, rolled_out.stdout[-3000:]
    assert "Engine rollout: n1 | n2, one host at a time, the overlay networks multi, back checked after each batch " \
        "where it exists." in flat(rolled_out)


def test_a_rollout_checks_every_network_after_each_engine(rolled_out, flat):
    rollout = [play for play in flat(rolled_out).split("PLAY [") if play.startswith("Engine restarts")][0]
    assert (rollout.count("overlay_check: 6 checks on multi passed"),
            rollout.count("overlay_check: 6 checks on back passed")) == (2, 2)
