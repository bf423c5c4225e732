"""Tests of the delivery tool (delivery/)."""
