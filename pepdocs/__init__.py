"""pepdocs: Personal Education Plans for children in care, one model and every authority's form."""

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
from pepdocs.rules._check import Due, Finding, check, load_policy, next_due
from pepdocs.rules._policy import Policy
from pepdocs.workflows._api import parse, render, render_report
from pepdocs.workflows._batch import BatchReport, batch
from pepdocs.workflows._cases import read_cases
from pepdocs.workflows._convert import Converted, convert
from pepdocs.workflows._merge import Merged, merge
from pepdocs.workflows._select import FormChoice, select_form

__all__ = [
    "LOCAL_AUTHORITIES",
    "PEP",
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
    "RenderError",
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
    "read_cases",
    "read_pep",
    "render",
    "render_report",
    "schema",
    "select_form",
    "sensitive_paths",
    "validate_uln",
    "validate_upn",
]
