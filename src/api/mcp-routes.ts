/**
 * `/mcp`: a Model Context Protocol server over Streamable HTTP, with the tools of mcp-tools.ts and
 * the older ones of mcp-compat-tools.ts.
 * Stateless, as a Worker has no memory between requests: each POST gets a fresh server and
 * transport (the SDK's Web-standard transport, JSON answers), and GET and DELETE, which serve
 * sessions and server-sent streams, answer 405 as the protocol prescribes for a server without
 * them. The body is read with the same limits as every JSON route before the SDK sees it.
 * @module
 */
import { Hono, type Context } from "hono";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Env } from "../env";
import { registerCompatTools } from "./mcp-compat-tools";
import { registerTools } from "./mcp-tools";
import { jsonBody } from "./respond";

/** The MCP route; mount at the root of the Worker's Hono app. */
export const mcpRoutes = new Hono<{ Bindings: Env }>();

/** How the server introduces itself to clients. */
const SERVER_INFO = { name: "stepflare-dev", version: "1.0.0", title: "stepflare dev server MCP tools" };

/** A JSON-RPC error answer with no request id, as the transport itself gives them. */
function rpcError(c: Context, status: 400 | 405 | 413, message: string) {
  return c.json({ jsonrpc: "2.0", error: { code: status === 405 ? -32000 : -32700, message }, id: null }, status);
}

mcpRoutes.post("/mcp", async (c) => {
  const body = await jsonBody(c);
  if (!body.ok) return rpcError(c, body.status === 413 ? 413 : 400, `Parse error: ${body.error}`);
  if (body.value === undefined) return rpcError(c, 400, "Parse error: the body must be a JSON-RPC message");
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });
  registerTools(server, c.env);
  registerCompatTools(server, c.env);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  return transport.handleRequest(c.req.raw, { parsedBody: body.value });
});

const methodNotAllowed = (c: Context) => {
  c.header("Allow", "POST");
  return rpcError(c, 405, "Method not allowed: this server is stateless and answers POST only");
};
mcpRoutes.get("/mcp", methodNotAllowed);
mcpRoutes.delete("/mcp", methodNotAllowed);
