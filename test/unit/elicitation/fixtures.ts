import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';

/** The form server-everything's trigger-elicitation-request sends (2026.8.31), every kind of field in it. */
export const EVERYTHING_FORM: ElicitRequest['params'] = {
  message: 'Please provide inputs for the following fields:',
  requestedSchema: {
    type: 'object',
    properties: {
      name: { title: 'String', type: 'string', description: 'Your full, legal name' },
      check: { title: 'Boolean', type: 'boolean', description: 'Agree to the terms and conditions' },
      firstLine: { title: 'String with default', type: 'string', default: 'It was a dark and stormy night.' },
      email: { title: 'String with email format', type: 'string', format: 'email' },
      homepage: { type: 'string', format: 'uri', title: 'String with uri format' },
      birthdate: { title: 'String with date format', type: 'string', format: 'date' },
      integer: { title: 'Integer', type: 'integer', minimum: 1, maximum: 100, default: 42 },
      number: { title: 'Number in range 1-1000', type: 'number', minimum: 0, maximum: 1000, default: 3.14 },
      untitledSingleSelectEnum: { type: 'string', title: 'Untitled', enum: ['Monica', 'Rachel', 'Joey'], default: 'Monica' },
      untitledMultipleSelectEnum: {
        type: 'array',
        title: 'Instruments',
        minItems: 1,
        maxItems: 3,
        items: { type: 'string', enum: ['Guitar', 'Piano', 'Violin', 'Drums', 'Bass'] },
        default: ['Guitar'],
      },
      titledSingleSelectEnum: {
        type: 'string',
        title: 'Hero',
        oneOf: [
          { const: 'hero-1', title: 'Superman' },
          { const: 'hero-2', title: 'Green Lantern' },
        ],
        default: 'hero-1',
      },
      titledMultipleSelectEnum: {
        type: 'array',
        title: 'Fish',
        minItems: 1,
        maxItems: 3,
        items: {
          anyOf: [
            { const: 'fish-1', title: 'Tuna' },
            { const: 'fish-2', title: 'Salmon' },
          ],
        },
        default: ['fish-1'],
      },
      legacyTitledEnum: { type: 'string', title: 'Pet', enum: ['pet-1', 'pet-2'], enumNames: ['Cats', 'Dogs'], default: 'pet-1' },
    },
    required: ['name'],
  },
};
