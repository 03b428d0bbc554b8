"""Logistic regression with per-weight sign bounds (L-BFGS-B on sparse data).

scikit-learn's LogisticRegression cannot keep a weight on one side of zero;
this fit can, so each dense feature keeps the sign its
:class:`mtdetect.features.FeatureSpec` allows. The objective matches
scikit-learn's: ``C * sum(w_i * logloss_i) + ||coef||^2 / 2`` (intercept not
penalised).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, minimize
from scipy.special import expit, log_expit

MAX_ITERATIONS = 500


def balanced_weights(labels: np.ndarray) -> np.ndarray:
    """Sample weights giving each class the same total weight.

    >>> balanced_weights(np.array([0, 1, 1, 1])).tolist()
    [2.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666]
    """
    counts = np.bincount(labels, minlength=2).astype(np.float64)
    return (len(labels) / (2 * counts))[labels]


def family_balanced_weights(labels: np.ndarray, families: Sequence[str]) -> np.ndarray:
    """Sample weights: classes equal in total; within a class, each family of rows
    (how the row was made: round trip, garbler, MQM, seed...) weighs in proportion
    to the square root of its size, so a large source cannot drown a small real one.

    >>> w = family_balanced_weights(np.array([0, 0, 1, 1, 1, 1, 1]), ["o", "o", "a", "a", "a", "a", "b"])
    >>> round(float(w[:2].sum()), 6) == round(float(w[2:].sum()), 6)
    True
    >>> bool(w[6] > w[2])
    True
    """
    weights = np.zeros(len(labels), dtype=np.float64)
    keys = list(zip(labels.tolist(), families))
    counts: dict[tuple[int, str], int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    for i, key in enumerate(keys):
        weights[i] = 1.0 / np.sqrt(counts[key])
    for label in (0, 1):
        mask = labels == label
        if mask.any():
            weights[mask] *= (len(labels) / 2) / weights[mask].sum()
    return weights


def fit_logistic(
    x: sp.csr_matrix,
    labels: np.ndarray,
    c: float,
    directions: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Fit weights and intercept; weight j stays >= 0 if directions[j] > 0, <= 0 if < 0.

    >>> x = sp.csr_matrix(np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    >>> coef, b = fit_logistic(x, np.array([0, 1, 0, 1]), 10.0, np.array([-1, 0]))
    >>> bool(coef[0] == 0.0 and coef[1] < 0)
    True
    """
    n, d = x.shape
    y = np.where(labels == 1, 1.0, -1.0)
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    xt = x.T.tocsr()

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        coef, intercept = params[:d], params[d]
        margin = y * (x @ coef + intercept)
        loss = -np.dot(weight, log_expit(margin))
        grad_margin = -weight * y * expit(-margin)
        grad = np.empty(d + 1)
        grad[:d] = c * (xt @ grad_margin) + coef
        grad[d] = c * grad_margin.sum()
        return c * loss + 0.5 * np.dot(coef, coef), grad

    signs = np.concatenate([directions, np.zeros(d - len(directions) + 1)])  # + the intercept
    bounds = Bounds(np.where(signs > 0, 0.0, -np.inf), np.where(signs < 0, 0.0, np.inf))
    result = minimize(
        objective, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": MAX_ITERATIONS},
    )
    return result.x[:d], float(result.x[d])


def fit_logistic_on_present_columns(
    x: sp.csr_matrix,
    labels: np.ndarray,
    c: float,
    directions: np.ndarray,
    sample_weight: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """:func:`fit_logistic` on the columns that occur in ``x`` (and are in ``keep``), expanded back.

    A column no row uses gets weight 0 either way, so leaving it out gives the
    same fit in less time and memory. The first ``len(directions)`` (dense)
    columns always stay.

    >>> x = sp.csr_matrix(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))
    >>> coef, b = fit_logistic_on_present_columns(x, np.array([0, 1, 0, 1]), 10.0, np.array([0]))
    >>> coef.shape, bool(coef[2] == 0.0 and coef[1] < 0)
    ((3,), True)
    """
    x = x.tocsr()
    used_mask = np.zeros(x.shape[1], dtype=bool)
    used_mask[np.unique(x.indices)] = True
    used_mask[: len(directions)] = True
    if keep is not None:
        kept = np.zeros(x.shape[1], dtype=bool)
        kept[keep] = True
        used_mask &= kept
    used = np.flatnonzero(used_mask)
    signs = np.zeros(x.shape[1])
    signs[: len(directions)] = directions
    coef, intercept = fit_logistic(x[:, used].tocsr(), labels, c, signs[used], sample_weight)
    full = np.zeros(x.shape[1])
    full[used] = coef
    return full, intercept
