import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { EngineEndpoint } from './engine-connect.js';
import type { EngineFacts } from './flavor.js';

// The engine contract: what the sandbox runtime, image builder and CLI ask of Docker/Podman, kept apart from its one
// implementation (DockerodeEngine in dockerode-engine.ts, with engine-*.ts) so they depend on the contract alone and
// tests can hand them a double. Only the egress networks (daemon/egress) still reach dockerode directly.

export interface ExitStatus {
  exitCode: number;
  oomKilled: boolean;
}

export interface AttachedStdio {
  stdin: Duplex;
  stdout: Readable;
  stderr: Readable;
}

export interface ManagedContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: string;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  size: number;
  created: number;
  /** The image's declared VOLUMEs (only from inspect); each would be a writable anonymous volume unless covered. */
  volumes?: string[];
}

/** What the engine says about itself, for `doctor` and status displays. */
export interface EngineInfo {
  /** "Docker" or "Podman" (from the version's components). */
  name: string;
  version: string;
  apiVersion: string;
  os: string;
  runtimes: string[];
  defaultRuntime: string;
  /** The engine's data directory, on the engine's machine. */
  rootDir: string;
  cgroupVersion: string;
  /** Kind, cgroup driver, rootless and what limits it can enforce (flavor.ts). */
  facts: EngineFacts;
  /** Why the engine cannot enforce memory/CPU/pids limits; undefined when it can. */
  limitsUnenforced?: string;
  /** CPUs the engine's machine has (the most a container may be given). */
  cpus: number;
}

export interface EngineOptions {
  /** `sandbox.allowUnenforcedLimits`: start containers even where the engine would ignore their limits. */
  allowUnenforcedLimits?: boolean;
}

/** The few Docker operations mcpgw needs. */
export interface ContainerEngine {
  /** Where the engine was found (engine-connect.ts); undefined for dockerode's default or a test double. */
  readonly endpoint?: EngineEndpoint;
  ping(): Promise<void>;
  create(spec: ContainerCreateOptions): Promise<string>;
  /** Attaches (hijacked) and demultiplexes; call before start so no output is lost. `stdin: false` for output only. */
  attach(id: string, options?: { stdin?: boolean }): Promise<AttachedStdio>;
  /** Resolves when the container next exits; call before start. */
  waitForExit(id: string): Promise<ExitStatus>;
  start(id: string): Promise<void>;
  kill(id: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Force-removes; a container that is already gone is not an error. */
  remove(id: string): Promise<void>;
  listManaged(labels?: Record<string, string>): Promise<ManagedContainer[]>;
  inspectImage(ref: string): Promise<ImageSummary | undefined>;
  listImages(labels?: Record<string, string>): Promise<ImageSummary[]>;
  buildImage(context: Readable, tag: string, labels: Record<string, string>, onLine: (line: string) => void): Promise<void>;
  removeImage(ref: string): Promise<void>;
  /** Adds a tag (`repo:tag`) to an existing image. */
  tagImage(ref: string, tag: string): Promise<void>;
  /** The container's run state, exit code and OOM flag; undefined when it no longer exists. */
  inspectExit(id: string): Promise<(ExitStatus & { running: boolean }) | undefined>;
  /** Raw inspect output, for tests and diagnostics. */
  inspect(id: string): Promise<Docker.ContainerInspectInfo>;
  /** Extracts a tar into a (created or stopped) container at `dir`; entries keep the uid/gid in their headers. */
  putArchive(id: string, dir: string, tar: Readable): Promise<void>;
  /** A tar of `path` in a container (its entries are named from the path's last component). */
  getArchive(id: string, path: string): Promise<Readable>;
  /** Creates a named volume if it does not exist (an engine-managed volume, not a host directory). */
  ensureVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes a named volume; one that is already gone is not an error. */
  removeVolume(name: string): Promise<void>;
  /** The engine's name, version and runtimes. */
  describe(): Promise<EngineInfo>;
}
