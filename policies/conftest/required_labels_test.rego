package main

import rego.v1

test_required_label_missing if {
	obj := {"kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}}}
	required_labels_missing(obj, {"required_labels": ["app", "tier"]}) == {{
		"msg": "Service web has no label \"tier\"",
		"path": ["metadata"],
		"fix": "Add the label tier to metadata.labels.",
	}}
}

test_required_labels_present if {
	obj := {"kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}}}
	count(required_labels_missing(obj, {"required_labels": ["app"]})) == 0
}

test_nothing_required_by_default if {
	count(required_labels_missing({"kind": "Service", "metadata": {"name": "web"}}, {})) == 0
}

test_required_annotation_missing if {
	obj := {"kind": "Service", "metadata": {"name": "web"}}
	count(required_annotations_missing(obj, {"required_annotations": ["example.com/contact"]})) == 1
}
