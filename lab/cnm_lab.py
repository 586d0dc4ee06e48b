"""The offline lab: hosts kv, n1 and n2 (or more) as Docker-in-Docker nodes on this machine.

Images come from Debian's mirror with debootstrap and `docker import` (no registry); each
node runs sshd and the distribution's Docker engine as services under tini, so Ansible
reaches it over SSH and restarts its engine as on a real host; with --init systemd, systemd
is PID 1 and the services are its units, as on a real Debian host. See lab/README.md.

    cnm_lab.py images [--generation G|all] [--init tini|systemd]
    cnm_lab.py sandbox
    cnm_lab.py up [--generation G] [--init tini|systemd] [--lab NAME] [--docker-hosts N] [--kv-hosts 1|3]
    cnm_lab.py down [--lab NAME | --all]
    cnm_lab.py status [--lab NAME]
    cnm_lab.py inventory [--lab NAME]
"""

import argparse
import concurrent.futures
import contextlib
import fcntl
import hashlib
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import namedtuple
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent
REPO = LAB_DIR.parent
IMAGES_DIR = LAB_DIR / "images"
STATE_DIR = LAB_DIR / ".state"
SSH_KEY = STATE_DIR / "id_ed25519"
LOCK_DIR = Path("/run/lock") if Path("/run/lock").is_dir() else Path(tempfile.gettempdir())

APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
SANDBOX_IMAGE = "cnm-lab/sandbox:latest"
# roles/overlay_check's default image: every node has the sandbox under this name too.
CHECK_IMAGE = "busybox:latest"
RECIPE_LABEL = "cnm.lab.recipe"
LAB_LABEL = "cnm.lab"
NODE_LABEL = "cnm.lab.node"
GENERATION_LABEL = "cnm.lab.generation"
INIT_LABEL = "cnm.lab.init"
CHECKOUT_LABEL = "cnm.lab.checkout"

# debootstrap_script: the script of another suite when debootstrap has none for this one;
# apt_conf: written into the base image's /etc/apt/apt.conf.d, so every apt on the node has it.
Generation = namedtuple("Generation", "engine_version packages debootstrap_script apt_conf",
                        defaults=(None, None))
COMMON_PACKAGES = (
    "docker.io", "python3", "python3-docker", "python3-requests", "iproute2", "iputils-ping",
    "procps", "openssh-server", "tini", "curl", "ca-certificates", "sudo",
)
# Besides root, every node has this user with password-less sudo and the lab's SSH key: the way
# real hosts are reached (inventories/example: an SSH user and become).
SUDO_USER = "admin"
GENERATIONS = {
    # engine_version: what `docker version` of the inner engine reports (prefix).
    # consul's init script runs the agent through pipexec (only recommended by the package).
    "bullseye": Generation("20.10.5", COMMON_PACKAGES + ("consul", "pipexec")),
    "bookworm": Generation("20.10.24", COMMON_PACKAGES + ("etcd-server", "etcd-client")),
    "trixie": Generation("26.1.5", COMMON_PACKAGES + ("docker-cli",)),
    # debootstrap on bookworm has no forky script: sid's serves. The mirror is a snapshot whose
    # forky Release file is past its Valid-Until, which apt refuses unless told not to check.
    "forky": Generation("28.5", COMMON_PACKAGES + ("docker-cli",),
                        debootstrap_script="/usr/share/debootstrap/scripts/sid",
                        apt_conf='Acquire::Check-Valid-Until "false";\n'),
}
APT_CONF_FILE = "etc/apt/apt.conf.d/99cnm-lab"
DEFAULT_GENERATION = "bullseye"
# PID 1 of a node: tini with SysV init scripts (the default, the quickest to start), or
# systemd (node-systemd.Dockerfile on the tini image) for the paths real hosts take.
INITS = ("tini", "systemd")
DEFAULT_INIT = "tini"
SYSTEMD_PACKAGES = ("systemd", "systemd-sysv", "dbus")

# Hosts of a lab: name, last octet of its fixed address, inventory group. Docker hosts are n1..nN
# from .11 upwards, store hosts kv, kv2, kv3 from .10 downwards: either list grows without moving
# the other, and the default lab (kv .10, n1 .11, n2 .12) is the first of every size.
Node = namedtuple("Node", "name octet group")
DEFAULT_DOCKER_HOSTS = 2
MAX_DOCKER_HOSTS = 50
DEFAULT_KV_HOSTS = 1
# One store server, or three: the smallest cluster that keeps a leader when one is lost.
KV_HOST_COUNTS = (1, 3)


def check_sizes(docker_hosts, kv_hosts):
    """A lab's sizes, or LabError naming the flag and the values it takes."""
    if not isinstance(docker_hosts, int) or not 1 <= docker_hosts <= MAX_DOCKER_HOSTS:
        raise LabError("--docker-hosts %s: use a number of docker hosts from 1 to %d"
                       % (docker_hosts, MAX_DOCKER_HOSTS))
    if kv_hosts not in KV_HOST_COUNTS:
        raise LabError("--kv-hosts %s: use %s (store servers)" % (kv_hosts, " or ".join(map(str, KV_HOST_COUNTS))))


def lab_nodes(docker_hosts=DEFAULT_DOCKER_HOSTS, kv_hosts=DEFAULT_KV_HOSTS):
    """The nodes of a lab of these sizes: the store hosts first, then n1..nN."""
    check_sizes(docker_hosts, kv_hosts)
    store = tuple(Node("kv" if index == 1 else "kv%d" % index, 11 - index, "kv_store")
                  for index in range(1, kv_hosts + 1))
    return store + tuple(Node("n%d" % index, 10 + index, "docker_hosts") for index in range(1, docker_hosts + 1))


def wanted_sizes(docker_hosts, kv_hosts, recorded):
    """The sizes `up` makes: each flag given, else the lab's recorded size, else the default."""
    return (recorded.get("docker_hosts", DEFAULT_DOCKER_HOSTS) if docker_hosts is None else docker_hosts,
            recorded.get("kv_hosts", DEFAULT_KV_HOSTS) if kv_hosts is None else kv_hosts)


# The nodes of the default lab (and of any lab made without the size flags).
NODES = lab_nodes()
DEFAULT_LAB = "lab"
DEFAULT_SUBNET = "172.30.99.0/24"
# Other labs take 172.30.98.0/24, 172.30.97.0/24, ... (first free, recorded in the state).
EXTRA_SUBNETS = tuple("172.30.%d.0/24" % third for third in range(98, 0, -1))

# Capability numbers (linux/capability.h) to the names `docker run --cap-drop` takes.
CAPABILITY_NAMES = (
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
)

WAIT_SECONDS = 90


class LabError(Exception):
    """A failure with a message for the person at the terminal."""


def say(message):
    print("lab: %s" % message, file=sys.stderr, flush=True)


# --- the docker CLI ------------------------------------------------------------------------

def docker(*args, stdin=None, check=True):
    """Run the docker CLI; returns stdout. A failure raises LabError with docker's message."""
    proc = subprocess.run(("docker",) + args, input=stdin, capture_output=True, check=False,
                          text=not isinstance(stdin, bytes))
    if check and proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode(errors="replace")
        raise LabError("docker %s failed: %s" % (" ".join(args[:3]), err.strip()[-2000:]))
    return proc.stdout if proc.returncode == 0 else None


def inspect(kind, name, template):
    """One field of a docker object, or None when the object does not exist."""
    out = docker("inspect", "--type", kind, "--format", template, name, check=False)
    return out.strip() if out is not None else None


def node_exec(container, *command, stdin=None, check=True):
    return docker("exec", "-i", container, *command, stdin=stdin, check=check)


def run_script(script, *args):
    proc = subprocess.run(["bash", str(script)] + list(args), check=False)
    if proc.returncode != 0:
        raise LabError("%s failed (exit %d)" % (script.relative_to(REPO), proc.returncode))


@contextlib.contextmanager
def host_lock(purpose):
    """Serialise work on the shared engine between lab commands from any checkout."""
    with open(LOCK_DIR / ("cnm-lab-%s.lock" % purpose), "w", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def wait_until(what, probe, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.5)
    raise LabError("%s did not happen within %d s" % (what, seconds))


# --- images --------------------------------------------------------------------------------

def recipe_hash(*parts):
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def recipe_tag(image, recipe):
    """Every lab image is also tagged with its recipe: checkouts with other recipes share one
    engine, and each finds its own image by this tag instead of rebuilding over the other's
    (`cnm-lab/node:bullseye` names the image built last; labels cannot serve, they are inherited)."""
    return "%s-%s" % (image, recipe)


def image_with_recipe(image, recipe):
    """The id of the image built from this recipe, or None."""
    return inspect("image", recipe_tag(image, recipe), "{{ .Id }}")


def mirror_uri(sources=APT_SOURCES):
    """The Debian mirror apt on this machine uses (deb822 or one-line format)."""
    for path in sources:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split("#", 1)[0].split()
            if words[:1] == ["URIs:"]:
                uris = words[1:]
            elif words[:1] == ["deb"]:
                uris = [w for w in words[1:] if "://" in w][:1]
            else:
                continue
            for uri in uris:
                if uri.rstrip("/").endswith("/debian"):
                    return uri.rstrip("/")
    raise LabError("no Debian mirror (a URI ending in /debian) in %s" % ", ".join(map(str, sources)))


def base_image(generation):
    return "cnm-lab/base:%s" % generation


def node_image(generation, init=DEFAULT_INIT):
    return "cnm-lab/node:%s" % (generation if init == DEFAULT_INIT else "%s-%s" % (generation, init))


def debootstrap_command(generation, mirror, target):
    command = ["debootstrap", "--variant=minbase", "--components=main", generation, str(target), mirror]
    script = GENERATIONS[generation].debootstrap_script
    return command + [script] if script else command


def log_tail(path, lines=25):
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log at %s)" % path


def build_base(generation):
    """cnm-lab/base:<generation>: debootstrap minbase from the mirror, then docker import."""
    image = base_image(generation)
    mirror = mirror_uri()
    apt_conf = GENERATIONS[generation].apt_conf
    recipe = recipe_hash("base", " ".join(debootstrap_command(generation, mirror, "ROOT")),
                         *([apt_conf] if apt_conf else []))
    found = image_with_recipe(image, recipe)
    if found:
        return found
    if not shutil.which("debootstrap"):
        raise LabError("debootstrap is missing: apt-get install debootstrap")
    say("building %s with debootstrap from %s (about a minute)" % (image, mirror))
    workdir = Path(tempfile.mkdtemp(prefix="cnm-lab-%s-" % generation, dir="/var/tmp"))
    rootfs, log = workdir / "rootfs", workdir / "debootstrap.out"
    try:
        with open(log, "w", encoding="utf-8") as out:
            proc = subprocess.run(debootstrap_command(generation, mirror, rootfs), stdout=out,
                                  stderr=subprocess.STDOUT, check=False)
        if proc.returncode != 0:
            raise LabError("debootstrap %s failed (exit %d):\n%s\n--- debootstrap.log:\n%s" % (
                generation, proc.returncode, log_tail(log), log_tail(rootfs / "debootstrap" / "debootstrap.log")))
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (rootfs / leftover).glob("*"):
                if entry.is_file():
                    entry.unlink()
        if apt_conf:
            (rootfs / APT_CONF_FILE).write_text(apt_conf, encoding="utf-8")
        import_rootfs(rootfs, image, recipe)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    docker("tag", image, recipe_tag(image, recipe))
    return image_with_recipe(image, recipe)


def import_rootfs(rootfs, image, recipe):
    tar = subprocess.Popen(["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    try:
        proc = subprocess.run(["docker", "import", "--change", 'CMD ["/bin/bash"]',
                               "--change", "LABEL %s=%s" % (RECIPE_LABEL, recipe), "-", image],
                              stdin=tar.stdout, capture_output=True, text=True, check=False)
    finally:
        tar.stdout.close()
        tar.wait()
    if proc.returncode != 0 or tar.returncode != 0:
        raise LabError("importing %s failed: %s" % (image, proc.stderr.strip()))


def build_node(generation, base_id):
    """cnm-lab/node:<generation>: docker build of lab/images/node.Dockerfile on the base."""
    return build_on(node_image(generation), "node.Dockerfile", "BASE", base_id, GENERATIONS[generation].packages)


def build_node_systemd(generation, node_id):
    """cnm-lab/node:<generation>-systemd: lab/images/node-systemd.Dockerfile on the node image."""
    return build_on(node_image(generation, "systemd"), "node-systemd.Dockerfile", "NODE", node_id, SYSTEMD_PACKAGES)


def build_on(image, dockerfile_name, parent_arg, parent_id, packages):
    """docker build of a Dockerfile in lab/images on a parent image with packages, unless an
    image of the same recipe (Dockerfile, start script, packages, parent) exists."""
    dockerfile, init = IMAGES_DIR / dockerfile_name, IMAGES_DIR / "node-init.sh"
    packages = " ".join(packages)
    recipe = recipe_hash("node", dockerfile.read_text(encoding="utf-8"), init.read_text(encoding="utf-8"),
                         packages, parent_id)
    found = image_with_recipe(image, recipe)
    if found:
        return found
    say("building %s (packages from the mirror, about a minute)" % image)
    # The classic builder takes FROM a local image without asking a registry.
    env = dict(os.environ, DOCKER_BUILDKIT="0")
    proc = subprocess.run(["docker", "build", "--network", "host", "--force-rm", "-f", str(dockerfile),
                           "--build-arg", "%s=%s" % (parent_arg, parent_id), "--build-arg", "PACKAGES=" + packages,
                           "--label", "%s=%s" % (RECIPE_LABEL, recipe), "-t", image, "-t", recipe_tag(image, recipe), str(IMAGES_DIR)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise LabError("building %s failed:\n%s" % (image, tail))
    return image_with_recipe(image, recipe)


def ensure_images(generations, init=DEFAULT_INIT):
    """Build what is missing; returns the node image id of each generation (for that init)."""
    node_ids = {}
    for generation in generations:
        with host_lock("images-" + generation):
            node_ids[generation] = build_node(generation, build_base(generation))
            if init == "systemd":
                node_ids[generation] = build_node_systemd(generation, node_ids[generation])
    ensure_sandbox_image()
    return node_ids


def ensure_sandbox_image():
    """cnm-lab/sandbox:latest on this machine's engine (c1/c2 and the host-engine tests' containers)."""
    with host_lock("images-sandbox"):
        run_script(IMAGES_DIR / "sandbox.sh", SANDBOX_IMAGE)


# --- node flags ----------------------------------------------------------------------------

def bounding_capabilities(status_path="/proc/self/status"):
    with open(status_path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("CapBnd:"):
                return int(line.split()[1], 16)
    raise LabError("no CapBnd line in %s" % status_path)


def last_capability(path="/proc/sys/kernel/cap_last_cap"):
    with open(path, encoding="utf-8") as handle:
        return int(handle.read())


def privilege_flags(bounding, last_cap):
    """`docker run` flags for a node: --privileged when this machine allows it; otherwise
    every capability it has and what else privileged mode gives (node-init.sh remounts
    /sys and the cgroups read-write)."""
    missing = [bit for bit in range(last_cap + 1) if not bounding >> bit & 1]
    if not missing:
        return ["--privileged"]
    unknown = [bit for bit in missing if bit >= len(CAPABILITY_NAMES)]
    if unknown:
        raise LabError("capability bits %s are missing from the bounding set and have no known name" % unknown)
    flags = ["--cap-add", "ALL"]
    for bit in missing:
        flags += ["--cap-drop", CAPABILITY_NAMES[bit]]
    return flags + [
        "--security-opt", "seccomp=unconfined",
        "--security-opt", "apparmor=unconfined",
        "--security-opt", "systempaths=unconfined",  # no masked or read-only /proc paths
        "--device-cgroup-rule", "a *:* rwm",
    ]


# --- labs ----------------------------------------------------------------------------------

Lab = namedtuple("Lab", "name subnet nodes", defaults=(NODES,))
# What a node runs: generation and init.
Kind = namedtuple("Kind", "generation init")


def network_name(lab_name):
    return "cnm-%s" % lab_name


def container_name(lab_name, node):
    return "cnm-%s-%s" % (lab_name, node.name)


def volume_name(lab_name, node):
    return "cnm-%s-%s-docker" % (lab_name, node.name)


def node_address(lab, node):
    return str(ipaddress.ip_network(lab.subnet)[node.octet])


def state_file(lab_name):
    return STATE_DIR / lab_name / "lab.json"


def validate_lab_name(name):
    if not name or not all(c.isalnum() or c == "-" for c in name) or name[0] == "-" or len(name) > 30:
        raise LabError("lab name %r: use up to 30 letters, digits and '-', starting with a letter or digit" % name)


def subnets_in_use():
    names = docker("network", "ls", "--format", "{{ .Name }}").split()
    subnets = []
    for name in names:
        out = inspect("network", name, "{{ range .IPAM.Config }}{{ .Subnet }} {{ end }}") or ""
        subnets += [ipaddress.ip_network(s, strict=False) for s in out.split() if ":" not in s]
    return subnets


def pick_subnet(lab_name, used, recorded=None):
    """The default lab's subnet is fixed; another lab keeps its recorded subnet if still free,
    else takes the first free one counting down from 172.30.98.0/24."""
    if lab_name == DEFAULT_LAB:
        return DEFAULT_SUBNET
    candidates = ([recorded] if recorded else []) + list(EXTRA_SUBNETS)
    for candidate in candidates:
        net = ipaddress.ip_network(candidate)
        if not any(net.overlaps(other) for other in used):
            return candidate
    raise LabError("no free /24 left in 172.30.1.0-172.30.98.255 for lab %s" % lab_name)


def recorded_state(lab_name):
    try:
        return json.loads(state_file(lab_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_state(lab, kind):
    path = state_file(lab.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"name": lab.name, "subnet": lab.subnet, "generation": kind.generation, "init": kind.init,
             "network": network_name(lab.name),
             "docker_hosts": len(docker_hosts(lab.nodes)), "kv_hosts": len(lab.nodes) - len(docker_hosts(lab.nodes)),
             "hosts": {node.name: node_address(lab, node) for node in lab.nodes}}
    path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def lab_labels(lab_name):
    return ["--label", "%s=%s" % (LAB_LABEL, lab_name), "--label", "%s=%s" % (CHECKOUT_LABEL, REPO)]


def recorded_nodes(lab_name):
    """The nodes of a lab as its state records them (the default lab's when it records none)."""
    return lab_nodes(*wanted_sizes(None, None, recorded_state(lab_name)))


def ensure_network(lab_name, nodes):
    """The lab's underlay network; its subnet is the lab's record."""
    network = network_name(lab_name)
    with host_lock("network"):
        existing = inspect("network", network, "{{ range .IPAM.Config }}{{ .Subnet }}{{ end }}")
        if existing:
            return Lab(lab_name, existing, nodes)
        subnet = pick_subnet(lab_name, subnets_in_use(), recorded_state(lab_name).get("subnet"))
        docker("network", "create", "--driver", "bridge", "--subnet", subnet, *lab_labels(lab_name), network)
        return Lab(lab_name, subnet, nodes)


def lab_host_lines(lab):
    """/etc/hosts lines of every node of the lab, in the lab's order."""
    return ["%s\t%s" % (node_address(lab, node), node.name) for node in lab.nodes]


def etc_hosts_with(text, lab_lines, lab_names=re.compile(r"^(kv[0-9]*|n[0-9]+)$")):
    """A node's /etc/hosts naming exactly the lab's hosts: lines that name only lab-like hosts and are
    not the lab's are dropped (a node of a bigger size before), the lab's missing lines appended."""
    wanted = {tuple(line.split()) for line in lab_lines}
    kept, present = [], set()
    for line in text.splitlines():
        fields = tuple(line.split("#", 1)[0].split())
        if len(fields) > 1 and all(lab_names.match(name) for name in fields[1:]) and fields not in wanted:
            continue
        kept.append(line)
        present.add(fields)
    kept += [line for line in lab_lines if tuple(line.split()) not in present]
    return "\n".join(kept) + "\n"


def ensure_etc_hosts(lab, node):
    """The lab's names, and only those, in the /etc/hosts of a node that may have been made when the
    lab had another size (`--add-host` names the lab of that time; docker writes the file only when
    it makes the node). Written in place: it is a bind mount."""
    container = container_name(lab.name, node)
    text = node_exec(container, "cat", "/etc/hosts")
    new_text = etc_hosts_with(text, lab_host_lines(lab))
    if new_text != text:
        node_exec(container, "sh", "-c", "cat > /etc/hosts", stdin=new_text)


def remove_other_nodes(lab):
    """Remove the nodes a lab had at a bigger size (containers and volumes)."""
    names = {node.name for node in lab.nodes}
    found = labelled("container", "%s=%s" % (LAB_LABEL, lab.name), '{{ .Label "%s" }}' % NODE_LABEL)
    for name in sorted(set(found) - names):
        say("removing %s (not in a lab of this size)" % container_name(lab.name, Node(name, None, None)))
        remove_node(lab.name, Node(name, None, None))


def node_run_command(lab, node, kind, image_id, flags):
    # systemd wants /run and /run/lock as tmpfs, as they are on a booted host.
    init_flags = ["--tmpfs", "/run", "--tmpfs", "/run/lock"] if kind.init == "systemd" else []
    # The lab's names are in every node's /etc/hosts as well as in the host engine's DNS: a
    # node's engine looks the cluster store up on every store write, and under load the host
    # engine's embedded resolver has refused queries (CI: "lookup kv on 127.0.0.11:53 ...
    # connection refused"), which failed a connect that had nothing to do with names.
    host_flags = [flag for peer in lab.nodes
                  for flag in ("--add-host", "%s:%s" % (peer.name, node_address(lab, peer)))]
    return [
        "run", "--detach", "--name", container_name(lab.name, node), "--hostname", node.name,
        "--network", network_name(lab.name), "--ip", node_address(lab, node), "--network-alias", node.name,
        *host_flags, "--volume", "%s:/var/lib/docker" % volume_name(lab.name, node),
        "--label", "%s=%s" % (NODE_LABEL, node.name), "--label", "%s=%s" % (GENERATION_LABEL, kind.generation),
        "--label", "%s=%s" % (INIT_LABEL, kind.init), *init_flags, *lab_labels(lab.name), *flags, image_id,
    ]


def remove_node(lab_name, node):
    docker("rm", "--force", container_name(lab_name, node), check=False)
    docker("volume", "rm", volume_name(lab_name, node), check=False)


def ensure_node(lab, node, kind, wanted_image, flags):
    """A running node container of this generation's current image.

    A stopped node is made again rather than started: it stopped without shutting down
    (its engine killed with the machine's), and what it left in /run (containerd's pid file)
    keeps its engine from starting again."""
    container = container_name(lab.name, node)
    current = inspect("container", container, "{{ .Image }} {{ .State.Running }}")
    if current == "%s true" % wanted_image:
        return False
    if current:
        reason = "stopped" if current.split()[0] == wanted_image else "other image, generation or init"
        say("replacing %s (%s)" % (container, reason))
    remove_node(lab.name, node)
    docker("volume", "create", *lab_labels(lab.name), volume_name(lab.name, node))
    docker(*node_run_command(lab, node, kind, wanted_image, flags))
    return True


def ensure_ssh_key():
    with host_lock("ssh-key"):
        return _ensure_ssh_key()


def _ensure_ssh_key():
    if not SSH_KEY.exists():
        SSH_KEY.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cnm-lab", "-f", str(SSH_KEY)],
                       check=True)
    return SSH_KEY.with_suffix(".pub").read_text(encoding="utf-8")


def install_ssh_key(container, public_key):
    """The lab's key for root and for SUDO_USER."""
    node_exec(container, "sh", "-c", 'umask 077 && for home in /root "/home/$1"; do mkdir -p "$home/.ssh"'
              ' && printf %s "$2" > "$home/.ssh/authorized_keys" || exit 1; done && chown -R "$1:$1" "/home/$1/.ssh"',
              "sh", SUDO_USER, public_key)


def ssh_answers(address):
    try:
        with socket.create_connection((address, 22), timeout=2) as conn:
            return conn.recv(8).startswith(b"SSH-")
    except OSError:
        return False


def engine_version(container):
    out = node_exec(container, "docker", "version", "--format", "{{ .Server.Version }}", check=False)
    return out.strip() if out else None


# Exit 3 when the node's engine lacks the sandbox image $1 (by id); else tag it as the overlay check's
# default image, as on a host that pulled it (the lab has no registry).
TAG_SANDBOX_IF_PRESENT = ('[ "$(docker image inspect --format "{{ .Id }}" "$2" 2>/dev/null)" = "$1" ] || exit 3;'
                          ' docker tag "$2" "$3"')


def load_sandbox(container):
    """Load the sandbox image into a node's engine unless the same image is there (one docker exec
    when it is, two when it is not: node starts wait on them)."""
    wanted = inspect("image", SANDBOX_IMAGE, "{{ .Id }}")
    if node_exec(container, "sh", "-c", TAG_SANDBOX_IF_PRESENT, "sh", wanted, SANDBOX_IMAGE, CHECK_IMAGE,
                 check=False) is None:
        node_exec(container, "sh", "-c", 'docker load --quiet >/dev/null && docker tag "$1" "$2"', "sh",
                  SANDBOX_IMAGE, CHECK_IMAGE, stdin=docker_save(SANDBOX_IMAGE, wanted))


# `docker save` of an image id, made once for all the nodes that load it.
_SAVED = {}
_SAVED_LOCK = threading.Lock()


def docker_save(image, image_id):
    with _SAVED_LOCK:
        if image_id not in _SAVED:
            _SAVED[image_id] = subprocess.run(["docker", "save", image], capture_output=True, check=True).stdout
        return _SAVED[image_id]


def docker_hosts(nodes=NODES):
    return [node for node in nodes if node.group == "docker_hosts"]


def up(lab_name, kind, fresh=False, docker_hosts_count=None, kv_hosts_count=None):
    """Bring a lab up at the sizes given, else at its recorded sizes (with fresh: the defaults)."""
    validate_lab_name(lab_name)
    nodes = lab_nodes(*wanted_sizes(docker_hosts_count, kv_hosts_count, {} if fresh else recorded_state(lab_name)))
    run_script(LAB_DIR / "engine.sh")
    if fresh:
        down(lab_name)
    image_id = ensure_images([kind.generation], kind.init)[kind.generation]
    public_key = ensure_ssh_key()
    flags = privilege_flags(bounding_capabilities(), last_capability())
    lab = ensure_network(lab_name, nodes)
    remove_other_nodes(lab)
    in_parallel(lambda node: bring_up_node(lab, node, kind, image_id, flags, public_key), lab.nodes)
    record_state(lab, kind)
    inventory = write_inventory(lab, kind)
    print_summary(lab, kind, inventory)


def in_parallel(work, nodes):
    """work(node) for every node at once (the nodes boot side by side); every node's failure is reported."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        futures = {node.name: pool.submit(work, node) for node in nodes}
    failures = []
    for name, future in futures.items():
        error = future.exception()
        if isinstance(error, LabError):
            failures.append("%s: %s" % (name, error))
        elif error is not None:
            raise error
    if failures:
        raise LabError("\n".join(failures))


def bring_up_node(lab, node, kind, image_id, flags, public_key):
    """One node running, reachable over SSH with the lab's key and naming the whole lab; a docker host's
    engine answering with the sandbox image loaded."""
    container = container_name(lab.name, node)
    if ensure_node(lab, node, kind, image_id, flags):
        say("started %s" % container)
    else:
        ensure_etc_hosts(lab, node)
    install_ssh_key(container, public_key)
    address = node_address(lab, node)
    wait_until("sshd answering on %s (%s)" % (node.name, address), lambda: ssh_answers(address))
    if node.group == "docker_hosts":
        wait_until_engine(container)
        load_sandbox(container)


def wait_until_engine(container):
    try:
        wait_until("the Docker engine in %s answering" % container, lambda: engine_version(container))
    except LabError as exc:
        # The init script logs to /var/log/docker.log; under systemd the journal has it.
        log = node_exec(container, "sh", "-c", "tail -n 20 /var/log/docker.log 2>/dev/null"
                        " || journalctl -u docker -n 20 --no-pager", check=False) or ""
        raise LabError("%s; the engine's last log lines:\n%s" % (exc, log)) from exc


def print_summary(lab, kind, inventory):
    print("lab %s (%s, %s) on %s, network %s:" % (lab.name, kind.generation, kind.init, lab.subnet,
                                                  network_name(lab.name)))
    for node in lab.nodes:
        print("  %-4s %-15s %-13s container %s" % (node.name, node_address(lab, node), node.group,
                                                   container_name(lab.name, node)))
    print("inventory: %s" % inventory)
    print("try: ansible -i %s all -m ansible.builtin.ping" % inventory)


# --- inventory -----------------------------------------------------------------------------

def inventory_path(lab_name):
    return STATE_DIR / lab_name / "hosts.yml"


def inventory_text(lab, kind):
    """hosts.yml of a lab, the shape of inventories/lab/hosts.yml."""
    heading = "# Lab %s (%s, %s), written by lab/cnm_lab.py up; removed by down." % (lab.name, kind.generation, kind.init)
    lines = ["---", heading, "all:", "  children:"]
    for group in ("kv_store", "docker_hosts"):
        lines += ["    %s:" % group, "      hosts:"]
        for node in lab.nodes:
            if node.group == group:
                lines += ["        %s:" % node.name, "          ansible_host: %s" % node_address(lab, node)]
    return "\n".join(lines) + "\n"


def group_vars_text(lab, kind):
    return "\n".join([
        "---",
        "ansible_user: root",
        'ansible_ssh_private_key_file: "{{ inventory_dir }}/../id_ed25519"',
        "ansible_python_interpreter: /usr/bin/python3",
        "cnm_lab_name: %s" % lab.name,
        "cnm_lab_generation: %s" % kind.generation,
        "cnm_lab_init: %s" % kind.init,
    ]) + "\n"


def write_inventory(lab, kind):
    path = inventory_path(lab.name)
    (path.parent / "group_vars").mkdir(parents=True, exist_ok=True)
    path.write_text(inventory_text(lab, kind), encoding="utf-8")
    (path.parent / "group_vars" / "all.yml").write_text(group_vars_text(lab, kind), encoding="utf-8")
    return path


# --- down and status -----------------------------------------------------------------------

LIST_COMMANDS = {"container": ("ps", "--all"), "network": ("network", "ls"), "volume": ("volume", "ls")}


def labelled(kind, label_filter, field=None):
    """A field (default: the name) of each container, network or volume whose labels match
    `key=value`."""
    fmt = field or ("{{ .Names }}" if kind == "container" else "{{ .Name }}")
    return docker(*LIST_COMMANDS[kind], "--filter", "label=" + label_filter, "--format", fmt).split()


def down(lab_name):
    """Remove every container, volume and network of one lab, then check none is left."""
    label = "%s=%s" % (LAB_LABEL, lab_name)
    nodes = recorded_nodes(lab_name)
    containers = set(labelled("container", label)) | {container_name(lab_name, n) for n in nodes}
    volumes = set(labelled("volume", label)) | {volume_name(lab_name, n) for n in nodes}
    networks = set(labelled("network", label)) | {network_name(lab_name)}
    present = [c for c in containers if inspect("container", c, "{{ .Id }}")]
    if present:
        docker("rm", "--force", "--volumes", *present)
    for volume in volumes:
        docker("volume", "rm", "--force", volume, check=False)
    for network in networks:
        if inspect("network", network, "{{ .Id }}"):
            docker("network", "rm", network)
    left = [("container", c) for c in containers] + [("volume", v) for v in volumes] + [("network", n) for n in networks]
    left = [(kind, name) for kind, name in left if inspect(kind, name, "{{ .Name }}")]
    if left:
        raise LabError("down left behind: %s" % ", ".join("%s %s" % item for item in left))
    shutil.rmtree(STATE_DIR / lab_name, ignore_errors=True)
    say("lab %s is down (%d containers, %d volumes, %d networks removed)" % (
        lab_name, len(present), len(volumes), len(networks)))


def labs_of_this_checkout():
    names = set()
    for kind in LIST_COMMANDS:
        names.update(labelled(kind, "%s=%s" % (CHECKOUT_LABEL, REPO), '{{ .Label "%s" }}' % LAB_LABEL))
    return sorted(names)


def status(lab_name):
    containers = labelled("container", "%s=%s" % (LAB_LABEL, lab_name))
    if not containers:
        print("lab %s: not up" % lab_name)
        return
    state = recorded_state(lab_name)
    print("lab %s (%s, %s) on %s, %s docker hosts, %s store hosts:" % (
        lab_name, state.get("generation", "?"), state.get("init", DEFAULT_INIT), state.get("subnet", "?"),
        state.get("docker_hosts", "?"), state.get("kv_hosts", "?")))
    # In the lab's order (kv, n1, n2, ..., n10), then any container it does not name.
    order = [container_name(lab_name, node) for node in recorded_nodes(lab_name)]
    for container in sorted(containers, key=lambda c: (order.index(c) if c in order else len(order), c)):
        running = inspect("container", container, "{{ .State.Status }}")
        address = inspect("container", container, "{{ range .NetworkSettings.Networks }}{{ .IPAddress }}{{ end }}")
        engine = engine_version(container) if running == "running" else None
        print("  %-16s %-8s %-15s engine %s" % (container, running, address, engine or "-"))
    print("inventory: %s" % inventory_path(lab_name))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    images = commands.add_parser("images", help="build the lab images (cached by recipe)")
    images.add_argument("--generation", choices=sorted(GENERATIONS) + ["all"], default=DEFAULT_GENERATION)
    images.add_argument("--init", choices=INITS, default=DEFAULT_INIT)
    commands.add_parser("sandbox", help="build the sandbox image %s (cached)" % SANDBOX_IMAGE)
    start = commands.add_parser("up", help="bring a lab up (idempotent)")
    start.add_argument("--generation", choices=sorted(GENERATIONS), default=DEFAULT_GENERATION)
    start.add_argument("--init", choices=INITS, default=DEFAULT_INIT,
                       help="PID 1 of the nodes: tini with init scripts, or systemd as on a real host")
    start.add_argument("--lab", default=DEFAULT_LAB)
    start.add_argument("--docker-hosts", type=int, metavar="N",
                       help="docker hosts n1..nN, 1 to %d (default: the lab's recorded size, else %d)"
                       % (MAX_DOCKER_HOSTS, DEFAULT_DOCKER_HOSTS))
    start.add_argument("--kv-hosts", type=int, metavar="1|3",
                       help="store hosts kv (1) or kv, kv2, kv3 (3) (default: the lab's recorded size, else %d)"
                       % DEFAULT_KV_HOSTS)
    start.add_argument("--fresh", action="store_true",
                       help="take down what is left of the lab first (a test's lab starts clean, at the "
                       "sizes given or the defaults)")
    stop = commands.add_parser("down", help="remove a lab: containers, volumes, network")
    which = stop.add_mutually_exclusive_group()
    which.add_argument("--lab", default=DEFAULT_LAB)
    which.add_argument("--all", action="store_true", help="every lab made from this checkout")
    for name, text in (("status", "show a lab's nodes"), ("inventory", "print a lab's inventory path")):
        commands.add_parser(name, help=text).add_argument("--lab", default=DEFAULT_LAB)
    args = parser.parse_args(argv)

    try:
        if args.command == "images":
            ensure_images(sorted(GENERATIONS) if args.generation == "all" else [args.generation], args.init)
        elif args.command == "sandbox":
            ensure_sandbox_image()
        elif args.command == "up":
            up(args.lab, Kind(args.generation, args.init), fresh=args.fresh,
               docker_hosts_count=args.docker_hosts, kv_hosts_count=args.kv_hosts)
        elif args.command == "down":
            for lab_name in (labs_of_this_checkout() if args.all else [args.lab]):
                down(lab_name)
        elif args.command == "status":
            status(args.lab)
        else:
            print(inventory_path(args.lab))
    except LabError as exc:
        say("error: %s" % exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
