"""Scoring helpers for development and quality gates (benchmarks/, tests/). No heavy imports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a clustering, averaged over items.

    For an item, precision is the share of its predicted cluster that shares its gold cluster,
    and recall the share of its gold cluster that shares its predicted cluster (Bagga and
    Baldwin 1998; Amigo et al. 2009). Labels are compared only for equality, within each list.
    F1 is the harmonic mean of the two averages.
    """
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted labels but {len(gold)} gold labels")
    n = len(gold)
    if n == 0:
        raise ValueError("cannot score an empty clustering")
    pred_size = Counter(predicted)
    gold_size = Counter(gold)
    # the c items in both predicted cluster p and gold cluster g each score c/|p| and c/|g|
    both = Counter(zip(predicted, gold, strict=True))
    precision = sum(c * c / pred_size[p] for (p, _), c in both.items()) / n
    recall = sum(c * c / gold_size[g] for (_, g), c in both.items()) / n
    f1 = 2 * precision * recall / (precision + recall)
    return precision, recall, f1
