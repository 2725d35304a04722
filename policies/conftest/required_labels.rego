# Required labels and annotations: every object carries the labels listed in
# data.kubelint.required_labels and the annotations listed in
# data.kubelint.required_annotations (nothing is required by default).
package main

import rego.v1

required_labels_missing(obj, settings) := {r |
	key := object.get(settings, "required_labels", [])[_]
	object.get(obj, ["metadata", "labels", key], null) == null
	r := {
		"msg": concat("", [kl_label(obj), " has no label \"", key, "\""]),
		"path": ["metadata"],
		"fix": concat("", ["Add the label ", key, " to metadata.labels."]),
	}
}

required_annotations_missing(obj, settings) := {r |
	key := object.get(settings, "required_annotations", [])[_]
	object.get(obj, ["metadata", "annotations", key], null) == null
	r := {
		"msg": concat("", [kl_label(obj), " has no annotation \"", key, "\""]),
		"path": ["metadata"],
		"fix": concat("", ["Add the annotation ", key, " to metadata.annotations."]),
	}
}

# (Each rule tests what it needs before calling its function: one evaluation
# per object runs every rule, so the cheap test keeps the pack fast.)
deny_required_labels contains r if {
	kl_settings.required_labels
	some r in required_labels_missing(kl_head, kl_settings)
}

deny_required_annotations contains r if {
	kl_settings.required_annotations
	some r in required_annotations_missing(kl_head, kl_settings)
}
