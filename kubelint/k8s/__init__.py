"""Kubernetes knowledge, one owner per fact.

* `kinds`: the built-in API groups and kinds (`builtin_kinds`, generated
  from the bundled schemas), named sets of kinds, namespaced kinds, and how a
  rule's `kinds=` resolves to (group, kind) pairs;
* `names`: the syntax of names, label keys and values, and port names, and
  which name rule applies to which kind;
* `selectors`: label selectors and how they match labels;
* `workloads`: pod specs, containers and probes of pod-bearing objects;
* `pods`: the pods of a run, indexed for cross-object rules;
* `values`: fields whose value must be one of a fixed set (invalid-value);
* `quantity`, `imageref`: resource quantities and image references.

Every fact cites its upstream source next to it.
"""
