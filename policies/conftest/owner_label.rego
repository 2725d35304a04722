# Required owner or team label: a workload, Service or Ingress says who owns it
# with one of the labels in data.kubelint.owner_labels (default: owner, team).
package main

import rego.v1

owner_label_kinds := {"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod", "Service", "Ingress"}

owner_label_missing(obj, settings) := {r |
	owner_label_kinds[obj.kind]
	keys := object.get(settings, "owner_labels", ["owner", "team"])
	labels := object.get(obj, ["metadata", "labels"], {})
	count({k | k := keys[_]; object.get(labels, k, null) != null}) == 0
	r := {
		"msg": concat("", [kl_label(obj), " has no owner label (one of: ", concat(", ", keys), ")"]),
		"path": ["metadata"],
		"fix": concat("", ["Add a label ", keys[0], " with the owning team to metadata.labels."]),
	}
}

deny_owner_label contains r if {
	owner_label_kinds[input.kind]
	some r in owner_label_missing(kl_head, kl_settings)
}
