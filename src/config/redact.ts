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

// name, name[extra], name==1.0, name>=1,<2: a requirement from an index carries no credential.
const PIP_REQUIREMENT = /^[A-Za-z0-9][\w.-]*(\[[\w.,-]+\])?\s*([<>=!~]=?\s*[\w.*+!-]+\s*,?\s*)*$/;

/** What clients may see of a pip requirement: like npm specs, a URL is cut to its host and a path to its last part. */
export function pipSpecSummary(spec: string): string {
  const trimmed = spec.trim();
  if (PIP_REQUIREMENT.test(trimmed)) return trimmed;
  if (/^(\.{0,2}\/|~\/|file:)/.test(trimmed)) return `local:${trimmed.replace(/\/+$/, '').split('/').pop() || '.'}`;
  const url = /(?:^|@\s*)(?:git\+)?[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+)/i.exec(trimmed);
  if (url) return `url:${url[1]} (rest hidden)`;
  return '(pip spec hidden)';
}
