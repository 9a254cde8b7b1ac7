import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepStdlibPath, pythonLinks } from '../../../daemon/images/rootfs-python.js';
import { treeFiles } from '../../../daemon/images/rootfs.js';
import { BuildOutput, cleanLine } from '../../../daemon/images/build-container.js';

describe('the offline Python base', () => {
  it.each([
    ['os.py', false, true],
    ['encodings', true, true],
    ['encodings/utf_8.py', false, true],
    ['lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so', false, true],
    ['json/__init__.py', false, true],
    ['__pycache__', true, true],
    ['json/__pycache__/decoder.cpython-311.pyc', false, true],
    ['json/__pycache__/decoder.cpython-311.opt-1.pyc', false, false],
    ['json/__pycache__/decoder.cpython-311.opt-2.pyc', false, false],
    ['test', true, false],
    ['unittest/test', true, false],
    ['ctypes/test/test_loading.py', false, false],
    ['distutils/tests', true, false],
    ['idlelib', true, false],
    ['tkinter', true, false],
    ['turtledemo', true, false],
    ['ensurepip', true, false],
    ['site-packages', true, false],
    ['dist-packages', true, false],
    ['config-3.11-x86_64-linux-gnu', true, false],
    ['EXTERNALLY-MANAGED', false, false],
    ['test.py', false, true],
  ])('keeps %s (dir: %s): %s', (rel, isDir, kept) => {
    expect(keepStdlibPath(rel, isDir)).toBe(kept);
  });

  it('links python3 and python to the interpreter, relatively when it lives in /usr/bin', () => {
    expect(pythonLinks('/usr/bin/python3.11').map((l) => [l.path, l.linkTarget])).toEqual([
      ['/usr/bin/python3', 'python3.11'],
      ['/usr/bin/python', 'python3.11'],
    ]);
    expect(pythonLinks('/opt/py/bin/python3.12').map((l) => l.linkTarget)).toEqual(['/opt/py/bin/python3.12', '/opt/py/bin/python3.12']);
  });
});

describe('treeFiles', () => {
  const tree = (): { root: string; outside: string } => {
    const base = mkdtempSync(path.join(tmpdir(), 'mcpgw-tree-'));
    const root = path.join(base, 'pkg');
    mkdirSync(path.join(root, 'lib'), { recursive: true });
    writeFileSync(path.join(root, 'lib', 'a.js'), 'a');
    symlinkSync('lib/a.js', path.join(root, 'inside'));
    const outside = path.join(base, 'secret.txt');
    writeFileSync(outside, 'host file');
    symlinkSync(outside, path.join(root, 'outside'));
    symlinkSync(path.join(base, 'nope'), path.join(root, 'dangling'));
    return { root, outside };
  };

  it('for a host installation, keeps inside links and copies what outside links point to (dangling ones dropped)', async () => {
    const { root, outside } = tree();
    const files = await treeFiles(root, '/usr/lib/x');
    expect(files.map((f) => [f.path, f.linkTarget ?? f.source])).toEqual([
      ['/usr/lib/x/inside', 'lib/a.js'],
      ['/usr/lib/x/lib/a.js', path.join(root, 'lib', 'a.js')],
      ['/usr/lib/x/outside', outside],
    ]);
  });

  it('for a user package, keeps every link as a link, so no host file outside it is read', async () => {
    const { root, outside } = tree();
    const files = await treeFiles(root, '/build/local/0/pkg', () => false, 'verbatim');
    expect(files.find((f) => f.path.endsWith('/outside'))).toMatchObject({ linkTarget: outside, size: 0 });
    expect(files.find((f) => f.path.endsWith('/dangling'))?.linkTarget).toBe(path.join(path.dirname(root), 'nope'));
    expect(files.filter((f) => f.linkTarget === undefined).map((f) => f.source)).toEqual([path.join(root, 'lib', 'a.js')]);
  });
});

describe('build output', () => {
  it('has terminal escapes, control characters and URL credentials removed', () => {
    expect(cleanLine('\u001b[31mnpm error\u001b[0m fetch https://me:tok@reg.example/x\u0007\r')).toBe(
      'npm error fetch https://***@reg.example/x',
    );
  });

  it('is bounded: a flood is cut to a count, the tail is kept for the error message', () => {
    const lines: string[] = [];
    const out = new BuildOutput((l) => lines.push(l));
    out.push(Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n')));
    out.flush();
    expect(lines).toHaveLength(401);
    expect(lines.at(-1)).toBe('… 600 more lines of build output not shown');
    expect(out.tail().at(-1)).toBe('line 999');
    expect(out.tail()).toHaveLength(12);
  });
});
