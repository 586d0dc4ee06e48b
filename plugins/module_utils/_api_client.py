# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Docker Engine API client of cnm.overlay (private to this collection).

It speaks HTTP over the daemon's unix socket or TCP (optionally TLS) with the standard
library only, so managed hosts need no Docker SDK and a module run costs one import-light
process. Every failure becomes a DockerError with a message an operator can act on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import socket
import ssl

try:
    from http.client import HTTPConnection, HTTPSConnection, HTTPException
    from urllib.parse import quote, urlencode, urlparse
except ImportError:  # pragma: no cover - Python 2 is not supported on managed hosts
    raise

DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
DEFAULT_TIMEOUT = 60
# The oldest API this collection speaks: Docker 20.10 (API 1.41) is the oldest engine
# the project supports, but read-only calls work down to 1.25.
MIN_API_VERSION = "1.25"


class DockerError(Exception):
    """Any failure talking to the daemon. `status` is the HTTP status, or None."""

    def __init__(self, message, status=None):
        super(DockerError, self).__init__(message)
        self.message = message
        self.status = status


class NotFound(DockerError):
    pass


def version_tuple(version):
    """'1.41' -> (1, 41); tolerant of suffixes such as '20.10.24+dfsg1'."""
    parts = []
    for piece in str(version).split("."):
        digits = ""
        for char in piece:
            if not char.isdigit():
                break
            digits += char
        parts.append(int(digits or 0))
    return tuple(parts)


# The cluster store (--cluster-store) was removed in Docker 23.0.
FIRST_ENGINE_WITHOUT_CLUSTER_STORE = (23,)


def engine_generation(version):
    """'20.10.24+dfsg1' -> 'kv' (has the cluster store); '26.1.5' -> 'swarm'; unparsable -> None."""
    parsed = version_tuple(version) if version else ()
    if not parsed or parsed[0] == 0:
        return None
    return "kv" if parsed < FIRST_ENGINE_WITHOUT_CLUSTER_STORE else "swarm"


def docker_common_argument_spec():
    """The connection options of the shared doc fragment, with their environment fallbacks."""
    return dict(
        docker_host=dict(type="str", default=DEFAULT_DOCKER_HOST, aliases=["docker_url"],
                         fallback=(_env_fallback, ["DOCKER_HOST"])),
        api_version=dict(type="str", default="auto", aliases=["docker_api_version"],
                         fallback=(_env_fallback, ["DOCKER_API_VERSION"])),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT,
                     fallback=(_env_fallback, ["DOCKER_TIMEOUT"])),
        tls=dict(type="bool", default=False, fallback=(_env_fallback, ["DOCKER_TLS"])),
        validate_certs=dict(type="bool", default=False, aliases=["tls_verify"],
                            fallback=(_env_fallback, ["DOCKER_TLS_VERIFY"])),
        tls_hostname=dict(type="str", fallback=(_env_fallback, ["DOCKER_TLS_HOSTNAME"])),
        ca_path=dict(type="path", aliases=["ca_cert", "tls_ca_cert", "cacert_path"],
                     fallback=(_cert_path_fallback, ["ca.pem"])),
        client_cert=dict(type="path", aliases=["tls_client_cert", "cert_path"],
                         fallback=(_cert_path_fallback, ["cert.pem"])),
        client_key=dict(type="path", aliases=["tls_client_key", "key_path"], no_log=False,
                        fallback=(_cert_path_fallback, ["key.pem"])),
    )


def _env_fallback(name):
    from ansible.module_utils.basic import AnsibleFallbackNotFound

    value = os.environ.get(name)
    if value in (None, ""):
        raise AnsibleFallbackNotFound
    return value


def _cert_path_fallback(filename):
    from ansible.module_utils.basic import AnsibleFallbackNotFound

    cert_path = os.environ.get("DOCKER_CERT_PATH")
    if not cert_path:
        raise AnsibleFallbackNotFound
    return os.path.join(cert_path, filename)


class _UnixHTTPConnection(HTTPConnection):
    def __init__(self, path, timeout):
        HTTPConnection.__init__(self, "localhost", timeout=timeout)
        self._socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._socket_path)
        except Exception:
            sock.close()
            raise
        self.sock = sock


class _HTTPSConnection(HTTPSConnection):
    """HTTPS to an address, checking the certificate against another host name if asked."""

    def __init__(self, host, port, timeout, context, server_hostname):
        HTTPSConnection.__init__(self, host, port, timeout=timeout, context=context)
        self._ssl_context = context
        self._server_hostname = server_hostname

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._ssl_context.wrap_socket(sock, server_hostname=self._server_hostname)


class DockerClient(object):
    """A small Engine API client. One instance keeps one connection open."""

    def __init__(self, docker_host=DEFAULT_DOCKER_HOST, api_version="auto", timeout=DEFAULT_TIMEOUT,
                 tls=False, validate_certs=False, tls_hostname=None, ca_path=None,
                 client_cert=None, client_key=None):
        self.docker_host = docker_host or DEFAULT_DOCKER_HOST
        self.timeout = timeout or DEFAULT_TIMEOUT
        if self.timeout < 0:
            raise DockerError("timeout %r is negative; give the seconds to wait for the daemon, e.g. %s."
                              % (timeout, DEFAULT_TIMEOUT))
        self._requested_version = api_version or "auto"
        if self._requested_version != "auto" and not re.match(r"^[0-9]+\.[0-9]+$", str(self._requested_version)):
            raise DockerError("api_version %r is not an Engine API version; use auto or a version such as 1.41."
                              % (api_version,))
        self._api_version = None
        self._server_version = None
        self._conn = None
        self._tls = tls or validate_certs
        self._validate_certs = validate_certs
        self._tls_hostname = tls_hostname
        self._ca_path = ca_path
        self._client_cert = client_cert
        self._client_key = client_key
        self._parse_host()

    @classmethod
    def from_module_params(cls, params):
        return cls(docker_host=params.get("docker_host"), api_version=params.get("api_version"),
                   timeout=params.get("timeout"), tls=params.get("tls"),
                   validate_certs=params.get("validate_certs"), tls_hostname=params.get("tls_hostname"),
                   ca_path=params.get("ca_path"), client_cert=params.get("client_cert"),
                   client_key=params.get("client_key"))

    # -- connection -----------------------------------------------------------------------

    def _parse_host(self):
        url = urlparse(self.docker_host)
        if url.scheme == "unix":
            self._socket_path = url.path or url.netloc
            self._address = None
        elif url.scheme in ("tcp", "http", "https"):
            if not url.hostname:
                raise DockerError("docker_host %r has no host name; use tcp://HOST:PORT." % self.docker_host)
            self._socket_path = None
            self._address = (url.hostname, url.port or (2376 if self._tls else 2375))
            if url.scheme == "https":
                self._tls = True
        else:
            raise DockerError(
                "docker_host %r uses an unsupported scheme %r; use unix:///path/to/docker.sock or "
                "tcp://HOST:PORT (for ssh, run the module on that host instead)." % (self.docker_host, url.scheme))

    def _connection(self):
        if self._conn is not None:
            return self._conn
        if self._socket_path:
            self._conn = _UnixHTTPConnection(self._socket_path, self.timeout)
        elif self._tls:
            context = ssl.create_default_context(cafile=self._ca_path) if self._validate_certs \
                else ssl._create_unverified_context()  # nosec - the user asked for tls without verification
            if self._client_cert:
                context.load_cert_chain(self._client_cert, self._client_key)
            self._conn = _HTTPSConnection(self._address[0], self._address[1], self.timeout, context,
                                          self._tls_hostname or self._address[0])
        else:
            self._conn = HTTPConnection(self._address[0], self._address[1], timeout=self.timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- versions -------------------------------------------------------------------------

    @property
    def api_version(self):
        if self._api_version is None:
            if self._requested_version != "auto":
                self._api_version = self._requested_version
            else:
                self._api_version = self.version()["ApiVersion"]
            if version_tuple(self._api_version) < version_tuple(MIN_API_VERSION):
                if self._requested_version != "auto":
                    raise DockerError("api_version %s is older than cnm.overlay supports; use auto or %s or newer."
                                      % (self._api_version, MIN_API_VERSION))
                raise DockerError("The Docker daemon at %s speaks API %s; cnm.overlay needs at least %s."
                                  % (self.docker_host, self._api_version, MIN_API_VERSION))
        return self._api_version

    def version(self):
        """GET /version without a version prefix, cached."""
        if self._server_version is None:
            self._server_version = self._request("GET", "/version")
        return self._server_version

    def api_at_least(self, version):
        return version_tuple(self.api_version) >= version_tuple(version)

    # -- requests -------------------------------------------------------------------------

    def get(self, path, params=None):
        return self._request("GET", self._versioned(path), params=params)

    def post(self, path, body=None, params=None):
        return self._request("POST", self._versioned(path), params=params, body=body)

    def delete(self, path, params=None):
        return self._request("DELETE", self._versioned(path), params=params)

    def _versioned(self, path):
        return "/v%s%s" % (self.api_version, path)

    def _request(self, method, path, params=None, body=None):
        if params:
            path = "%s?%s" % (path, urlencode(_stringify_params(params)))
        headers = {"Host": "docker"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except socket.timeout:
                self.close()
                raise DockerError("The Docker daemon at %s did not answer %s %s within %s s (timeout)."
                                  % (self.docker_host, method, path, self.timeout))
            except (HTTPException, ConnectionResetError, BrokenPipeError) as exc:
                # A kept-alive connection the daemon closed: retry once on a fresh one.
                self.close()
                if attempt == 2:
                    raise DockerError("Lost the connection to the Docker daemon at %s: %s" % (self.docker_host, exc))
            except (OSError, ssl.SSLError) as exc:
                self.close()
                raise DockerError("Cannot reach the Docker daemon at %s: %s. Is dockerd running, and is "
                                  "docker_host right?" % (self.docker_host, exc))
        if response.status >= 400:
            message = _error_message(data)
            error_class = NotFound if response.status == 404 else DockerError
            endpoint = path.split("?")[0]
            raise error_class("Docker daemon error (%s %s, HTTP %s): %s" % (method, endpoint, response.status, message),
                              status=response.status)
        if not data:
            return None
        if response.getheader("Content-Type", "").startswith("application/json"):
            return json.loads(data.decode("utf-8"))
        return data.decode("utf-8", "replace")


def _stringify_params(params):
    result = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, (dict, list)):
            value = json.dumps(value)
        result[key] = value
    return result


def _error_message(data):
    try:
        return json.loads(data.decode("utf-8")).get("message", "").strip() or data.decode("utf-8", "replace")
    except (ValueError, AttributeError):
        return data.decode("utf-8", "replace").strip()


def quote_path(value, safe=""):
    """Quote a name or ID for use in a URL path (`safe`: characters left as they are, e.g. an image
    reference's "/:@", which the Engine API's image routes take unquoted)."""
    return quote(str(value), safe=safe)


def client_for_module(module):
    """Build the client from a module's connection options, failing the module clearly."""
    try:
        return DockerClient.from_module_params(module.params)
    except DockerError as exc:
        module.fail_json(msg=exc.message)
