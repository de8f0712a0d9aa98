"""Income-scale calculation (Staffelberechnung): configuration, assessments, transfer, bulk work."""
