# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of docker_restart's rollout: which engines restart together, in what order, which host the
overlay check pairs each batch with, and what waits when a batch fails."""

from __future__ import absolute_import, division, print_function

import re

from ansible.errors import AnsibleFilterError

__metaclass__ = type

BATCH_VARIABLE = "docker_restart_batch"


def restart_batch_size(batch, hosts, variable=BATCH_VARIABLE):
    """The number of engines restarted together: `batch` is a number of hosts (1 or more) or a percentage
    of the hosts to restart ("25%", at least one host). Raises a ValueError naming `variable` otherwise."""
    text = str(batch).strip()
    percent = re.match(r"^([0-9]+)%$", text)
    if percent and 1 <= int(percent.group(1)) <= 100:
        return max(1, int(len(hosts) * int(percent.group(1)) // 100))
    if not isinstance(batch, bool) and re.match(r"^[0-9]+$", text) and int(text) >= 1:
        return int(text)
    raise ValueError("%s must be a number of hosts (1 or more) or a percentage of the hosts to restart "
                     "(1%% to 100%%, for example 25%%); it is %r." % (variable, batch))


def restart_engine_state(lines):
    """What rollout.yml read on a host, as the plan's state: the lines `<LiveRestoreEnabled> <ContainersRunning>`
    ("unknown 0" when the engine does not answer) and `network` or `none`."""
    lines = [str(line) for line in lines or []]
    fields = (lines[0].split() if lines else []) + ["unknown", "0"]
    live_restore = {"true": True, "false": False}.get(fields[0].lower())
    running = int(fields[1]) if fields[1].isdigit() else 0
    return dict(live_restore=live_restore, running=running, network=len(lines) > 1 and lines[1].strip() == "network")


def restart_batch_problems(batch, variable=BATCH_VARIABLE):
    """[] when `batch` is a good batch size, else the one problem, naming `variable` and the fix."""
    try:
        restart_batch_size(batch, [], variable)
    except ValueError as error:
        return [str(error)]
    return []


def _idle(hosts, states):
    return all(not (states.get(host) or {}).get("network") and int((states.get(host) or {}).get("running") or 0) == 0
               for host in hosts)


def _networks_text(network):
    """'the overlay network a' or 'the overlay networks a, b' for one name or a list of them ('' for none)."""
    names = [network] if isinstance(network, str) else list(network or [])
    names = [name for name in names if name]
    if not names:
        return ""
    return "the overlay network%s %s" % ("s" if len(names) > 1 else "", ", ".join(names))


def restart_rollout_plan(pending, peers, states, batch=1, parallel_when_idle=True, network=""):
    """Batches of engine restarts.

    pending: the hosts whose engine must restart, in the order to restart them; peers: the hosts of the run
    the overlay check may pair a batch with, in order of preference; states: per host, `running` (containers
    running on its engine now) and `network` (whether it sees the overlay network now); batch: the batch size
    (see restart_batch_size); parallel_when_idle: restart every engine at once when no pending host sees the
    network or runs a container (nothing can break); network: the network's name (or a list of the checked
    networks' names), for the messages.

    Returns batches: [{hosts, check_hosts (empty: no check), waiting}] and lines: the plan, one line per host."""
    pending = [str(host) for host in pending or []]
    checked_text = _networks_text(network)
    peers = [str(host) for host in peers or []]
    states = dict((str(host), state) for host, state in (states or {}).items())
    try:
        size = restart_batch_size(batch, pending)
    except ValueError as error:
        raise AnsibleFilterError(str(error))
    parallel = bool(parallel_when_idle) and len(pending) > 1 and _idle(pending, states)
    if parallel:
        size = len(pending)
    groups = [pending[start:start + size] for start in range(0, len(pending), size)]
    batches = []
    lines = []
    for index, hosts in enumerate(groups):
        waiting = [host for group in groups[index + 1:] for host in group]
        checked = network and any((states.get(host) or {}).get("network") for host in hosts)
        others = [host for host in peers if host not in hosts]
        check_hosts = []
        if checked:
            check_hosts = hosts + others[:1] if others else (hosts if len(hosts) > 1 else [])
        batches.append(dict(hosts=hosts, check_hosts=check_hosts, waiting=waiting))
        for host in hosts:
            line = "The engine on %s would be restarted (its daemon.json changes)" % host
            if parallel:
                line += ", with the others at once (no container runs and no host sees the network yet)"
            elif len(hosts) > 1:
                line += ", with %s" % ", ".join(other for other in hosts if other != host)
            if check_hosts:
                line += ", then %s checked between %s before the next engine" % (checked_text, " and ".join(check_hosts))
            running = (states.get(host) or {}).get("running")
            live_restore = (states.get(host) or {}).get("live_restore")
            line += "."
            if str(live_restore).lower() == "false" and int(running or 0) > 0:
                line += (" live-restore is off on its running engine: the restart would stop its %d running container(s);"
                         " those with a restart policy start again." % int(running))
            lines.append(line)
    summary = ""
    if groups:
        summary = "Engine rollout: " + " | ".join(", ".join(hosts) for hosts in groups)
        if parallel:
            summary += ", at once (no container runs and no host sees the network yet)."
        else:
            summary += ", %s at a time%s." % (
                "one host" if size == 1 else "%d hosts" % size,
                (", %s checked after each batch where it exists" % checked_text) if checked_text else "")
    return dict(batches=batches, lines=lines, parallel=parallel, size=size, summary=summary)


def restart_failures(hosts, hostvars):
    """Why each of `hosts` did not come back, from the fact restart.yml sets (`_docker_restart_failure`):
    the reason alone for one host, "host: reason; ..." for several."""
    reasons = [(host, str((hostvars.get(host) or {}).get("_docker_restart_failure") or "see its error above"))
               for host in hosts or []]
    if len(reasons) == 1:
        return reasons[0][1]
    return "; ".join("%s: %s" % reason for reason in reasons)


def restart_backup_file(host_vars):
    """The daemon.json backup a rollback restores for a host: docker_engine's, else docker_cluster_store's,
    else None (nothing to roll back). `host_vars` is the host's variables (hostvars[host])."""
    for name in ("docker_engine_backup_file", "docker_cluster_store_backup_file"):
        value = (host_vars or {}).get(name)
        if isinstance(value, str):
            return value
    return None


class FilterModule(object):
    def filters(self):
        return {
            "restart_backup_file": restart_backup_file,
            "restart_batch_problems": restart_batch_problems,
            "restart_engine_state": restart_engine_state,
            "restart_failures": restart_failures,
            "restart_rollout_plan": restart_rollout_plan,
        }
