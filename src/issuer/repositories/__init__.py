"""Repositories: small query functions and organization-scoped classes. They flush but never commit."""
