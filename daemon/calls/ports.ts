import type { Sandbox } from '../sandbox/sandbox.js';
import type { SessionRecord } from '../store/ports.js';

/** What a call needs of a sandbox: its tools, calling one, and (when it can) hearing that its tool list changed. */
export type ToolHost = Pick<Sandbox, 'callTool' | 'listTools'> & Partial<Pick<Sandbox, 'onToolsChanged'>>;

/** The sandbox of a session's server, started on first use (the session service; a stand-in in unit tests). */
export interface SandboxProvider {
  sandbox(rec: SessionRecord, server: string, signal?: AbortSignal): Promise<ToolHost>;
}
