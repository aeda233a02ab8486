"""Reading and replacing the values a rule's location names inside a body."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from harness.rules import ITEM, KEY, VALUE, Location


class Missing(LookupError):
    """The body has no value at the location."""


def get_at(body: Any, location: Location) -> Any:
    node = body
    for step in location:
        if step is ITEM:
            if not isinstance(node, list) or not node:
                raise Missing(location)
            node = node[0]
        elif step is VALUE:
            if not isinstance(node, dict) or not node:
                raise Missing(location)
            node = next(iter(node.values()))
        elif step is KEY:
            if not isinstance(node, dict) or not node:
                raise Missing(location)
            node = next(iter(node))
        else:
            if not isinstance(node, dict) or step not in node:
                raise Missing(location)
            node = node[step]
    return node


def replace_at(body: Any, location: Location, make: Callable[[Any], Any]) -> Any:
    """A copy of ``body`` where the (first) value at ``location`` is ``make(old)``.

    At the body's root ``location`` is empty and the result is ``make(body)``.  A ``KEY``
    step renames the first key of a map, keeping its value.
    """
    if not location:
        return make(copy.deepcopy(body))
    result = copy.deepcopy(body)
    parent = get_at(result, location[:-1])
    last = location[-1]
    if last is ITEM:
        parent[0] = make(parent[0])
    elif last is VALUE:
        key = next(iter(parent))
        parent[key] = make(parent[key])
    elif last is KEY:
        key = next(iter(parent))
        value = parent.pop(key)
        rest = dict(parent)
        parent.clear()
        parent[make(key)] = value
        parent.update(rest)
    else:
        parent[last] = make(parent[last])
    return result


def remove_at(body: Any, location: Location) -> Any:
    """A copy of ``body`` without the member at ``location`` (a named step)."""
    result = copy.deepcopy(body)
    parent = get_at(result, location[:-1])
    parent.pop(location[-1], None)
    return result
