"""``disputes serve``: TLS with certificate files; plain HTTP only on a loopback host."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from typing import TYPE_CHECKING

import httpx
import pytest
from click.testing import CliRunner

from disputes.cli.serve import is_loopback
from tests.server.harness import LEADER, Served

if TYPE_CHECKING:
    from pathlib import Path

    import click


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104 (the value refused)
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_plain_http_is_refused_off_loopback(cli: click.Group, store_location: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", store_location, "--lang", "en", "serve", "--host", "0.0.0.0"],  # noqa: S104
    )
    assert result.exit_code == 2
    assert "loopback" in result.stderr
    assert "--certfile" in result.stderr


def test_a_certificate_needs_its_key(cli: click.Group, store_location: str, tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    result = CliRunner().invoke(
        cli, ["--db", store_location, "--lang", "en", "serve", "--certfile", str(cert)]
    )
    assert result.exit_code == 2
    assert "--keyfile" in result.stderr


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "disputes test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_tls_with_certificate_files(cli: click.Group, store_location: str, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    served = Served(store_location, tmp_path, tls=(cert, key))
    served.prepare(LEADER)
    served.start()
    try:
        assert served.url.startswith("https://")
        with pytest.raises(httpx.ConnectError):  # a certificate nobody vouched for
            httpx.get(f"{served.url}/api/openapi.json")
        # The CLI trusts it through DISPUTES_CA_FILE (the harness sets it for HTTPS).
        served.login(cli, LEADER)
        me = json.loads(served.disputes(cli, LEADER, "whoami", "--json").stdout)
        assert me["person"] == LEADER
    finally:
        served.stop()
