/** Docker labels that mark a container or image as ours; the purge and `images ls` select by them. */
export const LABELS = {
  managed: 'mcpgw.managed',
  session: 'mcpgw.session',
  server: 'mcpgw.server',
  instance: 'mcpgw.instance',
  recipe: 'mcpgw.recipe',
  kind: 'mcpgw.kind',
  /** node | python: the runtime an image provides. */
  runtime: 'mcpgw.runtime',
} as const;

/** The label filter that selects everything mcpgw created. */
export const MANAGED_FILTER = { label: [`${LABELS.managed}=true`] };
