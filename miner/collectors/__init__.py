"""Collectors: one module per source, each yielding ``Evidence`` with provenance."""
