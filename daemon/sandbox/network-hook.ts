import type { ServerConfig } from '../../src/config/catalog.js';

/** Where a sandbox with an egress allowlist is plugged in: its own network, a fixed address, the gateway as DNS. */
export interface SandboxNetworkAttachment {
  /** The Docker network the container joins (internal: no route out). */
  network: string;
  /** The container's fixed address on it. */
  ip: string;
  /** The resolvers Docker's embedded DNS forwards to: the gateway only. */
  dns: string[];
  /** Variables added to the container's environment. */
  env: Record<string, string>;
}

/** A network prepared for one sandbox; released once its container is gone. */
export interface SandboxNetworkLease {
  attachment: SandboxNetworkAttachment;
  /** A warm-pool sandbox is handed to a session: its network decisions are that session's from now on. */
  bind(sessionId: string): void;
  /** Tears the network down; never throws (a leftover is removed by the next orphan purge). */
  release(): Promise<void>;
}

/**
 * The runtime's narrow hook into networking: prepare a network for a sandbox before its container is created, and
 * purge what dead processes left behind. `prepare` returns undefined when the server needs nothing ("none",
 * "bridge").
 */
export interface SandboxNetworks {
  prepare(server: ServerConfig, sessionId: string): Promise<SandboxNetworkLease | undefined>;
  /** Removes networks labelled as ours whose owning process is gone; run after their containers are removed. */
  purgeOrphans(isAlive: (instanceId: string) => Promise<boolean>): Promise<string[]>;
  /** Stops what serves the networks (the gateway), after every sandbox is gone. */
  close(): Promise<void>;
}
