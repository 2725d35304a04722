"""Label selectors: reading them, and whether a set of labels satisfies one.

One matcher, two ways of reading a selector, named for what they are for:

* `strict=True` reads a selector as the API server does
  (apimachinery pkg/apis/meta/v1/helpers.go `LabelSelectorAsSelector` and
  pkg/labels/selector.go `NewRequirement`): anything it would refuse raises
  `InvalidSelector` (the rule checking the selector itself reports it).
  Used where a finding is about what the server does with the selector
  (selector-mismatch).
* `strict=False` reads it the way a rule that reports an *absence* must:
  a part that cannot be read (a key that is not a string, an unknown
  operator) is dropped, that is, taken to match, and YAML numbers or
  booleans are read as their text.  Used by cross-object rules (a Service or
  PodDisruptionBudget that selects nothing), which must not invent a miss.

A Service selector is a plain map: `requirements({"matchLabels": selector})`.

`first_unmatched(requirements, labels, unknown)` is the one evaluation
(pkg/labels/selector.go `Requirement.Matches`).  `unknown` names label keys
that the pods surely carry but whose values the manifest cannot know (the
labels a controller adds, kubelint.k8s.pods.CONTROLLER_LABELS): any
requirement on them is taken to hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Iterable, Mapping

from kubelint.k8s.names import key_text, label_key_error, label_value, label_value_error

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")  # LabelSelectorOperator


class InvalidSelector(ValueError):
    """A selector the API server refuses to convert."""


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str  # "=" (a matchLabels entry), In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        """As labels.Requirement.String() writes it: `app=web`,
        `tier in (a, b)`, `tier notin (a)`, `tier`, `!tier`."""
        if self.operator == "=":
            return f"{self.key}={self.values[0]}"
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        word = "in" if self.operator == "In" else "notin"
        return f"{self.key} {word} ({', '.join(self.values)})"

    def holds(self, labels: Mapping[str, str], unknown: Collection[str] = ()) -> bool:
        key = self.key
        if key in labels:
            current = labels[key]
        elif key in unknown:
            return True  # present, value unknown: taken to hold
        else:
            current = None
        op = self.operator
        if op == "=" or op == "In":
            return current is not None and current in self.values
        if op == "NotIn":
            return current is None or current not in self.values
        if op == "Exists":
            return current is not None
        return current is None  # DoesNotExist


def _map(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def requirements(selector: Any, *, strict: bool) -> list[Requirement]:
    """The requirements of a LabelSelector (matchLabels, then
    matchExpressions, all ANDed); see the module docstring for `strict`."""
    out: list[Requirement] = []
    selector = _map(selector)
    for key, value in _map(selector.get("matchLabels")).items():
        if strict:
            key = key_text(key)
            if key is None or not isinstance(value, str) or label_key_error(key) or label_value_error(value):
                raise InvalidSelector(f"{key}={value}")
            out.append(Requirement(key, "=", (value,)))
        else:
            text = label_value(value)
            if isinstance(key, str) and text is not None:
                out.append(Requirement(key, "=", (text,)))
    for expression in map(_map, _list(selector.get("matchExpressions"))):
        key, operator = expression.get("key"), expression.get("operator")
        raw = _list(expression.get("values"))
        if strict:
            if not isinstance(key, str) or label_key_error(key) or operator not in OPERATORS:
                raise InvalidSelector(str(key))
            if not all(isinstance(v, str) and not label_value_error(v) for v in raw):
                raise InvalidSelector(str(key))
            if (operator in ("In", "NotIn")) != bool(raw):
                raise InvalidSelector(str(key))  # In/NotIn need values, Exists/DoesNotExist take none
            out.append(Requirement(key, operator, tuple(raw)))
        elif isinstance(key, str) and operator in OPERATORS:
            values = tuple(v for v in map(label_value, raw) if v is not None)
            out.append(Requirement(key, operator, values))
    return out


def first_unmatched(
    reqs: Iterable[Requirement], labels: Mapping[str, str], unknown: Collection[str] = ()
) -> Requirement | None:
    """The first requirement `labels` fail, or None when they satisfy all
    (an empty selector matches everything)."""
    for requirement in reqs:
        if not requirement.holds(labels, unknown):
            return requirement
    return None
