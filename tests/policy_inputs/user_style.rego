# Policies as users write them for conftest (Rego v0, input read directly,
# in every way the field reading in kubelint/policy/inputs.py handles), for
# tests/test_policy_inputs.py: sent only the fields they name, they must
# answer as they do with the whole object.
package main

import future.keywords.in

deny[msg] {
  input.kind == "Deployment"
  not input.spec.template.spec.securityContext.runAsNonRoot
  msg := sprintf("%s: containers must not run as root", [input.metadata.name])
}

deny[msg] {
  input.kind == "Deployment"
  image := input.spec.template.spec.containers[_].image
  endswith(image, ":latest")
  msg := sprintf("%s uses a latest tag: %s", [input.metadata.name, image])
}

warn[msg] {
  input.kind == "Service"
  input.spec.type == "LoadBalancer"
  msg := sprintf("Service %s is a LoadBalancer", [input.metadata.name])
}

deny_privileged[msg] {
  c := input.spec.template.spec.containers[_]
  c.securityContext.privileged
  msg := sprintf("privileged container %s", [c.name])
}

warn_no_probe[msg] {
  some i
  c := input.spec.template.spec.containers[i]
  not c.readinessProbe
  msg := sprintf("container %d has no readinessProbe", [i])
}

deny_labels[msg] {
  required := {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
  provided := {l | input.metadata.labels[l]}
  missing := required - provided
  count(missing) > 0
  msg := sprintf("%s missing labels %v", [input.kind, missing])
}

deny_crd_big[msg] {
  input.kind == "CustomResourceDefinition"
  count(input.spec.versions) > 3
  msg := "many versions"
}

warn_host[msg] {
  object.get(input, ["spec", "template", "spec", "hostNetwork"], false)
  msg := "hostNetwork"
}

violation_ns[{"msg": msg}] {
  ns := input.metadata.namespace
  startswith(ns, "kube-")
  msg := concat(" ", ["system namespace", ns])
}

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

deny_env_secret[msg] {
  workload_kinds[input.kind]
  some c in input.spec.template.spec.containers
  some e in c.env
  contains(lower(e.name), "password")
  e.value
  msg := sprintf("%s: env %s holds a literal password", [input.metadata.name, e.name])
}

warn_resources[msg] {
  input.kind in workload_kinds
  container := input.spec.template.spec.containers[_]
  not container.resources.limits.cpu
  msg := sprintf("%s/%s: no cpu limit", [input.metadata.name, container.name])
}

warn_spec_keys[msg] {
  input.kind == "Pod"
  some key
  input.spec[key]
  startswith(key, "host")
  msg := concat(" ", ["pod sets", key])
}

deny_meta_view[msg] {
  meta := object.get(input, "metadata", {})
  object.get(meta, ["annotations", "example.com/skip"], "") == "yes"
  msg := "skipped"
}

deny_default_ns[msg] {
  input.metadata.namespace == "default"
  msg := concat(" ", [input.kind, input.metadata.name, "in default"])
}


pod_container_fields := ["initContainers", "containers"]

warn_pull_policy[msg] {
  some field in pod_container_fields
  some i
  input.spec.template.spec[field][i]
  not input.spec.template.spec[field][i].imagePullPolicy
  msg := sprintf("%s %d has no imagePullPolicy", [field, i])
}

deny_host_ports[msg] {
  some field in ["containers", "initContainers", "ephemeralContainers"]
  port := input.spec.template.spec[field][_].ports[_]
  port.hostPort
  msg := sprintf("hostPort %v in %s", [port.hostPort, field])
}
