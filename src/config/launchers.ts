/**
 * What a pasted `command` becomes in the sandbox: npx → an npm recipe, uvx/pipx/python → the Python base, node →
 * the Node base, docker/podman run → an image entry (see docker-run.ts). Pure; the caller shows the notices.
 */
import { convertNpx } from './npx.js';
import { convertPython } from './python.js';

export type Runtime = 'node' | 'python';

/** An image recipe: npm packages on the Node base or pip requirements on the Python base, exactly one. */
export type BuildRecipe = ({ npm: string[]; pip?: undefined } | { pip: string[]; npm?: undefined }) & {
  /** A pulled image to build on instead of the offline base. */
  base?: string | undefined;
  /** npm: run lifecycle scripts (inside the build container). */
  scripts?: boolean | undefined;
  /** pip: the index to install from. */
  indexUrl?: string | undefined;
};

export type LauncherResult =
  | { ok: true; command: string | undefined; args: string[]; runtime: Runtime; build?: BuildRecipe; notices: string[] }
  | { ok: false; reason: string };

/** Launchers that need a runtime none of mcpgw's base images has. */
const FOREIGN = new Set(['deno', 'bun', 'bunx', 'java', 'ruby', 'php', 'dotnet', 'go', 'cargo', 'pnpm', 'yarn', 'sh', 'bash']);

/** The basename of a command, for matching launchers given as paths (`/usr/local/bin/npx`). */
export function commandBase(command: string): string {
  return command.split('/').pop() ?? command;
}

/**
 * Translates a command that runs on the host into one that runs in a base image; undefined means "run it as
 * written on the Node base" (a bin the user's recipe provides, or a host script mounted by path).
 */
export function convertLauncher(command: string, args: readonly string[]): LauncherResult | undefined {
  const npx = convertNpx(command, args);
  if (npx) return { ok: true, command: npx.command, args: npx.args, runtime: 'node', build: { npm: npx.packages }, notices: [npx.notice] };
  const base = commandBase(command);
  if (base === 'npx' || (base === 'npm' && (args[0] === 'exec' || args[0] === 'x'))) {
    return { ok: false, reason: `"${[command, ...args].join(' ')}" names no package to run` };
  }
  const python = convertPython(command, args);
  if (python) return python;
  if (base === 'node' || base === 'nodejs') {
    const notices = command === 'node' ? [] : [`runs the sandbox's node instead of "${command}"`];
    return { ok: true, command: 'node', args: [...args], runtime: 'node', notices };
  }
  if (FOREIGN.has(base)) {
    return {
      ok: false,
      reason: `"${base}" is not in mcpgw's base images (Node and Python); build an image that has it and set "image"`,
    };
  }
  return undefined;
}
