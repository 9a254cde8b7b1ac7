import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSpecifier, valueSpecifiers, walkValueImports, type SourceTree } from './import-graph.js';

// The web page's CSP refuses zod's runtime probe (`new Function('')`), so a module holding zod in the web bundle breaks
// the web client, and until now only the Chromium e2e noticed. The MCP SDK counts as zod: its types module builds
// zod schemas at load. This walks what web/src loads at run time, through the shared core, as a unit test.

const ROOT = resolve(import.meta.dirname, '../../..');
const WEB_SRC = join(ROOT, 'web/src');

/** zod itself, or the MCP SDK (any subpath), which carries zod. */
function holdsZod(specifier: string): boolean {
  return /^(zod|@modelcontextprotocol\/sdk)(\/|$)/.test(specifier);
}

/** Every .ts file and .vue component under a directory: each is a way into the bundle. */
function webEntries(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|vue)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const disk: SourceTree = { read: (file) => readFileSync(file, 'utf8'), exists: existsSync };
const shown = (file: string): string => (file.startsWith('/') ? relative(ROOT, file) : file);

describe('the web bundle holds no zod', () => {
  it('no value import from web/src reaches zod or the MCP SDK, however indirectly', () => {
    const entries = webEntries(WEB_SRC);
    const walk = walkValueImports(entries, holdsZod, disk);
    // The walk went through the shared core the web client uses, not only web/src itself.
    expect(entries.length).toBeGreaterThan(20);
    expect(walk.reached).toContain(join(ROOT, 'src/view/index.ts'));
    expect([...walk.reached].filter((f) => f.startsWith(join(ROOT, 'src/'))).length).toBeGreaterThan(10);
    expect(walk.unresolved).toEqual([]);
    expect(walk.forbidden.map((chain) => chain.map(shown).join(' → '))).toEqual([]);
  });
});

/** A tree held in memory, for the walker's own checks. */
function memoryTree(files: Record<string, string>): SourceTree {
  return {
    read: (file) => files[file] ?? '',
    exists: (file) => file in files,
  };
}

describe('the import walk', () => {
  it('counts value imports, re-exports, side-effect and dynamic imports; not type-only ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, e } from './e.js';",
      "import * as f from './f.js';",
      "import g from 'g';",
      "import './h.css';",
      "export { i } from './i.js';",
      "export type { J } from './j.js';",
      "export * from './k.js';",
      "const l = await import('./l.js');",
      "type M = import('./m.js').M;",
    ].join('\n');
    expect(valueSpecifiers('/r/x.ts', text)).toEqual(['./a.js', './e.js', './f.js', 'g', './h.css', './i.js', './k.js', './l.js']);
  });

  it('reads both script blocks of a .vue component and nothing of its template', () => {
    const vue = [
      '<script lang="ts">',
      "import { x } from './x.js';",
      '</script>',
      '<script setup lang="ts">',
      "import type { Y } from './y.js';",
      "import { z } from './z.js';",
      '</script>',
      "<template><div>import { w } from './w.js'</div></template>",
    ].join('\n');
    expect(valueSpecifiers('/r/C.vue', vue)).toEqual(['./x.js', './z.js']);
  });

  it('resolves .js to .ts, a directory to its index, and tells packages and assets apart', () => {
    const tree = memoryTree({ '/r/src/a.ts': '', '/r/src/d/index.ts': '', '/r/web/C.vue': '' });
    expect(resolveSpecifier('/r/web/m.ts', '../src/a.js', tree)).toEqual({ kind: 'file', path: '/r/src/a.ts' });
    expect(resolveSpecifier('/r/web/m.ts', '../src/d', tree)).toEqual({ kind: 'file', path: '/r/src/d/index.ts' });
    expect(resolveSpecifier('/r/web/m.ts', './C.vue', tree)).toEqual({ kind: 'file', path: '/r/web/C.vue' });
    expect(resolveSpecifier('/r/web/m.ts', '@scope/pkg/sub.js', tree)).toEqual({ kind: 'package' });
    expect(resolveSpecifier('/r/web/m.ts', './style.css', tree)).toEqual({ kind: 'asset' });
    expect(resolveSpecifier('/r/web/m.ts', './gone.js', tree)).toEqual({ kind: 'missing' });
  });

  it('names the shortest chain to each module that imports a forbidden package, and only value chains', () => {
    const tree = memoryTree({
      '/r/web/App.vue':
        "<script setup lang=\"ts\">\nimport { view } from '../src/view.js';\nimport type { T } from '../src/typed.js';\n</script>",
      '/r/src/view.ts': "export { q } from './questions.js';\nimport type { S } from '@modelcontextprotocol/sdk/types.js';",
      '/r/src/questions.ts': "import { z } from 'zod';\nexport const q = z.string();",
      '/r/src/typed.ts': "import { z } from 'zod';\nexport type T = z.infer<typeof s>;",
    });
    const walk = walkValueImports(['/r/web/App.vue'], holdsZod, tree);
    expect(walk.forbidden).toEqual([['/r/web/App.vue', '/r/src/view.ts', '/r/src/questions.ts', 'zod']]);
    expect(walk.reached.has('/r/src/typed.ts')).toBe(false);
  });

  it('reports an import that names no file, since a chain could hide behind it', () => {
    const walk = walkValueImports(['/r/web/a.ts'], holdsZod, memoryTree({ '/r/web/a.ts': "import { b } from './b.js';" }));
    expect(walk.unresolved).toEqual(['/r/web/a.ts: ./b.js']);
  });
});
