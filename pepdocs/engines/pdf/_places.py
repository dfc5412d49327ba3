"""A council's own fillable PDF: its fields found and mapped, values filled in, completed copies read back."""
