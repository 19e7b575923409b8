"""scikit-learn LogisticRegression on the data bench/models/linear.bench.ts wrote.

Missing values are imputed with the training mean of each feature (train and test alike), as
Tandem does. Writes test-set P(y = 1) to <dir>/sklearn_proba.f64 and one JSON line on stdout.

    python3 bench/models/python/sklearn_logreg.py <dir> --C 1.0
"""
import argparse
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

from common import load, report

parser = argparse.ArgumentParser()
parser.add_argument("directory")
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--max-iter", type=int, default=1000)
parser.add_argument("--tol", type=float, default=1e-4)
args = parser.parse_args()

meta, x_train, y_train, x_test, y_test = load(args.directory)

started = time.perf_counter()
means = np.nanmean(x_train, axis=0)
x_train = np.where(np.isnan(x_train), means, x_train)
x_test = np.where(np.isnan(x_test), means, x_test)
impute_seconds = time.perf_counter() - started

model = LogisticRegression(C=args.C, solver="lbfgs", max_iter=args.max_iter, tol=args.tol)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    started = time.perf_counter()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - started
converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)

proba = model.predict_proba(x_test)[:, 1]
proba.astype("<f8").tofile(f"{args.directory}/sklearn_proba.f64")
report({
    "sklearn": sklearn.__version__,
    "imputeSeconds": impute_seconds,
    "fitSeconds": fit_seconds,
    "iterations": int(model.n_iter_[0]),
    "converged": converged,
    "coef": model.coef_[0].tolist(),
    "intercept": float(model.intercept_[0]),
    "auc": float(roc_auc_score(y_test, proba)),
    "logLoss": float(log_loss(y_test, proba)),
})
