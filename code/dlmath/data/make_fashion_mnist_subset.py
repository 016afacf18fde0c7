"""Make ``fashion_mnist_subset.npz``, the small Fashion-MNIST sample shipped with dlmath.

Where it comes from: Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; Zalando SE, MIT
licence, see ``LICENSE-fashion-mnist.txt``), as packaged by Debian in
``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``: the original IDX files).

What it keeps: a class-balanced random sample, 600 images of each of the 10 classes from
the official training set and 100 of each from the official test set, chosen with a fixed
seed, as 28x28 uint8 images. Run it again on the same files and it writes the same bytes:

    apt-get install dataset-fashion-mnist
    python code/dlmath/data/make_fashion_mnist_subset.py
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

import numpy as np

SOURCE = Path("/usr/share/datasets/fashion-mnist")
TARGET = Path(__file__).with_name("fashion_mnist_subset.npz")
PER_CLASS = {"train": 600, "test": 100}
SEED = 20170825  # the day Fashion-MNIST was published


def read_idx(path: Path) -> np.ndarray:
    """Read a gzipped IDX file (the MNIST format): a magic number, the dimensions, the bytes."""
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def balanced_sample(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` random examples of each class, in a shuffled order."""
    chosen = [rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False) for c in range(10)]
    return rng.permutation(np.concatenate(chosen))


def make_subset(source: Path = SOURCE) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    arrays = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx(source / f"{prefix}-images-idx3-ubyte.gz")
        labels = read_idx(source / f"{prefix}-labels-idx1-ubyte.gz")
        keep = balanced_sample(labels, PER_CLASS[split], rng)
        arrays[f"{split}_images"] = images[keep]
        arrays[f"{split}_labels"] = labels[keep]
    return arrays


def to_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The .npz file's bytes (compressed; deterministic for the same arrays)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder with the four IDX .gz files")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args()
    args.output.write_bytes(to_bytes(make_subset(args.source)))
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
