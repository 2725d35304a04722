# Maximum replicas: a Deployment, StatefulSet, ReplicaSet or
# HorizontalPodAutoscaler asks for at most data.kubelint.max_replicas
# replicas (default 50); a typo such as 300 for 3 costs a cluster.
package main

import rego.v1

max_replicas_field := {
	"Deployment": ["spec", "replicas"],
	"StatefulSet": ["spec", "replicas"],
	"ReplicaSet": ["spec", "replicas"],
	"HorizontalPodAutoscaler": ["spec", "maxReplicas"],
}

# The object with the fields max_replicas_exceeded reads, by name.
max_replicas_object["apiVersion"] := input.apiVersion

max_replicas_object["kind"] := input.kind

max_replicas_object["metadata"] := input.metadata

max_replicas_object["spec"] := max_replicas_spec

max_replicas_spec["replicas"] := input.spec.replicas

max_replicas_spec["maxReplicas"] := input.spec.maxReplicas

max_replicas_exceeded(obj, settings) := {r |
	path := max_replicas_field[obj.kind]
	limit := object.get(settings, "max_replicas", 50)
	replicas := object.get(obj, path, 0)
	is_number(replicas)
	replicas > limit
	r := {
		"msg": concat("", [kl_label(obj), " asks for ", format_int(replicas, 10), " replicas, more than the maximum of ", format_int(limit, 10)]),
		"path": path,
		"fix": {
			"title": concat("", ["Set ", concat(".", path), " to at most ", format_int(limit, 10), "."]),
			"edits": [{"op": "set", "path": path, "value": limit}],
			"safety": "unsafe",
		},
	}
}

warn_max_replicas contains r if {
	max_replicas_field[input.kind]
	some r in max_replicas_exceeded(max_replicas_object, kl_settings)
}
