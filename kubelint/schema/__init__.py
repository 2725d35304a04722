"""Offline Kubernetes schema validation: built-in kinds per minor version,
CustomResourceDefinitions, and removed or deprecated API versions.

- `versions`: which Kubernetes versions kubelint carries schemas for.
- `validate`: `validation_errors(...)`, one `SchemaError` per bad field.
- `crd`: `CrdIndex`, the schemas of CustomResourceDefinitions found in the input.
- `removed`: the Deprecated API Migration Guide as a table.

Nothing here imports jsonschema_rs or reads a schema file until a function needs it.
"""
