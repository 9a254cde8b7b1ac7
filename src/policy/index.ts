export {
  ANNOTATION_DEFAULTS,
  DECISIONS,
  MAX_RULES,
  decisionSchema,
  policyRuleSchema,
  policySchema,
  type AnnotationName,
  type ArgMatcher,
  type Decision,
  type Policy,
  type PolicyInput,
  type PolicyRule,
} from './schema.js';
export {
  MAX_POLICY_TEXT,
  formatPolicyIssues,
  parsePolicy,
  policyFormatFromPath,
  type ParsePolicyResult,
  type PolicyFormat,
  type PolicyIssue,
} from './parse.js';
export {
  DEFAULT_PRESET,
  PRESET_NAMES,
  policyPreset,
  resolvePolicySpec,
  type PolicyPreset,
  type PolicySpec,
  type PresetName,
} from './presets.js';
export { evaluatePolicy, firstHit, SESSION_MATCH, sessionRuleFor, type RuleHit, type Verdict, type VerdictSource } from './engine.js';
export {
  argumentText,
  describeRule,
  formatClaim,
  matchRule,
  type AnnotationClaim,
  type MatchOptions,
  type PolicyCall,
  type RuleMatch,
} from './match.js';
export { assessPolicy, formatAssessment, LEVEL_TEXT, policyWithLevel, type PolicyAssessment, type PolicyLevel } from './assess.js';
export { formatPath, isUnder, readPath, resolvedPathText, type PathReading, type PathValue } from './path.js';
export { explainPolicy, type Explanation } from './explain.js';
export { lintPolicy, matchesEveryCall, type PolicyWarning } from './lint.js';
export { checkGlob, escapeGlob, matchGlob, matchGlobs, type GlobOptions } from './glob.js';
export {
  MAX_PATTERN_LENGTH,
  MAX_PROGRAM_SIZE,
  MAX_WORK,
  MAX_TESTED_LENGTH,
  compilePattern,
  type PatternOutcome,
  type PatternResult,
  type SafePattern,
} from './pattern.js';
export {
  describeEgressRule,
  egressPolicyRuleSchema,
  evaluateEgress,
  explainEgress,
  matchEgressRule,
  type EgressPolicyRule,
  type EgressRequest,
  type EgressVerdict,
} from './egress.js';
export {
  MAX_SAMPLING_BUDGET,
  MAX_SAMPLING_RULES,
  describeSamplingRule,
  evaluateSampling,
  explainSampling,
  samplingRuleSchema,
  type SamplingCall,
  type SamplingRule,
  type SamplingVerdict,
} from './sampling.js';
