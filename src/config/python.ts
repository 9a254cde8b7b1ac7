/**
 * Turns Python launchers pasted from other MCP clients (`uvx`, `uv tool run`, `pipx run`, `python -m`, `python3
 * script.py`) into what the sandbox runs: a `build.pip` recipe on the Python base, or python3 on it. Pure; refusals
 * come back as a reason, never thrown.
 */
import type { LauncherResult } from './launchers.js';

const quoted = (command: string, args: readonly string[]): string => [command, ...args].join(' ');

/** A distribution name with optional extras and version: `pkg`, `pkg[x]==1.2`, `pkg>=1`, `pkg@1.2`. */
const PACKAGE_SPEC = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?(.*)$/;

/** The console script a package spec runs: its name without extras or version. */
export function scriptName(spec: string): string | undefined {
  return PACKAGE_SPEC.exec(spec.trim())?.[1];
}

/** uvx accepts `pkg@1.2` and `pkg@latest`; pip wants `pkg==1.2` and `pkg`. */
function pipSpec(spec: string): string {
  const match = /^([^@\s]+)@([A-Za-z0-9.+!*-]+)$/.exec(spec);
  if (!match) return spec;
  return match[2] === 'latest' ? (match[1] ?? spec) : `${match[1]}==${match[2]}`;
}

interface ToolRunOptions {
  /** Options that take a value and name the package to install. */
  from: readonly string[];
  /** Options that take a value: extra packages. */
  with: readonly string[];
  /** Options that take a value and are ignored (the sandbox's Python is the base image's). */
  python: readonly string[];
  /** Options without a value that change nothing in the sandbox. */
  harmless: readonly string[];
}

/** Package index options: a registry setting, not part of a recipe. */
const INDEX_OPTIONS = ['--index-url', '-i', '--extra-index-url', '--index', '--default-index', '--find-links', '-f'];

const UVX: ToolRunOptions = {
  from: ['--from'],
  with: ['--with'],
  python: ['--python', '-p'],
  harmless: [
    '-q',
    '--quiet',
    '-v',
    '--verbose',
    '--no-cache',
    '-n',
    '--isolated',
    '--refresh',
    '--offline',
    '--native-tls',
    '--no-progress',
  ],
};

const PIPX: ToolRunOptions = {
  from: ['--spec'],
  with: [],
  python: ['--python'],
  harmless: ['-q', '--quiet', '-v', '--verbose', '--no-cache'],
};

/** Parses `[options] PKG [args]` of `uvx` / `pipx run` into a pip recipe. */
function toolRun(launcher: string, original: string, args: readonly string[], known: ToolRunOptions): LauncherResult {
  let from: string | undefined;
  const extra: string[] = [];
  const ignored: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const takesValue = [...known.from, ...known.with, ...known.python].includes(flag);
    if (!takesValue) {
      if (known.harmless.includes(arg)) continue;
      if (INDEX_OPTIONS.includes(flag)) {
        return {
          ok: false,
          reason:
            `${launcher} option "${flag}" is not supported per server: set the index in pip's own configuration ` +
            '(pip.conf or PIP_INDEX_URL), which image builds use; then remove it here',
        };
      }
      return { ok: false, reason: `${launcher} option "${arg}" is not supported in the sandbox; remove it` };
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') return { ok: false, reason: `${launcher} option "${flag}" needs a value` };
    if (known.from.includes(flag)) from = value;
    else if (known.with.includes(flag)) extra.push(value);
    else ignored.push(`${flag} ${value}`);
  }
  const pkg = args[i];
  if (pkg === undefined) return { ok: false, reason: `"${original}" names no package to run` };
  const tail = args.slice(i + 1);
  const command = from === undefined ? scriptName(pkg) : pkg;
  if (!command) return { ok: false, reason: `cannot tell the program "${pkg}" runs; write "build": { "pip": [...] } and "command"` };
  const pip = [pipSpec(from ?? pkg), ...extra];
  const notices = [
    `converted "${original}" into a Python sandbox image recipe (build.pip: ${JSON.stringify(pip)}, command "${command}"); ` +
      'run "mcpgw images build" to build it',
    ...ignored.map((o) => `ignored "${o}": the sandbox runs the Python of its base image`),
  ];
  return { ok: true, command, args: tail, runtime: 'python', build: { pip }, notices };
}

const PYTHON = /^python(3(\.\d+)*)?$/;

/** Recognises Python launchers; undefined for anything else. */
export function convertPython(command: string, args: readonly string[]): LauncherResult | undefined {
  const base = command.split('/').pop() ?? command;
  const original = quoted(command, args);
  if (base === 'uvx') return toolRun('uvx', original, args, UVX);
  if (base === 'uv') {
    if (args[0] === 'tool' && (args[1] === 'run' || args[1] === 'uvx')) return toolRun('uv tool run', original, args.slice(2), UVX);
    return {
      ok: false,
      reason:
        '"uv run" runs inside a uv project environment that mcpgw cannot reproduce; write the entry as ' +
        '"build": { "pip": ["<the project dir or its dependencies>"] } with "command": "python3" and the script, or use "uvx PKG"',
    };
  }
  if (base === 'pipx') {
    if (args[0] !== 'run') return { ok: false, reason: `only "pipx run" can be translated (found "pipx ${args[0] ?? ''}")` };
    return toolRun('pipx run', original, args.slice(1), PIPX);
  }
  if (!PYTHON.test(base)) return undefined;
  // A host interpreter (often a virtualenv's) cannot run in the sandbox: its packages are not there.
  const venv = command.includes('/')
    ? '; packages installed in that environment are not available: list them in "build": { "pip": [...] }'
    : '';
  const notices = [
    command === 'python3'
      ? 'runs on the Python base image; list the packages it imports in "build": { "pip": [...] }'
      : `runs the sandbox's python3 instead of "${command}"${venv}`,
  ];
  return { ok: true, command: 'python3', args: [...args], runtime: 'python', notices };
}
