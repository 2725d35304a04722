"""Health probes of long-running workloads.

Probes matter only for pods meant to run until stopped; a Job's pod runs to
completion, and init and ephemeral containers do not support liveness or
readiness probes
(https://kubernetes.io/docs/concepts/workloads/pods/init-containers/).
"""

from __future__ import annotations

from typing import Iterator

from kubelint.model import Fix, K8sObject, Problem
from kubelint.registry import rule
from kubelint.workloads import LONG_RUNNING_KINDS, containers


def missing_probe(obj: K8sObject, probe: str, snippet: str) -> Iterator[Problem]:
    for c in containers(obj, ("containers",)):
        if c.spec.get(probe) is None:
            yield Problem(
                c.path,
                f"{c.label} has no {probe}",
                Fix(f"Add a {probe} that checks the container's health endpoint.", snippet),
                at="parent",
            )


@rule(code="KL301", name="liveness-probe-missing", severity="warning", category="probes", kinds=LONG_RUNNING_KINDS)
def liveness_probe_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A long-running container has no liveness probe.

    Why: without one, a container that hangs (deadlock, stuck event loop)
    keeps running and keeps receiving traffic; the kubelet restarts only what
    a liveness probe reports dead.  Not checked for Jobs, CronJobs, init or
    ephemeral containers.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              livenessProbe: {httpGet: {path: /healthz, port: 8080}}
    Fix safety: no automatic fix; the health endpoint is application-specific.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    """
    return missing_probe(obj, "livenessProbe", "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: <port>\n  periodSeconds: 10")


@rule(code="KL302", name="readiness-probe-missing", severity="warning", category="probes", kinds=LONG_RUNNING_KINDS)
def readiness_probe_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A long-running container has no readiness probe.

    Why: without one, a pod receives Service traffic as soon as its
    containers start, before the application can answer, and keeps receiving
    it while overloaded; rollouts proceed on pods that are not serving.  Not
    checked for Jobs, CronJobs, init or ephemeral containers.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              readinessProbe: {httpGet: {path: /ready, port: 8080}}
    Fix safety: no automatic fix; the readiness endpoint is application-specific.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    """
    return missing_probe(obj, "readinessProbe", "readinessProbe:\n  httpGet:\n    path: /ready\n    port: <port>\n  periodSeconds: 5")
