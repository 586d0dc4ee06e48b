"""The run_record role's verdict (plugins/filter/run_record.py): the converge is skipped only when every host is
as the last finished run left it, and the run says which host differs and how."""

from ansible_collections.cnm.overlay.plugins.filter.run_record import ALWAYS, UNCHANGED, run_record_verdict

HOSTS = ["kv", "n1", "n2"]
SAME = {"converged": True, "differences": []}


def facts(compared, errors=None):
    """hostvars as the filter gets them: a host not reached has no comparison."""
    return dict((host, dict([("_run_record_compared", result)] if result is not None else [],
                            **({"_run_record_inputs_error": (errors or {})[host]} if host in (errors or {}) else {})))
                for host, result in compared.items())


def test_every_host_as_recorded_skips_the_converge():
    assert run_record_verdict(HOSTS, facts(dict((host, SAME) for host in HOSTS))) == dict(unchanged=True, lines=[UNCHANGED])


def test_a_host_that_differs_is_named_with_its_differences():
    compared = dict(kv=SAME, n1=SAME, n2={"converged": False, "differences": ["/etc changed", "dockerd restarted"]})
    assert run_record_verdict(HOSTS, facts(compared)) == dict(
        unchanged=False, lines=["Converging every host:", "n2: /etc changed; dockerd restarted"])


def test_a_host_not_reached_or_without_known_inputs_converges_everything():
    compared = dict(kv=SAME, n1={"skipped": True}, n2=None)
    verdict = run_record_verdict(HOSTS, facts(compared, dict(n1="'x' is undefined")))
    assert verdict["unchanged"] is False
    assert verdict["lines"][1:] == ["n1: its settings could not be worked out before the converge gathers facts "
                                    "('x' is undefined)", "n2: not reached"]


def test_converge_always_converges_whatever_the_records_say():
    assert run_record_verdict(HOSTS, facts(dict((host, SAME) for host in HOSTS)), converge="always") == \
        dict(unchanged=False, lines=[ALWAYS])


def test_no_host_is_no_unchanged_site():
    assert run_record_verdict([], {})["unchanged"] is False
