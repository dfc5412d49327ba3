"""The DOCX engine."""
