/** The parts of an MCP CallToolResult that people read; typed loosely so src/ needs no SDK import. */
export interface ToolResultLike {
  content?: ReadonlyArray<Record<string, unknown>>;
  structuredContent?: unknown;
  isError?: boolean;
}

export interface RenderOptions {
  /** Lines that replace the images and clips, in order (what the model was given of each). */
  mediaNotes?: readonly string[];
  /** Show the structured content as JSON when there is no other content (default true). */
  structuredFallback?: boolean;
}

/** Renders a tool result as plain text: text parts verbatim, binary parts summarised, structured content as JSON. */
export function renderToolResult(result: ToolResultLike, options: RenderOptions = {}): string {
  let media = 0;
  const parts = (result.content ?? []).map((part) =>
    (part.type === 'image' || part.type === 'audio') && options.mediaNotes?.[media] !== undefined
      ? options.mediaNotes[media++]!
      : renderPart(part),
  );
  if (result.structuredContent !== undefined && parts.length === 0 && options.structuredFallback !== false)
    parts.push(JSON.stringify(result.structuredContent, null, 2));
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
