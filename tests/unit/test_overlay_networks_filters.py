"""Unit tests of the overlay_networks role's decisions (plugins/filter/overlay_networks.py): the network specs'
problems before any change, the specs as docker_cnm_network gets them, which networks a forced plan makes anew,
and whose containers are on them."""

import pytest

from ansible_collections.cnm.overlay.plugins.filter.overlay_networks import (overlay_networks_module_specs,
                                                                             overlay_networks_problems,
                                                                             overlay_networks_remade,
                                                                             overlay_networks_users)

SITE = "cnm_overlay_networks"
RECREATE = "cnm_overlay_network_recreate"
MULTI = {"name": "multi", "ipam_config": [{"subnet": "10.10.0.0/24"}]}
BACK = {"name": "back", "internal": True, "ipam_config": [{"subnet": "10.11.0.0/24", "gateway": "10.11.0.1"}],
        "labels": {"tier": "back"}}


def problems(specs):
    return overlay_networks_problems(specs, SITE, RECREATE)


def test_good_specs_have_no_problem():
    assert problems([MULTI, BACK, {"name": "plain"}]) == []


def test_the_default_names_are_the_roles():
    assert overlay_networks_problems([{"driver": "overlay"}]) == [
        "overlay_networks_specs[0] has no name: give the network one (overlay_networks_specs[0].name: multi)."]


def test_every_option_of_the_module_and_its_aliases_is_known():
    spec = {"network_name": "all", "driver": "overlay", "options": {"encrypted": ""}, "ipam_driver": "default",
            "ipam_options": {}, "ipam_config": [{"subnet": "10.12.0.0/24", "iprange": "10.12.0.128/25"}],
            "enable_ipv6": False, "internal": False, "attachable": True, "scope": "swarm", "labels": {},
            "ingress": False, "enable_ipv4": True}
    assert problems([spec]) == []


@pytest.mark.parametrize("specs, problem", [
    ("multi", "cnm_overlay_networks must be a list of network specs (dicts with name and cnm.overlay.docker_cnm_network's"
              " options); it is 'multi'."),
    ({"name": "multi"}, "cnm_overlay_networks must be a list of network specs"),
    (None, "cnm_overlay_networks must be a list of network specs"),
    ([], "cnm_overlay_networks is empty: give at least one network spec, e.g. [{name: multi}]."),
    (["multi"], "cnm_overlay_networks[0] must be a network spec (a dict with name and cnm.overlay.docker_cnm_network's"
                " options); it is 'multi'."),
    ([MULTI, {"ipam_config": [{"subnet": "10.11.0.0/24"}]}],
     "cnm_overlay_networks[1] has no name: give the network one (cnm_overlay_networks[1].name: multi)."),
    ([{"name": " "}], "cnm_overlay_networks[0] has no name"),
    ([MULTI, BACK, dict(MULTI, ipam_config=[{"subnet": "10.12.0.0/24"}])],
     "cnm_overlay_networks names network multi more than once (cnm_overlay_networks[0], cnm_overlay_networks[2]):"
     " give each network one spec."),
    ([dict(MULTI, ipam_confg=[])],
     "cnm_overlay_networks[0].ipam_confg is not an option of cnm.overlay.docker_cnm_network: did you mean ipam_config?"
     " Else remove it (the options: attachable, config_from, "),
    ([dict(MULTI, colour="blue")], "cnm_overlay_networks[0].colour is not an option of cnm.overlay.docker_cnm_network:"
                                   " remove it (the options: "),
    ([dict(MULTI, force=True)], "cnm_overlay_networks[0].force: the role makes a network that differs from its spec"
                                " anew only when cnm_overlay_network_recreate is true; remove force."),
    ([dict(MULTI, state="absent")], "cnm_overlay_networks[0].state: the role only makes networks; remove state"),
    ([dict(MULTI, internal="maybe")], "cnm_overlay_networks[0]: argument 'internal' is of type str and we were unable"
                                      " to convert to bool"),
    ([dict(MULTI, scope="wide")], "cnm_overlay_networks[0]: value of scope must be one of: local, global, swarm,"
                                  " got: wide."),
    ([dict(MULTI, ipam_config=[{"gateway": "10.10.0.1"}])],
     "cnm_overlay_networks[0]: missing required arguments: subnet found in ipam_config."),
    ([dict(MULTI, ipam_config=[{"subnet": "10.10.0.5/24"}])],
     "cnm_overlay_networks[0].ipam_config[0].subnet: 10.10.0.5/24 has host bits set"),
    ([dict(MULTI, ipam_config=[{"subnet": "10.10.0.0/24", "gateway": "10.20.0.1"}])],
     "cnm_overlay_networks[0].ipam_config[0].gateway"),
    ([dict(MULTI, driver_options={"x": {"nested": 1}})], "cnm_overlay_networks[0].driver_options.x is a dict"),
    ([MULTI, dict(BACK, ipam_config=[{"subnet": "10.10.0.128/25"}])],
     "cnm_overlay_networks[0].ipam_config: subnet 10.10.0.0/24 overlaps subnet 10.10.0.128/25 of"
     " cnm_overlay_networks[1]: choose a free range."),
    ([dict(MULTI, driver="bridge")], "cnm_overlay_networks[0] (network multi): driver bridge makes a network of one"
                                     " host; the role makes networks that every docker host sees"),
    ([dict(MULTI, scope="local")], "cnm_overlay_networks[0] (network multi): scope local makes a network of one host"),
    ([{"name": "cfg", "config_only": True}], "cnm_overlay_networks[0] (network cfg): config_only makes a network of"),
])
def test_bad_specs_are_a_problem_naming_the_field_and_the_fix(specs, problem):
    found = problems(specs)
    assert any(message.startswith(problem) for message in found), found


def test_every_mistake_of_the_list_is_reported_at_once():
    found = problems([{"ipam_config": []}, dict(MULTI, colour="blue"), dict(MULTI, force=False)])
    assert [message.split(" ")[0] for message in found] == [
        "cnm_overlay_networks[0]", "cnm_overlay_networks[1].colour", "cnm_overlay_networks[2].force:",
        "cnm_overlay_networks", "cnm_overlay_networks[1].ipam_config:"]


def test_the_input_is_not_changed():
    specs = [dict(MULTI), dict(BACK)]
    problems(specs)
    overlay_networks_module_specs(specs, "swarm", 1450)
    assert specs == [MULTI, BACK]


def test_kv_mode_fills_in_only_the_driver():
    assert overlay_networks_module_specs([MULTI], "kv") == [dict(MULTI, driver="overlay")]


def test_swarm_mode_makes_an_overlay_attachable_and_of_swarm_scope_unless_the_spec_says_otherwise():
    specs = overlay_networks_module_specs([MULTI, dict(BACK, attachable=False, scope="global"),
                                           {"name": "plugin", "driver": "weave"}], "swarm")
    assert [(spec["driver"], spec.get("attachable"), spec.get("scope")) for spec in specs] == [
        ("overlay", True, "swarm"), ("overlay", False, "global"), ("weave", None, None)]


def test_the_mtu_goes_into_the_overlays_that_set_none():
    specs = overlay_networks_module_specs(
        [MULTI, dict(BACK, driver_options={"com.docker.network.driver.mtu": 1400}),
         {"name": "enc", "options": {"encrypted": ""}}], "kv", "1450")
    assert [spec.get("driver_options") for spec in specs] == [
        {"com.docker.network.driver.mtu": 1450}, {"com.docker.network.driver.mtu": 1400},
        {"encrypted": "", "com.docker.network.driver.mtu": 1450}]
    assert "options" not in specs[2]


def test_mtu_zero_leaves_the_driver_options_out():
    assert "driver_options" not in overlay_networks_module_specs([MULTI], "kv", 0)[0]


def plan(*networks):
    return {"changed": False, "networks": [dict(name=name, changed=True, actions=actions) for name, actions in networks]}


def test_only_the_networks_the_plan_removes_are_made_anew():
    assert overlay_networks_remade(plan(
        ("multi", ["remove network multi", "create network multi"]),
        ("back", ["create network back"]),
        ("same", []),
        ("busy", ["disconnect container web from network busy", "remove network busy", "create network busy",
                  "reconnect container web to network busy"]))) == ["multi", "busy"]


def test_a_plan_without_networks_remakes_nothing():
    assert overlay_networks_remade({}) == [] and overlay_networks_remade(None) == []


def ps(*networks):
    """A host's registered loop: one item per network, lines 'name label'."""
    return {"results": [{"item": network, "stdout_lines": lines} for network, lines in networks]}


def test_the_overlay_checks_sandboxes_are_its_own_and_every_other_container_is_named_per_host():
    users = overlay_networks_users(["kv", "n1", "n2"], [
        ps(("multi", ["c1 multi"])),
        ps(("multi", ["c2 multi", "web", "db other"]), ("back", ["back-c1 back"])),
        ps(("multi", ["job"]), ("back", ["back-c2 back", "c2 multi"]))])
    assert users["own"] == {"kv": ["c1"], "n1": ["c2", "back-c1"], "n2": ["back-c2"]}
    assert users["others"] == [{"network": "multi", "hosts": ["n1: web, db", "n2: job"]},
                               {"network": "back", "hosts": ["n2: c2"]}]


def test_hosts_that_read_nothing_find_no_one():
    users = overlay_networks_users(["n1", "n2"], [{"results": [{"item": "multi", "skipped": True}]}, None])
    assert users == {"own": {}, "others": []}
