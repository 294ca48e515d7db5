"""The output folder: the guard on where it may be, the lock, the ledger of what every build wrote, the write, the manifest and package."""
