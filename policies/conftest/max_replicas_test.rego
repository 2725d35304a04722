package main

import rego.v1

test_too_many_replicas if {
	results := max_replicas_exceeded({"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 300}}, {"max_replicas": 20})
	results == {{
		"msg": "Deployment web asks for 300 replicas, more than the maximum of 20",
		"path": ["spec", "replicas"],
		"fix": {
			"title": "Set spec.replicas to at most 20.",
			"edits": [{"op": "set", "path": ["spec", "replicas"], "value": 20}],
			"safety": "unsafe",
		},
	}}
}

test_default_maximum_is_50 if {
	count(max_replicas_exceeded({"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 50}}, {})) == 0
	count(max_replicas_exceeded({"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 51}}, {})) == 1
}

test_hpa_max_replicas if {
	results := max_replicas_exceeded({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"maxReplicas": 80}}, {})
	some r in results
	r.path == ["spec", "maxReplicas"]
}
