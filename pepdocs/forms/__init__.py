"""Form specs and what sits between a PEP and a form: value codecs, answers, assembling a parse."""
