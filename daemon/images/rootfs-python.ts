import { execFile } from 'node:child_process';
import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { McpgwError } from '../../src/errors.js';
import { hostFiles, sharedLibraries, sortFiles, treeFiles, type RootfsFile } from './rootfs.js';

const run = promisify(execFile);

/** Where the Python builder variant keeps pip and the build backend basics (on its PYTHONPATH). */
export const PYTHON_TOOLS_DIR = '/opt/mcpgw/python';

/** The distribution interpreter; preferred over whatever `python3` is first on PATH (see choosePythonBinary). */
const SYSTEM_PYTHON = '/usr/bin/python3';

const TOOL_PACKAGES = ['pip', 'setuptools', 'wheel', 'pkg_resources', '_distutils_hack'] as const;
/** Distributions whose metadata directories go with the tool packages (entry points register bdist_wheel). */
const TOOL_DISTS = ['pip', 'setuptools', 'wheel'] as const;

const probeSchema = z.object({
  executable: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+/),
  stdlib: z.string().min(1),
  dynload: z.string(),
  packages: z.record(z.string(), z.string().nullable()),
});

/** What the offline Python base is made from, as the interpreter itself reports it. */
export type PythonInstall = z.output<typeof probeSchema>;

// Printed by the interpreter itself, so pyenv/Debian/custom layouts all answer the same questions.
const PROBE = `
import importlib.util, json, os, platform, sys, sysconfig
def where(name):
    spec = importlib.util.find_spec(name)
    if spec is None: return None
    if spec.submodule_search_locations: return list(spec.submodule_search_locations)[0]
    return spec.origin
print(json.dumps({
    "executable": os.path.realpath(sys.executable),
    "version": platform.python_version(),
    "stdlib": sysconfig.get_paths()["stdlib"],
    "dynload": sysconfig.get_config_var("DESTSHARED") or "",
    "packages": {n: where(n) for n in ${JSON.stringify(TOOL_PACKAGES)}},
}))
`;

/**
 * The interpreter the offline base is made from: /usr/bin/python3 when it exists, because it is the distribution's
 * own interpreter at a fixed path (its pip, setuptools and wheel are distribution packages too). `python3` on PATH
 * is often a pyenv shim: a shell script whose target depends on the current directory's .python-version and on
 * `pyenv global`, so the base would change with the directory mcpd was started from. Without /usr/bin/python3, the
 * first `python3` on PATH is resolved to the real binary by asking it (`sys.executable`).
 */
export async function choosePythonBinary(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  if (
    await access(SYSTEM_PYTHON).then(
      () => true,
      () => false,
    )
  )
    return SYSTEM_PYTHON;
  return 'python3';
}

/** Asks the interpreter where its stdlib, lib-dynload and tool packages are (isolated mode: no PYTHON* env). */
export async function probePython(binary: string): Promise<PythonInstall> {
  let stdout: string;
  try {
    ({ stdout } = await run(binary, ['-I', '-c', PROBE], { timeout: 15_000 }));
  } catch (err) {
    throw new McpgwError(
      'image_build_failed',
      `cannot run ${binary} to make the offline Python base (${(err as Error).message.split('\n')[0]}); install python3 or set sandbox.pythonBaseImage`,
      { cause: err },
    );
  }
  return probeSchema.parse(JSON.parse(stdout));
}

/**
 * What identifies the offline Python base, cheaply: the interpreter's version, binary and the stdlib and
 * lib-dynload directories (a package update rewrites them). The ~1400 files are listed only when it is built.
 */
export async function pythonIdentity(py: PythonInstall): Promise<string[]> {
  const ids = [py.version, py.executable, py.stdlib, py.dynload];
  for (const p of [py.executable, py.stdlib, path.join(py.stdlib, 'os.py'), py.dynload]) {
    const info = await stat(p).catch(() => undefined);
    ids.push(info ? `${info.size}:${info.mtimeMs}` : '-');
  }
  return ids;
}

/** What identifies the builder's pip, setuptools and wheel: their directories and metadata (versions in the names). */
export async function pythonToolsIdentity(py: PythonInstall): Promise<string[]> {
  const ids: string[] = [];
  for (const name of TOOL_PACKAGES) {
    const dir = py.packages[name];
    const info = dir ? await stat(dir).catch(() => undefined) : undefined;
    ids.push(`${name}:${dir ?? '-'}:${info?.mtimeMs ?? '-'}`);
    if (dir)
      ids.push(...(await readdir(path.dirname(dir))).filter((e) => TOOL_DISTS.some((d) => e.toLowerCase().startsWith(`${d}-`))).sort());
  }
  return ids;
}

/**
 * Whether a path under the stdlib directory goes into the base: tests, the GUI and IDE packages, ensurepip,
 * third-party package directories and the static library for embedding are left out. Byte code is kept, but only
 * the plain `.pyc` of each module (not the -O/-OO variants): the root file system is read-only, so without it every
 * server start would compile each stdlib module it imports again (measured: ~1 s for json+asyncio+urllib, against
 * ~0.1 s with it).
 */
export function keepStdlibPath(rel: string, isDir: boolean): boolean {
  const parts = rel.split('/');
  const dirs = isDir ? parts : parts.slice(0, -1);
  if (dirs.some((d) => d === 'test' || d === 'tests' || d === 'idle_test')) return false;
  if (!isDir && dirs.at(-1) === '__pycache__' && !isPlainPyc(parts.at(-1) ?? '')) return false;
  const top = parts[0] ?? '';
  if (['idlelib', 'tkinter', 'turtledemo', 'ensurepip', 'site-packages', 'dist-packages'].includes(top)) return false;
  if (isDir && top.startsWith('config-') && parts.length === 1) return false;
  return !(parts.length === 1 && !isDir && top === 'EXTERNALLY-MANAGED');
}

/** `module.cpython-311.pyc`, not `module.cpython-311.opt-1.pyc`. */
const isPlainPyc = (name: string): boolean => /^[^.]+\.[^.]+\.pyc$/.test(name);

/**
 * The host files of an offline Python base: the interpreter (at its real path, with `python3` and `python` links
 * in /usr/bin), the stdlib (see keepStdlibPath), lib-dynload, /usr/bin/env, and every library the interpreter and
 * the lib-dynload modules link against.
 */
export async function pythonRootfsFiles(py: PythonInstall): Promise<RootfsFile[]> {
  const stdlib = await treeFiles(py.stdlib, py.stdlib, (rel, isDir) => !keepStdlibPath(rel, isDir));
  const inside = py.dynload === '' || py.dynload === py.stdlib || py.dynload.startsWith(`${py.stdlib}/`);
  const dynload = inside ? [] : await treeFiles(py.dynload, py.dynload);
  const modules = [...stdlib, ...dynload].filter((f) => f.path.endsWith('.so') && !f.linkTarget).map((f) => f.source);
  const wanted = new Map<string, string>([
    [py.executable, py.executable],
    ['/usr/bin/env', '/usr/bin/env'],
  ]);
  for (const lib of await sharedLibraries(py.executable, '/usr/bin/env', ...modules)) wanted.set(lib, lib);
  const links = pythonLinks(py.executable).filter((l) => l.path !== py.executable);
  return sortFiles([...(await hostFiles(wanted)), ...stdlib, ...dynload, ...links]);
}

/** `/usr/bin/python3` and `/usr/bin/python` pointing at the interpreter (relative when it lives in /usr/bin). */
export function pythonLinks(executable: string): RootfsFile[] {
  const target = path.posix.dirname(executable) === '/usr/bin' ? path.posix.basename(executable) : executable;
  return ['/usr/bin/python3', '/usr/bin/python'].map((p) => ({
    path: p,
    source: '',
    mode: 0o777,
    size: 0,
    mtimeMs: 0,
    linkTarget: target,
  }));
}

/**
 * What the Python builder variant adds: pip, setuptools and wheel (pure Python; pip vendors its own dependencies)
 * with their metadata, under PYTHON_TOOLS_DIR. Without pip the builder cannot work: that is an error naming the fix.
 */
export async function pythonBuilderFiles(py: PythonInstall): Promise<RootfsFile[]> {
  const pip = py.packages.pip;
  if (!pip) {
    throw new McpgwError(
      'image_build_failed',
      `${py.executable} has no pip, which the Python build container needs (apt-get install python3-pip), or set sandbox.pythonBaseImage`,
    );
  }
  const files: RootfsFile[] = [];
  // Byte code as for the stdlib (keepStdlibPath): pip imports hundreds of modules on every run.
  const noCache = (rel: string, isDir: boolean): boolean =>
    !isDir && rel.includes('__pycache__/') && !isPlainPyc(rel.split('/').pop() ?? '');
  const siteDirs = new Set<string>();
  for (const name of TOOL_PACKAGES) {
    const dir = py.packages[name];
    if (!dir) continue;
    siteDirs.add(path.dirname(dir));
    files.push(...(await treeFiles(dir, `${PYTHON_TOOLS_DIR}/${name}`, noCache)));
  }
  for (const site of siteDirs) {
    for (const entry of await readdir(site)) {
      if (!TOOL_DISTS.some((d) => new RegExp(`^${d}-[^-]+\\.(dist|egg)-info$`, 'i').test(entry))) continue;
      const host = path.join(site, entry);
      // An .egg-info is a directory or, for older setuptools installs, a single file.
      if ((await stat(host)).isDirectory()) files.push(...(await treeFiles(host, `${PYTHON_TOOLS_DIR}/${entry}`, noCache)));
      else files.push(...(await hostFiles(new Map([[`${PYTHON_TOOLS_DIR}/${entry}`, host]]))));
    }
  }
  return sortFiles(files);
}
