# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A service's system user, directories and files on a host, each compared with what is there first and
changed only where it differs: several steps of a role in one module run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import hashlib
import os
import pwd
import tempfile


def _ids(owner, group):
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise ValueError("the host has no user %s" % owner)
    try:
        return uid, grp.getgrnam(group).gr_gid
    except KeyError:
        raise ValueError("the host has no group %s" % group)


def _mode(mode):
    return int(str(mode), 8)


def ensure_system_user(run_command, name, home, shell, check_mode):
    """A system user `name` with that home (not created) and shell, as ansible.builtin.user with system=true and
    create_home=false makes it. run_command: AnsibleModule.run_command. Returns what changed, as words."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if not check_mode:
            # A group of the name that is there already becomes the user's group; else useradd makes it.
            group = ["--gid", name] if _group_exists(name) else ["--user-group"]
            _run(run_command, ["useradd", "--system", "--shell", shell, "--home-dir", home, "--no-create-home"]
                 + group + [name])
        return ["user %s created" % name]
    args = []
    if entry.pw_dir != home:
        args += ["--home", home]
    if entry.pw_shell != shell:
        args += ["--shell", shell]
    if not args:
        return []
    if not check_mode:
        _run(run_command, ["usermod"] + args + [name])
    return ["user %s: %s" % (name, " ".join(args).replace("--", ""))]


def _group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _run(run_command, argv):
    rc, _out, err = run_command(argv)
    if rc != 0:
        raise OSError("%s failed (rc %s): %s" % (" ".join(argv), rc, err.strip()))


def ensure_directory(path, owner, group, mode, check_mode):
    """The directory `path` with that owner, group and mode (its parents are made as root's 0755)."""
    changes = []
    if not os.path.isdir(path):
        changes.append("%s created" % path)
        if check_mode:
            return changes
        os.makedirs(path, _mode(mode))
    return changes + _ensure_attributes(path, owner, group, mode, check_mode)


def _ensure_attributes(path, owner, group, mode, check_mode):
    changes = []
    try:
        uid, gid = _ids(owner, group)
    except ValueError:
        if check_mode:
            # The user this run would make first.
            return ["%s owner %s:%s" % (path, owner, group)]
        raise
    status = os.stat(path)
    if (status.st_uid, status.st_gid) != (uid, gid):
        changes.append("%s owner %s:%s" % (path, owner, group))
        if not check_mode:
            os.chown(path, uid, gid)
    if (status.st_mode & 0o7777) != _mode(mode):
        changes.append("%s mode %s" % (path, mode))
        if not check_mode:
            os.chmod(path, _mode(mode))
    return changes


def ensure_file(path, content, owner, group, mode, check_mode):
    """The file `path` with that content, owner, group and mode. New content is written to a file of the
    final owner and mode in the same directory first, then moved over, so no reader sees a part of it."""
    data = content.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            same = hashlib.sha1(handle.read()).digest() == hashlib.sha1(data).digest()
    except (IOError, OSError):
        same = False
    if same:
        return _ensure_attributes(path, owner, group, mode, check_mode)
    if check_mode:
        return ["%s written" % path]
    uid, gid = _ids(owner, group)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchown(out.fileno(), uid, gid)
            os.fchmod(out.fileno(), _mode(mode))
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.rename(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return ["%s written" % path]


def remove_file(path, check_mode):
    """No file `path`."""
    if not os.path.lexists(path):
        return []
    if not check_mode:
        os.unlink(path)
    return ["%s removed" % path]


def ensure_line(path, prefix, line, owner, group, mode, check_mode):
    """The file `path` has `line` where its lines starting with `prefix` were (the last of them; the others go),
    or at its end; with line None, no line starts with prefix. A file is made (owner, group, mode) only to hold a
    line; when a line is set, the file gets that owner, group and mode, as ansible.builtin.lineinfile would."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (IOError, OSError):
        if line is None:
            return []
        lines = None
    kept = [text for text in (lines or []) if not text.startswith(prefix)]
    if line is None:
        wanted = kept
    else:
        positions = [index for index, text in enumerate(lines or []) if text.startswith(prefix)]
        at = (positions[-1] - (len(positions) - 1)) if positions else len(kept)
        wanted = kept[:at] + [line] + kept[at:]
    if lines is not None and wanted == lines:
        return [] if line is None else _ensure_attributes(path, owner, group, mode, check_mode)
    if line is None:
        # Only the lines go: the file keeps its owner and mode.
        status = os.stat(path)
        owner, group = pwd.getpwuid(status.st_uid).pw_name, grp.getgrgid(status.st_gid).gr_name
        mode = "%04o" % (status.st_mode & 0o7777)
    changes = ensure_file(path, "".join(text + "\n" for text in wanted), owner, group, mode, check_mode)
    return [change.replace(" written", " line %s" % ("removed" if line is None else "set")) for change in changes]
