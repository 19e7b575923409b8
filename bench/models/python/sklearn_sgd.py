"""scikit-learn SGDClassifier(loss='log_loss') learning a stream prequentially with partial_fit.

Reads the stream bench/models/data.ts wrote (train then test = the rows in time order, already
scaled and imputed by the TypeScript side, so both learners see the same numbers). For each
mini-batch size: score the batch with the current model (decision_function; 0 before the first
update), then partial_fit on it. Writes the scores to DIR/sgd_scores_SETTING_BATCH.f64 so the TypeScript side
computes the AUC with the same function as for FTRL.

Settings (the learning-rate schedule is what matters on a stream; all else is scikit-learn's default):
  default     SGDClassifier(loss='log_loss'): learning_rate='optimal', alpha=1e-4
  invscaling  learning_rate='invscaling', eta0=0.01, power_t=0.25
  constant    learning_rate='constant', eta0=0.01

Usage: sklearn_sgd.py DIR SETTINGS BATCHES   (comma-separated lists, e.g. default,constant 1,32)
"""
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import SGDClassifier

from common import load, report


SETTINGS = {
    "default": {},
    "invscaling": {"learning_rate": "invscaling", "eta0": 0.01, "power_t": 0.25},
    "constant": {"learning_rate": "constant", "eta0": 0.01},
}


def prequential(x, y, batch, setting):
    model = SGDClassifier(loss="log_loss", random_state=0, **SETTINGS[setting])
    classes = np.array([0.0, 1.0])
    scores = np.zeros(len(y))
    fit_seconds = 0.0
    start = time.perf_counter()
    fitted = False
    for begin in range(0, len(y), batch):
        end = min(begin + batch, len(y))
        xb, yb = x[begin:end], y[begin:end]
        if fitted:
            scores[begin:end] = model.decision_function(xb)
        t0 = time.perf_counter()
        model.partial_fit(xb, yb, classes=classes)
        fit_seconds += time.perf_counter() - t0
        fitted = True
    total_seconds = time.perf_counter() - start
    return scores, fit_seconds, total_seconds


def main():
    directory = sys.argv[1]
    settings = sys.argv[2].split(",")
    batches = [int(b) for b in sys.argv[3].split(",")]
    _meta, x_train, y_train, x_test, y_test = load(directory)
    x = np.ascontiguousarray(np.vstack([x_train, x_test]))
    y = np.concatenate([y_train, y_test])
    if np.isnan(x).any():
        raise SystemExit("sklearn_sgd.py expects imputed data (no NaN)")
    runs = []
    for setting in settings:
        for batch in batches:
            scores, fit_seconds, total_seconds = prequential(x, y, batch, setting)
            scores.astype("<f8").tofile(os.path.join(directory, f"sgd_scores_{setting}_{batch}.f64"))
            runs.append({"setting": setting, "batch": batch, "fitSeconds": fit_seconds, "totalSeconds": total_seconds})
    report({"library": f"scikit-learn {sklearn.__version__}", "rows": int(len(y)), "runs": runs})


if __name__ == "__main__":
    main()
