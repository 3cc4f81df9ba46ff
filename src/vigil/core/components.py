"""Connected components named by their smallest id: the networks of the graph and one-pass template clusters."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def smallest_in_component(ids: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For rows 0..len(ids)-1 joined by the edges (a[i], b[i]) (row numbers): the smallest id in each row's
    component, so a component keeps its name whatever the order the edges came in."""
    n = len(ids)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    smallest = np.full(label.max() + 1 if n else 0, np.iinfo(np.int64).max)
    np.minimum.at(smallest, label, ids)
    return smallest[label]
