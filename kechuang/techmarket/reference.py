"""Reference data of the technology market, loaded after every migrate (idempotent)."""
from __future__ import annotations


def load_reference_data() -> None:
    """Load the shipped CSL catalogue as published achievements marked with source ``CSL``."""
    from .services import catalogue_load_csl
    catalogue_load_csl()
