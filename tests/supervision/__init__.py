"""Tests of the supervision platform."""
