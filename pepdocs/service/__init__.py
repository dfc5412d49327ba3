"""pepdocs over HTTP: the API for case systems and the page for returned forms (`pip install "pepdocs[service]"`)."""

from pepdocs.service._app import create_app
from pepdocs.service._guard import Settings
from pepdocs.service._serve import serve

__all__ = ["Settings", "create_app", "serve"]
