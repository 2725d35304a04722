# Helpers shared by the policies of this pack (package main; names start kl_).
#
# Each policy is a pure function of (object, settings) that returns its
# results, and a thin deny_/warn_ rule that applies it to the object (a view
# of `input`, below) and `data.kubelint`.  The unit tests call the functions
# directly: regopy 1.5.2 (kubelint's embedded engine) crashes on
# `with input as` around most bodies.
package main

import rego.v1

# The pack's settings: data.kubelint (see policies/data.example.yaml).
# (Never read `data` as a whole: a rule that reads all of data depends on itself.)
default kl_settings := {}

kl_settings := data.kubelint

# The object as the rules pass it to their functions: the input's fields by
# name, never `input` whole.  kubelint sends a policy only the input fields
# it names (policies/README.md), so a rule that reads metadata does not make
# it send a CustomResourceDefinition's schema.  A field the object lacks is
# absent here too.
kl_head["apiVersion"] := input.apiVersion

kl_head["kind"] := input.kind

kl_head["metadata"] := input.metadata

# kl_head and the spec, for the rules that read the spec (each guarded by
# the kinds it is about, so other kinds are not sent their spec; the rules
# about Pods and workloads read fewer fields, below).
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

# Every container of an object, with its path: {"path": [...], "container": {...}}.
kl_containers(obj) := {c |
	spec_path := kl_pod_spec_path[obj.kind]
	spec := object.get(obj, spec_path, {})
	field := kl_container_fields[_]
	container := object.get(spec, field, [])[i]
	c := {"path": array.concat(spec_path, [field, i]), "container": container}
}

kl_name(obj) := object.get(obj, ["metadata", "name"], "<unnamed>")

# (Messages are built with concat: regopy 1.5.2's sprintf sometimes keeps the
# JSON quotes of a string argument.)
kl_label(obj) := concat(" ", [obj.kind, kl_name(obj)])

# The containers of the input as kl_containers gives them, each with only its
# name and image: the fields the registries rule reads, by name, so a
# workload is not sent the rest of its pod template.  (A missing name or
# image reads as "", as the rule reads it.  `spec[field][i]` alone binds i:
# regopy 1.5.2 does not iterate a reference inside object.get.)
kl_input_images contains c if {
	kl_pod_spec_path[input.kind] == ["spec"]
	some field in kl_container_fields
	some i
	input.spec[field][i]
	image := object.get(input.spec[field][i], "image", "")
	c := {"path": ["spec", field, i], "container": {"name": object.get(input.spec[field][i], "name", ""), "image": image}}
}

kl_input_images contains c if {
	kl_pod_spec_path[input.kind] == ["spec", "template", "spec"]
	some field in kl_container_fields
	some i
	input.spec.template.spec[field][i]
	image := object.get(input.spec.template.spec[field][i], "image", "")
	c := {
		"path": ["spec", "template", "spec", field, i],
		"container": {"name": object.get(input.spec.template.spec[field][i], "name", ""), "image": image},
	}
}

kl_input_images contains c if {
	kl_pod_spec_path[input.kind] == ["spec", "jobTemplate", "spec", "template", "spec"]
	some field in kl_container_fields
	some i
	input.spec.jobTemplate.spec.template.spec[field][i]
	image := object.get(input.spec.jobTemplate.spec.template.spec[field][i], "image", "")
	c := {
		"path": ["spec", "jobTemplate", "spec", "template", "spec", field, i],
		"container": {"name": object.get(input.spec.jobTemplate.spec.template.spec[field][i], "name", ""), "image": image},
	}
}
