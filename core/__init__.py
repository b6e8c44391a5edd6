"""The neutral core: data types, errors and settings shared by every layer."""
