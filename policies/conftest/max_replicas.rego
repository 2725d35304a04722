# Maximum replicas: a Deployment, StatefulSet or ReplicaSet, or a
# HorizontalPodAutoscaler, asks for at most data.kubelint.max_replicas
# replicas (default 50); a typo such as 300 for 3 costs a cluster.
package main

import rego.v1

max_replicas_workloads := {"Deployment", "StatefulSet", "ReplicaSet"}

default max_replicas_limit := 50

max_replicas_limit := data.kubelint.max_replicas

# The results for an object (`label`: its kind and name) whose field at
# `path` asks for `replicas`, more than `limit`.
max_replicas_exceeded(label, path, replicas, limit) := {r |
	is_number(replicas)
	replicas > limit
	r := {
		"msg": concat("", [label, " asks for ", format_int(replicas, 10), " replicas, more than the maximum of ", format_int(limit, 10)]),
		"path": path,
		"fix": {
			"title": concat("", ["Set ", concat(".", path), " to at most ", format_int(limit, 10), "."]),
			"edits": [{"op": "set", "path": path, "value": limit}],
			"safety": "unsafe",
		},
	}
}

warn_max_replicas contains r if {
	max_replicas_workloads[input.kind]
	some r in max_replicas_exceeded(kl_input_label, ["spec", "replicas"], input.spec.replicas, max_replicas_limit)
}

warn_max_replicas contains r if {
	input.kind == "HorizontalPodAutoscaler"
	some r in max_replicas_exceeded(kl_input_label, ["spec", "maxReplicas"], input.spec.maxReplicas, max_replicas_limit)
}
