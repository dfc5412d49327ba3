"""The canonical PEP: the model, its code lists, identifiers and model paths. Knows nothing about forms."""
