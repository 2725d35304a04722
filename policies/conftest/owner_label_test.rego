package main

import rego.v1

test_owner_label_missing if {
	results := owner_label_missing({"kind": "Deployment", "metadata": {"name": "web"}}, {})
	results == {{
		"msg": "Deployment web has no owner label (one of: owner, team)",
		"path": ["metadata"],
		"fix": "Add a label owner with the owning team to metadata.labels.",
	}}
}

test_team_label_is_enough if {
	count(owner_label_missing({"kind": "Deployment", "metadata": {"name": "web", "labels": {"team": "payments"}}}, {})) == 0
}

test_owner_labels_configurable if {
	obj := {"kind": "Service", "metadata": {"name": "web", "labels": {"team": "payments"}}}
	count(owner_label_missing(obj, {"owner_labels": ["example.com/owner"]})) == 1
}

test_other_kinds_not_checked if {
	count(owner_label_missing({"kind": "ConfigMap", "metadata": {"name": "c"}}, {})) == 0
}
