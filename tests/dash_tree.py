"""Look inside a tree of Dash components in tests: walk it, find components, read its text."""

from __future__ import annotations

from collections.abc import Iterator


def walk(component) -> Iterator:
    """Every component and text in a Dash tree, depth first; lists are walked through."""
    if isinstance(component, list | tuple):
        for item in component:
            yield from walk(item)
        return
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(component, str | int | float):
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        yield from walk(child)


def find(tree, kind) -> list:
    """Every component of class `kind`."""
    return [c for c in walk(tree) if isinstance(c, kind)]


def by_id(tree, component_id):
    """The one component with `component_id`."""
    (found,) = [c for c in walk(tree) if getattr(c, "id", None) == component_id]
    return found


def text_of(component) -> str:
    """All text in a tree, joined."""
    return "".join(str(c) for c in walk(component) if isinstance(c, str | int | float))
