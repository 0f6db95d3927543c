"""Tests of the web desk (issue 14): pages and forms with a TestClient, and a real browser."""
