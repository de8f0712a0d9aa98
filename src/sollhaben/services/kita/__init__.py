"""Kita fee billing use cases: catalogue, facility settings, children and contracts, billing data."""
