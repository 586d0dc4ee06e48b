# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the preflight role: thin wrappers over module_utils/_preflight (unit tested there)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cnm.overlay.plugins.module_utils import _preflight


def preflight_report(facts, hosts, settings):
    try:
        report = _preflight.evaluate(list(hosts), dict(facts or {}), dict(settings or {}))
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))
    report["table"] = _preflight.render_table(report)
    report["message"] = _preflight.failure_message(report) if report["failed"] else ""
    return report


def preflight_advertise(addresses, advertise):
    return _preflight.advertise_address(addresses, advertise)


def preflight_store_urls(store_url, scheme="http"):
    """{urls: [...], problem: None|str}: a bad URL becomes a FAIL cell, not a crashed play."""
    if not store_url:
        return {"urls": [], "problem": None}
    try:
        return {"urls": _preflight.store_urls(store_url, scheme), "problem": None}
    except ValueError as exc:
        return {"urls": [], "problem": str(exc)}


def preflight_store_pending(presence_results, store_hosts, store_url):
    """The reason the store check waits for site.yml to create the store, or "" when it is checked now."""
    kind = str(store_url or "").split("://", 1)[0]
    return _preflight.store_pending(kind, list(store_hosts or []), _preflight.store_presence_by_host(presence_results)) or ""


def preflight_probe_ports(control_plane, is_manager, data_path_port=_preflight.DEFAULT_DATA_PATH_PORT):
    try:
        return _preflight.probe_ports(control_plane, is_manager, data_path_port)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


def preflight_probe_targets(peers, managers, control_plane, self_name, data_path_port=_preflight.DEFAULT_DATA_PATH_PORT):
    if not isinstance(peers, dict):
        raise AnsibleFilterError("preflight_probe_targets expects a dict of host name -> address")
    try:
        return _preflight.probe_targets(peers, managers, control_plane, self_name, data_path_port)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


def preflight_control_plane(versions, requested):
    return _preflight.resolve_control_plane(requested, dict(versions or {}))


class FilterModule(object):
    def filters(self):
        return {
            "preflight_report": preflight_report,
            "preflight_advertise": preflight_advertise,
            "preflight_store_urls": preflight_store_urls,
            "preflight_store_pending": preflight_store_pending,
            "preflight_probe_ports": preflight_probe_ports,
            "preflight_probe_targets": preflight_probe_targets,
            "preflight_control_plane": preflight_control_plane,
        }
