#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_daemon_config_info
short_description: Internal, for the control_plane, docker_engine and docker_cluster_store roles - what a daemon.json change needs
version_added: 0.2.0
description:
  - Reads the dockerd binary (its path, C(dockerd --version) and the cluster-store backends built into it)
    or, when there is none, the version of the C(docker.io) package the distribution would install; the
    command line of the running daemon; the current C(daemon.json) (its text, and its content or the
    reason it is not valid JSON); and whether the Python that runs the modules has the docker SDK.
  - Changes nothing. The role C(cnm.overlay.docker_cluster_store) decides from these facts before it
    writes C(daemon.json); the role C(cnm.overlay.control_plane) before it chooses the control plane;
    the role C(cnm.overlay.docker_engine) before it installs what is missing.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
  - cnm.overlay.attributes.info_module
options:
  daemon_json:
    description: Path of the daemon's configuration file.
    type: path
    default: /etc/docker/daemon.json
  dockerd:
    description: Path of dockerd; empty looks for C(/usr/sbin/dockerd), then C(/usr/bin/dockerd).
    type: path
    default: ""
  record_file:
    description:
      - A JSON file in which a role keeps the daemon.json settings it wrote, so that it can take exactly
        those out again (C(cnm.overlay.docker_engine) keeps its TCP API settings there). Returned as RV(record).
      - Empty reads none.
    type: path
    default: ""
seealso:
  - module: cnm.overlay.docker_cnm_network_info
"""

EXAMPLES = r"""
- name: Read the engine and daemon.json before changing it
  cnm.overlay.docker_daemon_config_info:
  register: daemon_config

- name: Refuse engines without a cluster store
  ansible.builtin.assert:
    that: daemon_config.version_text is search('version (1[0-9]|20)\\.')
"""

RETURN = r"""
dockerd:
  description: Path of the dockerd binary found; empty when none was.
  returned: always
  type: str
  sample: /usr/sbin/dockerd
dockerd_candidates:
  description: The paths that were looked at.
  returned: always
  type: list
  elements: str
version_text:
  description: What C(dockerd --version) printed; empty without dockerd or when it failed.
  returned: always
  type: str
  sample: Docker version 20.10.5+dfsg1, build 55c4c88
store_backends:
  description: Cluster-store backends built into dockerd (libkv's package paths in the binary).
  returned: always
  type: list
  elements: str
  sample: [consul, etcd, zookeeper]
package_version:
  description:
    - Without dockerd, the version of the C(docker.io) package that C(apt-cache policy) names as the candidate.
    - Empty when dockerd was found, on hosts without apt-cache, or when no package is available.
  returned: always
  type: str
  sample: 20.10.24+dfsg1-1+deb12u1
command_lines:
  description: The command line of each running dockerd (none when the daemon is not running).
  returned: always
  type: list
  elements: str
  sample: [/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock]
docker_sdk:
  description: Whether the Python that ran this module finds the docker SDK (the C(docker) package).
  returned: always
  type: bool
  sample: true
daemon_json:
  description: The current daemon.json.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the file exists.
      type: bool
    text:
      description: Its text.
      type: str
    content:
      description: Its parsed content; null when it does not exist or is not valid JSON.
      type: raw
    error:
      description: Why it is not valid JSON; empty when it is.
      type: str
record:
  description: The file named by O(record_file), in the same form as RV(daemon_json) (its C(exists) is false without one).
  returned: always
  type: dict
  sample: {exists: true, content: {tlsverify: true, hosts: ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"]}}
"""

import importlib.util

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils import _daemon_config


def main():
    module = AnsibleModule(
        argument_spec=dict(daemon_json=dict(type="path", default="/etc/docker/daemon.json"),
                           dockerd=dict(type="path", default=""),
                           record_file=dict(type="path", default="")),
        supports_check_mode=True,
    )
    facts = _daemon_config.read(module.params["daemon_json"], module.params["dockerd"], module.run_command,
                                apt_cache=module.get_bin_path("apt-cache"), record_file=module.params["record_file"])
    # The modules that need the SDK (community.docker's) run on the same Python as this one.
    module.exit_json(changed=False, docker_sdk=importlib.util.find_spec("docker") is not None, **facts)


if __name__ == "__main__":
    main()
