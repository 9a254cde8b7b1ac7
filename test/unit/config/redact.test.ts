import { describe, expect, it } from 'vitest';
import { imageLabel } from '../../../src/config/describe.js';
import { npmSpecSummary, pipSpecSummary } from '../../../src/config/redact.js';

describe('what clients see of an npm spec', () => {
  it.each([
    ['@modelcontextprotocol/server-memory', '@modelcontextprotocol/server-memory'],
    ['@modelcontextprotocol/server-memory@2026.8.31', '@modelcontextprotocol/server-memory@2026.8.31'],
    ['left-pad@^1.3.0', 'left-pad@^1.3.0'],
    ['tool@latest', 'tool@latest'],
    ['tool@>=1.0.0 <2', 'tool@>=1.0.0 <2'],
    ['github:owner/repo#v1.2', 'github:owner/repo#v1.2'],
    ['owner/repo', 'owner/repo'],
    ['./servers/my-server', 'local:my-server'],
    ['/home/alice/pkgs/private-1.0.0.tgz', 'local:private-1.0.0.tgz'],
    ['file:../vendor/thing/', 'local:thing'],
    ['alias@npm:@scope/real@1.0.0', 'alias@npm:@scope/real@1.0.0'],
  ])('%s → %s', (spec, shown) => expect(npmSpecSummary(spec)).toBe(shown));

  it.each([
    ['https://alice:s3cr3t@registry.example.com/pkg/-/pkg-1.0.0.tgz', 'url:registry.example.com (rest hidden)'],
    ['https://npm.example.com/pkg.tgz?token=s3cr3t', 'url:npm.example.com (rest hidden)'],
    ['git+https://s3cr3t@git.example.com/team/repo.git#main', 'git:git.example.com (rest hidden)'],
    ['git+ssh://git@git.example.com/team/repo.git', 'git:git.example.com (rest hidden)'],
    ['git@git.example.com:team/s3cr3t-repo.git', '(npm spec hidden)'],
    ['alias@npm:https://u:s3cr3t@host.example/x.tgz', 'alias@npm:url:host.example (rest hidden)'],
  ])('hides the credential-bearing parts of %s', (spec, shown) => {
    expect(npmSpecSummary(spec)).toBe(shown);
    expect(npmSpecSummary(spec)).not.toContain('s3cr3t');
  });

  it('summarises a whole recipe, and leaves image names alone', () => {
    const node = { runtime: 'node' as const, image: undefined };
    expect(imageLabel({ ...node, build: { npm: ['a@1', 'https://u:s3cr3t@h.example/b.tgz'] } })).toBe(
      'build: a@1 url:h.example (rest hidden)',
    );
    expect(imageLabel({ ...node, image: 'my/fetch-server:1', build: undefined })).toBe('my/fetch-server:1');
    expect(imageLabel({ ...node, build: undefined })).toBe('node base');
    expect(
      imageLabel({
        runtime: 'python',
        image: undefined,
        build: { pip: ['mcp-server-git==1.2', 'git+https://tok:s3cr3t@git.example/r.git'] },
      }),
    ).toBe('build: pip mcp-server-git==1.2 url:git.example (rest hidden)');
  });

  it.each([
    ['mcp-server-fetch', 'mcp-server-fetch'],
    ['requests[socks]>=2.0,<3', 'requests[socks]>=2.0,<3'],
    ['/home/ada/proj', 'local:proj'],
    ['pkg @ https://u:s3cr3t@files.example/pkg.whl', 'url:files.example (rest hidden)'],
    ['https://s3cr3t@files.example/pkg.whl', 'url:files.example (rest hidden)'],
    ['--index-url=s3cr3t', '(pip spec hidden)'],
  ])('summarises the pip requirement %s', (spec, shown) => {
    expect(pipSpecSummary(spec)).toBe(shown);
  });
});
