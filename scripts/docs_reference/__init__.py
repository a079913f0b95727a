"""The generated pages of ``docs/reference/``: spec fields from the pydantic models' JSON
Schema, the command line from the typer app, the output tables from ``columns.yaml`` and the
tables the shipped scenarios write. ``scripts/build_docs_reference.py`` writes them."""
