"""Answer statistics: verdict shares, common wrong answers with their notes, distributions."""
