"""Helpers shared by the service and API tests: databases, clocks, tenancy checks."""
