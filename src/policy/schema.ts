import { z } from 'zod';
import { ANNOTATION_DEFAULTS } from './annotations.js';
import { checkGlob } from './glob.js';
import { egressPolicyRuleSchema } from './egress.js';
import { readPath } from './path.js';
import { compilePattern } from './pattern.js';
import { samplingRulesSchema } from './sampling.js';

export const DECISIONS = ['allow', 'deny', 'ask'] as const;

export const decisionSchema = z.enum(DECISIONS, { error: 'expected "allow", "deny" or "ask"' });

export { ANNOTATION_DEFAULTS, type AnnotationName } from './annotations.js';

export const MAX_RULES = 1000;

const onlyIfValid = (payload: z.core.ParsePayload): boolean => payload.issues.length === 0;

const glob = z.string().superRefine((value, ctx) => {
  const problem = checkGlob(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const globs = z.union([glob, z.array(glob).min(1, 'list at least one glob')], {
  error: 'expected a glob or a list of globs',
});

const pattern = z.string({ error: 'expected a regex pattern as a string' }).superRefine((source, ctx) => {
  const compiled = compilePattern(source);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', message: `invalid pattern: ${compiled.message}` });
});

const pathText = z.string({ error: 'expected a path as a string' }).superRefine((value, ctx) => {
  const reading = readPath(value);
  if (!reading.ok) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} cannot be used: ${reading.why}` });
});

/** `{ under: ['/etc', '~/.ssh'] }`: the argument is a path (or list of paths) at or below one of these. */
const pathMatcher = z.strictObject({
  under: z.union([pathText, z.array(pathText).min(1, 'list at least one path')], { error: 'expected a path or a list of paths' }),
});

// A union, so a bad regex and a bad path matcher each report their own problem. For a value that is neither a
// string nor a mapping, the message names the common case.
const argMatcher = z.union([pattern, pathMatcher], { error: 'expected a regex pattern as a string' });

const args = z.record(z.string().min(1, 'argument names cannot be empty'), argMatcher).refine((value) => Object.keys(value).length > 0, {
  error: 'empty "args" would match every call; remove it or name an argument',
  when: onlyIfValid,
});

// Strict, so a misspelt hint ("readonlyHint") is an error rather than a rule that silently never matches.
const annotations = z
  .strictObject({
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
    title: z.string().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, {
    error: 'empty "annotations" would match every call; remove it or name an annotation',
    // An object emptied by dropping a misspelt key already has its error; "empty" would only confuse.
    when: onlyIfValid,
  });

/** One rule: every matcher given must match (none given matches every call); the first matching rule decides. */
export const policyRuleSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  server: globs.optional(),
  tool: globs.optional(),
  args: args.optional(),
  annotations: annotations.optional(),
  decision: decisionSchema,
  /** Told to the model and the user when this rule decides. */
  message: z.string().min(1).max(2000).optional(),
});

export const policySchema = z.strictObject({
  description: z.string().max(2000).optional(),
  /** What happens when no rule matches; asking is the safe fallback when a file leaves it out. */
  default: decisionSchema.default('ask'),
  // `rules:` left empty in YAML (every rule commented out) reads as null: same as no rules.
  rules: z
    .array(policyRuleSchema)
    .max(MAX_RULES, `at most ${MAX_RULES} rules`)
    .nullable()
    .default([])
    .transform((rules) => rules ?? []),
  /** What a sandbox on an allowlist may reach beyond its list (see egress.ts); absent in policies older than it. */
  egress: z.array(egressPolicyRuleSchema).max(MAX_RULES, `at most ${MAX_RULES} egress rules`).optional(),
  /** Whether servers may use the model (`sampling/createMessage`) without asking; see sampling.ts. */
  sampling: samplingRulesSchema,
});

export type Decision = z.infer<typeof decisionSchema>;
export type PolicyRule = z.output<typeof policyRuleSchema>;
/** What a rule's `args` says about one argument: a regex pattern, or a path matcher. */
export type ArgMatcher = z.output<typeof argMatcher>;
export type Policy = z.output<typeof policySchema>;
/** A policy as written, before defaults are applied. */
export type PolicyInput = z.input<typeof policySchema>;

/** Keys each level of a policy accepts, for "did you mean" hints. */
export const POLICY_KEYS = {
  policy: Object.keys(policySchema.shape),
  rule: Object.keys(policyRuleSchema.shape),
  annotations: Object.keys(ANNOTATION_DEFAULTS),
  argMatcher: Object.keys(pathMatcher.shape),
} as const;
