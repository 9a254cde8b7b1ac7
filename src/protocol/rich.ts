/**
 * What a client is shown of a tool result beyond its text: media, embedded resources and resource links, as
 * mcpd checked and bounded them (src/tools/rich-result.ts). Every string in here came from a server: show it as
 * text, never as markup or a link that opens by itself.
 */
export type ResultItem = MediaItem | EmbeddedResourceItem | ResourceLinkItem;

/** An image or audio clip. `data` (base64, its type and magic checked) is present only when it fit in the event. */
export interface MediaItem {
  type: 'image' | 'audio';
  /** The canonical type when it was accepted, else the server's claim (cut to one line). */
  mimeType: string;
  bytes: number;
  data?: string;
  /** Too large for the event, but mcpd holds the checked bytes for a while: ask for them with `tools:media`. */
  held?: boolean;
  /** Why it is not shown, or not sent to the model (wrong magic, a type mcpgw refuses, over a cap). */
  note?: string;
  /** Whether the model received it as inline data. */
  sentToModel: boolean;
}

/** A resource the server put in the result (`type: 'resource'`): its text (cut to fit) or its size. */
export interface EmbeddedResourceItem {
  type: 'resource';
  uri: string;
  mimeType?: string;
  bytes: number;
  text?: string;
  /** The text was cut to keep the event small. */
  truncated?: boolean;
}

/** A resource the server pointed to (`type: 'resource_link'`): read it with a resources/read request. */
export interface ResourceLinkItem {
  type: 'resource_link';
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
}
