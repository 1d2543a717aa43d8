"""Tests for bot.safety: the crisis phrase detector and its corpus."""
