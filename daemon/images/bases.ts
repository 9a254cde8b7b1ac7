import { createHash } from 'node:crypto';
import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine } from '../sandbox/engine.js';
import { LABELS } from '../sandbox/labels.js';
import { buildContext, type InlineFile, type TarEntry } from './context.js';
import { NPM_DIR, nodeRootfsFiles, npmBuilderFiles, npmIdentity, type RootfsFile } from './rootfs.js';
import {
  PYTHON_TOOLS_DIR,
  choosePythonBinary,
  probePython,
  pythonBuilderFiles,
  pythonIdentity,
  pythonRootfsFiles,
  pythonToolsIdentity,
  type PythonInstall,
} from './rootfs-python.js';

/** The language runtime a server's image provides. */
export type Runtime = 'node' | 'python';

/** Bumped when the way base and builder images are assembled changes, so old ones are not reused. */
export const BASE_VERSION = '3';
const PATH_ENV = '/usr/local/bin:/usr/bin:/bin';

/** How a build container is started: its image and the shell-free command line of its package manager. */
export interface BuilderImage {
  tag: string;
  launcher: string[];
  /** The offline builder carries setuptools and wheel, so sdists build without fetching a build backend. */
  offline: boolean;
}

export interface BaseImagesOptions {
  engine: ContainerEngine;
  nodeBinary?: string | undefined;
  pythonBinary?: string | undefined;
  /** A pulled Node image used instead of the offline Node base (`sandbox.baseImage`). */
  nodeBaseImage?: string | undefined;
  /** A pulled Python image used instead of the offline Python base (`sandbox.pythonBaseImage`). */
  pythonBaseImage?: string | undefined;
}

const PASSWD: InlineFile[] = [
  { path: '/etc/passwd', content: 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/tmp:/sbin/nologin\n' },
  { path: '/etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
];

/** Directories the build container writes, owned by the sandbox user (a fresh cache volume copies /cache's owner). */
const BUILDER_DIRS: TarEntry[] = [
  ...['app', 'build', 'cache'].map((d): TarEntry => ({ name: `dirs/${d}/`, type: 'directory', mode: 0o755 })),
  { name: 'dirs/tmp/', type: 'directory', mode: 0o1777 },
];

/**
 * An offline image: its tag, from a cheap identity of the host files it is made of (computed on every recipe
 * lookup), and the full file list, only listed when the image is actually built.
 */
interface OfflineBase {
  tag: string;
  files: () => Promise<RootfsFile[]>;
}

/**
 * The base images recipes are built on and run from. Each runtime has a runtime base (no package manager: what
 * servers run on) and a builder variant of it (plus npm or pip: what build containers run). Offline bases are
 * made FROM scratch from the host's own node or python3; a configured pulled image replaces the runtime base, and
 * its builder variant only adds the build directories.
 */
export class BaseImages {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly opts: BaseImagesOptions) {}

  /** The runtime base's tag: the pulled image (the recipe's own `base`, else the configured one), else the offline one. */
  async runtimeTag(runtime: Runtime, override?: string): Promise<string> {
    return this.pulled(runtime, override) ?? (await this.offlineRuntime(runtime)).tag;
  }

  /** The builder variant's tag (computed without building anything). */
  async builderTag(runtime: Runtime, override?: string): Promise<string> {
    const pulled = this.pulled(runtime, override);
    if (pulled) {
      const image = await this.opts.engine.inspectImage(pulled);
      if (!image) throw missingPulled(pulled);
      return `mcpgw/builder:${runtime}-pulled-${hash([BASE_VERSION, pulled, image.id])}`;
    }
    return (await this.offlineBuilder(runtime)).tag;
  }

  /** Makes sure the runtime base exists (building the offline one if needed) and returns its tag. */
  async ensureRuntime(runtime: Runtime, override: string | undefined, onLine: (line: string) => void): Promise<string> {
    const pulled = this.pulled(runtime, override);
    if (pulled) {
      if (!(await this.opts.engine.inspectImage(pulled))) throw missingPulled(pulled);
      return pulled;
    }
    const base = await this.offlineRuntime(runtime);
    return this.once(base.tag, async () => {
      const files = await base.files();
      onLine(`building offline ${runtime} base ${base.tag} from ${files.length} host files`);
      const dockerfile =
        runtime === 'node'
          ? [
              'FROM scratch',
              'COPY rootfs/ /',
              `ENV PATH=${PATH_ENV} HOME=/tmp NODE_ENV=production`,
              'USER 65534:65534',
              'WORKDIR /tmp',
              'CMD ["node"]',
            ]
          : [
              'FROM scratch',
              'COPY rootfs/ /',
              `ENV PATH=${PATH_ENV} HOME=/tmp PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONUTF8=1`,
              'USER 65534:65534',
              'WORKDIR /tmp',
              'CMD ["python3"]',
            ];
      await this.opts.engine.buildImage(buildContext(dockerfile.join('\n'), PASSWD, files), base.tag, labels('base', runtime), onLine);
    });
  }

  /** Makes sure the builder variant exists (and its runtime base) and says how to run its package manager. */
  async ensureBuilder(runtime: Runtime, override: string | undefined, onLine: (line: string) => void): Promise<BuilderImage> {
    const from = await this.ensureRuntime(runtime, override, onLine);
    const pulled = this.pulled(runtime, override);
    const tag = await this.builderTag(runtime, override);
    await this.once(tag, async () => {
      const files = pulled ? [] : await (await this.offlineBuilder(runtime)).files();
      onLine(`building ${runtime} builder ${tag}`);
      const dockerfile = [
        `FROM ${from}`,
        ...(files.length > 0 ? ['COPY rootfs/ /'] : []),
        'COPY --chown=65534:65534 dirs/ /',
        ...(!pulled && runtime === 'python' ? [`ENV PYTHONPATH=${PYTHON_TOOLS_DIR}`] : []),
        'USER 65534:65534',
        'WORKDIR /app',
      ];
      await this.opts.engine.buildImage(
        buildContext(dockerfile.join('\n'), [], files, BUILDER_DIRS),
        tag,
        labels('builder', runtime),
        onLine,
      );
    });
    if (runtime === 'node') return { tag, launcher: pulled ? ['npm'] : ['/usr/bin/node', `${NPM_DIR}/bin/npm-cli.js`], offline: !pulled };
    return { tag, launcher: [pulled ? 'python3' : '/usr/bin/python3', '-m', 'pip'], offline: !pulled };
  }

  private pulled(runtime: Runtime, override: string | undefined): string | undefined {
    return override ?? (runtime === 'node' ? this.opts.nodeBaseImage : this.opts.pythonBaseImage);
  }

  private offlineRuntime(runtime: Runtime): Promise<OfflineBase> {
    return this.memoize(`runtime:${runtime}`, async () => {
      if (runtime === 'node') {
        // node and its few libraries: listing them is cheap, so the tag covers exactly the files copied.
        const files = await nodeRootfsFiles(this.opts.nodeBinary ?? process.execPath);
        return {
          tag: `mcpgw/base:node${process.versions.node}-${hash([BASE_VERSION, ...files.map(fileId)])}`,
          files: () => Promise.resolve(files),
        };
      }
      const py = await this.python();
      return {
        tag: `mcpgw/base:python${py.version}-${hash([BASE_VERSION, ...(await pythonIdentity(py))])}`,
        files: lazy(() => pythonRootfsFiles(py)),
      };
    });
  }

  private offlineBuilder(runtime: Runtime): Promise<OfflineBase> {
    return this.memoize(`builder:${runtime}`, async () => {
      const base = await this.offlineRuntime(runtime);
      const node = this.opts.nodeBinary ?? process.execPath;
      const py = runtime === 'python' ? await this.python() : undefined;
      const identity = py ? await pythonToolsIdentity(py) : await npmIdentity(node);
      const version = (base.tag.split(':')[1] ?? runtime).replace(/-[0-9a-f]{12}$/, '');
      return {
        tag: `mcpgw/builder:${version}-${hash([BASE_VERSION, base.tag, ...identity])}`,
        files: lazy(() => (py ? pythonBuilderFiles(py) : npmBuilderFiles(node))),
      };
    });
  }

  private python(): Promise<PythonInstall> {
    return this.memoize('python', async () => probePython(await choosePythonBinary(this.opts.pythonBinary)));
  }

  private memoize<T>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = make();
      // A failure (no python3, say) is not remembered: the next call tries again.
      value.catch(() => this.memo.delete(key));
      this.memo.set(key, value);
    }
    return value;
  }

  /** Builds `tag` unless it exists; concurrent callers share one build. */
  private async once(tag: string, build: () => Promise<void>): Promise<string> {
    if (await this.opts.engine.inspectImage(tag)) return tag;
    let running = this.inFlight.get(tag);
    if (!running) {
      running = build()
        .then(() => tag)
        .finally(() => this.inFlight.delete(tag));
      this.inFlight.set(tag, running);
    }
    return running;
  }
}

function labels(kind: 'base' | 'builder', runtime: Runtime): Record<string, string> {
  return { [LABELS.managed]: 'true', [LABELS.kind]: kind, [LABELS.runtime]: runtime };
}

function missingPulled(ref: string): McpgwError {
  return new McpgwError('image_missing', `base image ${ref} is not present locally; pull it first (docker pull ${ref})`);
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}

/** A host file's path, size, time and mode: cheap, and changes whenever the file does. */
function fileId(f: RootfsFile): string {
  return `${f.path}\0${f.size}\0${f.mtimeMs}\0${f.mode}\0${f.linkTarget ?? ''}`;
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}
