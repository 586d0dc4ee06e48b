"""A minimal Docker remote network driver for the tests (standard library only).

It speaks libnetwork's remote driver protocol (JSON over HTTP POST) on a unix socket that
dockerd discovers under /run/docker/plugins/<name>.sock, accepts every network and
endpoint, and appends each request it gets to a JSON-lines log so tests can see what the
daemon asked of the driver. It creates no interfaces: containers cannot join its networks.

Usage: python3 network_plugin.py SOCKET_PATH LOG_PATH
"""

import json
import os
import socketserver
import sys
from http.server import BaseHTTPRequestHandler

CONTENT_TYPE = "application/vnd.docker.plugins.v1.2+json"

ANSWERS = {
    "/Plugin.Activate": {"Implements": ["NetworkDriver"]},
    "/NetworkDriver.GetCapabilities": {"Scope": "local", "ConnectivityScope": "local"},
    "/NetworkDriver.CreateNetwork": {},
    "/NetworkDriver.DeleteNetwork": {},
    "/NetworkDriver.AllocateNetwork": {"Options": {}},
    "/NetworkDriver.FreeNetwork": {},
    "/NetworkDriver.CreateEndpoint": {"Interface": {}},
    "/NetworkDriver.DeleteEndpoint": {},
    "/NetworkDriver.EndpointOperInfo": {"Value": {}},
    "/NetworkDriver.DiscoverNew": {},
    "/NetworkDriver.DiscoverDelete": {},
    "/NetworkDriver.ProgramExternalConnectivity": {},
    "/NetworkDriver.RevokeExternalConnectivity": {},
    "/NetworkDriver.Leave": {},
}


class Handler(BaseHTTPRequestHandler):
    log_path = None

    def do_POST(self):  # noqa: N802 - the name http.server calls
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            body = None
        with open(self.log_path, "a") as log:
            log.write(json.dumps({"path": self.path, "body": body}) + "\n")
        answer = ANSWERS.get(self.path, {"Err": "%s is not supported by the test driver" % self.path})
        payload = json.dumps(answer).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep stderr quiet
        pass


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _address = super().get_request()
        return request, ("local", 0)  # http.server wants a (host, port) client address


def main():
    socket_path, log_path = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.dirname(socket_path), exist_ok=True)
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    Handler.log_path = log_path
    server = UnixHTTPServer(socket_path, Handler)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if os.path.exists(socket_path):
            os.unlink(socket_path)


if __name__ == "__main__":
    main()
