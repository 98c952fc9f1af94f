"""The email channel: parsing, quoting, loop detection and threading rules."""
