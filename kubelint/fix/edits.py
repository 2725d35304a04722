"""Structured edits (kubelint.model.Edit) applied to a loaded document:
ruamel.yaml round-trip nodes, or plain data for JSON.

ruamel.yaml keeps a comment with the node before it, so adding, removing or
renaming a field moves the comments around it by hand: the comment lines
after the last field of a mapping stay after it when a field is appended, and
the comments of a removed field stay where they were.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from kubelint.model import Edit, Path


class EditError(Exception):
    """An edit that cannot be applied to this document (the message says why)."""



# A fix to apply: the object's path in its document, and the fix's edits.
ObjectEdits = tuple[Path, Sequence[Edit]]


def prefixed(prefix: Path, edit: Edit) -> Edit:
    """An edit of an object as an edit of its document."""
    return Edit(edit.op, tuple(prefix) + tuple(edit.path), edit.value) if prefix else edit


def apply_edit(root: Any, edit: Edit) -> None:
    """Apply one edit to a loaded document (ruamel round-trip or plain data)."""
    path = edit.path
    if not path:
        raise EditError("an edit needs a path")
    if edit.op in ("set", "add"):
        value = edit.value if edit.op == "set" else [edit.value]
        node, depth = _reach(root, path)
        if depth < len(path) - 1:
            # Create what is missing in one go, so the new mapping is one node.
            for seg in reversed(path[depth + 1:]):
                if isinstance(seg, int):
                    raise EditError(f"{_show(path[: depth + 1])} does not exist")
                value = {seg: value}
            _set(node, path[depth], value)
            return
        key = path[-1]
        if edit.op == "set" or not isinstance(node, dict) or node.get(key) is None:
            _set(node, key, value)
            return
        items = node[key]
        if not isinstance(items, list):
            raise EditError(f"{_show(path)} is not a list")
        if _plain(edit.value) not in [_plain(v) for v in items]:
            _append_item(items, edit.value)
    elif edit.op == "remove":
        node, depth = _reach(root, path)
        if depth == len(path) - 1:
            holder = _reach(root, path[:-1])[0] if len(path) > 1 else None
            _remove(node, path[-1], (holder, path[-2]) if holder is not None else None)
    elif edit.op == "keep-last":
        raise EditError("a repeated key is fixed in YAML text only")
    elif edit.op == "rename":
        node, depth = _reach(root, path)
        if depth < len(path) - 1:
            raise EditError(f"{_show(path[: depth + 1])} does not exist")
        _rename(node, path[-1], edit.value)
    else:  # pragma: no cover - Edit validates its op
        raise EditError(f"unknown edit op {edit.op}")


def _reach(node: Any, path: Path) -> tuple[Any, int]:
    """The deepest existing container on the way to `path`'s last segment,
    and how many segments lead to it.  A null value counts as missing."""
    for depth, seg in enumerate(path[:-1]):
        if isinstance(seg, int):
            if not isinstance(node, list) or not 0 <= seg < len(node):
                raise EditError(f"{_show(path[: depth + 1])} does not exist")
        elif not isinstance(node, dict):
            raise EditError(f"{_show(path[:depth])} is not a mapping")
        elif node.get(seg) is None:
            return node, depth
        child = node[seg]
        if not isinstance(child, (dict, list)):
            raise EditError(f"{_show(path[: depth + 1])} is not a mapping or list")
        node = child
    return node, len(path) - 1


def _show(path: Iterable) -> str:
    return ".".join(str(p) for p in path) or "the object"


def _node(value: Any) -> Any:
    """Plain data as round-trip nodes (block style), so new mappings look
    like the file's own."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[_node(k) if isinstance(k, str) else k] = _node(v)
        return m
    if isinstance(value, list):
        return CommentedSeq(_node(v) for v in value)
    if isinstance(value, str) and _ambiguous(value):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)
    return value


def _ambiguous(text: str) -> bool:
    """True when YAML 1.1, which kubectl reads, would not read the plain
    scalar as this string (`yes`, `on`, `0755`); ruamel.yaml writes YAML 1.2
    and would leave it unquoted."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(text, ScalarString) and type(text).__name__ != "PlainScalarString":
        return False
    import yaml

    try:
        return yaml.safe_load(text) != text
    except yaml.YAMLError:
        return True


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    return value


def _is_rt(node: Any) -> bool:
    return hasattr(node, "ca")


def _set(parent: Any, key: Any, value: Any) -> None:
    if isinstance(parent, list):
        if not isinstance(key, int) or not 0 <= key < len(parent):
            raise EditError(f"no list item {key}")
        parent[key] = _styled(parent[key], value, _is_rt(parent))
        return
    if not isinstance(parent, dict):
        raise EditError(f"cannot set {key} on a {type(parent).__name__}")
    if key in parent:
        old = parent[key]
        if old is not None and _plain(old) == _plain(value):
            return
        if old is None and _is_rt(parent) and isinstance(value, (dict, list)):
            rest = _take(_slot(parent, key))
            parent[key] = _node(value)
            if not _give(_slot(parent, key), rest):
                raise EditError("a comment would be lost")
            return
        parent[key] = _styled(old, value, _is_rt(parent))
        _keep_comment_gap(parent, key, old, value)
        return
    new = _node(value) if _is_rt(parent) else value
    if not _is_rt(parent):
        parent[key] = new
        return
    if isinstance(key, str):
        key = _node(key)  # quoted where YAML 1.1 would misread it
    if parent.fa.flow_style():
        _append_flow(parent, key, new)
        return
    rest = _take_trailing(parent)
    parent[key] = new
    _give_trailing(parent, rest)


def _append_flow(collection: Any, key: Any, value: Any) -> None:
    """Append to a flow collection: the comment after it, which ruamel keeps
    with its last element, moves to the new last element (a comment in the
    middle of a flow collection is not written at all)."""
    last = (list(collection.keys())[-1] if isinstance(collection, dict) else len(collection) - 1) if len(collection) else None
    entry = collection.ca.items.pop(last, None) if last is not None else None
    if isinstance(collection, dict):
        collection[key] = value
    else:
        collection.append(value)
        key = len(collection) - 1
    if entry is not None:
        collection.ca.items[key] = entry


def _styled(old: Any, value: Any, rt: bool) -> Any:
    """The new value, quoted the way the old one was."""
    if not rt:
        return value
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString) and isinstance(value, str) and not isinstance(value, ScalarString):
        return type(old)(value)
    return _node(value)


def _keep_comment_gap(parent: Any, key: Any, old: Any, value: Any) -> None:
    """Keep the spaces between a changed scalar and its end-of-line comment
    (ruamel would keep the comment's column instead)."""
    if not _is_rt(parent) or isinstance(old, (dict, list)) or isinstance(value, (dict, list)):
        return
    entry = parent.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or token.value.startswith("\n") or token.start_mark is None:
        return
    grow = len(_scalar_text(value)) - len(_scalar_text(old))
    token.column = max(token.column + grow, 0)


def _scalar_text(value: Any) -> str:
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = str(value)
    if isinstance(value, ScalarString) and type(value).__name__ != "PlainScalarString":
        text = '"' + text + '"'
    return text


def _append_item(items: list, value: Any) -> None:
    if not _is_rt(items):
        items.append(value)
        return
    if items.fa.flow_style():
        _append_flow(items, None, _node(value))
        return
    rest = _take_trailing(items)
    items.append(_node(value))
    _give_trailing(items, rest)


def _remove(parent: Any, key: Any, holder: tuple | None = None) -> None:
    if isinstance(parent, dict):
        if key not in parent:
            return
        if _is_rt(parent):
            _remove_keeping_comments(parent, key, holder)
        else:
            del parent[key]
    elif isinstance(parent, list):
        if isinstance(key, int) and 0 <= key < len(parent):
            if _is_rt(parent):
                _remove_keeping_comments(parent, key)
            else:
                del parent[key]
    else:
        raise EditError(f"cannot remove {key} from a {type(parent).__name__}")


def _rename(parent: Any, key: Any, new: Any) -> None:
    if not isinstance(parent, dict) or key not in parent:
        raise EditError(f"{key} does not exist")
    if new in parent:
        raise EditError(f"{new} is already there")
    keys = list(parent.keys())
    position = keys.index(key)
    if not _is_rt(parent):
        items = list(parent.items())
        items[position] = (new, parent[key])
        parent.clear()
        parent.update(items)
        return
    comment = parent.ca.items.pop(key, None)
    value = parent.pop(key)
    parent.insert(position, _node(new) if isinstance(new, str) else new, value)
    if comment is not None:
        parent.ca.items[new] = comment


# ------------------------------------------------------- comments that follow
#
# ruamel.yaml keeps a comment that follows a node with the node before it: the
# comment lines after a mapping's last key belong to that key's comment token.
# Appending a key after it would put the new key below those lines, which
# usually introduce the next item.  So the full-line part of that token moves
# to the new last node; the end-of-line comment stays where it was.


def _slot(node: Any, key: Any) -> tuple[Any, Any, int]:
    """The comment slot that holds what follows `node[key]` in the text: the
    deepest last element of a block collection, else the key's own."""
    value = node[key]
    if _is_rt(value) and isinstance(value, (dict, list)) and len(value) and not value.fa.flow_style():
        last = list(value.keys())[-1] if isinstance(value, dict) else len(value) - 1
        return _slot(value, last)
    return node, key, 2 if isinstance(node, dict) else 0


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    if not _is_rt(node) or not len(node) or node.fa.flow_style():
        return None
    last = list(node.keys())[-1] if isinstance(node, dict) else len(node) - 1
    return _slot(node, last)


def _take(slot: tuple[Any, Any, int] | None, with_eol: bool = False) -> str:
    """Detach the full-line comments that follow a slot; keep its end-of-line
    comment (or, `with_eol`, detach it too, as a line of its own)."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if slot is None:
        return ""
    container, key, index = slot
    entry = container.ca.items.get(key)
    token = entry[index] if entry and len(entry) > index else None
    if token is None or not isinstance(getattr(token, "value", None), str):
        return ""
    value: str = token.value
    if value.startswith("\n"):
        keep, rest = "", value[1:]
    elif isinstance(container[key], (LiteralScalarString, FoldedScalarString)):
        # A block scalar ends its own line: the comment is a line of its own.
        keep, rest = "", " " * token.column + value
    else:
        keep, _, rest = value.partition("\n")
    if keep and with_eol:
        column = _column(container, key)
        rest, keep = " " * column + keep.strip() + "\n" + rest, ""
    if keep:
        token.value = keep + "\n"
    else:
        entry[index] = None
        if not any(entry):
            del container.ca.items[key]
    return rest


def _column(container: Any, key: Any) -> int:
    try:
        return container.lc.key(key)[1] if isinstance(container, dict) else container.lc.item(key)[1]
    except (KeyError, TypeError, AttributeError, IndexError):
        return 0


def _take_trailing(node: Any) -> str:
    """Detach the full-line comments that follow the last element of `node`:
    those of the last element's slot, then those ruamel keeps at the end of
    the block collections on the way down (after a flow collection)."""
    rest = _take(_last_slot(node))
    chain = []
    while _is_rt(node) and isinstance(node, (dict, list)) and len(node) and not node.fa.flow_style():
        chain.append(node)
        node = node[list(node.keys())[-1]] if isinstance(node, dict) else node[-1]
    for collection in reversed(chain):
        end = collection.ca.end
        if end:
            for token in end:
                value = token.value
                if not value.strip():
                    rest += value  # blank lines
                else:
                    rest += value[1:] if value.startswith("\n") else " " * token.column + value
            del end[:]
    return rest


def _give(slot: tuple[Any, Any, int] | None, rest: str) -> bool:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if not rest:
        return True
    if slot is None:
        return False
    container, key, index = slot
    size = 4 if isinstance(container, dict) else 4
    entry = container.ca.items.setdefault(key, [None] * size)
    token = entry[index]
    if token is not None and isinstance(token.value, str) and token.value.endswith("\n"):
        token.value += rest
    else:
        entry[index] = CommentToken("\n" + rest, CommentMark(0), None)
    return True


def _give_trailing(node: Any, rest: str) -> None:
    if not _give(_last_slot(node), rest):
        raise EditError("a comment would be lost")


def _remove_keeping_comments(parent: Any, key: Any, holder: tuple | None = None) -> None:
    keys = list(parent.keys()) if isinstance(parent, dict) else list(range(len(parent)))
    position = keys.index(key)
    # The comments after the removed field stay, after the field before it
    # (or before the first field); its end-of-line comment becomes a line.
    own = _slot(parent, key)
    rest = _take(own, with_eol=own[0] is parent)
    if rest and position == 0:
        # Nothing before it in this mapping: the comments follow the line of
        # the key that holds the mapping.
        outer, outer_key = holder if holder is not None else (None, None)
        if not isinstance(parent, dict) or not isinstance(outer, dict) or len(keys) < 2 or \
                not _give((outer, outer_key, 2), rest):
            raise EditError(f"removing {key} would lose the comment after it")
    del parent[key]
    parent.ca.items.pop(key, None)
    if isinstance(parent, list):
        # ruamel keys a sequence's comments by index; shift those after it.
        items = parent.ca.items
        for i in sorted(k for k in list(items) if isinstance(k, int) and k > key):
            items[i - 1] = items.pop(i)
    if rest and position > 0:
        _give(_slot(parent, keys[position - 1]), rest)
