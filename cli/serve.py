"""``disputes serve``: the HTTP API (docs/trust.md §4) over the store, on uvicorn."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from disputes.cli.common import settings_of

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """True for a host name or address that only this machine can reach."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8470, show_default=True)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TLS certificate (PEM); with --keyfile. Required unless the host is loopback.",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TLS private key (PEM) of --certfile.",
)
@click.option(
    "--intake-only",
    is_flag=True,
    help="The public side's intake (issue 14): grid workers sign in, report and see their "
    "reports' status on the web desk, and nothing else is served; `intake-export` carries "
    "the reports to the main store.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    /,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    intake_only: bool,
) -> None:
    """Serve the store over HTTPS (JSON at /api, OpenAPI at /api/openapi.json) to the CLI
    and other clients, who sign in with their accounts; plain HTTP only on a loopback host.

    一个区一个存储：派出所和警务室通过本服务登录使用，不再直接打开存储。
    """
    from disputes.domain.errors import InvalidInput

    settings = settings_of(ctx)
    if settings.server:
        raise InvalidInput(
            "serve",
            "serve runs on the server host in local mode (with --db); unset DISPUTES_SERVER "
            "/ --server",
        )
    if (certfile is None) != (keyfile is None):
        raise InvalidInput("--certfile", "give both --certfile and --keyfile, or neither")
    if certfile is None and not is_loopback(host):
        raise InvalidInput(
            "--host",
            f"plain HTTP is served on a loopback host only (127.0.0.1, ::1), not {host}: "
            "give --certfile and --keyfile to serve HTTPS",
        )
    import uvicorn

    from disputes.server.app import create_app
    from disputes.storage.store import redact

    store = settings.store()
    store.require_writable("the server cannot record anything")
    settings._store = None  # the app owns the store now and closes it when it stops
    if intake_only:
        from disputes.server.web import create_intake_app

        app = create_intake_app(store)
    else:
        app = create_app(store)
    scheme = "https" if certfile else "http"
    what = "/desk (intake only)" if intake_only else "/api and /desk"
    click.echo(
        f"disputes: serving {redact(store.location)} at {scheme}://{host}:{port} — {what}",
        err=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level="info",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def register(group: click.Group) -> None:
    group.add_command(serve)
