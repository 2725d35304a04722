"""The fix stage: `kubelint check --fix`, `--unsafe-fixes` and `--diff`.

- apply.py  applies a fix's structured edits (kubelint.model.Edit) to the
            documents of a file through ruamel.yaml's round-trip loader (or
            json for JSON files), keeping comments and layout; untouched
            documents keep their bytes.
- driver.py chooses the fixes (safe, or unsafe too), applies them per file,
            re-checks the result and refuses a fix that does not remove its
            findings or adds one.
- write.py  line endings, the byte order mark, atomic writes.

Nothing here is imported unless --fix or --diff is given.
"""
