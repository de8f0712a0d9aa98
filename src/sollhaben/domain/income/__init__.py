"""Income-scale calculation (Staffelberechnung, seed 004): configuration, assessment, computation,
validation and the transfer of the tier into the child's billing data."""
