import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine } from '../sandbox/engine.js';
import { firstFileOf } from './context.js';
import {
  BUILD,
  chooseConsoleScript,
  consoleScripts,
  distInfoDir,
  npmDependencies,
  npmPackageBin,
  requestedDists,
  singlePackage,
  type Ecosystem,
} from './recipe.js';

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
