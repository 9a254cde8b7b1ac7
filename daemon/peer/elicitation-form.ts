import { ErrorCode, McpError, type ElicitRequest, type PrimitiveSchemaDefinition } from '@modelcontextprotocol/sdk/types.js';
import { FORM_LIMITS, elicitFormSchema, type ElicitField } from '../../src/elicitation/fields.js';
import { checkElicitUrl } from '../../src/elicitation/url.js';
import { formProblem } from '../../src/elicitation/validate.js';
import type { ElicitationAsk } from '../../src/protocol/index.js';

const MAX_ELICITATION_ID = 256;

function refuse(reason: string): never {
  throw new McpError(ErrorCode.InvalidParams, `mcpgw refused the elicitation: ${reason}`);
}

/**
 * A server's `elicitation/create` params (already shaped by the SDK's schema) as the question mcpgw asks. Anything
 * outside the spec's restricted schema or past FORM_LIMITS is refused with an MCP error the server sees, so no person
 * is shown a form that cannot be answered or that buries them.
 */
export function elicitationAsk(params: ElicitRequest['params']): ElicitationAsk {
  if (params.task !== undefined) refuse('task-augmented requests are not supported');
  if (params.message.length > FORM_LIMITS.messageChars) refuse(`the message is over ${FORM_LIMITS.messageChars} characters`);
  if (params.mode === 'url') {
    if (params.elicitationId.length > MAX_ELICITATION_ID) refuse('the elicitationId is too long');
    const checked = checkElicitUrl(params.url);
    if (!checked.ok) refuse(checked.reason);
    return { kind: 'elicitation', message: params.message, mode: 'url', url: checked.url, elicitationId: params.elicitationId };
  }
  const { properties, required = [] } = params.requestedSchema;
  const names = Object.keys(properties);
  if (names.length === 0) refuse('the form has no fields');
  if (names.length > FORM_LIMITS.fields) refuse(`the form has ${names.length} fields, over ${FORM_LIMITS.fields}`);
  const unknown = required.find((name) => !Object.hasOwn(properties, name));
  if (unknown !== undefined) refuse(`"${unknown.slice(0, FORM_LIMITS.nameChars)}" is required but not a field`);
  const fields = names.map((name) => toField(name, properties[name] as PrimitiveSchemaDefinition, required.includes(name)));
  const parsed = elicitFormSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue?.path[0] === undefined ? '' : `field "${String(names[Number(issue.path[0])] ?? '').slice(0, FORM_LIMITS.nameChars)}": `;
    refuse(`${where}${issue?.path.slice(1).join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim());
  }
  const problem = formProblem(parsed.data);
  if (problem) refuse(problem);
  return { kind: 'elicitation', message: params.message, mode: 'form', fields: parsed.data };
}

/** One property of the server's schema as a field (checked against the bounds afterwards). */
function toField(name: string, p: PrimitiveSchemaDefinition, required: boolean): ElicitField {
  const base = {
    name,
    required,
    ...(p.title === undefined ? {} : { title: p.title }),
    ...(p.description === undefined ? {} : { description: p.description }),
  };
  switch (p.type) {
    case 'boolean':
      return { ...base, type: 'boolean', ...(p.default === undefined ? {} : { default: p.default }) };
    case 'number':
    case 'integer':
      return { ...base, type: p.type, ...pick(p, ['minimum', 'maximum', 'default']) };
    case 'array': {
      const options =
        'anyOf' in p.items
          ? p.items.anyOf.map((o) => ({ value: o.const, title: o.title }))
          : p.items.enum.map((v) => ({ value: v, title: v }));
      return { ...base, type: 'multi', options, ...pick(p, ['minItems', 'maxItems', 'default']) };
    }
    case 'string': {
      if ('oneOf' in p)
        return { ...base, type: 'enum', options: p.oneOf.map((o) => ({ value: o.const, title: o.title })), ...pick(p, ['default']) };
      if ('enum' in p) {
        const titles = 'enumNames' in p && p.enumNames?.length === p.enum.length ? p.enumNames : p.enum;
        return { ...base, type: 'enum', options: p.enum.map((v, i) => ({ value: v, title: titles[i] ?? v })), ...pick(p, ['default']) };
      }
      return { ...base, type: 'string', ...pick(p, ['format', 'minLength', 'maxLength', 'default']) };
    }
    default:
      return refuse(`field "${name.slice(0, FORM_LIMITS.nameChars)}" has an unsupported type`);
  }
}

/** The keys of `o` that are set (exactOptionalPropertyTypes: an absent key stays absent). */
function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
