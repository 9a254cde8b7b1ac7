import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { McpgwError } from '../../src/errors.js';
import type { AttachedStdio, ContainerEngine, EngineInfo, EngineOptions, ExitStatus, ImageSummary, ManagedContainer } from './engine.js';
import { dialAttach } from './engine-attach.js';
import { tagConnectionErrors, type EngineEndpoint } from './engine-connect.js';
import { describeEngine } from './engine-describe.js';
import { dockerError, labelFilter, statusOf } from './engine-errors.js';
import * as images from './engine-images.js';
import { adaptSpec, unenforceableLimits, wasOomKilled, type EngineFacts, type EngineKind } from './flavor.js';

// Container lifecycle and the limits gate live here; images and volumes (engine-images.ts) and the engine's own
// description (engine-describe.ts) are separate modules this class delegates to, so each concern reads on its own.

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

  // Images and volumes: what the engine stores rather than runs (engine-images.ts).

  inspectImage(ref: string): Promise<ImageSummary | undefined> {
    return images.inspectImage(this.docker, ref);
  }

  listImages(labels: Record<string, string> = {}): Promise<ImageSummary[]> {
    return images.listImages(this.docker, labels);
  }

  buildImage(context: Readable, tag: string, labels: Record<string, string>, onLine: (line: string) => void): Promise<void> {
    return images.buildImage(this.docker, context, tag, labels, onLine);
  }

  tagImage(ref: string, tag: string): Promise<void> {
    return images.tagImage(this.docker, ref, tag);
  }

  removeImage(ref: string): Promise<void> {
    return images.removeImage(this.docker, ref);
  }

  ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    return images.ensureVolume(this.docker, name, labels);
  }

  removeVolume(name: string): Promise<void> {
    return images.removeVolume(this.docker, name);
  }

  /** Asked afresh each time; `facts()` caches the part the limits gate and exit reading need. */
  describe(): Promise<EngineInfo> {
    return describeEngine(this.docker);
  }
}
