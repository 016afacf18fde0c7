"""Datasets that work offline, and small tools to prepare them.

Real data, all shipped with a package (nothing is downloaded):

* :func:`load_iris`, :func:`load_digits`, :func:`load_breast_cancer` from scikit-learn;
* :func:`load_fashion_mnist`: a class-balanced sample of Fashion-MNIST (6,000 training and
  1,000 test images) stored in ``dlmath/data/`` with its MIT licence and the script that
  made it.

Synthetic data, seeded by ``rng``: :func:`make_blobs`, :func:`make_spirals`, :func:`make_xor`.

Preparation: :func:`one_hot`, :func:`train_test_split`, :func:`standardize`.

Every loader returns a :class:`Dataset`, which unpacks like a pair: ``X, y = load_iris()``.
``X`` has one row per example (the batch dimension comes first, as everywhere in the
course) and ``y`` holds integer class labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from dlmath.validation import as_array, as_rng, check_int, check_number, check_same_length

__all__ = [
    "FASHION_MNIST_CLASSES",
    "Dataset",
    "load_breast_cancer",
    "load_digits",
    "load_fashion_mnist",
    "load_iris",
    "make_blobs",
    "make_spirals",
    "make_xor",
    "one_hot",
    "standardize",
    "train_test_split",
]

DATA_DIR = Path(__file__).with_name("data")
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    """Examples ``X`` (one per row), integer labels ``y``, and what they mean."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    description: str = ""
    images: np.ndarray | None = field(default=None, repr=False)

    def __iter__(self):
        """Unpack as ``X, y = dataset``."""
        return iter((self.X, self.y))

    def __repr__(self) -> str:
        return f"Dataset(X: {self.X.shape}, y: {self.y.shape}, {len(self.target_names)} classes)"


def _from_sklearn(bunch, description: str, images: bool = False) -> Dataset:
    return Dataset(
        X=np.asarray(bunch.data, dtype=float),
        y=np.asarray(bunch.target, dtype=np.int64),
        feature_names=tuple(str(n) for n in getattr(bunch, "feature_names", ())),
        target_names=tuple(str(n) for n in bunch.target_names),
        description=description,
        images=np.asarray(bunch.images, dtype=float) if images else None,
    )


def load_iris() -> Dataset:
    """Fisher's iris flowers: 150 examples, 4 measurements (cm), 3 species (50 each)."""
    from sklearn.datasets import load_iris as sk_load

    return _from_sklearn(sk_load(), "Iris flowers (Fisher, 1936), via scikit-learn")


def load_digits() -> Dataset:
    """Handwritten digits: 1,797 images of 8x8 pixels with values 0-16, flattened to 64 features.

    The unflattened images are in ``.images`` (shape ``(1797, 8, 8)``).
    """
    from sklearn.datasets import load_digits as sk_load

    return _from_sklearn(sk_load(), "Optical handwritten digits (UCI), via scikit-learn", images=True)


def load_breast_cancer() -> Dataset:
    """Breast cancer Wisconsin (diagnostic): 569 examples, 30 features, 2 classes (0 malignant, 1 benign)."""
    from sklearn.datasets import load_breast_cancer as sk_load

    return _from_sklearn(sk_load(), "Breast cancer Wisconsin (diagnostic), via scikit-learn")


@cache
def _fashion_arrays() -> dict[str, np.ndarray]:
    with np.load(DATA_DIR / "fashion_mnist_subset.npz") as archive:
        return {name: archive[name] for name in archive.files}


def load_fashion_mnist(split: str = "train", *, size: int = 28, flatten: bool = True, dtype=np.float64) -> Dataset:
    """The shipped Fashion-MNIST sample: 6,000 ``"train"`` or 1,000 ``"test"`` images, 10 classes.

    Pixels are scaled to [0, 1]. ``size=14`` halves the resolution by averaging each 2x2
    block of pixels (196 features instead of 784), which keeps the clothing recognisable and
    makes training four times cheaper. With ``flatten`` each image is a row of ``X``;
    the images themselves are always in ``.images`` with shape ``(n, size, size)``.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    if size not in (28, 14):
        raise ValueError(f"size must be 28 (full resolution) or 14 (2x2 averaged); got {size!r}")
    arrays = _fashion_arrays()
    images = arrays[f"{split}_images"].astype(dtype) / 255.0
    if size == 14:
        images = images.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4))
    X = images.reshape(len(images), -1) if flatten else images
    return Dataset(
        X=X,
        y=arrays[f"{split}_labels"].astype(np.int64),
        feature_names=tuple(f"pixel_{i}" for i in range(size * size)),
        target_names=FASHION_MNIST_CLASSES,
        description=f"Fashion-MNIST sample ({split}, {size}x{size}); (c) 2017 Zalando SE, MIT licence",
        images=images,
    )


def make_blobs(
    n_per_class: int = 100,
    centers=((-2.0, -2.0), (2.0, 2.0), (-2.0, 2.0)),
    *,
    std: float = 1.0,
    rng=None,
) -> Dataset:
    """Gaussian clusters: ``n_per_class`` points around each centre, with standard deviation ``std``.

    Class ``k`` is drawn from the normal distribution N(centers[k], std^2 I).
    """
    n_per_class = check_int(n_per_class, "n_per_class", low=1)
    centers = as_array(centers, "centers", ndim=2)
    std = check_number(std, "std", low=0.0)
    rng = as_rng(rng)
    k, d = centers.shape
    X = np.repeat(centers, n_per_class, axis=0) + std * rng.standard_normal((k * n_per_class, d))
    y = np.repeat(np.arange(k), n_per_class)
    return Dataset(X=X, y=y, feature_names=tuple(f"x{i}" for i in range(d)), target_names=tuple(map(str, range(k))), description="Gaussian blobs")


def make_spirals(n_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2, turns: float = 1.0, rng=None) -> Dataset:
    """Interleaved spiral arms in the plane: a classic data set no straight line can separate.

    Arm ``k`` is the curve r(t) = t, angle(t) = 2 pi (turns t + k / n_classes) for t in
    [0, 1], with Gaussian noise of standard deviation ``noise`` added to the angle.
    """
    n_per_class = check_int(n_per_class, "n_per_class", low=1)
    n_classes = check_int(n_classes, "n_classes", low=2)
    noise = check_number(noise, "noise", low=0.0)
    turns = check_number(turns, "turns", low=0.0, low_inclusive=False)
    rng = as_rng(rng)
    t = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    angle = 2 * np.pi * (turns * t + y / n_classes) + noise * rng.standard_normal(t.size)
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    return Dataset(X=X, y=y, feature_names=("x0", "x1"), target_names=tuple(map(str, range(n_classes))), description="Spirals")


def make_xor(n: int = 200, *, noise: float = 0.1, rng=None) -> Dataset:
    """Points in the four corners of a square, labelled by XOR of the signs: y = [x0 > 0] != [x1 > 0]."""
    n = check_int(n, "n", low=1)
    noise = check_number(noise, "noise", low=0.0)
    rng = as_rng(rng)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    y = ((corners[:, 0] > 0) != (corners[:, 1] > 0)).astype(np.int64)
    return Dataset(X=X, y=y, feature_names=("x0", "x1"), target_names=("0", "1"), description="XOR")


def one_hot(y, n_classes: int | None = None) -> np.ndarray:
    """Integer labels to one-hot rows: ``Y[i, y[i]] = 1`` and every other entry 0.

    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    labels = as_array(y, "y", ndim=1, dtype=float)
    if not np.all(labels == np.round(labels)) or (labels < 0).any():
        raise ValueError("y must hold non-negative integer class labels")
    labels = labels.astype(np.int64)
    n_classes = int(labels.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes", low=1)
    if labels.max() >= n_classes:
        raise ValueError(f"y has label {labels.max()} but n_classes is {n_classes} (labels must be 0 .. {n_classes - 1})")
    Y = np.zeros((labels.size, n_classes))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def train_test_split(X, y, *, test_fraction: float = 0.25, rng=None, stratify: bool = True):
    """Split examples into a training and a test set: ``X_train, X_test, y_train, y_test``.

    With ``stratify`` each class keeps (to within one example) the same share in both sets.
    """
    X = as_array(X, "X", ndim=(1, 2))
    y = np.asarray(y)
    check_same_length(X, y, "X", "y")
    test_fraction = check_number(test_fraction, "test_fraction", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    rng = as_rng(rng)
    if stratify:
        test = np.concatenate(
            [rng.permutation(idx)[: int(round(test_fraction * idx.size))] for idx in (np.flatnonzero(y == c) for c in np.unique(y))]
        )
    else:
        test = rng.permutation(len(X))[: int(round(test_fraction * len(X)))]
    is_test = np.zeros(len(X), dtype=bool)
    is_test[test] = True
    train_idx, test_idx = rng.permutation(np.flatnonzero(~is_test)), rng.permutation(np.flatnonzero(is_test))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def standardize(X_train, *others):
    """Scale features to mean 0 and standard deviation 1, using the training set's statistics.

    Returns the standardised training set followed by each array of ``others`` transformed
    with the same mean and standard deviation (the test set must not leak into them).
    Constant features are centred and left unscaled.
    """
    X_train = as_array(X_train, "X_train", ndim=2)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    results = [(X_train - mean) / std]
    for i, other in enumerate(others):
        other = as_array(other, f"others[{i}]", ndim=2)
        if other.shape[1] != X_train.shape[1]:
            raise ValueError(f"others[{i}] has {other.shape[1]} features but X_train has {X_train.shape[1]}")
        results.append((other - mean) / std)
    return results[0] if not others else tuple(results)
