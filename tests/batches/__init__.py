"""Tests of class imports."""
