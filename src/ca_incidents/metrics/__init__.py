"""Stage package: metrics."""
