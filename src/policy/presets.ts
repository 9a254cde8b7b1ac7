import { assertNever } from './never.js';
// Only the file-name helper, not the parser: presets are bundled into the web client without zod and yaml.
import { policyFormatFromPath, type PolicyFormat } from './format.js';
import type { Policy } from './schema.js';

export interface PolicyPreset {
  /** Says what it trusts, in capitals when it trusts anything: shown in pickers and `--help`. */
  description: string;
  /** Lets tools run with no human looking: show it loudly wherever it is in effect (`assessPolicy` agrees). */
  dangerous: boolean;
  policy: Policy;
}

export const PRESET_NAMES = ['ask', 'read-only', 'all'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** What `--auto-approve-policy` means when it is not given. */
export const DEFAULT_PRESET: PresetName = 'ask';

/** A fresh copy of a preset, so a caller editing its policy cannot change the preset for everyone else. */
export function policyPreset(name: PresetName): PolicyPreset {
  switch (name) {
    case 'ask':
      return { description: 'ask before every tool call', dangerous: false, policy: { default: 'ask', rules: [] } };
    case 'read-only':
      return {
        description:
          "TRUSTS SERVER CLAIMS: allow tools whose server claims readOnlyHint: true (the server's own, unverified claim); ask for the rest",
        dangerous: false,
        policy: {
          default: 'ask',
          rules: [{ name: 'server claims the tool is read-only', annotations: { readOnlyHint: true }, decision: 'allow' }],
        },
      };
    case 'all':
      return {
        description: 'DANGEROUS: allow every tool call without asking',
        dangerous: true,
        policy: { default: 'allow', rules: [] },
      };
    default:
      return assertNever(name);
  }
}

export type PolicySpec =
  | ({ kind: 'preset'; name: PresetName } & PolicyPreset)
  | { kind: 'file'; path: string; format: PolicyFormat | undefined }
  | { kind: 'invalid'; message: string };

/**
 * Reads a `--auto-approve-policy` value: a preset name, else a file path for the caller to read (there is no file
 * system here). Preset names win, so a file called "ask" is given as "./ask".
 */
export function resolvePolicySpec(spec: string): PolicySpec {
  const trimmed = spec.trim();
  if (trimmed === '') {
    return { kind: 'invalid', message: `give a preset (${PRESET_NAMES.join(', ')}) or the path of a policy file` };
  }
  const preset = PRESET_NAMES.find((name) => name === trimmed);
  if (preset) return { kind: 'preset', name: preset, ...policyPreset(preset) };
  return { kind: 'file', path: trimmed, format: policyFormatFromPath(trimmed) };
}
