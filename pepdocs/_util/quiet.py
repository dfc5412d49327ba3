"""Keeping other libraries' log lines, which may quote a file's bytes, out of the user's logs while pepdocs reads."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LIBRARIES = ("pypdf", "pikepdf", "pdfminer", "pdfplumber", "PIL", "fontTools", "openpyxl", "docx", "docxtpl")
"""The loggers of the libraries pepdocs reads files with."""


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Within the block, the libraries' loggers (and their children) log nothing; their levels are restored after.

    Nothing changes at import and nothing outside these loggers: an application's own logging is untouched.
    """
    loggers = [logging.getLogger(name) for name in LIBRARIES]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)
