"""The use cases the API, the CLI and MCP share, over the repositories: embedding, authorization of keys,
shaping answers. Not here: SQL (app.repositories) or HTTP (app.api)."""
