# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run_record role's verdict: is every host as the last finished run left it, and if not, why."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

UNCHANGED = ("Every host is as the last finished run left it: the overlay is checked, and the converge skipped"
             " if the check passes (cnm_overlay_converge=always converges anyway).")
ALWAYS = "Converging every host (cnm_overlay_converge=always)."


def _facts(hostvars, host, name):
    """A fact of a host, None when the host does not have it (hostvars' entries are mappings)."""
    facts = hostvars.get(host) if hasattr(hostvars, "get") else None
    if facts is None and host in hostvars:
        facts = hostvars[host]
    if facts is None or name not in facts:
        return None
    return facts[name]


def run_record_verdict(hosts, hostvars, converge="auto"):
    """hosts: the play's hosts; hostvars: per host, its variables, of which `_run_record_compared` is
    site_record_info's result (absent when the host was not reached, a skipped result when its inputs were not
    known) and `_run_record_inputs_error` why its inputs could not be worked out before the converge (absent or
    empty when they could); converge: auto or always.

    Returns unchanged (every host converged, and converge is auto) and lines (what the run says)."""
    compared = dict((host, _facts(hostvars or {}, host, "_run_record_compared")) for host in hosts)
    errors = dict((host, _facts(hostvars or {}, host, "_run_record_inputs_error")) for host in hosts)
    if converge == "always":
        return dict(unchanged=False, lines=[ALWAYS])
    lines = []
    for host in hosts:
        result = compared.get(host) or {}
        if result.get("converged"):
            continue
        if errors.get(host):
            why = ["its settings could not be worked out before the converge gathers facts (%s)" % errors[host]]
        else:
            why = result.get("differences") or ["not reached"]
        lines.append("%s: %s" % (host, "; ".join(why)))
    if not lines and hosts:
        return dict(unchanged=True, lines=[UNCHANGED])
    return dict(unchanged=False, lines=["Converging every host:"] + lines)


class FilterModule(object):
    def filters(self):
        return {"run_record_verdict": run_record_verdict}
