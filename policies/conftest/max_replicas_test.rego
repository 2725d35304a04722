package main

import rego.v1

test_too_many_replicas if {
	max_replicas_exceeded("Deployment web", ["spec", "replicas"], 300, 20) == {{
		"msg": "Deployment web asks for 300 replicas, more than the maximum of 20",
		"path": ["spec", "replicas"],
		"fix": {
			"title": "Set spec.replicas to at most 20.",
			"edits": [{"op": "set", "path": ["spec", "replicas"], "value": 20}],
			"safety": "unsafe",
		},
	}}
}

test_at_the_maximum_passes if {
	count(max_replicas_exceeded("StatefulSet db", ["spec", "replicas"], 50, 50)) == 0
}

test_default_maximum_is_50 if {
	count(warn_max_replicas) == 0 with input as {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 50}}
}

test_default_maximum_exceeded if {
	count(warn_max_replicas) == 1 with input as {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 51}}
}

test_hpa_max_replicas if {
	{r.path | some r in warn_max_replicas} == {["spec", "maxReplicas"]} with input as {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"maxReplicas": 80}}
}
