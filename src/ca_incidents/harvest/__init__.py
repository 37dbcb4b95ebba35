"""Stage package: harvest."""
