"""Sollhaben — billing and collection for offices that bill families and collect money for children."""

__version__ = "0.1.0"
