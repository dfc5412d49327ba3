"""The format engines: DOCX and PDF, each rendering answers and reading completed files."""
