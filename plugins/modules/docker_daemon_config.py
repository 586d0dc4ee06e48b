#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_daemon_config
short_description: Internal, for the docker_cluster_store role - write daemon.json and the store token's service environment in one run
version_added: 0.4.0
description:
  - Writes O(content) to O(daemon_json) (root, mode 0644) when the file holds another object, keeping the previous
    file as a backup. The layout of the file does not count, so the same settings written another way are left alone.
  - With O(service_manager=sysvinit), the store token is the line C(export CONSUL_HTTP_TOKEN=...) of
    O(sysvinit_defaults) (made 0600 when it gets the line), and no such line without a token.
  - With O(service_manager=systemd), the token is O(env_file) (0600) and the unit's drop-in O(systemd_dropin) points
    at it; without a token both are removed. systemd reloads its units when the drop-in changed.
  - With O(service_manager=none), only daemon.json is written.
  - The token is never printed. The result says whether the engine must restart for the change (C(changed)).
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Compares only; RV(changes) says what a run would change.
  diff_mode:
    support: partial
    details: The diff of daemon.json's text; the token's files are never shown.
options:
  daemon_json:
    description: Path of daemon.json.
    type: path
    default: /etc/docker/daemon.json
  content:
    description: The whole daemon.json object wanted.
    type: dict
    required: true
  backup:
    description: Keep the previous daemon.json next to it when it is rewritten.
    type: bool
    default: true
  service_manager:
    description: How the store token reaches dockerd; V(none) leaves the service's environment alone.
    type: str
    choices: [systemd, sysvinit, none]
    default: none
  store_token:
    description: The store's ACL token for dockerd (C(CONSUL_HTTP_TOKEN)); empty for none.
    type: str
    default: ""
  sysvinit_defaults:
    description: The init script's defaults file.
    type: path
    default: /etc/default/docker
  env_file:
    description: The systemd unit's environment file for the token.
    type: path
    default: /etc/docker/cnm-overlay-store.env
  systemd_dropin:
    description: The docker unit's drop-in that reads O(env_file).
    type: path
    default: /etc/systemd/system/docker.service.d/cnm-overlay-store.conf
  dropin_content:
    description: The drop-in's text.
    type: str
    default: ""
seealso:
  - module: cnm.overlay.docker_daemon_config_info
"""

EXAMPLES = r"""
- name: Point the engine at the store
  cnm.overlay.docker_daemon_config:
    content:
      cluster-store: consul://10.0.0.5:8500
      cluster-advertise: eth0:2376
    service_manager: sysvinit
    store_token: "{{ consul_kv_docker_token }}"
  register: written
  notify: restart docker engine
"""

RETURN = r"""
backup_file:
  description: The previous daemon.json when this run rewrote it, "" when there was none; null when daemon.json was left.
  returned: always
  type: str
  sample: /etc/docker/daemon.json.4242.2026-12-08@01:40:00~
daemon_json_changed:
  description: Whether daemon.json was (in check mode, would be) written.
  returned: always
  type: bool
changes:
  description: What this run changed (in check mode, would change); never the token.
  returned: always
  type: list
  elements: str
  sample: [/etc/docker/daemon.json written, /etc/default/docker line set]
"""

import shlex

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._daemon_config import (
    daemon_json_differs, daemon_json_text, json_file)
from ansible_collections.cnm.overlay.plugins.module_utils._host_files import (
    ensure_directory, ensure_file, ensure_line, remove_file)

TOKEN_VARIABLE = "CONSUL_HTTP_TOKEN"


def _service_environment(module, params, check):
    """The token's way into dockerd's environment; returns what changed."""
    token = params["store_token"]
    if params["service_manager"] == "sysvinit":
        # Quoted as Ansible's quote filter quotes.
        line = "export %s=%s" % (TOKEN_VARIABLE, shlex.quote(token)) if token else None
        return ensure_line(params["sysvinit_defaults"], "export %s=" % TOKEN_VARIABLE, line, "root", "root", "0600",
                           check)
    if params["service_manager"] != "systemd":
        return []
    dropin = params["systemd_dropin"]
    if token:
        changes = ensure_file(params["env_file"], "%s=%s\n" % (TOKEN_VARIABLE, token), "root", "root", "0600", check)
        changes += ensure_directory(dropin.rsplit("/", 1)[0], "root", "root", "0755", check)
        unit_changes = ensure_file(dropin, params["dropin_content"], "root", "root", "0644", check)
    else:
        changes = remove_file(params["env_file"], check)
        unit_changes = remove_file(dropin, check)
    if unit_changes and not check:
        # The restart that follows must see the new unit.
        module.run_command(["systemctl", "daemon-reload"], check_rc=True)
    return changes + unit_changes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            daemon_json=dict(type="path", default="/etc/docker/daemon.json"),
            content=dict(type="dict", required=True),
            backup=dict(type="bool", default=True),
            service_manager=dict(type="str", choices=["systemd", "sysvinit", "none"], default="none"),
            store_token=dict(type="str", default="", no_log=True),
            sysvinit_defaults=dict(type="path", default="/etc/default/docker"),
            env_file=dict(type="path", default="/etc/docker/cnm-overlay-store.env"),
            systemd_dropin=dict(type="path", default="/etc/systemd/system/docker.service.d/cnm-overlay-store.conf"),
            dropin_content=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    params, check = module.params, module.check_mode
    path = params["daemon_json"]
    changes, backup_file, diff = [], None, None
    try:
        found = json_file(path)
        if daemon_json_differs(found, params["content"]):
            diff = dict(before_header=path, after_header=path, before=found["text"],
                        after=daemon_json_text(params["content"]))
            backup_file = ""
            if params["backup"] and not check and module.sha1(path):
                backup_file = module.backup_local(path)
            changes += ensure_file(path, daemon_json_text(params["content"]), "root", "root", "0644", check)
        daemon_json_changed = bool(changes)
        changes += _service_environment(module, params, check)
    except (IOError, OSError, ValueError) as exc:
        module.fail_json(msg="docker_daemon_config: %s" % exc, changes=changes)
    result = dict(changed=bool(changes), changes=changes, backup_file=backup_file, daemon_json_changed=daemon_json_changed)
    if diff and module._diff:  # pylint: disable=protected-access
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
