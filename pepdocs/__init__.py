"""pepdocs: Personal Education Plans for children in care, one model and every authority's form."""

from ._api import parse, render
from ._codes import LOCAL_AUTHORITIES
from ._errors import (
    DocumentError,
    FieldValueError,
    FormError,
    InputError,
    Issue,
    ModelError,
    NotAPepFormError,
    PepdocsError,
    PepdocsWarning,
    RenderError,
)
from ._forms import Form, get_form, list_forms
from ._identifiers import nc_year, validate_uln, validate_upn
from ._model import PEP, sensitive_paths
from ._read import Parsed, Unmapped
from ._records import read_pep, schema

__all__ = [
    "LOCAL_AUTHORITIES",
    "PEP",
    "DocumentError",
    "FieldValueError",
    "Form",
    "FormError",
    "InputError",
    "Issue",
    "ModelError",
    "NotAPepFormError",
    "Parsed",
    "PepdocsError",
    "PepdocsWarning",
    "RenderError",
    "Unmapped",
    "get_form",
    "list_forms",
    "nc_year",
    "parse",
    "read_pep",
    "render",
    "schema",
    "sensitive_paths",
    "validate_uln",
    "validate_upn",
]
