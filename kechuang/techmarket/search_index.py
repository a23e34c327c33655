"""Where the technology market gets its search engine: kept for older imports. The index lifecycle
(index root, building, incremental updates, ``engine_for``) lives in ``kechuang.techmarket.catalogue``
alone; this module only re-exports it and imports nothing back."""
from __future__ import annotations

from kechuang.techmarket.catalogue import CSL_CATALOGUE, engine_for, index_root

__all__ = ["CSL_CATALOGUE", "engine_for", "index_root"]
