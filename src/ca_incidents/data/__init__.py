"""Package data: the CA-owner alias table and the gold data (own-words, parser, real-text references)."""
