# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run_record role's verdict: is every host as the last finished run left it, and if not, why."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

UNCHANGED = ("Every host is as the last finished run left it: the overlay is checked, and the converge skipped"
             " if the check passes (cnm_overlay_converge=always converges anyway).")
ALWAYS = "Converging every host (cnm_overlay_converge=always)."


def run_record_verdict(hosts, compared, errors=None, converge="auto"):
    """hosts: the play's hosts; compared: per host, site_record_info's result (None when the host was not
    reached, a skipped result when its inputs were not known); errors: per host, why its inputs could not be
    worked out before the converge (None when they could); converge: auto or always.

    Returns unchanged (every host converged, and converge is auto) and lines (what the run says)."""
    compared = compared or {}
    errors = errors or {}
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
