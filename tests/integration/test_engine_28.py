"""docker_cnm_network and docker_cnm_endpoint against Docker 28.5 (API 1.51): the options that need it.

One forky lab (its own name, CNM_ENGINE28_LAB, default eng28); the modules run on n1 over SSH, as a
user runs them, in two playbook runs. Each option goes through check mode, create, again and again in
check mode (the last two unchanged), then the daemon's view is checked from the node:
- an IPv6-only network (enable_ipv4: false) has no IPv4 pool;
- a config-only network, and a macvlan network made from it that takes its subnet, range and parent;
- swarm's ingress network remade with another MTU (a one-node swarm on n1), a second one refused;
- bad input: config_from naming a network that is not config-only, a wrong type, an API too old;
- an endpoint with gw_priority on a created container, which after its start has its default route
  through that network, and is unchanged;
- mac_address: accepted as no change where the endpoint has the MAC (set at create), refused on
  28.5 where a connect would be needed (the daemon ignores MacAddress on connect below API 1.54),
  with nothing changed.
"""

import json
import os
import re

import pytest

LAB_NAME = os.environ.get("CNM_ENGINE28_LAB", "eng28")
IMAGE = "cnm-lab/sandbox:latest"
V6ONLY = dict(name="e28-v6only", enable_ipv4=False, enable_ipv6=True, ipam_config=[dict(subnet="fd00:28:1::/64")])
CONFIG_ONLY = dict(name="e28-mvcfg", config_only=True, driver_options=dict(parent="eth0"),
                   ipam_config=[dict(subnet="10.203.28.0/24", ip_range="10.203.28.64/26")])
MACVLAN = dict(name="e28-mv", driver="macvlan", config_from="e28-mvcfg")
# swarm's ingress network remade with another MTU: the old one removed in the same task.
INGRESS = dict(networks=[dict(name="ingress", state="absent"),
                         dict(name="e28-ingress", driver="overlay", ingress=True,
                              driver_options={"com.docker.network.driver.mtu": 1400})])
# Two bridges for the endpoint: a container made on the first gets its default route there unless
# the second has a higher gateway priority.
FIRST, SECOND = ("e28-first", "10.203.29.0/24"), ("e28-second", "10.203.30.0/24")
WEB = "e28-web"
CREATE_MAC = "02:42:0a:cb:1d:0a"

PLAY = """
- name: Docker 28.5 options on n1
  hosts: n1
  gather_facts: false
  tasks:
{tasks}
"""

# {module}, {args}, {key}: four runs registered as {key}_check, {key}, {key}_again, {key}_again_check.
FOUR_STEPS = """
    - name: "{key}: check mode"
      {module}: {args}
      check_mode: true
      register: {key}_check
    - name: "{key}: create"
      {module}: {args}
      register: {key}
    - name: "{key}: again"
      {module}: {args}
      register: {key}_again
    - name: "{key}: again in check mode"
      {module}: {args}
      check_mode: true
      register: {key}_again_check
    - name: "{key}: changed only where it should be"
      ansible.builtin.assert:
        that:
          - {key}_check is changed
          - {key} is changed
          - {key}_again is not changed
          - {key}_again_check is not changed
        fail_msg: "{{{{ [{key}_check, {key}, {key}_again, {key}_again_check] | to_json }}}}"
"""

REFUSED = """
    - name: "{key}: refused"
      {module}: {args}
      register: {key}
      ignore_errors: true
    - name: "{key}: refused naming the field and the fix"
      ansible.builtin.assert:
        that:
          - {key} is failed
          - {key} is not changed
{checks}
        fail_msg: "{{{{ {key} | to_json }}}}"
"""


def four_steps(module, key, args):
    return FOUR_STEPS.format(module=module, key=key, args=json.dumps(args))


def refused(module, key, args, *words):
    checks = "".join("          - %s\n" % json.dumps("%s in %s.msg" % (json.dumps(word), key)) for word in words)
    return REFUSED.format(module=module, key=key, args=json.dumps(args), checks=checks)


def run(playbook_runner, lab, tasks):
    proc = playbook_runner(PLAY.format(tasks="".join(tasks)), inventory=lab.inventory)
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-3000:]


def inspect(lab, kind, name):
    return json.loads(lab.sh("n1", "docker %s inspect %s" % (kind, name), check=True).stdout)[0]


@pytest.fixture(scope="module")
def lab(lab_factory):
    lab = lab_factory(LAB_NAME, "forky")
    assert lab.sh("n1", "docker version --format '{{.Server.APIVersion}}'", check=True).stdout.strip() == "1.51"
    return lab


def test_network_options_on_28(lab, playbook_runner):
    lab.sh("n1", "docker swarm init --advertise-addr eth0", check=True)
    network = "cnm.overlay.docker_cnm_network"
    run(playbook_runner, lab, [
        four_steps(network, "ingress", INGRESS),
        refused(network, "second_ingress", dict(name="e28-bad", driver="overlay", ingress=True),
                "network e28-ingress is this swarm's ingress network already", "remove it first"),
        four_steps(network, "v6only", V6ONLY),
        four_steps(network, "config_only", CONFIG_ONLY),
        four_steps(network, "macvlan", MACVLAN),
        refused(network, "not_config_only", dict(name="e28-bad", driver="macvlan", config_from="e28-v6only"),
                "config_from e28-v6only: that network is not config-only", "config_only: true"),
        refused(network, "wrong_type", dict(name="e28-bad", enable_ipv4="sometimes"), "enable_ipv4"),
        refused(network, "old_api", dict(V6ONLY, name="e28-bad", api_version="1.47"),
                "enable_ipv4 needs Docker API 1.48", "API 1.47"),
    ])
    v6only = inspect(lab, "network", "e28-v6only")
    assert v6only["EnableIPv4"] is False
    assert [entry["Subnet"] for entry in v6only["IPAM"]["Config"]] == ["fd00:28:1::/64"]
    config_only = inspect(lab, "network", "e28-mvcfg")
    assert config_only["ConfigOnly"] is True and config_only["Driver"] == "null"
    macvlan = inspect(lab, "network", "e28-mv")
    assert macvlan["Driver"] == "macvlan" and macvlan["ConfigFrom"] == {"Network": "e28-mvcfg"}
    assert macvlan["Options"]["parent"] == "eth0"
    # A container on the macvlan network gets its address from the config-only network's range.
    address = lab.sh("n1", "docker run --rm --network e28-mv %s ip -4 -o addr show eth0" % IMAGE, check=True).stdout
    host = re.search(r" inet 10\.203\.28\.(\d+)/24 ", address)
    assert host and 64 <= int(host.group(1)) < 128, address
    ingress = inspect(lab, "network", "e28-ingress")
    assert ingress["Ingress"] is True and ingress["Options"]["com.docker.network.driver.mtu"] == "1400"
    assert "e28-bad" not in lab.sh("n1", "docker network ls --format '{{.Name}}'", check=True).stdout


def test_endpoint_options_on_28(lab, playbook_runner):
    for name, subnet in (FIRST, SECOND):
        lab.sh("n1", "docker network create --subnet %s %s" % (subnet, name), check=True)
    lab.sh("n1", "docker create --init --name %s --network %s --mac-address %s %s sleep 3600"
           % (WEB, FIRST[0], CREATE_MAC, IMAGE), check=True)
    endpoint = "cnm.overlay.docker_cnm_endpoint"
    priority = dict(network=SECOND[0], container=WEB, gw_priority=10)
    run(playbook_runner, lab, [
        four_steps(endpoint, "priority", priority),
        """
    - name: Start the container
      ansible.builtin.command: docker start {web}
      changed_when: true
    - name: "priority: unchanged once the container runs"
      {endpoint}: {args}
      register: started
    - name: "mac: the MAC set at create time is no change, also in check mode"
      {endpoint}: {mac}
      register: mac_kept
    - name: "mac: in check mode"
      {endpoint}: {mac}
      check_mode: true
      register: mac_kept_check
    - name: Unchanged, with what the daemon reports
      ansible.builtin.assert:
        that:
          - started is not changed
          - started.endpoint.gw_priority == 10
          - started.endpoint.container_running
          - mac_kept is not changed
          - mac_kept_check is not changed
          - mac_kept.endpoint.mac_address == '{create_mac}'
        fail_msg: "{{{{ [started, mac_kept] | to_json }}}}"
""".format(web=WEB, endpoint=endpoint, args=json.dumps(priority), create_mac=CREATE_MAC,
           mac=json.dumps(dict(network=FIRST[0], container=WEB, mac_address=CREATE_MAC.upper()))),
        refused(endpoint, "mac_on_connect", dict(network=SECOND[0], container=WEB, mac_address="02:42:0a:cb:1e:0b"),
                "mac_address needs Docker API 1.54", "spoken to with API 1.51", "nothing was changed"),
        refused(endpoint, "priority_old_api", dict(priority, gw_priority=20, api_version="1.47"),
                "gw_priority needs Docker API 1.48", "API 1.47"),
        """
    - name: "priority: the same endpoint after the refusals"
      {endpoint}: {args}
      register: after_refusals
    - name: Not reconnected by the refusals
      ansible.builtin.assert:
        that:
          - after_refusals is not changed
          - after_refusals.endpoint.endpoint_id == started.endpoint.endpoint_id
""".format(endpoint=endpoint, args=json.dumps(priority)),
    ])
    networks = inspect(lab, "container", WEB)["NetworkSettings"]["Networks"]
    assert networks[SECOND[0]]["GwPriority"] == 10
    assert networks[FIRST[0]]["MacAddress"] == CREATE_MAC
    assert networks[SECOND[0]]["MacAddress"] != "02:42:0a:cb:1e:0b"  # the refused MAC
    route = lab.sh("n1", "docker exec %s ip route show default" % WEB, check=True).stdout
    assert route.startswith("default via 10.203.30.1 "), route
