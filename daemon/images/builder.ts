import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ServerConfig } from '../../src/config/catalog.js';
import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine, ImageSummary } from '../sandbox/engine.js';
import { LABELS } from '../sandbox/labels.js';
import { buildContext, directoryContext } from './context.js';
import { nodeRootfsFiles } from './rootfs.js';

/** Bumped when the way images are assembled changes, so old images are not reused. */
const BUILDER_VERSION = '1';
const PATH_ENV = '/usr/local/bin:/usr/bin:/bin';

export type BuildProgress = { server: string; phase: 'base' | 'npm' | 'docker' | 'cached' | 'done'; line: string };

export interface ImageBuilderOptions {
  engine: ContainerEngine;
  /** Where npm installs are staged before they are copied into an image. */
  cacheDir: string;
  /** The node binary copied into the offline base. */
  nodeBinary?: string;
  /** A pulled Node image to build on instead of the offline base. */
  baseImage?: string | undefined;
  npmCommand?: string;
}

/**
 * Builds and finds sandbox images: an offline Node base made FROM scratch from the host's node, and one image per
 * `build` recipe, tagged by the recipe's hash so it is rebuilt only when the recipe changes.
 */
export class ImageBuilder {
  private baseTagMemo: Promise<string> | undefined;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly opts: ImageBuilderOptions) {}

  /** The image a server runs: its own `image`, its recipe's image, or the plain Node base. */
  async imageFor(server: ServerConfig, options: { build: boolean; onProgress?: (p: BuildProgress) => void }): Promise<string> {
    if (!server.image && server.runtime === 'python') {
      // The Python base and pip recipes come with builds in containers; until then such a server cannot start.
      throw new McpgwError('image_missing', `"${server.name}" needs the Python base image, which this mcpgw cannot build yet`);
    }
    if (server.image) {
      if (await this.opts.engine.inspectImage(server.image)) return server.image;
      throw new McpgwError(
        'image_missing',
        `image ${server.image} for "${server.name}" is not present locally; pull or build it first (docker pull ${server.image})`,
      );
    }
    if (!server.build) return this.ensureBase(server.name, options.onProgress);
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
    if (server.image && !server.build) {
      return this.imageFor(server, { build: false });
    }
    if (server.build) {
      const existing = await this.findRecipeImage(await this.recipeTag(server));
      if (existing) {
        onProgress?.({ server: server.name, phase: 'cached', line: `${existing} is up to date` });
        return existing;
      }
    }
    return this.imageFor(server, { build: true, ...(onProgress ? { onProgress } : {}) });
  }

  /** Images mcpgw built (base and recipes). */
  list(): Promise<ImageSummary[]> {
    return this.opts.engine.listImages();
  }

  /** The tag of the offline base (or the configured pulled base). */
  baseTag(): Promise<string> {
    if (this.opts.baseImage) return Promise.resolve(this.opts.baseImage);
    this.baseTagMemo ??= (async () => {
      const files = await nodeRootfsFiles(this.opts.nodeBinary ?? process.execPath);
      const hash = createHash('sha256').update(BUILDER_VERSION);
      for (const f of files) hash.update(`${f.path}\0${f.size}\0${f.mtimeMs}\0${f.mode}\n`);
      return `mcpgw/base:node${process.versions.node}-${hash.digest('hex').slice(0, 12)}`;
    })();
    return this.baseTagMemo;
  }

  /** Makes sure the base exists, building the offline one if needed. */
  async ensureBase(server: string, onProgress?: (p: BuildProgress) => void): Promise<string> {
    const tag = await this.baseTag();
    if (await this.opts.engine.inspectImage(tag)) return tag;
    if (this.opts.baseImage) {
      throw new McpgwError('image_missing', `base image ${tag} is not present locally; pull it first (docker pull ${tag})`);
    }
    return this.singleFlight(tag, async () => {
      const files = await nodeRootfsFiles(this.opts.nodeBinary ?? process.execPath);
      onProgress?.({ server, phase: 'base', line: `building offline base ${tag} from ${files.length} host files` });
      const dockerfile = [
        'FROM scratch',
        'COPY rootfs/ /',
        `ENV PATH=${PATH_ENV} HOME=/tmp NODE_ENV=production`,
        'USER 65534:65534',
        'WORKDIR /tmp',
        'CMD ["node"]',
      ].join('\n');
      const inline = [
        { path: '/etc/passwd', content: 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/tmp:/sbin/nologin\n' },
        { path: '/etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
      ];
      await this.opts.engine.buildImage(
        buildContext(dockerfile, inline, files),
        tag,
        { [LABELS.managed]: 'true', [LABELS.kind]: 'base' },
        (line) => reportStep(line, (text) => onProgress?.({ server, phase: 'docker', line: text })),
      );
      return tag;
    });
  }

  /** The image for a recipe: by its tag, or one built for the same recipe under another server's name. */
  private async findRecipeImage(tag: string): Promise<string | undefined> {
    if (await this.opts.engine.inspectImage(tag)) return tag;
    const [same] = await this.opts.engine.listImages({ [LABELS.recipe]: tag.split(':')[1] ?? '' });
    return same?.tags[0] ?? same?.id;
  }

  /** `mcpgw/<server>:<hash>` where the hash covers the base, the npm specs and local specs' contents. */
  async recipeTag(server: ServerConfig): Promise<string> {
    return `mcpgw/${server.name.toLowerCase()}:${(await this.recipeHash(server)).slice(0, 12)}`;
  }

  private async recipeHash(server: ServerConfig): Promise<string> {
    const build = server.build;
    if (!build) throw new McpgwError('internal', `"${server.name}" has no build recipe`);
    const hash = createHash('sha256');
    hash.update(
      JSON.stringify({ v: BUILDER_VERSION, base: build.base ?? (await this.baseTag()), npm: build.npm, bin: server.command === undefined }),
    );
    for (const spec of build.npm ?? []) {
      const local = localPath(spec);
      if (local) hash.update(await fingerprint(local));
    }
    return hash.digest('hex');
  }

  private async buildRecipe(server: ServerConfig, tag: string, onProgress?: (p: BuildProgress) => void): Promise<string> {
    const build = server.build;
    if (!build?.npm) throw new McpgwError('internal', `"${server.name}" has no npm recipe`);
    const base = build.base ?? (await this.ensureBase(server.name, onProgress));
    if (build.base && !(await this.opts.engine.inspectImage(build.base))) {
      throw new McpgwError('image_missing', `base image ${build.base} for "${server.name}" is not present locally; pull it first`);
    }
    const staging = path.join(this.opts.cacheDir, 'builds', tag.replace(/[/:]/g, '_'));
    await rm(staging, { recursive: true, force: true });
    const app = path.join(staging, 'app');
    await mkdir(app, { recursive: true });
    try {
      await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'mcpgw-sandbox-app', private: true }, null, 2));
      onProgress?.({ server: server.name, phase: 'npm', line: `npm install ${build.npm.join(' ')}` });
      await this.npmInstall(app, build.npm, (line) => onProgress?.({ server: server.name, phase: 'npm', line }));
      const entrypoint = server.command === undefined ? await packageBin(app) : undefined;
      const dockerfile = [
        `FROM ${base}`,
        'COPY app /app',
        'ENV PATH=/app/node_modules/.bin:/usr/local/bin:/usr/bin:/bin',
        ...(entrypoint ? [`ENTRYPOINT ${JSON.stringify([entrypoint])}`] : []),
      ].join('\n');
      await writeFile(path.join(staging, 'Dockerfile'), dockerfile);
      const labels = {
        [LABELS.managed]: 'true',
        [LABELS.kind]: 'server',
        [LABELS.server]: server.name,
        [LABELS.recipe]: tag.split(':')[1] ?? '',
      };
      await this.opts.engine.buildImage(directoryContext(staging), tag, labels, (line) =>
        reportStep(line, (text) => onProgress?.({ server: server.name, phase: 'docker', line: text })),
      );
      onProgress?.({ server: server.name, phase: 'done', line: `built ${tag}` });
      return tag;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Installs on the host with lifecycle scripts off: a package's install script must not run outside the sandbox. */
  private npmInstall(dir: string, specs: string[], onLine: (line: string) => void): Promise<void> {
    const args = ['install', '--omit=dev', '--ignore-scripts', '--install-links', '--no-audit', '--no-fund', '--loglevel=error', ...specs];
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.npmCommand ?? 'npm', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      const tail: string[] = [];
      const collect = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          tail.push(line);
          if (tail.length > 20) tail.shift();
          onLine(line);
        }
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', (err) => reject(new McpgwError('image_build_failed', `cannot run npm: ${err.message}`, { cause: err })));
      child.on('close', (code) => {
        if (code === 0) resolve();
        else
          reject(
            new McpgwError('image_build_failed', `npm install ${specs.join(' ')} failed (exit ${code}):\n  ${tail.slice(-8).join('\n  ')}`),
          );
      });
    });
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

/** Forwards the builder's "Step N/M" lines and drops its container bookkeeping noise. */
function reportStep(line: string, emit: (line: string) => void): void {
  if (/^Step \d+\/\d+/.test(line) || /^Successfully tagged/.test(line)) emit(line);
}

function localPath(spec: string): string | undefined {
  if (spec.startsWith('file:')) return spec.slice(5);
  return spec.startsWith('/') ? spec : undefined;
}

/** Sizes and mtimes of a local spec's files (node_modules and .git skipped): cheap, and changes when they do. */
async function fingerprint(target: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const info = await stat(p).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of (await readdir(p)).sort()) {
        if (name !== 'node_modules' && name !== '.git') await walk(path.join(p, name));
      }
    } else {
      parts.push(`${path.relative(target, p)}:${info.size}:${info.mtimeMs}`);
    }
  };
  await walk(target);
  return parts.join('\n');
}

/** The bin npx would run for the single installed package: its only bin, or the one named like the package. */
async function packageBin(app: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(app, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const names = Object.keys(manifest.dependencies ?? {});
  const name = names[0];
  if (names.length !== 1 || !name) {
    throw new McpgwError('config_invalid', `cannot tell which bin to run among packages ${names.join(', ')}; set "command"`);
  }
  const pkg = JSON.parse(await readFile(path.join(app, 'node_modules', name, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const unscoped = name.replace(/^@[^/]+\//, '');
  if (typeof pkg.bin === 'string') return unscoped;
  const bins = Object.keys(pkg.bin ?? {});
  if (bins.length === 1 && bins[0]) return bins[0];
  if (bins.includes(unscoped)) return unscoped;
  throw new McpgwError(
    'config_invalid',
    `package ${name} has ${bins.length === 0 ? 'no bins' : `bins ${bins.join(', ')}`}; set "command" to the one to run`,
  );
}
