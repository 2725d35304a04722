package main

import rego.v1

test_owner_label_missing if {
	owner_label_missing("Deployment web", {}, ["owner", "team"]) == {{
		"msg": "Deployment web has no owner label (one of: owner, team)",
		"path": ["metadata"],
		"fix": "Add a label owner with the owning team to metadata.labels.",
	}}
}

test_team_label_is_enough if {
	count(owner_label_missing("Deployment web", {"team": "payments"}, ["owner", "team"])) == 0
}

test_owner_labels_configurable if {
	count(owner_label_missing("Service web", {"team": "payments"}, ["example.com/owner"])) == 1
}

test_default_owner_labels_and_kinds if {
	count(deny_owner_label) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}}
}

test_other_kinds_not_checked if {
	count(deny_owner_label) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "c"}}
}
