"""Every rule kubelint has, family by family.

Each family is a module; the import list below is the one place that says
which families exist.  A family's rules are the `Rule` values it defines (made
by `@rule` or `declare`); nothing registers itself on import.
"""

from __future__ import annotations

from functools import cache

from kubelint.registry import Registry, Rule


@cache
def registry() -> Registry:
    from kubelint.rules import (
        availability,
        hardening,
        images,
        network,
        probes,
        pss,
        rbac,
        remote,
        resources,
        robustness,
        schema,
        secrets,
        suppressions,
        validation,
        yaml,
    )

    families = (yaml, schema, images, resources, probes, pss, hardening, rbac, secrets, network, availability, validation, suppressions, remote, robustness)
    return Registry(v for module in families for v in vars(module).values() if isinstance(v, Rule))
