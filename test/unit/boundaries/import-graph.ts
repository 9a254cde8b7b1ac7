import { dirname, extname, resolve } from 'node:path';
import ts from 'typescript';

// A small import-graph walker for boundary tests: which modules a file loads at run time, followed transitively. Only
// VALUE imports count (a type-only import is erased before bundling, so it cannot drag a module into the bundle);
// re-exports and dynamic imports load their module too, so they are followed.

/** How the walker reads the tree; the test of the walker hands it files in memory. */
export interface SourceTree {
  read(file: string): string;
  exists(file: string): boolean;
}

/** What a walk found: every module reached, the specifiers it could not resolve, and the chains to forbidden imports. */
export interface ImportWalk {
  reached: Set<string>;
  /** `file: specifier` for each relative import that names no file (a chain could hide behind it). */
  unresolved: string[];
  /** For each reached module that imports a forbidden package by value: entry → … → that module → the package. */
  forbidden: string[][];
}

/** The script of a file: the `<script>` blocks of a .vue file (both, when it has `<script setup>` too), else the file. */
export function scriptOf(file: string, text: string): string {
  if (extname(file) !== '.vue') return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '').join('\n');
}

/** True when a named import or export list loads its module: any value name, or none at all (`import {} from`). */
function namesAValue(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length === 0 || elements.some((e) => !e.isTypeOnly);
}

function isValueImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return true; // `import './x'`: loaded for its side effects
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  return !bindings || ts.isNamespaceImport(bindings) || namesAValue(bindings.elements);
}

function isValueExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return false;
  const clause = node.exportClause;
  return !clause || ts.isNamespaceExport(clause) || namesAValue(clause.elements);
}

/** The specifiers a module loads at run time: value imports, value re-exports and `import()` calls. */
export function valueSpecifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, scriptOf(file, text), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      if (isValueImport(node) && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && isValueExport(node) && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const SCRIPT = /\.(ts|tsx|vue|js|mjs)$/;

/** What a specifier names: a file of the tree, a package (not walked into), a non-script asset, or nothing. */
export type Resolved = { kind: 'file'; path: string } | { kind: 'package' } | { kind: 'asset' } | { kind: 'missing' };

/** Resolves a specifier from `from`; `./x.js` names `./x.ts` in this ESM tree, as the bundler resolves it. */
export function resolveSpecifier(from: string, specifier: string, tree: Pick<SourceTree, 'exists'>): Resolved {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return { kind: 'package' };
  const base = resolve(dirname(from), specifier);
  const ext = extname(base);
  if (ext && !SCRIPT.test(base)) return { kind: 'asset' };
  const stem = ext === '.js' || ext === '.mjs' ? base.slice(0, -ext.length) : base;
  const candidates = ext && ext !== '.js' && ext !== '.mjs' ? [base] : [`${stem}.ts`, `${stem}.tsx`, base, `${base}/index.ts`];
  const path = candidates.find((c) => SCRIPT.test(c) && tree.exists(c));
  return path === undefined ? { kind: 'missing' } : { kind: 'file', path };
}

/**
 * Walks the value imports from `entries` (breadth first, so each chain is a shortest one) and reports every module
 * that imports a package `isForbidden` refuses, with the chain that reaches it. Packages are not walked into.
 */
export function walkValueImports(entries: string[], isForbidden: (specifier: string) => boolean, tree: SourceTree): ImportWalk {
  const parent = new Map<string, string | undefined>(entries.map((e) => [e, undefined]));
  const queue = [...entries];
  const unresolved: string[] = [];
  const forbidden: string[][] = [];
  const chainTo = (file: string): string[] => {
    const chain: string[] = [];
    for (let at: string | undefined = file; at !== undefined; at = parent.get(at)) chain.unshift(at);
    return chain;
  };
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const specifier of valueSpecifiers(file, tree.read(file))) {
      const target = resolveSpecifier(file, specifier, tree);
      if (target.kind === 'package' && isForbidden(specifier)) forbidden.push([...chainTo(file), specifier]);
      else if (target.kind === 'missing') unresolved.push(`${file}: ${specifier}`);
      else if (target.kind === 'file' && !parent.has(target.path)) {
        parent.set(target.path, file);
        queue.push(target.path);
      }
    }
  }
  return { reached: new Set(parent.keys()), unresolved, forbidden };
}
