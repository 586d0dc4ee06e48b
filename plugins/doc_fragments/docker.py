# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every module of cnm.overlay."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - Where the Docker Engine API listens, as C(unix:///path/to/docker.sock) or C(tcp://host:port).
      - If not given, the environment variable E(DOCKER_HOST) is used, else C(unix:///var/run/docker.sock).
    type: str
    default: unix:///var/run/docker.sock
    aliases: [docker_url]
  api_version:
    description:
      - The Engine API version to speak, for example V(1.41).
      - V(auto) asks the daemon and uses its version.
      - If not given, the environment variable E(DOCKER_API_VERSION) is used.
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for any single answer of the API before failing with a clear message.
      - If not given, the environment variable E(DOCKER_TIMEOUT) is used.
    type: int
    default: 60
  tls:
    description:
      - Speak TLS to a C(tcp://) endpoint without verifying the daemon's certificate.
      - Use O(validate_certs) for a verified connection.
      - If not given, the environment variable E(DOCKER_TLS) is used.
    type: bool
    default: false
  validate_certs:
    description:
      - Speak TLS and verify the daemon's certificate against O(ca_path).
      - If not given, the environment variable E(DOCKER_TLS_VERIFY) is used.
    type: bool
    default: false
    aliases: [tls_verify]
  tls_hostname:
    description:
      - The host name expected in the daemon's certificate; defaults to the host of O(docker_host).
      - If not given, the environment variable E(DOCKER_TLS_HOSTNAME) is used.
    type: str
  ca_path:
    description:
      - CA certificate that signed the daemon's certificate.
      - If not given and E(DOCKER_CERT_PATH) is set, C(ca.pem) in that directory is used.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - Client certificate for TLS client authentication.
      - If not given and E(DOCKER_CERT_PATH) is set, C(cert.pem) in that directory is used.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - Key of O(client_cert).
      - If not given and E(DOCKER_CERT_PATH) is set, C(key.pem) in that directory is used.
    type: path
    aliases: [tls_client_key, key_path]
notes:
  - The modules speak the Docker Engine API directly over the socket or TCP connection and need
    no Python library beyond the standard library on the managed host.
"""
