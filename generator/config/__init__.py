"""What a site is set up with: site.yaml, the 43-item catalog and its field types, the working-day calendar."""
