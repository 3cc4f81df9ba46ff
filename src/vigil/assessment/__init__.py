"""Assessment: the indicator catalogue (data files) and the engine that reads signals and ads with it.

Public API: `assess(record_or_text, language="")`, `catalogue.current()`, `catalogue.reload()`, `CatalogueError`.
"""

from vigil.assessment.catalogue import CatalogueError, current, reload
from vigil.assessment.engine import assess

__all__ = ["CatalogueError", "assess", "current", "reload"]
