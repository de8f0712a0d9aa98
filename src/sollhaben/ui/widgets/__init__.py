"""Generic widgets shared by the pages."""
