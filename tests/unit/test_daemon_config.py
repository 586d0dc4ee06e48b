"""The read-only facts docker_daemon_config_info gathers, on files made for the test."""

from ansible_collections.cnm.overlay.plugins.module_utils import _daemon_config as dc


def test_find_dockerd_takes_the_first_existing_candidate(tmp_path):
    second = tmp_path / "dockerd"
    second.write_text("")
    assert dc.find_dockerd([str(tmp_path / "missing"), str(second)]) == str(second)
    assert dc.find_dockerd([str(tmp_path / "missing")]) == ""


def test_store_backends_are_the_libkv_package_paths_in_the_binary(tmp_path):
    binary = tmp_path / "dockerd"
    binary.write_bytes(b"\x00ELF...github.com/docker/libkv/store/etcd.New\x00...libkv/store/consul.(*Consul)\x00"
                       b"libkv/store/etcd.x\x00")
    assert dc.store_backends(str(binary)) == ["consul", "etcd"]


def test_a_binary_without_backends_has_none(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    plain = tmp_path / "plain"
    plain.write_bytes(b"\x00ELF no store here")
    assert dc.store_backends(str(empty)) == [] and dc.store_backends(str(plain)) == []


def test_command_lines_are_those_of_dockerd_processes_only(tmp_path):
    for pid, comm, args in (("10", "dockerd", [b"/usr/sbin/dockerd", b"-H", b"unix:///run/d.sock"]),
                            ("9", "containerd", [b"containerd"]),
                            ("11", "dockerd", [b"dockerd"])):
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "comm").write_text(comm + "\n")
        (tmp_path / pid / "cmdline").write_bytes(b"\0".join(args) + b"\0")
    (tmp_path / "self").mkdir()
    assert dc.daemon_command_lines(str(tmp_path)) == ["/usr/sbin/dockerd -H unix:///run/d.sock", "dockerd"]


def test_daemon_json_content_or_the_reason_it_is_not_json():
    assert dc.parse_daemon_json('{"debug": true}') == ({"debug": True}, "")
    content, error = dc.parse_daemon_json('{"debug": tru}')
    assert content is None and "line 1" in error
    assert dc.parse_daemon_json("")[1]  # an empty file is not JSON either: the role asks to fix it


def test_read_reports_a_missing_daemon_json_and_a_missing_dockerd(tmp_path):
    facts = dc.read(str(tmp_path / "daemon.json"), str(tmp_path / "dockerd"), run_command=None)
    assert facts["dockerd"] == "" and facts["dockerd_candidates"] == [str(tmp_path / "dockerd")]
    assert facts["daemon_json"] == dict(exists=False, text="", content=None, error="")


def test_package_candidate_is_the_candidate_line_of_apt_cache_policy():
    policy = ("docker.io:\n  Installed: (none)\n  Candidate: 20.10.24+dfsg1-1+deb12u1\n  Version table:\n"
              "     20.10.24+dfsg1-1+deb12u1 500\n")
    assert dc.package_candidate(policy) == "20.10.24+dfsg1-1+deb12u1"
    assert dc.package_candidate("docker.io:\n  Installed: (none)\n  Candidate: (none)\n") == ""
    assert dc.package_candidate("") == ""


def test_read_asks_apt_cache_only_without_dockerd(tmp_path):
    calls = []

    def run_command(argv):
        calls.append(argv)
        if argv[1:] == ["policy", "docker.io"]:
            return 0, "docker.io:\n  Installed: (none)\n  Candidate: 20.10.5+dfsg1-1+deb11u2\n", ""
        return 0, "Docker version 20.10.5+dfsg1, build 55c4c88\n", ""

    missing = dc.read(str(tmp_path / "daemon.json"), str(tmp_path / "dockerd"), run_command, apt_cache="/usr/bin/apt-cache")
    assert (missing["dockerd"], missing["package_version"]) == ("", "20.10.5+dfsg1-1+deb11u2")
    (tmp_path / "dockerd").write_bytes(b"libkv/store/etcd.New")
    present = dc.read(str(tmp_path / "daemon.json"), str(tmp_path / "dockerd"), run_command, apt_cache="/usr/bin/apt-cache")
    assert (present["package_version"], present["version_text"], present["store_backends"]) == \
        ("", "Docker version 20.10.5+dfsg1, build 55c4c88", ["etcd"])
    assert calls == [["/usr/bin/apt-cache", "policy", "docker.io"], [str(tmp_path / "dockerd"), "--version"]]


def test_read_returns_the_record_file_when_one_is_named(tmp_path):
    record = tmp_path / "record.json"
    record.write_text('{"tlsverify": true}')
    facts = dc.read(str(tmp_path / "daemon.json"), str(tmp_path / "dockerd"), run_command=None,
                    record_file=str(record))
    assert facts["record"] == dict(exists=True, text='{"tlsverify": true}', content={"tlsverify": True}, error="")


def test_read_reports_no_record_without_a_record_file_or_when_it_is_missing(tmp_path):
    unnamed = dc.read(str(tmp_path / "daemon.json"), str(tmp_path / "dockerd"), run_command=None)
    missing = dc.read(str(tmp_path / "daemon.json"), str(tmp_path / "dockerd"), run_command=None,
                      record_file=str(tmp_path / "record.json"))
    assert unnamed["record"]["exists"] is False and missing["record"]["exists"] is False


def test_daemon_json_is_rewritten_only_for_other_settings_not_another_layout(tmp_path):
    from ansible_collections.cnm.overlay.plugins.module_utils._daemon_config import (daemon_json_differs,
                                                                                     daemon_json_text, json_file)
    path = tmp_path / "daemon.json"
    wanted = {"cluster-store": "consul://kv:8500", "live-restore": True}
    assert daemon_json_differs(json_file(str(path)), wanted)
    path.write_text('{"live-restore": true,   "cluster-store": "consul://kv:8500"}')
    assert not daemon_json_differs(json_file(str(path)), wanted)
    assert daemon_json_differs(json_file(str(path)), {"cluster-store": "consul://kv:8500"})
    path.write_text("{not json")
    assert daemon_json_differs(json_file(str(path)), wanted)
    assert daemon_json_text(wanted) == '{\n  "cluster-store": "consul://kv:8500",\n  "live-restore": true\n}\n'
