"""What a policy can read of its input, found in its source before it runs.

Building the interpreter's input costs time in proportion to its size (a
CustomResourceDefinition is hundreds of kilobytes of JSON), every rule
evaluated costs time even when its first test fails, and most policies read
a few fields of a few kinds.  Static facts, read from the tokens of the
compiled modules (the upgraded Rego v1 text):

* Input fields.  Every reference `input.a.b["c"]` names a subtree to keep;
  an index that is not a quoted string (`input.a[i].b`, `input.a[_].b`)
  keeps that field of every element, and a reference that ends with one
  (`input.a[i]`) keeps the elements whole, unless it is a statement by
  itself (`some i; input.a[i]`: it only binds i).  An index bound once to
  constant strings (`some f in ["containers", "initContainers"]`, or a rule
  of the package that is such a literal) keeps those keys only.
  `object.get(input.a, ["b", "c"], default)` reads input.a.b.c.  A rule
  reads the fields its own bodies and the rules and functions it calls
  name; kubelint sends only the union, so the rule sees the same value at
  every path it can reach.  A bare `input` (passed to a function, assigned,
  iterated, `input[k]`) reads everything: no pruning for a rule that can
  reach one.
* Kind guards.  A conftest rule every body of which states `input.kind ==
  "X"`, `input.kind in {"X", "Y"}`, or `NAME[input.kind]` (NAME a constant
  object or set in the same package) produces nothing for other kinds; an
  object of another kind is not evaluated for it.
* Settings.  A body with a statement that is a reference into data alone
  (`data.company.x`, or `settings.x` with `settings := data.company` and a
  constant default) that the loaded data leave undefined or false, or that
  assigns such a reference to a local (`x := data.company.x`) the data
  leave undefined, never succeeds: it is for no kind.
* Values.  A rule whose one body states `input.a.b == "value"` is evaluated
  only for objects that have that value.

When the analysis cannot tell (a reference through an imported package it
cannot resolve, a computed `data` reference), it answers "everything": the
result is never smaller than what the policy can read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from kubelint.policy.rego import CLOSE, OPEN, Token, _skip_balanced, tokenize, top_level_commas

EVERYTHING = None  # a field tree that keeps the whole input
KEEP = True  # a leaf of a field tree: keep this subtree whole


@dataclass(slots=True)
class Chunk:
    """One top-level statement of a module: a rule definition (each body and
    else branch of it), a default, or an import."""

    module: str
    name: str  # the rule it defines ("" for package/import lines)
    tokens: list[Token]


@dataclass(slots=True)
class Program:
    """The top-level definitions of a set of modules, by package and name."""

    chunks: dict[tuple[str, str], list[Chunk]] = field(default_factory=dict)
    aliases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # module -> alias -> data path
    imports: list[Chunk] = field(default_factory=list)  # and chunks that open no rule: read with every rule
    packages: dict[str, str] = field(default_factory=dict)  # module -> package

    def names(self, package: str) -> set[str]:
        return {name for (p, name) in self.chunks if p == package}


def program(modules: Iterable[tuple[str, str, str]]) -> Program:
    """(module name, package, v1 source) -> its top-level chunks."""
    prog = Program()
    for module, package, source in modules:
        prog.packages[module] = package
        aliases = prog.aliases.setdefault(module, {})
        for chunk in _chunks(module, tokenize(source)):
            if chunk.name == "import":
                prog.imports.append(chunk)
                path = [t.text for t in chunk.tokens[1:] if t.kind == "ident"]
                if path and path[0] == "data":
                    if "as" in path:
                        alias = path[path.index("as") + 1] if path.index("as") + 1 < len(path) else ""
                        path = path[: path.index("as")]
                    else:
                        alias = path[-1]
                    aliases[alias] = tuple(path[1:])
                continue
            if chunk.name == "package":
                continue
            if chunk.tokens[0].kind != "ident" or chunk.name in ("input", "data") or chunk.name in _GLUE:
                prog.imports.append(chunk)  # not a rule as far as this reading goes: read with every rule
                continue
            prog.chunks.setdefault((package, chunk.name), []).append(chunk)
    return prog


def _chunks(module: str, tokens: list[Token]) -> list[Chunk]:
    out: list[Chunk] = []
    n = len(tokens)
    i = 0
    while i < n:
        if tokens[i].kind == "nl" or tokens[i].text == ";":
            i += 1
            continue
        start = i
        # to the end of the statement: a newline outside brackets that is not
        # followed by a continuation (`else`, a body `{` after `if`)
        while i < n:
            t = tokens[i]
            if t.kind == "op" and t.text in OPEN:
                i = _skip_balanced(tokens, i)
                continue
            if t.text == ";":
                break  # (two statements on a line)
            if t.kind == "nl":
                k = i
                while k < n and tokens[k].kind == "nl":
                    k += 1
                prev = tokens[i - 1] if i > start else None
                if k < n and _continues(prev, tokens[k]):
                    i = k
                    continue
                break
            i += 1
        body = tokens[start:i]
        first = body[0]
        if first.text in ("package", "import"):
            name = first.text
        elif first.text == "default" and len(body) > 1:
            name = body[1].text
        else:
            name = first.text
        out.append(Chunk(module, name, body))
    return out


_GLUE = {"if", "else", "contains", "in", "not", "some", "every", "with", "as"}  # keywords that need more
_GOES_ON = {"if", "else", "contains", "in", "with", "as"}  # keywords that cannot open a statement


def _continues(prev: Token | None, nxt: Token) -> bool:
    """Whether a statement goes on over a newline: after an operator or a
    keyword that needs more, or before a line that cannot open a rule."""
    if prev is not None and (prev.kind == "op" and prev.text not in CLOSE or prev.kind == "ident" and prev.text in _GLUE):
        return True
    return nxt.kind != "ident" or nxt.text in _GLUE  # (no rule is named by a keyword)


def closure(prog: Program, package: str, rule: str) -> list[Chunk] | None:
    """The chunks rule `package.rule` can reach, or None when that cannot be
    told (a computed reference into `data`, an unknown import)."""
    seen: set[tuple[str, str]] = set()
    todo = [(package, rule)]
    out: list[Chunk] = []
    rego_packages = set(prog.packages.values())
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        pkg = key[0]
        names = prog.names(pkg)
        for chunk in prog.chunks.get(key, ()):
            out.append(chunk)
            aliases = prog.aliases.get(chunk.module, {})
            toks = chunk.tokens
            for j, t in enumerate(toks):
                if t.kind != "ident" or (j and toks[j - 1].text == "."):
                    continue
                if t.text in names:
                    todo.append((pkg, t.text))
                    continue
                if t.text == "data" or t.text in aliases:
                    path = list(aliases.get(t.text, ()))
                    k = j + 1
                    while True:
                        if k + 1 < len(toks) and toks[k].text == "." and toks[k + 1].kind == "ident":
                            path.append(toks[k + 1].text)
                            k += 2
                        elif k + 2 < len(toks) and toks[k].text == "[" and toks[k + 1].kind == "str" and toks[k + 2].text == "]":
                            path.append(json.loads(toks[k + 1].text))
                            k += 3
                        else:
                            break
                    target = _resolve(path, rego_packages)
                    if target is False:
                        return None
                    if target is not None:
                        todo.append(target)
    return out


def _resolve(path: list[str], packages: set[str]) -> tuple[str, str] | bool | None:
    """A data path -> the (package, rule) it reads; None for plain data (no
    rule); False when it reads a package (or all of `data`) as a whole."""
    for cut in range(len(path) - 1, 0, -1):
        prefix = ".".join(path[:cut])
        if prefix in packages:
            return prefix, path[cut]
    if any(p.split(".")[: len(path)] == path for p in packages):
        return False
    return None


class _Wild:
    def __repr__(self) -> str:
        return "*"


WILD = _Wild()  # a key of a field tree: every key or index at that level


def input_tree(chunks: Iterable[Chunk] | None, prog: Program | None = None) -> Any:
    """The field tree the chunks can read of `input` (EVERYTHING when they
    use it whole).  With the program, an index bound to constant strings
    (`some field in ["containers", "initContainers"]`) reads those keys only."""
    if chunks is None:
        return EVERYTHING
    tree: dict = {}
    for chunk in chunks:
        toks = chunk.tokens
        n = len(toks)
        bodies = _body_depths(toks)
        bound = _constant_bindings(prog, chunk) if prog is not None else {}
        for j, t in enumerate(toks):
            if t.kind != "ident" or t.text != "input" or (j and toks[j - 1].text == "."):
                continue
            if j and toks[j - 1].text == "with" and j + 1 < n and toks[j + 1].text == "as":
                continue  # `with input as X` replaces the input; it reads none of it
            path: list = []
            k = j + 1
            while k < n:
                if k + 1 < n and toks[k].text == "." and toks[k + 1].kind == "ident":
                    path.append(toks[k + 1].text)
                    k += 2
                elif k + 2 < n and toks[k].text == "[" and toks[k + 1].kind in ("str", "raw") and toks[k + 2].text == "]":
                    text = toks[k + 1].text
                    path.append(json.loads(text) if toks[k + 1].kind == "str" else text[1:-1])
                    k += 3
                elif k + 2 < n and toks[k].text == "[" and toks[k + 1].text in bound and toks[k + 2].text == "]":
                    path.append(bound[toks[k + 1].text])  # one of these keys
                    k += 3
                elif toks[k].text == "[" and toks[k].kind == "op":
                    path.append(WILD)  # any other index: every element
                    k = _skip_balanced(toks, k)
                else:
                    break
            keys = _object_get_keys(toks, j, k)
            if keys is not None:
                path.extend(keys)  # `object.get(input.a, ["b", "c"], x)` reads input.a.b.c
            elif path and path[-1] is WILD and _alone(toks, j, k, bodies):
                # `some i; input.a[i]` as a statement of its own binds i and
                # tests each element for being there: the elements are
                # sent, but none of their fields for this
                for one in _expand(path):
                    _add(tree, one, {})
                continue
            while path and path[-1] is WILD:
                path.pop()  # `input.a[i]` reads the elements whole
            if not path:
                return EVERYTHING
            for one in _expand(path):
                _add(tree, one)
    return tree


def _expand(path: list) -> list[list]:
    """The paths a path with alternatives (a tuple of keys) stands for."""
    out: list[list] = [[]]
    for part in path:
        if type(part) is tuple:
            out = [[*p, key] for p in out for key in part]
        else:
            for p in out:
                p.append(part)
    return out


def _constant_bindings(prog: Program, chunk: Chunk) -> dict[str, tuple[str, ...]]:
    """Variables the chunk binds, once, by `some NAME in C` (C a literal
    array or set of strings, or a rule of the package that is one), and
    binds nowhere else: NAME -> those strings."""
    toks = chunk.tokens
    n = len(toks)
    package = prog.packages.get(chunk.module, "")
    found: dict[str, tuple[str, ...]] = {}
    for i, t in enumerate(toks):
        if t.text != "some" or i + 3 >= n or toks[i + 1].kind != "ident" or toks[i + 2].text != "in":
            continue
        name, start = toks[i + 1].text, i + 3
        if toks[start].text in ("[", "{") and toks[start].kind == "op":
            end = _skip_balanced(toks, start)
            values = _literal_strings(toks[start:end], keys=False)
        elif toks[start].kind == "ident":
            end = start + 1
            values = _constant_strings(prog, package, toks[start].text, keys=False)
        else:
            continue
        if values is None or (end < n and toks[end].kind != "nl" and toks[end].text not in (";", "}")):
            continue
        uses = [j for j, x in enumerate(toks) if x.kind == "ident" and x.text == name and not (j and toks[j - 1].text == ".")]
        if uses[0] != i + 1 or any(_declared(toks, j) or j + 1 < n and toks[j + 1].text in (":=", "=") for j in uses[1:]):
            continue  # bound elsewhere too, or used before: not only these values
        found[name] = tuple(sorted(values))
    return found


def _declared(toks: list[Token], j: int) -> bool:
    """Whether toks[j] is a name a `some` declares (`some a, b`, `some k, v in x`)."""
    k = j - 1
    while k >= 0 and (toks[k].kind == "ident" or toks[k].text == ","):
        if toks[k].text == "some":
            return True
        k -= 1
    return False


def _body_depths(toks: list[Token]) -> set[int]:
    """Indexes of the tokens whose innermost bracket is a rule body
    (`if {`, `else {`)."""
    out: set[int] = set()
    stack: list[bool] = []
    for i, t in enumerate(toks):
        if t.kind == "op" and t.text in OPEN:
            stack.append(t.text == "{" and i > 0 and toks[i - 1].text in ("if", "else"))
            continue
        if t.kind == "op" and t.text in CLOSE:
            if stack:
                stack.pop()
            continue
        if stack and stack[-1]:
            out.add(i)
    return out


def _alone(toks: list[Token], j: int, k: int, bodies: set[int]) -> bool:
    """Whether toks[j:k] is a statement of a rule body by itself."""
    if j not in bodies or j == 0:
        return False
    before, after = toks[j - 1], toks[k] if k < len(toks) else None
    return (before.kind == "nl" or before.text in (";", "{")) and (
        after is None or after.kind == "nl" or after.text in (";", "}")
    )


def _object_get_keys(toks: list[Token], j: int, k: int) -> list[str] | None:
    """The constant key path when the reference toks[j:k] is the first
    argument of the builtin object.get; else None."""
    if j < 4 or [x.text for x in toks[j - 4 : j]] != ["object", ".", "get", "("] or (j > 4 and toks[j - 5].text == "."):
        return None
    if k + 2 >= len(toks) or toks[k].text != ",":
        return None
    if toks[k + 1].kind == "str" and toks[k + 2].text == ",":
        return [json.loads(toks[k + 1].text)]
    if toks[k + 1].text != "[":
        return None
    keys, m = [], k + 2
    while m < len(toks) and toks[m].kind == "str":
        keys.append(json.loads(toks[m].text))
        if toks[m + 1].text == ",":
            m += 2
        else:
            m += 1
            break
    if m + 1 < len(toks) and toks[m].text == "]" and toks[m + 1].text == ",":
        return keys
    return None


def _add(tree: dict, path: list, leaf: Any = KEEP) -> None:
    """Keep `path`: whole (KEEP), or only as a node ({}: its fields only
    where other paths name them)."""
    for part in path[:-1]:
        sub = tree.get(part)
        if sub is KEEP:
            return
        tree = tree.setdefault(part, {})
    if leaf is KEEP:
        tree[path[-1]] = KEEP
    else:
        tree.setdefault(path[-1], leaf)


def merge(a: Any, b: Any) -> Any:
    if a is EVERYTHING or b is EVERYTHING:
        return EVERYTHING
    if a is KEEP or b is KEEP:
        return KEEP
    out = dict(a)
    for key, sub in b.items():
        out[key] = merge(out[key], sub) if key in out else sub
    return out


def prune(value: Any, tree: Any) -> Any:
    """`value` with only the fields of `tree` (the same value where the
    tree keeps everything)."""
    if tree is EVERYTHING or tree is KEEP:
        return value
    t = type(value)
    wild = tree.get(WILD)
    if t is dict:
        out = {}
        for key, sub in value.items():
            node = tree.get(key if type(key) is str else str(key))  # (make_input names keys so)
            if wild is not None:
                node = wild if node is None else merge(node, wild)
            if node is not None:
                out[key] = prune(sub, node)
        return out
    if t is list and wild is not None:
        return [prune(item, wild) for item in value]
    return value  # (a name in a list reads nothing there; keep it as it is)


# --- kind guards -----------------------------------------------------------


def kind_guard(prog: Program, package: str, rule: str, data: Any = None) -> frozenset[str] | None:
    """The kinds `package.rule` can produce results for, when every body of
    it tests input.kind; None when it may for any kind.  With the policies'
    `data`, a body that tests a setting data does not have (`settings.x`,
    `data.kubelint.x`: undefined or false) is for no kind."""
    chunks = prog.chunks.get((package, rule))
    if not chunks:
        return None
    kinds: set[str] = set()
    for chunk in chunks:
        body = _single_body(chunk.tokens)
        if body is None:
            return None
        statements = _statements(body)
        if data is not None and any(_never(prog, package, s, body, data) for s in statements):
            continue  # this body succeeds for no object
        found = None
        for statement in statements:
            found = _guard_of(prog, package, statement)
            if found is not None:
                break
        if found is None:
            return None
        kinds |= found
    return frozenset(kinds)


_UNDEFINED, _UNKNOWN = object(), object()


def _never(prog: Program, package: str, s: list[Token], body: list[Token], data: dict) -> bool:
    """Whether statement `s` is a reference into data alone (directly, or
    through a rule `name := data.path` with an optional constant default)
    whose value is undefined or false with these data, or assigns such a
    reference to a local (`x := data.path`) and it is undefined: then the
    body never succeeds, whatever the object."""
    if not s or s[0].kind != "ident":
        return False
    assigned = len(s) > 2 and s[1].text == ":=" and s[2].kind == "ident"
    if assigned:
        s = s[2:]  # `x := data.kubelint.x`: fails when undefined (false is a value to assign)
    path = _plain_ref(s)
    if path is None:
        return False
    root, rest = path[0], path[1:]
    if root == "data":
        value = _data_at(prog, data, rest)
    elif (package, root) in prog.chunks and not _bound_in(body, root):
        value = _rule_value(prog, package, root, data)
    else:
        return False
    for key in rest if root != "data" else ():
        if value is _UNKNOWN or value is _UNDEFINED:
            break
        value = value.get(key, _UNDEFINED) if isinstance(value, dict) else _UNDEFINED
    return value is _UNDEFINED or value is False and not assigned


def _plain_ref(toks: list[Token]) -> list[str] | None:
    """`a.b["c"]` -> ["a", "b", "c"]; None for anything else."""
    path, k, n = [toks[0].text], 1, len(toks)
    while k < n:
        if k + 1 < n and toks[k].text == "." and toks[k + 1].kind == "ident":
            path.append(toks[k + 1].text)
            k += 2
        elif k + 2 < n and toks[k].text == "[" and toks[k + 1].kind == "str" and toks[k + 2].text == "]":
            path.append(json.loads(toks[k + 1].text))
            k += 3
        else:
            return None
    return path


def _bound_in(body: list[Token], name: str) -> bool:
    """Whether the body may bind a local variable of that name (`name :=`,
    `name =`, `some name`, `some k, name in ...`, anywhere in it)."""
    for i, t in enumerate(body):
        if t.kind != "ident" or t.text != name or (i and body[i - 1].text == "."):
            continue
        if i + 1 < len(body) and body[i + 1].text in (":=", "=") or _declared(body, i):
            return True
    return False


def _data_at(prog: Program, data: dict, path: list[str]) -> Any:
    """data at `path`: _UNDEFINED when absent, _UNKNOWN when a Rego package
    is at or below it (its rules are not data)."""
    for package in prog.packages.values():
        parts = package.split(".")
        if parts[: len(path)] == path or path[: len(parts)] == parts:
            return _UNKNOWN
    value: Any = data
    for key in path:
        value = value.get(key, _UNDEFINED) if isinstance(value, dict) else _UNDEFINED
        if value is _UNDEFINED:
            break
    return value


def _rule_value(prog: Program, package: str, name: str, data: dict) -> Any:
    """The value of a rule `name := data.path` (and `default name := constant`)."""
    default, value = _UNDEFINED, _UNKNOWN
    for chunk in prog.chunks[(package, name)]:
        toks = [t for t in chunk.tokens if t.kind != "nl"]
        if toks[0].text == "default":
            if len(toks) < 4 or toks[2].text not in (":=", "="):
                return _UNKNOWN
            try:
                default = json.loads("".join(t.text for t in toks[3:]))
            except ValueError:
                return _UNKNOWN
            continue
        if value is not _UNKNOWN or len(toks) < 3 or toks[1].text not in (":=", "=") or toks[2].text != "data":
            return _UNKNOWN
        path = _plain_ref(toks[2:])
        if path is None:
            return _UNKNOWN
        value = _data_at(prog, data, path[1:])
        if value is _UNKNOWN:
            return _UNKNOWN
    if value is _UNKNOWN:
        return _UNKNOWN
    return default if value is _UNDEFINED else value


def _single_body(toks: list[Token]) -> list[Token] | None:
    """The tokens of the one body of a rule `head if { body }` or `head if
    expr` (None for defaults, else branches, several bodies, no body)."""
    if not toks or toks[0].text == "default":
        return None
    depth = 0
    for j, t in enumerate(toks):
        if t.kind == "op" and t.text in OPEN:
            depth += 1
        elif t.kind == "op" and t.text in CLOSE:
            depth -= 1
        elif depth == 0 and t.text == "if":
            k = j + 1
            while k < len(toks) and toks[k].kind == "nl":
                k += 1
            if k < len(toks) and toks[k].text == "{":
                end = _skip_balanced(toks, k)
                if any(x.kind != "nl" for x in toks[end:]):
                    return None  # an else branch or another body
                return toks[k + 1 : end - 1]
            rest = toks[k:]
            if any(x.text == "else" for x in rest):
                return None
            return rest
        elif depth == 0 and t.text == "else":
            return None
    return None


def _statements(body: list[Token]) -> list[list[Token]]:
    """The statements of a body: split at `;` and at newlines that do not
    continue an expression (after an operator, or before one)."""
    out, current, depth = [], [], 0
    for i, t in enumerate(body):
        if t.kind == "op" and t.text in OPEN:
            depth += 1
        elif t.kind == "op" and t.text in CLOSE:
            depth -= 1
        if depth == 0 and t.kind == "nl":
            nxt = next((x for x in body[i + 1 :] if x.kind != "nl"), None)
            prev = current[-1] if current else None
            if nxt is not None and (
                (prev is not None and (prev.kind == "op" and prev.text not in CLOSE or prev.kind == "ident" and prev.text in _GLUE))
                or (nxt.kind == "op" and nxt.text not in OPEN) or nxt.text in _GOES_ON
            ):
                continue  # the expression goes on
        if depth == 0 and (t.kind == "nl" or t.text == ";"):
            if current:
                out.append(current)
            current = []
            continue
        current.append(t)
    if current:
        out.append(current)
    return out


_INPUT_KIND = ["input", ".", "kind"]


def _guard_of(prog: Program, package: str, s: list[Token]) -> set[str] | None:
    texts = [t.text for t in s]
    # input.kind == "X" / "X" == input.kind
    if len(s) == 5 and texts[:3] == _INPUT_KIND and texts[3] == "==" and s[4].kind == "str":
        return {json.loads(s[4].text)}
    if len(s) == 5 and texts[2:] == _INPUT_KIND and texts[1] == "==" and s[0].kind == "str":
        return {json.loads(s[0].text)}
    # input.kind in {"X", "Y"} / ["X", "Y"]
    if len(s) >= 5 and texts[:3] == _INPUT_KIND and texts[3] == "in" and texts[4] in ("{", "["):
        if _skip_balanced(s, 4) == len(s):
            return _literal_strings(s[4:], keys=False)
    # NAME[input.kind], NAME a constant object or set of this package
    if len(s) == 6 and s[0].kind == "ident" and texts[1] == "[" and texts[2:5] == _INPUT_KIND and texts[5] == "]":
        return _constant_strings(prog, package, texts[0], keys=True)
    return None


def _constant_strings(prog: Program, package: str, name: str, keys: bool) -> set[str] | None:
    """The strings of a rule `name := {...}` of the package: the keys of an
    object literal or the members of a set (`keys`), or the elements of an
    array or set literal of strings (not `keys`); None for anything else."""
    chunks = prog.chunks.get((package, name))
    if not chunks:
        return None
    out: set[str] = set()
    for chunk in chunks:
        toks = [t for t in chunk.tokens if t.kind != "nl"]
        if len(toks) < 3 or toks[1].text not in (":=", "=") or toks[2].text not in (("{",) if keys else ("[", "{")):
            return None
        if _skip_balanced(toks, 2) != len(toks):
            return None  # `if`, `else` or more after the literal
        found = _literal_strings(toks[2:], keys=keys)
        if found is None:
            return None
        out |= found
    return out


def _literal_strings(toks: list[Token], keys: bool) -> set[str] | None:
    """The strings of a set/array literal (or the keys of an object literal
    when `keys`); None when one is not a constant string."""
    inner = [t for t in toks[1:-1] if t.kind != "nl"]
    bounds = [-1, *top_level_commas(inner, 0, len(inner)), len(inner)]
    elements = [inner[a + 1 : b] for a, b in zip(bounds, bounds[1:])]
    if elements and not elements[-1]:
        elements.pop()  # a trailing comma, or nothing at all
    out: set[str] = set()
    for e in elements:
        if len(e) >= 2 and e[0].kind == "str" and e[1].text == ":" and toks[0].text == "{":
            out.add(json.loads(e[0].text))  # an object key
        elif len(e) == 1 and e[0].kind == "str" and not (keys and toks[0].text == "["):
            out.add(json.loads(e[0].text))  # a set (or array) element
        else:
            return None
    if toks[0].text == "{" and elements and len({len(e) >= 2 for e in elements}) > 1:
        return None  # not an object nor a set
    if not keys and toks[0].text == "{" and elements and len(elements[0]) >= 2:
        return None  # `in` an object tests its values, not its keys
    return out


def rule_tree(prog: Program, package: str, rule: str) -> Any:
    """The field tree rule `package.rule` can read of its input."""
    chunks = closure(prog, package, rule)
    if chunks is None:
        return EVERYTHING
    return input_tree([*chunks, *prog.imports], prog)


# --- the plan of a policy set --------------------------------------------


@dataclass(slots=True)
class Plan:
    """Per kind, which wrapper entry to evaluate (None: nothing can fire)
    and the field tree to send; per template kind, the field tree of its
    review input."""

    subsets: list[tuple[int, ...]]  # wrapper entry results_<n>: conftest rule indexes
    kinds: dict[str, tuple[str | None, Any]]  # kinds named by guards -> (entry, tree)
    other: tuple[str | None, Any]  # every other kind
    templates: dict[str, Any]  # constraint kind -> field tree
    pure: bool = False  # the same input gets the same answer (answers may be reused)
    # the same without the rules that test a field for a value (`input.metadata.namespace
    # == "default"`), for an object that has none of those values
    values: tuple = ()  # ((path, value), ...) the rules test
    kinds_without: dict = field(default_factory=dict)
    other_without: tuple = (None, EVERYTHING)

    def for_kind(self, kind: str | None) -> tuple[str | None, Any]:
        return self.kinds.get(kind, self.other) if kind is not None else self.other

    def for_object(self, data: Any) -> tuple[str | None, Any]:
        """(entry, field tree) for an object."""
        kind = data.get("kind") if isinstance(data, dict) else None
        kind = kind if type(kind) is str else None
        if not self.values or any(_has_value(data, path, value) for path, value in self.values):
            return self.for_kind(kind)
        return self.kinds_without.get(kind, self.other_without) if kind is not None else self.other_without


def _has_value(data: Any, path: tuple, value: str) -> bool:
    """Whether data at path equals the string `value` as the engine reads it
    (make_input: strings as they are, dates and other scalars as text)."""
    for key in path:
        if not isinstance(data, dict):
            return False
        if key in data:
            data = data[key]
        else:
            found = [v for k, v in data.items() if type(k) is not str and str(k) == key]
            if not found:
                return False
            data = found[0]
    if type(data) is str:
        return data == value
    if data is None or isinstance(data, (dict, list, int, float, bool)):
        return False
    return str(data) == value


def value_guard(prog: Program, package: str, rule: str) -> tuple[tuple, str] | None:
    """(path, value) when the one body of a rule states `input.path ==
    "value"` (a field other than kind)."""
    chunks = prog.chunks.get((package, rule))
    if not chunks or len(chunks) != 1:
        return None
    body = _single_body(chunks[0].tokens)
    if body is None:
        return None
    for s in _statements(body):
        if len(s) < 5:
            continue
        if s[-2].text == "==" and s[-1].kind == "str":
            ref, const = s[:-2], s[-1]  # input.a.b == "x"
        elif s[1].text == "==" and s[0].kind == "str":
            ref, const = s[2:], s[0]  # "x" == input.a.b
        else:
            continue
        if ref[0].text == "input":
            path = _plain_ref(ref)
            if path is not None and len(path) > 1 and path[1:] != ["kind"]:
                return tuple(path[1:]), json.loads(const.text)
    return None


def plan(modules: list[tuple[str, str, str]] | None, conftest: list[tuple[str, str]], templates: dict[str, str],
         data: dict | None = None) -> Plan:
    """`modules` (name, package, v1 source) of the policy set, None when
    they are not known (policies already on an OPA server): then every
    object is evaluated whole.  `data`: the policies' data, when the
    engine sees exactly that."""
    everything = ("results" if conftest else None, EVERYTHING)
    if modules is None:
        return Plan([], {}, everything, {})
    prog = program(modules)
    guards = [kind_guard(prog, package, rule, data) for package, rule in conftest]
    trees = [rule_tree(prog, package, rule) for package, rule in conftest]
    values = [value_guard(prog, package, rule) for package, rule in conftest]
    subsets: list[tuple[int, ...]] = []
    all_rules = tuple(range(len(conftest)))

    def entry_for(kind: str | None, without_values: bool = False) -> tuple[str | None, Any]:
        subset = tuple(
            i for i, g in enumerate(guards)
            if (g is None or (kind is not None and kind in g)) and not (without_values and values[i] is not None)
        )
        if not subset:
            return None, EVERYTHING
        tree: Any = {}
        for i in subset:
            tree = merge(tree, trees[i])
        if subset == all_rules:
            return "results", tree
        if subset not in subsets:
            subsets.append(subset)
        return f"results_{subsets.index(subset)}", tree

    named = sorted(set().union(*(g for g in guards if g is not None)))
    kinds = {kind: entry_for(kind) for kind in named}
    other = entry_for(None)
    template_trees = {kind: rule_tree(prog, package, "violation") for kind, package in templates.items()}
    result = Plan(subsets, kinds, other, template_trees, pure(source for _, _, source in modules))
    if any(v is not None for v in values):
        result.values = tuple(dict.fromkeys(v for v in values if v is not None))
        result.kinds_without = {kind: entry_for(kind, True) for kind in named}
        result.other_without = entry_for(None, True)
    return result


# Builtins whose answer is not a function of the input and data alone (the
# clock, randomness, the network, the engine's own state).
_IMPURE_RE = re.compile(
    r"\b(time\.now_ns|rand\.intn|uuid\.rfc4122|opa\.runtime|http\.send|net\.lookup_ip_addr"
    r"|io\.jwt\.decode_verify|crypto\.x509\.parse_and_verify_certificates\w*)\b"
)


def pure(sources: Iterable[str]) -> bool:
    """Whether the policies give the same answer for the same input (so an
    answer may be reused for an object that sends the same fields)."""
    return not any(_IMPURE_RE.search(source) for source in sources)
