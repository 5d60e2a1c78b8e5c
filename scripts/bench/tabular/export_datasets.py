"""Exports scikit-learn's bundled data sets to CSV for the tabular bench (no download: they ship with it).

    scripts/bench/tabular/venv.sh
    .venv/tabular/bin/python scripts/bench/tabular/export_datasets.py [--out .cache/bench-tabular]

For each of breast_cancer (569 x 30, 2 classes), wine (178 x 13, 3 classes), digits (1797 x 64,
10 classes) and diabetes (442 x 10, a regression; raw units, `scaled=False`) it writes

    <out>/<name>.csv          every row: the features, then the label column `target`
    <out>/<name>.train.csv    the training rows   (one split, the same for both peers: pass them to
    <out>/<name>.test.csv     the test rows        `--from` / `--test` and to sklearn_peer.py)

The split holds out 20% with train_test_split(random_state=0), stratified for the classifications. The
directory is git-ignored; the bench makes it, the repository never holds these files. One JSON line per
data set is printed: {"dataset", "task", "rows", "features", "classes", "train", "test", "dir"}.
"""

import argparse
import csv
import json
import os

from sklearn import datasets
from sklearn.model_selection import train_test_split

SETS = {
    "breast_cancer": (lambda: datasets.load_breast_cancer(), "classification"),
    "wine": (lambda: datasets.load_wine(), "classification"),
    "digits": (lambda: datasets.load_digits(), "classification"),
    "diabetes": (lambda: datasets.load_diabetes(scaled=False), "regression"),
}
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def write(path, header, x, y, task):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [int(label) if task == "classification" else repr(float(label))])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, ".cache", "bench-tabular"))
    ap.add_argument("--test-split", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name, (load, task) in SETS.items():
        d = load()
        header = [str(n) for n in d.feature_names] + ["target"]
        x, y = d.data, d.target
        xtr, xte, ytr, yte = train_test_split(
            x, y, test_size=a.test_split, random_state=a.seed, stratify=y if task == "classification" else None
        )
        write(os.path.join(a.out, f"{name}.csv"), header, x, y, task)
        write(os.path.join(a.out, f"{name}.train.csv"), header, xtr, ytr, task)
        write(os.path.join(a.out, f"{name}.test.csv"), header, xte, yte, task)
        print(
            json.dumps(
                {
                    "dataset": name,
                    "task": task,
                    "rows": len(y),
                    "features": x.shape[1],
                    "classes": int(len(set(y))) if task == "classification" else None,
                    "train": len(ytr),
                    "test": len(yte),
                    "dir": a.out,
                }
            )
        )


if __name__ == "__main__":
    main()
