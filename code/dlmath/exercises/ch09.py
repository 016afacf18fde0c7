"""Answers to the exercises of Chapter 9, Data Flow in Neural Networks.

Each answer is computed by a route other than the one the solution takes: explicit loops
instead of dlmath.nn, SciPy and NumPy's signal functions, scikit-learn's own
``predict_proba``.
"""

import warnings

import numpy as np

from dlmath.exercises import register


def _param_count():
    # weights and biases of 784-128-64-10, layer by layer
    return 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10


def _forward_by_hand():
    W1 = np.array([[1.0, -1.0], [2.0, 0.5]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([1.0, -2.0])
    outputs = []
    for x in ([1.0, 2.0], [-1.0, 1.0]):
        hidden = [max(0.0, x[0] * W1[0, j] + x[1] * W1[1, j] + b1[j]) for j in range(2)]
        outputs.append([hidden[0] * W2[0] + hidden[1] * W2[1] + 0.5])
    return np.array(outputs)


def _softmax():
    from scipy.special import softmax

    return softmax([3.0, 1.0, 0.2])


def _correlate():
    return np.correlate([1.0, 3.0, 0.0, -2.0, 4.0], [2.0, -1.0], mode="valid")


def _conv_shape():
    # the positions the kernel visits along one axis: range(0, H + 2p - K + 1, s)
    size = len(range(0, 64 + 2 * 2 - 5 + 1, 2))
    return (32, 16, size, size)


def _conv_cost():
    weights_per_kernel = 3 * 5 * 5
    outputs = 16 * 32 * 32
    return (16 * weights_per_kernel + 16, outputs * weights_per_kernel)


def _maxpool():
    A = np.array([[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 2, 7, 6], [9, 1, 3, 3]])
    return np.array([[A[i : i + 2, j : j + 2].max() for j in (0, 2)] for i in (0, 2)])


def _collapse():
    W1 = np.array([[1.0, 0, 2], [0, 1, -1]])
    b1 = np.array([1.0, 2, 1])
    W2 = np.array([[1.0, 1], [0, 2], [-1, 0]])
    b2 = np.array([0.0, -1])
    # the augmented matrices compose by a plain product: [[W1, 0], [b1, 1]] @ [[W2], [b2]]
    A1 = np.block([[W1, np.zeros((2, 1))], [b1[None, :], np.ones((1, 1))]])
    A2 = np.vstack([W2, b2])
    return A1 @ A2


def _receptive_field():
    from scipy.signal import convolve2d

    image = np.zeros((15, 15))
    image[7, 7] = 1.0
    for _ in range(3):
        image = convolve2d(image, np.ones((3, 3)), mode="same")
    return int((image[7] > 0).sum())


def _iris_probabilities():
    from sklearn.datasets import load_iris
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", max_iter=2000, random_state=0).fit(X, y)
    return model.predict_proba(X[[0, 50, 100]])


register("ex-09-param-count", compute=_param_count, about="the number of parameters of a 784-128-64-10 MLP")
register("ex-09-forward-by-hand", compute=_forward_by_hand, about="the outputs of the 2-2-1 ReLU network, shape (2, 1)")
register("ex-09-softmax", compute=_softmax, about="softmax of (3, 1, 0.2)")
register("ex-09-correlate", compute=_correlate, about="valid cross-correlation of (1, 3, 0, -2, 4) with (2, -1)")
register("ex-09-conv-shape", compute=_conv_shape, about="output shape (batch, channels, height, width)")
register("ex-09-conv-cost", compute=_conv_cost, about="(parameters, multiply-adds per image) of the layer")
register("ex-09-maxpool", compute=_maxpool, about="2x2 max pooling of the 4x4 matrix")
register("ex-09-collapse", compute=_collapse, about="the augmented matrix [[W], [b]] of the collapsed layer, shape (3, 2)")
register("ex-09-receptive-field", compute=_receptive_field, about="the width of the receptive field of three 3x3 layers")
register("ex-09-mlp-tanh", compute=_iris_probabilities, rtol=1e-7, atol=1e-10, about="class probabilities of flowers 0, 50, 100, shape (3, 3)")
