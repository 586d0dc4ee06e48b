"""The TLS file check the roles make before any change, on files made for the test."""

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _tls_files
from cnm_test_runner import make_pki, openssl, sign

VARIABLES = ("r_tls_ca_file", "r_tls_cert_file", "r_tls_key_file")
EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")


def files(*paths):
    return dict(zip(VARIABLES, paths))


def test_no_files_set_is_no_tls_and_no_problem():
    assert _tls_files.problem(files("", "", ""), "r on h") == ""


def test_one_of_three_names_every_variable_and_the_fix(tmp_path):
    message = _tls_files.problem(files("/ca.pem", "", ""), "r on h")
    assert message == ("r on h: TLS needs all three of r_tls_ca_file, r_tls_cert_file and r_tls_key_file "
                       "(got r_tls_ca_file=/ca.pem): set the missing ones or none.")


def test_missing_files_are_listed_with_the_variables_and_the_reader(tmp_path):
    (tmp_path / "ca.pem").write_text("x")
    message = _tls_files.problem(files(str(tmp_path / "ca.pem"), "/no/cert.pem", "/no/key.pem"), "r on h", "consul")
    assert message == ("r on h: TLS file(s) not found: /no/cert.pem, /no/key.pem. Put them on the host first "
                       "(r_tls_ca_file, r_tls_cert_file and r_tls_key_file, readable by consul).")


def test_a_directory_is_not_a_file(tmp_path):
    (tmp_path / "ca.pem").write_text("x")
    (tmp_path / "cert.pem").write_text("x")
    message = _tls_files.problem(files(str(tmp_path / "ca.pem"), str(tmp_path / "cert.pem"), str(tmp_path)), "r on h")
    assert "Not a file: %s." % tmp_path in message and "not found" not in message


CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n"


def pem_files(tmp_path, ca=CERTIFICATE, cert=CERTIFICATE, key=KEY):
    paths = []
    for name, text in (("ca.pem", ca), ("cert.pem", cert), ("key.pem", key)):
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    return files(*paths)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A CA and a host certificate signed by it, with its key in PKCS#8, traditional EC and encrypted form; the
    same key's certificate expired, for servers only and for clients only; a certificate of another CA;
    name -> PEM text."""
    directory = tmp_path_factory.mktemp("tls")
    make_pki(directory, ["h"], key=EC_KEY)
    openssl("ec", "-in", "h-key.pem", "-out", "key-ec.pem", cwd=directory)
    openssl("pkey", "-in", "h-key.pem", "-aes256", "-passout", "pass:secret", "-out", "key-encrypted.pem", cwd=directory)
    sign(directory, "h", "cert-expired.pem", days=-1)
    for usage in ("serverAuth", "clientAuth"):
        (directory / ("%s.ext" % usage)).write_text("extendedKeyUsage=%s\n" % usage)
        sign(directory, "h", "cert-%s.pem" % usage, extfile="%s.ext" % usage)
    texts = dict((path.name, path.read_text()) for path in directory.glob("*.pem"))
    # Another CA of the same name and one of its own name.
    for ca_name in ("cnmt-ca", "cnmt-other-ca"):
        other = directory / ca_name
        other.mkdir()
        make_pki(other, ["h"], key=EC_KEY, ca_name=ca_name)
        texts.update({"%s-cert.pem" % ca_name: (other / "h.pem").read_text(), "%s-key.pem" % ca_name: (other / "h-key.pem").read_text()})
    return dict(texts, **{"cert.pem": texts["h.pem"], "key.pem": texts["h-key.pem"]})


def test_a_ca_a_certificate_and_its_key_are_no_problem(tmp_path, real):
    assert _tls_files.problem(pem_files(tmp_path, real["ca.pem"], real["cert.pem"], real["key.pem"]), "r on h") == ""
    assert _tls_files.problem(pem_files(tmp_path, real["ca.pem"], real["cert.pem"], real["key-ec.pem"]), "r on h") == ""


@pytest.mark.parametrize("purpose", ["server", "client"])
def test_a_certificate_of_the_ca_gives_no_warning_in_either_use(tmp_path, real, purpose):
    warnings = []
    assert _tls_files.problem(pem_files(tmp_path, real["ca.pem"], real["cert.pem"], real["key.pem"]), "r on h",
                              purpose=purpose, warnings=warnings) == ""
    assert warnings == []


def test_an_expired_certificate_is_refused_with_the_fix(tmp_path, real):
    paths = pem_files(tmp_path, real["ca.pem"], real["cert-expired.pem"], real["key.pem"])
    assert _tls_files.problem(paths, "r on h") == (
        "r on h: r_tls_cert_file=%s is refused as a server certificate by an end that trusts r_tls_ca_file=%s "
        "(certificate has expired): renew the certificate (or the CA that has expired)."
        % (tmp_path / "cert.pem", tmp_path / "ca.pem"))


@pytest.mark.parametrize("usage, refused_as", [("serverAuth", "client"), ("clientAuth", "server")])
def test_a_certificate_is_refused_for_the_use_its_key_usage_does_not_allow(tmp_path, real, usage, refused_as):
    paths = pem_files(tmp_path, real["ca.pem"], real["cert-%s.pem" % usage], real["key.pem"])
    message = _tls_files.problem(paths, "r on h", purpose=refused_as)
    assert "is refused as a %s certificate" % refused_as in message
    # OpenSSL 1.1 says "unsupported", 3.0 "unsuitable certificate purpose".
    assert message.endswith("certificate purpose): issue the certificate with an extended key usage that "
                            "allows %sAuth, or with none." % refused_as)
    assert _tls_files.problem(paths, "r on h", purpose=usage[:-len("Auth")]) == ""


@pytest.mark.parametrize("ca_name, reason", [("cnmt-ca", "certificate signature failure"),
                                             ("cnmt-other-ca", "unable to get local issuer certificate")])
def test_a_certificate_of_another_ca_is_only_a_warning(tmp_path, real, ca_name, reason):
    warnings = []
    paths = pem_files(tmp_path, real["ca.pem"], real["%s-cert.pem" % ca_name], real["%s-key.pem" % ca_name])
    assert _tls_files.problem(paths, "r on h", purpose="client", warnings=warnings) == ""
    assert warnings == ["r on h: r_tls_cert_file=%s is not issued under r_tls_ca_file=%s (%s). That works only where "
                        "the peers check this host with another CA; usually one CA signs every certificate."
                        % (tmp_path / "cert.pem", tmp_path / "ca.pem", reason)]


def test_a_key_of_another_certificate_is_named_with_both_files(tmp_path, real):
    message = _tls_files.problem(pem_files(tmp_path, real["ca.pem"], real["cert.pem"], real["ca-key.pem"]), "r on h")
    assert message.startswith("r on h: r_tls_cert_file=%s and r_tls_key_file=%s do not load as a certificate and its key ("
                              % (tmp_path / "cert.pem", tmp_path / "key.pem"))
    assert "key values mismatch" in message and message.endswith("that certificate's own private key.")


def test_an_encrypted_key_is_refused_without_asking_for_its_passphrase(tmp_path, real):
    message = _tls_files.problem(pem_files(tmp_path, real["ca.pem"], real["cert.pem"], real["key-encrypted.pem"]),
                                 "r on h")
    assert "r_tls_key_file=%s is encrypted: give the key without a passphrase" % (tmp_path / "key.pem") in message


def test_pem_shaped_files_that_do_not_load_are_named(tmp_path):
    message = _tls_files.problem(pem_files(tmp_path), "r on h")
    assert "r_tls_ca_file=%s does not load as CA certificates (" % (tmp_path / "ca.pem") in message
    assert "r_tls_cert_file=%s and r_tls_key_file=%s do not load" % (tmp_path / "cert.pem", tmp_path / "key.pem") in message


def test_files_the_names_do_not_tell_apart_are_only_checked_for_pem(tmp_path):
    paths = pem_files(tmp_path)
    assert _tls_files.problem(dict(zip(("a", "b", "c_key_file"), paths.values())), "r on h") == ""


def test_a_certificate_in_the_key_file_is_named(tmp_path):
    message = _tls_files.problem(pem_files(tmp_path, key=CERTIFICATE), "r on h")
    assert message.startswith("r on h: r_tls_key_file=%s holds no PEM private key. Give PEM files" % (tmp_path / "key.pem"))


def test_files_that_are_not_pem_are_each_named(tmp_path):
    message = _tls_files.problem(pem_files(tmp_path, ca="\x30\x82\x01", cert="not-a-pem\n"), "r on h")
    assert "r_tls_ca_file=%s holds no PEM certificate; r_tls_cert_file=%s holds no PEM certificate." \
        % (tmp_path / "ca.pem", tmp_path / "cert.pem") in message
