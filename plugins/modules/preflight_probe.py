#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: preflight_probe
short_description: Internal, for the preflight role - read a docker host's preflight facts and probe ports between hosts
version_added: 0.1.0
description:
  - With O(mode=collect), reads this host's addresses and routes (C(ip -j)), the engine version, and
    whether the kernel can create a VXLAN device (and, with O(ipsec), an IPsec ESP state) in a
    throwaway network namespace; one module run for what the role decides on. With O(store_data_dirs)
    and O(store_processes) it also reads what the host has of a key-value store already.
  - With O(mode=exchange), does O(mode=listen) and O(mode=send) in one run; every host of the play
    must run it at the same time (the role uses it when the play's hosts fit in its forks).
  - With O(mode=listen), binds the given ports for at most O(timeout) seconds and records which
    peers' probe tokens arrived. A port that is already bound (for example by C(dockerd)) is left
    alone; for UDP a packet socket then records the datagrams that reach the host instead.
  - With O(mode=send), connects to every TCP target and sends a burst of datagrams to every UDP
    target.
  - Used by the C(cnm.overlay.preflight) role (listen runs as an async task when the hosts do not
    all fit in the forks, else exchange). Changes nothing on the host.
author: cnm.overlay maintainers (@cnm-overlay)
options:
  mode:
    description: Collect this host's facts, listen on this host, send to the peers, or listen and send at once.
    type: str
    required: true
    choices: [collect, listen, send, exchange]
  run_id:
    description: Identifies one preflight run; tokens of other runs are ignored. Required unless O(mode=collect).
    type: str
  host_facts:
    description: O(mode=collect), read addresses, routes, the engine version and the O(vxlan)/O(ipsec) tries.
    type: bool
    default: true
  store_urls:
    description: O(mode=collect), the cluster store's health URLs to GET from this host (answers in RV(store)).
    type: list
    elements: str
    default: []
  store_timeout:
    description: O(mode=collect), seconds each store request may take.
    type: int
    default: 5
  store_ca_path:
    description: O(mode=collect), CA bundle for a store served over https.
    type: path
  store_client_cert:
    description: O(mode=collect), client certificate for the store.
    type: path
  store_client_key:
    description: O(mode=collect), client key for the store.
    type: path
  store_data_dirs:
    description: O(mode=collect), the store's data directories; those that hold data are in RV(store_presence).
    type: list
    elements: path
    default: []
  store_processes:
    description: O(mode=collect), the store's process names (as in C(/proc/PID/comm)); those running are in RV(store_presence).
    type: list
    elements: str
    default: []
  vxlan:
    description: O(mode=collect), try to create a VXLAN device in a throwaway network namespace.
    type: bool
    default: true
  ipsec:
    description: O(mode=collect), try to add an IPsec ESP state (AES-GCM) in a throwaway network namespace.
    type: bool
    default: false
  image:
    description:
      - O(mode=collect), the overlay check's image; RV(facts) then says whether the engine has it or its registry
        serves it (the image's inspect, else the registry's manifest through the engine). Nothing is pulled.
    type: str
  name:
    description: This host's name, sent in the tokens (O(mode=send) and O(mode=exchange)).
    type: str
  ports:
    description: Ports to listen on, as V(tcp/7946) or V(udp/4789) (O(mode=listen)).
    type: list
    elements: str
    default: []
  bind_address:
    description: Address the listener binds (O(mode=listen)).
    type: str
    default: 0.0.0.0
  expect:
    description: Names of the peers whose tokens the listener waits for; it stops early once all arrived.
    type: list
    elements: str
    default: []
  ready_file:
    description: File written once the ports are bound and removed when the listener stops, so peers start sending only then.
    type: path
  targets:
    description: What to probe (O(mode=send)).
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: The target's name.
        type: str
        required: true
      address:
        description: The target's address.
        type: str
        required: true
      proto:
        description: Protocol.
        type: str
        required: true
        choices: [tcp, udp]
      port:
        description: Port.
        type: int
        required: true
  timeout:
    description:
      - O(mode=listen) and O(mode=exchange), seconds to wait for all peers; O(mode=send), seconds per TCP connect.
    type: int
    default: 15
  udp_count:
    description: Datagrams sent to each UDP target (O(mode=send)).
    type: int
    default: 5
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: The probes are read-only, so they run in check mode too.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Listen for the peers' probes in the background
  cnm.overlay.preflight_probe:
    mode: listen
    run_id: "{{ run_id }}"
    ports: [tcp/7946, udp/7946, udp/4789]
    expect: "{{ ansible_play_hosts | difference([inventory_hostname]) }}"
    ready_file: /tmp/cnm-preflight.ready
  async: 60
  poll: 0

- name: Probe the peers
  cnm.overlay.preflight_probe:
    mode: send
    run_id: "{{ run_id }}"
    name: "{{ inventory_hostname }}"
    targets:
      - {host: n2, address: 172.30.99.4, proto: udp, port: 4789}
"""

RETURN = r"""
facts:
  description:
    - O(mode=collect), the raw facts (addresses, routes, engine_version, engine_error, ip_error, vxlan_error, ipsec_error).
    - With O(image), C(image) is C({image, source, error}) with source V(local), V(registry) or empty.
  returned: mode is collect
  type: dict
store:
  description: O(mode=collect), one answer per O(store_urls) entry (url, status, content, msg; status -1 when nothing answered).
  returned: mode is collect
  type: list
  elements: dict
store_presence:
  description: O(mode=collect), what this host has of the store already (the preflight tells a store site.yml will create from one that is down).
  returned: mode is collect
  type: dict
  sample: {"data_dirs": ["/var/lib/consul"], "processes": ["consul"]}
ports:
  description: O(mode=listen), per port its mode (V(bound), V(capture), V(in_use), V(error)), the peers heard and seconds waited.
  returned: mode is listen or exchange
  type: dict
  sample: {"udp/4789": {"mode": "bound", "heard": ["n1"], "error": null, "waited": 1.2}}
results:
  description: O(mode=send), one entry per target with V(ok) and V(error) (for UDP V(ok) only means sent).
  returned: mode is send or exchange
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._host_probe import collect, store_answers, store_presence
from ansible_collections.cnm.overlay.plugins.module_utils._port_probe import exchange, listen, send


def run_command(module):
    """module.run_command that reports a missing program as a failed command, not a failed module."""
    def run(argv):
        try:
            return module.run_command(argv, expand_user_and_vars=False, handle_exceptions=False)
        except (OSError, IOError) as exc:
            return 127, "", "%s: %s" % (argv[0], exc)
    return run


def main():
    module = AnsibleModule(
        argument_spec=dict(
            mode=dict(type="str", required=True, choices=["collect", "listen", "send", "exchange"]),
            run_id=dict(type="str"),
            host_facts=dict(type="bool", default=True),
            store_urls=dict(type="list", elements="str", default=[]),
            store_timeout=dict(type="int", default=5),
            store_ca_path=dict(type="path"),
            store_client_cert=dict(type="path"),
            store_client_key=dict(type="path"),
            store_data_dirs=dict(type="list", elements="path", default=[]),
            store_processes=dict(type="list", elements="str", default=[]),
            vxlan=dict(type="bool", default=True),
            ipsec=dict(type="bool", default=False),
            image=dict(type="str"),
            name=dict(type="str"),
            ports=dict(type="list", elements="str", default=[]),
            bind_address=dict(type="str", default="0.0.0.0"),
            expect=dict(type="list", elements="str", default=[]),
            ready_file=dict(type="path"),
            targets=dict(type="list", elements="dict", default=[], options=dict(
                host=dict(type="str", required=True),
                address=dict(type="str", required=True),
                proto=dict(type="str", required=True, choices=["tcp", "udp"]),
                port=dict(type="int", required=True),
            )),
            timeout=dict(type="int", default=15),
            udp_count=dict(type="int", default=5),
        ),
        required_if=[("mode", "send", ("name", "run_id")), ("mode", "exchange", ("name", "run_id")),
                     ("mode", "listen", ("run_id",))],
        supports_check_mode=True,
    )
    params = module.params
    if params["mode"] == "collect":
        facts = collect(run_command(module), params["vxlan"], params["ipsec"], params["image"]) if params["host_facts"] else None
        store = store_answers(params["store_urls"], params["store_timeout"], params["store_ca_path"],
                              params["store_client_cert"], params["store_client_key"])
        presence = store_presence(params["store_data_dirs"], params["store_processes"])
        module.exit_json(changed=False, facts=facts, store=store, store_presence=presence)
    bad = [port for port in params["ports"] if port.split("/")[0] not in ("tcp", "udp") or not port.split("/")[-1].isdigit()]
    if bad:
        module.fail_json(msg="ports: %s is not PROTO/PORT such as tcp/7946 or udp/4789" % ", ".join(bad))
    if params["mode"] == "listen":
        ports = listen(params["ports"], params["bind_address"], params["expect"], params["run_id"],
                       params["timeout"], params["ready_file"])
        module.exit_json(changed=False, ports=ports)
    if params["mode"] == "exchange":
        ports, results = exchange(params["ports"], params["bind_address"], params["expect"], params["run_id"],
                                  params["name"], params["targets"], params["timeout"])
        module.exit_json(changed=False, ports=ports, results=results)
    results = send(params["targets"], params["name"], params["run_id"], params["timeout"], params["udp_count"])
    module.exit_json(changed=False, results=results)


if __name__ == "__main__":
    main()
