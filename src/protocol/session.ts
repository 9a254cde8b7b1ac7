import type { PolicyAssessment } from '../policy/assess.js';

/** What clients see of a session (the `session:{id}` record of docs/architecture.md, plus live facts). */
export type SessionStatus = 'active' | 'idle' | 'ended';

export type ContainerState = 'stopped' | 'starting' | 'running' | 'crashed';

export interface SessionServer {
  name: string;
  state: ContainerState;
  /** The running container's id (for `docker inspect`), when there is one. */
  containerId?: string;
  /** The engine runtime the running container uses (`runc`, `runsc` = gVisor, `runsc-net`), when there is one. */
  runtime?: string;
  /** What this server's config loosens beyond the locked-down defaults (network, writable mounts, bigger limits). */
  loosened?: string[];
}

export interface SessionInfo {
  id: string;
  owner: string;
  title: string;
  status: SessionStatus;
  model: string;
  /** The policy that decides tool calls: a preset name or a file's name; "ask" means a human decides each call. */
  policy: string;
  /** What the policy lets run unasked, judged by mcpd from its rules (never its name): badges are drawn from this. */
  policyAssessment: PolicyAssessment;
  servers: SessionServer[];
  createdAt: number;
  lastActive: number;
  pendingApprovals: number;
  /** True while a turn (model loop) is running. */
  busy: boolean;
  /** The seq of the newest event in the session's log. */
  lastSeq: number;
}

export interface ServerSummary {
  name: string;
  image: string;
  network: string;
  disabled: boolean;
  /** False when the entry cannot run (remote, refused flag or mount, missing secret…); `reason` says why. */
  available: boolean;
  reason?: string;
  /** What the config loosens beyond the defaults (network, writable mounts, bigger limits); absent when nothing. */
  loosened?: string[];
  /** The configured container runtime: runc, runsc (gVisor) or auto. */
  runtime?: string;
}

export interface ToolSummary {
  server: string;
  name: string;
  description: string;
  annotations: Record<string, unknown>;
  inputSchema: unknown;
  /** Why the model is not offered this tool (a deceptive name, a schema Gemini refuses); absent when it is. */
  refused?: string;
}

/** A session's pin of one tool (tool pinning): which definition it approved, and whether the server changed it since. */
export interface ToolPinSummary {
  server: string;
  tool: string;
  /** sha256 of the pinned definition's canonical JSON (name, description, inputSchema, annotations). */
  hash: string;
  pinnedAt: number;
  /** Set while the server lists a different definition: the next call asks a person, with a diff. */
  changed?: { hash: string; fields: string[]; seenAt: number };
}

export interface DaemonStatus {
  pid: number;
  url: string;
  version: string;
  startedAt: number;
  uptimeSeconds: number;
  sessions: { active: number; idle: number; ended: number };
  /** `running` counts every container of this daemon, `pooled` the warm-pool ones among them. */
  containers: {
    running: number;
    starting: number;
    queued: number;
    capacity: number;
    pooled: number;
    /** Created, never-started containers waiting for the next session's start (not counted as running). */
    standby?: number;
    /** Running containers by engine runtime (`runc`, `runsc`, `runsc-net`). */
    runtimes?: Record<string, number>;
  };
  redis: { url: string; private: boolean; connected: boolean };
  /** The container engine: "Docker"/"Podman" (or "unreachable"), its version, where it is (no credentials). */
  engine: { name: string; version: string; endpoint: string };
  /**
   * What this daemon runs loosened beyond its defaults (sandbox.allowUnenforcedLimits on an engine that ignores limits,
   * the test-only egress override), one line each; absent when nothing.
   */
  loosened?: string[];
  user: string;
}

export interface ToolCallResult {
  callId: string;
  ok: boolean;
  isError: boolean;
  text: string;
  structuredContent?: unknown;
  durationMs: number;
}

/** One audit entry: a policy decision, an approval, a tool outcome or a session change (never secrets). */
export interface AuditRecord {
  ts: number;
  sessionId: string;
  user: string;
  kind: 'policy' | 'approval' | 'tool' | 'tool_changed' | 'session' | 'egress' | 'egress_grant' | 'elicitation' | 'sampling';
  [field: string]: unknown;
}
