"""A service's user, directories and files in one run (module_utils/_host_files.py, module consul_kv_files), on a
real file system under tmp_path; the user commands are recorded, not run."""

import grp
import os
import pwd

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils._host_files import (ensure_directory, ensure_file, ensure_line,
                                                                              ensure_system_user, remove_file)

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


class Commands(list):
    def __call__(self, argv):
        self.append(argv)
        return 0, "", ""


def test_a_missing_user_is_made_as_a_system_user_without_a_home():
    commands = Commands()
    assert ensure_system_user(commands, "cnmt-no-such-user", "/var/lib/x", "/usr/sbin/nologin", False) == [
        "user cnmt-no-such-user created"]
    assert commands[0][:7] == ["useradd", "--system", "--shell", "/usr/sbin/nologin", "--home-dir", "/var/lib/x",
                               "--no-create-home"]
    assert commands[0][-1] == "cnmt-no-such-user"


def test_an_existing_user_gets_only_the_home_and_shell_that_differ():
    entry = pwd.getpwnam(ME)
    commands = Commands()
    assert ensure_system_user(commands, ME, entry.pw_dir, entry.pw_shell, False) == [] and commands == []
    changes = ensure_system_user(commands, ME, entry.pw_dir, "/bin/false", False)
    assert commands == [["usermod", "--shell", "/bin/false", ME]] and changes == ["user %s: shell /bin/false" % ME]


def test_check_mode_runs_no_command():
    commands = Commands()
    ensure_system_user(commands, "cnmt-no-such-user", "/x", "/bin/false", True)
    assert commands == []


def test_a_directory_is_made_then_left_alone_then_its_mode_set_back(tmp_path):
    path = str(tmp_path / "data")
    assert ensure_directory(path, ME, MY_GROUP, "0750", False) == ["%s created" % path]
    assert os.stat(path).st_mode & 0o7777 == 0o750
    assert ensure_directory(path, ME, MY_GROUP, "0750", False) == []
    os.chmod(path, 0o777)
    assert ensure_directory(path, ME, MY_GROUP, "0750", True) == ["%s mode 0750" % path]
    assert os.stat(path).st_mode & 0o7777 == 0o777
    assert ensure_directory(path, ME, MY_GROUP, "0750", False) == ["%s mode 0750" % path]
    assert os.stat(path).st_mode & 0o7777 == 0o750


def test_a_file_is_written_with_its_mode_and_a_second_run_changes_nothing(tmp_path):
    path = str(tmp_path / "agent.json")
    assert ensure_file(path, "{}\n", ME, MY_GROUP, "0600", True) == ["%s written" % path]
    assert not os.path.exists(path)
    assert ensure_file(path, "{}\n", ME, MY_GROUP, "0600", False) == ["%s written" % path]
    assert open(path).read() == "{}\n" and os.stat(path).st_mode & 0o7777 == 0o600
    assert ensure_file(path, "{}\n", ME, MY_GROUP, "0600", False) == []
    assert ensure_file(path, "{}\n", ME, MY_GROUP, "0640", False) == ["%s mode 0640" % path]
    assert ensure_file(path, '{"a": 1}\n', ME, MY_GROUP, "0640", False) == ["%s written" % path]
    assert sorted(os.listdir(str(tmp_path))) == ["agent.json"]


def test_an_unknown_owner_is_named(tmp_path):
    with pytest.raises(ValueError, match="the host has no user cnmt-no-such-user"):
        ensure_file(str(tmp_path / "f"), "x", "cnmt-no-such-user", MY_GROUP, "0600", False)
    assert os.listdir(str(tmp_path)) == []


def test_a_line_is_set_in_place_of_the_old_one_and_the_file_made_only_to_hold_it(tmp_path):
    path = str(tmp_path / "docker")
    assert ensure_line(path, "export T=", None, ME, MY_GROUP, "0600", False) == [] and not os.path.exists(path)
    assert ensure_line(path, "export T=", "export T=a", ME, MY_GROUP, "0600", False) == ["%s line set" % path]
    assert open(path).read() == "export T=a\n" and os.stat(path).st_mode & 0o7777 == 0o600
    with open(path, "w") as handle:
        handle.write("# DOCKER_OPTS\nexport T=old\nDOCKER_OPTS=-D\n")
    assert ensure_line(path, "export T=", "export T=a", ME, MY_GROUP, "0600", False) == ["%s line set" % path]
    assert open(path).read() == "# DOCKER_OPTS\nexport T=a\nDOCKER_OPTS=-D\n"
    assert ensure_line(path, "export T=", "export T=a", ME, MY_GROUP, "0600", False) == []


def test_without_a_line_the_old_one_goes_and_the_file_keeps_its_mode(tmp_path):
    path = str(tmp_path / "docker")
    with open(path, "w") as handle:
        handle.write("DOCKER_OPTS=-D\nexport T=old\n")
    os.chmod(path, 0o644)
    assert ensure_line(path, "export T=", None, ME, MY_GROUP, "0600", True) == ["%s line removed" % path]
    assert "export T=old" in open(path).read()
    assert ensure_line(path, "export T=", None, ME, MY_GROUP, "0600", False) == ["%s line removed" % path]
    assert open(path).read() == "DOCKER_OPTS=-D\n" and os.stat(path).st_mode & 0o7777 == 0o644


def test_remove_file(tmp_path):
    path = tmp_path / "x.env"
    path.write_text("T=1\n")
    assert remove_file(str(path), True) == ["%s removed" % path] and path.exists()
    assert remove_file(str(path), False) == ["%s removed" % path] and not path.exists()
    assert remove_file(str(path), False) == []
