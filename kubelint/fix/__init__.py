"""The fix stage: `kubelint check --fix`, `--unsafe-fixes` and `--diff`.

- apply.py     splits a file into documents and applies each changed
               document's fixes through ruamel.yaml's round-trip loader
               (repeated keys on the text); untouched documents keep their bytes.
- edits.py     the Edit ops on a loaded document, moving comments with them.
- merge.py     merges the emitter's rendering back into the original lines.
- jsonfile.py  JSON manifests, written back in their own layout.
- driver.py    chooses the fixes (safe, or unsafe too), applies them per file,
               re-checks the result and refuses a fix that does not remove its
               findings or adds one; repeats until nothing changes.
- write.py     line endings, the byte order mark, atomic writes.

Nothing here is imported unless --fix or --diff is given.
"""
