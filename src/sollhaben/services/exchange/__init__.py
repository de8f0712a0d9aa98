"""The master-data exchange format (JSON): structural reading, validation, storing, writing.

The public entry points live in `sollhaben.services.import_export`; the format is documented in
`docs/import-format.md`.
"""
FORMAT_NAME = "sollhaben-master-data"
FORMAT_VERSION = 1
