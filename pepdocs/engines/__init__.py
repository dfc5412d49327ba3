"""The format engines, registered by format: every verb renders, reads and builds through `get_engine`/`sniff`."""

from __future__ import annotations

from pepdocs._errors import DocumentError, RenderError, UsageError
from pepdocs.engines._engine import Content, Engine, RenderOptions
from pepdocs.engines.docx import DocxEngine
from pepdocs.engines.pdf import PdfEngine

_registry: dict[str, Engine] = {}


def register(engine: Engine) -> Engine:
    """Add an engine for its format (a format registered twice is a RenderError)."""
    if engine.format in _registry:
        raise RenderError(f"format {engine.format!r} already has an engine")
    _registry[engine.format] = engine
    return engine


def all_engines() -> tuple[Engine, ...]:
    """Every registered engine, in the order registered."""
    return tuple(_registry.values())


def formats() -> tuple[str, ...]:
    """The names of the registered formats: ("docx", "pdf")."""
    return tuple(_registry)


def get_engine(format: str) -> Engine:
    """The engine of a format; a UsageError naming the formats there are."""
    try:
        return _registry[format]
    except (KeyError, TypeError):
        raise UsageError(f"format must be one of {', '.join(_registry)}, not {format!r}") from None


def sniff(data: bytes, file: str = "<bytes>") -> Engine:
    """The engine whose format `data` is; a DocumentError naming `file` when none claims it."""
    for engine in _registry.values():
        if engine.sniff(data):
            return engine
    names = [format.upper() for format in _registry]
    listed = " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
    raise DocumentError(f"not a {listed} file", file)


register(DocxEngine())
register(PdfEngine())

__all__ = ["Content", "Engine", "RenderOptions", "all_engines", "formats", "get_engine", "register", "sniff"]
