"""Hardening tests reuse the dashboard scenario of tests/web (47-KH/TU over the small Quảng Trị 2017 hierarchy)."""

from tests.web.conftest import site  # noqa: F401  (the fixture, served by uvicorn on both backends)
