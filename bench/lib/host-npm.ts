import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import type { ContainerEngine } from '../../daemon/sandbox/engine.js';
import { LABELS } from '../../daemon/sandbox/labels.js';

/**
 * The way images were built before issue 9, kept only to compare against in the benchmark: `npm install` ON THE HOST
 * (lifecycle scripts off) into a staging directory, then a docker build that copies it onto the base. mcpgw itself
 * no longer does this: a package manager over untrusted packages runs only in a build container now.
 */
export async function hostNpmBuild(
  engine: ContainerEngine,
  opts: { specs: string[]; base: string; tag: string; npmCache: string },
): Promise<void> {
  const staging = await mkdtemp(path.join(tmpdir(), 'mcpgw-bench-hostnpm-'));
  try {
    const app = path.join(staging, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'mcpgw-sandbox-app', private: true }));
    const args = [
      'install',
      '--omit=dev',
      '--ignore-scripts',
      '--install-links',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--cache',
      opts.npmCache,
      ...opts.specs,
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn('npm', args, { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`host npm install failed (${code}): ${err.slice(-500)}`))));
    });
    const dockerfile = [`FROM ${opts.base}`, 'COPY app /app', 'ENV PATH=/app/node_modules/.bin:/usr/local/bin:/usr/bin:/bin'].join('\n');
    await writeFile(path.join(staging, 'Dockerfile'), dockerfile);
    await engine.buildImage(
      pack(staging) as unknown as Readable,
      opts.tag,
      { [LABELS.managed]: 'true', [LABELS.kind]: 'bench' },
      () => undefined,
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
