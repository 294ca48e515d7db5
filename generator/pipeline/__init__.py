"""The build itself: the orchestrator and the per-record workers."""
