"""HTTP controllers, one module per resource: parse, call the service, return. No SQL here."""
