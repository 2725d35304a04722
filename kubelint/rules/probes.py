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
from kubelint.k8s.kinds import LONG_RUNNING_KINDS, POD_KINDS
from kubelint.k8s.names import is_port_name
from kubelint.k8s.workloads import POD_CONTAINER_GROUPS, PROBES, containers, get_path, port_names


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


# Probe handlers and the fields that hold a port (grpc takes a number only).
PORT_HANDLERS = ("httpGet", "tcpSocket")
# Containers that may have probes: init containers only as sidecars
# (restartPolicy Always); ephemeral containers may not.
PROBED_GROUPS = POD_CONTAINER_GROUPS
# Probe timing defaults (the Probe API reference).
PROBE_DEFAULTS = {"periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3}


def _canonical(probe: dict, ports: dict) -> tuple | None:
    """What a probe checks and how soon it gives up, with defaults filled in
    and named ports resolved; None when it cannot be read."""
    handler = None
    for kind in ("exec", "httpGet", "tcpSocket", "grpc"):
        if isinstance(probe.get(kind), dict):
            action = dict(probe[kind])
            if kind in PORT_HANDLERS and isinstance(action.get("port"), str):
                action["port"] = ports.get(action["port"], action["port"])
            if kind == "httpGet":
                action.setdefault("path", "/")
                action.setdefault("scheme", "HTTP")
            handler = (kind, repr(sorted(action.items(), key=lambda item: str(item[0]))))
            break
    if handler is None:
        return None
    timing = tuple(probe.get(k, default) for k, default in PROBE_DEFAULTS.items())
    return handler, timing


@rule(code="KL303", name="probe-identical", severity="warning", category="probes", kinds=POD_KINDS)
def probe_identical(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container's liveness probe is identical to its readiness probe.

    Why: when the application is slow under load, an identical readiness
    and liveness probe fail at the same moment: instead of only taking the
    pod out of the Service until it recovers, the kubelet also restarts it,
    which moves its load to the other pods and can cascade.  The Kubernetes
    docs suggest the same cheap endpoint for both but "with a higher
    failureThreshold" for liveness.  Reported when the check (handler, with
    named ports resolved) and the failure timing (periodSeconds,
    timeoutSeconds, failureThreshold, defaults filled in) are the same;
    initialDelaySeconds and successThreshold do not change when a running
    container fails.  kube-score reports the same handler alone, which its
    users report as a false positive (zegl/kube-score#339).
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: http, containerPort: 8080}
              readinessProbe: {httpGet: {path: /healthz, port: 8080}}
              livenessProbe: {httpGet: {path: /healthz, port: http}}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: http, containerPort: 8080}
              readinessProbe: {httpGet: {path: /healthz, port: 8080}}
              livenessProbe: {httpGet: {path: /healthz, port: http}, failureThreshold: 6}
    Fix safety: no automatic fix; the thresholds depend on how the
    application degrades.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    """
    for c in containers(obj, PROBED_GROUPS):
        liveness, readiness = c.spec.get("livenessProbe"), c.spec.get("readinessProbe")
        if not isinstance(liveness, dict) or not isinstance(readiness, dict):
            continue
        ports = port_names(c.spec)
        same = _canonical(liveness, ports)
        if same is not None and same == _canonical(readiness, ports):
            yield Problem(
                c.path + ("livenessProbe",),
                f"{c.label} has a livenessProbe identical to its readinessProbe: under load the kubelet restarts it"
                " instead of only taking it out of the Service",
                Fix(
                    "Give the livenessProbe a higher failureThreshold (or a lighter check) than the readinessProbe.",
                    "livenessProbe:\n  failureThreshold: <more than the readinessProbe's>",
                ),
                at="key",
            )


@rule(code="KL304", name="probe-port-unknown", severity="error", category="probes", kinds=POD_KINDS)
def probe_port_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A probe names a port the container does not declare.

    Why: the kubelet resolves a named probe port (`httpGet.port`,
    `tcpSocket.port`) among the container's own `ports`; when the name is
    not there the probe errors every time: a readiness probe keeps the pod
    out of its Services, a liveness or startup probe restarts the container
    in a loop.  Numeric ports need no declaration; a grpc probe takes a
    number only.  kube-linter's `liveness-port`, `readiness-port` and
    `startup-port` check the same.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: web, containerPort: 8080}
              readinessProbe: {httpGet: {path: /ready, port: http}}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: http, containerPort: 8080}
              readinessProbe: {httpGet: {path: /ready, port: http}}
    Fix safety: no automatic fix; rename the probe's port or the container port.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port
    """
    for c in containers(obj, PROBED_GROUPS):
        names = port_names(c.spec)
        for probe in PROBES:
            for handler in PORT_HANDLERS:
                port = get_path(c.spec, (probe, handler, "port"))
                if not is_port_name(port) or port in names:
                    continue
                declared = ", ".join(sorted(names)) or "none"
                yield Problem(
                    c.path + (probe, handler, "port"),
                    f'{c.label} {probe} uses port "{port}", which the container does not declare (declared: {declared})',
                    Fix("Use a port name from the container's ports, or the port number."),
                )


@rule(
    code="KL305",
    name="startup-probe-suggested",
    severity="info",
    category="probes",
    kinds=POD_KINDS,
    options={
        "initial-delay-seconds": {
            "type": "integer",
            "minimum": 1,
            "default": 60,
            "description": "A liveness initialDelaySeconds at or above this suggests a slow start that a startupProbe should cover.",
        }
    },
)
def startup_probe_suggested(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A slow-starting container delays its liveness probe instead of using a startup probe.

    Why: a long liveness `initialDelaySeconds` guesses the start-up time:
    too short and a slow start (a cold cache, a busy node) ends in a restart
    loop; too long and a container that hangs early is not restarted for
    that long.  A startupProbe holds the liveness and readiness probes back
    until the application has started, however long that takes up to its
    `failureThreshold * periodSeconds`.  Reported when the liveness
    initialDelaySeconds is at least the option (60 seconds) and the
    container has no startupProbe.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: app}
        spec:
          containers:
            - name: app
              image: "ghcr.io/acme/app:1.0"
              livenessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 120}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: app}
        spec:
          containers:
            - name: app
              image: "ghcr.io/acme/app:1.0"
              startupProbe: {httpGet: {path: /healthz, port: 8080}, failureThreshold: 30, periodSeconds: 10}
              livenessProbe: {httpGet: {path: /healthz, port: 8080}}
    Fix safety: no automatic fix; the startup budget depends on the application.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-startup-probes
    """
    threshold = ctx.options.get("initial-delay-seconds", 60)
    for c in containers(obj, PROBED_GROUPS):
        delay = get_path(c.spec, ("livenessProbe", "initialDelaySeconds"))
        if type(delay) is not int or delay < threshold or c.spec.get("startupProbe") is not None:
            continue
        yield Problem(
            c.path + ("livenessProbe", "initialDelaySeconds"),
            f"{c.label} delays its livenessProbe by {delay}s and has no startupProbe",
            Fix(
                "Add a startupProbe covering the start-up time and drop the liveness initialDelaySeconds.",
                "startupProbe:\n  httpGet: {path: <same as liveness>, port: <port>}\n"
                "  periodSeconds: 10\n  failureThreshold: <longest start-up time / periodSeconds>",
            ),
        )
