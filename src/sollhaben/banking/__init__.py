"""ISO 20022 bank files: reading camt.053/054, writing pain.001/pain.008, XSD validation.

Same layer as `reports`: it turns domain values into files and files into domain values, and
imports nothing above the domain (no database, no Qt). The XSDs it validates against are bundled
in `banking/xsd/`.
"""
