"""Kubernetes knowledge, one owner per fact.

* `kinds`: the built-in API groups and kinds, named sets of kinds, and how a
  rule's `kinds=` resolves to (group, kind) pairs;
* `names`: the syntax of names, label keys and values, and port names;
* `selectors`: label selectors and how they match labels;
* `workloads`: pod specs, containers and probes of pod-bearing objects;
* `pods`: the pods of a run, indexed for cross-object rules;
* `quantity`, `imageref`: resource quantities and image references.

Every fact cites its upstream source next to it.
"""
