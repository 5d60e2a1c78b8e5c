"""The scikit-learn peer of the tabular bench: MLPClassifier / MLPRegressor trained with one of our trial
configs on the same train/test files our side uses, one JSON line per seed, then one with the means.

    .venv/tabular/bin/python scripts/bench/tabular/sklearn_peer.py \
        --train .cache/bench-tabular/wine.train.csv --test .cache/bench-tabular/wine.test.csv \
        --label target [--task classification|regression] --seeds 0,1,2 \
        --config '{"layers": "13-32-3", "activation": "relu", "optimizer": "adam",
                   "learning_rate": 0.001, "batch_size": 32, "epochs": 50}'

Preprocessing as `sweep data prepare` does it (fitted on the training rows): columns constant in training
dropped, numbers imputed with the median and standardised, text one-hot (min_frequency 5, rare ones
pooled), a regression target standardised for training (TransformedTargetRegressor) and the metrics in
its own units. `layers[0]` must equal the width this gives (it is printed as `inputs`).

Config mapping (our trial-config keys -> scikit-learn): layers[1:-1] -> hidden_layer_sizes; activation
relu|tanh|sigmoid -> relu|tanh|logistic; optimizer adam|sgd -> solver (beta1, beta2, epsilon; momentum,
nesterov); learning_rate -> learning_rate_init (constant schedule); batch_size; epochs -> max_iter with
early stopping off (n_iter_no_change > epochs, tol 0) so every epoch runs; l2 -> alpha = l2 * batch_size
(scikit-learn divides its L2 term by the batch size; ours adds l2*W to the mean-loss gradient); seed ->
random_state. Not expressible in scikit-learn, refused: rmsprop, leaky_relu, dropout, weight_decay,
schedules other than constant. Differences that remain: scikit-learn trains on every training row (no
validation hold-out) and draws its own Glorot-uniform initial weights. BLAS runs on one thread (a Lambda
worker of 1769 MB has one vCPU); `fit_s` is the wall time of fit().
"""

import argparse
import csv
import json
import math
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, mean_squared_error, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"}
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}


def fail(msg):
    print(json.dumps({"ok": False, "error": msg}))
    sys.exit(2)


def read_csv(path, label):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    if label not in header:
        fail(f"{path}: no column {label!r}; the columns are {header}")
    j = header.index(label)
    features = [h for h in header if h != label]
    cols = {h: [r[i].strip() for r in body] for i, h in enumerate(header)}
    return features, cols, cols[label]


def as_numbers(values):
    try:
        return np.array([math.nan if v in MISSING else float(v) for v in values])
    except ValueError:
        return None


def matrix(features, cols, numeric):
    out = []
    for h in features:
        out.append(as_numbers(cols[h]) if h in numeric else np.array([v if v not in MISSING else np.nan for v in cols[h]], dtype=object))
    return np.array(list(zip(*out)), dtype=object)


def preprocessing(features, numeric):
    num = [i for i, h in enumerate(features) if h in numeric]
    cat = [i for i, h in enumerate(features) if h not in numeric]
    parts = []
    if num:
        parts.append(("num", make_pipeline(SimpleImputer(strategy="median"), VarianceThreshold(0.0), StandardScaler()), num))
    if cat:
        onehot = OneHotEncoder(min_frequency=5, handle_unknown="infrequent_if_exist", sparse_output=False)
        parts.append(("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), onehot), cat))
    return ColumnTransformer(parts)


def model(config, task, seed, n_outputs):
    layers = config["layers"]
    layers = [int(v) for v in (layers.split("-") if isinstance(layers, str) else layers)]
    for key in ("dropout", "weight_decay"):
        if config.get(key, 0):
            fail(f"config.{key}: scikit-learn's MLP has no {key}; set it to 0 for the peer run")
    if config.get("lr_schedule", {"type": "constant"}).get("type") != "constant":
        fail("config.lr_schedule: only the constant schedule maps onto scikit-learn")
    activation = config.get("activation", "relu")
    if isinstance(activation, list) or activation not in ACTIVATIONS:
        fail(f"config.activation: expected one of {sorted(ACTIVATIONS)} for every layer, found {activation!r}")
    optimizer = config.get("optimizer", "adam")
    if optimizer not in ("adam", "sgd"):
        fail(f"config.optimizer: scikit-learn has adam and sgd, found {optimizer!r}")
    batch = int(config.get("batch_size", 64))
    epochs = int(config.get("epochs", 5))
    common = dict(
        hidden_layer_sizes=tuple(layers[1:-1]),
        activation=ACTIVATIONS[activation],
        solver=optimizer,
        alpha=float(config.get("l2", 0)) * batch,
        batch_size=batch,
        learning_rate="constant",
        learning_rate_init=float(config.get("learning_rate", 1e-3)),
        max_iter=epochs,
        shuffle=True,
        random_state=seed,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
        beta_1=float(config.get("beta1", 0.9)),
        beta_2=float(config.get("beta2", 0.999)),
        epsilon=float(config.get("epsilon", 1e-8)),
        momentum=float(config.get("momentum", 0)),
        nesterovs_momentum=bool(config.get("nesterov", False)),
    )
    if layers[-1] != n_outputs:
        fail(f"config.layers: the last layer has {layers[-1]} units; this {task} needs {n_outputs}")
    if task == "classification":
        return layers, MLPClassifier(**common)
    return layers, TransformedTargetRegressor(regressor=MLPRegressor(**common), transformer=StandardScaler())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--label", default="target")
    ap.add_argument("--task", choices=["classification", "regression"])
    ap.add_argument("--config", required=True, help="a trial config as JSON (our keys)")
    ap.add_argument("--seeds", default="0", help="comma-separated seeds, e.g. 0,1,2")
    a = ap.parse_args()
    config = json.loads(a.config)
    features, tr_cols, tr_y = read_csv(a.train, a.label)
    _, te_cols, te_y = read_csv(a.test, a.label)
    numeric = {h for h in features if as_numbers(tr_cols[h]) is not None and as_numbers(te_cols[h]) is not None}
    y_num = as_numbers(tr_y)
    task = a.task or ("classification" if y_num is not None and np.all(y_num == np.round(y_num)) and len(set(y_num)) <= 20 else "regression")
    pre = preprocessing(features, numeric)
    xtr = pre.fit_transform(matrix(features, tr_cols, numeric)).astype(np.float64)
    xte = pre.transform(matrix(features, te_cols, numeric)).astype(np.float64)
    if task == "classification":
        classes = sorted(set(tr_y), key=lambda v: (float(v) if as_numbers([v]) is not None else math.inf, v))
        ytr, yte, n_out = np.array(tr_y), np.array(te_y), len(classes)
    else:
        ytr, yte, n_out = as_numbers(tr_y), as_numbers(te_y), 1
    layers = config.get("layers", "")
    widths = [int(v) for v in (layers.split("-") if isinstance(layers, str) else layers)] if layers else []
    if not widths or widths[0] != xtr.shape[1]:
        fail(f"config.layers: layers[0] must be the input width after preprocessing, {xtr.shape[1]}; found {layers!r}")
    lines = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        widths, net = model(config, task, seed, n_out)
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            net.fit(xtr, ytr)
            fit_s = time.perf_counter() - t0
        inner = net.regressor_ if task == "regression" else net
        line = {
            "peer": "scikit-learn",
            "sklearn": sklearn.__version__,
            "dataset": a.train,
            "task": task,
            "seed": seed,
            "layers": "-".join(str(w) for w in widths),
            "inputs": xtr.shape[1],
            "train": len(ytr),
            "test": len(yte),
            "epochs_run": int(inner.n_iter_),
            "fit_s": round(fit_s, 4),
            "threads": 1,
        }
        if task == "classification":
            line["test_accuracy"] = float(accuracy_score(yte, net.predict(xte)))
            line["test_loss"] = float(log_loss(yte, net.predict_proba(xte), labels=net.classes_))
        else:
            pred = net.predict(xte)
            line["test_rmse"] = float(math.sqrt(mean_squared_error(yte, pred)))
            line["test_mae"] = float(mean_absolute_error(yte, pred))
            line["test_r2"] = float(r2_score(yte, pred))
        print(json.dumps(line), flush=True)
        lines.append(line)
    metrics = ["test_accuracy", "test_loss"] if task == "classification" else ["test_rmse", "test_mae", "test_r2"]
    summary = {"peer": "scikit-learn", "dataset": a.train, "task": task, "seeds": len(lines), "fit_s_mean": statistics.mean(l["fit_s"] for l in lines)}
    for m in metrics:
        values = [l[m] for l in lines]
        summary[f"{m}_mean"] = statistics.mean(values)
        summary[f"{m}_std"] = statistics.pstdev(values)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
