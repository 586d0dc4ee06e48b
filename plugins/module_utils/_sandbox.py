# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overlay_check role's sandbox on one host, in one module run: clear what an earlier run left, start the
container on the network, wait for its address (module overlay_check_sandbox)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import DockerError, NotFound, quote_path
from ansible_collections.cnm.overlay.plugins.module_utils._network import network_info

# The one start error that is tried again (moby/moby#39036): right after a container went away, an engine with a
# cluster store can dial the store from a leaked namespace. That start's rollback misses the store too, and its
# endpoint keeps the name, so each try first removes the container and force-removes the endpoint of its name.
TRANSIENT = "connect: network is unreachable"
START_TRIES = 4
RETRY_DELAY = 2
SLEEP_FOREVER = ["sleep", "2147483647"]
LABEL_NETWORK = "cnm.overlay.check.network"
LABEL_PREFIX = "cnm.overlay.check.prefix"


def sandbox_plan(name, container, network):
    """What must go before the sandbox `name` starts on this host.

    container: the host's container of that name (its inspect, None when absent); network: the network as this
    host's engine inspects it (None when the host does not see it yet). Returns remove_container: the container
    is there but not running on the network as it is now (a failed start left it `Created`, it stopped, or its
    network was made anew): it is made again; remove_endpoint: the network lists an endpoint of this name and no
    container of the name stays (an earlier sandbox of this host whose removal did not reach the cluster store):
    it would hold the name, and the start would fail with "endpoint with name ... already exists"."""
    if not network:
        # Not seen yet (a swarm worker sees an attachable overlay once a container uses it): a start by name.
        return dict(remove_container=bool(container), remove_endpoint=False)
    endpoints = network.get("Containers") or {}
    container_id = (container or {}).get("Id")
    running = bool(((container or {}).get("State") or {}).get("Running"))
    stays = bool(container_id) and running and container_id in endpoints
    named = any((endpoint or {}).get("Name") == name for endpoint in endpoints.values())
    return dict(remove_container=bool(container) and not stays, remove_endpoint=named and not stays)


def create_body(network, image, keep, prefix):
    """The container create request of the sandbox: what `docker run -d --init --network NETWORK` sends. The
    network goes by name, so that a swarm worker attaches an overlay it does not list yet."""
    return {
        "Image": image,
        "Cmd": list(SLEEP_FOREVER),
        # So that a later run finds its kept sandboxes on hosts that no longer get one (overlay_check's main.yml).
        "Labels": {LABEL_NETWORK: network, LABEL_PREFIX: prefix},
        "HostConfig": {"Init": True, "NetworkMode": network,
                       "RestartPolicy": {"Name": "unless-stopped" if keep else "no"}},
        "NetworkingConfig": {"EndpointsConfig": {network: {}}},
    }


def network_address(container, network):
    """The container's IPv4 address on the network, "" while it has none."""
    networks = ((container or {}).get("NetworkSettings") or {}).get("Networks") or {}
    return (networks.get(network) or {}).get("IPAddress") or ""


def state_text(container):
    state = (container or {}).get("State") or {}
    return "%s (exit code %s)" % (state.get("Status", "absent"), state.get("ExitCode", "-"))


def split_image(image):
    """(repository, tag) of an image reference, as the Engine API's pull takes them."""
    name, _sep, digest = image.partition("@")
    if digest:
        return name, digest
    repository, colon, tag = name.rpartition(":")
    if colon and "/" not in tag:
        return repository, tag
    return name, "latest"


class SandboxFailed(Exception):
    pass


class Sandbox(object):
    """The sandbox `name` on `network`; client: the host's DockerClient."""

    def __init__(self, client, name, network, image, keep, prefix, wait_timeout, sleep=time.sleep):
        self.client = client
        self.name = name
        self.network = network
        self.image = image
        self.keep = keep
        self.prefix = prefix
        self.wait_timeout = wait_timeout
        self.sleep = sleep
        self.actions = []

        self.removed = False

    def _inspect(self, name):
        try:
            return self.client.get("/containers/%s/json" % quote_path(name))
        except NotFound:
            return None

    def _network(self):
        """The network as `docker network inspect NAME` shows it here; None while this host does not see it."""
        networks, _exists = network_info(self.client, [self.network])
        return networks[0] if networks else None

    def ensure(self, check_mode=False):
        """Start the sandbox unless it runs on the network already. Returns the result's fields; raises
        SandboxFailed with the daemon's words once what a failed start left is removed."""
        container = self._inspect(self.name)
        network = self._network()
        plan = sandbox_plan(self.name, container, network)
        if container and not plan["remove_container"]:
            container = self._wait_for_address(container)
            return self._result(container, started=False)
        if check_mode:
            self.actions.append("start %s on %s" % (self.name, self.network))
            return dict(name=self.name, address="", pid=0, status="", actions=self.actions, started=False)
        if plan["remove_container"]:
            self._remove_container("remove the sandbox that is not running on the network")
        if plan["remove_endpoint"]:
            self._remove_endpoint("force-remove the stale endpoint of the name")
        container = self._start()
        return self._result(self._wait_for_address(container), started=True)

    def _result(self, container, started):
        address = network_address(container, self.network)
        if not address:
            self._clear()
            raise SandboxFailed("it has no address on %s after %s s (state %s)"
                                % (self.network, self.wait_timeout, state_text(container)))
        return dict(name=self.name, address=address, pid=container["State"]["Pid"], status=state_text(container),
                    actions=self.actions, started=started)

    def _start(self):
        for attempt in range(1, START_TRIES + 1):
            try:
                return self._create_and_start()
            except DockerError as exc:
                self._clear()
                if TRANSIENT not in exc.message or attempt == START_TRIES:
                    raise SandboxFailed(exc.message)
                self.actions.append("start failed with %r: tried again" % TRANSIENT)
                self.sleep(RETRY_DELAY)
        raise SandboxFailed("no start was tried")  # not reached: the loop returns or raises

    def _create_and_start(self):
        body = create_body(self.network, self.image, self.keep, self.prefix)
        params = {"name": self.name}
        try:
            created = self.client.post("/containers/create", body=body, params=params)
        except NotFound:
            self._pull()
            created = self.client.post("/containers/create", body=body, params=params)
        self.actions.append("start %s on %s" % (self.name, self.network))
        self.client.post("/containers/%s/start" % quote_path(created["Id"]))
        return self._inspect(created["Id"])

    def _pull(self):
        repository, tag = split_image(self.image)
        self.actions.append("pull %s" % self.image)
        answer = self.client.post("/images/create", params={"fromImage": repository, "tag": tag}) or ""
        for line in (answer if isinstance(answer, str) else json.dumps(answer)).splitlines():
            try:
                error = json.loads(line).get("error")
            except (ValueError, AttributeError):
                continue
            if error:
                raise DockerError("pull of %s: %s" % (self.image, error))

    def _wait_for_address(self, container):
        """An engine under load has answered a start with no address on the network yet (CI saw "ping: bad
        address ''"): read the container again until it has one, has stopped, or wait_timeout is over."""
        for _second in range(self.wait_timeout):
            if not container or network_address(container, self.network) or not (container.get("State") or {}).get("Running"):
                break
            self.sleep(1)
            container = self._inspect(self.name)
        return container

    def _clear(self):
        """Remove the sandbox and the endpoint of its name, whatever is left of them (nothing is fine)."""
        self._remove_container("remove the sandbox whose start failed", quiet=True)
        self._remove_endpoint("force-remove the endpoint the failed start left", quiet=True)

    def _remove_container(self, why, quiet=False):
        try:
            self.client.delete("/containers/%s" % quote_path(self.name), params={"force": True})
            self.actions.append(why)
            self.removed = True
        except NotFound:
            pass
        except DockerError:
            if not quiet:
                raise

    def _remove_endpoint(self, why, quiet=False):
        try:
            self.client.post("/networks/%s/disconnect" % quote_path(self.network),
                             body={"Container": self.name, "Force": True})
            self.actions.append(why)
            self.removed = True
        except NotFound:
            pass  # the network is not seen here: nothing holds the name on this engine
        except DockerError:
            if not quiet:
                raise
