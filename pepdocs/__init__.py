"""pepdocs: Personal Education Plans for children in care, one model and every authority's form."""

from ._api import parse, render
from ._batch import BatchReport, batch
from ._cases import read_cases
from ._check import Due, Finding, check, load_policy, next_due
from ._codes import LOCAL_AUTHORITIES
from ._convert import Converted, convert
from ._errors import (
    DocumentError,
    FieldValueError,
    FormError,
    InputError,
    Issue,
    LimitError,
    ModelError,
    NotAPepFormError,
    PepdocsError,
    PepdocsWarning,
    RenderError,
    TemplateVersionError,
)
from ._forms import Form, get_form, list_forms
from ._identifiers import nc_year, validate_uln, validate_upn
from ._merge import Merged, merge
from ._model import PEP, sensitive_paths
from ._policy import Policy
from ._read import Parsed, Unmapped
from ._records import read_pep, schema
from ._select import FormChoice, select_form

__all__ = [
    "LOCAL_AUTHORITIES",
    "PEP",
    "BatchReport",
    "Converted",
    "DocumentError",
    "Due",
    "FieldValueError",
    "Finding",
    "Form",
    "FormChoice",
    "FormError",
    "InputError",
    "Issue",
    "LimitError",
    "Merged",
    "ModelError",
    "NotAPepFormError",
    "Parsed",
    "PepdocsError",
    "PepdocsWarning",
    "Policy",
    "RenderError",
    "TemplateVersionError",
    "Unmapped",
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
    "read_cases",
    "read_pep",
    "render",
    "schema",
    "select_form",
    "sensitive_paths",
    "validate_uln",
    "validate_upn",
]
