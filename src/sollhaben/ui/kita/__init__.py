"""Kita fee billing screens: the catalogue ("Standard"), facility settings, children and runs."""
