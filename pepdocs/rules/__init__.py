"""Statutory and local checks, due dates, policies and calendars."""
