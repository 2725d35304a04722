package main

import rego.v1

test_required_label_missing if {
	required_labels_missing("Service web", {"app": "web"}, ["app", "tier"]) == {{
		"msg": "Service web has no label \"tier\"",
		"path": ["metadata"],
		"fix": "Add the label tier to metadata.labels.",
	}}
}

test_required_labels_present if {
	count(required_labels_missing("Service web", {"app": "web"}, ["app"])) == 0
}

test_empty_label_value_is_present if {
	count(required_labels_missing("Service web", {"app": ""}, ["app"])) == 0
}

test_required_annotation_missing if {
	count(required_annotations_missing("Service web", {}, ["example.com/contact"])) == 1
}

test_label_of_the_input if {
	kl_input_label == "Service web" with input as {"kind": "Service", "metadata": {"name": "web"}}
}

test_label_of_an_unnamed_input if {
	kl_input_label == "Service <unnamed>" with input as {"kind": "Service", "metadata": {}}
}

test_labels_of_an_unlabelled_input if {
	kl_labels == {} with input as {"kind": "Service", "metadata": {"name": "web"}}
}
