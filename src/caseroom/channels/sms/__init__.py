"""The SMS channel: text rules (encoding, segments, numbers, keywords)."""
