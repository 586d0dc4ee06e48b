"""Ways to run the collection's modules and playbooks from tests, as Ansible would.

Imported by tests/conftest.py (fixtures) and by test files that need the functions
directly: `from cnm_test_runner import run_module`."""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS_ROOT = REPO / ".build"
MODULES = REPO / "plugins" / "modules"

# Unit tests import module_utils as the collection does.
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))


def _module_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COLLECTIONS_ROOT), env.get("PYTHONPATH")]))
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    return env


def run_module(name, args=None, check=False, diff=False):
    """Run one module of this collection directly, as Ansible would on the target.

    Returns the module's JSON result; `failed` is true when the module failed."""
    payload = dict(args or {})
    payload["_ansible_check_mode"] = check
    payload["_ansible_diff"] = diff
    payload.setdefault("_ansible_remote_tmp", tempfile.gettempdir())
    proc = subprocess.run(
        [sys.executable, str(MODULES / (name + ".py"))],
        input=json.dumps({"ANSIBLE_MODULE_ARGS": payload}),
        capture_output=True, text=True, env=_module_env(), timeout=300, check=False,
    )
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("module %s printed no JSON (rc=%s)\nstdout:%s\nstderr:%s"
                             % (name, proc.returncode, proc.stdout, proc.stderr))
    result.setdefault("failed", proc.returncode != 0)
    return result


def run_playbook(playbook_yaml, inventory="localhost,", extra_args=(), check=False):
    """Run a playbook text with ansible-playbook; returns CompletedProcess (stdout has the log)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=str(REPO / ".build"), delete=False) as handle:
        handle.write(playbook_yaml)
        path = handle.name
    try:
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", inventory, path]
        if check:
            cmd.append("--check")
        cmd.extend(extra_args)
        env = _module_env()
        env.setdefault("ANSIBLE_NOCOLOR", "1")
        started, cpu_before = time.monotonic(), _children_cpu()
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, cwd=str(REPO), check=False)
        _record_time(time.monotonic() - started, _children_cpu() - cpu_before, result.returncode)
        _keep_log(cmd, playbook_yaml, result)
        return result
    finally:
        os.unlink(path)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _record_time(seconds, cpu, returncode):
    """With CNM_TEST_TIMES set (the integration conftest sets it), each playbook run's test, wall time and
    controller CPU (ansible-playbook and its ssh children) go to that file as a JSON line, for the summary."""
    path = os.environ.get("CNM_TEST_TIMES")
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    line = json.dumps({"test": test, "seconds": round(seconds, 2), "cpu": round(cpu, 2), "rc": returncode})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _keep_log(cmd, playbook_yaml, result):
    """With CNM_TEST_LOG_DIR set, each run's command, playbook and log go to a file there, to read after a failure."""
    log_dir = os.environ.get("CNM_TEST_LOG_DIR")
    if not log_dir:
        return
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", prefix="run-%d-" % result.returncode, suffix=".log", dir=log_dir,
                                     delete=False) as handle:
        handle.write("%s\n%s\n%s\n%s" % (" ".join(cmd), playbook_yaml, result.stdout, result.stderr))


def openssl(*args, cwd):
    """Run openssl in directory cwd; raises when it fails."""
    subprocess.run(["openssl", *args], cwd=str(cwd), check=True, capture_output=True)


RSA_KEY = ("-newkey", "rsa:2048")


def make_pki(directory, hosts, key=RSA_KEY, extensions=None, ca_name="cnmt-ca"):
    """In directory: a CA (ca.pem, ca-key.pem) and, for each host, HOST.pem and its unencrypted HOST-key.pem,
    signed by that CA, valid for 2 days. key: openssl's -newkey arguments; extensions: host -> the text of
    its certificate's extension file; ca_name: the CA's common name."""
    openssl("req", "-x509", *key, "-nodes", "-days", "2", "-subj", "/CN=%s" % ca_name, "-keyout", "ca-key.pem",
            "-out", "ca.pem", cwd=directory)
    for host in hosts:
        openssl("req", *key, "-nodes", "-subj", "/CN=%s" % host, "-keyout", "%s-key.pem" % host,
                "-out", "%s.csr" % host, cwd=directory)
        extfile = None
        if extensions and host in extensions:
            (Path(directory) / ("%s.ext" % host)).write_text(extensions[host], encoding="utf-8")
            extfile = "%s.ext" % host
        sign(directory, host, "%s.pem" % host, extfile=extfile)


def sign(directory, host, out, days=2, extfile=None):
    """Sign HOST.csr with the CA of make_pki in directory into `out`, valid for `days` (negative: expired
    already), with the extensions of the file `extfile`."""
    openssl("x509", "-req", "-in", "%s.csr" % host, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-days", str(days), *(["-extfile", extfile] if extfile else []), "-out", out, cwd=directory)


def wait_for(what, probe, seconds=60):
    """Poll `probe` until it returns true; fail the test naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.5)
    pytest.fail("timed out waiting for %s" % what)


def preflight_table(proc):
    """{host: {check: cell}} and {(host, check): reason} from the printed preflight table."""
    lines = [line.strip() for line in proc.stdout.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Preflight (control plane"))
    header = [cell.strip() for cell in lines[start + 1].split("|")]
    cells, notes = {}, {}
    for line in lines[start + 3:]:
        if re.match(r"^n\d+\s+\|", line):
            row = [cell.strip() for cell in line.split("|")]
            cells[row[0]] = dict(zip(header[1:], row[1:]))
        elif re.match(r"^\[\d+\] ", line):
            match = re.match(r"^\[\d+\] (\S+) (\S+): (.*)$", line)
            notes[(match.group(1), match.group(2))] = match.group(3)
        else:
            break
    return cells, notes


ROW = "%-34s %8.0f %6d %6d %9.0f %8.0f"


def machine_busy_seconds():
    """CPU seconds the whole machine (every core, labs and engines too) has been busy since boot, from /proc/stat."""
    with open("/proc/stat", encoding="utf-8") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def module_time_table(durations, runs):
    """The integration stage's time per test module, longest first, as printable lines.

    durations: (node ID, seconds) for each test phase report; runs: the JSON lines of _record_time.
    Columns: the module's time on its worker, its tests, its playbook runs, their wall time and their
    controller CPU. The modules' times are what MODULE_SECONDS in tests/integration/conftest.py records."""
    rows = {}

    def row(node_id):
        module = node_id.split("::", 1)[0].rsplit("/", 1)[-1]
        module = module[:-len(".py")] if module.endswith(".py") else module
        return rows.setdefault(module, {"seconds": 0.0, "tests": set(), "runs": 0, "run_seconds": 0.0, "cpu": 0.0})

    for node_id, seconds in durations:
        entry = row(node_id)
        entry["seconds"] += seconds
        entry["tests"].add(node_id)
    for run in runs:
        entry = row(run["test"] or "unknown")
        entry["runs"] += 1
        entry["run_seconds"] += run["seconds"]
        entry["cpu"] += run["cpu"]
    lines = ["%-34s %8s %6s %6s %9s %8s" % ("module", "seconds", "tests", "runs", "run secs", "run cpu")]
    total = {"seconds": 0.0, "tests": 0, "runs": 0, "run_seconds": 0.0, "cpu": 0.0}
    for module, entry in sorted(rows.items(), key=lambda item: -item[1]["seconds"]):
        lines.append(ROW % (module, entry["seconds"], len(entry["tests"]), entry["runs"], entry["run_seconds"], entry["cpu"]))
        for key in ("seconds", "runs", "run_seconds", "cpu"):
            total[key] += entry[key]
        total["tests"] += len(entry["tests"])
    lines.append(ROW % ("total", total["seconds"], total["tests"], total["runs"], total["run_seconds"], total["cpu"]))
    return lines
