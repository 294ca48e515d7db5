"""What a build remembers: the store of checks and renders, the state beside the output, the seal on both, the survey of the output."""
