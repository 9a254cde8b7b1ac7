/** The parts of an MCP CallToolResult that people read; typed loosely so src/ needs no SDK import. */
export interface ToolResultLike {
  content?: ReadonlyArray<Record<string, unknown>>;
  structuredContent?: unknown;
  isError?: boolean;
}

/** Renders a tool result as plain text: text parts verbatim, binary parts summarised, structured content as JSON. */
export function renderToolResult(result: ToolResultLike): string {
  const parts = (result.content ?? []).map(renderPart);
  if (result.structuredContent !== undefined && parts.length === 0) parts.push(JSON.stringify(result.structuredContent, null, 2));
  return parts.join('\n');
}

function renderPart(part: Record<string, unknown>): string {
  switch (part.type) {
    case 'text':
      return String(part.text ?? '');
    case 'image':
    case 'audio':
      return `[${part.type} ${String(part.mimeType ?? '')}, ${approxBase64Bytes(part.data)} bytes]`;
    case 'resource_link':
      return `[resource link ${String(part.uri ?? '')}${part.name ? ` (${String(part.name)})` : ''}]`;
    case 'resource': {
      const resource = (part.resource ?? {}) as Record<string, unknown>;
      if (typeof resource.text === 'string') return `[resource ${String(resource.uri ?? '')}]\n${resource.text}`;
      return `[resource ${String(resource.uri ?? '')}, ${approxBase64Bytes(resource.blob)} bytes]`;
    }
    default:
      return JSON.stringify(part);
  }
}

function approxBase64Bytes(data: unknown): number {
  return typeof data === 'string' ? Math.floor((data.length * 3) / 4) : 0;
}
