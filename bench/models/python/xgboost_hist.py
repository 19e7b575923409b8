"""xgboost (tree_method hist) on the data bench/models/data.ts wrote; fit time only.

Usage: xgboost_hist.py DIR ROUNDS MAX_DEPTH LEARNING_RATE LAMBDA MIN_CHILD_WEIGHT NTHREAD
"""
import sys
import time

import numpy as np
import xgboost as xgb
from sklearn.metrics import log_loss, roc_auc_score

from common import load, report


def main():
    directory = sys.argv[1]
    rounds, depth = int(sys.argv[2]), int(sys.argv[3])
    learning_rate, lam, min_child_weight = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    nthread = int(sys.argv[7])
    meta, x_train, y_train, x_test, y_test = load(directory)
    # Base score from the label mean, as Tandem does (xgboost 1.7 defaults to 0.5).
    base = float(np.clip(y_train.mean(), 1e-6, 1 - 1e-6))
    params = {
        "objective": "binary:logistic",
        "tree_method": "hist",
        "max_bin": 256,
        "max_depth": depth,
        "eta": learning_rate,
        "lambda": lam,
        "alpha": 0.0,
        "min_child_weight": min_child_weight,
        "gamma": 0.0,
        "nthread": nthread,
        "base_score": base,
        "eval_metric": "logloss",
    }
    start, cpu_start = time.perf_counter(), time.process_time()
    # DMatrix construction (quantile sketch) is part of training: Tandem bins inside fit too.
    train = xgb.DMatrix(x_train, label=y_train, missing=np.nan, nthread=nthread)
    booster = xgb.train(params, train, num_boost_round=rounds)
    fit_seconds = time.perf_counter() - start
    # CPU time of all the process's threads: less sensitive than wall time to a busy machine.
    fit_cpu_seconds = time.process_time() - cpu_start
    proba = booster.predict(xgb.DMatrix(x_test, missing=np.nan, nthread=nthread))
    report({
        "library": f"xgboost {xgb.__version__}",
        "fitSeconds": fit_seconds,
        "fitCpuSeconds": fit_cpu_seconds,
        "auc": float(roc_auc_score(y_test, proba)),
        "logLoss": float(log_loss(y_test, np.clip(proba, 1e-15, 1 - 1e-15))),
    })


if __name__ == "__main__":
    main()
