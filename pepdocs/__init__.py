"""pepdocs: Personal Education Plans for children in care, one model and every authority's form."""

from ._api import parse, render
from ._codes import LOCAL_AUTHORITIES
from ._convert import Converted, convert
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
from ._merge import Merged, merge
from ._model import PEP, sensitive_paths
from ._read import Parsed, Unmapped
from ._records import read_pep, schema
from ._select import FormChoice, select_form

__all__ = [
    "LOCAL_AUTHORITIES",
    "PEP",
    "Converted",
    "DocumentError",
    "FieldValueError",
    "Form",
    "FormChoice",
    "FormError",
    "InputError",
    "Issue",
    "Merged",
    "ModelError",
    "NotAPepFormError",
    "Parsed",
    "PepdocsError",
    "PepdocsWarning",
    "RenderError",
    "Unmapped",
    "convert",
    "get_form",
    "list_forms",
    "merge",
    "nc_year",
    "parse",
    "read_pep",
    "render",
    "schema",
    "select_form",
    "sensitive_paths",
    "validate_uln",
    "validate_upn",
]
