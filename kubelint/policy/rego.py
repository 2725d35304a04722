"""Rego source handling that needs no interpreter: the version a module is
written in, the rules it defines, the builtins it calls, and the upgrade of
the older syntax (Rego v0) to Rego v1, which is what regopy reads.

Which syntax a module is in:

* `import rego.v1` says v1; so does a `--rego-version v1` (or `rego-version: v1`
  in the configuration).
* `import future.keywords...`, `import rego.v0`, or any rule body opened
  without `if` (`deny[msg] { ... }`, `p { ... }`) means v0: no v1 module has
  those (OPA 1.0 rejects a body without `if`).
* A module that says nothing and reads the same in both is taken as v1, as
  OPA 1.x and conftest 0.56+ do.

Upgrading v0 changes two things, as `opa fmt --v0-v1` does: a partial set
head `name[key]` (no value) becomes `name contains key`, and `if` is put
before every rule body that lacks it.  Lines stay where they were, so an
error position in the upgraded text is one in the file (columns are mapped
back through the inserted text).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

_TOKEN_RE = re.compile(
    r"""(?P<nl>\n)|(?P<ws>[ \t\r]+)|(?P<comment>\#[^\n]*)|(?P<str>"(?:[^"\\\n]|\\.)*")|(?P<raw>`[^`]*`)"""
    r"""|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"""
    r"""|(?P<op>:=|==|!=|<=|>=|[{}\[\]().,;:=<>+\-*/%|&!])|(?P<other>.)""",
    re.S,
)
OPEN, CLOSE = "{[(", "}])"
# Tokens after which a `{` opens a body, not an object or set literal.
_TERM_END = {"ident", "num", "str", "raw"}
NETWORK_BUILTINS = ("http.send", "net.lookup_ip_addr")
# Rule names conftest reads: deny, violation, warn, and `deny_<suffix>` etc.
CONFTEST_RULE_RE = re.compile(r"^(deny|violation|warn)(_[A-Za-z0-9_]+)?$")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int  # offset in the source
    line: int  # 1-based
    column: int  # 1-based


@dataclass(slots=True)
class Module:
    """A Rego module as kubelint knows it before compiling it."""

    file: str
    source: str  # as written
    package: str = ""
    version: str = "v1"  # the syntax it was read as
    rules: dict[str, int] = field(default_factory=dict)  # top-level rule name -> line of its first head
    v1_source: str = ""  # what the interpreter gets
    inserts: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # line -> [(column, length)]
    calls: dict[str, tuple[int, int]] = field(default_factory=dict)  # dotted call name -> first (line, column)
    import_names: set[str] = field(default_factory=set)  # the names imports bind (`import data.a.b` binds b)
    line_offset: int = 0  # lines before the module in its file (Rego inside a ConstraintTemplate)

    def original_column(self, line: int, column: int) -> int:
        """The column in the file of a column in the upgraded text."""
        shift = sum(length for col, length in self.inserts.get(line, ()) if col < column)
        return max(1, column - shift)


# Words of Rego that a `(` may follow without a call.
_KEYWORDS = frozenset({"not", "some", "every", "in", "if", "else", "contains", "with", "as", "default", "import", "package"})


def tokenize(source: str) -> list[Token]:
    """The tokens of a module (the rewrites and the input analysis read each
    text several times: tokenized once)."""
    return list(_tokens(source))


@lru_cache(maxsize=64)
def _tokens(source: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    line, line_start = 1, 0
    for m in _TOKEN_RE.finditer(source):
        kind = m.lastgroup or "other"
        text = m.group()
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text, m.start(), line, m.start() - line_start + 1))
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind == "raw" and "\n" in text:
            line += text.count("\n")
            line_start = m.start() + text.rfind("\n") + 1
    return tuple(tokens)


def _skip_balanced(tokens: list[Token], i: int) -> int:
    """Index after the bracket group that opens at tokens[i]."""
    depth = 0
    while i < len(tokens):
        t = tokens[i].text
        if tokens[i].kind == "op" and t in OPEN:
            depth += 1
        elif tokens[i].kind == "op" and t in CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _skip_newlines(tokens: list[Token], i: int) -> int:
    while i < len(tokens) and tokens[i].kind == "nl":
        i += 1
    return i


def read_module(file: str, source: str, default_version: str = "auto") -> Module:
    """Scan a module: package, rules, calls, syntax version; upgrade v0."""
    tokens = tokenize(source)
    module = Module(file, source)
    imports: list[str] = []
    body_without_if = False
    partial_sets: list[tuple[Token, Token, Token]] = []  # (name, "[", "]") of `name[key]` heads
    missing_if: list[Token] = []  # `{` of bodies without `if`
    bare_functions: list[Token] = []  # `)` closing a function head with no value and no body
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t.kind == "nl" or t.text == ";":
            i += 1
            continue
        if t.kind == "ident" and t.text in ("package", "import"):
            j = i + 1
            parts = []
            while j < n and tokens[j].kind != "nl":
                parts.append(tokens[j].text)
                j += 1
            name = "".join(parts).split(" as ")[0]
            if t.text == "package":
                module.package = name
            else:
                imports.append(name)
                texts = [x.text for x in tokens[i + 1 : j]]
                bound = texts[texts.index("as") + 1 : texts.index("as") + 2] if "as" in texts else texts[-1:]
                module.import_names.update(bound)
            i = j
            continue
        if t.kind == "ident" and t.text == "default":
            j = i + 1
            if j < n and tokens[j].kind == "ident":
                module.rules.setdefault(tokens[j].text, tokens[j].line)
            while j < n and tokens[j].kind != "nl":
                j = _skip_balanced(tokens, j) if tokens[j].text in OPEN and tokens[j].kind == "op" else j + 1
            i = j
            continue
        if t.kind != "ident":
            i += 1
            continue
        # A rule head: ref, optional args, optional `contains`/value, optional `if`, body.
        name_token = t
        module.rules.setdefault(t.text, t.line)
        j = i + 1
        brackets: list[tuple[int, int]] = []
        while j < n:
            if tokens[j].text == "." and j + 1 < n and tokens[j + 1].kind == "ident":
                j += 2
            elif tokens[j].text == "[" and tokens[j].kind == "op":
                end = _skip_balanced(tokens, j)
                brackets.append((j, end - 1))
                j = end
            else:
                break
        is_function = j < n and tokens[j].text == "("
        if is_function:
            j = _skip_balanced(tokens, j)
        has_value = has_contains = False
        if j < n and tokens[j].text == "contains":
            has_contains = True
            j += 1
        elif j < n and tokens[j].text in ("=", ":="):
            has_value = True
            j += 1
        head_end = j
        j, has_if, body = _rule_rest(tokens, j, has_value or has_contains)
        if is_function and not has_value and body is None and not has_if:
            # `f("RunAsAny", _)` alone: a function that is true for those arguments
            bare_functions.append(tokens[head_end - 1])
        if body is not None and not has_if:
            body_without_if = True
            missing_if.append(tokens[body])
        if (
            not has_value
            and not has_contains
            and not is_function
            and len(brackets) == 1
            and tokens[brackets[0][0] - 1] is name_token
        ):
            partial_sets.append((name_token, tokens[brackets[0][0]], tokens[brackets[0][1]]))
        # else branches and further bodies
        while True:
            k = _skip_newlines(tokens, j)
            if k < n and tokens[k].text == "else":
                k += 1
                if k < n and tokens[k].text in ("=", ":="):
                    k += 1
                    j, has_if, body = _rule_rest(tokens, k, True)
                else:
                    j, has_if, body = _rule_rest(tokens, k, False)
                if body is not None and not has_if:
                    missing_if.append(tokens[body])
                continue
            if k < n and tokens[k].text == "{" and j == k:
                # v0's further bodies of the same rule (`p { a } { b }`) stay
                # as they are: only the first takes `if`.
                j = _skip_balanced(tokens, k)
                continue
            break
        i = j
    for index, t in enumerate(tokens):
        if t.kind == "ident" and index + 2 < n and tokens[index + 1].text == "." and tokens[index + 2].kind == "ident":
            name = f"{t.text}.{tokens[index + 2].text}"
            if name in NETWORK_BUILTINS and name not in module.calls:
                module.calls[name] = (t.line, t.column)

    if "rego.v1" in imports:
        module.version = "v1"
    elif "rego.v0" in imports or any(p.startswith("future.keywords") for p in imports) or body_without_if:
        module.version = "v0"
    elif default_version in ("v0", "v1"):
        module.version = default_version
    else:
        module.version = "v1"
    if module.version == "v0":
        module.v1_source = _upgrade(module, source, partial_sets, missing_if, imports, bare_functions)
    else:
        module.v1_source = source
    module.v1_source = hoist_iteration_arguments(module, separate_parenthesised_lines(module.v1_source))
    module.v1_source = hoist_negated_reference_arguments(module, module.v1_source)
    module.v1_source = split_sprintf_formats(module, module.v1_source)
    return module


def hoist_negated_reference_arguments(module: Module, text: str) -> str:
    """`not f(x, params.ranges)` with params.ranges undefined: OPA binds the
    argument outside the negation, so the body is undefined; regopy 1.5.2
    reads `not undefined`, true.  Bind such a reference (a dotted path, no
    brackets) before the `not`, as OPA does."""
    if "not " not in text:
        return text
    tokens = tokenize(text)
    n = len(tokens)
    edits: list[tuple[int, int, str]] = []
    counter = 0
    for i, t in enumerate(tokens):
        if t.text != "not" or i == 0 or not (tokens[i - 1].kind == "nl" or tokens[i - 1].text in ("{", ";")):
            continue
        # `not name(` ... `)` on this statement
        j = i + 1
        while j < n and (tokens[j].kind == "ident" or tokens[j].text == "."):
            j += 1
        if j >= n or tokens[j].text != "(" or j == i + 1:
            continue
        end = _skip_balanced(tokens, j) - 1
        hoisted = []
        k = j + 1
        while k < end:
            start = k
            depth = 0
            while k < end and not (depth == 0 and tokens[k].text == ","):
                if tokens[k].kind == "op" and tokens[k].text in OPEN:
                    depth += 1
                elif tokens[k].kind == "op" and tokens[k].text in CLOSE:
                    depth -= 1
                k += 1
            arg = tokens[start:k]
            if (
                len(arg) >= 3
                and all((x.kind == "ident") if p % 2 == 0 else x.text == "." for p, x in enumerate(arg))
            ):
                name = f"__kln{counter}"
                counter += 1
                ref = text[arg[0].start : arg[-1].start + len(arg[-1].text)]
                hoisted.append(f"{name} := {ref}; ")
                edits.append((arg[0].start, arg[-1].start + len(arg[-1].text), name))
            k += 1
        if hoisted:
            edits.append((t.start, t.start, "".join(hoisted)))
    return _apply_edits(text, edits, module)


def _format_pieces(fmt: str) -> tuple[list[str], list[str]] | None:
    """A Go format string as literal pieces and verbs: (L0..Ln, V1..Vn),
    `%%` read as `%`.  None for what a piecewise reading cannot keep: an
    explicit argument index (`%[2]v`), a `*` width, a `%` with no verb."""
    literals, verbs = [""], []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            literals[-1] += c
            i += 1
            continue
        if i + 1 < n and fmt[i + 1] == "%":
            literals[-1] += "%"
            i += 2
            continue
        m = _VERB_RE.match(fmt, i)
        if m is None or m.group("verb") in "*[":
            return None
        verbs.append(m.group())
        literals.append("")
        i = m.end()
    return literals, verbs


_VERB_RE = re.compile(r"%[-+# 0]*\d*(?:\.\d*)?(?P<verb>.)", re.S)


def split_sprintf_formats(module: Module, text: str) -> str:
    """regopy 1.5.2's sprintf goes wrong where the format is more than one
    verb (OPA/Go fmt.Sprintf reads the same format piece by piece):

    * a string argument made by a builtin or passed through a function
      argument (`concat(...)`, `upper(...)`, `f("lit")`) is printed with
      double quotes around it: `sprintf("at %v", [concat("", ["a", "b"])])`
      gives `at "ab"`, OPA `at ab` (regopy prints it bare when the format
      is the verb alone, `sprintf("%v", [...])`);
    * an argument missing for a verb makes the result undefined or the
      error "Not a term"; Go prints `%!v(MISSING)` in its place.

    So a call with a literal format and a literal array of no more
    arguments than verbs is read piecewise:
    `sprintf("at %v; %v", [a, b])` becomes
    `concat("", ["at ", sprintf("%v", [a]), "; ", sprintf("%v", [b])])`,
    and a missing argument's verb becomes the text Go prints for it.  Same
    value in OPA (each verb formats its own argument; `%%` is `%`).  Every
    edit is on one token, so lines stay where they were."""
    if "sprintf" not in text:
        return text
    tokens = tokenize(text)
    n = len(tokens)
    edits: list[tuple[int, int, str]] = []
    for i, t in enumerate(tokens):
        if t.text != "sprintf" or t.kind != "ident" or (i and tokens[i - 1].text == "."):
            continue
        if i + 4 >= n or tokens[i + 1].text != "(" or tokens[i + 2].kind not in ("str", "raw") or tokens[i + 3].text != ",":
            continue
        fmt_token = tokens[i + 2]
        if "\n" in fmt_token.text:
            continue
        k = _skip_newlines(tokens, i + 4)
        if k >= n or tokens[k].text != "[":
            continue
        close = _skip_balanced(tokens, k) - 1
        after = _skip_newlines(tokens, close + 1)
        if close >= n or tokens[close].text != "]" or after >= n or tokens[after].text != ")":
            continue
        if fmt_token.kind == "raw":
            fmt = fmt_token.text[1:-1]
        else:
            try:
                fmt = json.loads(fmt_token.text)
            except ValueError:
                continue
        pieces = _format_pieces(fmt)
        if pieces is None:
            continue
        literals, verbs = pieces
        # the array's elements: the commas between them, at its top level
        commas = top_level_commas(tokens, k + 1, close)
        last = next((j for j in range(close - 1, k, -1) if tokens[j].kind != "nl"), k)
        if commas and commas[-1] == last:
            commas.pop()  # a trailing comma: `[a, b,]`
        count = len(commas) + 1 if last > k else 0
        if count > len(verbs) or count == 0 or (len(verbs) == 1 and literals == ["", ""]):
            continue  # extra arguments (Go appends `%!(EXTRA ...)`), none, or one verb alone: as it is

        def lit(s: str) -> str:
            return json.dumps(s, ensure_ascii=False) + ", " if s else ""

        tail = literals[count] + "".join(f"%!{v[-1]}(MISSING){literals[x + 1]}" for x, v in enumerate(verbs) if x >= count)
        edits.append((t.start, t.start + len(t.text), "concat"))
        edits.append((fmt_token.start, fmt_token.start + len(fmt_token.text), f'"", [{lit(literals[0])}sprintf({json.dumps(verbs[0])}'))
        for x, comma in enumerate(commas):
            edits.append((tokens[comma].start, tokens[comma].start + 1, f"]), {lit(literals[x + 1])}sprintf({json.dumps(verbs[x + 1])}, ["))
        end = tokens[close]
        edits.append((end.start, end.start + 1, "])" + (", " + json.dumps(tail, ensure_ascii=False) if tail else "") + "]"))
    return _apply_edits(text, edits, module)


def top_level_commas(tokens: list[Token], start: int, end: int) -> list[int]:
    """The indexes of the commas in tokens[start:end] outside any bracket
    opened there (what separates the elements of a literal or arguments)."""
    out, depth = [], 0
    for j in range(start, end):
        t = tokens[j]
        if t.kind == "op" and t.text in OPEN:
            depth += 1
        elif t.kind == "op" and t.text in CLOSE:
            depth -= 1
        elif depth == 0 and t.text == ",":
            out.append(j)
    return out


def _apply_edits(text: str, edits: list, module) -> str:
    """Apply (start, end, replacement) edits, last first, recording in
    `module.inserts` where each changes a line's length, so compile errors
    map back to the columns of the file as written."""
    for start, end, replacement in sorted(edits, reverse=True):
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        delta = len(replacement) - (end - start)
        if delta:
            module.inserts.setdefault(line, []).append((column, delta))
        text = text[:start] + replacement + text[end:]
    return text


def separate_parenthesised_lines(text: str) -> str:
    """regopy 1.5.2 reads `a\n(b)` in a body as the call `a(b)`; OPA reads two
    expressions.  End the first with `;` (same lines, same columns before)."""
    if "\n" not in text or "(" not in text:
        return text
    tokens = tokenize(text)
    cuts = []
    depth: list[str] = []
    for i, t in enumerate(tokens):
        if t.kind == "op" and t.text in OPEN:
            depth.append(t.text)
        elif t.kind == "op" and t.text in CLOSE:
            if depth:
                depth.pop()
        elif t.kind == "nl" and depth and depth[-1] == "{" and i + 1 < len(tokens) and tokens[i + 1].text == "(":
            prev = tokens[i - 1] if i else None
            if prev is not None and (prev.kind in ("ident", "num", "str", "raw") or prev.text in (")", "]", "}")):
                cuts.append(t.start)
    for start in reversed(cuts):
        text = text[:start] + ";" + text[start:]
    return text


_NOT_CALLS = {"if", "not", "contains", "in", "some", "every", "else", "with", "as", "default", "import", "package"}


def hoist_iteration_arguments(module: Module, text: str) -> str:
    """regopy 1.5.2 rejects an iterated reference as a call argument
    (`startswith(image, input.parameters.repos[_])`: "Invalid bracket
    argument").  Bind it first, which means the same outside `not`:
    `__kl0 := input.parameters.repos[_]; startswith(image, __kl0)`."""
    if "[_]" not in text:
        return text
    tokens = tokenize(text)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    counter = 0
    stack: list[int] = []  # indexes of open brackets
    for i, t in enumerate(tokens):
        if t.kind == "op" and t.text in OPEN:
            stack.append(i)
        elif t.kind == "op" and t.text in CLOSE:
            if stack:
                stack.pop()
        if not (t.text == "_" and i >= 1 and tokens[i - 1].text == "[" and i + 1 < len(tokens) and tokens[i + 1].text == "]"):
            continue
        # the call whose argument this is: the innermost "(" preceded by a name
        depth_paren = None
        for j in reversed(stack[:-1]):  # stack[-1] is this "["
            if tokens[j].text == "(":
                if j >= 1 and tokens[j - 1].kind == "ident" and tokens[j - 1].text not in _NOT_CALLS:
                    depth_paren = j
                break
            if tokens[j].text in "{":
                break
        if depth_paren is None:
            continue
        # the reference: back from "[" over ident . [..] chains
        k = i - 2
        while k >= 0:
            if tokens[k].text == "]":
                depth = 0
                while k >= 0:
                    if tokens[k].text == "]":
                        depth += 1
                    elif tokens[k].text == "[":
                        depth -= 1
                        if depth == 0:
                            break
                    k -= 1
                k -= 1
            elif tokens[k].kind == "ident" and tokens[k].text not in _NOT_CALLS:
                if k >= 1 and tokens[k - 1].text == ".":
                    k -= 2
                else:
                    break
            else:
                k += 1
                break
        if k < 0 or k > i - 2 or tokens[k].kind != "ident" or k <= depth_paren:
            continue
        # the statement: back to a newline, ";", "|" or "{" outside brackets
        m = depth_paren - 1
        depth = 0
        while m >= 0:
            tm = tokens[m]
            if tm.kind == "op" and tm.text in CLOSE:
                depth += 1
            elif tm.kind == "op" and tm.text in OPEN:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (tm.kind == "nl" or tm.text in (";", "|")):
                break
            m -= 1
        if m < 0 or tokens[m].text not in ("{", ";", "|", "\n") or m + 1 >= len(tokens):
            continue
        first = tokens[m + 1]
        if first.text in ("not", "some", "every", "else", "default") or first.kind == "nl":
            continue
        if tokens[m].text == "{" and m >= 1 and tokens[m - 1].kind in ("ident",) and tokens[m - 1].text not in ("if", "else"):
            continue  # an object literal after a name, not a body
        name = f"__kl{counter}"
        counter += 1
        ref_text = text[tokens[k].start : tokens[i + 1].start + 1]
        edits.append((tokens[k].start, tokens[i + 1].start + 1, name))
        edits.append((first.start, first.start, f"{name} := {ref_text}; "))
    return _apply_edits(text, edits, module)


def _rule_rest(tokens: list[Token], j: int, has_value: bool) -> tuple[int, bool, int | None]:
    """From after `=`/`:=`/`contains` (or after the head ref): skip the value,
    read an optional `if` and the body.  (next index, saw `if`, index of the
    body's `{` or None)."""
    n = len(tokens)
    prev_kind = "op"
    if has_value:
        while j < n:
            t = tokens[j]
            if t.kind == "nl" or t.text == "if":
                break
            if t.text == "{" and (prev_kind in _TERM_END or tokens[j - 1].text in (")", "]", "}")):
                break
            if t.kind == "op" and t.text in OPEN:
                j = _skip_balanced(tokens, j)
                prev_kind = "close"
                continue
            prev_kind = t.kind
            j += 1
    has_if = j < n and tokens[j].text == "if"
    if has_if:
        j += 1
    k = j
    if has_if:
        k = _skip_newlines(tokens, j)
    if k < n and tokens[k].text == "{":
        return _skip_balanced(tokens, k), has_if, k
    if has_if:
        # one-line body: `p if input.x`
        while j < n and tokens[j].kind != "nl":
            j = _skip_balanced(tokens, j) if tokens[j].kind == "op" and tokens[j].text in OPEN else j + 1
    return j, has_if, None


def _upgrade(module: Module, source: str, partial_sets, missing_if, imports, bare_functions=()) -> str:
    edits: list[tuple[int, int, str, int, int]] = []  # (start, end, text, line, column)
    for close in bare_functions:
        edits.append((close.start + 1, close.start + 1, " := true", close.line, close.column + 1))
    for name, open_, close in partial_sets:
        # `name[key]` -> `name contains key`
        edits.append((open_.start, open_.start + 1, " contains ", open_.line, open_.column))
        edits.append((close.start, close.start + 1, "", close.line, close.column))
    for brace in missing_if:
        edits.append((brace.start, brace.start, "if ", brace.line, brace.column))
    out = []
    last = 0
    for start, end, text, line, column in sorted(edits):
        out.append(source[last:start])
        out.append(text)
        last = end
        delta = len(text) - (end - start)
        if delta:
            module.inserts.setdefault(line, []).append((column, delta))
    out.append(source[last:])
    text = "".join(out)
    # `import rego.v0` means nothing to a v1 reader; keep the line, blank it.
    if "rego.v0" in imports:
        text = re.sub(r"(?m)^\s*import\s+rego\.v0\s*$", "", text)
    return text


_TO_ESCAPE = re.compile(r'[\\"\x00-\x1f]')


def rego_string(text: str) -> bytes:
    """A string as regopy 1.5.2 keeps one: the text between the quotes of
    its JSON form, as its JSON reader and Rego string literals give it.
    regoInputString takes the bytes as that text, so a string passed as it
    is goes wrong where it has a backslash, a quote or a control character:
    a regex from a parameter (`^a\\.b$`) is "Invalid escape sequence",
    `input.x == "say \\"hi\\""` is never true, and the result's JSON is
    broken.  (What regopy still gets wrong on such strings, wherever they
    come from: count, indexof and the like count the escapes.)"""
    if _TO_ESCAPE.search(text) is None:
        return text.encode()
    return json.dumps(text, ensure_ascii=False)[1:-1].encode()


def conftest_rules(module: Module) -> list[str]:
    """The rules of a module that conftest reads (deny, warn, violation...)."""
    return [name for name in module.rules if CONFTEST_RULE_RE.match(name)]


def test_rules(module: Module) -> list[str]:
    return [name for name in module.rules if name.startswith("test_")]


_ERROR_RE = re.compile(r"\(error \d+:(?P<file>[^|\n]*)\|(?P<offset>\d+)\|(?P<length>\d+)")
_ERRMSG_RE = re.compile(r"\(errormsg (?P<len>\d+):")


def error_message(text: str) -> str:
    """The first error message of a regopy error dump."""
    m = _ERRMSG_RE.search(text)
    if not m:
        return " ".join(text.split())[:200]
    start = m.end()
    return text[start : start + int(m.group("len"))]


def error_location(text: str, modules: dict[str, Module]) -> tuple[str, int, int] | None:
    """(file, line, column) of the first error of a regopy error dump, in the
    file as written."""
    m = _ERROR_RE.search(text)
    if not m:
        return None
    module = modules.get(m.group("file"))
    if module is None:
        return None
    offset = int(m.group("offset"))
    src = module.v1_source
    line = src.count("\n", 0, offset) + 1
    column = offset - (src.rfind("\n", 0, offset) + 1) + 1
    return module.file, line + module.line_offset, module.original_column(line, column)


def split_input_withs(module: Module) -> dict[str, tuple[str, str]]:
    """regopy 1.5.2 crashes on `with input as` around most bodies, which is
    how conftest-style unit tests give their input.  For a test whose every
    `with` is `with input as T` with one and the same T (not a local
    variable), add `__kl_input_<test> := T` and `__kl_run_<test>` (the body
    without its `with` clauses) to the module, so the test runner can set T as
    the input and evaluate the body.  Returns {test: (input rule, run rule)}."""
    source = module.v1_source
    tokens = tokenize(source)
    n = len(tokens)
    added: list[str] = []
    found: dict[str, tuple[str, str]] = {}
    i = 0
    depth = 0
    while i < n:
        t = tokens[i]
        if t.kind == "op" and t.text in OPEN:
            depth += 1
        elif t.kind == "op" and t.text in CLOSE:
            depth -= 1
        if not (depth == 0 and t.kind == "ident" and t.text.startswith("test_") and (i == 0 or tokens[i - 1].kind == "nl")):
            i += 1
            continue
        j = i + 1
        if j < n and tokens[j].text == "if":
            j += 1
        if j >= n or tokens[j].text != "{":
            i += 1
            continue
        end = _skip_balanced(tokens, j) - 1  # the closing "}"
        withs, locals_, ok = [], set(), True
        assigned: dict[str, str] = {}
        k = j + 1
        inner = 0
        while k < end:
            tk = tokens[k]
            if tk.kind == "op" and tk.text in OPEN:
                inner += 1
            elif tk.kind == "op" and tk.text in CLOSE:
                inner -= 1
            elif tk.kind == "ident" and k + 1 < end and tokens[k + 1].text == ":=" and inner == 0:
                locals_.add(tk.text)
                # remember `name := term` for `with input as name`
                m, level = k + 2, 0
                while m < end:
                    tm = tokens[m]
                    if tm.kind == "op" and tm.text in OPEN:
                        level += 1
                    elif tm.kind == "op" and tm.text in CLOSE:
                        level -= 1
                    elif level == 0 and (tm.kind == "nl" or tm.text == ";"):
                        break
                    m += 1
                if m > k + 2:
                    value_tokens = tokens[k + 2 : m]
                    value_idents = {x.text for p, x in enumerate(value_tokens) if x.kind == "ident" and (p == 0 or value_tokens[p - 1].text != ".")}
                    if not value_idents & locals_:
                        assigned[tk.text] = source[value_tokens[0].start : value_tokens[-1].start + len(value_tokens[-1].text)]
            elif tk.text == "some" and inner == 0:
                m = k + 1
                while m < end and tokens[m].kind != "nl" and tokens[m].text != "in":
                    if tokens[m].kind == "ident":
                        locals_.add(tokens[m].text)
                    m += 1
            if tk.text == "with" and inner == 0:
                if not (k + 2 < end and tokens[k + 1].text == "input" and tokens[k + 2].text == "as"):
                    ok = False
                    break
                m = k + 3
                level = 0
                while m < end:
                    tm = tokens[m]
                    if tm.kind == "op" and tm.text in OPEN:
                        level += 1
                    elif tm.kind == "op" and tm.text in CLOSE:
                        level -= 1
                    elif level == 0 and (tm.kind == "nl" or tm.text in (";", "with")):
                        break
                    m += 1
                term_tokens = tokens[k + 3 : m]
                if not term_tokens:
                    ok = False
                    break
                term = source[term_tokens[0].start : term_tokens[-1].start + len(term_tokens[-1].text)]
                idents = {x.text for p, x in enumerate(term_tokens) if x.kind == "ident" and (p == 0 or term_tokens[p - 1].text != ".")}
                if len(term_tokens) == 1 and term in assigned:
                    term = assigned[term]  # `obj := {...}` earlier in the body
                elif idents & locals_:
                    ok = False
                    break
                withs.append((tokens[k].start, term_tokens[-1].start + len(term_tokens[-1].text), term))
                k = m
                continue
            k += 1
        if ok and withs and len({w[2] for w in withs}) == 1:
            body = source[tokens[j].start + 1 : tokens[end].start]
            base = tokens[j].start + 1
            for start, stop, _ in sorted(withs, reverse=True):
                body = body[: start - base] + body[stop - base :]
            name = t.text
            added.append(f"__kl_input_{name} := {withs[0][2]}\n")
            added.append(f"__kl_run_{name} if {{{body}}}\n")
            found[name] = (f"__kl_input_{name}", f"__kl_run_{name}")
        i = end + 1
        depth = 0
    if added:
        module.v1_source = source.rstrip("\n") + "\n\n" + "\n".join(added)
    return found


def bare_calls(module: Module) -> dict[str, tuple[int, int]]:
    """The names the module calls bare (`f(x)`, not `lib.f(x)`), each with
    where in its file it is first called (line, column): each must be a
    rule of the package, a name an import binds, or a builtin.  Read from the
    text the engine gets, so rules left out (unit tests) do not count."""
    tokens = tokenize(module.v1_source)
    out: dict[str, tuple[int, int]] = {}
    for i, t in enumerate(tokens):
        if (t.kind == "ident" and i + 1 < len(tokens) and tokens[i + 1].text == "(" and t.text not in _KEYWORDS
                and not (i and tokens[i - 1].text == ".") and t.text not in out):
            out[t.text] = (t.line + module.line_offset, module.original_column(t.line, t.column))
    return out


def blank_rules(module: Module, names: set[str]) -> None:
    """Remove top-level rules by name from the module's upgraded source,
    keeping every other character where it was (text becomes spaces)."""
    if not names:
        return
    source = module.v1_source
    tokens = tokenize(source)
    spans = []
    depth = 0
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if depth == 0 and t.kind == "ident" and t.text in names and (i == 0 or tokens[i - 1].kind == "nl"):
            j = i + 1
            # to the end of the rule: its bodies and else branches, or its line
            while j < n and not (tokens[j].kind == "nl" and (j + 1 >= n or tokens[j + 1].kind == "nl" or (
                tokens[j + 1].kind == "ident" and tokens[j + 1].text != "else"))):
                j = _skip_balanced(tokens, j) if tokens[j].kind == "op" and tokens[j].text in OPEN else j + 1
            end = tokens[j].start if j < n else len(source)
            spans.append((t.start, end))
            i = j
            continue
        if t.kind == "op" and t.text in OPEN:
            depth += 1
        elif t.kind == "op" and t.text in CLOSE:
            depth -= 1
        i += 1
    for start, end in reversed(spans):
        source = source[:start] + "".join(c if c == "\n" else " " for c in source[start:end]) + source[end:]
    module.v1_source = source

