"""scikit-learn HistGradientBoostingClassifier on the data bench/models/data.ts wrote; fit time only.

Usage: sklearn_hgb.py DIR ROUNDS MAX_DEPTH LEARNING_RATE LAMBDA MIN_CHILD_WEIGHT NTHREAD
(sklearn grows leaf-wise: max_leaf_nodes = 2**depth and max_depth = depth make it reach the same
tree size; lambda maps to l2_regularization; min_child_weight has no public counterpart, so
min_samples_leaf keeps sklearn's default of 20; max_bins 255 (+ a missing bin) is sklearn's
maximum; no early stopping; threads come from OMP_NUM_THREADS.)
"""
import os
import sys

if len(sys.argv) > 7:
    os.environ["OMP_NUM_THREADS"] = sys.argv[7]

import time  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.metrics import log_loss, roc_auc_score  # noqa: E402

from common import load, report  # noqa: E402


def main():
    directory = sys.argv[1]
    rounds, depth = int(sys.argv[2]), int(sys.argv[3])
    learning_rate, lam = float(sys.argv[4]), float(sys.argv[5])
    meta, x_train, y_train, x_test, y_test = load(directory)
    model = HistGradientBoostingClassifier(
        max_iter=rounds,
        max_depth=depth,
        max_leaf_nodes=2 ** depth,
        learning_rate=learning_rate,
        l2_regularization=lam,
        min_samples_leaf=20,
        max_bins=255,
        early_stopping=False,
        random_state=0,
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - start
    # CPU time of all the process's threads: less sensitive than wall time to a busy machine.
    fit_cpu_seconds = time.process_time() - cpu_start
    proba = model.predict_proba(x_test)[:, 1]
    report({
        "library": f"scikit-learn {sklearn.__version__}",
        "fitSeconds": fit_seconds,
        "fitCpuSeconds": fit_cpu_seconds,
        "auc": float(roc_auc_score(y_test, proba)),
        "logLoss": float(log_loss(y_test, np.clip(proba, 1e-15, 1 - 1e-15))),
    })


if __name__ == "__main__":
    main()
