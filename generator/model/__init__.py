"""What flows between the stages: records and their heads, diagnostics."""
