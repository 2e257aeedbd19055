"""Measuring: synthetic corpora from the forms' facts, the build benchmark, the browser benchmark."""
