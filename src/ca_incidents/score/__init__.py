"""Stage package: score."""
