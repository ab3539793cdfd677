"""The pure core: records, policy, scoring and explanations. No I/O, no clock."""
