# Required labels and annotations: every object carries the labels listed in
# data.kubelint.required_labels and the annotations listed in
# data.kubelint.required_annotations (nothing is required by default).
package main

import rego.v1

# The results for an object (`label`: its kind and name) whose labels are
# `labels`, when the keys `required` must be among them.
required_labels_missing(label, labels, required) := {r |
	some key in required
	object.get(labels, key, null) == null
	r := {
		"msg": concat("", [label, " has no label \"", key, "\""]),
		"path": ["metadata"],
		"fix": concat("", ["Add the label ", key, " to metadata.labels."]),
	}
}

required_annotations_missing(label, annotations, required) := {r |
	some key in required
	object.get(annotations, key, null) == null
	r := {
		"msg": concat("", [label, " has no annotation \"", key, "\""]),
		"path": ["metadata"],
		"fix": concat("", ["Add the annotation ", key, " to metadata.annotations."]),
	}
}

# (Each rule reads its setting first: one evaluation per object runs every
# rule, so a rule that is not configured costs one lookup.)
deny_required_labels contains r if {
	required := data.kubelint.required_labels
	some r in required_labels_missing(kl_input_label, kl_labels, required)
}

deny_required_annotations contains r if {
	required := data.kubelint.required_annotations
	some r in required_annotations_missing(kl_input_label, object.get(input.metadata, "annotations", {}), required)
}
