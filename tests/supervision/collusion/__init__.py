"""Tests of the collusion screens and classifier; every test makes its own synthetic tenders."""
