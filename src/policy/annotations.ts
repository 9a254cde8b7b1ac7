// Its own module, free of zod, so the light parts of the policy code (assessment, presets) can be bundled anywhere.

/** The MCP tool annotations a rule may test, with the value the MCP spec assumes when a server leaves one out. */
export const ANNOTATION_DEFAULTS = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
  title: undefined,
} as const;

export type AnnotationName = keyof typeof ANNOTATION_DEFAULTS;
