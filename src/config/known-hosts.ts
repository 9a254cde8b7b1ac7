/**
 * Hosts that well-known MCP servers need, for the notice a pasted entry gets: a *suggested* allowlist the user may
 * copy into its `network`, never a grant. Keyed by npm package, pip project or image (without version or tag).
 */
const KNOWN: ReadonlyArray<{ names: string[]; hosts: string[] | 'any' }> = [
  { names: ['@upstash/context7-mcp', 'mcp/context7'], hosts: ['context7.com', '*.context7.com'] },
  {
    names: ['@modelcontextprotocol/server-github', 'github-mcp-server', 'ghcr.io/github/github-mcp-server', 'mcp/github'],
    hosts: ['api.github.com'],
  },
  { names: ['@modelcontextprotocol/server-gitlab', 'mcp/gitlab'], hosts: ['gitlab.com'] },
  {
    names: ['@modelcontextprotocol/server-brave-search', '@brave/brave-search-mcp-server', 'mcp/brave-search'],
    hosts: ['api.search.brave.com'],
  },
  { names: ['@modelcontextprotocol/server-slack', 'mcp/slack'], hosts: ['slack.com', '*.slack.com'] },
  { names: ['@modelcontextprotocol/server-google-maps', 'mcp/google-maps'], hosts: ['maps.googleapis.com'] },
  { names: ['@notionhq/notion-mcp-server', 'mcp/notion'], hosts: ['api.notion.com'] },
  { names: ['@sentry/mcp-server', 'mcp-server-sentry', 'mcp/sentry'], hosts: ['sentry.io', '*.sentry.io'] },
  { names: ['tavily-mcp'], hosts: ['api.tavily.com'] },
  { names: ['exa-mcp-server'], hosts: ['api.exa.ai'] },
  { names: ['firecrawl-mcp'], hosts: ['api.firecrawl.dev'] },
  // Fetches whatever URL the model gives it: there is no list to suggest, only the advice to write one.
  { names: ['mcp-server-fetch', '@modelcontextprotocol/server-fetch', 'mcp/fetch', '@kazuph/mcp-fetch'], hosts: 'any' },
];

/** What a pasted entry runs: its packages (npm or pip), image, and arguments. */
export interface PastedLaunch {
  packages: readonly string[];
  image?: string | undefined;
  args: readonly string[];
}

/**
 * The allowlist to suggest for a pasted entry, `'any'` for a server that fetches arbitrary URLs, or undefined when
 * mcpgw does not know what it needs. `mcp-remote URL` needs the URL's host (and port, when it is not the scheme's).
 */
export function suggestedHosts(launch: PastedLaunch): string[] | 'any' | undefined {
  const names = [...launch.packages.map(packageName), ...(launch.image ? [imageName(launch.image)] : [])];
  if (names.includes('mcp-remote')) {
    const url = launch.args.find((a) => /^https?:\/\//i.test(a));
    const host = url ? remoteHost(url) : undefined;
    if (host) return [host];
  }
  for (const known of KNOWN) if (names.some((n) => known.names.includes(n))) return known.hosts;
  return undefined;
}

/** The notice line for a suggestion (what to add, and that nothing was granted). */
export function allowlistNotice(hosts: string[] | 'any'): string {
  if (hosts === 'any') {
    return 'fetches any URL it is given and has no network yet: list the hosts it may reach, e.g. "network": {"allow": ["docs.example.com"]} (nothing is allowed until you add them)';
  }
  return `needs the network and has none yet: to let it reach its API only, add "network": {"allow": ${JSON.stringify(hosts)}} (a suggestion: nothing is allowed until you add it)`;
}

/** `@scope/name@1.2.3` → `@scope/name`; `name==1.0`, `name[extra]>=2` → `name`. */
function packageName(spec: string): string {
  const at = spec.lastIndexOf('@');
  const npm = at > 0 ? spec.slice(0, at) : spec;
  return npm.split(/[=<>!~[;\s]/)[0]!.toLowerCase();
}

/** `docker.io/mcp/github:latest` → `mcp/github`; a digest or tag goes. */
function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  return name
    .replace(/^(docker\.io\/|index\.docker\.io\/)/, '')
    .replace(/^library\//, '')
    .toLowerCase();
}

function remoteHost(text: string): string | undefined {
  try {
    const url = new URL(text);
    const defaultPort = url.protocol === 'https:' ? '443' : '80';
    return url.port && url.port !== defaultPort ? `${url.hostname}:${url.port}` : url.hostname;
  } catch {
    return undefined;
  }
}
