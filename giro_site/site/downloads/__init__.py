"""The data as downloads: formats, the per-year aggregates, the data dictionary."""
