import type { ServerConfig } from './catalog.js';

// name, name@version-range or -tag, @scope/name@...: nothing in these can carry a credential.
const REGISTRY_SPEC = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9~][\w.~-]*(@[\w.^~<>=|*+ -]*)?$/i;
const HOSTED_SHORTCUT = /^((github|gitlab|bitbucket|gist):)?[\w.-]+\/[\w.-]+(#[\w./-]+)?$/;

/**
 * What clients may see of an npm spec. A spec can be a URL with a token in its userinfo, query or path
 * (`https://user:token@host/pkg.tgz`, `git+https://token@host/repo.git`) or a local path, so only registry names and
 * hosted-git shortcuts are shown as written; a URL is reduced to its host and a path to its last component.
 */
export function npmSpecSummary(spec: string): string {
  const trimmed = spec.trim();
  if (trimmed.startsWith('npm:')) return `npm:${npmSpecSummary(trimmed.slice(4))}`;
  const alias = /^([\w.~-]+|@[\w.~-]+\/[\w.~-]+)@npm:(.*)$/.exec(trimmed);
  if (alias) return `${alias[1]}@npm:${npmSpecSummary(alias[2] ?? '')}`;
  if (REGISTRY_SPEC.test(trimmed)) return trimmed;
  if (/^(\.{0,2}\/|~\/|file:)/.test(trimmed)) return `local:${trimmed.replace(/\/+$/, '').split('/').pop() || '.'}`;
  const url = /^(?:git\+)?([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/:?#]+)/i.exec(trimmed);
  if (url) return `${/git/i.test(url[1] ?? '') || trimmed.startsWith('git+') ? 'git' : 'url'}:${url[2]} (rest hidden)`;
  if (HOSTED_SHORTCUT.test(trimmed)) return trimmed;
  return '(npm spec hidden)';
}

/** The image a server runs, as clients are told it: an image name, or its npm recipe with every spec summarised. */
export function imageSummary(server: Pick<ServerConfig, 'image' | 'build'>): string {
  if (server.image) return server.image;
  return server.build ? `build: ${server.build.npm.map(npmSpecSummary).join(' ')}` : 'node base';
}
