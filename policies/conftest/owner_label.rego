# Required owner or team label: a workload, Service or Ingress says who owns it
# with one of the labels in data.kubelint.owner_labels (default: owner, team).
package main

import rego.v1

owner_label_kinds := {"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod", "Service", "Ingress"}

default owner_labels := ["owner", "team"]

owner_labels := data.kubelint.owner_labels

# The results for an object (`label`: its kind and name) whose labels are
# `labels`, when one of the keys `owners` must be among them.
owner_label_missing(label, labels, owners) := {r |
	every key in owners {
		object.get(labels, key, null) == null
	}
	r := {
		"msg": concat("", [label, " has no owner label (one of: ", concat(", ", owners), ")"]),
		"path": ["metadata"],
		"fix": concat("", ["Add a label ", owners[0], " with the owning team to metadata.labels."]),
	}
}

deny_owner_label contains r if {
	owner_label_kinds[input.kind]
	some r in owner_label_missing(kl_input_label, kl_labels, owner_labels)
}
