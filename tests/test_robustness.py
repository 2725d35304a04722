"""Nothing a user can put in a file may crash kubelint: wrong types anywhere
are the schema stage's findings, never a rule's exception."""

from __future__ import annotations

import pytest
from helpers import run

WEIRD_VALUES = [None, "x", [], {}, 1, -5, True, 0.5, [None], {"a": None}, [[1]], [{"a": 1}]]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: data, emptyDir: {}}]
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0
          ports: [{name: http, containerPort: 8080, protocol: TCP}]
          env: [{name: A, value: b}]
          volumeMounts: [{name: data, mountPath: /data}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
          livenessProbe: {httpGet: {path: /, port: http}}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http, protocol: TCP}]
"""


def _paths(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,)
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + (i,)
            yield from _paths(v, path + (i,))


def _replace(doc, path, value):
    import copy

    doc = copy.deepcopy(doc)
    node = doc
    for seg in path[:-1]:
        node = node[seg]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize("value", WEIRD_VALUES, ids=repr)
def test_every_field_replaced_by_a_wrong_type(value):
    import json

    import yaml

    docs = list(yaml.safe_load_all(DEPLOYMENT))
    for index, doc in enumerate(docs):
        for path in _paths(doc):
            if path in (("apiVersion",), ("kind",)):
                continue
            mutated = list(docs)
            mutated[index] = _replace(doc, path, value)
            text = "\n---\n".join(json.dumps(d) for d in mutated)
            run(text, select=["ALL"])  # must not raise


@pytest.mark.parametrize("field", ["patches", "patchesStrategicMerge", "patchesJson6902"])
def test_kustomization_with_wrong_types(field, tmp_path):
    text = f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{field}: 5\n"
    assert run(text, name="kustomization.yaml", select=["ALL"]).findings == ()
