"""s2sad: source-to-source reverse-mode automatic differentiation for Python.

Public surface::

    grad(f, wrt=None)            -> the gradient function of f
    value_and_grad(f, wrt=None)  -> a function returning (f(...), gradient)
    generate(f, wrt=None)        -> the text `s2sad gen` prints for f
    trace(f)                     -> f's evaluation trace (print it)
    piecewise(f, wrt=None)       -> where the derivative is only piecewise (`s2sad kinks`)
    check_grads(f, args, wrt=None) -> the gradient against a numerical reference (`s2sad check`)
    derive(f, wrt=None)          -> all of the above and the op-count certificate
    register(function, *partials) -> add a derivative rule of your own

Beyond the gradient, with JAX's names and semantics (see `jacobians`)::

    jvp(f, primals, tangents, wrt=None) -> (f(*primals), derivative along tangents)   forward mode
    vjp(f, *primals, wrt=None)          -> (f(*primals), vjp_fn)                       reverse mode
    jacfwd, jacrev, jacobian(f, wrt=None), hessian(f, wrt=None), hvp(f, wrt=None)
"""

__version__ = "0.1.0"

import importlib  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from .api import Derivative, check_grads, derive, generate, grad, piecewise, trace, value_and_grad  # noqa: E402
from .errors import S2sadError, UnsupportedSyntaxError, Violation  # noqa: E402
from .rules import register  # noqa: E402

if TYPE_CHECKING:
    from .hessians import hessian, hvp
    from .jacobians import jacfwd, jacobian, jacrev, jvp, vjp

# Forward mode, second order and the checker they use are imported on first use
# (PEP 562): `s2sad gen` and the gradient alone start faster without them.
_LAZY = {name: "hessians" for name in ("hessian", "hvp")}
_LAZY.update({name: "jacobians" for name in ("jacfwd", "jacobian", "jacrev", "jvp", "vjp")})


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__all__ = [
    "Derivative",
    "S2sadError",
    "UnsupportedSyntaxError",
    "Violation",
    "check_grads",
    "derive",
    "generate",
    "grad",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "piecewise",
    "register",
    "trace",
    "value_and_grad",
    "vjp",
]
