"""Accounts, roles and scopes: who may see and upload what."""
