"""The TLS file check the roles make before any change, on files made for the test."""

from ansible_collections.cnm.overlay.plugins.module_utils import _tls_files

VARIABLES = ("r_tls_ca_file", "r_tls_cert_file", "r_tls_key_file")


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


def test_pem_certificates_and_a_pem_key_are_no_problem(tmp_path):
    assert _tls_files.problem(pem_files(tmp_path), "r on h") == ""
    assert _tls_files.problem(pem_files(tmp_path, key=KEY.replace(" EC", "")), "r on h") == ""


def test_a_certificate_in_the_key_file_is_named(tmp_path):
    message = _tls_files.problem(pem_files(tmp_path, key=CERTIFICATE), "r on h")
    assert message.startswith("r on h: r_tls_key_file=%s holds no PEM private key. Give PEM files" % (tmp_path / "key.pem"))


def test_files_that_are_not_pem_are_each_named(tmp_path):
    message = _tls_files.problem(pem_files(tmp_path, ca="\x30\x82\x01", cert="not-a-pem\n"), "r on h")
    assert "r_tls_ca_file=%s holds no PEM certificate; r_tls_cert_file=%s holds no PEM certificate." \
        % (tmp_path / "ca.pem", tmp_path / "cert.pem") in message
