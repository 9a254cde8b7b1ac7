import type { BuildRecipe } from '../../src/config/catalog.js';
import type { BuildSettings } from '../../src/config/schema.js';
import { readCa } from './build-context.js';
import type { Ecosystem } from './recipe.js';
import { readNpmSettings, readPipSettings, type NpmRegistrySettings, type PipIndexSettings } from './registry.js';
import { findNpm } from './rootfs.js';

/**
 * The registry settings builds use: the host user's npm and pip config, with mcpgw's `sandbox.build` on top. Read
 * once per process (mcpd reads them at its first build or recipe lookup; a restart picks up changes).
 */
export class RegistrySettings {
  private npmMemo: Promise<NpmRegistrySettings> | undefined;
  private pipMemo: Promise<PipIndexSettings> | undefined;

  constructor(
    private readonly overrides: BuildSettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly nodeBinary: string,
  ) {}

  /** npm's registry, CA and proxies. */
  npm(): Promise<NpmRegistrySettings> {
    const { registry, cafile } = this.overrides.npm;
    this.npmMemo ??= findNpm(this.nodeBinary)
      .catch(() => undefined)
      .then((npmDir) => readNpmSettings(this.env, this.nodeBinary, npmDir))
      .then((host) => ({ ...host, ...(registry ? { registry } : {}), ...(cafile ? { cafile, ca: undefined } : {}) }));
    return this.npmMemo;
  }

  /** pip's index, CA and proxy. */
  pip(): Promise<PipIndexSettings> {
    const { indexUrl, cert } = this.overrides.pip;
    this.pipMemo ??= readPipSettings(this.env).then((host) => ({ ...host, ...(indexUrl ? { indexUrl } : {}), ...(cert ? { cert } : {}) }));
    return this.pipMemo;
  }

  /** The index a pip recipe installs from: its own, else mcpgw's config, else the user's pip config. */
  async pipIndex(build: BuildRecipe): Promise<string | undefined> {
    return build.indexUrl ?? (await this.pip()).indexUrl;
  }

  /** The PEM text the package manager must trust (a TLS-inspecting proxy's CA), if one is configured. */
  async caBundle(ecosystem: Ecosystem): Promise<string | undefined> {
    if (ecosystem === 'npm') {
      const npm = await this.npm();
      if (npm.cafile) return readCa(npm.cafile, this.overrides.npm.cafile ? 'sandbox.build.npm.cafile' : "npm's cafile");
      return npm.ca;
    }
    const { cert } = await this.pip();
    return cert ? readCa(cert, this.overrides.pip.cert ? 'sandbox.build.pip.cert' : "pip's cert") : undefined;
  }
}
