"""The integration stage's per-module time table (cnm_test_runner.module_time_table)."""

from cnm_test_runner import module_time_table


def test_modules_are_summed_and_sorted_longest_first_with_a_total():
    durations = [
        ("tests/integration/test_a.py::test_one", 1.0), ("tests/integration/test_a.py::test_one", 2.0),
        ("tests/integration/test_b.py::test_two[x]", 10.0), ("tests/integration/test_a.py::test_three", 0.5),
    ]
    runs = [{"test": "tests/integration/test_a.py::test_one", "seconds": 2.5, "cpu": 1.5, "rc": 0},
            {"test": "tests/integration/test_b.py::test_two[x]", "seconds": 9.0, "cpu": 4.0, "rc": 2},
            {"test": "tests/integration/test_b.py::test_two[x]", "seconds": 0.5, "cpu": 0.25, "rc": 0}]
    lines = module_time_table(durations, runs)
    assert lines[0].split() == ["module", "seconds", "tests", "runs", "run", "secs", "run", "cpu"]
    assert [line.split() for line in lines[1:]] == [
        ["test_b", "10", "1", "2", "10", "4"],
        ["test_a", "4", "2", "1", "2", "2"],
        ["total", "14", "3", "3", "12", "6"],
    ]


def test_a_run_outside_any_test_counts_as_unknown():
    lines = module_time_table([], [{"test": "", "seconds": 3.0, "cpu": 1.0, "rc": 0}])
    assert lines[1].split()[:4] == ["unknown", "0", "0", "1"]
