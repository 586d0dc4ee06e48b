# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The difference tracker of cnm.overlay's modules (private to this collection).

One tracker drives both the change decision (`empty`) and what the user sees: the diff
(`before()` / `after()`) and the failure text (`describe()`)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class DifferenceTracker(object):
    """What differs between the wanted settings and the daemon's, in the order found."""

    def __init__(self):
        self._items = []

    def add(self, name, wanted, actual):
        self._items.append((name, wanted, actual))

    @property
    def empty(self):
        return not self._items

    @property
    def names(self):
        return [item[0] for item in self._items]

    def has_difference_for(self, name):
        return name in self.names

    def before(self):
        return dict((name, actual) for name, _wanted, actual in self._items)

    def after(self):
        return dict((name, wanted) for name, wanted, _actual in self._items)

    def describe(self, holder="network"):
        """'driver: wanted macvlan, network has bridge; ...'"""
        return "; ".join("%s: wanted %s, %s has %s" % (name, show(wanted), holder, show(actual))
                         for name, wanted, actual in self._items)


def show(value):
    """A value as the user wrote it in YAML: true/false, [a, b], {k: v}."""
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s: %s" % (key, show(value[key])) for key in sorted(value))
    if isinstance(value, list):
        return "[%s]" % ", ".join(show(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "%s" % (value,)
