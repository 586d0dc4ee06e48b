# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the overlay_check role: who takes part in the check, and what an earlier run left of a
host's sandbox that must go before its start (a failed start's container, a stale endpoint of its name)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

VARIABLE = "overlay_check_hosts"


def _names(hosts):
    return ", ".join(str(host) for host in hosts)


def overlay_check_participants(check_hosts, inventory_hosts, run_hosts):
    """The check hosts that take part in this run and the ones it leaves out.

    check_hosts: overlay_check_hosts; inventory_hosts: every host of the inventory (groups['all']);
    run_hosts: the hosts of the play that are still running (ansible_play_hosts, when the role starts).
    A check host of the inventory that is not in the run (--limit, another play's host, failed earlier) is
    left out with a message, never an error: the check runs between the others, or not at all when fewer
    than two are left. Bad input (not a list, fewer than two, unknown or repeated names) is a problem."""
    if isinstance(check_hosts, (str, bytes)) or not isinstance(check_hosts, (list, tuple)):
        return dict(taking_part=[], left_out=[], run=False, message="",
                    problems=["%s must be a list of at least two inventory hosts (got %r)." % (VARIABLE, check_hosts)])
    hosts = [str(host) for host in check_hosts]
    inventory = set(str(host) for host in inventory_hosts or [])
    running = set(str(host) for host in run_hosts or [])
    problems = []
    if len(hosts) < 2:
        problems.append("%s must name at least two hosts of the inventory (got %r)." % (VARIABLE, hosts))
    unknown = [host for host in hosts if host not in inventory]
    if unknown:
        problems.append("%s names hosts the inventory does not have: %s (got %r)." % (VARIABLE, _names(unknown), hosts))
    repeated = sorted(set(host for host in hosts if hosts.count(host) > 1))
    if repeated:
        problems.append("%s names a host more than once: %s (got %r)." % (VARIABLE, _names(repeated), hosts))
    if problems:
        return dict(taking_part=[], left_out=[], run=False, message="", problems=problems)
    taking_part = [host for host in hosts if host in running]
    left_out = [host for host in hosts if host not in running]
    run = len(taking_part) >= 2
    message = ""
    if left_out:
        message = ("overlay_check: %s of %s %s not in this run (left out by --limit, failed earlier, or not a host of "
                   "this play): %s." % (_names(left_out), VARIABLE, "are" if len(left_out) > 1 else "is",
                                        ("the check runs between " + _names(taking_part)) if run
                                        else "the check is skipped, it needs two of them in the run"))
    return dict(taking_part=taking_part, left_out=left_out, run=run, message=message, problems=[])


def overlay_check_sandbox_plan(name, container, network):
    """What must go before the sandbox `name` starts on this host.

    container: the host's container of that name (docker_container_info's `container`, None when absent);
    network: the network as this host's engine lists it (docker_cnm_network_info's first network, None when
    the host does not see it yet). Returns remove_container: the container is there but not running on the
    network as it is now (a failed start left it `Created`, it stopped, or its network was made anew): it is
    made again; remove_endpoint: the network lists an endpoint of this name and no container of the name stays
    (an earlier sandbox of this host whose removal did not reach the cluster store): it would hold
    the name, and the start would fail with "endpoint with name ... already exists"."""
    if not network:
        # Not seen yet (a swarm worker): the sandbox is started with `docker run --network`, after `docker rm -f`.
        return dict(remove_container=False, remove_endpoint=False)
    endpoints = network.get("Containers") or {}
    container_id = (container or {}).get("Id")
    running = bool(((container or {}).get("State") or {}).get("Running"))
    stays = bool(container_id) and running and container_id in endpoints
    named = any((endpoint or {}).get("Name") == name for endpoint in endpoints.values())
    return dict(remove_container=bool(container) and not stays, remove_endpoint=named and not stays)


class FilterModule(object):
    def filters(self):
        return {
            "overlay_check_participants": overlay_check_participants,
            "overlay_check_sandbox_plan": overlay_check_sandbox_plan,
        }
