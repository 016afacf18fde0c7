r"""Gradient descent and the optimizers that train neural networks (Chapter 11).

Three layers, from the one a learner reads first to the one that trains a network:

* :func:`gradient_descent` walks downhill on a function whose gradient you can write:
  :math:`x_{k+1} = x_k - \eta \nabla f(x_k)`, and returns every point it visited.
* Optimizers over :class:`dlmath.nn.Parameter` objects: :class:`SGD`, :class:`Momentum`,
  :class:`Nesterov`, :class:`Adagrad`, :class:`RMSprop`, :class:`Adadelta` and
  :class:`Adam`. Each is built from a list of parameters and, at every ``step()``,
  updates each parameter's ``value`` in place from its ``grad`` (which ``backward``
  has just filled)::

      optimizer = Adam(network.parameters(), lr=1e-3)
      for X_batch, y_batch in ...:
          loss, grad = softmax_cross_entropy(network.forward(X_batch), y_batch)
          network.backward(grad)
          optimizer.step()

  :func:`descend` runs any of them on a function of a vector (for pictures of paths),
  and :func:`train` runs one over minibatches of a data set.
* Learning-rate schedules (:func:`step_decay`, :func:`exponential_decay`,
  :func:`inverse_time_decay`, :func:`cosine_decay`, :func:`warmup`): pass one as ``lr``
  and the optimizer asks it for the learning rate of every step.

The update rules follow the papers cited in the chapter and use the same conventions as
``torch.optim`` (the tests compare them step by step when PyTorch is installed).
A gradient or a loss that becomes NaN or infinite stops the run with a
:class:`DivergenceError` that names the step and suggests a smaller learning rate.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from dlmath.validation import as_array, as_rng, check_callable, check_int, check_number, describe

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "DivergenceError",
    "History",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "Schedule",
    "constant",
    "cosine_decay",
    "descend",
    "exponential_decay",
    "gradient_descent",
    "inverse_time_decay",
    "minibatches",
    "step_decay",
    "train",
    "warmup",
]


class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss, gradient or point: the steps are too large."""


def _smaller(lr: float) -> str:
    return f"try a smaller learning rate (for example lr={lr / 10:.3g} instead of {lr:.3g})"


# --- 1. Plain gradient descent on a function --------------------------------------------


def gradient_descent(grad: Callable, x0, *, lr: float, steps: int, tol: float | None = None) -> np.ndarray:
    r"""Gradient descent on a function of one or several variables; returns the path.

    Starting at :math:`x_0`, take ``steps`` steps against the gradient,

    .. math:: x_{k+1} = x_k - \eta\, \nabla f(x_k),

    with learning rate :math:`\eta` = ``lr``, and return every point visited: an array of
    shape ``(steps + 1,)`` for a scalar ``x0`` or ``(steps + 1, n)`` for a vector.

    Parameters
    ----------
    grad : callable
        The gradient :math:`\nabla f` (the derivative :math:`f'` in one dimension): takes a
        point shaped like ``x0`` and returns an array of the same shape.
    x0 : float or 1-D array
        The starting point.
    lr : float
        The learning rate :math:`\eta > 0`.
    steps : int
        The number of steps.
    tol : float, optional
        Stop early once the gradient's norm is below ``tol`` (the path is then shorter).

    Raises
    ------
    DivergenceError
        When a point or gradient becomes NaN or infinite: the steps grew without bound.
    """
    grad = check_callable(grad, "grad")
    x = as_array(x0, "x0", ndim=(0, 1)).copy()
    lr = check_number(lr, "lr", low=0.0, low_inclusive=False)
    steps = check_int(steps, "steps", low=0)
    tol = None if tol is None else check_number(tol, "tol", low=0.0)
    path = [x.copy()]
    for k in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.asarray(grad(x), dtype=float)
        if g.shape != x.shape:
            raise ValueError(f"grad must return an array shaped like x0 {x.shape}; it returned shape {g.shape}")
        if tol is not None and np.linalg.norm(g) < tol:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - lr * g
        if not (np.isfinite(g).all() and np.isfinite(x).all()):
            raise DivergenceError(
                f"gradient descent diverged at step {k + 1}: the point became {x} (not finite). "
                f"The steps grew without bound; {_smaller(lr)}."
            )
        path.append(x.copy())
    return np.array(path)


# --- 2. Learning-rate schedules -----------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    r"""A learning rate for every step :math:`t = 0, 1, 2, \dots`: call it, ``schedule(t)``.

    Made by :func:`constant`, :func:`step_decay`, :func:`exponential_decay`,
    :func:`inverse_time_decay`, :func:`cosine_decay` and :func:`warmup`; pass one to an
    optimizer as ``lr``.
    """

    description: str
    rule: Callable[[int], float] = field(repr=False)

    def __call__(self, t: int) -> float:
        t = check_int(t, "t", low=0)
        return float(self.rule(t))

    def values(self, steps: int) -> np.ndarray:
        """The learning rates of steps 0, 1, ..., ``steps - 1`` (for plots)."""
        return np.array([self(t) for t in range(check_int(steps, "steps", low=1))])

    def __repr__(self) -> str:
        return f"Schedule({self.description})"


def _lr(value, name: str = "lr") -> float:
    return check_number(value, name, low=0.0, low_inclusive=False)


def constant(lr: float) -> Schedule:
    r"""The same learning rate at every step: :math:`\eta_t = \eta`."""
    lr = _lr(lr)
    return Schedule(f"constant {lr:g}", lambda t: lr)


def step_decay(lr: float, *, factor: float = 0.5, every: int = 10) -> Schedule:
    r"""Multiply the learning rate by ``factor`` every ``every`` steps: :math:`\eta_t = \eta\, \gamma^{\lfloor t/s \rfloor}`."""
    lr = _lr(lr)
    factor = check_number(factor, "factor", low=0.0, high=1.0, low_inclusive=False)
    every = check_int(every, "every", low=1)
    return Schedule(f"{lr:g} times {factor:g} every {every} steps", lambda t: lr * factor ** (t // every))


def exponential_decay(lr: float, *, gamma: float) -> Schedule:
    r"""Shrink the learning rate by a constant factor every step: :math:`\eta_t = \eta\, \gamma^t`."""
    lr = _lr(lr)
    gamma = check_number(gamma, "gamma", low=0.0, high=1.0, low_inclusive=False)
    return Schedule(f"{lr:g} times {gamma:g}^t", lambda t: lr * gamma**t)


def inverse_time_decay(lr: float, *, k: float) -> Schedule:
    r"""The classic stochastic-approximation schedule :math:`\eta_t = \eta / (1 + k t)`.

    Its sum diverges while the sum of its squares converges, the two conditions under which
    Robbins and Monro proved that stochastic gradient descent converges.
    """
    lr = _lr(lr)
    k = check_number(k, "k", low=0.0, low_inclusive=False)
    return Schedule(f"{lr:g} / (1 + {k:g} t)", lambda t: lr / (1.0 + k * t))


def cosine_decay(lr: float, *, total_steps: int, lr_min: float = 0.0) -> Schedule:
    r"""Half a cosine wave from ``lr`` down to ``lr_min`` over ``total_steps`` steps, then flat.

    .. math:: \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})\bigl(1 + \cos(\pi \min(t, T) / T)\bigr)
    """
    lr = _lr(lr)
    total_steps = check_int(total_steps, "total_steps", low=1)
    lr_min = check_number(lr_min, "lr_min", low=0.0, high=lr)
    return Schedule(
        f"cosine from {lr:g} to {lr_min:g} over {total_steps} steps",
        lambda t: lr_min + 0.5 * (lr - lr_min) * (1.0 + math.cos(math.pi * min(t, total_steps) / total_steps)),
    )


def warmup(schedule, *, steps: int) -> Schedule:
    r"""Ramp the learning rate up linearly for ``steps`` steps, then follow ``schedule``.

    .. math:: \eta_t = \eta^{\text{after}}_0 \,\frac{t + 1}{s} \ (t < s), \qquad \eta_t = \eta^{\text{after}}_{t - s} \ (t \ge s)

    ``schedule`` is a :class:`Schedule` or a plain learning rate.
    """
    after = schedule if isinstance(schedule, Schedule) else constant(schedule)
    steps = check_int(steps, "steps", low=1)
    peak = after(0)
    return Schedule(
        f"linear warm-up over {steps} steps, then {after.description}",
        lambda t: peak * (t + 1) / steps if t < steps else after(t - steps),
    )


# --- 3. Optimizers over parameters ----------------------------------------------------------


def _parameter_list(params) -> list:
    if isinstance(params, np.ndarray) or not isinstance(params, Iterable):
        raise TypeError(f"params must be a list of Parameters (e.g. network.parameters()); got {describe(params)}")
    params = list(params)
    if not params:
        raise ValueError("params must contain at least one Parameter; got an empty list")
    for i, p in enumerate(params):
        value, grad = getattr(p, "value", None), getattr(p, "grad", None)
        if not isinstance(value, np.ndarray) or not isinstance(grad, np.ndarray):
            raise TypeError(f"params[{i}] must be a Parameter (with array attributes .value and .grad); got {describe(p)}")
        if not np.issubdtype(value.dtype, np.floating):
            raise TypeError(f"params[{i}].value must hold floating-point numbers; got dtype {value.dtype}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError("params lists the same Parameter twice; it would be updated twice per step")
    return params


class Optimizer:
    r"""The common part of every optimizer: the parameters, the learning rate and the step count.

    A subclass writes one method, ``update(i, w, g, lr)``, which changes the array ``w``
    (the value of parameter ``i``) in place, given its gradient ``g`` and the learning
    rate of this step. ``lr`` may be a number or a :class:`Schedule`; ``t`` counts the
    steps taken so far. With ``check_finite`` (the default) every step first checks that
    the gradients are finite; :func:`train` switches this off while it runs, because it
    checks the loss of every step instead, which catches the same divergence more cheaply.
    """

    def __init__(self, params, lr):
        self.params = _parameter_list(params)
        if isinstance(lr, Schedule) or callable(lr):
            self.lr = lr
        else:
            self.lr = _lr(lr)
        self.t = 0
        self.check_finite = True

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        if not callable(self.lr):
            return self.lr
        lr = self.lr(self.t)
        return check_number(lr, f"the learning-rate schedule's value at step {self.t}", low=0.0)

    def step(self) -> None:
        """Update every parameter's ``value`` in place from its ``grad``."""
        lr = self.current_lr()
        for i, p in enumerate(self.params):
            w, g = p.value, p.grad
            if g.shape != w.shape:
                raise ValueError(f"params[{i}].grad has shape {g.shape} but its value has shape {w.shape}")
            if self.check_finite and not np.isfinite(g).all():
                name = getattr(p, "name", "") or f"params[{i}]"
                raise DivergenceError(
                    f"the gradient of {name} contains NaN or infinite values at step {self.t + 1}: "
                    f"training has diverged; {_smaller(lr if lr > 0 else 1e-3)}."
                )
            self.update(i, w, g, lr)
        self.t += 1

    def zero_grad(self) -> None:
        """Set every gradient to zero (not needed with dlmath.nn, whose backward overwrites them)."""
        for p in self.params:
            p.grad[...] = 0

    def update(self, i: int, w: np.ndarray, g: np.ndarray, lr: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def _state(self) -> list[np.ndarray]:
        """One array of zeros per parameter, same shape and dtype (a velocity, a running mean...)."""
        return [np.zeros_like(p.value) for p in self.params]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}, t={self.t})"


class SGD(Optimizer):
    r"""(Stochastic) gradient descent: :math:`w \leftarrow w - \eta\, g`."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def update(self, i, w, g, lr):
        w -= lr * g


class Momentum(Optimizer):
    r"""Gradient descent with (heavy-ball) momentum.

    .. math:: v \leftarrow \mu v + g, \qquad w \leftarrow w - \eta\, v

    The velocity :math:`v` starts at zero and is a decaying sum of past gradients; on a
    constant gradient the step grows to :math:`\eta g / (1 - \mu)`. Same as
    ``torch.optim.SGD(momentum=mu)``.
    """

    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, lr)
        self.momentum = check_number(momentum, "momentum", low=0.0, high=1.0, high_inclusive=False)
        self.velocity = self._state()

    def update(self, i, w, g, lr):
        v = self.velocity[i]
        v *= self.momentum
        v += g
        w -= lr * v


class Nesterov(Momentum):
    r"""Nesterov's accelerated gradient, in the form that needs only the gradient at :math:`w`.

    .. math:: v \leftarrow \mu v + g, \qquad w \leftarrow w - \eta\,(g + \mu v)

    This is the look-ahead method (gradient taken at :math:`w + \mu v`) rewritten so that
    :math:`w` is always the look-ahead point. Same as ``torch.optim.SGD(momentum=mu, nesterov=True)``.
    It keeps the same velocity as :class:`Momentum`; only the step differs.
    """

    def update(self, i, w, g, lr):
        v = self.velocity[i]
        v *= self.momentum
        v += g
        w -= lr * (g + self.momentum * v)


class Adagrad(Optimizer):
    r"""Adagrad: each coordinate's step is divided by the root of its summed squared gradients.

    .. math:: s \leftarrow s + g^2, \qquad w \leftarrow w - \eta\, \frac{g}{\sqrt{s} + \epsilon}

    (squares, roots and the division act element by element).
    """

    def __init__(self, params, lr=0.01, eps=1e-10):
        super().__init__(params, lr)
        self.eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
        self.sum_squares = self._state()

    def update(self, i, w, g, lr):
        s = self.sum_squares[i]
        s += g * g
        w -= lr * g / (np.sqrt(s) + self.eps)


class RMSprop(Optimizer):
    r"""RMSprop: like Adagrad, with a running *average* of squared gradients that forgets.

    .. math:: s \leftarrow \rho s + (1 - \rho) g^2, \qquad w \leftarrow w - \eta\, \frac{g}{\sqrt{s} + \epsilon}

    Same as ``torch.optim.RMSprop(alpha=rho)``.
    """

    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.rho = check_number(rho, "rho", low=0.0, high=1.0, high_inclusive=False)
        self.eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
        self.mean_square = self._state()

    def update(self, i, w, g, lr):
        s = self.mean_square[i]
        s *= self.rho
        s += (1.0 - self.rho) * (g * g)
        w -= lr * g / (np.sqrt(s) + self.eps)


class Adadelta(Optimizer):
    r"""Adadelta: RMSprop whose step size is a running RMS of the past steps themselves.

    .. math::

        s &\leftarrow \rho s + (1 - \rho) g^2, \\
        \Delta &= \frac{\sqrt{u + \epsilon}}{\sqrt{s + \epsilon}}\, g, \\
        u &\leftarrow \rho u + (1 - \rho) \Delta^2, \\
        w &\leftarrow w - \eta\, \Delta .

    The ratio of the two RMS values has the units of :math:`w`, so the original method
    needs no learning rate (:math:`\eta = 1`). Same as ``torch.optim.Adadelta``.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6):
        super().__init__(params, lr)
        self.rho = check_number(rho, "rho", low=0.0, high=1.0, high_inclusive=False)
        self.eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
        self.mean_square = self._state()
        self.mean_square_step = self._state()

    def update(self, i, w, g, lr):
        s, u = self.mean_square[i], self.mean_square_step[i]
        s *= self.rho
        s += (1.0 - self.rho) * (g * g)
        delta = np.sqrt(u + self.eps) / np.sqrt(s + self.eps) * g
        u *= self.rho
        u += (1.0 - self.rho) * (delta * delta)
        w -= lr * delta


class Adam(Optimizer):
    r"""Adam: momentum on the gradient and RMSprop's scaling, both bias-corrected.

    .. math::

        m &\leftarrow \beta_1 m + (1 - \beta_1) g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \\
        \hat m &= \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon},

    where :math:`t = 1, 2, \dots` counts the steps. Dividing by :math:`1 - \beta^t` undoes
    the pull towards zero of averages that start at zero. Same as ``torch.optim.Adam``.
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        if isinstance(betas, (str, bytes)) or not isinstance(betas, Iterable) or len(tuple(betas)) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2) such as (0.9, 0.999); got {describe(betas)}")
        beta1, beta2 = tuple(betas)
        self.beta1 = check_number(beta1, "betas[0]", low=0.0, high=1.0, high_inclusive=False)
        self.beta2 = check_number(beta2, "betas[1]", low=0.0, high=1.0, high_inclusive=False)
        self.eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
        self.m = self._state()
        self.v = self._state()

    def update(self, i, w, g, lr):
        t = self.t + 1
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        m_hat = m / (1.0 - self.beta1**t)
        v_hat = v / (1.0 - self.beta2**t)
        w -= lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --- 4. Running an optimizer ------------------------------------------------------------------


def descend(grad: Callable, w0, optimizer: type[Optimizer] = SGD, *, steps: int, **hyperparameters) -> np.ndarray:
    r"""Run an optimizer on a function of a vector :math:`w`; returns the path, shape ``(steps + 1, n)``.

    ``optimizer`` is a class (``Momentum``, ``Adam``, ...) and ``hyperparameters`` its
    arguments: ``descend(grad, [1.0, 2.0], Momentum, steps=50, lr=0.05, momentum=0.9)``.
    At every step the gradient :math:`\nabla f(w)` is computed by ``grad`` and handed to
    the optimizer as the ``grad`` of a single :class:`~dlmath.nn.Parameter`.
    """
    from dlmath.nn import Parameter

    grad = check_callable(grad, "grad")
    if not (isinstance(optimizer, type) and issubclass(optimizer, Optimizer)):
        raise TypeError(f"optimizer must be an optimizer class such as SGD or Adam; got {describe(optimizer)}")
    w0 = as_array(w0, "w0", ndim=1)
    steps = check_int(steps, "steps", low=0)
    w = Parameter(w0, "w")
    opt = optimizer([w], **hyperparameters)
    path = np.empty((steps + 1, w0.size))
    path[0] = w.value
    for k in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.asarray(grad(w.value.copy()), dtype=float)
        if g.shape != w.value.shape:
            raise ValueError(f"grad must return an array shaped like w0 {w.value.shape}; it returned shape {g.shape}")
        w.grad[...] = g
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step()
        if not np.isfinite(w.value).all():
            raise DivergenceError(
                f"{optimizer.__name__} diverged at step {k + 1}: the point became {w.value} (not finite); "
                f"{_smaller(opt.current_lr() or 1e-3)}."
            )
        path[k + 1] = w.value
    return path


def minibatches(n_examples: int, batch_size: int, *, rng=None, shuffle: bool = True) -> Iterator[np.ndarray]:
    r"""The indices of one epoch's minibatches: ``ceil(n_examples / batch_size)`` index arrays.

    With ``shuffle`` the examples are visited in a fresh random order (drawn from ``rng``);
    every example appears exactly once per epoch, and the last batch may be smaller.
    """
    n_examples = check_int(n_examples, "n_examples", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    order = as_rng(rng).permutation(n_examples) if shuffle else np.arange(n_examples)
    for start in range(0, n_examples, batch_size):
        yield order[start : start + batch_size]


@dataclass
class History:
    """What :func:`train` recorded: the loss of every step, its mean per epoch, and the validation loss."""

    step_loss: np.ndarray
    epoch_loss: np.ndarray
    val_loss: np.ndarray | None = None

    def __repr__(self) -> str:
        last = f", last epoch loss {self.epoch_loss[-1]:.4g}" if self.epoch_loss.size else ""
        return f"History({self.epoch_loss.size} epochs, {self.step_loss.size} steps{last})"


def train(
    model,
    loss: Callable,
    X,
    y,
    optimizer: Optimizer,
    *,
    epochs: int,
    batch_size: int,
    rng=None,
    validation: tuple | None = None,
) -> History:
    r"""Minibatch training: for each epoch, for each minibatch, forward, loss, backward, step.

    Parameters
    ----------
    model :
        Anything with ``forward(x)``, ``backward(grad_out)`` and ``parameters()``, such as a
        :class:`dlmath.nn.Sequential` network.
    loss : callable
        ``loss(output, targets)`` returning ``(loss value, gradient with respect to output)``,
        such as :func:`dlmath.nn.softmax_cross_entropy`.
    X, y : arrays
        The training examples (one per row) and their targets.
    optimizer : Optimizer
        Built over ``model.parameters()``.
    epochs, batch_size : int
        Passes over the data, and examples per step.
    rng :
        Seed or generator for the shuffling.
    validation : (X_val, y_val), optional
        Data on which the loss is also computed after every epoch.

    Raises
    ------
    DivergenceError
        When the loss becomes NaN or infinite; the message names the step.
    """
    for method in ("forward", "backward", "parameters"):
        if not callable(getattr(model, method, None)):
            raise TypeError(f"model must have a {method}() method (a dlmath.nn network); got {describe(model)}")
    loss = check_callable(loss, "loss")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer built over model.parameters(); got {describe(optimizer)}")
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 2 or len(X) != len(y):
        raise ValueError(f"X must have one example per row and y one target per example; got shapes {X.shape} and {y.shape}")
    epochs = check_int(epochs, "epochs", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    rng = as_rng(rng)
    # a network of dlmath.nn can skip the gradient with respect to the data, which training never uses
    skip_input_grad = {"input_grad": False} if "input_grad" in inspect.signature(model.backward).parameters else {}
    step_loss: list[float] = []
    epoch_loss: list[float] = []
    val_loss: list[float] = []

    def diverged(value, epoch: int) -> DivergenceError:
        lr = optimizer.current_lr()
        return DivergenceError(
            f"the loss became {value} at step {len(step_loss) + 1} (epoch {epoch + 1}): "
            f"training has diverged; {_smaller(lr if lr > 0 else 1e-3)}."
        )

    # overflow in a diverging network is reported once, clearly, by the loss check below,
    # which makes the optimizer's own check of the gradients redundant while training
    check_finite, optimizer.check_finite = optimizer.check_finite, False
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(epochs):
                total = 0.0
                for batch in minibatches(len(X), batch_size, rng=rng):
                    output = model.forward(X[batch])
                    try:
                        value, grad_out = loss(output, y[batch])
                    except ValueError as error:  # dlmath.nn's losses refuse to return a NaN or inf loss
                        if re.search(r"\b(nan|inf|infinite)\b", str(error), re.IGNORECASE):
                            raise diverged("NaN or infinite", epoch) from error
                        raise
                    value = float(value)
                    if not math.isfinite(value):
                        raise diverged(value, epoch)
                    model.backward(grad_out, **skip_input_grad)
                    optimizer.step()
                    step_loss.append(value)
                    total += value * len(batch)
                epoch_loss.append(total / len(X))
                if validation is not None:
                    X_val, y_val = validation
                    val_loss.append(float(loss(model.forward(np.asarray(X_val)), np.asarray(y_val))[0]))
    finally:
        optimizer.check_finite = check_finite
    return History(
        step_loss=np.array(step_loss),
        epoch_loss=np.array(epoch_loss),
        val_loss=np.array(val_loss) if validation is not None else None,
    )
