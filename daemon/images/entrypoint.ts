import { z } from 'zod';
import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine } from '../sandbox/engine.js';
import { firstFileOf } from './context.js';
import { BUILD, type Ecosystem } from './recipe.js';

const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * The program an entry without "command" runs, as npx or uvx would pick it: read from the finished build
 * container's files (package.json and bins for npm, pip's install report and entry_points.txt for pip). What is
 * read was written by the build and is treated as untrusted: parsed with schemas, names checked.
 */
export async function entrypointOf(engine: ContainerEngine, id: string, ecosystem: Ecosystem): Promise<string> {
  const read = async (path: string): Promise<string | undefined> => {
    const archive = await engine.getArchive(id, path).catch((err: unknown) => {
      if (err instanceof McpgwError && err.code === 'not_found') return undefined;
      throw err;
    });
    return archive ? (await firstFileOf(archive, MAX_METADATA_BYTES))?.toString('utf8') : undefined;
  };
  const must = async (path: string): Promise<string> => {
    const text = await read(path);
    if (text === undefined) throw new McpgwError('image_build_failed', `the build did not produce ${path}`);
    return text;
  };
  if (ecosystem === 'npm') {
    const name = singlePackage(npmDependencies(await must(`${BUILD.app}/package.json`)), 'npm');
    return npmPackageBin(name, await must(`${BUILD.app}/node_modules/${name}/package.json`));
  }
  const dists = requestedDists(await must(BUILD.report));
  const dist = dists.find(
    (d) =>
      d.name ===
      singlePackage(
        dists.map((x) => x.name),
        'pip',
      ),
  );
  if (!dist) throw new McpgwError('internal', 'pip report lost its distribution');
  const dir = distInfoDir(dist.name, dist.version);
  const entryPoints =
    (await read(`${BUILD.app}/site/${dir}/entry_points.txt`)) ??
    (await read(`${BUILD.app}/site/${dir.toLowerCase()}/entry_points.txt`)) ??
    '';
  return chooseConsoleScript(dist.name, consoleScripts(entryPoints));
}

const BIN_NAME = /^[A-Za-z0-9@][A-Za-z0-9@._+-]{0,127}$/;

/** A bin or console-script name read from what a build produced (untrusted): a plain file name or an error. */
function checkedName(name: string, what: string): string {
  if (!BIN_NAME.test(name)) throw new McpgwError('image_build_failed', `${what} has an unusable name ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}

const manifestSchema = z.looseObject({
  dependencies: z.record(z.string(), z.string()).optional(),
  bin: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
});

/** The packages /app/package.json lists: what the recipe installed. */
export function npmDependencies(appPackageJson: string): string[] {
  return Object.keys(manifestSchema.parse(JSON.parse(appPackageJson)).dependencies ?? {});
}

/** The bin npx would run for a package: its only bin, or the one named like the package. */
export function npmPackageBin(name: string, packageJson: string): string {
  const pkg = manifestSchema.parse(JSON.parse(packageJson));
  const unscoped = name.replace(/^@[^/]+\//, '');
  if (typeof pkg.bin === 'string') return checkedName(unscoped, `package ${name}'s bin`);
  const bins = Object.keys(pkg.bin ?? {});
  const only = bins.length === 1 ? bins[0] : undefined;
  if (only) return checkedName(only, `package ${name}'s bin`);
  if (bins.includes(unscoped)) return checkedName(unscoped, `package ${name}'s bin`);
  throw new McpgwError(
    'config_invalid',
    `package ${name} has ${bins.length === 0 ? 'no bins' : `bins ${bins.join(', ')}`}; set "command" to the one to run`,
  );
}

/** The one package an entry without "command" runs; several is a config error naming them. */
export function singlePackage(names: string[], ecosystem: Ecosystem): string {
  const [name] = names;
  if (names.length !== 1 || !name) {
    throw new McpgwError(
      'config_invalid',
      `cannot tell which ${ecosystem === 'npm' ? 'bin' : 'console script'} to run among packages ${names.join(', ') || '(none)'}; set "command"`,
    );
  }
  return name;
}

const reportSchema = z.looseObject({
  install: z.array(
    z.looseObject({ requested: z.boolean().optional(), metadata: z.looseObject({ name: z.string(), version: z.string() }) }),
  ),
});

/** The distributions pip installed because the recipe asked for them (pip's `--report`). */
export function requestedDists(reportJson: string): Array<{ name: string; version: string }> {
  const report = reportSchema.parse(JSON.parse(reportJson));
  return report.install.filter((i) => i.requested).map((i) => ({ name: i.metadata.name, version: i.metadata.version }));
}

/** Where a distribution's metadata lives in a `--target` install (the wheel spec's escaped name). */
export function distInfoDir(name: string, version: string): string {
  return `${name.replace(/[-_.]+/g, '_')}-${version}.dist-info`;
}

/** The `[console_scripts]` names of an entry_points.txt. */
export function consoleScripts(entryPoints: string): string[] {
  const names: string[] = [];
  let inSection = false;
  for (const line of entryPoints.split('\n')) {
    const section = /^\s*\[([^\]]+)\]/.exec(line);
    if (section) inSection = section[1]?.trim() === 'console_scripts';
    else if (inSection) {
      const name = /^\s*([^=\s#;][^=]*?)\s*=/.exec(line)?.[1];
      if (name) names.push(name);
    }
  }
  return names;
}

/** The console script uvx would run for a distribution: the one named like it, else its only one. */
export function chooseConsoleScript(dist: string, scripts: string[]): string {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_.]+/g, '-');
  const named = scripts.find((s) => norm(s) === norm(dist));
  const only = scripts.length === 1 ? scripts[0] : undefined;
  const chosen = named ?? only;
  if (chosen) return checkedName(chosen, `${dist}'s console script`);
  throw new McpgwError(
    'config_invalid',
    `${dist} has ${scripts.length === 0 ? 'no console scripts' : `console scripts ${scripts.join(', ')}`}; set "command" to the one to run`,
  );
}
