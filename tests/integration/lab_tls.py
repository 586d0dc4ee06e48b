"""TLS files on a lab's nodes for the tests that turn TLS on: one CA, every node's certificate for server
and client use, and the site.yml arguments and curl calls that use them."""

from cnm_test_runner import make_pki

TLS_DIR = "/etc/ssl/sec-tls"


def pki(lab, tmp_path_factory, owner):
    """A CA and, on every node in TLS_DIR, ca.pem and the node's cert.pem/key.pem (server and client use);
    kv's key belongs to the store's user."""
    work = tmp_path_factory.mktemp("pki")
    nodes = ("kv", "n1", "n2")
    make_pki(work, nodes, extensions=dict(
        (node, "subjectAltName=IP:%s,DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\n" % (lab.address(node), node))
        for node in nodes))
    for node in nodes:
        for local, remote, mode in [("ca.pem", "ca.pem", "644"), ("%s.pem" % node, "cert.pem", "644"),
                                    ("%s-key.pem" % node, "key.pem", "600")]:
            lab.write_file(node, "%s/%s" % (TLS_DIR, remote), (work / local).read_bytes(), mode)
    lab.sh("kv", "chown %s %s/key.pem" % (owner, TLS_DIR), check=True)
    return work


def tls_vars(kind):
    return [arg for field in ("ca", "cert", "key")
            for arg in ("-e", "cnm_overlay_%s_tls_%s_file=%s/%s.pem" % (kind, field, TLS_DIR, field))]


ENGINE_TCP = ["-e", "cnm_overlay_engine_tcp_listen=0.0.0.0:2376"] + tls_vars("engine")


def tls_curl(lab, url, client=True):
    cert = " --cert {d}/cert.pem --key {d}/key.pem".format(d=TLS_DIR) if client else ""
    return lab.sh("n1", "curl -s --cacert %s/ca.pem%s %s" % (TLS_DIR, cert, url))


def engine_pki(lab, once, tmp_path_factory):
    """The PKI for the engines' TCP API, made once per test module (kv's key for the consul user)."""
    if "pki" not in once:
        once["pki"] = pki(lab, tmp_path_factory, owner="consul")
    return once["pki"]


def run_with_engine_tls(lab, once, play_once, tmp_path_factory, site):
    """site.yml run again with the engines' TCP API on 2376 (TLS, client certificates verified)."""
    engine_pki(lab, once, tmp_path_factory)
    return play_once("site-engine-tls", site, lab.inventory, ENGINE_TCP)
