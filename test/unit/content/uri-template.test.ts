import { describe, expect, it } from 'vitest';
import {
  decodeValue,
  encodeValue,
  expandTemplate,
  templateSpot,
  templateVariables,
  typeableUri,
} from '../../../src/content/uri-template.js';

const CITY = 'demo://city/{country}/{city}';

describe('resource templates (RFC 6570 level 1)', () => {
  it('finds the variables of a level-1 template; anything else is not one', () => {
    expect(templateVariables(CITY)).toEqual(['country', 'city']);
    expect(templateVariables('demo://resource/dynamic/text/{resourceId}')).toEqual(['resourceId']);
    expect(templateVariables('file:///{a}/x/{a}')).toEqual(['a']);
    expect(templateVariables('demo://static')).toEqual([]);
    for (const bad of ['demo://{+path}', 'demo://x{?q}', 'demo://{a', 'demo://a}', 'demo://{a}{b}', 'demo://{}', 'x'.repeat(3000)]) {
      expect(templateVariables(bad), bad).toBeUndefined();
    }
    // A server's literal text that is not plain typeable ASCII (a space, a control, a bidi override) is not filled in.
    for (const bad of ['demo://a b/{x}', 'demo://\u001b[2J/{x}', 'demo://\u202eexe.txt/{x}', 'demo://x\n/{y}', 'demo://"q"/{x}']) {
      expect(templateVariables(bad), bad).toBeUndefined();
    }
  });

  it('expands values percent-encoded, so a value cannot add a path, a query or a control character', () => {
    expect(expandTemplate(CITY, { country: 'France', city: 'Le Mans' })).toBe('demo://city/France/Le%20Mans');
    expect(expandTemplate(CITY, { country: '../etc', city: "a?b#c\n!'()*" })).toBe('demo://city/..%2Fetc/a%3Fb%23c%0A%21%27%28%29%2A');
    expect(expandTemplate(CITY, { country: 'France' })).toBe('demo://city/France/');
    expect(expandTemplate('demo://{+x}', {})).toBeUndefined();
    expect(encodeValue('a-b._~')).toBe('a-b._~');
    expect(decodeValue('Le%20Mans')).toBe('Le Mans');
    expect(decodeValue('100%')).toBe('100%');
  });

  it('says where a URI being typed stands: literal text, a variable (with the values before it), or whole', () => {
    expect(templateSpot(CITY, 'demo://ci')).toEqual({ kind: 'literal', completion: 'demo://city/' });
    expect(templateSpot(CITY, '')).toEqual({ kind: 'literal', completion: 'demo://city/' });
    expect(templateSpot(CITY, 'demo://city/')).toEqual({
      kind: 'variable',
      name: 'country',
      prefix: '',
      context: {},
      after: '/',
      last: false,
    });
    expect(templateSpot(CITY, 'demo://city/Fr')).toMatchObject({ kind: 'variable', name: 'country', prefix: 'Fr' });
    expect(templateSpot(CITY, 'demo://city/France/Le%20M')).toEqual({
      kind: 'variable',
      name: 'city',
      prefix: 'Le%20M',
      context: { country: 'France' },
      after: '',
      last: true,
    });
    expect(templateSpot('demo://{id}.json', 'demo://7.json')).toEqual({ kind: 'whole' });
    expect(templateSpot('demo://{id}.json', 'demo://7.js')).toMatchObject({ kind: 'variable', name: 'id', prefix: '7.js' });
    expect(templateSpot(CITY, 'demo://town/')).toBeUndefined();
    expect(templateSpot(CITY, 'demo://city/France/Lyon/more')).toBeUndefined();
    expect(templateSpot('demo://a b/{x}', 'demo://a')).toBeUndefined();
    expect(typeableUri('demo://resource/static/document/a.md')).toBe(true);
    expect(typeableUri('demo://a b')).toBe(false);
    expect(typeableUri('demo://\u202e')).toBe(false);
  });
});
