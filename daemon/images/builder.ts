import { createHash, randomBytes } from 'node:crypto';
import type { BuildRecipe, ServerConfig } from '../../src/config/catalog.js';
import type { BuildSettings } from '../../src/config/schema.js';
import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine, ImageSummary } from '../sandbox/engine.js';
import { currentInstanceId } from '../sandbox/instance.js';
import { LABELS } from '../sandbox/labels.js';
import { BaseImages, type Runtime } from './bases.js';
import { runBuildContainer } from './build-container.js';
import { buildContextTar, fingerprint } from './build-context.js';
import { contextWithArchive } from './context.js';
import { entrypointOf } from './entrypoint.js';
import {
  BUILD,
  appDockerfile,
  buildContainerSpec,
  cacheVolume,
  containerSpecs,
  installCommand,
  installEnv,
  localSpecPath,
  type Ecosystem,
} from './recipe.js';
import { redactCredentials, withoutCredentials } from './registry.js';
import { RegistrySettings } from './registry-settings.js';

/** Bumped when the way recipe images are assembled changes, so old images are not reused. */
const BUILDER_VERSION = '2';

export type BuildProgress = { server: string; phase: 'base' | 'npm' | 'pip' | 'docker' | 'cached' | 'done'; line: string };

export interface ImageBuilderOptions {
  engine: ContainerEngine;
  /** The node binary copied into the offline Node base. */
  nodeBinary?: string;
  /** The python3 the offline Python base is made from (default: see choosePythonBinary). */
  pythonBinary?: string;
  /** A pulled Node image to build on instead of the offline base (`sandbox.baseImage`). */
  baseImage?: string | undefined;
  /** A pulled Python image to build on instead of the offline base (`sandbox.pythonBaseImage`). */
  pythonBaseImage?: string | undefined;
  /** `sandbox.build`: timeout, memory, registry overrides. */
  build?: BuildSettings | undefined;
  /** Where the user's npm/pip settings are read from (mcpd's environment). */
  env?: NodeJS.ProcessEnv;
  /** Labels build containers so the orphan purge removes them if this process dies mid-build. */
  instanceId?: string;
  /** Names the shared cache volumes (`<prefix>-npm`, `<prefix>-pip`); a benchmark uses its own to start cold. */
  cacheVolumePrefix?: string;
}

const DEFAULT_BUILD: BuildSettings = { timeout: 600_000, memory: 2 * 1024 ** 3, npm: {}, pip: {} };

/**
 * Builds and finds sandbox images. A recipe is installed by npm or pip inside a throwaway, locked-down build
 * container (see recipe.ts); its /app is copied into an image FROM the runtime base, tagged by the recipe's hash so
 * it is rebuilt only when the recipe changes.
 *
 * Why a container we create ourselves rather than a multi-stage `docker build` with RUN: RUN steps get the
 * engine's default capabilities and no pids/no-new-privileges control, the legacy builder cannot mount a cache
 * volume, and create/start/wait/archive are plain engine calls that Podman's Docker-compatible API serves too.
 */
export class ImageBuilder {
  private readonly bases: BaseImages;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly settings: BuildSettings;
  private readonly registry: RegistrySettings;

  constructor(private readonly opts: ImageBuilderOptions) {
    this.bases = new BaseImages({
      engine: opts.engine,
      nodeBinary: opts.nodeBinary,
      pythonBinary: opts.pythonBinary,
      nodeBaseImage: opts.baseImage,
      pythonBaseImage: opts.pythonBaseImage,
    });
    this.settings = opts.build ?? DEFAULT_BUILD;
    this.registry = new RegistrySettings(this.settings, opts.env ?? process.env, opts.nodeBinary ?? process.execPath);
  }

  /** The image a server runs: its own `image`, its recipe's image, or the plain base of its runtime. */
  async imageFor(server: ServerConfig, options: { build: boolean; onProgress?: (p: BuildProgress) => void }): Promise<string> {
    if (server.image) {
      if (await this.opts.engine.inspectImage(server.image)) return server.image;
      throw new McpgwError(
        'image_missing',
        `image ${server.image} for "${server.name}" is not present locally; pull or build it first (docker pull ${server.image})`,
      );
    }
    if (!server.build) return this.ensureBase(server.name, options.onProgress, server.runtime);
    const tag = await this.recipeTag(server);
    const existing = await this.findRecipeImage(tag);
    if (existing) return existing;
    if (!options.build) {
      throw new McpgwError('image_missing', `the image for "${server.name}" is not built yet; run: mcpgw images build ${server.name}`);
    }
    return this.singleFlight(tag, () => this.buildRecipe(server, tag, options.onProgress));
  }

  /** Builds (or finds cached) the server's image; reports "cached" when nothing had to be done. */
  async build(server: ServerConfig, onProgress?: (p: BuildProgress) => void): Promise<string> {
    if (server.image && !server.build) return this.imageFor(server, { build: false });
    if (server.build) {
      const existing = await this.findRecipeImage(await this.recipeTag(server));
      if (existing) {
        onProgress?.({ server: server.name, phase: 'cached', line: `${existing} is up to date` });
        return existing;
      }
    }
    return this.imageFor(server, { build: true, ...(onProgress ? { onProgress } : {}) });
  }

  /** Images mcpgw built (bases, builders and recipes). */
  list(): Promise<ImageSummary[]> {
    return this.opts.engine.listImages();
  }

  /** The tag of a runtime's base (offline or the configured pulled one). */
  baseTag(runtime: Runtime = 'node'): Promise<string> {
    return this.bases.runtimeTag(runtime);
  }

  /** The tag of a runtime's builder variant. */
  builderTag(runtime: Runtime = 'node'): Promise<string> {
    return this.bases.builderTag(runtime);
  }

  /** Makes sure a runtime's base exists, building the offline one if needed. */
  ensureBase(server: string, onProgress?: (p: BuildProgress) => void, runtime: Runtime = 'node'): Promise<string> {
    return this.bases.ensureRuntime(runtime, undefined, reporter(server, onProgress));
  }

  /** Makes sure a runtime's base and builder images exist (what a first build would otherwise do first). */
  async prepare(runtime: Runtime, onProgress?: (p: BuildProgress) => void): Promise<{ base: string; builder: string }> {
    const report = reporter('(base)', onProgress);
    const base = await this.bases.ensureRuntime(runtime, undefined, report);
    return { base, builder: (await this.bases.ensureBuilder(runtime, undefined, report)).tag };
  }

  /** `mcpgw/<server>:<hash>` where the hash covers the bases, the specs, local specs' contents and the index. */
  async recipeTag(server: ServerConfig): Promise<string> {
    return `mcpgw/${server.name.toLowerCase()}:${(await this.recipeHash(server)).slice(0, 12)}`;
  }

  private async recipeHash(server: ServerConfig): Promise<string> {
    const build = recipeOf(server);
    const { ecosystem, specs } = kindOf(build);
    const runtime = runtimeOf(ecosystem);
    // Concurrently: this runs on every lookup of a recipe's image (a cached rebuild must stay well under a second).
    const [index, base, builder] = await Promise.all([
      ecosystem === 'npm' ? this.registry.npm().then((s) => s.registry) : this.registry.pipIndex(build),
      this.bases.runtimeTag(runtime, build.base),
      this.bases.builderTag(runtime, build.base),
    ]);
    const hash = createHash('sha256');
    hash.update(
      JSON.stringify({
        v: BUILDER_VERSION,
        base,
        builder,
        [ecosystem]: specs,
        scripts: build.scripts === true,
        // The index decides what a name resolves to; credentials in its URL are not part of the recipe.
        index: index ? withoutCredentials(index) : null,
        bin: server.command === undefined,
      }),
    );
    for (const spec of specs) {
      const local = localSpecPath(ecosystem, spec);
      if (local) hash.update(await fingerprint(local.path));
    }
    const indexDir = fileIndexDir(index);
    if (indexDir) hash.update(await fingerprint(indexDir));
    return hash.digest('hex');
  }

  /**
   * The image for a recipe: by its tag, or one built for the same recipe under another server's name, which is then
   * tagged for this server too (so `images ls` shows it under both names and the next lookup is a direct hit).
   */
  private async findRecipeImage(tag: string): Promise<string | undefined> {
    if (await this.opts.engine.inspectImage(tag)) return tag;
    const [same] = await this.opts.engine.listImages({ [LABELS.recipe]: tag.split(':')[1] ?? '' });
    if (!same) return undefined;
    return this.opts.engine.tagImage(same.id, tag).then(
      () => tag,
      () => same.tags[0] ?? same.id,
    );
  }

  private async buildRecipe(server: ServerConfig, tag: string, onProgress?: (p: BuildProgress) => void): Promise<string> {
    const build = recipeOf(server);
    const { ecosystem, specs: hostSpecs } = kindOf(build);
    const runtime = runtimeOf(ecosystem);
    const report = reporter(server.name, onProgress);
    const base = await this.bases.ensureRuntime(runtime, build.base, report);
    const builder = await this.bases.ensureBuilder(runtime, build.base, report);
    const { specs, local } = containerSpecs(ecosystem, hostSpecs);
    const npm = ecosystem === 'npm' ? await this.registry.npm() : {};
    const pip = ecosystem === 'pip' ? await this.registry.pip() : {};
    const index = ecosystem === 'pip' ? await this.registry.pipIndex(build) : undefined;
    const indexDir = fileIndexDir(index);
    const ca = await this.registry.caBundle(ecosystem);
    // Package code runs in an npm build only with scripts on; then the shared cache is not offered to it.
    const sharedCache = ecosystem === 'pip' || build.scripts !== true ? cacheVolume(ecosystem, this.opts.cacheVolumePrefix) : undefined;
    if (sharedCache) await this.opts.engine.ensureVolume(sharedCache, { [LABELS.managed]: 'true', [LABELS.kind]: 'cache' });
    const cmd = installCommand({
      ecosystem,
      specs,
      scripts: build.scripts === true,
      launcher: builder.launcher,
      noBuildIsolation: builder.offline,
      report: server.command === undefined,
    });
    const env = installEnv({
      ecosystem,
      npm,
      pip,
      indexUrl: indexDir ? `file://${BUILD.index}` : index,
      hasCa: ca !== undefined,
      npmCache: sharedCache ? BUILD.cache : `${BUILD.dir}/npm-cache`,
    });
    const recipe = tag.split(':')[1] ?? '';
    const labels = { [LABELS.managed]: 'true', [LABELS.server]: server.name, [LABELS.recipe]: recipe };
    const what = redactCredentials(`${ecosystem} install ${hostSpecs.join(' ')}`);
    const phase = ecosystem;
    onProgress?.({ server: server.name, phase, line: `${what} (in a build container from ${builder.tag})` });
    await runBuildContainer(
      {
        engine: this.opts.engine,
        spec: buildContainerSpec({
          ecosystem,
          name: `mcpgw-build-${server.name.toLowerCase()}-${randomBytes(4).toString('hex')}`,
          image: builder.tag,
          cmd,
          env,
          labels: { ...labels, [LABELS.kind]: 'build', [LABELS.instance]: this.opts.instanceId ?? currentInstanceId() },
          cache: sharedCache,
          memoryBytes: this.settings.memory,
        }),
        context: await buildContextTar({ ecosystem, local, ca, indexDir }),
        timeoutMs: this.settings.timeout,
        what,
        onLine: (line) => onProgress?.({ server: server.name, phase, line }),
      },
      async (id) => {
        const entrypoint = server.command === undefined ? await entrypointOf(this.opts.engine, id, ecosystem) : undefined;
        const context = await contextWithArchive(
          appDockerfile(base, ecosystem, entrypoint),
          await this.opts.engine.getArchive(id, BUILD.app),
        );
        await this.opts.engine.buildImage(context, tag, { ...labels, [LABELS.kind]: 'server', [LABELS.runtime]: runtime }, (line) =>
          reportStep(line, (text) => onProgress?.({ server: server.name, phase: 'docker', line: text })),
        );
      },
    );
    onProgress?.({ server: server.name, phase: 'done', line: `built ${tag}` });
    return tag;
  }

  private singleFlight(key: string, work: () => Promise<string>): Promise<string> {
    let running = this.inFlight.get(key);
    if (!running) {
      running = work().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }
}

function recipeOf(server: ServerConfig): BuildRecipe {
  if (!server.build) throw new McpgwError('internal', `"${server.name}" has no build recipe`);
  return server.build;
}

function kindOf(build: BuildRecipe): { ecosystem: Ecosystem; specs: string[] } {
  return build.pip ? { ecosystem: 'pip', specs: build.pip } : { ecosystem: 'npm', specs: build.npm ?? [] };
}

const runtimeOf = (ecosystem: Ecosystem): Runtime => (ecosystem === 'pip' ? 'python' : 'node');

/** The host directory of a file:// index (copied into the build context), else undefined. */
function fileIndexDir(index: string | undefined): string | undefined {
  return index?.startsWith('file://') ? decodeURIComponent(new URL(index).pathname) : undefined;
}

function reporter(server: string, onProgress?: (p: BuildProgress) => void): (line: string) => void {
  return (line) => {
    if (/^building /.test(line)) onProgress?.({ server, phase: 'base', line });
    else reportStep(line, (text) => onProgress?.({ server, phase: 'docker', line: text }));
  };
}

/** Forwards the builder's "Step N/M" lines and drops its container bookkeeping noise. */
function reportStep(line: string, emit: (line: string) => void): void {
  if (/^Step \d+\/\d+/.test(line) || /^Successfully tagged/.test(line)) emit(line);
}
