"""Hazards of the YAML text.  The parse stage emits these findings itself
(per file, before any object exists), so they are declared, not functions."""

from kubelint.registry import declare

yaml_syntax = declare(
    code="KL001",
    name="yaml-syntax",
    severity="error",
    category="yaml",
    doc="""
    The file is not valid YAML (or JSON).

    Why: kubectl refuses the whole file; nothing after the error is applied.
    kubelint reports the parser's complaint at the line where it happened and
    still checks the documents before it.
    Example:
        metadata:
          name: web
         labels: {}
    Use instead:
        metadata:
          name: web
          labels: {}
    Fix safety: no automatic fix; the intended structure is not known.
    References: https://yaml.org/spec/1.2.2/
    """,
)

duplicate_key = declare(
    code="KL002",
    name="duplicate-key",
    severity="error",
    category="yaml",
    doc="""
    A mapping repeats a key.

    Why: YAML says keys are unique, but kubectl silently keeps the last value,
    so the first one (often the one a reviewer reads) has no effect.
    Example:
        resources:
          requests: {cpu: 100m}
          requests: {memory: 128Mi}
    Use instead:
        resources:
          requests: {cpu: 100m, memory: 128Mi}
    Fix safety: unsafe: `--unsafe-fixes` removes the earlier entries and
    keeps the last, the value kubectl uses, so the object applies as before;
    but the author may have meant the first one, or both merged.
    References: https://yaml.org/spec/1.2.2/#mapping
    """,
    fix="unsafe",
)

template_unrendered = declare(
    code="KL003",
    name="template-unrendered",
    severity="error",
    category="yaml",
    doc="""
    The file is a Helm or Go template that was never rendered.

    Why: `{{ .Values.x }}` and `{{- if }}` lines are not YAML a cluster can
    accept; checking the template would be noise.  Render it and check the
    result.  `{{ }}` inside string values of rendered manifests (Prometheus
    alert annotations, Grafana dashboards, Kyverno variables) is content and
    is not reported.
    Example:
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
    Use instead:
        image: ghcr.io/acme/web:1.4.2
    Fix safety: no automatic fix; run `helm template RELEASE CHART | kubelint check -`.
    References: https://helm.sh/docs/helm/helm_template/
    """,
)

yaml_alias_bomb = declare(
    code="KL004",
    name="yaml-alias-bomb",
    severity="error",
    category="yaml",
    doc="""
    Aliases in the document expand to an enormous structure ("billion laughs").

    Why: expanding it exhausts memory in any tool that reads it.  kubelint
    counts the expansion without performing it and refuses the document as
    the Go YAML library behind kubectl and the API server does: when more
    than 99% of a document's nodes come from aliases (a share that falls to
    10% between 400,000 and 4,000,000 nodes), or past 5,000,000 nodes in a
    document or a file.
    Example:
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    Use instead:
        a: [x]
    Fix safety: no automatic fix.
    References: https://en.wikipedia.org/wiki/Billion_laughs_attack, https://github.com/go-yaml/yaml/blob/v3.0.1/decode.go (allowedAliasRatio)
    """,
)

yaml_too_deep = declare(
    code="KL005",
    name="yaml-too-deep",
    severity="error",
    category="yaml",
    doc="""
    The document is nested more than 500 levels deep.

    Why: no Kubernetes object comes close (CRD schemas reach about 40 levels);
    such nesting is an attack on parsers.  kubelint refuses the document
    instead of risking a crash.
    Example:
        a: [[[[[[[[[[ ... thousands of levels ... ]]]]]]]]]]
    Use instead:
        a: [1]
    Fix safety: no automatic fix.
    References: https://kubernetes.io/docs/reference/using-api/api-concepts/
    """,
)

yaml_encoding = declare(
    code="KL006",
    name="yaml-encoding",
    severity="error",
    category="yaml",
    doc="""
    The file is not plain UTF-8: invalid bytes, or a byte order mark.

    Why: Kubernetes reads manifests as UTF-8; invalid bytes make the file
    unreadable, and a byte order mark is rejected by some tools in the chain.
    Example:
        (a file saved as Latin-1 with "é" in an annotation)
    Use instead:
        (the same file saved as UTF-8 without a byte order mark)
    Fix safety: no automatic fix; re-save the file as UTF-8.
    References: https://yaml.org/spec/1.2.2/#52-character-encodings
    """,
)

yaml_tab_whitespace = declare(
    code="KL007",
    name="yaml-tab-whitespace",
    severity="warning",
    category="yaml",
    doc="""
    A tab character in a line's indentation or trailing white space.

    Why: YAML forbids tabs for indentation.  Some parsers tolerate a trailing
    tab (libyaml, Go) while others reject the file (PyYAML and the tools built
    on it), so the manifest works in one tool and breaks in the next.
    Example:
        image: nginx:1.27<TAB>
    Use instead:
        image: nginx:1.27
    Fix safety: no automatic fix; replace tabs with spaces.
    References: https://yaml.org/spec/1.2.2/#61-indentation-spaces
    """,
)
