"""A window's method handed to a widget the window keeps (a tab page built on first use,
a column fitter's callbacks), held without holding the window: a child's strong hold on
its window is a reference cycle, and a closed window then waits for the cyclic collector
instead of going when its last name does."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def weakly(method: Callable[P, T]) -> Callable[P, T]:
    """`method` (bound), called through a weak reference to its object. The widget calling
    it dies with the object, so it never calls a method whose object is gone."""
    held, name = weakref.WeakMethod(method), method.__qualname__  # the method itself holds its object

    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        bound = held()
        if bound is None:
            raise ReferenceError(f"{name}: its object is gone")
        return bound(*args, **kwargs)

    return call
