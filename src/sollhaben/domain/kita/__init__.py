"""Kita fee billing (seed 001): catalogue, billing data, the month calculation and the run plan."""
