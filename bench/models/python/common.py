"""Loads the data bench/models/data.ts wrote (row-major float64, label last, NaN = missing)."""
import json
import os
import sys

import numpy as np


def load(directory):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    width = len(meta["features"]) + 1

    def part(name, rows):
        data = np.fromfile(os.path.join(directory, f"{name}.f64"), dtype="<f8").reshape(rows, width)
        return np.ascontiguousarray(data[:, :-1]), np.ascontiguousarray(data[:, -1])

    x_train, y_train = part("train", meta["trainRows"])
    x_test, y_test = part("test", meta["testRows"])
    return meta, x_train, y_train, x_test, y_test


def report(result):
    """One JSON object on stdout: the TypeScript side reads it."""
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
