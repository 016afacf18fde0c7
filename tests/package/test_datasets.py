"""dlmath.datasets: offline loaders against scikit-learn, the shipped Fashion-MNIST sample, generators."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

from dlmath import datasets

FASHION_SOURCE = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize(
    "ours, theirs, shape, classes",
    [
        (datasets.load_iris, sklearn.datasets.load_iris, (150, 4), 3),
        (datasets.load_digits, sklearn.datasets.load_digits, (1797, 64), 10),
        (datasets.load_breast_cancer, sklearn.datasets.load_breast_cancer, (569, 30), 2),
    ],
)
def test_scikit_learn_loaders(ours, theirs, shape, classes):
    data, reference = ours(), theirs()
    X, y = data  # unpacks like a pair
    assert X.shape == shape and X.dtype == np.float64
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)
    assert len(data.target_names) == classes
    assert "Dataset(X: " in repr(data)


def test_digits_images():
    digits = datasets.load_digits()
    np.testing.assert_array_equal(digits.images.reshape(len(digits.X), -1), digits.X)


class TestFashionMnist:
    def test_shapes_and_balance(self):
        train, test = datasets.load_fashion_mnist("train"), datasets.load_fashion_mnist("test")
        assert train.X.shape == (6000, 784) and test.X.shape == (1000, 784)
        assert np.bincount(train.y).tolist() == [600] * 10 and np.bincount(test.y).tolist() == [100] * 10
        assert 0.0 <= train.X.min() and train.X.max() <= 1.0 and train.X.max() > 0.99
        assert train.target_names[9] == "Ankle boot"

    def test_half_resolution_averages_2x2_blocks(self):
        full = datasets.load_fashion_mnist("test", flatten=False)
        half = datasets.load_fashion_mnist("test", size=14)
        assert half.X.shape == (1000, 196)
        block = full.images[5, 10:12, 6:8].mean()
        assert half.images[5, 5, 3] == pytest.approx(block)

    def test_float32(self):
        assert datasets.load_fashion_mnist("test", dtype=np.float32).X.dtype == np.float32

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="split must be 'train' or 'test'; got 'valid'"):
            datasets.load_fashion_mnist("valid")
        with pytest.raises(ValueError, match="size must be 28"):
            datasets.load_fashion_mnist(size=7)

    @pytest.mark.skipif(not FASHION_SOURCE.exists(), reason="Debian's dataset-fashion-mnist is not installed")
    def test_the_shipped_file_is_what_the_script_makes(self, tmp_path):
        """Provenance: regenerating from Debian's files gives the same bytes as the shipped sample."""
        import importlib.util

        script = Path(datasets.__file__).with_name("data") / "make_fashion_mnist_subset.py"
        if not script.exists():  # an installed (non-editable) dlmath: the script stays in the repository
            script = Path(__file__).resolve().parents[2] / "code" / "dlmath" / "data" / "make_fashion_mnist_subset.py"
        spec = importlib.util.spec_from_file_location("make_subset", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        shipped = (Path(datasets.__file__).with_name("data") / "fashion_mnist_subset.npz").read_bytes()
        assert module.to_bytes(module.make_subset(FASHION_SOURCE)) == shipped


class TestGenerators:
    def test_blobs(self):
        X, y = datasets.make_blobs(500, centers=[[0, 0], [10, 0]], std=0.5, rng=0)
        assert X.shape == (1000, 2)
        np.testing.assert_allclose(X[y == 1].mean(axis=0), [10, 0], atol=0.1)
        np.testing.assert_allclose(X[y == 0].std(axis=0), [0.5, 0.5], atol=0.05)

    def test_seeded(self):
        a, b = datasets.make_spirals(rng=3), datasets.make_spirals(rng=3)
        np.testing.assert_array_equal(a.X, b.X)
        assert not np.array_equal(a.X, datasets.make_spirals(rng=4).X)

    def test_spirals_radius(self):
        X, y = datasets.make_spirals(50, 3, noise=0.0, rng=0)
        assert X.shape == (150, 2) and np.bincount(y).tolist() == [50, 50, 50]
        np.testing.assert_allclose(np.hypot(*X.T), np.tile(np.linspace(0, 1, 50), 3), atol=1e-12)

    def test_xor_labels(self):
        X, y = datasets.make_xor(400, noise=0.0, rng=1)
        np.testing.assert_array_equal(y, (X[:, 0] > 0) != (X[:, 1] > 0))

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="n_per_class must be at least 1"):
            datasets.make_blobs(0)
        with pytest.raises(ValueError, match="std must be at least 0"):
            datasets.make_blobs(std=-1)
        with pytest.raises(ValueError, match="n_classes must be at least 2"):
            datasets.make_spirals(n_classes=1)


class TestPreparation:
    def test_one_hot(self):
        np.testing.assert_array_equal(datasets.one_hot([1, 0, 2]), np.eye(3)[[1, 0, 2]])
        assert datasets.one_hot([0, 1], n_classes=4).shape == (2, 4)
        with pytest.raises(ValueError, match="label 3 but n_classes is 3"):
            datasets.one_hot([0, 3], n_classes=3)
        with pytest.raises(ValueError, match="non-negative integer"):
            datasets.one_hot([0.5])

    def test_split_is_stratified_and_complete(self):
        X, y = datasets.load_iris()
        X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_fraction=0.2, rng=0)
        assert len(X_test) == 30 and np.bincount(y_test).tolist() == [10, 10, 10]
        together = np.vstack([X_train, X_test])
        assert sorted(map(tuple, together)) == sorted(map(tuple, X))

    def test_split_bad_input(self):
        with pytest.raises(ValueError, match="X and y must have the same length"):
            datasets.train_test_split(np.zeros((4, 2)), np.zeros(3))
        with pytest.raises(ValueError, match="test_fraction must be less than 1"):
            datasets.train_test_split(np.zeros((4, 2)), np.zeros(4), test_fraction=1.0)

    def test_standardize_matches_scikit_learn(self):
        from sklearn.preprocessing import StandardScaler

        X, _ = datasets.load_breast_cancer()
        train, test = X[:400], X[400:]
        ours_train, ours_test = datasets.standardize(train, test)
        scaler = StandardScaler().fit(train)
        np.testing.assert_allclose(ours_train, scaler.transform(train))
        np.testing.assert_allclose(ours_test, scaler.transform(test))
        with pytest.raises(ValueError, match="others\\[0\\] has 3 features but X_train has 30"):
            datasets.standardize(train, np.zeros((2, 3)))
