"""pepdocs: Personal Education Plans for children in care, one model and every authority's form.

The names below are imported when first used, so that `import pepdocs` and `pepdocs --version` stay quick:
the model, the engines and their libraries load only for what a program does.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

# pepdocs logs events and counts (never a value, a file name or a name) under "pepdocs"; the application
# that uses it decides whether and where they go.
logging.getLogger("pepdocs").addHandler(logging.NullHandler())

if TYPE_CHECKING:  # what type checkers and documentation tools read; at run time __getattr__ does the same
    from pepdocs._errors import (
        DocumentError,
        FieldValueError,
        FormError,
        IdentityError,
        InputError,
        Issue,
        LimitError,
        ModelError,
        NotAPepFormError,
        PepdocsError,
        PepdocsWarning,
        RenderError,
        TemplateVersionError,
        UsageError,
    )
    from pepdocs._types import Audience, Format, Part, Prefer
    from pepdocs.forms._assemble import Parsed, Unmapped
    from pepdocs.forms._omitted import Omission
    from pepdocs.forms._spec import Form, add_forms, get_form, list_forms
    from pepdocs.model._codes import LOCAL_AUTHORITIES
    from pepdocs.model._identifiers import nc_year, validate_uln, validate_upn
    from pepdocs.model._pep import PEP, sensitive_paths
    from pepdocs.model._records import read_pep, schema
    from pepdocs.rules._check import Due, Finding, check, next_due
    from pepdocs.rules._policy import Policy, load_policy
    from pepdocs.rules._qa import AreaRating, QaReport, qa
    from pepdocs.workflows._api import parse, render, render_report
    from pepdocs.workflows._batch import BatchReport, batch
    from pepdocs.workflows._cases import read_cases
    from pepdocs.workflows._convert import Converted, convert
    from pepdocs.workflows._merge import Merged, merge
    from pepdocs.workflows._scaffold import Scaffold, scaffold_form
    from pepdocs.workflows._select import FormChoice, select_form

# Where each public name lives; tests/test_public_api.py checks it against the imports above.
_HOMES: dict[str, tuple[str, ...]] = {
    "pepdocs._errors": (
        "DocumentError", "FieldValueError", "FormError", "IdentityError", "InputError", "Issue", "LimitError",
        "ModelError",
        "NotAPepFormError", "PepdocsError", "PepdocsWarning", "RenderError", "TemplateVersionError", "UsageError",
    ),
    "pepdocs._types": ("Audience", "Format", "Part", "Prefer"),
    "pepdocs.forms._assemble": ("Parsed", "Unmapped"),
    "pepdocs.forms._omitted": ("Omission",),
    "pepdocs.forms._spec": ("Form", "add_forms", "get_form", "list_forms"),
    "pepdocs.model._codes": ("LOCAL_AUTHORITIES",),
    "pepdocs.model._identifiers": ("nc_year", "validate_uln", "validate_upn"),
    "pepdocs.model._pep": ("PEP", "sensitive_paths"),
    "pepdocs.model._records": ("read_pep", "schema"),
    "pepdocs.rules._check": ("Due", "Finding", "check", "next_due"),
    "pepdocs.rules._policy": ("Policy", "load_policy"),
    "pepdocs.rules._qa": ("AreaRating", "QaReport", "qa"),
    "pepdocs.workflows._api": ("parse", "render", "render_report"),
    "pepdocs.workflows._batch": ("BatchReport", "batch"),
    "pepdocs.workflows._cases": ("read_cases",),
    "pepdocs.workflows._convert": ("Converted", "convert"),
    "pepdocs.workflows._merge": ("Merged", "merge"),
    "pepdocs.workflows._scaffold": ("Scaffold", "scaffold_form"),
    "pepdocs.workflows._select": ("FormChoice", "select_form"),
}  # fmt: skip
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "LOCAL_AUTHORITIES",
    "PEP",
    "AreaRating",
    "Audience",
    "BatchReport",
    "Converted",
    "DocumentError",
    "Due",
    "FieldValueError",
    "Finding",
    "Form",
    "FormChoice",
    "FormError",
    "Format",
    "IdentityError",
    "InputError",
    "Issue",
    "LimitError",
    "Merged",
    "ModelError",
    "NotAPepFormError",
    "Omission",
    "Parsed",
    "Part",
    "PepdocsError",
    "PepdocsWarning",
    "Policy",
    "Prefer",
    "QaReport",
    "RenderError",
    "Scaffold",
    "TemplateVersionError",
    "Unmapped",
    "UsageError",
    "add_forms",
    "batch",
    "check",
    "convert",
    "get_form",
    "list_forms",
    "load_policy",
    "merge",
    "nc_year",
    "next_due",
    "parse",
    "qa",
    "read_cases",
    "read_pep",
    "render",
    "render_report",
    "scaffold_form",
    "schema",
    "select_form",
    "sensitive_paths",
    "validate_uln",
    "validate_upn",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use, and `__version__`."""
    if name == "__version__":
        value: Any = _version()
    elif name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
    else:
        raise AttributeError(f"module 'pepdocs' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})


def _version() -> str:
    """The installed version: written from pyproject.toml at install, or read from the package metadata."""
    try:
        from pepdocs._version import __version__ as written
    except ImportError:  # a source tree installed by other means
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("pepdocs")
        except PackageNotFoundError:  # pragma: no cover - never installed
            return "0+unknown"
    return written
