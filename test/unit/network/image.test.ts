import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayFiles } from '../../../daemon/egress/image.js';
import { pickSubnet } from '../../../daemon/egress/subnets.js';

describe('pickSubnet', () => {
  it('carves /29s out of the pool: .2 for the gateway, .3 for the sandbox', () => {
    expect(pickSubnet('10.200.0.0/16', () => 0)).toEqual({ subnet: '10.200.0.0/29', gateway: '10.200.0.2', sandbox: '10.200.0.3' });
    expect(pickSubnet('10.200.0.0/16', (max) => max - 1)).toEqual({
      subnet: '10.200.255.248/29',
      gateway: '10.200.255.250',
      sandbox: '10.200.255.251',
    });
    expect(pickSubnet('10.200.7.9/29', () => 0).subnet).toBe('10.200.7.8/29');
  });

  it('refuses a pool that cannot hold one sandbox network', () => {
    expect(() => pickSubnet('10.200.0.0/30')).toThrow(/\/29 or wider/);
    expect(() => pickSubnet('fd00::/64')).toThrow(/IPv4/);
  });
});

describe('gatewayFiles', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the compiled gateway as it is, with a package.json that makes it ESM', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gw-'));
    writeFileSync(path.join(dir, 'main.js'), "import { createInterface } from 'node:readline';\nimport { Gateway } from './gateway.js';\n");
    writeFileSync(path.join(dir, 'main.js.map'), '{}');
    const files = await gatewayFiles(dir);
    expect(files.map((f) => f.path)).toEqual(['/egress/main.js', '/egress/package.json']);
  });

  it('refuses code that imports anything the image does not hold', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gw-'));
    writeFileSync(path.join(dir, 'main.js'), "import { z } from 'zod';\n");
    await expect(gatewayFiles(dir)).rejects.toThrow(/imports "zod"/);
    writeFileSync(path.join(dir, 'main.js'), "import { McpgwError } from '../../../src/errors.js';\n");
    await expect(gatewayFiles(dir)).rejects.toThrow(/imports "..\/..\/..\/src\/errors.js"/);
  });
});
