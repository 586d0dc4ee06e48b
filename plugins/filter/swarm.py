# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the docker_swarm role: thin wrappers over module_utils/_swarm_settings (unit tested there)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cnm.overlay.plugins.module_utils import _swarm_settings


def swarm_init_settings(settings, names=None):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("swarm_init_settings expects a dict with data_path_port, default_addr_pool and subnet_size")
    return _swarm_settings.init_settings(settings.get("data_path_port"), settings.get("default_addr_pool"),
                                         settings.get("subnet_size"), names)


def swarm_init_differences(cluster, settings, names=None):
    return _swarm_settings.cluster_differences(dict(cluster or {}), dict(settings or {}), names)


class FilterModule(object):
    def filters(self):
        return {
            "swarm_init_settings": swarm_init_settings,
            "swarm_init_differences": swarm_init_differences,
        }
