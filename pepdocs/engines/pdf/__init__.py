"""The PDF engine."""
