# Helpers shared by the policies of this pack (package main; names start kl_).
#
# Each policy is a function of plain values (a label, a map of labels, a
# list of settings) that returns its results, and a deny_/warn_ rule that
# reads those values from `input` and `data.kubelint`, cheap tests first
# (kubelint evaluates every rule about an object's kind on every such
# object).  The unit tests call the functions with values, and the rules
# and the helpers below `with input as` an object (kubelint policy test
# sets that input itself: regopy 1.5.2 crashes on `with` around most bodies).
package main

import rego.v1

# The pack's settings: data.kubelint (see policies/README.md).
# (Never read `data` as a whole: a rule that reads all of data depends on itself.)
default kl_settings := {}

kl_settings := data.kubelint

# "Kind name" of the input, as messages begin ("<unnamed>" without a name).
default kl_name := "<unnamed>"

kl_name := input.metadata.name

kl_input_label := concat(" ", [input.kind, kl_name])

# The labels of the input ({} without any).
default kl_labels := {}

kl_labels := input.metadata.labels

# A view of the input for the rules whose functions take an object (the
# GitOps sources and Ingress hosts rules, each guarded by the kinds it is
# about): the input's fields by name, never `input` whole.  kubelint sends a
# policy only the input fields it names (policies/README.md), so a rule that
# reads metadata does not make it send a CustomResourceDefinition's schema.
# A field the object lacks is absent here too.
kl_object["apiVersion"] := input.apiVersion

kl_object["kind"] := input.kind

kl_object["metadata"] := input.metadata

kl_object["spec"] := input.spec

# Where each workload kind keeps its pod spec (Kubernetes API reference:
# a PodTemplateSpec in Deployment, StatefulSet, DaemonSet, ReplicaSet,
# ReplicationController and Job; a CronJob nests a JobTemplateSpec).
kl_pod_spec_path := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

kl_container_fields := ["initContainers", "containers", "ephemeralContainers"]

kl_name(obj) := object.get(obj, ["metadata", "name"], "<unnamed>")

# (Messages are built with concat, the cheapest way in the embedded engine.)
kl_label(obj) := concat(" ", [obj.kind, kl_name(obj)])

# The kinds whose objects hold a pod spec (the keys of kl_pod_spec_path).
kl_pod_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}

kl_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# Every container (init and ephemeral too) of the input, with its path, name
# and image: {"path": [...], "name": ..., "image": ...}.  Each field is named
# (input.spec[field][i].image), never the container whole, so a workload is
# not sent the rest of its pod template.  (A missing name or image reads as
# "".  `spec[field][i]` alone binds i: regopy 1.5.2 does not iterate a
# reference inside object.get.)
kl_input_images contains c if {
	input.kind == "Pod"
	some field in kl_container_fields
	some i
	input.spec[field][i]
	c := {
		"path": ["spec", field, i],
		"name": object.get(input.spec[field][i], "name", ""),
		"image": object.get(input.spec[field][i], "image", ""),
	}
}

kl_input_images contains c if {
	kl_template_kinds[input.kind]
	some field in kl_container_fields
	some i
	input.spec.template.spec[field][i]
	c := {
		"path": ["spec", "template", "spec", field, i],
		"name": object.get(input.spec.template.spec[field][i], "name", ""),
		"image": object.get(input.spec.template.spec[field][i], "image", ""),
	}
}

kl_input_images contains c if {
	input.kind == "CronJob"
	some field in kl_container_fields
	some i
	input.spec.jobTemplate.spec.template.spec[field][i]
	c := {
		"path": ["spec", "jobTemplate", "spec", "template", "spec", field, i],
		"name": object.get(input.spec.jobTemplate.spec.template.spec[field][i], "name", ""),
		"image": object.get(input.spec.jobTemplate.spec.template.spec[field][i], "image", ""),
	}
}
