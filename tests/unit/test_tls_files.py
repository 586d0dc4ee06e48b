"""The TLS file check the roles make before any change, on files made for the test."""

from ansible_collections.cnm.overlay.plugins.module_utils import _tls_files

VARIABLES = ("r_tls_ca_file", "r_tls_cert_file", "r_tls_key_file")


def files(*paths):
    return dict(zip(VARIABLES, paths))


def test_no_files_set_is_no_tls_and_no_problem():
    assert _tls_files.problem(files("", "", ""), "r on h") == ""


def test_three_files_on_the_host_are_no_problem(tmp_path):
    paths = [tmp_path / name for name in ("ca.pem", "cert.pem", "key.pem")]
    for path in paths:
        path.write_text("x")
    assert _tls_files.problem(files(*map(str, paths)), "r on h") == ""


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
