"""MCP and ALMA's JSON-RPC wire protocol: the tools and resources, defined once (app.mcp.tools, app.mcp.toolbox), served over
Streamable HTTP at `/mcp` and plain JSON-RPC at `POST /` (app.mcp.http, app.mcp.jsonrpc), and over stdio by
`alma mcp`, which forwards to a running service (app.mcp.stdio)."""
