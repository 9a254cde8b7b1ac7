/**
 * Turns a server entry written for other MCP clients (`npx -y <pkg> ...`) into a build recipe, so people can paste
 * the config they already have. Pure; the caller shows the returned notice.
 */
export interface NpxConversion {
  packages: string[];
  /** The bin to run; undefined means "the package's own bin", resolved when the image is built. */
  command: string | undefined;
  args: string[];
  notice: string;
}

const YES_FLAGS = new Set(['-y', '--yes', '--quiet', '-q', '--no-install']);

/** Recognises `npx` / `npm exec` invocations; returns undefined for anything else. */
export function convertNpx(command: string, args: readonly string[]): NpxConversion | undefined {
  const base = command.split('/').pop() ?? command;
  let rest = [...args];
  if (base === 'npm' && (rest[0] === 'exec' || rest[0] === 'x')) rest = rest.slice(1);
  else if (base !== 'npx') return undefined;

  const packages: string[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (YES_FLAGS.has(arg)) continue;
    if (arg === '-p' || arg === '--package') {
      const spec = rest[++i];
      if (spec) packages.push(spec);
      continue;
    }
    if (arg.startsWith('--package=')) {
      packages.push(arg.slice('--package='.length));
      continue;
    }
    if (arg.startsWith('-')) continue;
    break;
  }
  const first = rest[i];
  if (first === undefined) return undefined;
  const tail = rest.slice(i + 1);
  // With -p, the first positional names the bin; without, it is the package whose bin npx would run.
  const conversion = packages.length > 0 ? { packages, command: first, args: tail } : { packages: [first], command: undefined, args: tail };
  const notice =
    `converted "${[command, ...args].join(' ')}" into a sandbox image recipe ` +
    `(build.npm: ${JSON.stringify(conversion.packages)}); run "mcpgw images build" to build it`;
  return { ...conversion, notice };
}
