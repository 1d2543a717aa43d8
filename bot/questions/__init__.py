"""The question engine and the words people type."""
