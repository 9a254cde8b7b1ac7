import type { PresetName } from '../../../src/policy/presets.js';

export interface PolicyChoice {
  /** The preset to ask for; '' leaves the choice to mcpd's configured default. */
  value: PresetName | '';
  label: string;
  dangerous: boolean;
}

// Restated rather than imported: src/policy/presets.ts pulls the policy parser (zod, yaml) into the bundle, 120 kB
// for three lines of text. The Record keeps this list in step with PRESET_NAMES at compile time.
const PRESETS: Record<PresetName, { description: string; dangerous: boolean }> = {
  ask: { description: 'ask before every tool call', dangerous: false },
  'read-only': { description: 'allow tools whose server claims readOnlyHint (unverified); ask for the rest', dangerous: false },
  all: { description: 'DANGEROUS: allow every tool call without asking', dangerous: true },
};

/** The policies a new session may start with: mcpd's default, then each preset with what it does. */
export const POLICY_CHOICES: readonly PolicyChoice[] = [
  { value: '', label: 'mcpd’s default policy', dangerous: false },
  ...(Object.entries(PRESETS) as Array<[PresetName, { description: string; dangerous: boolean }]>).map(([name, p]) => ({
    value: name,
    label: `${name}: ${p.description}`,
    dangerous: p.dangerous,
  })),
];
