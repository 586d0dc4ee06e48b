# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the overlay_check role: who takes part in the check, and what an earlier run left of a
host's sandbox that must go before its start (a failed start's container, a stale endpoint of its name)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.cnm.overlay.plugins.module_utils._sandbox import sandbox_plan

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
    """What must go before the sandbox `name` starts on this host: the module overlay_check_sandbox's plan
    (module_utils/_sandbox.py), for plays that read the host themselves."""
    return sandbox_plan(name, container, network)


def _answer(result):
    """ping_peer.py's JSON of one peer's loop result; a run that printed none is a failed ping of each kind."""
    try:
        return json.loads(result.get("stdout") or "")
    except ValueError:
        error = (result.get("stderr") or result.get("msg") or "ping_peer.py printed no result").strip()
        return {"mtu": 0, "pings": [{"kind": "run", "rc": 1, "stderr": error}]}


def _last_line(text):
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else ""


def overlay_check_rows(results, here, peer_names):
    """The connectivity table's rows of one host: one per peer and kind of ping.

    results: the ping task's loop results (item: the peer host, stdout: ping_peer.py's JSON); here: this host's
    sandbox as NAME@HOST; peer_names: {peer host: its sandbox's name}."""
    rows = []
    for result in results or []:
        answer = _answer(result)
        peer = result.get("item")
        for ping in answer.get("pings", []):
            out = ping.get("stdout") or ""
            loss = re.findall(r"([0-9.]+)% packet loss", out)
            rtt = re.findall(r"= [0-9.]+/([0-9.]+)/", out)
            rows.append({
                "src": here,
                "dst": "%s@%s" % (peer_names.get(peer, peer), peer),
                "via": ping["kind"] + ("(%s)" % answer.get("mtu") if ping["kind"] == "df" else ""),
                "loss": loss[0] + "%" if loss else "-",
                "rtt": rtt[0] if rtt else "-",
                "ok": ping.get("rc") == 0,
                "error": _last_line(ping.get("stderr")) or _last_line(out) or "no output",
            })
    return rows


def overlay_check_remedies(results, here, peer_names, network):
    """The message that says where a peer's name resolved only after ping_peer.py's remedies (a short-lived
    container joined the network; the sandbox left it and joined again), or "" where none was needed."""
    nudged = [(result, _answer(result)) for result in results or [] if _answer(result).get("nudged")]
    if not nudged:
        return ""
    peers = ", ".join(peer_names.get(result.get("item"), result.get("item")) for result, _answer_ in nudged)
    rejoined = any(answer.get("rejoined") for _result, answer in nudged)
    return ("overlay_check: %s did not resolve %s by name while the address answered. A short-lived container joined "
            "%s so that every engine reads its endpoints again (Docker 20.10 with a cluster store drops a store-watch "
            "event under load)%s; the results below are those after it."
            % (here, peers, network, ", then the sandbox left the network and joined it again so that its engine "
               "watches the store anew" if rejoined else ""))


class FilterModule(object):
    def filters(self):
        return {
            "overlay_check_participants": overlay_check_participants,
            "overlay_check_sandbox_plan": overlay_check_sandbox_plan,
            "overlay_check_rows": overlay_check_rows,
            "overlay_check_remedies": overlay_check_remedies,
        }
