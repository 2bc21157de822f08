"""Goal Attainment Scaling summary score (Kiresuk and Sherman, 1968). Pure arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from math import sqrt

DEFAULT_RHO = 0.3


def gas_t_score(
    scores: Sequence[int], weights: Sequence[int] | None = None, rho: float = DEFAULT_RHO
) -> float | None:
    """T = 50 + 10·Σwᵢxᵢ / √((1-ρ)Σwᵢ² + ρ(Σwᵢ)²). None when there are no scores."""
    if not scores:
        return None
    weights = list(weights) if weights is not None else [1] * len(scores)
    if len(weights) != len(scores):
        raise ValueError("one weight per score")
    numerator = sum(w * x for w, x in zip(weights, scores, strict=True))
    denominator = sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    return 50 + 10 * numerator / denominator
