import { PRESET_NAMES, policyPreset, type PresetName } from '../../../src/policy/presets.js';

export interface PolicyChoice {
  /** The preset to ask for; '' leaves the choice to mcpd's configured default. */
  value: PresetName | '';
  label: string;
  dangerous: boolean;
}

/** The policies a new session may start with: mcpd's default, then each preset with what it does. */
export const POLICY_CHOICES: readonly PolicyChoice[] = [
  { value: '', label: 'mcpd’s default policy', dangerous: false },
  ...PRESET_NAMES.map((name) => {
    const preset = policyPreset(name);
    return { value: name, label: `${name}: ${preset.description}`, dangerous: preset.dangerous };
  }),
];
