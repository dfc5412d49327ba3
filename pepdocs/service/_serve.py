"""Running the service with uvicorn, refusing to open it beyond this machine without API keys."""

from __future__ import annotations

import ipaddress
import logging

from pepdocs._errors import InputError
from pepdocs.service._guard import Settings


def is_loopback(host: str) -> bool:
    """Whether `host` is an address only this machine can reach."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8080, settings: Settings | None = None) -> None:
    """Serve the API and the page until stopped; API keys (PEPDOCS_API_KEYS) are required off loopback."""
    settings = settings or Settings.from_env()
    if not settings.api_keys and not is_loopback(host):
        raise InputError(
            f"serving on {host} opens the service to other machines: set PEPDOCS_API_KEYS (comma-separated keys) "
            "first, or serve on 127.0.0.1"
        )
    import uvicorn

    from pepdocs.service._app import create_app

    app = create_app(settings)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("pepdocs")
    if all(isinstance(known, logging.NullHandler) for known in logger.handlers):  # the program set up none
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # uvicorn's access log prints query strings, which may hold a PDF password: the service logs each request itself.
    uvicorn.run(
        app, host=host, port=port, access_log=False, server_header=False, log_level="info", limit_concurrency=64
    )
