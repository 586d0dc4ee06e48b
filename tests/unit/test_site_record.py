"""The run record of site.yml: what it sees on files and processes made for the test, and what it compares."""

import os

from ansible_collections.cnm.overlay.plugins.lookup.collection_digest import code_digest
from ansible_collections.cnm.overlay.plugins.module_utils import _site_record as sr


def _no_engine():
    raise AssertionError("the engine is not watched here")


def _observer(run_command=None):
    return lambda watch: sr.observe(watch, _no_engine, run_command or (lambda args: (0, "", "")))


def _tree(tmp_path):
    etc = tmp_path / "etc"
    (etc / "docker").mkdir(parents=True)
    (etc / "docker" / "daemon.json").write_text('{"cluster-store": "consul://10.0.0.2:8500"}\n')
    (etc / "hostname").write_text("n1\n")
    os.symlink("/lib/systemd/system/docker.service", str(etc / "docker.service"))
    return etc


def test_a_host_without_a_record_is_not_converged():
    assert sr.compare(None, "inputs", _observer()) == ["no record of a finished run on this host"]


def test_a_record_of_other_inputs_is_not_converged(tmp_path):
    watch = {"paths": [str(_tree(tmp_path))]}
    record = sr.make_record("old", watch, _observer()(watch))
    assert sr.compare(record, "new", _observer()) == [
        "the inputs changed since the last finished run (variables, inventory or the collection)"]


def test_an_unchanged_tree_is_converged(tmp_path):
    watch = {"paths": [str(_tree(tmp_path))]}
    record = sr.make_record("in", watch, _observer()(watch))
    assert sr.compare(record, "in", _observer()) == []


def test_a_changed_file_is_named_with_its_old_and_new_checksum(tmp_path):
    etc = _tree(tmp_path)
    watch = {"paths": [str(etc)]}
    record = sr.make_record("in", watch, _observer()(watch))
    (etc / "docker" / "daemon.json").write_text("{}\n")
    [line] = sr.compare(record, "in", _observer())
    assert line.startswith("path %s: file " % (etc / "docker" / "daemon.json")) and " sha256:" in line


def test_mode_owner_removal_addition_and_link_target_are_differences(tmp_path):
    etc = _tree(tmp_path)
    watch = {"paths": [str(etc)]}
    record = sr.make_record("in", watch, _observer()(watch))
    os.chmod(str(etc / "hostname"), 0o600)
    os.remove(str(etc / "docker" / "daemon.json"))
    (etc / "docker" / "new.json").write_text("{}")
    os.remove(str(etc / "docker.service"))
    os.symlink("/etc/systemd/system/docker.service", str(etc / "docker.service"))
    found = sr.compare(record, "in", _observer())
    assert [line.split(":", maxsplit=1)[0] for line in found] == [
        "path %s" % (etc / "docker.service"), "path %s" % (etc / "docker" / "daemon.json"),
        "path %s" % (etc / "docker" / "new.json"), "path %s" % (etc / "hostname")]
    assert found[0].endswith("-> link /etc/systemd/system/docker.service")
    assert found[1].endswith("-> -") and " -> file " in found[2]
    assert ":600 " in found[3]


def test_a_missing_watched_path_is_recorded_as_absent_and_its_creation_seen(tmp_path):
    watch = {"paths": [str(tmp_path / "consul.d")]}
    record = sr.make_record("in", watch, _observer()(watch))
    assert record["observed"] == {"path %s" % (tmp_path / "consul.d"): "-"}
    (tmp_path / "consul.d").mkdir()
    assert len(sr.compare(record, "in", _observer())) == 1


def test_many_differences_are_cut_after_ten_with_a_count(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    watch = {"paths": [str(etc)]}
    record = sr.make_record("in", watch, _observer()(watch))
    for number in range(15):
        (etc / ("f%02d" % number)).write_text("x")
    found = sr.compare(record, "in", _observer())
    assert len(found) == 11 and found[-1] == "and 5 more"


def _proc(tmp_path, processes):
    proc = tmp_path / "proc"
    for pid, comm, exe in processes:
        (proc / pid).mkdir(parents=True)
        (proc / pid / "comm").write_text(comm + "\n")
        os.symlink(exe, str(proc / pid / "exe"))
    return str(proc)


def test_processes_are_their_executable_or_absent(tmp_path):
    binary = tmp_path / "consul"
    binary.write_bytes(b"v1")
    proc = _proc(tmp_path, [("42", "consul", str(binary)), ("7", "sshd", "/usr/sbin/sshd")])
    found = sr.observe_processes(["consul", "dockerd"], proc)
    assert found["dockerd"] == "-" and found["consul"].startswith("running %s 2 " % binary)


def test_a_replaced_executable_is_a_difference(tmp_path):
    binary = tmp_path / "consul"
    binary.write_bytes(b"v1")
    proc = _proc(tmp_path, [("42", "consul", str(binary))])
    before = sr.observe_processes(["consul"], proc)
    binary.write_bytes(b"version 2")
    assert sr.observe_processes(["consul"], proc) != before


def test_addresses_leave_out_dockers_interfaces():
    output = ("1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n"
              "5: eth0@if6    inet 172.30.99.3/24 brd 172.30.99.255 scope global eth0\n"
              "3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\n"
              "9: docker_gwbridge    inet 172.18.0.1/16 scope global docker_gwbridge\n"
              "11: br-0a1b2c3d    inet 172.19.0.1/16 scope global br-0a1b2c3d\n")
    assert sr.parse_addresses(output) == ["eth0 172.30.99.3/24", "lo 127.0.0.1/8"]


def test_addresses_are_watched_through_ip(tmp_path):
    calls = []

    def run_command(args):
        calls.append(args)
        return 0, "2: eth0    inet 10.0.0.5/24 scope global eth0\n", ""

    assert sr.observe({"addresses": True}, _no_engine, run_command) == {"addresses": "eth0 10.0.0.5/24"}
    assert calls == [["ip", "-o", "-4", "addr", "show"]]


def test_the_same_record_is_not_written_again(tmp_path):
    path = str(tmp_path / "state" / "site-record.json")
    record = sr.make_record("in", {"paths": []}, {})
    assert sr.write_record(path, record) is True
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert sr.write_record(path, record) is False
    assert sr.read_record(path) == record
    assert sr.write_record(path, sr.make_record("other", {"paths": []}, {})) is True


def test_a_foreign_or_broken_record_reads_as_none(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"version": 99}')
    assert sr.read_record(str(broken)) is None and sr.read_record(str(foreign)) is None
    assert sr.read_record(str(tmp_path / "missing.json")) is None


def test_the_collection_digest_follows_the_code(tmp_path):
    (tmp_path / "roles" / "r" / "tasks").mkdir(parents=True)
    (tmp_path / "roles" / "r" / "tasks" / "main.yml").write_text("- name: a\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text("doc")
    first = code_digest(str(tmp_path))
    (tmp_path / "docs" / "x.md").write_text("other doc")
    assert code_digest(str(tmp_path)) == first
    (tmp_path / "roles" / "r" / "tasks" / "main.yml").write_text("- name: b\n")
    assert code_digest(str(tmp_path)) != first
