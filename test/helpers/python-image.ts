import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { buildContext } from '../../daemon/images/context.js';
import { sharedLibraries, type RootfsFile } from '../../daemon/images/rootfs.js';
import type { ContainerEngine } from '../../daemon/sandbox/engine.js';
import { LABELS } from '../../daemon/sandbox/labels.js';

/** The system's python3 (not a version manager's shim), and where its standard library lives. */
const HOST_PYTHON = '/usr/bin/python3';
const SKIP =
  /\/(test|tests|__pycache__|idlelib|tkinter|turtledemo|ensurepip|lib2to3|pydoc_data|dist-packages|site-packages|config-3[^/]*)$/;

async function walk(dir: string, out: string[]): Promise<void> {
  for (const name of await readdir(dir)) {
    const p = path.join(dir, name);
    const info = await lstat(p);
    if (info.isDirectory()) {
      if (!SKIP.test(p)) await walk(p, out);
    } else out.push(p);
  }
}

/**
 * A Python image for the egress tests only, made FROM scratch from the host's /usr/bin/python3 and its standard
 * library (nothing can be pulled here). mcpgw's own Python base, when there is one, replaces it.
 */
export async function ensurePythonTestImage(engine: ContainerEngine): Promise<string> {
  const where = 'import sys, sysconfig; print(sysconfig.get_paths()["stdlib"]); print(sysconfig.get_config_var("DESTSHARED") or "")';
  const [stdlib = '', dynload = ''] = execFileSync(HOST_PYTHON, ['-I', '-c', where], { encoding: 'utf8' }).trim().split('\n');
  const python = await realpath(HOST_PYTHON);
  const paths: string[] = [python];
  await walk(stdlib, paths);
  if (dynload && !dynload.startsWith(`${stdlib}/`)) await walk(dynload, paths);
  const libs = new Set<string>();
  for (const binary of [python, ...paths.filter((p) => p.endsWith('.so'))]) for (const lib of await sharedLibraries(binary)) libs.add(lib);
  const files: RootfsFile[] = [];
  for (const p of [...paths, ...libs]) {
    const source = await realpath(p);
    const info = await stat(source);
    files.push({ path: p, source, mode: info.mode & 0o777, size: info.size, mtimeMs: info.mtimeMs });
  }
  if (python !== HOST_PYTHON) files.push({ ...files[0]!, path: HOST_PYTHON });
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  const tag = `mcpgw-test/python:${hash.digest('hex').slice(0, 12)}`;
  if (await engine.inspectImage(tag)) return tag;
  const dockerfile = ['FROM scratch', 'COPY rootfs/ /', 'ENV PATH=/usr/bin:/bin HOME=/tmp', 'USER 65534:65534', 'WORKDIR /tmp'].join('\n');
  const inline = [{ path: '/etc/passwd', content: 'nobody:x:65534:65534:nobody:/tmp:/sbin/nologin\n' }];
  await engine.buildImage(buildContext(dockerfile, inline, files), tag, { [LABELS.kind]: 'test' }, () => undefined);
  return tag;
}
