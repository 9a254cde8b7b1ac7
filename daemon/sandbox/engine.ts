import { PassThrough, type Duplex, type Readable } from 'node:stream';
import Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { McpgwError } from '../../src/errors.js';
import { dialAttach } from './engine-attach.js';
import { connectionError, endpointOf, tagConnectionErrors, type EngineEndpoint } from './engine-connect.js';
import { adaptSpec, engineFacts, normalizeTag, unenforceableLimits, wasOomKilled, type EngineFacts, type EngineKind } from './flavor.js';
import { MANAGED_FILTER } from './labels.js';

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

/** The few Docker operations mcpgw needs; the only module that knows dockerode. */
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
  /** Changes a container's CPU limit (NanoCpus) while it runs. */
  updateCpus(id: string, nanoCpus: number): Promise<void>;
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

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

/** Maps dockerode's connection failures to one clear error that names the endpoint and says what to do. */
function dockerError(err: unknown, action: string): McpgwError {
  const connection = connectionError(err, action, endpointOf(err));
  if (connection) return connection;
  const message = (err as { json?: { message?: string } } | undefined)?.json?.message ?? (err as Error | undefined)?.message ?? String(err);
  return new McpgwError('internal', `docker ${action} failed: ${message}`, { cause: err });
}

function labelFilter(labels: Record<string, string>): { label: string[] } {
  return { label: [...MANAGED_FILTER.label, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)] };
}

/** The real engine, at the endpoint `openEngine` (engine-connect.ts) resolved, or dockerode's default. */
export class DockerodeEngine implements ContainerEngine {
  private known: Promise<EngineFacts> | undefined;
  /** Set once the facts are known (before any container is created), for reading exits. */
  private kind: EngineKind | undefined;

  constructor(
    readonly docker: Docker = new Docker(),
    readonly endpoint?: EngineEndpoint,
    private readonly options: EngineOptions = {},
  ) {
    if (endpoint) tagConnectionErrors(docker.modem, endpoint);
  }

  /** The engine's kind and cgroup facts, asked once per engine (again after a failure). */
  facts(): Promise<EngineFacts> {
    this.known ??= this.describe()
      .then((info) => {
        this.kind = info.facts.kind;
        return info.facts;
      })
      .catch((err: unknown) => {
        this.known = undefined;
        throw err;
      });
    return this.known;
  }

  /** The spec in this engine's spelling; refuses when the engine would not enforce the limits (unless allowed). */
  private async prepare(spec: ContainerCreateOptions): Promise<ContainerCreateOptions> {
    const facts = await this.facts();
    const unenforced = unenforceableLimits(facts);
    if (unenforced && !this.options.allowUnenforcedLimits) {
      throw new McpgwError(
        'sandbox_start_failed',
        `refusing to start ${spec.name ?? 'a container'}: ${unenforced} (sandbox.allowUnenforcedLimits: true runs sandboxes without their limits)`,
      );
    }
    return adaptSpec(spec, facts.kind);
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw dockerError(err, 'ping');
    }
  }

  async create(spec: ContainerCreateOptions): Promise<string> {
    const adapted = await this.prepare(spec);
    try {
      return (await this.docker.createContainer(adapted)).id;
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new McpgwError('image_missing', `image ${spec.Image ?? '?'} is not present locally`, { cause: err });
      }
      throw dockerError(err, 'create a container');
    }
  }

  async attach(id: string, options: { stdin?: boolean } = {}): Promise<AttachedStdio> {
    const stdin = options.stdin ?? true;
    const stream = await dialAttach(this.docker, id, stdin).catch((err: unknown) => {
      throw dockerError(err, 'attach');
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.docker.modem.demuxStream(stream, stdout, stderr);
    const end = (): void => {
      stdout.end();
      stderr.end();
    };
    stream.once('end', end);
    stream.once('close', end);
    stream.on('error', (err) => stdout.destroy(err));
    return { stdin: stream, stdout, stderr };
  }

  async waitForExit(id: string): Promise<ExitStatus> {
    const result = (await this.docker.getContainer(id).wait({ condition: 'next-exit' })) as { StatusCode: number };
    const oomKilled = (await this.inspectExit(id))?.oomKilled ?? false;
    return { exitCode: result.StatusCode, oomKilled };
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      throw dockerError(err, 'start a container');
    }
  }

  async updateCpus(id: string, nanoCpus: number): Promise<void> {
    try {
      await this.docker.getContainer(id).update({ NanoCpus: nanoCpus });
    } catch (err) {
      throw dockerError(err, "change a container's CPU limit");
    }
  }

  async kill(id: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 409) return; // gone or not running: nothing to signal
      throw dockerError(err, 'signal a container');
    }
  }

  async remove(id: string, retried = false): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return;
      // 409: removal already in progress (another teardown raced us); the engine finishes it.
      if (status === 409 && /already in progress/.test(String((err as Error).message))) return;
      // Podman fails a forced removal when the container stops meanwhile ("container state improper"); it is
      // stopped now, so asking once more removes it.
      if (!retried && /state improper|could not be stopped/.test(String((err as Error).message))) return this.remove(id, true);
      throw dockerError(err, 'remove a container');
    }
  }

  async listManaged(labels: Record<string, string> = {}): Promise<ManagedContainer[]> {
    try {
      const list = await this.docker.listContainers({ all: true, filters: labelFilter(labels) });
      return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), labels: c.Labels, state: c.State }));
    } catch (err) {
      throw dockerError(err, 'list containers');
    }
  }

  async inspectExit(id: string): Promise<(ExitStatus & { running: boolean }) | undefined> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      const exitCode = info.State.ExitCode;
      const memoryLimited = (info.HostConfig.Memory ?? 0) > 0;
      const oomKilled = wasOomKilled(this.kind, { reported: info.State.OOMKilled, exitCode, memoryLimited });
      return { exitCode, oomKilled, running: info.State.Running };
    } catch {
      return undefined;
    }
  }

  inspect(id: string): Promise<Docker.ContainerInspectInfo> {
    return this.docker.getContainer(id).inspect();
  }

  async inspectImage(ref: string): Promise<ImageSummary | undefined> {
    try {
      const info = await this.docker.getImage(ref).inspect();
      return {
        id: info.Id,
        tags: (info.RepoTags ?? []).map(normalizeTag),
        labels: info.Config?.Labels ?? {},
        volumes: Object.keys((info.Config as { Volumes?: Record<string, unknown> | null } | undefined)?.Volumes ?? {}),
        size: info.Size,
        created: Date.parse(info.Created),
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw dockerError(err, 'inspect an image');
    }
  }

  async listImages(labels: Record<string, string> = {}): Promise<ImageSummary[]> {
    try {
      // Podman 4.3 answers no image at all to two or more label filters (containers are fine), so the engine filters
      // by the managed label alone and the other labels are checked here.
      const list = await this.docker.listImages({ filters: labelFilter({}) });
      const wanted = Object.entries(labels);
      return list
        .filter((i) => wanted.every(([k, v]) => i.Labels?.[k] === v))
        .map((i) => ({
          id: i.Id,
          tags: (i.RepoTags ?? []).map(normalizeTag),
          labels: i.Labels ?? {},
          size: i.Size,
          created: i.Created * 1000,
        }));
    } catch (err) {
      throw dockerError(err, 'list images');
    }
  }

  async buildImage(context: Readable, tag: string, labels: Record<string, string>, onLine: (line: string) => void): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, { t: tag, labels, rm: true, forcerm: true });
    } catch (err) {
      throw dockerError(err, 'build an image');
    }
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, output: Array<{ error?: string }>) => {
          const failed = err ?? output.find((o) => o.error);
          if (failed)
            reject(
              new McpgwError(
                'image_build_failed',
                `building ${tag} failed: ${'error' in failed ? failed.error : (failed as Error).message}`,
              ),
            );
          else resolve();
        },
        (event: { stream?: string; status?: string; error?: string }) => {
          const text = (event.stream ?? event.status ?? event.error ?? '').trimEnd();
          if (text) onLine(text);
        },
      );
    });
  }

  async tagImage(ref: string, tag: string): Promise<void> {
    const colon = tag.lastIndexOf(':');
    try {
      await this.docker.getImage(ref).tag({ repo: tag.slice(0, colon), tag: tag.slice(colon + 1) });
    } catch (err) {
      throw dockerError(err, 'tag an image');
    }
  }

  async removeImage(ref: string): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: true });
    } catch (err) {
      if (statusOf(err) !== 404) throw dockerError(err, 'remove an image');
    }
  }

  async putArchive(id: string, dir: string, tar: Readable): Promise<void> {
    try {
      await this.docker.getContainer(id).putArchive(tar, { path: dir });
    } catch (err) {
      throw dockerError(err, `copy files into a container (${dir})`);
    }
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    try {
      return (await this.docker.getContainer(id).getArchive({ path })) as Readable;
    } catch (err) {
      if (statusOf(err) === 404) throw new McpgwError('not_found', `${path} does not exist in the container`, { cause: err });
      throw dockerError(err, `copy files out of a container (${path})`);
    }
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.docker.getVolume(name).inspect();
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw dockerError(err, 'inspect a volume');
    }
    try {
      // Creating a volume that a concurrent build just created returns the existing one: no race to lose.
      await this.docker.createVolume({ Name: name, Labels: labels });
    } catch (err) {
      throw dockerError(err, 'create a volume');
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove({ force: true });
    } catch (err) {
      if (statusOf(err) !== 404) throw dockerError(err, 'remove a volume');
    }
  }

  async describe(): Promise<EngineInfo> {
    try {
      const [version, info] = await Promise.all([this.docker.version(), this.docker.info() as Promise<Record<string, unknown>>]);
      const facts = engineFacts(version as { Components?: Array<{ Name?: string }> }, info);
      const unenforced = unenforceableLimits(facts);
      return {
        name: facts.kind === 'podman' ? 'Podman' : 'Docker',
        version: version.Version,
        apiVersion: version.ApiVersion,
        os: `${version.Os}/${version.Arch}`,
        runtimes: Object.keys((info.Runtimes as Record<string, unknown> | undefined) ?? {}).sort(),
        defaultRuntime: String(info.DefaultRuntime ?? 'runc'),
        rootDir: String(info.DockerRootDir ?? ''),
        cgroupVersion: String(info.CgroupVersion ?? '?'),
        facts,
        ...(unenforced ? { limitsUnenforced: unenforced } : {}),
        cpus: Number(info.NCPU ?? 0),
      };
    } catch (err) {
      throw dockerError(err, 'describe the engine');
    }
  }
}
