// What the mcp command takes from the MCP SDK, loaded by mcp.ts when the command runs. The CLI's build
// makes it a file of its own beside the bundle (cli-mcp-sdk.cjs, CLI_PARTS in scripts/build.mjs): with
// the Ajv and zod copies the SDK brings, it was 290 kB of the bundle every `serve` start read.
export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
