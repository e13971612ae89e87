"""Shared helpers for the tests: servers, crawl runners and builders of real fixture material."""
