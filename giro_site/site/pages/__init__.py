"""Rendering pages: page contexts, tables, charts, listings, region pages, the Jinja2 environment."""
